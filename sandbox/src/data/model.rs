//! The tenant's model: requests, assignments and what they refer to (subjects, catalogs,
//! packages, policies, custom extensions and their callouts), version-neutral.

use chrono::{DateTime, Utc};

/// `accessPackageRequestState` (v1.0 enum; beta's `requestState` is the PascalCase string).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReqState {
    Submitted,
    PendingApproval,
    Delivering,
    Delivered,
    DeliveryFailed,
    Denied,
    Scheduled,
    Canceled,
    PartiallyDelivered,
}

impl ReqState {
    pub const ALL: [ReqState; 9] = [
        ReqState::Submitted,
        ReqState::PendingApproval,
        ReqState::Delivering,
        ReqState::Delivered,
        ReqState::DeliveryFailed,
        ReqState::Denied,
        ReqState::Scheduled,
        ReqState::Canceled,
        ReqState::PartiallyDelivered,
    ];

    /// The v1.0 enum member name.
    pub fn v1(self) -> &'static str {
        match self {
            ReqState::Submitted => "submitted",
            ReqState::PendingApproval => "pendingApproval",
            ReqState::Delivering => "delivering",
            ReqState::Delivered => "delivered",
            ReqState::DeliveryFailed => "deliveryFailed",
            ReqState::Denied => "denied",
            ReqState::Scheduled => "scheduled",
            ReqState::Canceled => "canceled",
            ReqState::PartiallyDelivered => "partiallyDelivered",
        }
    }

    /// The status string that normally goes with the state.
    pub fn default_status(self) -> &'static str {
        match self {
            ReqState::Submitted => "Accepted",
            ReqState::PendingApproval => "PendingApproval",
            ReqState::Delivering => "Delivering",
            ReqState::Delivered => "Delivered",
            ReqState::DeliveryFailed => "DeliveryFailed",
            ReqState::Denied => "Denied",
            ReqState::Scheduled => "Scheduled",
            ReqState::Canceled => "Canceled",
            ReqState::PartiallyDelivered => "PartiallyDelivered",
        }
    }
}

/// `accessPackageAssignmentState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsgState {
    Delivering,
    PartiallyDelivered,
    Delivered,
    Expired,
    DeliveryFailed,
}

impl AsgState {
    pub const ALL: [AsgState; 5] = [
        AsgState::Delivering,
        AsgState::PartiallyDelivered,
        AsgState::Delivered,
        AsgState::Expired,
        AsgState::DeliveryFailed,
    ];

    pub fn v1(self) -> &'static str {
        match self {
            AsgState::Delivering => "delivering",
            AsgState::PartiallyDelivered => "partiallyDelivered",
            AsgState::Delivered => "delivered",
            AsgState::Expired => "expired",
            AsgState::DeliveryFailed => "deliveryFailed",
        }
    }

    pub fn default_status(self) -> &'static str {
        match self {
            AsgState::Delivering => "Delivering",
            AsgState::PartiallyDelivered => "PartiallyDelivered",
            AsgState::Delivered => "Delivered",
            AsgState::Expired => "Expired",
            AsgState::DeliveryFailed => "DeliveryFailed",
        }
    }
}

/// The request-level `accessPackageCustomExtensionStage` members a callback can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Created,
    Approved,
    Granted,
    Removed,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Created,
        Stage::Approved,
        Stage::Granted,
        Stage::Removed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Created => "assignmentRequestCreated",
            Stage::Approved => "assignmentRequestApproved",
            Stage::Granted => "assignmentRequestGranted",
            Stage::Removed => "assignmentRequestRemoved",
        }
    }

    /// Enum members compare case-insensitively (the resume page's own deny example sends
    /// `AssignmentRequestCreated`).
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL
            .into_iter()
            .find(|st| st.name().eq_ignore_ascii_case(s))
    }
}

/// `customExtensionCalloutInstanceStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalloutStatus {
    CalloutSent,
    CallbackReceived,
    CalloutFailed,
    CallbackTimedOut,
    WaitingForCallback,
}

