//! The controls above a list: problems with the address, ready-made views, the filter
//! bar, "how this view is fetched" and the column picker. Each edits the view through its
//! [`ListPage`], so the address stays the view.

use leptos::prelude::*;

use crate::graph::plan::{BrowserPart, FetchPlan};
use crate::i18n::{Msg, t, tf};
use crate::labels;
use crate::query::{Column, ListView, Preset, ProblemKind, QueryProblem};
use crate::state::directory::use_packages;
use crate::state::list::ListPage;

/// The sentence for a problem with a parameter of the address.
fn problem_text(p: &QueryProblem) -> String {
    let msg = match p.kind {
        ProblemKind::UnknownView => Msg::ProblemUnknownView,
        ProblemKind::UnknownState => Msg::ProblemUnknownState,
        ProblemKind::BadStatus => Msg::ProblemBadStatus,
        ProblemKind::NotAnId => Msg::ProblemNotAnId,
        ProblemKind::NotADate => Msg::ProblemNotADate,
        ProblemKind::DatesOutOfOrder => Msg::ProblemDatesOutOfOrder,
        ProblemKind::UnknownSort => Msg::ProblemUnknownSort,
        ProblemKind::UnknownColumn => Msg::ProblemUnknownColumn,
        ProblemKind::BadHours => Msg::ProblemBadHours,
        ProblemKind::NotForThisList => Msg::ProblemNotForThisList,
    };
    tf(msg, &[("param", &p.param), ("value", &p.value)])
}

/// Parameters of the address that were not used, each with its reason.
#[component]
pub fn QueryProblems(list: ListPage) -> impl IntoView {
    let problems = move || list.parsed.with(|(_, p)| p.clone());
    view! {
        <div class="notice warn" role="status" data-testid="query-problems" hidden=move || list.parsed.with(|(_, p)| p.is_empty())>
            <p>{t(Msg::QueryProblemsIntro)}</p>
            <ul>
                {move || problems().iter().map(|p| view! { <li>{problem_text(p)}</li> }).collect_view()}
            </ul>
        </div>
    }
}

