//! The actions: reprocess of a request or an assignment, and resume of a request waiting
//! at a custom extension. Each is checked, then queued to act after the action delay.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::super::{Call, Caller, Effect, GraphError, Reply, truncate};
use super::{REPROCESS_WINDOW_DAYS, Set, check_catalog, find_existing, package_of};
use crate::Shared;
use crate::data::audit::Actor;
use crate::data::{AsgState, Data, Queued, ReqState, Stage};

pub(super) fn act(
    s: &Shared,
    caller: &Caller,
    call: &Call,
    set: Set,
    id: &str,
    action: &str,
) -> Result<Reply, GraphError> {
    let resume_exists = crate::cloud::has_resume(s.options.cloud);
    match (set, action) {
        (Set::Requests, "reprocess") | (Set::Assignments, "reprocess") => {}
        (Set::Requests, "resume") if resume_exists => {}
        _ => return Err(GraphError::segment(action)),
    }
    if !caller.can_write() {
        return Err(GraphError::forbidden(
            "Insufficient privileges to complete the operation: writing needs the EntitlementManagement.ReadWrite.All permission.",
        ));
    }
    let now = s.clock.now();
    let mut d = s.data.write().expect("data");
    let i = find_existing(&d, set, id)?;
    if let Some(p) = package_of(&d, set, i) {
        check_catalog(&d, caller, p)?;
    }
    match (set, action) {
        (Set::Requests, "reprocess") => {
            let r = &d.requests[i];
            if !matches!(
                r.state,
                ReqState::DeliveryFailed | ReqState::PartiallyDelivered
            ) {
                return Err(GraphError::bad_request(format!(
                    "The request cannot be reprocessed: its state is {}. Only requests in the deliveryFailed or partiallyDelivered state can be reprocessed.",
                    r.state.v1()
                )));
            }
            match r.completed {
                Some(done) if now - done <= Duration::days(REPROCESS_WINDOW_DAYS) => {}
                Some(done) => {
                    return Err(GraphError::bad_request(format!(
                        "The request cannot be reprocessed: it completed at {}, more than {REPROCESS_WINDOW_DAYS} days ago. Cancel it and ask the user to submit a new request.",
                        crate::clock::iso(done)
                    )));
                }
                None => {
                    return Err(GraphError::bad_request(
                        "The request cannot be reprocessed: it has not completed.",
                    ));
                }
            }
            Ok(accepted(
                s,
                caller,
                &mut d,
                Queued::ReprocessRequest(i),
                now,
            ))
        }
        (Set::Assignments, "reprocess") => {
            let a = &d.assignments[i];
            if a.state != AsgState::Delivered {
                return Err(GraphError::bad_request(format!(
                    "The assignment cannot be reprocessed: its state is {}. Only delivered assignments can be reprocessed.",
                    a.state.v1()
                )));
            }
            Ok(accepted(
                s,
                caller,
                &mut d,
                Queued::ReprocessAssignment(i),
                now,
            ))
        }
        _ => {
            let queued = resume(&d, i, call)?;
            Ok(accepted(s, caller, &mut d, queued, now))
        }
    }
}

/// An action Graph accepted: queued to act after the action delay (at once when it is 0),
/// answered 202 (reprocess) or 204 (resume) now. The caller initiates its audit events.
fn accepted(
    s: &Shared,
    caller: &Caller,
    d: &mut Data,
    action: Queued,
    now: DateTime<Utc>,
) -> Reply {
    let status = match action {
        Queued::Resume { .. } => StatusCode::NO_CONTENT,
        _ => StatusCode::ACCEPTED,
    };
    let delay_ms = s.action_delay_ms();
    let at = now + Duration::milliseconds(delay_ms);
    let by = d
        .subject_by_object_id(&caller.oid)
        .map_or(Actor::App, |i| Actor::User(i as u32));
    d.queue_by(action, at, by);
    d.settle(now);
    Reply {
        effect: Some(Effect { at, delay_ms }),
        ..Reply::empty(status)
    }
}

const STAGE_TYPE_PREFIX: &str = "microsoft.graph.accessPackageCustomExtensionStage.";

