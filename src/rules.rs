//! What an admin may do with an item, and when, and why not: the one rules table the
//! buttons, the forms and the send path all ask (the send path again just before sending).
//! Sources and the decisions where documents disagree: shared/reference/README.md (the
//! reprocess window is 14 days, the specification's figure; deny only at created or
//! approved; resume in the global cloud only).

use chrono::{DateTime, Duration, Utc};

use crate::actions::{ResumeBody, Stage};
use crate::config::Cloud;
use crate::i18n::{Msg, t, tf};
use crate::ids::{Guid, ObjectId, is_guid};

/// Why an action does not apply. Each has its sentence in the message catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    MalformedId,
    NotFailed,
    NotCompleted,
    WindowClosed,
    NotWaiting,
    ResumeNotInCloud,
    InstanceIdNotGuid,
    StageMismatch {
        waiting: Stage,
    },
    /// The request's state rules this stage out (a delivered request is not waiting at the
    /// stage that runs when a request is created).
    StageRuledOut {
        stage: Stage,
        state: String,
    },
    DenyNotAtStage(Stage),
    SourceEmpty,
    SourceTooLong,
    NotDelivered,
}

/// The longest `source` accepted (it is an audit-trail label).
pub const MAX_SOURCE_CHARS: usize = 256;

impl Refusal {
    /// The sentence the UI shows, verbatim.
    pub fn message(&self) -> String {
        match self {
            Refusal::MalformedId => t(Msg::RuleMalformedId).into(),
            Refusal::NotFailed => t(Msg::RuleNotFailed).into(),
            Refusal::NotCompleted => t(Msg::RuleNotCompleted).into(),
            Refusal::WindowClosed => tf(
                Msg::RuleWindowClosed,
                &[("days", &REPROCESS_WINDOW_DAYS.to_string())],
            ),
            Refusal::NotWaiting => t(Msg::RuleNotWaiting).into(),
            Refusal::ResumeNotInCloud => t(Msg::ResumeUnavailableCloud).into(),
            Refusal::InstanceIdNotGuid => t(Msg::RuleInstanceIdNotGuid).into(),
            Refusal::StageMismatch { waiting } => {
                tf(Msg::RuleStageMismatch, &[("stage", waiting.name())])
            }
            Refusal::StageRuledOut { stage, state } => tf(
                Msg::RuleStageRuledOut,
                &[
                    ("stage", stage.name()),
                    ("state", &crate::labels::state_with_code(state)),
                ],
            ),
            Refusal::DenyNotAtStage(stage) => {
                tf(Msg::RuleDenyNotAtStage, &[("stage", stage.name())])
            }
            Refusal::SourceEmpty => t(Msg::RuleSourceEmpty).into(),
            Refusal::SourceTooLong => t(Msg::RuleSourceTooLong).into(),
            Refusal::NotDelivered => t(Msg::RuleNotDelivered).into(),
        }
    }
}

/// Reprocess a request: deliveryFailed or partiallyDelivered (any casing, v1.0 `state` or
/// beta `requestState`), completed at most 14 days ago.
///
/// Gives the id for the request's URL: a malformed one is refused first.
pub fn can_reprocess_request(
    id: &ObjectId,
    state: &str,
    completed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Guid, Refusal> {
    let id = id.guid().ok_or(Refusal::MalformedId)?;
    if !is_reprocessable_state(state) {
        return Err(Refusal::NotFailed);
    }
    match reprocess_window(state, completed, now) {
        Window::Open(_) => Ok(id.clone()),
        Window::Closed(_) => Err(Refusal::WindowClosed),
        Window::NotApplicable => Err(Refusal::NotCompleted),
    }
}

/// The waiting callout of a request, as far as the rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingCallout {
    pub instance_id: String,
    /// Worked out from the policy's customExtensionStageSettings, when it pins it.
    pub stage: Option<Stage>,
    /// The request's state and type, which rule out the stages it cannot wait at.
    pub state: String,
    pub request_type: String,
}

impl WaitingCallout {
    /// The stages the request can be waiting at: the one the policy pins, else those its
    /// state allows ([`stages_for_state`]); every stage when the state is not one the
    /// table knows (the form then asks the admin).
    pub fn possible_stages(&self) -> Vec<Stage> {
        if let Some(s) = self.stage {
            return vec![s];
        }
        let by_state = stages_for_state(&self.state, &self.request_type);
        if by_state.is_empty() {
            Stage::ALL.to_vec()
        } else {
            by_state
        }
    }

