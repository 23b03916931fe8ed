//! The root component: refuse to run inside a frame, load the configuration, finish a
//! sign-in redirect, then the router and the layout.

use leptos::prelude::*;

use crate::auth::{Auth, SignInFailure};
use crate::boot::{config_url, load_config, preferred_language, use_language};
use crate::components::config_error::ConfigErrorPage;
use crate::components::header::{Header, LanguageSwitches};
use crate::components::sign_in_error::SignInError;
use crate::config::Config;
use crate::i18n::{Lang, Msg, is_loaded, lang, t};
use crate::router::{Page, Router};
use crate::routes::assignment::AssignmentPage;
use crate::routes::assignments::AssignmentsPage;
use crate::routes::{
    home::Home, not_found::NotFound, request::RequestPage, requests::RequestsPage,
};
use crate::state::directory::Directory;
use crate::state::list::Refusals;
use crate::state::load::load;

#[component]
pub fn App() -> impl IntoView {
    // In a frame, only the notice is drawn, once its texts are read.
    let framed = framed();
    // The configuration and the admin's language file, side by side.
    let language = preferred_language();
    let started = load(async move {
        let (config, language) =
            futures::future::join(load_config(config_url()), use_language(language, false)).await;
        let problem = language.err();
        // A language that could not be read falls back to English, itself a file in a
        // release build; the page says what failed, in the language it got.
        if problem.is_some() && !is_loaded(Lang::En) {
            let _ = use_language(Lang::En, false).await;
        }
        (config, problem)
    });
    (move || match started.get() {
        None => view! { <p class="loading" role="status">{t(Msg::ConfigLoading)}</p> }.into_any(),
        // No language at all: no catalog to say it in, so this one sentence is written
        // here, in English.
        Some((_, Some(problem))) if !is_loaded(lang()) => view! {
            <p class="notice warn" role="alert">"Access Desk could not load its texts: " {problem.detail}</p>
        }
        .into_any(),
        Some(_) if framed => framed_notice().into_any(),
        Some((Ok(cfg), problem)) => {
            view! { <Shell config=cfg language_problem=problem.map(|p| p.message()) /> }.into_any()
        }
        Some((Err(error), _)) => view! { <ConfigErrorPage error=error /> }.into_any(),
    })
    .into_any()
}

/// True inside a frame, or when the browser will not say (reading `top` throws). Hosts
/// that can send the Content-Security-Policy only as a `<meta>` cannot forbid framing
/// (browsers ignore `frame-ancestors` there), so the app guards itself: a framing page
/// could otherwise lay the app's buttons under its own and have them clicked.
fn framed() -> bool {
    let Some(window) = web_sys::window() else {
        return true;
    };
    match window.top() {
        Ok(Some(top)) => {
            let top: &wasm_bindgen::JsValue = top.as_ref();
            top != AsRef::<wasm_bindgen::JsValue>::as_ref(&window)
        }
        _ => true,
    }
}

/// What a frame shows instead of the app: no sign-in, no action (the configuration is read
/// with the texts, and not used); a link
/// that opens this view in a tab of its own (`_blank`, since a framing page can sandbox
/// `_top` navigation away).
fn framed_notice() -> impl IntoView {
    let href = web_sys::window()
        .map(|w| {
            let l = w.location();
            // Not the fragment: a sign-in response there belongs to no one in a new tab.
            // The origin first: a path such as `//evil.example/x` (a root deployment's
            // fallback serves the app there) must not become a protocol-relative link.
            format!(
                "{}{}{}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default(),
                l.search().unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "./".into());
    view! {
        <main class="config-error" role="alert" data-testid="framed">
            <h1>{t(Msg::AppName)}</h1>
            <p>{t(Msg::FramedRefused)}</p>
            <p><a href=href target="_blank" rel="noopener">{t(Msg::FramedOpen)}</a></p>
        </main>
    }
}

/// The layout around every page. A return from the identity platform is finished before
/// the router starts, so the router only ever sees the clean, saved view.
#[component]
pub fn Shell(
    config: Config,
    /// Why the admin's language could not be loaded, if it could not.
    language_problem: Option<String>,
) -> impl IntoView {
    let auth = Auth::new(config.clone());
    provide_context(config);
    provide_context(auth.clone());
    provide_context(Refusals::load());
    provide_context(Directory::new());
    let switches = RwSignal::new(0u32);
    provide_context(LanguageSwitches(switches));
    let language_problem = RwSignal::new(language_problem);
    provide_context(language_problem);
    let redirect = load(async move { auth.handle_redirect().await });
    move || match redirect.get() {
        None => view! { <p class="loading" role="status">{t(Msg::SigningIn)}</p> }.into_any(),
        Some(outcome) => {
            let failure: Option<SignInFailure> = outcome.err();
            let router = Router::install();
            provide_context(router);
            // A new page only when the path changes: a new query is the same page's new view.
            let page = Memo::new(move |_| router.location.with(|l| Page::from_path(&l.path)));
            // Focus follows navigation to the new page's heading: a screen reader announces
            // it, and the next Tab starts there rather than at the link that was followed.
            Effect::new(move |previous: Option<Page>| {
                let now = page.get();
                if previous.is_some_and(|p| p != now) {
                    request_animation_frame(|| focus_heading(50));
                }
                now
            });
            // Drawn again in full when the language changes: every text is read anew, and
            // the view stays the address's.
            (move || {
                switches.track();
                let failure = failure.clone();
                view! {
                    <Header />
                    <p class="notice warn" role="alert" hidden=move || language_problem.with(Option::is_none)>
                        {move || language_problem.get().unwrap_or_default()}
                    </p>
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
            })
            .into_any()
        }
    }
}

/// Moves focus to the page's first heading once it shows (a detail page draws it when
/// Graph has answered): tried every 100 ms for up to 5 s, and only while nothing else
/// has focus, so it never takes focus from where the admin has already gone.
fn focus_heading(tries: u32) {
    use wasm_bindgen::JsCast;
    let doc = document();
    let idle = doc.active_element().is_none_or(|e| e.tag_name() == "BODY");
    if !idle {
        return;
    }
    let heading = doc
        .query_selector("main h1")
        .ok()
        .flatten()
        .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
    match heading {
        Some(h) => {
            let _ = h.set_attribute("tabindex", "-1");
            let _ = h.focus();
        }
        None if tries > 0 => set_timeout(
            move || focus_heading(tries - 1),
            std::time::Duration::from_millis(100),
        ),
        None => {}
    }
}
