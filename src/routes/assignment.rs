//! `/assignments/:id`: an access package assignment, and whether it can be reprocessed.

use leptos::prelude::*;

use crate::actions::Action;
use crate::components::actions::ReprocessAction;
use crate::components::detail::{item_view, load_item};
use crate::components::list::SignedIn;
use crate::components::packages::package_cell;
use crate::graph::models::Assignment;
use crate::graph::resources::Collection;
use crate::i18n::{Msg, t};
use crate::labels;
use crate::router::RouteId;
use crate::rules::{assignment_reprocess_took_effect, can_reprocess_assignment};
use crate::state::directory::use_packages;

/// The page of assignment `id` (as typed: a malformed one is reported, never sent).
#[component]
pub fn AssignmentPage(id: RouteId) -> impl IntoView {
    view! {
        <section class="detail-page">
            <p><a href="assignments">{t(Msg::BackToAssignments)}</a></p>
            <SignedIn><AssignmentDetail id=id.clone() /></SignedIn>
        </section>
    }
}

#[component]
fn AssignmentDetail(id: RouteId) -> impl IntoView {
    let data = load_item(Collection::Assignments, &id);
    item_view(data, Msg::NotAnAssignmentId, id, |json| {
        view! { <AssignmentView assignment=Assignment::from_json(&json) /> }.into_any()
    })
}

#[component]
fn AssignmentView(assignment: Assignment) -> impl IntoView {
    let a = assignment;
    let package = a.package.clone();
    let packages = use_packages();
    let target = a
        .target
        .as_ref()
        .map(|s| format!("{} <{}>", s.display_name, s.email))
        .unwrap_or_default();
    let title = a
        .target
        .as_ref()
        .map(|s| s.display_name.clone())
        .unwrap_or_else(|| a.id.to_string());
    // (label, test id, value, Graph's raw value when the value is its label)
    let properties: Vec<(&'static str, &'static str, String, Option<String>)> = vec![
        ("id", "assignment-id", a.id.to_string(), None),
        (t(Msg::ColTarget), "assignment-target", target, None),
        (
            t(Msg::ColPolicy),
            "assignment-policy",
            a.policy.clone().unwrap_or_default(),
            None,
        ),
        (
            t(Msg::ColState),
            "assignment-state",
            labels::state(&a.state),
            Some(a.state.clone()),
        ),
        (
            t(Msg::ColStatus),
            "assignment-status",
            labels::status(&a.status),
            Some(a.status.clone()),
        ),
        (
            t(Msg::Schedule),
            "assignment-schedule",
            format!(
                "{} → {}",
                crate::intl::date_time(a.schedule.start),
                crate::intl::date_time(a.schedule.end)
            ),
            None,
        ),
        (
            t(Msg::ColExpires),
            "assignment-expired",
            crate::intl::date_time(a.expired),
            None,
        ),
    ];
    let reprocess = can_reprocess_assignment(&a.id, &a.state);
    view! {
        <h1 data-testid="assignment-title">{t(Msg::AssignmentTitle)} ": " {title}</h1>
        <dl class="properties" data-testid="assignment-properties">
            {properties.into_iter().map(|(label, id, value, raw)| view! { <dt>{label}</dt><dd data-testid=id title=raw.clone() data-value=raw>{value}</dd> }).collect_view()}
            <dt>{t(Msg::ColPackage)}</dt>
            <dd data-testid="assignment-package">{move || package_cell(package.as_ref(), packages)}</dd>
        </dl>
        <h2>{t(Msg::Actions)}</h2>
        <section class="action" data-action="reprocess-assignment" aria-labelledby="action-reprocess-assignment">
            <h3 id="action-reprocess-assignment">{t(Msg::ActionReprocessAssignment)}</h3>
            {match reprocess {
                Ok(guid) => {
                    let (id, state) = (a.id.clone(), a.state.clone());
                    let recheck = Callback::new(move |()| can_reprocess_assignment(&id, &state).map(drop));
                    let verdict = Callback::new(|json: serde_json::Value| {
                        assignment_reprocess_took_effect(&Assignment::from_json(&json).state)
                    });
                    view! {
                        <p data-testid="reprocess-applies">{t(Msg::ActionAppliesAssignment)}</p>
                        <ReprocessAction action=Action::ReprocessAssignment id=guid recheck=recheck verdict=verdict />
                    }.into_any()
                }
                Err(why) => view! { <p class="why-not" data-testid="reprocess-why-not">{why.message()}</p> }.into_any(),
            }}
        </section>
    }
}
