//! `/requests`: access package assignment requests, filtered by the URL, paged from Graph,
//! searched and sorted in the browser, in a windowed table that stays smooth at 10 000 rows.

use std::cmp::Ordering;

use leptos::prelude::*;

use crate::components::bulk::BulkBar;
use crate::components::list::{
    ListPage, PagerControls, QueryProblems, Searchable, SignedIn, Viewport, Windowed, empty_line,
    first_page_url, now_utc, when,
};
use crate::config::{Config, GraphVersion};
use crate::graph::filter::List;
use crate::graph::models::Request;
use crate::i18n::{Msg, t};
use crate::query::{ListView, Preset, REQUEST_STATES, SortKey};
use crate::rules::{Window, reprocess_window};

fn expand(v: GraphVersion) -> &'static str {
    match v {
        GraphVersion::V1 => "accessPackage($expand=catalog),requestor",
        GraphVersion::Beta => "accessPackage($expand=accessPackageCatalog),requestor",
    }
}

/// The Graph URL of the first page of a view.
pub fn list_url(config: &Config, filter: Option<&str>) -> String {
    first_page_url(
        config,
        "assignmentRequests",
        expand(config.graph_version),
        filter,
    )
}

/// A request as the list keeps it.
pub type Loaded = Searchable<Request>;

/// The browser-side part of a view: search terms (lower-cased, see
/// [`ListView::search_terms`]) and the window for ready-made views. `text` is the request's
/// [`Request::search_text`].
pub fn client_keep(
    view: &ListView,
    terms: &[String],
    r: &Request,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    let window = reprocess_window(&r.state, r.completed, now);
    let preset_ok = match view.preset {
        Some(Preset::Attention) => window.is_open() || r.waiting_callout().is_some(),
        Some(Preset::FailedOld) => matches!(window, Window::Closed(_)),
        _ => true,
    };
    preset_ok && terms.iter().all(|term| text.contains(term.as_str()))
}

fn compare(key: SortKey, a: &Request, b: &Request, now: chrono::DateTime<chrono::Utc>) -> Ordering {
    let name = |r: &Request| {
        r.requestor
            .as_ref()
            .map(|s| s.display_name.to_lowercase())
            .unwrap_or_default()
    };
    let pkg = |r: &Request| {
        r.package
            .as_ref()
            .map(|p| p.display_name.to_lowercase())
            .unwrap_or_default()
    };
    let window_key = |r: &Request| match reprocess_window(&r.state, r.completed, now) {
        Window::Open(d) => (0, d.num_seconds()),
        Window::Closed(d) => (1, d.num_seconds()),
        Window::NotApplicable => (2, 0),
    };
    match key {
        SortKey::Created => a.created.cmp(&b.created),
        SortKey::Completed => a.completed.cmp(&b.completed),
        SortKey::Requestor => name(a).cmp(&name(b)),
        SortKey::Package => pkg(a).cmp(&pkg(b)),
        SortKey::State => a.state.cmp(&b.state),
        SortKey::Status => a.status.cmp(&b.status),
        SortKey::Type => a.request_type.cmp(&b.request_type),
        SortKey::Window => window_key(a).cmp(&window_key(b)),
    }
}

