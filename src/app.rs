//! The root component: load the configuration, then the router and the layout.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::boot::{config_url, load_config};
use crate::components::config_error::ConfigErrorPage;
use crate::components::header::Header;
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

/// The signed-out or signed-in layout around every page.
#[component]
pub fn Shell(config: Config) -> impl IntoView {
    provide_context(config);
    view! {
        <Router>
            <Header />
            <main id="main">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=Home />
                </Routes>
            </main>
        </Router>
    }
}
