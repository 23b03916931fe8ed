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
mod tests;
