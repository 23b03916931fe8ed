use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn the_window_is_open_up_to_and_including_14_days_and_closed_after() {
    let done = at("2026-11-01T10:00:00Z");
    let now_13_99 = done + Duration::days(14) - Duration::minutes(15);
    let now_14 = done + Duration::days(14);
    let now_14_01 = done + Duration::days(14) + Duration::minutes(15);
    assert!(reprocess_window("deliveryFailed", Some(done), now_13_99).is_open());
    assert!(reprocess_window("deliveryFailed", Some(done), now_14).is_open());
    assert_eq!(
        reprocess_window("deliveryFailed", Some(done), now_14_01),
        Window::Closed(Duration::minutes(15))
    );
}

#[test]
fn only_failed_and_partial_requests_have_a_window_in_any_casing() {
    let done = at("2026-11-01T10:00:00Z");
    let now = at("2026-11-02T10:00:00Z");
    for s in [
        "deliveryFailed",
        "DeliveryFailed",
        "PARTIALLYDELIVERED",
        "partiallyDelivered",
    ] {
        assert!(reprocess_window(s, Some(done), now).is_open(), "{s}");
    }
    for s in ["delivered", "Delivered", "denied", "pendingApproval", ""] {
        assert_eq!(
            reprocess_window(s, Some(done), now),
            Window::NotApplicable,
            "{s}"
        );
    }
    assert_eq!(
        reprocess_window("deliveryFailed", None, now),
        Window::NotApplicable
    );
}

const ID: &str = "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b";

/// [`ID`] as the rules give it back for the request's URL.
fn guid() -> Guid {
    Guid::parse(ID).expect("a GUID")
}
const INSTANCE: &str = "957d0c50-466b-4840-bb5b-c92cea7141ff";

#[test]
fn reprocess_request_at_13_99_and_14_01_days_in_every_casing() {
    let done = at("2026-11-01T00:00:00Z");
    let day = |d: f64| done + Duration::seconds((d * 86_400.0) as i64);
    for state in [
        "deliveryFailed",
        "DeliveryFailed",
        "partiallyDelivered",
        "PartiallyDelivered",
        "DELIVERYFAILED",
    ] {
        assert_eq!(
            can_reprocess_request(&ID.into(), state, Some(done), day(13.99)),
            Ok(guid()),
            "{state}"
        );
        assert_eq!(
            can_reprocess_request(&ID.into(), state, Some(done), day(14.01)),
            Err(Refusal::WindowClosed),
            "{state}"
        );
    }
    for state in [
        "delivered",
        "Delivered",
        "pendingApproval",
        "denied",
        "canceled",
        "delivering",
    ] {
        assert_eq!(
            can_reprocess_request(&ID.into(), state, Some(done), day(1.0)),
            Err(Refusal::NotFailed),
            "{state}"
        );
    }
    assert_eq!(
        can_reprocess_request(&ID.into(), "deliveryFailed", None, day(1.0)),
        Err(Refusal::NotCompleted)
    );
    for bad in [
        "",
        "not-a-guid",
        "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b/x",
        "D82EB508",
    ] {
        assert_eq!(
            can_reprocess_request(&bad.into(), "deliveryFailed", Some(done), day(1.0)),
            Err(Refusal::MalformedId),
            "{bad}"
        );
    }
}

fn waiting(stage: Option<Stage>) -> WaitingCallout {
    WaitingCallout {
        instance_id: INSTANCE.into(),
        stage,
        state: String::new(),
        request_type: "userAdd".into(),
    }
}

fn waiting_in(state: &str, request_type: &str) -> WaitingCallout {
    WaitingCallout {
        state: state.into(),
        request_type: request_type.into(),
        ..waiting(None)
    }
}

