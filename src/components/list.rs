//! Pieces shared by the list pages: the signed-in gate, Graph paging into a signal with
//! load more / load all / cancel, formatting, and problems with the address.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::auth::{Auth, current_view};
use crate::components::graph_problem::GraphProblem;
use crate::config::Config;
use crate::graph::filter::{List, server_filter};
use crate::graph::{GraphFailure, get_json};
use crate::i18n::{Msg, t};
use crate::query::{ListView, QueryProblem};
use crate::router::Router;

/// `2026-11-21 10:04 UTC`, or an em dash.
/// Written by hand: chrono's strftime engine costs ~8 KB of wasm for this one format.
pub fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    use chrono::Timelike;
    match t {
        Some(t) => format!(
            "{} {:02}:{:02} UTC",
            crate::query::format_date(t.date_naive()),
            t.hour(),
            t.minute()
        ),
        None => "—".into(),
    }
}

/// Height of a table row in pixels (fixed, for windowed rendering; see style/main.css).
pub const ROW_HEIGHT: f64 = 44.0;
/// Rows rendered above and below the visible ones, so fast scrolling shows no gap.
pub const OVERSCAN: usize = 8;

/// The rows `first..last` of `n` to render for a viewport of `height` pixels scrolled to
/// `scroll_top`: only those are in the DOM, whatever `n` is.
pub fn row_window(scroll_top: f64, height: f64, n: usize) -> (usize, usize) {
    let first = ((scroll_top.max(0.0) / ROW_HEIGHT) as usize)
        .saturating_sub(OVERSCAN)
        .min(n);
    let count = (height.max(0.0) / ROW_HEIGHT) as usize + 2 * OVERSCAN;
    (first, (first + count).min(n))
}

/// Where a windowed table's viewport is scrolled, and which rows that shows.
#[derive(Clone, Copy)]
pub struct Viewport {
    top: RwSignal<f64>,
    height: RwSignal<f64>,
}

/// The rows to render and the spacer heights (whole pixels) above and below them.
pub struct Windowed<T> {
    pub above_px: u64,
    /// Each row with its position in the whole list.
    pub rows: Vec<(usize, T)>,
    pub below_px: u64,
}

impl Viewport {
    pub fn new() -> Viewport {
        Viewport {
            top: RwSignal::new(0.0),
            height: RwSignal::new(640.0),
        }
    }

    /// The viewport element's `on:scroll` handler.
    pub fn on_scroll(self, ev: web_sys::Event) {
        let el: web_sys::HtmlElement = event_target(&ev);
        self.top.set(el.scroll_top() as f64);
        self.height.set(el.client_height() as f64);
    }

    /// The part of `rows` to render now (tracks the scroll position).
    pub fn window<T: Clone>(self, rows: &[T]) -> Windowed<T> {
        let n = rows.len();
        let (first, last) = row_window(self.top.get(), self.height.get(), n);
        Windowed {
            above_px: first as u64 * ROW_HEIGHT as u64,
            rows: rows[first..last]
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, r)| (first + i, r))
                .collect(),
            below_px: (n - last) as u64 * ROW_HEIGHT as u64,
        }
    }
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport::new()
    }
}

/// Percent-encodes a query value for Graph (spaces as %20).
pub fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'/'
            | b','
            | b':' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Shows its children only to a signed-in admin; others get a Sign in prompt that returns
/// to this very view.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let account = auth.account;
    // A memo: the children are built once per sign-in, not again when the account is
    // refreshed.
    let signed_in = Memo::new(move |_| account.with(Option::is_some));
    move || {
        if signed_in.get() {
            return children().into_any();
        }
        let auth = auth.clone();
        view! {
            <div class="notice" data-testid="sign-in-needed">
                <p>{t(Msg::SignInToSee)}</p>
                <button type="button" class="primary" on:click=move |_| {
                    let _ = auth.sign_in(&current_view());
                }>{t(Msg::SignInToContinue)}</button>
            </div>
        }
        .into_any()
    }
}

/// The line a list shows once it has loaded, without error, and nothing is left to show.
pub fn empty_line(pager: Pager, shown: Signal<usize>, text: Msg) -> impl IntoView {
    view! {
        <p class="empty" data-testid="empty"
            hidden=move || pager.loading.get() || pager.error.with(Option::is_some) || shown.get() != 0>
            {t(text)}
        </p>
    }
}

