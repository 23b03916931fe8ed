//! `/requests/:id`: every property of a request, its callouts, its assignment, and each
//! action with whether it applies and why not.

use leptos::prelude::*;

use crate::actions::{Action, stage_for_extension};
use crate::clock::now_utc;
use crate::components::actions::{ReprocessAction, ResumeForm};
use crate::components::detail::{item_view, load_item};
use crate::components::list::SignedIn;
use crate::components::trail::Trail;
use crate::config::{Cloud, Config};
use crate::graph::models::{Callout, Request};
use crate::graph::resources::Collection;
use crate::i18n::{Msg, t};
use crate::labels;
use crate::router::RouteId;
use crate::rules::{
    Refusal, Standing, WaitingCallout, can_reprocess_request, reprocess_took_effect,
    reprocess_window,
};
use crate::state::directory::use_policies;

/// The page of request `id` (as typed in the address: a malformed one is reported, never
/// sent).
#[component]
pub fn RequestPage(id: RouteId) -> impl IntoView {
    view! {
        <section class="detail-page">
            <p><a href="requests">{t(Msg::BackToRequests)}</a></p>
            <SignedIn><RequestDetail id=id.clone() /></SignedIn>
        </section>
    }
}

#[component]
fn RequestDetail(id: RouteId) -> impl IntoView {
    let data = load_item(Collection::Requests, &id);
    item_view(data, Msg::NotARequestId, id, |json| {
        let cloud = expect_context::<Config>().cloud;
        view! { <RequestView request=Request::from_json(&json) cloud=cloud /> }.into_any()
    })
}

