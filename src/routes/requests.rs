//! `/requests`: access package assignment requests, filtered by the URL, planned into the
//! Graph queries Microsoft documents, searched and sorted in the browser, in a windowed
//! table that stays smooth at 10 000 rows.

use leptos::prelude::*;

use crate::clock::now_utc;
use crate::components::bulk::BulkBar;
use crate::components::export::ExportCsv;
use crate::components::filters::{
    ColumnHeader, ColumnPicker, FetchPlanView, Filters, Presets, QueryProblems, column_label,
};
use crate::components::list::{PagerControls, SignedIn, empty_line};
use crate::components::packages::package_cell;
use crate::components::shortcuts::Shortcuts;
use crate::directory::{timeout_in, waiting_packages};
use crate::export::{request_cell, table_csv};
use crate::graph::models::{PackageRef, Request};
use crate::i18n::{Msg, t, tf};
use crate::ids::ObjectId;
use crate::labels;
use crate::query::{Column, REQUESTS, SortKey};
use crate::rows::{TimeLeft, callback_time_left, delivering_for, keep_requests, request_order};
use crate::rules::{Window, reprocess_window};
use crate::state::directory::{Timeouts, use_packages, use_timeouts};
use crate::state::list::{ListPage, Shown, Viewport, Windowed};

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
    let list = ListPage::new(&REQUESTS);
    let (view, pager) = (list.view, list.pager);
    let parsed_rows = pager.parsed(
        |json| {
            let r = Request::from_json(json);
            let text = r.search_text();
            (r, text)
        },
        |(r, _)| r.id.as_str(),
    );
    let timeouts = use_row_timeouts(list, parsed_rows);
    // Sorted when the rows or the sort change, filtered on every keystroke.
    let sort = Memo::new(move |_| view.with(|v| v.sort));
    let order = Memo::new(move |_| {
        let by_time_left = sort.get().is_some_and(|s| s.key == SortKey::TimeLeft);
        let known = if by_time_left {
            timeouts.get()
        } else {
            Vec::new()
        };
        parsed_rows
            .with(|r| request_order(sort.get(), r, now_utc(), &|ext| timeout_in(&known, ext)))
    });
    let rows = Shown {
        loaded: parsed_rows,
        positions: Memo::new(move |_| {
            order.with(|order| {
                parsed_rows.with(|r| view.with(|v| keep_requests(v, r, order, now_utc())))
            })
        }),
    };
    let shown = Signal::derive(move || rows.len());
    list.fill(shown, Signal::derive(move || parsed_rows.with(Vec::len)));
    let csv = Callback::new(move |()| {
        let columns = view.with_untracked(|v| v.shown_columns());
        let (now, known) = (now_utc(), timeouts.get_untracked());
        let timeout_of = |ext: &str| timeout_in(&known, ext);
        rows.with_untracked(|rows| {
            table_csv(
                &columns,
                column_label,
                rows,
                |r| r.id.as_str(),
                |c, r| request_cell(c, r, now, &timeout_of),
            )
        })
    });
    let shows_time_left = move || view.with(|v| v.shows(Column::TimeLeft));
    // Ids of the rows selected for a bulk reprocess.
    let selected = RwSignal::new(Vec::<ObjectId>::new());

    // A catalog-scoped administrator must name a package: say so instead of a bare 403
    // (or the 400 Graph may give such an account).
    let needs_package = move || {
        view.with(|v| v.package.is_none())
            && pager.error.with(|e| {
                matches!(e, Some(crate::graph::GraphFailure::Graph(g))
                    if crate::graph::plan::needs_package_scope(g.status, &g.code, &g.message))
            })
    };

    view! {
        <QueryProblems list=list />
        <Presets list=list />
        <Filters list=list />
        <FetchPlanView list=list />
        <ColumnPicker list=list />
        <p class="notice" data-testid="pick-package" hidden=move || !needs_package()>{t(Msg::PickPackageFirst)}</p>
        <p class="note" data-testid="deadline-note" hidden=move || !shows_time_left()>
            {tf(Msg::DeadlineNote, &[("days", &crate::rows::CALLBACK_TIMEOUT_DAYS.to_string())])}
        </p>
        <PagerControls pager=pager shown=shown />
        <div class="list-tools">
            <ExportCsv list=list shown=shown csv=csv />
            <Shortcuts rows=shown ticks=true />
        </div>
        <BulkBar rows=rows selected=selected pager=pager />
        <RequestsTable list=list rows=rows selected=selected timeouts=timeouts />
        {empty_line(pager, shown, Msg::NoRequests)}
    }
}

