//! The state of a list page: the view ↔ address ↔ plan ↔ pager chain, Graph paging of
//! several queries into one signal with load more / load all / cancel, the fallback when
//! Graph refuses a filter, the search as typed, and the rows a windowed table shows.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::auth::Auth;
use crate::clock::now_utc;
use crate::config::{Config, GraphVersion};
use crate::graph::plan::{
    self, FetchPlan, is_filter_refusal, refusals_from_text, refusals_to_text, refused_in,
};
use crate::graph::resources::{Collection, Endpoint, Property};
use crate::graph::{GraphFailure, get_json};
use crate::query::{ListSpec, ListView, QueryProblem};
use crate::router::Router;
use crate::rows::Searchable;

/// Height of a table row in pixels (fixed, for windowed rendering; see style/main.css).
pub const ROW_HEIGHT: f64 = 44.0;
/// Rows rendered above and below the visible ones, so fast scrolling shows no gap.
pub const OVERSCAN: usize = 4;

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

/// The rows a list shows: the loaded rows, each parsed once with its search text, and the
/// positions of those the view shows, in display order. A keystroke recomputes the
/// positions and nothing else; rows are copied only for the few the table draws.
pub struct Shown<T: Send + Sync + 'static> {
    pub loaded: RwSignal<Vec<Searchable<T>>>,
    pub positions: Memo<Vec<u32>>,
}

impl<T: Send + Sync + 'static> Clone for Shown<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Shown<T> {}

impl<T: Clone + Send + Sync + 'static> Shown<T> {
    /// How many rows the view shows (tracked).
    pub fn len(self) -> usize {
        self.positions.with(Vec::len)
    }

    /// Whether the view shows no row (tracked).
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// `f` over the shown rows in display order, untracked (for a plan or an export made
    /// at the admin's click).
    pub fn with_untracked<R>(self, f: impl FnOnce(&mut dyn Iterator<Item = &T>) -> R) -> R {
        self.loaded.with_untracked(|loaded| {
            self.positions.with_untracked(|positions| {
                f(&mut positions.iter().map(|&i| &loaded[i as usize].0))
            })
        })
    }

    /// The rows `viewport` shows now (tracked), copied.
    pub fn window(self, viewport: Viewport) -> Windowed<T> {
        let Windowed {
            above_px,
            rows,
            below_px,
        } = self.positions.with(|p| viewport.window(p));
        let rows = self.loaded.with_untracked(|loaded| {
            rows.into_iter()
                .map(|(n, i)| (n, loaded[i as usize].0.clone()))
                .collect()
        });
        Windowed {
            above_px,
            rows,
            below_px,
        }
    }
}

/// The session's record of `$filter` clauses Graph refused, per collection and version:
/// those move to the browser for the rest of the session (sessionStorage), and the list
/// says so in a note.
#[derive(Clone, Copy)]
pub struct Refusals(pub RwSignal<Vec<(Collection, GraphVersion, Property)>>);

const REFUSALS_KEY: &str = "access-desk.refused-filters";

impl Refusals {
    /// Reads the session's refusals (provided once, by the shell).
    pub fn load() -> Refusals {
        let text = crate::auth::storage::Store::session()
            .get(REFUSALS_KEY)
            .unwrap_or_default();
        Refusals(RwSignal::new(refusals_from_text(&text)))
    }

    /// The properties refused for `c` in `v`.
    pub fn of(self, c: Collection, v: GraphVersion) -> Vec<Property> {
        self.0.with(|list| {
            list.iter()
                .filter(|(lc, lv, _)| *lc == c && *lv == v)
                .map(|(_, _, p)| *p)
                .collect()
        })
    }

    /// Records `props` as refused; false when every one already was (nothing new to try).
    pub fn add(self, c: Collection, v: GraphVersion, props: &[Property]) -> bool {
        let mut added = false;
        self.0.update(|list| {
            for p in props {
                if !list.contains(&(c, v, *p)) {
                    list.push((c, v, *p));
                    added = true;
                }
            }
        });
        if added {
            crate::auth::storage::Store::session().set(
                REFUSALS_KEY,
                &self.0.with_untracked(|l| refusals_to_text(l)),
            );
        }
        added
    }
}