#[component]
fn RequestView(request: Request, cloud: Cloud) -> impl IntoView {
    let now = now_utc();
    let window = reprocess_window(&request.state, request.completed, now);
    // The rules table decides; the page only shows its answer.
    let reprocess = can_reprocess_request(&request.id, &request.state, request.completed, now);
    let resume = if cloud != Cloud::Global {
        Err(Refusal::ResumeNotInCloud)
    } else if request.id.guid().is_none() {
        Err(Refusal::MalformedId)
    } else {
        request
            .waiting_callout()
            .cloned()
            .ok_or(Refusal::NotWaiting)
    };
    let title = request
        .requestor
        .as_ref()
        .map(|s| s.display_name.clone())
        .unwrap_or_else(|| request.id.to_string());
    let r = request.clone();
    // Data-driven rows: one view type for every property (a smaller wasm than a long
    // static tree of distinct elements).
    let package = r.package.clone();
    let packages = crate::state::directory::use_packages();
    // (label, test id, value, Graph's raw value when the value is its label)
    let plain = |label, id, value: String| (label, id, value, None);
    let enumerated =
        |label, id, value: String, raw: &str| (label, id, value, Some(raw.to_string()));
    let properties: Vec<(&'static str, &'static str, String, Option<String>)> = vec![
        plain("id", "request-id", r.id.to_string()),
        plain(
            t(Msg::ColRequestor),
            "request-requestor",
            r.requestor
                .as_ref()
                .map(|s| format!("{} <{}>", s.display_name, s.email))
                .unwrap_or_default(),
        ),
        enumerated(
            t(Msg::ColType),
            "request-type",
            labels::request_type(&r.request_type),
            &r.request_type,
        ),
        enumerated(
            t(Msg::ColState),
            "request-state",
            labels::state(&r.state),
            &r.state,
        ),
        enumerated(
            t(Msg::ColStatus),
            "request-status",
            labels::status(&r.status),
            &r.status,
        ),
        plain(
            t(Msg::ColCreated),
            "request-created",
            crate::intl::date_time(r.created),
        ),
        plain(
            t(Msg::ColCompleted),
            "request-completed",
            crate::intl::date_time(r.completed),
        ),
        plain(t(Msg::ColWindow), "request-window", window.label()),
        plain(
            t(Msg::Schedule),
            "request-schedule",
            format!(
                "{} → {}",
                crate::intl::date_time(r.schedule.start),
                crate::intl::date_time(r.schedule.end)
            ),
        ),
        plain(
            t(Msg::Justification),
            "request-justification",
            r.justification.clone(),
        ),
    ];
    view! {
        <h1 data-testid="request-title">{title}</h1>
        <dl class="properties" data-testid="request-properties">
            {properties.into_iter().map(|(label, id, value, raw)| view! { <dt>{label}</dt><dd data-testid=id title=raw.clone() data-value=raw>{value}</dd> }).collect_view()}
            <dt>{t(Msg::ColPackage)}</dt>
            <dd data-testid="request-package">{move || crate::components::packages::package_cell(package.as_ref(), packages)}</dd>
            <dt>{t(Msg::Assignment)}</dt>
            // Linked only when the id is one: a malformed id is shown, never put in a path.
            <dd>{r.assignment_id.clone().map(|a| match a.guid() {
                Some(g) => view! { <a href=format!("assignments/{g}")>{g.to_string()}</a> }.into_any(),
                None => view! { <code>{a.to_string()}</code> }.into_any(),
            })}</dd>
        </dl>
        {r.id.guid().cloned().map(|id| view! { <Trail request=id assignment=r.assignment_id.as_ref().and_then(|a| a.guid().cloned()) /> })}
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
                    <tr><td><code>{c.id.clone()}</code></td><td title=c.status.clone() data-value=c.status.clone()>{labels::callout_status(&c.status)}</td><td>{c.detail.clone()}</td><td><code>{c.correlation_id.clone()}</code></td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2>{t(Msg::Actions)}</h2>
        <section class="action" data-action="reprocess" aria-labelledby="action-reprocess">
            <h3 id="action-reprocess">{t(Msg::ActionReprocess)}</h3>
            {match reprocess {
                Ok(guid) => {
                    let (id, state, completed) = (r.id.clone(), r.state.clone(), r.completed);
                    let recheck = Callback::new(move |()| can_reprocess_request(&id, &state, completed, now_utc()).map(drop));
                    let before = Standing::of(&r);
                    let verdict = Callback::new(move |json: serde_json::Value| {
                        reprocess_took_effect(&before, &Standing::of(&Request::from_json(&json)))
                    });
                    view! {
                        <p data-testid="reprocess-applies">{t(Msg::ActionApplies)}</p>
                        <ReprocessAction action=Action::ReprocessRequest id=guid recheck=recheck verdict=verdict />
                    }.into_any()
                }
                Err(why) => view! { <p class="why-not" data-testid="reprocess-why-not">{why.message()}</p> }.into_any(),
            }}
        </section>
        <section class="action" data-action="resume" aria-labelledby="action-resume">
            <h3 id="action-resume">{t(Msg::ActionResume)}</h3>
            {match resume {
                Ok(callout) => view! { <ResumeSection request=r.clone() callout=callout /> }.into_any(),
                Err(why) => view! { <p class="why-not" data-testid="resume-why-not">{why.message()}</p> }.into_any(),
            }}
        </section>
    }
}

/// The resume form, once the stage the request waits at has been looked up in its
/// assignment policy (the admin chooses when the policy cannot tell).
#[component]
fn ResumeSection(request: Request, callout: Callout) -> impl IntoView {
    // The request may have no assignment yet (waiting at assignmentRequestCreated), so the
    // stage comes from the policies of its access package (read once a session).
    let policies = request
        .package
        .as_ref()
        .and_then(|p| p.id.guid().cloned())
        .map(|p| use_policies(&p));
    let extension = callout.custom_extension_id.clone();
    // None while the policies load; then the stage, if they tell it.
    let stage = move || match policies {
        None => Some(None),
        Some(p) => p.with(|list| {
            list.as_deref()
                .map(|list| stage_for_extension(list, &extension))
        }),
    };
    move || {
        stage().map(|stage| {
            let waiting = WaitingCallout {
                instance_id: callout.id.clone(),
                stage,
                state: request.state.clone(),
                request_type: request.request_type.clone(),
            };
            request.id.guid().cloned().map(|id| {
                view! {
                    <ResumeForm id=id status=request.status.clone() waiting=waiting />
                }
            })
        })
    }
}
