//! `/assignments`: access package assignments, filtered by the URL (state, status,
//! package, target, search, sort), planned into the Graph queries Microsoft documents, in
//! a windowed table like the requests list.

use leptos::prelude::*;

use crate::components::export::ExportCsv;
use crate::components::filters::{
    ColumnHeader, ColumnPicker, FetchPlanView, Filters, QueryProblems, column_label,
};
use crate::components::list::{PagerControls, SignedIn, empty_line};
use crate::components::packages::package_cell;
use crate::components::shortcuts::Shortcuts;
use crate::export::{assignment_cell, table_csv};
use crate::graph::models::{Assignment, PackageRef};
use crate::i18n::{Msg, t};
use crate::labels;
use crate::query::{ASSIGNMENTS, Column};
use crate::rows::{assignment_order, keep_assignments};
use crate::state::directory::use_packages;
use crate::state::list::{ListPage, Shown, Viewport, Windowed};

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
    let list = ListPage::new(&ASSIGNMENTS);
    let (view, pager) = (list.view, list.pager);
    let parsed_rows = pager.parsed(
        |json| {
            let a = Assignment::from_json(json);
            let text = a.search_text();
            (a, text)
        },
        |(a, _)| a.id.as_str(),
    );
    // Sorted when the rows or the sort change, filtered on every keystroke.
    let sort = Memo::new(move |_| view.with(|v| v.sort));
    let order = Memo::new(move |_| parsed_rows.with(|r| assignment_order(sort.get(), r)));
    let rows = Shown {
        loaded: parsed_rows,
        positions: Memo::new(move |_| {
            order.with(|order| parsed_rows.with(|r| view.with(|v| keep_assignments(v, r, order))))
        }),
    };
    let shown = Signal::derive(move || rows.len());
    list.fill(shown, Signal::derive(move || parsed_rows.with(Vec::len)));
    let csv = Callback::new(move |()| {
        let columns = view.with_untracked(|v| v.shown_columns());
        rows.with_untracked(|rows| {
            table_csv(
                &columns,
                column_label,
                rows,
                |a| a.id.as_str(),
                assignment_cell,
            )
        })
    });
    view! {
        <QueryProblems list=list />
        <Filters list=list />
        <FetchPlanView list=list />
        <ColumnPicker list=list />
        <PagerControls pager=pager shown=shown />
        <div class="list-tools">
            <ExportCsv list=list shown=shown csv=csv />
            <Shortcuts rows=shown ticks=false />
        </div>
        <AssignmentsTable list=list rows=rows />
        {empty_line(pager, shown, Msg::NoAssignments)}
    }
}

#[component]
fn AssignmentsTable(list: ListPage, rows: Shown<Assignment>) -> impl IntoView {
    let view = list.view;
    let viewport = Viewport::new();
    let columns = Memo::new(move |_| view.with(|v| v.shown_columns()));
    let packages = use_packages();
    view! {
        <div
            class="table-viewport"
            tabindex="0"
            role="region"
            aria-label=t(Msg::NavAssignmentsTitle)
            on:scroll=move |ev| viewport.on_scroll(ev)
        >
            <table class="requests assignments" data-list="assignments" data-testid="assignments-table" aria-rowcount=move || rows.len() + 1>
                <thead>
                    <tr aria-rowindex="1">
                        {move || columns.get().into_iter().map(|c| view! { <ColumnHeader list=list column=c /> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let cols = columns.get();
                        let Windowed { above_px, rows: slice, below_px } = rows.window(viewport);
                        view! {
                            <tr class="spacer" aria-hidden="true" style:height=format!("{above_px}px")></tr>
                            {slice.into_iter().map(|(i, a)| view! { <AssignmentRow row=a index=i columns=cols.clone() packages=packages /> }).collect_view()}
                            <tr class="spacer" aria-hidden="true" style:height=format!("{below_px}px")></tr>
                        }
                    }}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn AssignmentRow(
    row: Assignment,
    index: usize,
    columns: Vec<Column>,
    packages: Signal<Option<Vec<PackageRef>>>,
) -> impl IntoView {
    let cells = columns
        .into_iter()
        .map(|c| match c {
            Column::Target => {
                let (name, email) = row
                    .target
                    .as_ref()
                    .map(|s| (s.display_name.clone(), s.email.clone()))
                    .unwrap_or_default();
                let label = if name.is_empty() {
                    row.id.to_string()
                } else {
                    name
                };
                // A malformed id is shown, never put in a path.
                match row.id.guid() {
                    Some(g) => view! { <td class="target"><a href=format!("assignments/{g}") title=email>{label}</a></td> }.into_any(),
                    None => view! { <td class="target" title=email>{label}</td> }.into_any(),
                }
            }
            Column::Package => {
                let package = row.package.clone();
                view! { <td class="package">{move || package_cell(package.as_ref(), packages)}</td> }
                    .into_any()
            }
            Column::State | Column::Status => {
                // Graph's value as a label, the raw value as its title.
                let (raw, text) = if c == Column::State {
                    (row.state.clone(), labels::state(&row.state))
                } else {
                    (row.status.clone(), labels::status(&row.status))
                };
                view! { <td class=c.name() title=raw.clone() data-value=raw>{text}</td> }.into_any()
            }
            other => {
                let text = match other {
                    Column::Starts => crate::intl::date_time(row.schedule.start),
                    _ => crate::intl::date_time(row.expired),
                };
                view! { <td class=other.name()>{text}</td> }.into_any()
            }
        })
        .collect_view();
    view! {
        <tr aria-rowindex=index + 2 data-id=row.id.to_string()>
            {cells}
        </tr>
    }
}
