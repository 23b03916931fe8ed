//! The root component: load the configuration, finish a sign-in redirect, then the router
//! and the layout.

use leptos::prelude::*;

use crate::auth::{Auth, SignInFailure};
use crate::boot::{config_url, load_config};
use crate::components::config_error::ConfigErrorPage;
use crate::components::header::Header;
use crate::components::list::Refusals;
use crate::components::load::load;
use crate::components::packages::Directory;
use crate::components::sign_in_error::SignInError;
use crate::config::Config;
use crate::i18n::{Msg, t};
use crate::router::{Page, Router};
use crate::routes::assignment::AssignmentPage;
use crate::routes::assignments::AssignmentsPage;
use crate::routes::{
    home::Home, not_found::NotFound, request::RequestPage, requests::RequestsPage,
};

#[component]
pub fn App() -> impl IntoView {
    let config = load(load_config(config_url()));
    move || match config.get() {
        None => view! { <p class="loading" role="status">{t(Msg::ConfigLoading)}</p> }.into_any(),
        Some(Ok(cfg)) => view! { <Shell config=cfg /> }.into_any(),
        Some(Err(error)) => view! { <ConfigErrorPage error=error /> }.into_any(),
    }
}

/// The layout around every page. A return from the identity platform is finished before
/// the router starts, so the router only ever sees the clean, saved view.
#[component]
pub fn Shell(config: Config) -> impl IntoView {
    let auth = Auth::new(config.clone());
    provide_context(config);
    provide_context(auth.clone());
    provide_context(Refusals::load());
    provide_context(Directory::new());
    let redirect = load(async move { auth.handle_redirect().await });
    move || match redirect.get() {
        None => view! { <p class="loading" role="status">{t(Msg::SigningIn)}</p> }.into_any(),
        Some(outcome) => {
            let failure: Option<SignInFailure> = outcome.err();
            let router = Router::install();
            provide_context(router);
            // A new page only when the path changes: a new query is the same page's new view.
            let page = Memo::new(move |_| router.location.with(|l| Page::from_path(&l.path)));
            view! {
                <Header />
                <main id="main">
                    {failure.map(|f| view! { <SignInError failure=f /> })}
                    {move || match page.get() {
                        Page::Home => view! { <Home /> }.into_any(),
                        Page::Requests => view! { <RequestsPage /> }.into_any(),
                        Page::Request(id) => view! { <RequestPage id=id /> }.into_any(),
                        Page::Assignments => view! { <AssignmentsPage /> }.into_any(),
                        Page::Assignment(id) => view! { <AssignmentPage id=id /> }.into_any(),
                        Page::NotFound => view! { <NotFound /> }.into_any(),
                    }}
                </main>
            }
            .into_any()
        }
    }
}