/// Validates a resume as it is accepted; what it will do, once its time comes.
fn resume(d: &Data, i: usize, call: &Call) -> Result<Queued, GraphError> {
    let body: Value = serde_json::from_slice(&call.body).map_err(|e| {
        GraphError::bad_request(format!("The request body is not valid JSON: {e}."))
    })?;
    let obj = body.as_object().ok_or_else(|| {
        GraphError::bad_request(
            "The request body must be a JSON object with source, type and data.",
        )
    })?;
    for k in obj.keys() {
        if !["source", "type", "data"].contains(&k.as_str()) {
            return Err(GraphError::bad_request(format!(
                "The property '{}' does not exist on the resume action's parameters (source, type, data).",
                truncate(k)
            )));
        }
    }
    if let Some(src) = obj.get("source")
        && !src.is_string()
    {
        return Err(GraphError::bad_request("'source' must be a string."));
    }
    let ty = obj
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::bad_request("The parameter 'type' is required."))?;
    let type_stage = ty
        .strip_prefix(STAGE_TYPE_PREFIX)
        .and_then(Stage::parse)
        .ok_or_else(|| {
            GraphError::bad_request(format!(
                "'type' must be {STAGE_TYPE_PREFIX}<stage> with one of the request stages assignmentRequestCreated, assignmentRequestApproved, assignmentRequestGranted, assignmentRequestRemoved; got '{}'.",
                truncate(ty)
            ))
        })?;
    let data = obj
        .get("data")
        .and_then(Value::as_object)
        .ok_or_else(|| GraphError::bad_request("The parameter 'data' is required."))?;
    for k in data.keys() {
        if ![
            "@odata.type",
            "stage",
            "customExtensionStageInstanceId",
            "customExtensionStageInstanceDetail",
            "state",
        ]
        .contains(&k.as_str())
        {
            return Err(GraphError::bad_request(format!(
                "The property '{}' does not exist on type 'microsoft.graph.accessPackageAssignmentRequestCallbackData'.",
                truncate(k)
            )));
        }
    }
    let odata_type = data
        .get("@odata.type")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !matches!(
        odata_type.trim_start_matches('#'),
        "microsoft.graph.accessPackageAssignmentRequestCallbackData"
            | "microsoft.graph.assignmentRequestApprovalStageCallbackData"
    ) {
        return Err(GraphError::bad_request(
            "data must carry \"@odata.type\": \"microsoft.graph.accessPackageAssignmentRequestCallbackData\" (customExtensionData is abstract).",
        ));
    }
    let data_stage = data
        .get("stage")
        .and_then(Value::as_str)
        .and_then(Stage::parse)
        .ok_or_else(|| {
            GraphError::bad_request("data.stage is required and must be one of the request stages.")
        })?;
    if data_stage != type_stage {
        return Err(GraphError::bad_request(format!(
            "data.stage ({}) does not agree with type ({}).",
            data_stage.name(),
            type_stage.name()
        )));
    }
    let instance = data
        .get("customExtensionStageInstanceId")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            GraphError::bad_request("data.customExtensionStageInstanceId is required.")
        })?;
    let detail = match data.get("customExtensionStageInstanceDetail") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => {
            return Err(GraphError::bad_request(
                "data.customExtensionStageInstanceDetail must be a string.",
            ));
        }
    };
    let deny = match data.get("state") {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("denied") => true,
        Some(other) => {
            return Err(GraphError::bad_request(format!(
                "data.state can only be \"denied\" (omit it to continue); got {}.",
                truncate(&other.to_string())
            )));
        }
    };
    // A well-formed callback that does not fit the request (not waiting, another callout
    // instance, another stage): the service reports it without a word (docs-contrib issue
    // 8687: code UnknownError, empty message; the status is not stated there, 400 taken).
    let r = &d.requests[i];
    let fits = r
        .waiting_callout()
        .is_some_and(|w| w.id.eq_ignore_ascii_case(instance) && w.stage == data_stage);
    if !fits {
        return Err(GraphError::unknown_resume_failure());
    }
    if deny && !matches!(data_stage, Stage::Created | Stage::Approved) {
        return Err(GraphError::bad_request(format!(
            "A request can be denied only at the assignmentRequestCreated or assignmentRequestApproved stage, not at {}.",
            data_stage.name()
        )));
    }
    Ok(Queued::Resume {
        request: i,
        instance: instance.to_string(),
        stage: data_stage,
        deny,
        detail: detail.to_string(),
    })
}
