//! The page shown instead of the app when `config.json` is missing or wrong.

use leptos::prelude::*;

use crate::boot::BootError;
use crate::i18n::{Msg, t, tf};

/// Explains every configuration problem at once, with the file's address.
#[component]
pub fn ConfigErrorPage(
    /// What went wrong while loading `config.json`.
    error: BootError,
) -> impl IntoView {
    let (url, items): (String, Vec<String>) = match error {
        BootError::Load { url, detail } => (
            url,
            vec![tf(
                Msg::ConfigErrorFetch,
                &[("detail", &detail.to_string())],
            )],
        ),
        BootError::Invalid { url, errors } => {
            (url, errors.iter().map(ToString::to_string).collect())
        }
    };
    view! {
        <main class="config-error" role="alert" data-testid="config-error">
            <h1>{t(Msg::ConfigErrorTitle)}</h1>
            <p>{t(Msg::ConfigErrorIntro)} " " <code>{url}</code></p>
            <ul>
                {items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}
            </ul>
            <p>{t(Msg::ConfigErrorHelp)}</p>
        </main>
    }
}