#[test]
fn the_stage_comes_from_the_state_when_the_policy_does_not_pin_it() {
    use Stage::*;
    let stages = |state: &str, ty: &str| waiting_in(state, ty).possible_stages();
    assert_eq!(stages("submitted", "userAdd"), [Created]);
    assert_eq!(stages("PendingApproval", "UserAdd"), [Created]);
    assert_eq!(stages("delivering", "adminAdd"), [Approved]);
    assert_eq!(stages("scheduled", "userAdd"), [Approved]);
    assert_eq!(stages("delivered", "userAdd"), [Granted]);
    assert_eq!(stages("Delivered", "AdminRemove"), [Removed]);
    assert_eq!(stages("delivered", "systemRemove"), [Removed]);
    // A state the table does not know: the admin chooses among all of them.
    assert_eq!(
        stages("unknownFutureValue", "userAdd"),
        [Created, Approved, Granted, Removed]
    );
    // The policy, when it pins the stage, wins.
    let pinned = WaitingCallout {
        stage: Some(Approved),
        ..waiting_in("delivered", "userAdd")
    };
    assert_eq!(pinned.possible_stages(), [Approved]);
    assert_eq!(waiting_in("delivered", "userAdd").likely_stage(), Granted);
    assert!(waiting_in("delivered", "userAdd").stage_is_certain());
    assert!(!waiting_in("unknownFutureValue", "userAdd").stage_is_certain());
    assert_eq!(
        waiting_states(),
        [
            "submitted",
            "pendingApproval",
            "delivering",
            "scheduled",
            "delivered"
        ]
    );
}

#[test]
fn a_stage_the_state_rules_out_is_refused_before_anything_is_sent() {
    let w = waiting_in("delivered", "userAdd");
    let created = ResumeBody::continue_at(Stage::Created, INSTANCE, "Access Desk", "");
    assert_eq!(
        can_resume(Cloud::Global, ID, "WaitingForCallback", Some(&w), &created),
        Err(vec![Refusal::StageRuledOut {
            stage: Stage::Created,
            state: "delivered".into()
        }])
    );
    let granted = ResumeBody::continue_at(Stage::Granted, INSTANCE, "Access Desk", "");
    assert_eq!(
        can_resume(Cloud::Global, ID, "WaitingForCallback", Some(&w), &granted),
        Ok(())
    );
    assert!(
        Refusal::StageRuledOut {
            stage: Stage::Created,
            state: "delivered".into()
        }
        .message()
        .contains("assignmentRequestCreated")
    );
}

#[test]
fn reads_tell_whether_an_action_whose_answer_was_lost_took_effect() {
    let done = Some(at("2026-11-22T12:00:00Z"));
    let before = Standing {
        state: "deliveryFailed".into(),
        completed: done,
    };
    let after = |state: &str, completed| Standing {
        state: state.into(),
        completed,
    };
    assert_eq!(
        reprocess_took_effect(&before, &after("delivering", done)),
        Verdict::Acted
    );
    assert_eq!(
        reprocess_took_effect(&before, &after("Delivered", done)),
        Verdict::Acted
    );
    assert_eq!(
        reprocess_took_effect(
            &before,
            &after("deliveryFailed", Some(at("2026-11-23T00:00:00Z")))
        ),
        Verdict::Acted,
        "failed again, later"
    );
    assert_eq!(
        reprocess_took_effect(&before, &after("DeliveryFailed", done)),
        Verdict::Untouched
    );
    assert_eq!(
        reprocess_took_effect(&before, &after("canceled", done)),
        Verdict::Unclear
    );
    assert_eq!(
        reprocess_took_effect(&Standing::default(), &after("deliveryFailed", done)),
        Verdict::Unclear,
        "nothing to compare with"
    );
    assert_eq!(
        assignment_reprocess_took_effect("Delivering"),
        Verdict::Acted
    );
    assert_eq!(
        assignment_reprocess_took_effect("delivered"),
        Verdict::Unclear
    );
    let waiting = crate::graph::models::Request::from_json(&serde_json::json!({
        "status": "WaitingForCallback",
        "customExtensionCalloutInstances": [{ "id": INSTANCE, "status": "waitingForCallback" }],
    }));
    assert_eq!(resume_took_effect(INSTANCE, &waiting), Verdict::Untouched);
    let moved_on =
        crate::graph::models::Request::from_json(&serde_json::json!({ "status": "Delivered" }));
    assert_eq!(resume_took_effect(INSTANCE, &moved_on), Verdict::Acted);
    // The same callout, in upper case: still waiting, not acted on.
    let shouting = crate::graph::models::Request::from_json(&serde_json::json!({
        "status": "WaitingForCallback",
        "customExtensionCalloutInstances": [
            { "id": INSTANCE.to_uppercase(), "status": "WaitingForCallback" }],
    }));
    assert_eq!(resume_took_effect(INSTANCE, &shouting), Verdict::Untouched);
    // The request waits again, at a later stage's callout: the one answered moved on.
    let next_stage = crate::graph::models::Request::from_json(&serde_json::json!({
        "status": "WaitingForCallback",
        "customExtensionCalloutInstances": [
            { "id": INSTANCE, "status": "callbackReceived" },
            { "id": "0e60f18c-b2a0-4887-9da8-da2e30a39d99", "status": "waitingForCallback" },
        ],
    }));
    assert_eq!(resume_took_effect(INSTANCE, &next_stage), Verdict::Acted);
}

