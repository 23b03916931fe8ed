use leptos::prelude::*;

use crate::i18n::{Msg, t};

/// Any address the router does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="not-found" data-testid="not-found">
            <h1>{t(Msg::NotFoundTitle)}</h1>
            <p>{t(Msg::NotFoundBody)}</p>
            <a href="./">{t(Msg::NotFoundHome)}</a>
        </section>
    }
}
