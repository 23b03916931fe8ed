//! A request's history from the Microsoft Entra audit log, on its page: every event that
//! names the request or its assignment, newest first, with the failure reasons
//! entitlement management recorded. The audit log's permissions are asked for here, the
//! first time a trail is opened; an account without a reading role is told which roles
//! can read it.

use leptos::prelude::*;

use crate::audit::{self, AuditEvent};
use crate::auth::{Auth, AuthError, Permission};
use crate::components::consent::ConsentForActions;
use crate::components::graph_problem::GraphProblem;
use crate::config::Config;
use crate::graph::resources::Endpoint;
use crate::graph::{GraphFailure, audit_events};
use crate::i18n::{Msg, t, tf};
use crate::ids::Guid;
use crate::state::load::load;

/// What the trail shows.
enum Shown {
    /// A sentence instead of events (its test id, its message).
    Notice(&'static str, Msg),
    NeedsConsent,
    Failed(GraphFailure),
    Events {
        trail: Vec<AuditEvent>,
        request_id: Option<String>,
    },
}

/// The trail of `request` (and of `assignment`, when it has one).
#[component]
pub fn Trail(request: Guid, assignment: Option<Guid>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    let read = async move {
        if !audit::available_in(config.cloud) {
            return Shown::Notice("trail-not-in-cloud", Msg::TrailNotInCloud);
        }
        let graph = Endpoint::of(&config);
        let mut events = Vec::new();
        let mut request_id = None;
        for target in std::iter::once(&request).chain(assignment.as_ref()) {
            match audit_events(&auth, &graph, target).await {
                Ok((found, rid)) => {
                    events.extend(found);
                    request_id = request_id.or(rid);
                }
                // Not allowed yet, or a token without the permissions (Graph names them).
                Err(GraphFailure::Auth(AuthError::ConsentNeeded(_))) => {
                    return Shown::NeedsConsent;
                }
                Err(GraphFailure::Graph(e))
                    if e.code == "Authentication_MSGraphPermissionMissing" =>
                {
                    return Shown::NeedsConsent;
                }
                Err(f) if unreadable_here(&f) => {
                    return Shown::Notice("trail-no-role", Msg::TrailNoRole);
                }
                Err(f) => return Shown::Failed(f),
            }
        }
        let trail = audit::trail(events);
        if trail.is_empty() {
            return Shown::Notice("trail-empty", Msg::TrailEmpty);
        }
        Shown::Events { trail, request_id }
    };
    let shown = load(read);
    view! {
        <section class="trail" aria-labelledby="trail-title" data-testid="trail">
            <h2 id="trail-title">{t(Msg::TrailTitle)}</h2>
            {move || shown.with(|s| match s {
                None => view! { <p role="status">{t(Msg::Loading)}</p> }.into_any(),
                Some(Shown::Notice(id, msg)) => view! { <p class="notice" data-testid=*id>{t(*msg)}</p> }.into_any(),
                Some(Shown::NeedsConsent) => view! { <ConsentForActions keep=Callback::new(|()| ()) permission=Permission::Audit /> }.into_any(),
                Some(Shown::Failed(f)) => view! { <GraphProblem failure=f.clone() /> }.into_any(),
                Some(Shown::Events { trail, request_id }) => events_view(trail, request_id.as_deref()).into_any(),
            })}
        </section>
    }
}

fn events_view(trail: &[AuditEvent], request_id: Option<&str>) -> impl IntoView + use<> {
    // Data-driven: one view type for every cell (a smaller wasm than distinct cells).
    let head = [
        Msg::Timestamp,
        Msg::ColActivity,
        Msg::ColResult,
        Msg::ColReason,
        Msg::ColInitiatedBy,
    ]
    .map(|m| view! { <th scope="col">{t(m)}</th> });
    let rows = trail
        .iter()
        .map(|e| {
            // The result is a word, never a colour alone.
            let cells = [
                crate::intl::date_time(e.time),
                e.activity.clone(),
                crate::labels::audit_result(&e.result),
                e.reason.clone(),
                e.initiator.clone(),
            ]
            .map(|text| view! { <td>{text}</td> });
            view! { <tr data-testid="trail-event" data-result=e.result.clone()>{cells.into_iter().collect_view()}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="trail-title">
            <table class="trail-events" data-testid="trail-events">
                <thead><tr>{head.into_iter().collect_view()}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="muted" data-testid="trail-request-id">
            {tf(Msg::TrailReadId, &[("id", request_id.unwrap_or("—"))])}
        </p>
    }
}

/// Whether `failure` says the account cannot read the audit log: Graph refuses it (403),
/// as it does an account without a reading role.
fn unreadable_here(failure: &GraphFailure) -> bool {
    matches!(failure, GraphFailure::Graph(e) if e.status == 403)
}
