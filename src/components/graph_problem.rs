//! A Graph failure as an admin and support need it.

use leptos::prelude::*;

use crate::graph::GraphFailure;
use crate::i18n::{Msg, t, tf};

/// A Graph failure with its code, message, request-id and date.
#[component]
pub fn GraphProblem(failure: GraphFailure) -> impl IntoView {
    match failure {
        GraphFailure::Graph(e) => {
            let forbidden = e.status == 403;
            // What support asks for, in one paste.
            let details = format!(
                "HTTP {} {}: {}\nrequest-id: {}\ndate: {}",
                e.status,
                e.code,
                e.message,
                e.request_id.clone().unwrap_or_default(),
                e.date.clone().unwrap_or_default()
            );
            let copied = RwSignal::new(false);
            let copy = move |_| {
                if let Some(w) = web_sys::window() {
                    let _ = w.navigator().clipboard().write_text(&details);
                    copied.set(true);
                }
            };
            view! {
                <div class="graph-error" role="alert" data-testid="graph-error">
                    <p>{if forbidden { t(Msg::GraphForbidden) } else { t(Msg::GraphFailed) }}</p>
                    <p><code>{e.code.clone()}</code> ": " {e.message.clone()}</p>
                    <p>
                        {t(Msg::GraphRequestId)} ": " <code data-testid="request-id">{e.request_id.clone().unwrap_or_default()}</code>
                        " · " {t(Msg::GraphDate)} ": " {e.date.clone().unwrap_or_default()}
                    </p>
                    <button type="button" aria-label=t(Msg::CopyErrorLabel) data-testid="copy-error" on:click=copy>
                        {move || if copied.get() { t(Msg::CopiedLabel) } else { t(Msg::CopyLabel) }}
                    </button>
                </div>
            }
            .into_any()
        }
        GraphFailure::Auth(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
        GraphFailure::Network(e) => {
            view! { <p role="alert">{t(Msg::GraphFailed)} ": " {e}</p> }.into_any()
        }
        GraphFailure::Unsure { detail, request_id } => view! {
            <p role="alert" data-testid="graph-unsure">
                {tf(Msg::GraphUnsure, &[("detail", &detail), ("id", &request_id.unwrap_or_default())])}
            </p>
        }
        .into_any(),
        GraphFailure::ForeignLink(link) => view! {
            <p role="alert" data-testid="foreign-link">{tf(Msg::ForeignNextLink, &[("link", &link)])}</p>
        }
        .into_any(),
    }
}