#[test]
fn a_read_that_cannot_be_compared_is_unclear_never_untouched_or_acted() {
    let done = Some(at("2026-11-22T12:00:00Z"));
    let failed = |completed| Standing {
        state: "deliveryFailed".into(),
        completed,
    };
    // Completed earlier than before: not the reprocess's doing (Graph moves forward).
    assert_eq!(
        reprocess_took_effect(&failed(done), &failed(Some(at("2026-11-21T12:00:00Z")))),
        Verdict::Unclear
    );
    // A completion time missing on either side cannot be compared.
    assert_eq!(
        reprocess_took_effect(&failed(None), &failed(done)),
        Verdict::Unclear
    );
    assert_eq!(
        reprocess_took_effect(&failed(done), &failed(None)),
        Verdict::Unclear
    );
    // The state before is unknown: even the same completion time proves nothing.
    let unknown_before = Standing {
        state: String::new(),
        completed: done,
    };
    assert_eq!(
        reprocess_took_effect(&unknown_before, &failed(done)),
        Verdict::Unclear
    );
    // Partially delivered again, later: it ran.
    let partial = Standing {
        state: "PartiallyDelivered".into(),
        completed: Some(at("2026-11-23T00:00:00Z")),
    };
    assert_eq!(
        reprocess_took_effect(&failed(done), &partial),
        Verdict::Acted
    );
}

#[test]
fn resume_at_each_stage_continue_always_deny_only_early() {
    // Deny only at created and approved (shared/reference/README.md's decision).
    for (stage, deny_allowed) in [
        (Stage::Created, true),
        (Stage::Approved, true),
        (Stage::Granted, false),
        (Stage::Removed, false),
    ] {
        let w = waiting(Some(stage));
        let go = ResumeBody::continue_at(stage, INSTANCE, "Access Desk", "ok");
        assert_eq!(
            can_resume(Cloud::Global, ID, "WaitingForCallback", Some(&w), &go),
            Ok(()),
            "{stage:?}"
        );
        let deny = ResumeBody::deny_at(stage, INSTANCE, "Access Desk", "no");
        let expected = if deny_allowed {
            Ok(())
        } else {
            Err(vec![Refusal::DenyNotAtStage(stage)])
        };
        assert_eq!(
            can_resume(Cloud::Global, ID, "waitingforcallback", Some(&w), &deny),
            expected,
            "{stage:?}"
        );
    }
}

#[test]
fn resume_only_in_the_global_cloud() {
    let body = ResumeBody::continue_at(Stage::Created, INSTANCE, "Access Desk", "");
    for cloud in [Cloud::UsGovL4, Cloud::UsGovL5Dod, Cloud::China] {
        assert_eq!(
            can_resume(cloud, ID, "WaitingForCallback", Some(&waiting(None)), &body),
            Err(vec![Refusal::ResumeNotInCloud])
        );
    }
}

