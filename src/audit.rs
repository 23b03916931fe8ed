//! Why a request failed: its events in the Microsoft Entra audit log (Graph's
//! `directoryAudit`), read into one trail.
//!
//! Entitlement management writes an event as a request moves (created, approved, ready to
//! fulfil, fulfilled, failed, reprocessed, resumed), each naming the request and its
//! assignment among its `targetResources`. A delivery failure carries the resource
//! provider's reason in `resultReason` ("the group was not found", "the call timed out").
//!
//! ```
//! use access_desk::audit::{last_failure, trail};
//! let events = [serde_json::json!({
//!     "id": "a", "activityDateTime": "2026-12-01T10:05:00Z", "result": "failure",
//!     "activityDisplayName": "Failed access package assignment request",
//!     "resultReason": "The group 'Finance' was not found in the directory.",
//! })];
//! let t = trail(events);
//! assert_eq!(last_failure(&t).map(|e| e.reason.as_str()), Some("The group 'Finance' was not found in the directory."));
//! ```

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::config::Cloud;
use crate::graph::models::parse_utc;

/// How many events a page of a trail asks for: a request has a handful, so one page is
/// the rule.
pub const PAGE: u32 = 50;

/// One event of a request's trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: String,
    pub time: Option<DateTime<Utc>>,
    /// `activityDisplayName`, in English as Graph writes it.
    pub activity: String,
    /// `result`: `success`, `failure`, `timeout` (or a value added later).
    pub result: String,
    /// `resultReason`: why it failed or timed out (Graph may fill it on success too).
    pub reason: String,
    /// Who or what started it: the user's principal name (or name), else the app's name.
    pub initiator: String,
}

impl AuditEvent {
    pub fn from_json(v: &Value) -> AuditEvent {
        let text = |v: &Value, k: &str| v[k].as_str().unwrap_or("").to_string();
        let by = &v["initiatedBy"];
        let initiator = [
            &by["user"]["userPrincipalName"],
            &by["user"]["displayName"],
            &by["app"]["displayName"],
        ]
        .into_iter()
        .find_map(|n| n.as_str().filter(|n| !n.is_empty()))
        .unwrap_or("")
        .to_string();
        AuditEvent {
            id: text(v, "id"),
            time: v["activityDateTime"].as_str().and_then(parse_utc),
            activity: text(v, "activityDisplayName"),
            result: text(v, "result"),
            reason: text(v, "resultReason"),
            initiator,
        }
    }

    /// Whether the activity did not succeed (`failure` or `timeout`).
    pub fn failed(&self) -> bool {
        matches!(self.result.as_str(), "failure" | "timeout")
    }
}

/// The trail of a request from the events read for it and for its assignment: each event
/// once (an event naming both is read twice), newest first.
pub fn trail(events: impl IntoIterator<Item = Value>) -> Vec<AuditEvent> {
    let mut trail: Vec<AuditEvent> = Vec::new();
    for e in events.into_iter().map(|v| AuditEvent::from_json(&v)) {
        if e.id.is_empty() || !trail.iter().any(|t| t.id == e.id) {
            trail.push(e);
        }
    }
    // Stable: events of one instant keep Graph's order.
    crate::sort::sort_by(&mut trail, |a, b| b.time.cmp(&a.time));
    trail
}

/// The newest failure of a trail (newest first), with a reason to show.
pub fn last_failure(trail: &[AuditEvent]) -> Option<&AuditEvent> {
    trail.iter().find(|e| e.failed() && !e.reason.is_empty())
}

/// Whether Microsoft Graph offers the audit log in `cloud`. The List directoryAudits page
/// names the global service and the US Government clouds only; the strictest reading
/// leaves China out.
pub fn available_in(cloud: Cloud) -> bool {
    cloud != Cloud::China
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(id: &str, at: &str, activity: &str, result: &str, reason: &str) -> Value {
        json!({
            "id": id, "activityDateTime": at, "activityDisplayName": activity,
            "result": result, "resultReason": reason, "category": "EntitlementManagement",
            "initiatedBy": {"user": null, "app": {"appId": null, "displayName": "Entitlement management"}},
        })
    }

    #[test]
    fn a_trail_reads_graphs_events_once_each_newest_first() {
        let request = [
            event(
                "a",
                "2026-12-01T10:00:00Z",
                "User requests access package assignment",
                "success",
                "",
            ),
            event(
                "c",
                "2026-12-01T10:05:00.1234567Z",
                "Fulfill access package assignment request",
                "failure",
                "The group 'Finance' was not found.",
            ),
        ];
        // The assignment's read finds the failure again, and one more event.
        let assignment = [
            event(
                "c",
                "2026-12-01T10:05:00.1234567Z",
                "Fulfill access package assignment request",
                "failure",
                "The group 'Finance' was not found.",
            ),
            event(
                "b",
                "2026-12-01T10:01:00Z",
                "Ready to fulfill access package assignment request",
                "success",
                "",
            ),
        ];
        let t = trail(request.into_iter().chain(assignment));
        assert_eq!(
            t.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["c", "b", "a"]
        );
        assert_eq!(t[0].initiator, "Entitlement management");
        assert!(t[0].failed() && !t[1].failed());
        assert_eq!(
            last_failure(&t).map(|e| e.reason.as_str()),
            Some("The group 'Finance' was not found.")
        );
    }

    #[test]
    fn the_initiator_is_the_user_before_the_app() {
        let mut v = event("x", "2026-12-01T10:00:00Z", "Reprocess", "success", "");
        v["initiatedBy"]["user"] = json!({"id": "u", "displayName": "Adele Vance", "userPrincipalName": "admin@contoso.com"});
        assert_eq!(AuditEvent::from_json(&v).initiator, "admin@contoso.com");
        v["initiatedBy"]["user"]["userPrincipalName"] = Value::Null;
        assert_eq!(AuditEvent::from_json(&v).initiator, "Adele Vance");
    }

    #[test]
    fn a_success_or_a_failure_without_reason_is_no_last_failure() {
        let t = trail([
            event(
                "b",
                "2026-12-02T00:00:00Z",
                "Fulfill access package assignment",
                "success",
                "",
            ),
            event(
                "a",
                "2026-12-01T00:00:00Z",
                "Fulfill access package assignment request",
                "timeout",
                "",
            ),
        ]);
        assert_eq!(last_failure(&t), None);
        let t = trail([event(
            "a",
            "2026-12-01T00:00:00Z",
            "x",
            "timeout",
            "The resource provider timed out.",
        )]);
        assert_eq!(last_failure(&t).map(|e| e.id.as_str()), Some("a"));
    }

    #[test]
    fn the_audit_log_is_read_where_graph_offers_it() {
        assert!(available_in(Cloud::Global));
        assert!(available_in(Cloud::UsGovL4) && available_in(Cloud::UsGovL5Dod));
        assert!(!available_in(Cloud::China));
    }
}
