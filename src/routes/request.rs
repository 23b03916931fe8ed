//! `/requests/:id`: every property of a request, its callouts, its assignment, and each
//! action with whether it applies and why not.

use leptos::prelude::*;

use crate::auth::Auth;
use crate::components::graph_problem::GraphProblem;
use crate::components::list::{SignedIn, when};
use crate::components::load::load;
use crate::config::{Cloud, Config, GraphVersion};
use crate::graph::models::Request;
use crate::graph::{em_url, get_json};
use crate::i18n::{Msg, t};
use crate::ids::is_guid;
use crate::rules::{Window, reprocess_window};

/// The page of request `id` (as typed in the address: a malformed one is reported, never
/// sent).
#[component]
pub fn RequestPage(id: String) -> impl IntoView {
    view! {
        <section class="detail-page">
            <p><a href="requests">{t(Msg::BackToRequests)}</a></p>
            <SignedIn><RequestDetail id=id.clone() /></SignedIn>
        </section>
    }
}

#[component]
fn RequestDetail(id: String) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    let expand = match config.graph_version {
        GraphVersion::V1 => "accessPackage($expand=catalog),requestor,assignment",
        GraphVersion::Beta => {
            "accessPackage($expand=accessPackageCatalog),requestor,accessPackageAssignment"
        }
    };
    let cfg = config.clone();
    let shown_id = id.clone();
    let data = load(async move {
        // A malformed id never reaches a URL.
        if !is_guid(&id) {
            return None;
        }
        let url = format!(
            "{}/{id}?$expand={expand}",
            em_url(&cfg, "assignmentRequests")
        );
        Some(get_json(&auth, &url).await)
    });
    view! {
            {move || match data.get() {
                None => view! { <p role="status">{t(Msg::Loading)}</p> }.into_any(),
                Some(None) => view! { <p class="notice warn" role="alert" data-testid="bad-id">{t(Msg::NotARequestId)} " " <code>{shown_id.clone()}</code></p> }.into_any(),
                Some(Some(Err(e))) => view! { <GraphProblem failure=e /> }.into_any(),
                Some(Some(Ok(json))) => view! { <RequestView request=Request::from_json(&json) cloud=config.cloud /> }.into_any(),
            }}
    }
}

#[component]
fn RequestView(request: Request, cloud: Cloud) -> impl IntoView {
    let now =
        chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    let window = reprocess_window(&request.state, request.completed, now);
    let reprocess_reason = match window {
        Window::Open(_) => None,
        Window::Closed(_) => Some(t(Msg::WhyNotReprocessWindow)),
        Window::NotApplicable => Some(t(Msg::WhyNotReprocessState)),
    };
    let resume_reason = if cloud != Cloud::Global {
        Some(t(Msg::ResumeUnavailableCloud))
    } else if request.waiting_callout().is_none() {
        Some(t(Msg::WhyNotResumeNotWaiting))
    } else {
        None
    };
    let title = request
        .requestor
        .as_ref()
        .map(|s| s.display_name.clone())
        .unwrap_or_else(|| request.id.clone());
    let r = request.clone();
    // Data-driven rows: one view type for every property (a smaller wasm than a long
    // static tree of distinct elements).
    let package = r
        .package
        .as_ref()
        .map(|p| match &p.catalog {
            Some(c) => format!("{} ({c})", p.display_name),
            None => p.display_name.clone(),
        })
        .unwrap_or_default();
    let properties: Vec<(&'static str, &'static str, String)> = vec![
        ("id", "request-id", r.id.clone()),
        (t(Msg::ColPackage), "request-package", package),
        (
            t(Msg::ColRequestor),
            "request-requestor",
            r.requestor
                .as_ref()
                .map(|s| format!("{} <{}>", s.display_name, s.email))
                .unwrap_or_default(),
        ),
        (t(Msg::ColType), "request-type", r.request_type.clone()),
        (t(Msg::ColState), "request-state", r.state.clone()),
        (t(Msg::ColStatus), "request-status", r.status.clone()),
        (t(Msg::ColCreated), "request-created", when(r.created)),
        (t(Msg::ColCompleted), "request-completed", when(r.completed)),
        (t(Msg::ColWindow), "request-window", window.label()),
        (
            t(Msg::Schedule),
            "request-schedule",
            format!("{} → {}", when(r.schedule.start), when(r.schedule.end)),
        ),
        (
            t(Msg::Justification),
            "request-justification",
            r.justification.clone(),
        ),
    ];
    view! {
        <h1 data-testid="request-title">{title}</h1>
        <dl class="properties" data-testid="request-properties">
            {properties.into_iter().map(|(label, id, value)| view! { <dt>{label}</dt><dd data-testid=id>{value}</dd> }).collect_view()}
            <dt>{t(Msg::Assignment)}</dt>
            <dd>{r.assignment_id.clone().map(|a| view! { <a href=format!("assignments/{a}")>{a.clone()}</a> })}</dd>
        </dl>
        <h2>{t(Msg::Answers)}</h2>
        {if r.answers.is_empty() {
            view! { <p>"—"</p> }.into_any()
        } else {
            view! { <dl class="properties">{r.answers.iter().map(|a| view! { <dt>{a.question.clone()}</dt><dd>{a.value.clone()}</dd> }).collect_view()}</dl> }.into_any()
        }}
        <h2>{t(Msg::Callouts)}</h2>
        <table class="callouts" data-testid="callouts">
            <thead><tr>
                <th scope="col">"id"</th><th scope="col">{t(Msg::ColStatus)}</th>
                <th scope="col">{t(Msg::CalloutDetail)}</th><th scope="col">{t(Msg::CorrelationId)}</th>
            </tr></thead>
            <tbody>
                {r.callouts.iter().map(|c| view! {
                    <tr><td><code>{c.id.clone()}</code></td><td>{c.status.clone()}</td><td>{c.detail.clone()}</td><td><code>{c.correlation_id.clone()}</code></td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2>{t(Msg::Actions)}</h2>
        <ul class="actions" data-testid="actions">
            <li data-action="reprocess">
                <strong>{t(Msg::ActionReprocess)}</strong> ": "
                {match reprocess_reason {
                    None => t(Msg::ActionApplies).to_string(),
                    Some(why) => why.to_string(),
                }}
            </li>
            <li data-action="resume">
                <strong>{t(Msg::ActionResume)}</strong> ": "
                {match resume_reason {
                    None => t(Msg::ActionApplies).to_string(),
                    Some(why) => why.to_string(),
                }}
            </li>
        </ul>
    }
}