    /// The stage the form starts with: the policy's, else the first its state allows.
    pub fn likely_stage(&self) -> Stage {
        self.possible_stages()
            .first()
            .copied()
            .unwrap_or(Stage::Created)
    }

    /// Whether the stage is known rather than chosen: pinned by the policy, or the only
    /// one the request's state allows.
    pub fn stage_is_certain(&self) -> bool {
        self.possible_stages().len() == 1
    }
}

/// Resume a request (continue or deny), checking every field of the form; all problems
/// are returned so each can be shown next to its field.
pub fn can_resume(
    cloud: Cloud,
    id: &str,
    status: &str,
    waiting: Option<&WaitingCallout>,
    form: &ResumeBody,
) -> Result<(), Vec<Refusal>> {
    if cloud != Cloud::Global {
        return Err(vec![Refusal::ResumeNotInCloud]);
    }
    if !is_guid(id) {
        return Err(vec![Refusal::MalformedId]);
    }
    let Some(waiting) = waiting.filter(|_| status.eq_ignore_ascii_case("WaitingForCallback"))
    else {
        return Err(vec![Refusal::NotWaiting]);
    };
    let mut problems = Vec::new();
    if !is_guid(&form.instance_id) {
        problems.push(Refusal::InstanceIdNotGuid);
    }
    if let Some(stage) = waiting.stage
        && stage != form.stage
    {
        problems.push(Refusal::StageMismatch { waiting: stage });
    } else if !waiting.possible_stages().contains(&form.stage) {
        problems.push(Refusal::StageRuledOut {
            stage: form.stage,
            state: waiting.state.clone(),
        });
    }
    if form.deny && !form.stage.can_deny() {
        problems.push(Refusal::DenyNotAtStage(form.stage));
    }
    let source = form.source.trim();
    if source.is_empty() {
        problems.push(Refusal::SourceEmpty);
    } else if source.chars().count() > MAX_SOURCE_CHARS {
        problems.push(Refusal::SourceTooLong);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Whether the form's instance id is not the waiting callout's. Not a refusal: Microsoft's
/// documents never say that `customExtensionStageInstanceId` is the callout instance's id,
/// so the admin is warned and asked to confirm instead.
pub fn instance_differs(waiting: &WaitingCallout, form: &ResumeBody) -> bool {
    !form.instance_id.eq_ignore_ascii_case(&waiting.instance_id)
}

/// Reprocess an assignment: delivered (v1.0 `state` or beta `assignmentState`, any casing).
/// Gives the id for the assignment's URL.
pub fn can_reprocess_assignment(id: &ObjectId, state: &str) -> Result<Guid, Refusal> {
    let id = id.guid().ok_or(Refusal::MalformedId)?;
    if state.eq_ignore_ascii_case("delivered") {
        Ok(id.clone())
    } else {
        Err(Refusal::NotDelivered)
    }
}

/// Where a request stands when a custom extension at each stage waits for its callback
/// (README "Stage from state"; the custom-extension guide and the
/// `accessPackageCustomExtensionStage` enum): at *created* the request was just submitted,
/// before any approval; at *approved* it was approved and is not delivered yet (delivering,
/// or scheduled for a later start); at *granted* an add request was delivered; at
/// *removed* a remove request was delivered. An assumption, not a documented rule: Microsoft
/// documents the stages and the states, never which state goes with which stage. The sandbox
/// seeds and enforces the same table, so tests that resume against it agree by construction;
/// only a real tenant can confirm it (Graph answers a wrong stage `UnknownError`, no message).
const STAGE_STATES: [(Stage, &[&str], Kind); 4] = [
    (Stage::Created, &["submitted", "pendingApproval"], Kind::Any),
    (Stage::Approved, &["delivering", "scheduled"], Kind::Any),
    (Stage::Granted, &["delivered"], Kind::Add),
    (Stage::Removed, &["delivered"], Kind::Remove),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Any,
    Add,
    Remove,
}

/// `userRemove`, `adminRemove`, `systemRemove`: requests that take access away.
pub fn is_remove_request(request_type: &str) -> bool {
    request_type.to_ascii_lowercase().ends_with("remove")
}

/// The stages a request in `state` (any casing) of type `request_type` can be waiting at,
/// in the order of the request's life.
pub fn stages_for_state(state: &str, request_type: &str) -> Vec<Stage> {
    let remove = is_remove_request(request_type);
    STAGE_STATES
        .iter()
        .filter(|(_, states, kind)| {
            states.iter().any(|s| s.eq_ignore_ascii_case(state))
                && match kind {
                    Kind::Any => true,
                    Kind::Add => !remove,
                    Kind::Remove => remove,
                }
        })
        .map(|(stage, _, _)| *stage)
        .collect()
}

/// Every state in which a request can be waiting for a callback at some stage: a view of
/// waiting requests asks Graph for these states only (Graph documents no filter on the
/// status).
pub fn waiting_states() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (_, states, _) in STAGE_STATES {
        for s in states {
            if !out.contains(s) {
                out.push(s);
            }
        }
    }
    out
}

/// How a request stood at one moment: its state (v1.0 casing) and when it completed.
/// Compared before and after an action whose answer was lost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub state: String,
    pub completed: Option<DateTime<Utc>>,
}