/// The callback timeouts of the custom extensions that loaded rows wait on, read while
/// the view shows or sorts by time left (nothing is read for other views).
fn use_row_timeouts(list: ListPage, parsed_rows: RwSignal<Vec<(Request, String)>>) -> Timeouts {
    let view = list.view;
    let wanted = Memo::new(move |_| {
        view.with(|v| {
            v.shows(Column::TimeLeft) || v.sort.is_some_and(|s| s.key == SortKey::TimeLeft)
        })
    });
    use_timeouts(Signal::derive(move || {
        if !wanted.get() {
            return Vec::new();
        }
        parsed_rows.with(|rows| waiting_packages(rows.iter().map(|(r, _)| r)))
    }))
}

#[component]
fn RequestsTable(
    list: ListPage,
    rows: Shown<Request>,
    selected: RwSignal<Vec<ObjectId>>,
    timeouts: Timeouts,
) -> impl IntoView {
    let view = list.view;
    let viewport = Viewport::new();
    let columns = Memo::new(move |_| view.with(|v| v.shown_columns()));
    let packages = use_packages();
    let now = now_utc();
    // A read-only deployment selects nothing: there is nothing to act with (the CSS hides
    // the selection column of a `read-only` table).
    let read_only = expect_context::<crate::config::Config>().read_only;
    view! {
        <div
            class="table-viewport"
            tabindex="0"
            role="region"
            aria-label=t(Msg::RequestsTitle)
            on:scroll=move |ev| viewport.on_scroll(ev)
        >
            <table class="requests" class:read-only=read_only data-list="requests" data-testid="requests-table" aria-rowcount=move || rows.len() + 1>
                <thead>
                    <tr aria-rowindex="1">
                        <th scope="col" class="select"><span class="visually-hidden">{t(Msg::SelectRow)}</span></th>
                        {move || columns.get().into_iter().map(|c| view! { <ColumnHeader list=list column=c /> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let cols = columns.get();
                        // Whole pixels: no float formatting in the wasm.
                        let Windowed { above_px, rows: slice, below_px } = rows.window(viewport);
                        view! {
                            <tr class="spacer" aria-hidden="true" style:height=format!("{above_px}px")></tr>
                            {slice.into_iter().map(|(i, r)| view! {
                                <RequestRow row=r index=i columns=cols.clone() now=now selected=selected packages=packages timeouts=timeouts />
                            }).collect_view()}
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
    columns: Vec<Column>,
    now: chrono::DateTime<chrono::Utc>,
    selected: RwSignal<Vec<ObjectId>>,
    packages: Signal<Option<Vec<PackageRef>>>,
    timeouts: Timeouts,
) -> impl IntoView {
    let window = reprocess_window(&row.state, row.completed, now);
    // A malformed id is shown, never put in a path.
    let href = row.id.guid().map(|g| format!("requests/{g}"));
    let cells = columns
        .into_iter()
        .map(|c| {
            if c == Column::Requestor {
                let (name, email) = row
                    .requestor
                    .as_ref()
                    .map(|s| (s.display_name.clone(), s.email.clone()))
                    .unwrap_or_default();
                let label = if name.is_empty() {
                    row.id.to_string()
                } else {
                    name
                };
                return match href.clone() {
                    Some(href) => view! { <td class="requestor"><a href=href title=email>{label}</a></td> }.into_any(),
                    None => view! { <td class="requestor" title=email>{label}</td> }.into_any(),
                };
            }
            if c == Column::Package {
                // Reactive: the catalog shows once the package directory has loaded.
                let package = row.package.clone();
                return view! { <td class="package">{move || package_cell(package.as_ref(), packages)}</td> }
                    .into_any();
            }
            if c == Column::TimeLeft {
                return timeouts.with_untracked(|known| time_left_cell(&row, now, known));
            }
            // Graph's enum values as labels, each with its raw value as the title.
            let raw = match c {
                Column::Type => Some(row.request_type.clone()),
                Column::State => Some(row.state.clone()),
                Column::Status => Some(row.status.clone()),
                _ => None,
            };
            let text: String = match c {
                Column::Type => labels::request_type(&row.request_type),
                Column::State => labels::state(&row.state),
                Column::Status => labels::status(&row.status),
                Column::Created => crate::intl::date_time(row.created),
                Column::Completed => crate::intl::date_time(row.completed),
                Column::Window => window.label(),
                Column::DeliveringFor => delivering_for(&row, now)
                    .map(crate::intl::duration)
                    .unwrap_or_else(|| "—".into()),
                _ => match (row.callouts.len(), row.waiting_callout()) {
                    (0, _) => "—".into(),
                    (n, Some(_)) => tf(Msg::CalloutsWaiting, &[("count", &n.to_string())]),
                    (n, None) => n.to_string(),
                },
            };
            let class = match c {
                Column::State => format!("state state-{}", row.state),
                Column::Window => match window {
                    Window::Open(_) => "window open".into(),
                    Window::Closed(_) => "window closed".into(),
                    Window::NotApplicable => "window".into(),
                },
                other => other.name().to_string(),
            };
            // How long a delivery has taken, as the CSV has it (for tests and scripts).
            let value = raw.clone().or_else(|| {
                (c == Column::DeliveringFor).then(|| request_cell(c, &row, now, &|_| None))
            });
            view! { <td class=class title=raw data-value=value>{text}</td> }.into_any()
        })
        .collect_view();
    let id = row.id.clone();
    let toggle_id = row.id.clone();
    let name = row
        .requestor
        .as_ref()
        .map(|s| s.display_name.clone())
        .unwrap_or_else(|| row.id.to_string());
    view! {
        <tr aria-rowindex=index + 2 data-id=row.id.to_string()>
            <td class="select">
                <input type="checkbox" aria-label=tf(Msg::SelectRowNamed, &[("name", &name)])
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

/// Time left before the callback the request waits on times out: under a day is flagged
/// with a sign and words, not colour alone; a lower bound says "at least"; a timeout the
/// policy does not give (14 days assumed) is starred. `data-value` is what the CSV holds.
fn time_left_cell(
    row: &Request,
    now: chrono::DateTime<chrono::Utc>,
    known: &[(String, chrono::Duration)],
) -> AnyView {
    let timeout_of = |ext: &str| timeout_in(known, ext);
    let Some(left) = callback_time_left(row, now, &timeout_of) else {
        return view! { <td class="time_left">"—"</td> }.into_any();
    };
    let assumed = row
        .waiting_callout()
        .is_some_and(|c| timeout_in(known, &c.custom_extension_id).is_none());
    let raw = request_cell(Column::TimeLeft, row, now, &timeout_of);
    let duration = crate::intl::duration;
    let (class, text) = match left {
        TimeLeft::Known(d) if d < chrono::Duration::zero() => (
            "time_left past",
            tf(Msg::TimeLeftPast, &[("duration", &duration(-d))]),
        ),
        TimeLeft::Known(d) if left.under_a_day() => (
            "time_left soon",
            tf(Msg::TimeLeftSoon, &[("duration", &duration(d))]),
        ),
        TimeLeft::Known(d) => ("time_left", duration(d)),
        TimeLeft::AtLeast(d) => (
            "time_left",
            tf(Msg::TimeLeftAtLeast, &[("duration", &duration(d))]),
        ),
        TimeLeft::Unknown => ("time_left", t(Msg::TimeLeftUnknown).to_string()),
    };
    view! {
        <td class=class data-value=raw title=(left == TimeLeft::Unknown).then(|| t(Msg::TimeLeftUnknownWhy))>
            {left.under_a_day().then(|| view! { <span class="flag" aria-hidden="true">"⚠ "</span> })}
            {text}
            {assumed.then(|| {
                let why = tf(Msg::TimeoutAssumed, &[("days", &crate::rows::CALLBACK_TIMEOUT_DAYS.to_string())]);
                let title = why.clone();
                view! {
                    <span class="assumed" title=title>
                        <span aria-hidden="true">"*"</span>
                        <span class="visually-hidden">{why}</span>
                    </span>
                }
            })}
        </td>
    }
    .into_any()
}
