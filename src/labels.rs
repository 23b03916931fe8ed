//! Graph's enum values as an admin reads them: "Delivery failed" for `deliveryFailed` (or
//! beta's `DeliveryFailed`), in the language in use. The raw value stays available beside
//! the label (as its title), for admins who search the documentation with it. A value
//! the catalog does not know (Graph's enums grow; `status` is an open string) is shown as
//! it is.
//!
//! ```
//! use access_desk::labels::state;
//! assert_eq!(state("DeliveryFailed"), "Delivery failed");
//! assert_eq!(state("somethingNew"), "somethingNew");
//! ```

use crate::actions::Stage;
use crate::i18n::{Msg, t};
use crate::query::Preset;

fn label(raw: &str, table: &[(&str, Msg)]) -> String {
    table
        .iter()
        .find(|(value, _)| value.eq_ignore_ascii_case(raw))
        .map_or_else(|| raw.to_string(), |(_, msg)| t(*msg).to_string())
}

const STATES: [(&str, Msg); 10] = [
    ("submitted", Msg::StateSubmitted),
    ("pendingApproval", Msg::StatePendingApproval),
    ("delivering", Msg::StateDelivering),
    ("delivered", Msg::StateDelivered),
    ("deliveryFailed", Msg::StateDeliveryFailed),
    ("denied", Msg::StateDenied),
    ("scheduled", Msg::StateScheduled),
    ("canceled", Msg::StateCanceled),
    ("partiallyDelivered", Msg::StatePartiallyDelivered),
    ("expired", Msg::StateExpired),
];

/// A request's or an assignment's state.
pub fn state(raw: &str) -> String {
    label(raw, &STATES)
}

/// A state inside a sentence: its label with Graph's value beside it ("Pending approval
/// (pendingApproval)"), or the value alone when the catalog does not know it.
pub fn state_with_code(raw: &str) -> String {
    let shown = state(raw);
    if shown == raw {
        shown
    } else {
        crate::i18n::tf(Msg::LabelWithCode, &[("label", &shown), ("code", raw)])
    }
}

/// A status: Graph's free string, which mostly repeats the state, or says what the request
/// waits for.
pub fn status(raw: &str) -> String {
    const MORE: [(&str, Msg); 3] = [
        ("WaitingForCallback", Msg::StatusWaitingForCallback),
        ("Accepted", Msg::StatusAccepted),
        ("PendingApprovalNotificationSent", Msg::StatePendingApproval),
    ];
    match MORE.iter().find(|(v, _)| v.eq_ignore_ascii_case(raw)) {
        Some((_, msg)) => t(*msg).to_string(),
        None => state(raw),
    }
}

/// A request's type.
pub fn request_type(raw: &str) -> String {
    label(
        raw,
        &[
            ("userAdd", Msg::TypeUserAdd),
            ("userUpdate", Msg::TypeUserUpdate),
            ("userRemove", Msg::TypeUserRemove),
            ("adminAdd", Msg::TypeAdminAdd),
            ("adminUpdate", Msg::TypeAdminUpdate),
            ("adminRemove", Msg::TypeAdminRemove),
            ("systemAdd", Msg::TypeSystemAdd),
            ("systemUpdate", Msg::TypeSystemUpdate),
            ("systemRemove", Msg::TypeSystemRemove),
            ("onBehalfAdd", Msg::TypeOnBehalfAdd),
        ],
    )
}

/// A custom-extension callout's status.
pub fn callout_status(raw: &str) -> String {
    label(
        raw,
        &[
            ("calloutSent", Msg::CalloutSent),
            ("callbackReceived", Msg::CalloutCallbackReceived),
            ("calloutFailed", Msg::CalloutFailed),
            ("callbackTimedOut", Msg::CalloutTimedOut),
            ("waitingForCallback", Msg::StatusWaitingForCallback),
        ],
    )
}

/// A custom-extension stage, as the admin center names it.
pub fn stage(s: Stage) -> &'static str {
    t(match s {
        Stage::Created => Msg::StageCreated,
        Stage::Approved => Msg::StageApproved,
        Stage::Granted => Msg::StageGranted,
        Stage::Removed => Msg::StageRemoved,
    })
}

/// A ready-made view of the requests list.
pub fn preset(p: Preset) -> &'static str {
    t(match p {
        Preset::Attention => Msg::PresetAttention,
        Preset::Waiting => Msg::PresetWaiting,
        Preset::FailedOld => Msg::PresetFailedOld,
        Preset::Recent => Msg::PresetRecent,
        Preset::Stuck => Msg::PresetStuck,
        Preset::Deadline => Msg::PresetDeadline,
    })
}

/// An audit event's `result` (`success`, `failure`, `timeout`).
pub fn audit_result(raw: &str) -> String {
    label(
        raw,
        &[
            ("success", Msg::ResultSuccess),
            ("failure", Msg::ResultFailure),
            ("timeout", Msg::ResultTimeout),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_a_list_offers_has_a_label() {
        for s in crate::query::REQUEST_STATES
            .iter()
            .chain(crate::query::ASSIGNMENT_STATES.iter())
        {
            assert_ne!(state(s), *s, "{s}");
        }
        assert_eq!(status("waitingforcallback"), "Waiting for callback");
        assert_eq!(request_type("UserAdd"), "User requests access");
        assert_eq!(request_type("unknownFutureValue"), "unknownFutureValue");
        assert_eq!(callout_status("callbackTimedOut"), "Callback timed out");
    }
}