impl Standing {
    pub fn of(r: &crate::graph::models::Request) -> Standing {
        Standing {
            state: r.state.clone(),
            completed: r.completed,
        }
    }
}

/// What a read says of an action whose answer was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It took effect.
    Acted,
    /// Provably not acted on: the request stands exactly as before.
    Untouched,
    /// The read cannot tell.
    Unclear,
}

/// Did a reprocess take effect? Reprocessing moves a failed request to delivering, then
/// to delivered or failed again with a new completion time; a request still failed with
/// the same completion time was not touched.
pub fn reprocess_took_effect(before: &Standing, after: &Standing) -> Verdict {
    let is = |s: &str| after.state.eq_ignore_ascii_case(s);
    if is("delivering") || is("delivered") {
        return Verdict::Acted;
    }
    if !is_reprocessable_state(&after.state) || before.state.is_empty() {
        return Verdict::Unclear;
    }
    match (before.completed, after.completed) {
        (Some(b), Some(a)) if a == b => Verdict::Untouched,
        (Some(b), Some(a)) if a > b => Verdict::Acted,
        _ => Verdict::Unclear,
    }
}

/// Did a resume take effect? The callout it answered is no longer waiting: the request's
/// status moved on, or another callout (a later stage) waits now.
pub fn resume_took_effect(instance_id: &str, after: &crate::graph::models::Request) -> Verdict {
    match after.waiting_callout() {
        Some(c) if c.id.eq_ignore_ascii_case(instance_id) => Verdict::Untouched,
        _ => Verdict::Acted,
    }
}

/// Did an assignment reprocess take effect? Delivering again says so; delivered cannot
/// tell (it may have been delivered again already).
pub fn assignment_reprocess_took_effect(after_state: &str) -> Verdict {
    if after_state.eq_ignore_ascii_case("delivering") {
        Verdict::Acted
    } else {
        Verdict::Unclear
    }
}

/// Reprocessing a request is possible this long after it completed.
pub const REPROCESS_WINDOW_DAYS: i64 = 14;

/// States whose requests can be reprocessed (compared without regard to case: v1.0 says
/// `deliveryFailed`, beta `DeliveryFailed`).
pub const REPROCESSABLE_STATES: [&str; 2] = ["deliveryFailed", "partiallyDelivered"];

pub fn is_reprocessable_state(state: &str) -> bool {
    REPROCESSABLE_STATES
        .iter()
        .any(|s| s.eq_ignore_ascii_case(state))
}

/// Where a request stands with respect to the reprocess window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// Failed or partially delivered, completed at most 14 days ago: this much time is left.
    Open(Duration),
    /// Failed or partially delivered, but the window closed this long ago.
    Closed(Duration),
    /// The state is not one that can be reprocessed, or it has not completed.
    NotApplicable,
}

/// The window of a request in `state`, completed at `completed`, seen at `now`.
pub fn reprocess_window(
    state: &str,
    completed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Window {
    let Some(done) = completed.filter(|_| is_reprocessable_state(state)) else {
        return Window::NotApplicable;
    };
    let closes = done + Duration::days(REPROCESS_WINDOW_DAYS);
    if now <= closes {
        Window::Open(closes - now)
    } else {
        Window::Closed(now - closes)
    }
}

impl Window {
    pub fn is_open(self) -> bool {
        matches!(self, Window::Open(_))
    }

    /// "11 days left", "5 hours left", "closed 2 days ago", or "—", in the language in use
    /// (the durations by the browser's `Intl`).
    pub fn label(self) -> String {
        use crate::i18n::{Msg, tf};
        use crate::intl::duration;
        match self {
            Window::Open(left) => tf(Msg::WindowLeft, &[("duration", &duration(left))]),
            Window::Closed(ago) => tf(Msg::WindowClosedAgo, &[("duration", &duration(ago))]),
            Window::NotApplicable => "—".into(),
        }
    }
}

#[cfg(test)]
mod tests {
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
}