/// Parameters of the address that were not used, each with its reason.
#[component]
pub fn QueryProblems(problems: Vec<QueryProblem>) -> impl IntoView {
    (!problems.is_empty()).then(|| {
        view! {
            <div class="notice warn" role="status" data-testid="query-problems">
                <p>{t(Msg::QueryProblemsIntro)}</p>
                <ul>
                    {problems
                        .into_iter()
                        .map(|p| view! { <li><code>{p.param}</code> " = " <code>{p.value}</code> ": " {p.reason}</li> })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// A list page's view: read from its address, written back to it, turned into a `$filter`
/// and paged from Graph. Both list pages (`/requests`, `/assignments`) are one of these.
#[derive(Clone, Copy)]
pub struct ListPage {
    /// The view and the parameters that could not be used.
    pub parsed: Memo<(ListView, Vec<QueryProblem>)>,
    pub view: Memo<ListView>,
    /// What Graph is asked to filter (`None`: everything).
    pub filter: Memo<Option<String>>,
    pub pager: Pager,
    router: Router,
    path: &'static str,
}

impl ListPage {
    /// The list at `path` (`/requests`), whose states are `states`, for Graph collection
    /// `list`; `first_page` gives the Graph URL of a view's first page for its filter.
    pub fn new(
        path: &'static str,
        states: &'static [&'static str],
        list: List,
        first_page: fn(&Config, Option<&str>) -> String,
    ) -> ListPage {
        let auth = expect_context::<Auth>();
        let config = expect_context::<Config>();
        let router = expect_context::<Router>();
        // Only this page's address: while leaving for another page the view stays as it
        // was, so nothing is fetched for an address that is not this page's.
        let parsed = Memo::new(move |prev: Option<&(ListView, Vec<QueryProblem>)>| {
            router.location.with(|l| {
                let here = l.path.trim_end_matches('/') == path;
                match prev {
                    Some(prev) if !here => prev.clone(),
                    _ => ListView::parse_with(&l.query, states),
                }
            })
        });
        let view = Memo::new(move |_| parsed.get().0);
        let version = config.graph_version;
        let filter = Memo::new(move |_| server_filter(&view.get(), list, version, now_utc()));
        let pager = Pager::new();
        Effect::new(move |_| {
            let f = filter.get();
            pager.start(auth.clone(), first_page(&config, f.as_deref()));
        });
        ListPage {
            parsed,
            view,
            filter,
            pager,
            router,
            path,
        }
    }

    /// Shows view `v`; `replace` rewrites the history entry (typing) instead of adding one.
    pub fn go(self, v: ListView, replace: bool) {
        let q = v.to_query();
        self.router.navigate(
            &format!("{}{}{q}", self.path, if q.is_empty() { "" } else { "?" }),
            replace,
        );
    }
}

/// Now, by the browser's clock.
pub fn now_utc() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// The Graph URL of the first page of a list: `collection` (under entitlementManagement)
/// with `expand`, and the view's `$filter` when it has one.
pub fn first_page_url(
    config: &Config,
    collection: &str,
    expand: &str,
    filter: Option<&str>,
) -> String {
    let mut url = format!(
        "{}?$expand={expand}",
        crate::graph::em_url(config, collection)
    );
    if let Some(f) = filter {
        url.push_str("&$filter=");
        url.push_str(&encode(f));
    }
    url
}

/// A list row with its lower-cased search text, worked out once when its page arrives
/// rather than on every keystroke (that took the search over 10 000 rows from ~107 ms to
/// ~65 ms in `cargo xtask bench`).
pub type Searchable<T> = (T, String);

/// A paged Graph collection loaded into signals.
#[derive(Clone, Copy)]
pub struct Pager {
    pub items: RwSignal<Vec<serde_json::Value>>,
    pub next: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub loading_all: RwSignal<bool>,
    pub error: RwSignal<Option<GraphFailure>>,
    generation: StoredValue<u64>,
}

impl Pager {
    pub fn new() -> Pager {
        Pager {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            loading: RwSignal::new(false),
            loading_all: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Starts over with `url` (a new view); answers of an older view are dropped.
    pub fn start(self, auth: Auth, url: String) {
        let run = self.generation.get_value() + 1;
        self.generation.set_value(run);
        self.items.set(Vec::new());
        self.next.set(None);
        self.error.set(None);
        self.loading_all.set(false);
        self.fetch(auth, url, run, false);
    }

    fn fetch(self, auth: Auth, url: String, run: u64, all: bool) {
        self.loading.set(true);
        spawn_local(async move {
            let result = get_json(&auth, &url).await;
            if self.generation.get_value() != run {
                return;
            }
            self.loading.set(false);
            match result {
                Ok(body) => {
                    let page: Vec<serde_json::Value> =
                        body["value"].as_array().cloned().unwrap_or_default();
                    self.items.update(|v| v.extend(page));
                    let next = body["@odata.nextLink"].as_str().map(str::to_string);
                    self.next.set(next.clone());
                    if all && self.loading_all.get_untracked() {
                        match next {
                            Some(n) => self.fetch(auth, n, run, true),
                            None => self.loading_all.set(false),
                        }
                    }
                }
                Err(e) => {
                    self.loading_all.set(false);
                    self.error.set(Some(e));
                }
            }
        });
    }

    /// The next page.
    pub fn more(self, auth: Auth) {
        if let Some(n) = self.next.get_untracked() {
            self.fetch(auth, n, self.generation.get_value(), false);
        }
    }

    /// Every remaining page, until done or cancelled.
    pub fn all(self, auth: Auth) {
        if let Some(n) = self.next.get_untracked() {
            self.loading_all.set(true);
            self.fetch(auth, n, self.generation.get_value(), true);
        }
    }

    pub fn cancel(self) {
        self.loading_all.set(false);
    }

    /// The loaded rows as `parse` reads them, each parsed once as its page arrives: "load
    /// all" over 10 000 rows would otherwise parse every row again with every page.
    /// `id` tells whether the rows still start where the pager's do (a new view starts
    /// over).
    pub fn parsed<T: Send + Sync + 'static>(
        self,
        parse: fn(&serde_json::Value) -> T,
        id: fn(&T) -> &str,
    ) -> RwSignal<Vec<T>> {
        let parsed = RwSignal::new(Vec::<T>::new());
        Effect::new(move |_| {
            self.items.with(|items| {
                parsed.update(|rows| {
                    let same_start = match (items.first(), rows.first()) {
                        (Some(j), Some(r)) => j["id"].as_str() == Some(id(r)),
                        _ => true,
                    };
                    if items.len() < rows.len() || !same_start {
                        rows.clear();
                    }
                    rows.extend(items[rows.len()..].iter().map(parse));
                })
            })
        });
        parsed
    }
}

impl Default for Pager {
    fn default() -> Self {
        Pager::new()
    }
}

/// Loaded count, load more, load all and cancel, and the loading and error states.
#[component]
pub fn PagerControls(pager: Pager, shown: Signal<usize>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let auth2 = auth.clone();
    view! {
        <div class="pager" data-testid="pager">
            <p role="status" data-testid="loaded-count">
                {move || {
                    let loaded = pager.items.get().len();
                    let more = if pager.next.get().is_some() { t(Msg::MoreAvailable) } else { t(Msg::AllLoaded) };
                    format!("{} {loaded} · {} {} · {more}", t(Msg::Loaded), t(Msg::Shown), shown.get())
                }}
            </p>
            <span hidden=move || pager.next.with(Option::is_none) || pager.loading_all.get()>
                <button type="button" on:click={
                    let auth = auth.clone();
                    move |_| pager.more(auth.clone())
                } disabled=move || pager.loading.get()>{t(Msg::LoadMore)}</button>
                <button type="button" on:click={
                    let auth = auth2.clone();
                    move |_| pager.all(auth.clone())
                } disabled=move || pager.loading.get()>{t(Msg::LoadAll)}</button>
            </span>
            <button type="button" hidden=move || !pager.loading_all.get() on:click=move |_| pager.cancel()>{t(Msg::Cancel)}</button>
            <span class="loading-inline" role="status" hidden=move || !pager.loading.get()>{t(Msg::Loading)}</span>
        </div>
        {move || pager.error.get().map(|e| view! { <GraphProblem failure=e /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_visible_rows_and_their_overscan_are_rendered() {
        // 10 000 rows, 640 px viewport: 14 visible + 2 x 8 overscan, at most.
        assert_eq!(row_window(0.0, 640.0, 10_000), (0, 30));
        let (first, last) = row_window(44.0 * 5_000.0, 640.0, 10_000);
        assert_eq!((first, last), (4_992, 5_022));
        // The end of the list, and lists shorter than a screen.
        assert_eq!(row_window(44.0 * 10_000.0, 640.0, 10_000), (9_992, 10_000));
        assert_eq!(row_window(0.0, 640.0, 3), (0, 3));
        assert_eq!(row_window(0.0, 640.0, 0), (0, 0));
        assert_eq!(row_window(-50.0, -1.0, 10), (0, 10));
    }
}
