//! `/assignments`: access package assignments, filtered by the URL (state, package, search,
//! sort), paged from Graph, in a windowed table like the requests list.

use std::cmp::Ordering;

use leptos::prelude::*;

use crate::actions::paths;
use crate::components::list::{
    ListPage, PagerControls, Searchable, SignedIn, Viewport, Windowed, empty_line, first_page_url,
    when,
};
use crate::config::Config;
use crate::graph::filter::List;
use crate::graph::models::Assignment;
use crate::i18n::{Msg, t};
use crate::query::{ASSIGNMENT_STATES, ListView, SortKey};
use crate::routes::assignment::assignment_expand;
use crate::routes::requests::{FetchPlan, Filters, QueryProblemsView};

/// The Graph URL of the first page of a view of assignments.
pub fn assignments_url(config: &Config, filter: Option<&str>) -> String {
    first_page_url(
        config,
        paths(config.graph_version).assignments,
        assignment_expand(config.graph_version),
        filter,
    )
}

/// The rows of a view: the search applied and the sort (columns without a sort keep
/// Graph's order).
pub fn visible_assignments(view: &ListView, rows: &[Searchable<Assignment>]) -> Vec<Assignment> {
    let terms = view.search_terms();
    let mut out: Vec<Assignment> = rows
        .iter()
        .filter(|(_, text)| terms.iter().all(|t| text.contains(t.as_str())))
        .map(|(a, _)| a.clone())
        .collect();
    let key = view.sort.key;
    let name = |a: &Assignment| {
        a.target
            .as_ref()
            .map(|s| s.display_name.to_lowercase())
            .unwrap_or_default()
    };
    let pkg = |a: &Assignment| {
        a.package
            .as_ref()
            .map(|p| p.display_name.to_lowercase())
            .unwrap_or_default()
    };
    let cmp = |a: &Assignment, b: &Assignment| match key {
        SortKey::Requestor => name(a).cmp(&name(b)),
        SortKey::Package => pkg(a).cmp(&pkg(b)),
        SortKey::State => a.state.cmp(&b.state),
        SortKey::Status => a.status.cmp(&b.status),
        SortKey::Completed => a.expired.cmp(&b.expired),
        _ => Ordering::Equal,
    };
    if cmp_applies(key) {
        out.sort_by(|a, b| {
            let o = cmp(a, b);
            if view.sort.descending { o.reverse() } else { o }
        });
    }
    out
}

fn cmp_applies(key: SortKey) -> bool {
    matches!(
        key,
        SortKey::Requestor
            | SortKey::Package
            | SortKey::State
            | SortKey::Status
            | SortKey::Completed
    )
}

#[component]
pub fn AssignmentsPage() -> impl IntoView {
    view! {
        <section class="list-page">
            <h1>{t(Msg::NavAssignmentsTitle)}</h1>
            <SignedIn><AssignmentsList /></SignedIn>
        </section>
    }
}

#[component]
fn AssignmentsList() -> impl IntoView {
    let list = ListPage::new(
        "/assignments",
        &ASSIGNMENT_STATES,
        List::Assignments,
        assignments_url,
    );
    let (parsed, view, filter, pager) = (list.parsed, list.view, list.filter, list.pager);
    let go = move |v: ListView, replace: bool| list.go(v, replace);
    let parsed_rows = pager.parsed(
        |json| {
            let a = Assignment::from_json(json);
            let text = a.search_text();
            (a, text)
        },
        |(a, _)| a.id.as_str(),
    );
    let rows = Memo::new(move |_| parsed_rows.with(|r| visible_assignments(&view.get(), r)));
    let shown = Signal::derive(move || rows.with(Vec::len));
    view! {
        <QueryProblemsView problems=Signal::derive(move || parsed.get().1) />
        <Filters view=view go=go states=&ASSIGNMENT_STATES dates=false />
        <FetchPlan filter=filter view=view />
        <PagerControls pager=pager shown=shown />
        <AssignmentsTable rows=rows view=view go=go />
        {empty_line(pager, shown, Msg::NoAssignments)}
    }
}

/// Columns of the assignments table, with the sort each header offers.
const COLUMNS: [(&str, Option<SortKey>); 7] = [
    ("target", Some(SortKey::Requestor)),
    ("package", Some(SortKey::Package)),
    ("policy", None),
    ("state", Some(SortKey::State)),
    ("status", Some(SortKey::Status)),
    ("starts", None),
    ("expires", Some(SortKey::Completed)),
];

fn column_label(c: &str) -> &'static str {
    match c {
        "target" => t(Msg::ColTarget),
        "package" => t(Msg::ColPackage),
        "policy" => t(Msg::ColPolicy),
        "state" => t(Msg::ColState),
        "status" => t(Msg::ColStatus),
        "starts" => t(Msg::ColStarts),
        _ => t(Msg::ColExpires),
    }
}

#[component]
fn AssignmentsTable<F>(rows: Memo<Vec<Assignment>>, view: Memo<ListView>, go: F) -> impl IntoView
where
    F: Fn(ListView, bool) + Clone + Send + Sync + 'static,
{
    let viewport = Viewport::new();
    view! {
        <div
            class="table-viewport"
            tabindex="0"
            role="region"
            aria-label=t(Msg::NavAssignmentsTitle)
            on:scroll=move |ev| viewport.on_scroll(ev)
        >
            <table class="requests assignments" data-testid="assignments-table" aria-rowcount=move || rows.with(Vec::len) + 1>
                <thead>
                    <tr aria-rowindex="1">
                        {COLUMNS.into_iter().map(|(c, key)| {
                            let go = go.clone();
                            let aria = move || match key {
                                Some(k) if view.get().sort.key == k => {
                                    if view.get().sort.descending { "descending" } else { "ascending" }
                                }
                                _ => "none",
                            };
                            view! {
                                <th scope="col" aria-sort=aria>
                                    {match key {
                                        Some(k) => view! {
                                            <button type="button" class="sort" on:click=move |_| go(view.get_untracked().sorted_by(k), false)>
                                                {column_label(c)}
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
                        let Windowed { above_px, rows: slice, below_px } = rows.with(|r| viewport.window(r));
                        view! {
                            <tr class="spacer" aria-hidden="true" style:height=format!("{above_px}px")></tr>
                            {slice.into_iter().map(|(i, a)| view! { <AssignmentRow row=a index=i /> }).collect_view()}
                            <tr class="spacer" aria-hidden="true" style:height=format!("{below_px}px")></tr>
                        }
                    }}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn AssignmentRow(row: Assignment, index: usize) -> impl IntoView {
    let (name, email) = row
        .target
        .as_ref()
        .map(|s| (s.display_name.clone(), s.email.clone()))
        .unwrap_or_default();
    let label = if name.is_empty() {
        row.id.clone()
    } else {
        name
    };
    let package = crate::graph::models::package_label(row.package.as_ref());
    let cells = [
        ("package", package),
        ("policy", row.policy.clone().unwrap_or_default()),
        ("state", row.state.clone()),
        ("status", row.status.clone()),
        ("starts", when(row.schedule.start)),
        ("expires", when(row.expired)),
    ];
    view! {
        <tr aria-rowindex=index + 2 data-id=row.id.clone()>
            <td class="target"><a href=format!("assignments/{}", row.id) title=email>{label}</a></td>
            {cells.into_iter().map(|(class, text)| view! { <td class=class>{text}</td> }).collect_view()}
        </tr>
    }
}
