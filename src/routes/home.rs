use leptos::prelude::*;

use crate::auth::Auth;
use crate::components::graph_problem::GraphProblem;
use crate::components::overview::Overview;
use crate::config::{Cloud, Config};
use crate::i18n::{Msg, t};
use crate::state::directory::use_catalogs;

/// The start page: what the app is for, and once signed in, the operations overview and
/// what Graph lets this admin manage.
#[component]
pub fn Home() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    // A memo: the catalogs load once per sign-in, not again when the account is refreshed.
    let signed_in = Memo::new(move |_| auth.account.with(Option::is_some));
    view! {
        <section class="home">
            <h1>{t(Msg::HomeTitle)}</h1>
            <p>{t(Msg::HomeBody)}</p>
            {(config.cloud != Cloud::Global).then(|| view! { <p class="note">{t(Msg::ResumeUnavailableCloud)}</p> })}
            {move || signed_in.get().then(|| view! { <Overview /> <Catalogs /> })}
        </section>
    }
}

/// The catalogs Graph shows the signed-in admin (all of them, or one for a catalog-scoped
/// manager; a 403 for an account without an entitlement-management role).
#[component]
fn Catalogs() -> impl IntoView {
    let catalogs = use_catalogs();
    view! {
        <section class="catalogs" aria-labelledby="catalogs-title">
            <h2 id="catalogs-title">{t(Msg::CatalogsTitle)}</h2>
            {move || match catalogs.get() {
                    None => view! { <p role="status">{t(Msg::Loading)}</p> }.into_any(),
                    Some(Ok(list)) => {
                        let names: Vec<String> = list.into_iter().map(|c| c.name).collect();
                        if names.is_empty() {
                            view! { <p>{t(Msg::CatalogsEmpty)}</p> }.into_any()
                        } else {
                            view! {
                                <p>{t(Msg::CatalogsIntro)}</p>
                                <ul data-testid="catalogs">
                                    {names.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }
                    Some(Err(failure)) => view! { <GraphProblem failure=failure /> }.into_any(),
                }}
        </section>
    }
}