/// Rows a view should show before the app stops loading pages on its own: when the
/// browser narrows a wider answer (a status, a window), the first pages may hold few
/// matches, and an admin expects a screenful, not "0 shown, more available".
const FILL_ROWS: usize = 30;
/// Rounds of pages loaded on their own for one view, at most (then Load more/Load all).
const FILL_ROUNDS: u32 = 10;

/// A list page's view: read from its address, written back to it, planned into Graph
/// queries and paged from Graph. Both list pages (`/requests`, `/assignments`) are one of
/// these.
#[derive(Clone, Copy)]
pub struct ListPage {
    /// The view and the parameters that could not be used.
    pub parsed: Memo<(ListView, Vec<QueryProblem>)>,
    pub view: Memo<ListView>,
    /// What Graph is asked, and what the browser does.
    pub plan: Memo<FetchPlan>,
    pub pager: Pager,
    router: Router,
    /// The search as typed, while its address is not written yet: the view filters by it
    /// at once, and the address follows once typing pauses ([`SEARCH_SETTLE_MS`]), so a
    /// keystroke costs a filter, not a trip through the address and every reader of it.
    typed: RwSignal<Option<String>>,
    typed_write: StoredValue<Option<TimeoutHandle>>,
}

/// How long typing pauses before the search goes into the address.
const SEARCH_SETTLE_MS: u64 = 300;

impl ListPage {
    /// The list of `spec`.
    pub fn new(spec: &'static ListSpec) -> ListPage {
        let auth = expect_context::<Auth>();
        let config = expect_context::<Config>();
        let router = expect_context::<Router>();
        let refusals = expect_context::<Refusals>();
        let endpoint = Endpoint::of(&config);
        let version = config.graph_version;
        let collection = plan::collection(spec.kind);
        // Only this page's address: while leaving for another page the view stays as it
        // was, so nothing is fetched for an address that is not this page's.
        let parsed = Memo::new(move |prev: Option<&(ListView, Vec<QueryProblem>)>| {
            router.location.with(|l| {
                let here = l.path.trim_end_matches('/') == spec.path;
                match prev {
                    Some(prev) if !here => prev.clone(),
                    _ => ListView::parse(spec, &l.query),
                }
            })
        });
        let typed = RwSignal::new(None::<String>);
        let view = Memo::new(move |_| {
            let mut v = parsed.get().0;
            if let Some(q) = typed.get() {
                v.q = q;
            }
            v
        });
        let plan = Memo::new(move |_| {
            plan::plan(
                &view.get(),
                version,
                now_utc(),
                &refusals.of(collection, version),
            )
        });
        let pager = Pager::new(endpoint.clone());
        // Only the Graph part of the plan restarts the pager: a new search or sort is the
        // browser's business (unless it needs a part of the rows not read yet).
        let queries = Memo::new(move |_| plan.with(|p| (p.queries.clone(), p.extras)));
        Effect::new(move |_| {
            let (queries, extras) = queries.get();
            let urls = queries
                .iter()
                .map(|q| endpoint.list(collection, q, extras))
                .collect();
            pager.start(auth.clone(), urls);
        });
        // Graph refused a documented clause: ask again with it in the browser (the plan
        // changes, which restarts the pager). Each refusal shrinks what is sent, so this
        // ends; a refusal with nothing left to move is shown as the error it is.
        Effect::new(move |_| {
            let Some(GraphFailure::Graph(e)) = pager.error.get() else {
                return;
            };
            if !is_filter_refusal(e.status, &e.code, &e.message) {
                return;
            }
            let sent = plan.with_untracked(FetchPlan::sent_properties);
            let refused = refused_in(&e.message, &sent, collection, version);
            if !refused.is_empty() && refusals.add(collection, version, &refused) {
                pager.error.set(None);
            }
        });
        let typed_write = StoredValue::new(None::<TimeoutHandle>);
        on_cleanup(move || {
            if let Some(h) = typed_write.try_get_value().flatten() {
                h.clear();
            }
        });
        // The address changed under a search still being typed (a link, back, forward):
        // the new address wins, and the typed text is not written over it. (The list's own
        // writes clear the typed text before this runs.)
        Effect::new(move |_| {
            router.location.track();
            if typed.get_untracked().is_some() {
                if let Some(h) = typed_write.get_value() {
                    h.clear();
                }
                typed.set(None);
            }
        });
        ListPage {
            parsed,
            view,
            plan,
            pager,
            router,
            typed,
            typed_write,
        }
    }

