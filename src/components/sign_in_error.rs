//! A failed sign-in, with what support needs and a way to try again.

use leptos::prelude::*;

use crate::auth::{Auth, AuthError, SignInFailure};
use crate::i18n::{Msg, t};

/// Starts an interactive sign-in that returns to `return_to`; if it cannot start (the
/// browser refused to store the attempt or to leave the page), the page's problem notice
/// (the `RwSignal<Option<String>>` the app provides, which also reports a language file
/// that failed) says why instead of nothing happening.
pub fn start_sign_in(auth: &Auth, return_to: &str) {
    if let Err(error) = auth.sign_in(return_to)
        && error != AuthError::Redirecting
        && let Some(problem) = use_context::<RwSignal<Option<String>>>()
    {
        problem.set(Some(error.to_string()));
    }
}

/// Shows the identity platform's error (code, description, trace and correlation ids,
/// time), advice for the codes admins meet, and Try again.
#[component]
pub fn SignInError(
    /// The failure and the view the sign-in was for.
    failure: SignInFailure,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let return_to = failure.return_to.clone();
    let retry = move |_| start_sign_in(&auth, &return_to);
    let details = match &failure.error {
        AuthError::Platform(p) => Some((**p).clone()),
        _ => None,
    };
    let message = failure.error.to_string();
    view! {
        <section class="sign-in-error" role="alert" data-testid="sign-in-error">
            <h2>{t(Msg::SignInFailedTitle)}</h2>
            <p data-testid="sign-in-error-message">{message}</p>
            {details.map(|p| {
                let advice = p.advice();
                view! {
                    {advice.map(|a| view! { <p class="advice" data-testid="sign-in-advice">{a}</p> })}
                    <dl class="ids">
                        <dt>{t(Msg::ErrorCode)}</dt>
                        <dd data-testid="sign-in-error-code">{p.error.clone()}</dd>
                        <dt>{t(Msg::TraceId)}</dt>
                        <dd data-testid="trace-id">{p.trace_id.clone().unwrap_or_default()}</dd>
                        <dt>{t(Msg::CorrelationId)}</dt>
                        <dd data-testid="correlation-id">{p.correlation_id.clone().unwrap_or_default()}</dd>
                        <dt>{t(Msg::Timestamp)}</dt>
                        <dd>{p.timestamp.clone().unwrap_or_default()}</dd>
                    </dl>
                }
            })}
            <button type="button" class="primary" on:click=retry>{t(Msg::TryAgain)}</button>
        </section>
    }
}