#[test]
fn resume_reports_every_field_problem_at_once() {
    let mut body = ResumeBody::deny_at(Stage::Granted, "not-a-guid", "  ", "");
    let problems = can_resume(
        Cloud::Global,
        ID,
        "WaitingForCallback",
        Some(&waiting(Some(Stage::Created))),
        &body,
    )
    .unwrap_err();
    assert_eq!(
        problems,
        vec![
            Refusal::InstanceIdNotGuid,
            Refusal::StageMismatch {
                waiting: Stage::Created
            },
            Refusal::DenyNotAtStage(Stage::Granted),
            Refusal::SourceEmpty,
        ]
    );
    body = ResumeBody::continue_at(
        Stage::Created,
        "00000000-0000-4000-8000-000000000000",
        &"x".repeat(257),
        "",
    );
    assert_eq!(
        can_resume(
            Cloud::Global,
            ID,
            "WaitingForCallback",
            Some(&waiting(None)),
            &body
        ),
        Err(vec![Refusal::SourceTooLong])
    );
    // 256 characters is the longest source taken, counted in characters, not bytes.
    for source in ["x".repeat(256), "é".repeat(256)] {
        let at_limit = ResumeBody::continue_at(Stage::Created, INSTANCE, &source, "");
        assert_eq!(
            can_resume(
                Cloud::Global,
                ID,
                "WaitingForCallback",
                Some(&waiting(None)),
                &at_limit
            ),
            Ok(())
        );
    }
    // Another instance id is a warning to confirm, not a refusal.
    assert!(instance_differs(&waiting(None), &body));
    body.instance_id = waiting(None).instance_id.to_uppercase();
    assert!(!instance_differs(&waiting(None), &body));
    assert_eq!(
        can_resume(
            Cloud::Global,
            ID,
            "WaitingForCallback",
            Some(&waiting(None)),
            &body
        ),
        Err(vec![Refusal::SourceTooLong])
    );
    assert_eq!(
        can_resume(
            Cloud::Global,
            ID,
            "Delivered",
            Some(&waiting(None)),
            &ResumeBody::continue_at(Stage::Created, INSTANCE, "s", "")
        ),
        Err(vec![Refusal::NotWaiting])
    );
    assert_eq!(
        can_resume(
            Cloud::Global,
            "x",
            "WaitingForCallback",
            None,
            &ResumeBody::continue_at(Stage::Created, INSTANCE, "s", "")
        ),
        Err(vec![Refusal::MalformedId])
    );
}

#[test]
fn reprocess_assignment_only_when_delivered_in_either_version() {
    for state in ["delivered", "Delivered"] {
        assert_eq!(can_reprocess_assignment(&ID.into(), state), Ok(guid()));
    }
    for state in [
        "delivering",
        "partiallyDelivered",
        "expired",
        "DeliveryFailed",
        "",
    ] {
        assert_eq!(
            can_reprocess_assignment(&ID.into(), state),
            Err(Refusal::NotDelivered),
            "{state}"
        );
    }
    assert_eq!(
        can_reprocess_assignment(&"nope".into(), "delivered"),
        Err(Refusal::MalformedId)
    );
}

#[test]
fn every_refusal_has_a_sentence() {
    for r in [
        Refusal::MalformedId,
        Refusal::NotFailed,
        Refusal::NotCompleted,
        Refusal::WindowClosed,
        Refusal::NotWaiting,
        Refusal::ResumeNotInCloud,
        Refusal::InstanceIdNotGuid,
        Refusal::StageMismatch {
            waiting: Stage::Approved,
        },
        Refusal::DenyNotAtStage(Stage::Removed),
        Refusal::SourceEmpty,
        Refusal::SourceTooLong,
        Refusal::NotDelivered,
    ] {
        assert!(r.message().len() > 20, "{r:?}");
    }
    assert!(
        Refusal::DenyNotAtStage(Stage::Removed)
            .message()
            .contains("assignmentRequestRemoved")
    );
}

#[test]
fn labels_count_days_and_hours() {
    let done = at("2026-11-01T10:00:00Z");
    let label = |now: &str| reprocess_window("deliveryFailed", Some(done), at(now)).label();
    assert_eq!(label("2026-11-04T09:00:00Z"), "11 days left");
    assert_eq!(label("2026-11-14T09:00:00Z"), "25 hours left");
    assert_eq!(label("2026-11-15T05:00:00Z"), "5 hours left");
    assert_eq!(label("2026-11-15T09:00:00Z"), "1 hour left");
    assert_eq!(label("2026-11-15T09:30:00Z"), "30 minutes left");
    assert_eq!(label("2026-11-17T11:00:00Z"), "closed 2 days ago");
    assert_eq!(label("2026-11-15T13:00:00Z"), "closed 3 hours ago");
}
