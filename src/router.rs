//! The app's client-side router: which page an address shows, and moving between views
//! with the History API.
//!
//! Why not `leptos_router`: in this app it cost ~47 KB gzip of the first visit (its
//! nested-route machinery is instantiated for every page view), against a budget of
//! 320 000 bytes gzip for everything (`BUDGET_BYTES` in `xtask/src/budget.rs`), and the
//! app needs little of it: five flat routes and a not-found page, query strings that are
//! the view state, links and back/forward. What it does need is here and in
//! `router/browser.rs`, in about 180 lines of code:
//!
//! - [`Page::from_path`] (pure, tested natively) maps a path to a page;
//! - [`Router::install`] follows the address: `popstate` (back/forward) and clicks on
//!   same-app links, which become `pushState` navigations instead of page loads;
//! - [`Router::navigate`] changes the view, adding or replacing the history entry.
//!
//! The app may live under a sub-path (`/access-desk/`): the document's `<base href>` says
//! where, paths inside the app are relative to it, and links in views are written relative
//! (`requests/{id}`, `./` for the start page) so the browser resolves them against the
//! base.
//!
//! ```ignore
//! let router = Router::install();
//! provide_context(router);
//! let page = Memo::new(move |_| router.location.with(|l| Page::from_path(&l.path)));
//! ```

use crate::ids::Guid;

/// An id from the address: parsed once, here. A GUID, or the text as typed for the page
/// to report (it never reaches a URL).
pub type RouteId = Result<Guid, String>;

/// A page of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    Requests,
    /// `/requests/{id}`.
    Request(RouteId),
    Assignments,
    /// `/assignments/{id}`.
    Assignment(RouteId),
    NotFound,
}

fn route_id(segment: &str) -> RouteId {
    let typed = percent_decode(segment);
    Guid::parse(&typed).ok_or(typed)
}

impl Page {
    /// The page at `path`, a path inside the app (starting with `/`, without the base).
    pub fn from_path(path: &str) -> Page {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [] => Page::Home,
            ["requests"] => Page::Requests,
            ["requests", id] => Page::Request(route_id(id)),
            ["assignments"] => Page::Assignments,
            ["assignments", id] => Page::Assignment(route_id(id)),
            _ => Page::NotFound,
        }
    }
}

/// Where the app is: a path inside the app and the query string (without `?`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub query: String,
}

/// The path given to an address outside the app's base path (a host that serves the app
/// everywhere): it matches no page, so the not-found page says so.
pub const OUTSIDE_APP: &str = "/../outside-the-app";

/// The path inside the app of an address path, given the app's base path (`/` or
/// `/access-desk/`); `None` when the address is outside the app.
pub fn path_in_app(pathname: &str, base: &str) -> Option<String> {
    let base_dir = base.trim_end_matches('/');
    if pathname == base_dir {
        return Some("/".into());
    }
    let rest = pathname.strip_prefix(base_dir)?;
    rest.starts_with('/').then(|| rest.to_string())
}

/// The address path of a path inside the app (the inverse of [`path_in_app`]).
pub fn address_of(path: &str, base: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// `%xx` escapes decoded, for ids pasted from elsewhere; anything undecodable is kept as
/// typed so the page can show it.
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

mod browser;
pub use browser::Router;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_maps_to_its_page() {
        assert_eq!(Page::from_path("/"), Page::Home);
        assert_eq!(Page::from_path(""), Page::Home);
        assert_eq!(Page::from_path("/requests"), Page::Requests);
        assert_eq!(Page::from_path("/requests/"), Page::Requests);
        assert_eq!(
            Page::from_path("/requests/8d2e0f4c-3c2a-4d5e-9a6b-1f2e3d4c5b6a"),
            Page::Request(Ok(
                Guid::parse("8D2E0F4C-3c2a-4d5e-9a6b-1f2e3d4c5b6a").unwrap()
            ))
        );
        assert_eq!(Page::from_path("/requests/a/b"), Page::NotFound);
        assert_eq!(Page::from_path("/assignments"), Page::Assignments);
        assert_eq!(
            Page::from_path("/assignments/0d4a4b2e-5f6a-4c3b-8a9d-1e2f3a4b5c6d"),
            Page::Assignment(Ok(
                Guid::parse("0d4a4b2e-5f6a-4c3b-8a9d-1e2f3a4b5c6d").unwrap()
            ))
        );
        assert_eq!(Page::from_path("/nope"), Page::NotFound);
        assert_eq!(Page::from_path("/index.html/x"), Page::NotFound);
        assert_eq!(Page::from_path(OUTSIDE_APP), Page::NotFound);
    }

    #[test]
    fn a_malformed_id_reaches_the_page_as_typed_for_it_to_report() {
        assert_eq!(
            Page::from_path("/requests/x%27%20or%201%3D1"),
            Page::Request(Err("x' or 1=1".into()))
        );
        assert_eq!(
            Page::from_path("/requests/%zz"),
            Page::Request(Err("%zz".into()))
        );
    }

    #[test]
    fn paths_inside_a_sub_path_deployment() {
        let base = "/access-desk/";
        assert_eq!(path_in_app("/access-desk/", base).as_deref(), Some("/"));
        assert_eq!(path_in_app("/access-desk", base).as_deref(), Some("/"));
        assert_eq!(
            path_in_app("/access-desk/requests", base).as_deref(),
            Some("/requests")
        );
        assert_eq!(path_in_app("/access-deskx/requests", base), None);
        assert_eq!(path_in_app("/other/", base), None);
        assert_eq!(address_of("/requests", base), "/access-desk/requests");
        assert_eq!(address_of("/", base), "/access-desk/");
    }

    #[test]
    fn paths_at_the_root() {
        assert_eq!(path_in_app("/", "/").as_deref(), Some("/"));
        assert_eq!(path_in_app("/requests", "/").as_deref(), Some("/requests"));
        assert_eq!(address_of("/requests?q=a", "/"), "/requests?q=a");
    }
}
