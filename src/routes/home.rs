use leptos::prelude::*;

use crate::i18n::{Msg, t};

/// The start page for a signed-out admin.
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <section class="home">
            <h1>{t(Msg::HomeTitle)}</h1>
            <p>{t(Msg::HomeBody)}</p>
        </section>
    }
}