    /// The admin typed `text` in the search: shown at once, written to the address (in
    /// place of the history entry) once typing pauses, if the page is still this list.
    pub fn type_search(self, text: String) {
        self.typed.set(Some(text));
        if let Some(h) = self.typed_write.get_value() {
            h.clear();
        }
        let write = move || {
            let Some(v) = self.view.try_get_untracked() else {
                return;
            };
            let here = self
                .router
                .location
                .with_untracked(|l| l.path.trim_end_matches('/') == v.spec().path);
            if here {
                self.go(v, true);
            }
            self.typed.try_set(None);
        };
        let handle =
            set_timeout_with_handle(write, std::time::Duration::from_millis(SEARCH_SETTLE_MS));
        self.typed_write.set_value(handle.ok());
    }

    /// Loads further pages on its own while the view shows fewer than a screenful and
    /// Graph has more (at most [`FILL_ROUNDS`] rounds a view). `parsed` counts the loaded
    /// rows read so far: `shown` is only current once they all are.
    pub fn fill(self, shown: Signal<usize>, parsed: Signal<usize>) {
        let pager = self.pager;
        let auth = expect_context::<Auth>();
        let rounds = StoredValue::new(0u32);
        Effect::new(move |_| {
            // A new view starts counting again.
            self.plan.track();
            rounds.set_value(0);
        });
        Effect::new(move |_| {
            let current = parsed.get() == pager.items.with(Vec::len);
            let wanted = current
                && shown.get() < FILL_ROWS
                && pager.has_more()
                && !pager.loading.get()
                && !pager.loading_all.get()
                && pager.error.with(Option::is_none);
            if wanted && rounds.get_value() < FILL_ROUNDS {
                rounds.update_value(|r| *r += 1);
                pager.more(auth.clone());
            }
        });
    }

    /// Shows view `v`; `replace` rewrites the history entry (typing) instead of adding one.
    /// A search still being typed goes with it (it is `v`'s).
    pub fn go(self, v: ListView, replace: bool) {
        if let Some(h) = self.typed_write.get_value() {
            h.clear();
        }
        self.router.navigate(&v.address(), replace);
        self.typed.set(None);
    }
}

/// One Graph query of a view: the page to read next (None when read to the end), and
/// whether a page of it is being read.
#[derive(Clone, Debug, Default)]
struct Cursor {
    next: Option<String>,
    busy: bool,
}

/// The pages of a view's Graph queries loaded into signals, merged and de-duplicated by
/// id (a request read twice, by two queries or on two pages, is one row).
#[derive(Clone, Copy)]
pub struct Pager {
    pub items: RwSignal<Vec<serde_json::Value>>,
    cursors: RwSignal<Vec<Cursor>>,
    seen: StoredValue<std::collections::HashSet<String>>,
    pub loading: Memo<bool>,
    pub loading_all: RwSignal<bool>,
    pub error: RwSignal<Option<GraphFailure>>,
    generation: StoredValue<u64>,
    endpoint: StoredValue<Endpoint>,
}

impl Pager {
    pub fn new(endpoint: Endpoint) -> Pager {
        let cursors = RwSignal::new(Vec::<Cursor>::new());
        Pager {
            items: RwSignal::new(Vec::new()),
            cursors,
            seen: StoredValue::new(Default::default()),
            loading: Memo::new(move |_| cursors.with(|c| c.iter().any(|c| c.busy))),
            loading_all: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
            endpoint: StoredValue::new(endpoint),
        }
    }

    /// Whether any query has pages left.
    pub fn has_more(self) -> bool {
        self.cursors.with(|c| c.iter().any(|c| c.next.is_some()))
    }

