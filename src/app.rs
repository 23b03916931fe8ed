//! The root component: load the configuration, finish a sign-in redirect, then the router
//! and the layout.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::auth::{Auth, SignInFailure};
use crate::boot::{config_url, load_config};
use crate::components::config_error::ConfigErrorPage;
use crate::components::header::Header;
use crate::components::sign_in_error::SignInError;
use crate::config::Config;
use crate::i18n::{Msg, t};
use crate::routes::{home::Home, not_found::NotFound};

#[component]
pub fn App() -> impl IntoView {
    let config = LocalResource::new(|| load_config(config_url()));
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">{t(Msg::ConfigLoading)}</p> }>
            {move || config.get().map(|loaded| match loaded {
                Ok(cfg) => view! { <Shell config=cfg /> }.into_any(),
                Err(error) => view! { <ConfigErrorPage error=error /> }.into_any(),
            })}
        </Suspense>
    }
}

/// The layout around every page. A return from the identity platform is finished before
/// the router starts, so the router only ever sees the clean, saved view.
#[component]
pub fn Shell(config: Config) -> impl IntoView {
    let auth = Auth::new(config.clone());
    provide_context(config);
    provide_context(auth.clone());
    let redirect = LocalResource::new(move || {
        let auth = auth.clone();
        async move { auth.handle_redirect().await }
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">{t(Msg::SigningIn)}</p> }>
            {move || redirect.get().map(|outcome| {
                let failure: Option<SignInFailure> = outcome.err();
                view! {
                    <Router>
                        <Header />
                        <main id="main">
                            {failure.map(|f| view! { <SignInError failure=f /> })}
                            <Routes fallback=|| view! { <NotFound /> }>
                                <Route path=path!("/") view=Home />
                            </Routes>
                        </main>
                    </Router>
                }
            })}
        </Suspense>
    }
}