/// The ready-made views of the requests list, as links (each is an address).
#[component]
pub fn Presets(list: ListPage) -> impl IntoView {
    let view = list.view;
    let all = ListView::new(crate::query::ListKind::Requests);
    view! {
        <nav class="presets" aria-label=t(Msg::PresetsLabel)>
            <ul>
                <li>
                    <a href="requests" aria-current=move || view.with(|v| *v == all).then_some("page")>{t(Msg::PresetAll)}</a>
                </li>
                {Preset::ALL
                    .into_iter()
                    .map(|p| view! {
                        <li>
                            <a href=format!("requests?view={}", p.name()) data-preset=p.name()
                                aria-current=move || view.with(|v| v.preset == Some(p)).then_some("page")>
                                {crate::labels::preset(p)}
                            </a>
                        </li>
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// The filter bar: search, states, access package and, on requests, creation dates.
#[component]
pub fn Filters(list: ListPage) -> impl IntoView {
    let view = list.view;
    let spec = view.with_untracked(ListView::spec);
    let packages = use_packages();
    let edit = move |f: &dyn Fn(&mut ListView), replace: bool| {
        let mut v = view.get_untracked();
        f(&mut v);
        list.go(v, replace);
    };
    view! {
        <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
            <label class="search">
                {t(Msg::SearchLabel)}
                <input
                    type="search"
                    name="q"
                    prop:value=move || view.with(|v| v.q.clone())
                    // Filtered at once; the address follows once typing pauses, in place
                    // of the history entry.
                    on:input=move |ev| list.type_search(event_target_value(&ev))
                />
            </label>
            <fieldset class="states">
                <legend>{t(Msg::StateLabel)}</legend>
                {spec.states
                    .iter()
                    .copied()
                    .map(|s| view! {
                        <label>
                            <input
                                type="checkbox"
                                name="state"
                                value=s
                                prop:checked=move || view.with(|v| v.states.contains(&s))
                                on:change=move |_| edit(&|v| {
                                    if v.states.contains(&s) {
                                        v.states.retain(|x| *x != s);
                                    } else {
                                        v.states.push(s);
                                    }
                                }, false)
                            />
                            <span title=s>{labels::state(s)}</span>
                        </label>
                    })
                    .collect_view()}
            </fieldset>
            <label>
                {t(Msg::PackageLabel)}
                <select
                    name="package"
                    on:change=move |ev| {
                        let chosen = crate::ids::Guid::parse(&event_target_value(&ev));
                        edit(&|v| v.package = chosen.clone(), false)
                    }
                >
                    <option value="" selected=move || view.with(|v| v.package.is_none())>{t(Msg::AnyPackage)}</option>
                    {move || packages.get().map(|list| list.into_iter().map(|p| {
                        let id = p.id.clone();
                        view! {
                            <option value=p.id.to_string() selected=move || view.with(|v| v.package.as_ref().is_some_and(|x| id.guid() == Some(x)))>
                                {crate::graph::models::package_label(Some(&p))}
                            </option>
                        }
                    }).collect_view())}
                </select>
            </label>
            {spec.dates.then(|| view! {
                <DateFilter list=list label=t(Msg::CreatedAfter) name="created_after" field=|v| &mut v.created_after />
                <DateFilter list=list label=t(Msg::CreatedBefore) name="created_before" field=|v| &mut v.created_before />
            })}
            <label hidden=move || view.with(|v| v.preset != Some(crate::query::Preset::Stuck))>
                {t(Msg::StuckHoursLabel)}
                <input type="number" name="hours" min="1" max="720" step="1"
                    prop:value=move || view.with(|v| v.hours.to_string())
                    on:change=move |ev| {
                        if let Ok(h) = event_target_value(&ev).parse::<u32>()
                            && (1..=720).contains(&h)
                        {
                            edit(&|v| v.hours = h, false);
                        }
                    } />
            </label>
        </form>
    }
}

/// A date bound of the view (`created_after` or `created_before`).
#[component]
fn DateFilter(
    list: ListPage,
    label: &'static str,
    name: &'static str,
    /// Which bound of the view this input edits.
    field: fn(&mut ListView) -> &mut Option<chrono::NaiveDate>,
) -> impl IntoView {
    let view = list.view;
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
                    list.go(v, false);
                }
            />
        </label>
    }
}

/// A browser part of the plan, as a sentence.
fn browser_part_text(part: &BrowserPart) -> String {
    match part {
        BrowserPart::States(states) => {
            let names: Vec<String> = states.iter().map(|s| labels::state(s)).collect();
            tf(
                Msg::PlanStates,
                &[("states", &names.join(t(Msg::ListSeparator)))],
            )
        }
        BrowserPart::Status(s) => tf(Msg::PlanStatus, &[("status", &labels::status(s))]),
        BrowserPart::Package(p) => tf(Msg::PlanPackage, &[("id", p.as_str())]),
        BrowserPart::Person(p) => tf(Msg::PlanPerson, &[("id", p.as_str())]),
        BrowserPart::CreatedAfter(d) => tf(
            Msg::PlanCreatedAfter,
            &[("date", &crate::query::format_date(*d))],
        ),
        BrowserPart::CreatedBefore(d) => tf(
            Msg::PlanCreatedBefore,
            &[("date", &crate::query::format_date(*d))],
        ),
        BrowserPart::Recent => t(Msg::PlanRecent).into(),
        BrowserPart::Attention => tf(
            Msg::PlanAttention,
            &[("days", &crate::rules::REPROCESS_WINDOW_DAYS.to_string())],
        ),
        BrowserPart::Waiting => t(Msg::PlanWaiting).into(),
        BrowserPart::WindowClosed => tf(
            Msg::PlanWindowClosed,
            &[("days", &crate::rules::REPROCESS_WINDOW_DAYS.to_string())],
        ),
        BrowserPart::Search(q) => tf(Msg::PlanSearch, &[("text", q)]),
        BrowserPart::Stuck(hours) => tf(Msg::PlanStuck, &[("hours", &hours.to_string())]),
        BrowserPart::Deadline => tf(
            Msg::PlanDeadline,
            &[("days", &crate::rows::CALLBACK_TIMEOUT_DAYS.to_string())],
        ),
    }
}

/// The sort of a view, as a sentence.
fn sort_text(view: &ListView) -> String {
    match view.sort {
        None => t(Msg::PlanGraphOrder).into(),
        Some(s) => {
            let column = view
                .spec()
                .sorts
                .iter()
                .find(|(_, k)| *k == s.key)
                .map(|(c, _)| column_label(*c))
                .unwrap_or_default();
            let msg = if s.descending {
                Msg::PlanSortedDescending
            } else {
                Msg::PlanSortedAscending
            };
            tf(msg, &[("column", column)])
        }
    }
}

/// Says which part of the view Graph filters and which part the browser does, and when
/// Graph refused a documented filter this session.
#[component]
pub fn FetchPlanView(list: ListPage) -> impl IntoView {
    let plan = list.plan;
    let view = list.view;
    let server = move || {
        plan.with(|p: &FetchPlan| {
            if p.queries.is_empty() {
                return vec![t(Msg::PlanNoQuery).to_string()];
            }
            p.filters()
                .into_iter()
                .map(|f| {
                    if f.is_empty() {
                        t(Msg::FetchPlanNone).to_string()
                    } else {
                        f
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let browser = move || {
        let mut parts: Vec<String> =
            plan.with(|p| p.browser.iter().map(browser_part_text).collect());
        parts.push(view.with(sort_text));
        parts
    };
    let refused = move || {
        plan.with(|p| {
            p.refused
                .iter()
                .map(|prop| prop.name(p.collection, p.version))
                .collect::<Vec<_>>()
                .join(t(Msg::ListSeparator))
        })
    };
    view! {
        <p class="notice" role="status" data-testid="filter-fallback" hidden=move || plan.with(|p| p.refused.is_empty())>
            {move || tf(Msg::PlanRefusedNote, &[("properties", &refused())])}
        </p>
        <details class="fetch-plan" data-testid="fetch-plan">
            <summary>{t(Msg::FetchPlanTitle)}</summary>
            <p>{move || {
                let n = plan.with(|p| p.queries.len());
                if n > 1 { tf(Msg::FetchPlanServerMany, &[("count", &n.to_string())]) } else { t(Msg::FetchPlanServer).to_string() }
            }}</p>
            <ul data-testid="server-filter">
                {move || server().into_iter().map(|f| view! { <li><code>{f}</code></li> }).collect_view()}
            </ul>
            <p>{t(Msg::FetchPlanClient)}</p>
            <ul data-testid="client-filter">
                {move || browser().into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}
            </ul>
        </details>
    }
}

/// A column's header text.
pub fn column_label(c: Column) -> &'static str {
    t(match c {
        Column::Requestor => Msg::ColRequestor,
        Column::Target => Msg::ColTarget,
        Column::Package => Msg::ColPackage,
        Column::Type => Msg::ColType,
        Column::State => Msg::ColState,
        Column::Status => Msg::ColStatus,
        Column::Created => Msg::ColCreated,
        Column::Completed => Msg::ColCompleted,
        Column::Window => Msg::ColWindow,
        Column::Callouts => Msg::ColCallouts,
        Column::Starts => Msg::ColStarts,
        Column::Expires => Msg::ColExpires,
        Column::DeliveringFor => Msg::ColDeliveringFor,
        Column::TimeLeft => Msg::ColTimeLeft,
    })
}

/// Which columns the table shows (the `cols` parameter).
#[component]
pub fn ColumnPicker(list: ListPage) -> impl IntoView {
    let view = list.view;
    let spec = view.with_untracked(ListView::spec);
    view! {
        <details class="columns" data-testid="column-picker">
            <summary>{t(Msg::ColumnsLabel)}</summary>
            <fieldset>
                <legend class="visually-hidden">{t(Msg::ColumnsLabel)}</legend>
                {spec.columns.iter().copied().map(|c| view! {
                    <label>
                        <input type="checkbox" name="cols" value=c.name()
                            prop:checked=move || view.with(|v| v.shows(c))
                            on:change=move |_| list.go(view.get_untracked().toggled_column(c), false) />
                        {column_label(c)}
                    </label>
                }).collect_view()}
            </fieldset>
        </details>
    }
}

/// A sortable column header: a button that sorts by it (or toggles the direction), with
/// `aria-sort` saying how the table is sorted now.
#[component]
pub fn ColumnHeader(list: ListPage, column: Column) -> impl IntoView {
    let view = list.view;
    let key = view.with_untracked(|v| v.spec().sort_of(column));
    let direction = move || {
        view.with(|v| match (key, v.sort) {
            (Some(k), Some(s)) if s.key == k => Some(s.descending),
            _ => None,
        })
    };
    let aria = move || match direction() {
        Some(true) => "descending",
        Some(false) => "ascending",
        None => "none",
    };
    view! {
        <th scope="col" aria-sort=aria class=column.name()>
            {match key {
                Some(k) => view! {
                    <button type="button" class="sort" on:click=move |_| list.go(view.get_untracked().sorted_by(k), false)>
                        {column_label(column)}
                        <span aria-hidden="true">{move || match direction() {
                            Some(true) => " ▼",
                            Some(false) => " ▲",
                            None => "",
                        }}</span>
                    </button>
                }.into_any(),
                None => view! { <span>{column_label(column)}</span> }.into_any(),
            }}
        </th>
    }
}