    /// Starts over with the first pages `urls` (a new view); answers for an older view are
    /// dropped. No URL: nothing can match, and nothing is asked.
    pub fn start(self, auth: Auth, urls: Vec<String>) {
        let run = self.generation.get_value() + 1;
        self.generation.set_value(run);
        self.items.set(Vec::new());
        self.seen.update_value(|s| s.clear());
        self.error.set(None);
        self.loading_all.set(false);
        self.cursors.set(
            urls.into_iter()
                .map(|u| Cursor {
                    next: Some(u),
                    busy: false,
                })
                .collect(),
        );
        self.round(auth);
    }

    /// The next page of every query that has one and is not being read.
    fn round(self, auth: Auth) {
        let n = self.cursors.with_untracked(Vec::len);
        for i in 0..n {
            self.fetch(auth.clone(), i);
        }
    }

    fn fetch(self, auth: Auth, i: usize) {
        let run = self.generation.get_value();
        let Some(url) = self
            .cursors
            .try_update(|c| match c.get_mut(i) {
                Some(cur) if !cur.busy && cur.next.is_some() => {
                    cur.busy = true;
                    cur.next.clone()
                }
                _ => None,
            })
            .flatten()
        else {
            return;
        };
        spawn_local(async move {
            let result = get_json(&auth, &url).await;
            if self.generation.get_value() != run {
                return;
            }
            let next = match &result {
                Ok(body) => body["@odata.nextLink"].as_str().map(str::to_string),
                Err(_) => None,
            };
            // A next link elsewhere than the configured Graph would carry the bearer token
            // there: the list stops with an error instead.
            let foreign = next
                .as_ref()
                .filter(|n| !self.endpoint.with_value(|e| e.owns(n)))
                .cloned();
            self.cursors.update(|c| {
                if let Some(cur) = c.get_mut(i) {
                    cur.busy = false;
                    cur.next = if foreign.is_some() { None } else { next };
                }
            });
            match result {
                Ok(body) => {
                    let page = body["value"].as_array().cloned().unwrap_or_default();
                    self.add(page);
                    if let Some(link) = foreign {
                        self.loading_all.set(false);
                        self.error.set(Some(GraphFailure::ForeignLink(link)));
                    } else if self.loading_all.get_untracked() {
                        self.fetch(auth, i);
                        if !self.has_more() && !self.loading.get_untracked() {
                            self.loading_all.set(false);
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

    /// Adds the rows of a page that are not loaded yet.
    fn add(self, page: Vec<serde_json::Value>) {
        let fresh: Vec<serde_json::Value> = self
            .seen
            .try_update_value(|seen| {
                page.into_iter()
                    .filter(|row| match row["id"].as_str() {
                        Some(id) => seen.insert(id.to_ascii_lowercase()),
                        None => true,
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !fresh.is_empty() {
            self.items.update(|v| v.extend(fresh));
        }
    }

    /// The next page of every query.
    pub fn more(self, auth: Auth) {
        self.round(auth);
    }

    /// Every remaining page of every query, until done or cancelled.
    pub fn all(self, auth: Auth) {
        if self.has_more() {
            self.loading_all.set(true);
            self.round(auth);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_visible_rows_and_their_overscan_are_rendered() {
        // 10 000 rows, 640 px viewport: 14 visible + 2 x 4 overscan, at most.
        assert_eq!(row_window(0.0, 640.0, 10_000), (0, 22));
        let (first, last) = row_window(44.0 * 5_000.0, 640.0, 10_000);
        assert_eq!((first, last), (4_996, 5_018));
        // The end of the list, and lists shorter than a screen.
        assert_eq!(row_window(44.0 * 10_000.0, 640.0, 10_000), (9_996, 10_000));
        assert_eq!(row_window(0.0, 640.0, 3), (0, 3));
        assert_eq!(row_window(0.0, 640.0, 0), (0, 0));
        // Nonsense sizes (before the first layout) clamp to no visible row: the overscan,
        // 4 rows above and 4 below.
        assert_eq!(row_window(-50.0, -1.0, 10), (0, 8));
    }
}