impl CalloutStatus {
    pub fn name(self) -> &'static str {
        match self {
            CalloutStatus::CalloutSent => "calloutSent",
            CalloutStatus::CallbackReceived => "callbackReceived",
            CalloutStatus::CalloutFailed => "calloutFailed",
            CalloutStatus::CallbackTimedOut => "callbackTimedOut",
            CalloutStatus::WaitingForCallback => "waitingForCallback",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Subject {
    pub id: String,
    pub object_id: String,
    pub display_name: String,
    pub email: String,
    pub principal_name: String,
}

#[derive(Clone, Debug)]
pub struct Catalog {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub created: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct Package {
    pub id: String,
    pub catalog: usize,
    pub display_name: String,
    pub description: String,
    pub hidden: bool,
    pub created: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct Extension {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub created: DateTime<Utc>,
    pub created_by: String,
    pub subscription_id: String,
    pub workflow_name: String,
    /// `callbackConfiguration.timeoutDuration` (ISO 8601), for an extension that waits for a
    /// callback; the documented range is 5 minutes to 14 days.
    pub timeout: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub struct StageSetting {
    pub id: String,
    pub stage: Stage,
    pub extension: usize,
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub id: String,
    pub package: usize,
    pub display_name: String,
    pub description: String,
    pub requires_approval: bool,
    pub stage_settings: Vec<StageSetting>,
    pub created: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct Callout {
    pub id: String,
    pub extension: usize,
    pub stage: Stage,
    pub status: CalloutStatus,
    pub detail: String,
    pub correlation_id: String,
}

#[derive(Clone, Debug)]
pub struct Answer {
    pub question: String,
    pub value: String,
}

/// Work the service is doing in the background, finished on the sandbox clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub since: DateTime<Utc>,
    pub fails: bool,
    /// The correlation id of the processing run that delivers (its audit events share it).
    pub correlation: u128,
}

#[derive(Clone, Debug)]
pub struct Request {
    pub id: String,
    pub package: usize,
    pub policy: usize,
    pub requestor: usize,
    pub request_type: &'static str,
    pub state: ReqState,
    pub status: String,
    pub created: DateTime<Utc>,
    pub completed: Option<DateTime<Utc>>,
    pub justification: String,
    pub answers: Vec<Answer>,
    pub schedule_start: DateTime<Utc>,
    pub schedule_end: Option<DateTime<Utc>>,
    pub assignment: Option<usize>,
    pub callouts: Vec<Callout>,
    /// Delivery fails again for a seeded broken target.
    pub broken: bool,
    /// Why its delivery failed (failed and partially delivered requests): the audit log's
    /// `resultReason`; a reason that says a retry fails again goes with `broken`.
    pub reason: Option<super::audit::Reason>,
    pub approvers: Vec<String>,
    pub delivery: Option<Delivery>,
}

impl Request {
    /// The callout this request waits on, if its status is WaitingForCallback.
    pub fn waiting_callout(&self) -> Option<&Callout> {
        if !self.status.eq_ignore_ascii_case("WaitingForCallback") {
            return None;
        }
        self.callouts
            .iter()
            .find(|c| c.status == CalloutStatus::WaitingForCallback)
    }
}

#[derive(Clone, Debug)]
pub struct Assignment {
    pub id: String,
    pub package: usize,
    pub policy: usize,
    pub target: usize,
    pub state: AsgState,
    pub status: String,
    pub expired: Option<DateTime<Utc>>,
    pub schedule_start: DateTime<Utc>,
    pub schedule_end: Option<DateTime<Utc>>,
    pub callouts: Vec<Callout>,
    pub delivery: Option<Delivery>,
}

/// Seconds of an ISO 8601 duration of days, hours, minutes and seconds (`P14D`, `PT12H`,
/// `P1DT6H`, `PT10M`), as `callbackConfiguration.timeoutDuration` carries it.
pub fn duration_secs(iso: &str) -> Option<i64> {
    let rest = iso.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut total = 0i64;
    let mut take = |part: &str, units: &[(char, i64)]| -> Option<()> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
            } else {
                let (_, secs) = units.iter().find(|(u, _)| *u == c)?;
                total += num.parse::<i64>().ok()? * secs;
                num.clear();
            }
        }
        num.is_empty().then_some(())
    };
    take(days, &[('D', 86_400)])?;
    take(time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    (rest != "T" && !rest.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations_of_callback_timeouts() {
        assert_eq!(duration_secs("P14D"), Some(14 * 86_400));
        assert_eq!(duration_secs("PT12H"), Some(12 * 3_600));
        assert_eq!(duration_secs("P1DT6H30M"), Some(86_400 + 6 * 3_600 + 1_800));
        assert_eq!(duration_secs("PT10M"), Some(600));
        for bad in ["14D", "P", "PT", "P3X", "P3", "PTD"] {
            assert_eq!(duration_secs(bad), None, "{bad}");
        }
    }
}