/// The rows of a view, filtered and sorted.
pub fn visible_rows(
    view: &ListView,
    rows: &[Loaded],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Request> {
    let terms = view.search_terms();
    let mut out: Vec<Request> = rows
        .iter()
        .filter(|(r, text)| client_keep(view, &terms, r, text, now))
        .map(|(r, _)| r.clone())
        .collect();
    out.sort_by(|a, b| {
        let o = compare(view.sort.key, a, b, now);
        if view.sort.descending { o.reverse() } else { o }
    });
    out
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    view! {
        <section class="list-page">
            <h1>{t(Msg::RequestsTitle)}</h1>
            <SignedIn><RequestsList /></SignedIn>
        </section>
    }
}

#[component]
fn RequestsList() -> impl IntoView {
    let list = ListPage::new("/requests", &REQUEST_STATES, List::Requests, list_url);
    let (parsed, view, filter, pager) = (list.parsed, list.view, list.filter, list.pager);
    let problems = move || parsed.get().1;
    let go = move |v: ListView, replace: bool| list.go(v, replace);

    let parsed_rows = pager.parsed(
        |json| {
            let r = Request::from_json(json);
            let text = r.search_text();
            (r, text)
        },
        |(r, _)| r.id.as_str(),
    );
    let rows = Memo::new(move |_| parsed_rows.with(|r| visible_rows(&view.get(), r, now_utc())));
    let shown = Signal::derive(move || rows.with(Vec::len));
    // Ids of the rows selected for a bulk reprocess.
    let selected = RwSignal::new(Vec::<String>::new());

    // A catalog-scoped administrator must name a package: say so instead of a bare 403.
    let needs_package = move || {
        view.get().package.is_none()
            && pager.error.get().is_some_and(
                |e| matches!(e, crate::graph::GraphFailure::Graph(g) if g.status == 403),
            )
    };

    view! {
        <QueryProblemsView problems=Signal::derive(problems) />
        <Presets view=view />
        <Filters view=view go=go states=&REQUEST_STATES dates=true />
        <FetchPlan filter=filter view=view />
        <ColumnPicker view=view go=go />
        <p class="notice" data-testid="pick-package" hidden=move || !needs_package()>{t(Msg::PickPackageFirst)}</p>
        <PagerControls pager=pager shown=shown />
        <BulkBar rows=rows selected=selected pager=pager />
        <RequestsTable rows=rows view=view go=go selected=selected />
        {empty_line(pager, shown, Msg::NoRequests)}
    }
}

#[component]
pub fn QueryProblemsView(problems: Signal<Vec<crate::query::QueryProblem>>) -> impl IntoView {
    move || view! { <QueryProblems problems=problems.get() /> }
}

#[component]
fn Presets(view: Memo<ListView>) -> impl IntoView {
    let label = |p: Preset| match p {
        Preset::Attention => t(Msg::PresetAttention),
        Preset::Waiting => t(Msg::PresetWaiting),
        Preset::FailedOld => t(Msg::PresetFailedOld),
        Preset::Recent => t(Msg::PresetRecent),
    };
    view! {
        <nav class="presets" aria-label=t(Msg::PresetsLabel)>
            <ul>
                <li>
                    <a href="requests" aria-current=move || (view.get() == ListView::default()).then_some("page")>{t(Msg::PresetAll)}</a>
                </li>
                {Preset::ALL
                    .into_iter()
                    .map(|p| {
                        view! {
                            <li>
                                <a
                                    href=format!("requests?view={}", p.name())
                                    data-preset=p.name()
                                    aria-current=move || (view.get().preset == Some(p)).then_some("page")
                                >
                                    {label(p)}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
pub fn Filters<F>(
    view: Memo<ListView>,
    go: F,
    /// The states of this list, offered as checkboxes.
    states: &'static [&'static str],
    /// Whether the list has a creation date to filter on (requests do, assignments don't).
    dates: bool,
) -> impl IntoView
where
    F: Fn(ListView, bool) + Clone + Send + Sync + 'static,
{
    let packages = crate::routes::packages::use_packages();
    let go_search = go.clone();
    let go_pkg = go.clone();
    let go_after = go.clone();
    let go_before = go.clone();
    view! {
        <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
            <label class="search">
                {t(Msg::SearchLabel)}
                <input
                    type="search"
                    name="q"
                    prop:value=move || view.get().q
                    on:input=move |ev| {
                        let mut v = view.get_untracked();
                        v.q = event_target_value(&ev);
                        // Typing replaces the history entry instead of adding one per keystroke.
                        go_search(v, true);
                    }
                />
            </label>
            <fieldset class="states">
                <legend>{t(Msg::StateLabel)}</legend>
                {states
                    .iter()
                    .copied()
                    .map(|s| {
                        let go = go.clone();
                        view! {
                            <label>
                                <input
                                    type="checkbox"
                                    name="state"
                                    value=s
                                    prop:checked=move || view.get().states.iter().any(|x| x == s)
                                    on:change=move |_| {
                                        let mut v = view.get_untracked();
                                        if v.states.iter().any(|x| x == s) {
                                            v.states.retain(|x| x != s);
                                        } else {
                                            v.states.push(s.to_string());
                                        }
                                        go(v, false);
                                    }
                                />
                                {s}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <label>
                {t(Msg::PackageLabel)}
                <select
                    name="package"
                    on:change=move |ev| {
                        let mut v = view.get_untracked();
                        let val = event_target_value(&ev);
                        v.package = (!val.is_empty()).then_some(val);
                        go_pkg(v, false);
                    }
                >
                    <option value="" selected=move || view.get().package.is_none()>{t(Msg::AnyPackage)}</option>
                    {move || packages.get().map(|list| list.into_iter().map(|p| {
                        let id = p.id.clone();
                        view! {
                            <option value=p.id.clone() selected=move || view.get().package.as_deref() == Some(id.as_str())>
                                {p.catalog.clone().map(|c| format!("{c} / ")).unwrap_or_default()}{p.display_name.clone()}
                            </option>
                        }
                    }).collect_view())}
                </select>
            </label>
            {dates.then(|| view! {
                <DateFilter view=view go=go_after label=t(Msg::CreatedAfter) name="created_after" field=|v| &mut v.created_after />
                <DateFilter view=view go=go_before label=t(Msg::CreatedBefore) name="created_before" field=|v| &mut v.created_before />
            })}
        </form>
    }
}

/// A date bound of the view (`created_after` or `created_before`).
#[component]
fn DateFilter<F>(
    view: Memo<ListView>,
    go: F,
    label: &'static str,
    name: &'static str,
    /// Which bound of the view this input edits.
    field: fn(&mut ListView) -> &mut Option<chrono::NaiveDate>,
) -> impl IntoView
where
    F: Fn(ListView, bool) + Clone + Send + Sync + 'static,
{
    view! {
        <label>
            {label}
            <input
                type="date"
                name=name
                prop:value=move || { let mut v = view.get(); field(&mut v).map(crate::query::format_date).unwrap_or_default() }
                on:change=move |ev| {
                    let mut v = view.get_untracked();
                    *field(&mut v) = crate::query::parse_date(&event_target_value(&ev));
                    go(v, false);
                }
            />
        </label>
    }
}

/// Says which part of the view Graph filters and which part the browser does.
#[component]
pub fn FetchPlan(filter: Memo<Option<String>>, view: Memo<ListView>) -> impl IntoView {
    view! {
        <details class="fetch-plan" data-testid="fetch-plan">
            <summary>{t(Msg::FetchPlanTitle)}</summary>
            <p>
                {t(Msg::FetchPlanServer)} " "
                <code data-testid="server-filter">{move || filter.get().unwrap_or_else(|| t(Msg::FetchPlanNone).to_string())}</code>
            </p>
            <p>
                {t(Msg::FetchPlanClient)} " "
                <span data-testid="client-filter">{move || {
                    let v = view.get();
                    let mut parts = Vec::new();
                    if !v.q.trim().is_empty() {
                        parts.push(format!("{} \u{201c}{}\u{201d}", t(Msg::SearchLabel), v.q.trim()));
                    }
                    match v.preset {
                        Some(Preset::Attention) => parts.push(t(Msg::ClientWindowOpen).to_string()),
                        Some(Preset::FailedOld) => parts.push(t(Msg::ClientWindowClosed).to_string()),
                        _ => {}
                    }
                    parts.push(format!("{} {}", t(Msg::SortedBy), v.sort.key.name()));
                    parts.join("; ")
                }}</span>
            </p>
        </details>
    }
}

/// Which columns the table shows (the `cols` parameter).
#[component]
fn ColumnPicker<F>(view: Memo<ListView>, go: F) -> impl IntoView
where
    F: Fn(ListView, bool) + Clone + Send + Sync + 'static,
{
    view! {
        <details class="columns" data-testid="column-picker">
            <summary>{t(Msg::ColumnsLabel)}</summary>
            <fieldset>
                <legend class="visually-hidden">{t(Msg::ColumnsLabel)}</legend>
                {crate::query::COLUMNS.into_iter().map(|c| {
                    let go = go.clone();
                    view! {
                        <label>
                            <input type="checkbox" name="cols" value=c
                                prop:checked=move || view.get().shows(c)
                                on:change=move |_| go(view.get_untracked().toggled_column(c), false) />
                            {column_label(c)}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        </details>
    }
}

fn column_label(key: &str) -> &'static str {
    match key {
        "requestor" => t(Msg::ColRequestor),
        "package" => t(Msg::ColPackage),
        "type" => t(Msg::ColType),
        "state" => t(Msg::ColState),
        "status" => t(Msg::ColStatus),
        "created" => t(Msg::ColCreated),
        "completed" => t(Msg::ColCompleted),
        "window" => t(Msg::ColWindow),
        _ => t(Msg::ColCallouts),
    }
}

fn sort_key(column: &str) -> Option<SortKey> {
    SortKey::ALL.into_iter().find(|k| k.name() == column)
}

#[component]
fn RequestsTable<F>(
    rows: Memo<Vec<Request>>,
    view: Memo<ListView>,
    go: F,
    selected: RwSignal<Vec<String>>,
) -> impl IntoView
where
    F: Fn(ListView, bool) + Clone + Send + Sync + 'static,
{
    let viewport = Viewport::new();
    let columns = move || {
        let v = view.get();
        crate::query::COLUMNS
            .into_iter()
            .filter(|c| v.shows(c))
            .collect::<Vec<_>>()
    };
    let now = now_utc();
    view! {
        <div
            class="table-viewport"
            tabindex="0"
            role="region"
            aria-label=t(Msg::RequestsTitle)
            on:scroll=move |ev| viewport.on_scroll(ev)
        >
            <table class="requests" data-testid="requests-table" aria-rowcount=move || rows.with(Vec::len) + 1>
                <thead>
                    <tr aria-rowindex="1">
                        <th scope="col" class="select"><span class="visually-hidden">{t(Msg::SelectRow)}</span></th>
                        {move || columns().into_iter().map(|c| {
                            let go = go.clone();
                            let key = sort_key(c);
                            let sorted = move || key.is_some_and(|k| view.get().sort.key == k);
                            let aria = move || match (sorted(), view.get().sort.descending) {
                                (true, true) => "descending",
                                (true, false) => "ascending",
                                _ => "none",
                            };
                            view! {
                                <th scope="col" aria-sort=aria>
                                    {match key {
                                        Some(k) => view! {
                                            <button type="button" class="sort" on:click=move |_| go(view.get_untracked().sorted_by(k), false)>
                                                {column_label(c)}
                                                <span aria-hidden="true">{move || match (sorted(), view.get().sort.descending) {
                                                    (true, true) => " ▼",
                                                    (true, false) => " ▲",
                                                    _ => "",
                                                }}</span>
                                            </button>
                                        }.into_any(),
                                        None => view! { <span>{column_label(c)}</span> }.into_any(),
                                    }}
                                </th>
                            }
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let cols = columns();
                        // Whole pixels: no float formatting in the wasm.
                        let Windowed { above_px, rows: slice, below_px } = rows.with(|r| viewport.window(r));
                        view! {
                            <tr class="spacer" aria-hidden="true" style:height=format!("{above_px}px")></tr>
                            {slice.into_iter().map(|(i, r)| view! { <RequestRow row=r index=i columns=cols.clone() now=now selected=selected /> }).collect_view()}
                            <tr class="spacer" aria-hidden="true" style:height=format!("{below_px}px")></tr>
                        }
                    }}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn RequestRow(
    row: Request,
    index: usize,
    columns: Vec<&'static str>,
    now: chrono::DateTime<chrono::Utc>,
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let window = reprocess_window(&row.state, row.completed, now);
    let href = format!("requests/{}", row.id);
    let cells = columns
        .into_iter()
        .map(|c| {
            let text: String = match c {
                "requestor" => String::new(),
                "package" => crate::graph::models::package_label(row.package.as_ref()),
                "type" => row.request_type.clone(),
                "state" => row.state.clone(),
                "status" => row.status.clone(),
                "created" => when(row.created),
                "completed" => when(row.completed),
                "window" => window.label(),
                _ => match (row.callouts.len(), row.waiting_callout()) {
                    (0, _) => "—".into(),
                    (n, Some(_)) => format!("{n} · {}", t(Msg::Waiting)),
                    (n, None) => n.to_string(),
                },
            };
            if c == "requestor" {
                let (name, email) = row
                    .requestor
                    .as_ref()
                    .map(|s| (s.display_name.clone(), s.email.clone()))
                    .unwrap_or_default();
                let label = if name.is_empty() {
                    row.id.clone()
                } else {
                    name
                };
                view! { <td class="requestor"><a href=href.clone() title=email>{label}</a></td> }
                    .into_any()
            } else {
                let class = match c {
                    "state" => format!("state state-{}", row.state),
                    "window" => match window {
                        Window::Open(_) => "window open".into(),
                        Window::Closed(_) => "window closed".into(),
                        Window::NotApplicable => "window".into(),
                    },
                    other => other.to_string(),
                };
                view! { <td class=class>{text}</td> }.into_any()
            }
        })
        .collect_view();
    let id = row.id.clone();
    let toggle_id = row.id.clone();
    let name = row
        .requestor
        .as_ref()
        .map(|s| s.display_name.clone())
        .unwrap_or_else(|| row.id.clone());
    view! {
        <tr aria-rowindex=index + 2 data-id=row.id.clone()>
            <td class="select">
                <input type="checkbox" aria-label=format!("{} {name}", t(Msg::SelectRow))
                    prop:checked=move || selected.with(|s| s.contains(&id))
                    on:change=move |_| selected.update(|s| {
                        match s.iter().position(|x| *x == toggle_id) {
                            Some(i) => { s.remove(i); }
                            None => s.push(toggle_id.clone()),
                        }
                    }) />
            </td>
            {cells}
        </tr>
    }
}
