//! The router's browser half: the History API, `popstate` and link clicks.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::{Location, OUTSIDE_APP, address_of, path_in_app};

/// The router, in context for every page (`expect_context::<Router>()`).
#[derive(Clone, Copy)]
pub struct Router {
    /// The view shown now. Pages read it; only the router writes it.
    pub location: ReadSignal<Location>,
    set_location: WriteSignal<Location>,
    /// The app's base path (`/`, or `/access-desk/` under a sub-path).
    base: &'static str,
}

impl Router {
    /// Starts following the address bar. Call once, after a sign-in redirect has been
    /// finished (that rewrites the address first).
    pub fn install() -> Router {
        // Read once and kept for the life of the page.
        let base: &'static str = Box::leak(base_path().into_boxed_str());
        let (location, set_location) = signal(read_location(base));
        let router = Router {
            location,
            set_location,
            base,
        };
        let window = web_sys::window().expect("a browser window");
        let on_popstate = Closure::<dyn Fn()>::new(move || {
            router.set_location.try_set(read_location(base));
        });
        let _ = window
            .add_event_listener_with_callback("popstate", on_popstate.as_ref().unchecked_ref());
        on_popstate.forget();
        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
                router.follow_link(&ev);
            });
        let _ = window.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        on_click.forget();
        router
    }

    /// Shows `to` (a path inside the app with its query, `/requests?q=alice`). `replace`
    /// rewrites the current history entry instead of adding one (typing in a search box).
    /// The scroll position is kept: this is for changing the view of the same page.
    pub fn navigate(self, to: &str, replace: bool) {
        let url = address_of(to, self.base);
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let null = wasm_bindgen::JsValue::NULL;
            let _ = if replace {
                history.replace_state_with_url(&null, "", Some(&url))
            } else {
                history.push_state_with_url(&null, "", Some(&url))
            };
        }
        let (path, query) = to.split_once('?').unwrap_or((to, ""));
        self.set_location.try_set(Location {
            path: path.to_string(),
            query: query.split('#').next().unwrap_or("").to_string(),
        });
    }

    /// A plain left click on a link to a view of this app becomes a navigation inside
    /// the page. Everything else (new tab, download, other origin, outside the app's
    /// base path, a handler that already took the click) is left to the browser.
    fn follow_link(self, ev: &web_sys::MouseEvent) {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(element) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let Some(anchor) = element
            .closest("a[href]")
            .ok()
            .flatten()
            .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        else {
            return;
        };
        let target = anchor.target();
        if anchor.has_attribute("download") || !(target.is_empty() || target == "_self") {
            return;
        }
        let here = web_sys::window().and_then(|w| w.location().origin().ok());
        if here.as_deref() != Some(anchor.origin().as_str()) {
            return;
        }
        let Some(path) = path_in_app(&anchor.pathname(), self.base) else {
            return;
        };
        ev.prevent_default();
        self.navigate(&format!("{path}{}", anchor.search()), false);
        if let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
    }
}

/// The path of the document's base URI: where the app lives.
fn base_path() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .and_then(|uri| web_sys::Url::new(&uri).ok())
        .map(|u| u.pathname())
        .unwrap_or_else(|| "/".into())
}

fn read_location(base: &str) -> Location {
    let Some(l) = web_sys::window().map(|w| w.location()) else {
        return Location::default();
    };
    let pathname = l.pathname().unwrap_or_default();
    Location {
        path: path_in_app(&pathname, base).unwrap_or_else(|| OUTSIDE_APP.into()),
        query: l
            .search()
            .unwrap_or_default()
            .trim_start_matches('?')
            .to_string(),
    }
}
