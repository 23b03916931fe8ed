//! The tenant's Entra audit log of entitlement management: what the service writes while it
//! processes an access package assignment request, kept compact (indexes into the tenant,
//! GUIDs as numbers) and written out as `directoryAudit` JSON only when it is read
//! (`graph::audit`).
//!
//! Sources (MicrosoftDocs/entra-docs):
//!
//! * `docs/id-governance/entitlement-management-reports.md`, "Determine the status of a
//!   user's request": category `EntitlementManagement`; a new request is `User requests access
//!   package assignment`, a direct assignment `Administrator directly assigns user to access
//!   package`; while it is processed `Auto approve access package assignment request` (no
//!   approval), `Approve access package assignment request`, `Ready to fulfill access package
//!   assignment request`; `Deny access package assignment request`; `Remove access package
//!   assignment` when an assignment is removed.
//! * `docs/identity/monitoring-health/reference-audit-activities.md`, "Entitlement
//!   Management": the other names used here, among them `Fulfill access package assignment
//!   request`, `Partially fulfill access package assignment request` and `Failed access
//!   package assignment request`. The reports page calls the first one `Fulfill access
//!   package assignment`; the reference list, which also names the failures, is followed
//!   (a client that wants both can filter with `startswith`).
//! * No page names an activity for reprocess or resume: `Reprocess access package assignment
//!   request`, `Reprocess access package assignment` and `Resume access package assignment
//!   request` are plain names in the same style, chosen here (sandbox/README.md says so).
//!
//! `loggedByService` is `Entitlement Management` and system steps are initiated by the
//! entitlement-management first-party app (`810dcf14-1858-4bf2-8134-4c369fa3235b`, "Azure AD
//! Identity Governance - Entitlement Management"; the custom-extension Logic App templates
//! check that app id). `operationType` takes the values the directoryAudit resource page
//! lists (`Add`, `Assign`, `Update`, `Unassign`, `Delete`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::seed::PACKAGE_RESOURCES;
use super::{Data, ReqState, Stage};
use crate::ids::Rng;

pub const CATEGORY: &str = "EntitlementManagement";
pub const LOGGED_BY_SERVICE: &str = "Entitlement Management";
/// The entitlement-management first-party application, the initiator of system steps.
pub const APP_ID: &str = "810dcf14-1858-4bf2-8134-4c369fa3235b";
pub const APP_NAME: &str = "Azure AD Identity Governance - Entitlement Management";

/// What an audit event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    UserRequests,
    AdminAssigns,
    UserRequestsRemove,
    AdminRemoves,
    SystemRemoves,
    UserUpdate,
    AutoApprove,
    Approve,
    ReadyToFulfill,
    Schedule,
    Fulfill,
    PartiallyFulfill,
    Failed,
    Deny,
    Cancel,
    Remove,
    ReprocessRequest,
    ReprocessAssignment,
    FulfillResourceAssignment,
    Resume,
}

impl Activity {
    pub const ALL: [Activity; 20] = [
        Activity::UserRequests,
        Activity::AdminAssigns,
        Activity::UserRequestsRemove,
        Activity::AdminRemoves,
        Activity::SystemRemoves,
        Activity::UserUpdate,
        Activity::AutoApprove,
        Activity::Approve,
        Activity::ReadyToFulfill,
        Activity::Schedule,
        Activity::Fulfill,
        Activity::PartiallyFulfill,
        Activity::Failed,
        Activity::Deny,
        Activity::Cancel,
        Activity::Remove,
        Activity::ReprocessRequest,
        Activity::ReprocessAssignment,
        Activity::FulfillResourceAssignment,
        Activity::Resume,
    ];

    /// `activityDisplayName`.
    pub fn name(self) -> &'static str {
        match self {
            Activity::UserRequests => "User requests access package assignment",
            Activity::AdminAssigns => "Administrator directly assigns user to access package",
            Activity::UserRequestsRemove => "User requests to remove access package assignment",
            Activity::AdminRemoves => {
                "Administrator directly removes user access package assignment"
            }
            Activity::SystemRemoves => {
                "Entitlement Management removes access package assignment request for user"
            }
            Activity::UserUpdate => "Create access package assignment user update request",
            Activity::AutoApprove => "Auto approve access package assignment request",
            Activity::Approve => "Approve access package assignment request",
            Activity::ReadyToFulfill => "Ready to fulfill access package assignment request",
            Activity::Schedule => "Schedule a future access package assignment",
            Activity::Fulfill => "Fulfill access package assignment request",
            Activity::PartiallyFulfill => "Partially fulfill access package assignment request",
            Activity::Failed => "Failed access package assignment request",
            Activity::Deny => "Deny access package assignment request",
            Activity::Cancel => "Cancel access package assignment request",
            Activity::Remove => "Remove access package assignment",
            // Not documented: see the module's comment.
            Activity::ReprocessRequest => "Reprocess access package assignment request",
            Activity::ReprocessAssignment => "Reprocess access package assignment",
            Activity::FulfillResourceAssignment => "Fulfill access package resource assignment",
            Activity::Resume => "Resume access package assignment request",
        }
    }

    /// `operationType`, from the values the directoryAudit resource page lists.
    pub fn operation_type(self) -> &'static str {
        match self {
            Activity::UserRequests
            | Activity::AdminAssigns
            | Activity::UserRequestsRemove
            | Activity::AdminRemoves
            | Activity::SystemRemoves
            | Activity::UserUpdate => "Add",
            Activity::Fulfill
            | Activity::PartiallyFulfill
            | Activity::Failed
            | Activity::FulfillResourceAssignment => "Assign",
            Activity::Remove => "Unassign",
            _ => "Update",
        }
    }

    /// The activity that records a new request of `request_type`.
    fn created(request_type: &str) -> Activity {
        match request_type {
            "adminAdd" => Activity::AdminAssigns,
            "userRemove" => Activity::UserRequestsRemove,
            "adminRemove" => Activity::AdminRemoves,
            "systemRemove" => Activity::SystemRemoves,
            "userUpdate" => Activity::UserUpdate,
            _ => Activity::UserRequests,
        }
    }
}

/// Who initiated an event: a user of the tenant (a subject, by index) or the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    User(u32),
    App,
}

/// Why a delivery failed: the `resultReason` of a failed or partial delivery. Three say that
/// a retry fails again (the resource is gone); three are transient. Each request that fails
/// has one, drawn deterministically from its id; a request whose reason is permanent is
/// `broken`, so that a reprocess fails again with the same reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    GroupNotFound,
    SiteDeleted,
    AppMissing,
    GroupTimeout,
    SiteThrottled,
    AppUnavailable,
}

impl Reason {
    pub const PERMANENT: [Reason; 3] = [
        Reason::GroupNotFound,
        Reason::SiteDeleted,
        Reason::AppMissing,
    ];
    pub const TRANSIENT: [Reason; 3] = [
        Reason::GroupTimeout,
        Reason::SiteThrottled,
        Reason::AppUnavailable,
    ];

    /// The reason's name in test control's description of failures.
    pub fn name(self) -> &'static str {
        match self {
            Reason::GroupNotFound => "groupNotFound",
            Reason::SiteDeleted => "siteDeleted",
            Reason::AppMissing => "servicePrincipalMissing",
            Reason::GroupTimeout => "groupTimeout",
            Reason::SiteThrottled => "siteThrottled",
            Reason::AppUnavailable => "applicationUnavailable",
        }
    }

    /// A reprocess fails again for the same reason.
    pub fn retry_fails_again(self) -> bool {
        Reason::PERMANENT.contains(&self)
    }

    /// The kind of resource the reason is about (test control names it).
    pub fn resource_type(self) -> &'static str {
        match self {
            Reason::GroupNotFound | Reason::GroupTimeout => "group",
            Reason::SiteDeleted | Reason::SiteThrottled => "sharePointOnlineSite",
            Reason::AppMissing | Reason::AppUnavailable => "application",
        }
    }

    /// The resource of `package` the reason is about.
    pub fn resource(self, package: usize) -> &'static str {
        let (group, site, app) = PACKAGE_RESOURCES[package % PACKAGE_RESOURCES.len()];
        match self.resource_type() {
            "group" => group,
            "sharePointOnlineSite" => site,
            _ => app,
        }
    }

    /// The `resultReason` for a delivery of `package`.
    pub fn text(self, package: usize) -> String {
        let r = self.resource(package);
        match self {
            Reason::GroupNotFound => {
                format!("The group '{r}' was not found in the directory. It may have been deleted.")
            }
            Reason::SiteDeleted => format!(
                "The SharePoint Online site '{r}' no longer exists. It was deleted or moved to another address."
            ),
            Reason::AppMissing => format!(
                "The application '{r}' has no service principal in this tenant, so its role can't be assigned."
            ),
            Reason::GroupTimeout => {
                format!("The operation timed out while adding the user to the group '{r}'.")
            }
            Reason::SiteThrottled => format!(
                "SharePoint Online throttled the request to grant access to the site '{r}' (429 Too Many Requests)."
            ),
            Reason::AppUnavailable => format!(
                "The application '{r}' was temporarily unavailable while its role was assigned (503 Service Unavailable)."
            ),
        }
    }

    /// The reason of a request id, permanent or not.
    pub fn of(request_id: &str, permanent: bool) -> Reason {
        let list = if permanent {
            Reason::PERMANENT
        } else {
            Reason::TRANSIENT
        };
        list[(fnv(request_id) % 3) as usize]
    }
}

/// FNV-1a of the lower-cased id: the same reason for the same request in every tenant.
fn fnv(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What a resume event says about the callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Callback {
    pub stage: Stage,
    pub deny: bool,
}

/// One audit event.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    pub id: u128,
    pub correlation: u128,
    pub at: DateTime<Utc>,
    pub activity: Activity,
    pub by: Actor,
    pub request: Option<u32>,
    pub assignment: Option<u32>,
    pub package: u32,
    /// The subject the request or assignment is for.
    pub target: u32,
    /// `result` is `failure` with this reason; `success` without.
    pub failure: Option<Reason>,
    pub callback: Option<Callback>,
}

/// The log and its indexes: by id, by time, and by every target an event names (request,
/// assignment, access package, user), so that a filter on one target reads only its events.
#[derive(Clone, Debug)]
pub struct AuditLog {
    events: Vec<Event>,
    /// Event indexes by `(at, index)`: oldest first.
    order: Vec<u32>,
    by_id: HashMap<u128, u32>,
    by_request: Vec<Vec<u32>>,
    by_assignment: Vec<Vec<u32>>,
    by_package: Vec<Vec<u32>>,
    by_subject: Vec<Vec<u32>>,
    rng: Rng,
    /// While seeding, `order` is sorted once at the end.
    bulk: bool,
}

impl Default for AuditLog {
    fn default() -> AuditLog {
        AuditLog::new(0)
    }
}

fn push(index: &mut Vec<Vec<u32>>, at: usize, e: u32) {
    if index.len() <= at {
        index.resize_with(at + 1, Vec::new);
    }
    index[at].push(e);
}

fn slice(index: &[Vec<u32>], at: usize) -> &[u32] {
    index.get(at).map(Vec::as_slice).unwrap_or(&[])
}

impl AuditLog {
    pub fn new(seed: u64) -> AuditLog {
        AuditLog {
            events: Vec::new(),
            order: Vec::new(),
            by_id: HashMap::new(),
            by_request: Vec::new(),
            by_assignment: Vec::new(),
            by_package: Vec::new(),
            by_subject: Vec::new(),
            rng: Rng::new(seed ^ 0xA0D1_7000),
            bulk: false,
        }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn event(&self, i: u32) -> &Event {
        &self.events[i as usize]
    }

    /// Every event index, oldest first.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    pub fn find(&self, id: u128) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    pub fn of_request(&self, i: usize) -> &[u32] {
        slice(&self.by_request, i)
    }

    pub fn of_assignment(&self, i: usize) -> &[u32] {
        slice(&self.by_assignment, i)
    }

    pub fn of_package(&self, i: usize) -> &[u32] {
        slice(&self.by_package, i)
    }

    pub fn of_subject(&self, i: usize) -> &[u32] {
        slice(&self.by_subject, i)
    }

    /// A new correlation id: one per processing run.
    pub fn new_correlation(&mut self) -> u128 {
        self.rng.guid128()
    }

    /// Adds an event (its `id` is drawn here).
    fn record(&mut self, mut e: Event) {
        e.id = self.rng.guid128();
        let k = self.events.len() as u32;
        if let Some(r) = e.request {
            push(&mut self.by_request, r as usize, k);
        }
        if let Some(a) = e.assignment {
            push(&mut self.by_assignment, a as usize, k);
        }
        push(&mut self.by_package, e.package as usize, k);
        push(&mut self.by_subject, e.target as usize, k);
        self.by_id.insert(e.id, k);
        self.events.push(e);
        if !self.bulk {
            let events = &self.events;
            let at = self
                .order
                .partition_point(|&o| events[o as usize].at <= e.at);
            self.order.insert(at, k);
        }
    }

    fn finish_bulk(&mut self) {
        self.bulk = false;
        let events = &self.events;
        let mut order: Vec<u32> = (0..events.len() as u32).collect();
        order.sort_by_key(|&o| (events[o as usize].at, o));
        self.order = order;
    }
}

/// Where a request's seeded history puts its steps.
struct Steps {
    created: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Steps {
    /// `secs` after creation, never after the end.
    fn after(&self, secs: i64) -> DateTime<Utc> {
        (self.created + Duration::seconds(secs)).min(self.end)
    }
}

impl Data {
    /// The subject whose directory object id is `oid` (a signed-in caller).
    pub fn subject_by_object_id(&self, oid: &str) -> Option<usize> {
        self.subjects
            .iter()
            .position(|s| s.object_id.eq_ignore_ascii_case(oid))
    }

    /// An event about request `i` (and its assignment, package and user).
    pub(super) fn audit_request(
        &mut self,
        i: usize,
        activity: Activity,
        by: Actor,
        at: DateTime<Utc>,
        correlation: u128,
        failure: Option<Reason>,
    ) {
        self.audit_request_callback(i, activity, by, at, correlation, failure, None);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn audit_request_callback(
        &mut self,
        i: usize,
        activity: Activity,
        by: Actor,
        at: DateTime<Utc>,
        correlation: u128,
        failure: Option<Reason>,
        callback: Option<Callback>,
    ) {
        let r = &self.requests[i];
        let e = Event {
            id: 0,
            correlation,
            at,
            activity,
            by,
            request: Some(i as u32),
            assignment: r.assignment.map(|a| a as u32),
            package: r.package as u32,
            target: r.requestor as u32,
            failure,
            callback,
        };
        self.audit.record(e);
    }

    /// An event about assignment `i` alone.
    pub(super) fn audit_assignment(
        &mut self,
        i: usize,
        activity: Activity,
        by: Actor,
        at: DateTime<Utc>,
        correlation: u128,
    ) {
        let a = &self.assignments[i];
        let e = Event {
            id: 0,
            correlation,
            at,
            activity,
            by,
            request: None,
            assignment: Some(i as u32),
            package: a.package as u32,
            target: a.target as u32,
            failure: None,
            callback: None,
        };
        self.audit.record(e);
    }

    /// The reason a failed or partially delivered request failed.
    pub fn failure_reason(&self, i: usize) -> Reason {
        let r = &self.requests[i];
        r.reason.unwrap_or_else(|| Reason::of(&r.id, r.broken))
    }

    /// Gives every failed or partially delivered request its reason and writes the history
    /// of every request, from its creation and completion times. A request whose reason
    /// says a retry fails again is `broken` (a reprocess fails again); one that could still
    /// be reprocessed keeps `broken` as generated, so the reason follows it, and one whose
    /// window had closed gets either kind. Draws from a generator of its own, so that no
    /// other id of the tenant changes.
    pub(super) fn seed_audit_log(&mut self, seed: u64, now: DateTime<Utc>, admin: Option<usize>) {
        self.audit = AuditLog::new(seed);
        self.audit.bulk = true;
        // About three and a half events a request: room for them at once.
        let expected = self.requests.len() * 4;
        self.audit.events.reserve(expected);
        self.audit.by_id.reserve(expected);
        self.audit.by_request = vec![Vec::new(); self.requests.len()];
        // Graph reprocesses a request up to 14 days after it completed.
        let window = Duration::days(14);
        for r in &mut self.requests {
            if matches!(
                r.state,
                ReqState::DeliveryFailed | ReqState::PartiallyDelivered
            ) {
                let closed = r.completed.is_some_and(|c| now - c > window);
                let permanent = r.broken || (closed && (fnv(&r.id) / 3).is_multiple_of(3));
                r.broken = permanent;
                r.reason = Some(Reason::of(&r.id, permanent));
            }
        }
        let admin = admin.map_or(Actor::App, |a| Actor::User(a as u32));
        for i in 0..self.requests.len() {
            self.seed_history(i, now, admin);
        }
        self.audit.finish_bulk();
    }

    fn seed_history(&mut self, i: usize, now: DateTime<Utc>, admin: Actor) {
        let c = self.audit.new_correlation();
        let r = &self.requests[i];
        let requestor = Actor::User(r.requestor as u32);
        let steps = Steps {
            created: r.created,
            end: r.completed.unwrap_or(now).max(r.created),
        };
        let created = Activity::created(r.request_type);
        let by = match created {
            Activity::AdminAssigns | Activity::AdminRemoves => admin,
            Activity::SystemRemoves => Actor::App,
            _ if r.request_type == "onBehalfAdd" => admin,
            _ => requestor,
        };
        let (state, completed, remove) = (r.state, r.completed, r.request_type.ends_with("Remove"));
        let approval = self.policies[r.policy].requires_approval && r.request_type != "adminAdd";
        let failure = matches!(
            state,
            ReqState::DeliveryFailed | ReqState::PartiallyDelivered
        )
        .then(|| self.failure_reason(i));
        self.audit_request(i, created, by, steps.created, c, None);
        match state {
            ReqState::Submitted | ReqState::PendingApproval => {}
            ReqState::Canceled => {
                self.audit_request(i, Activity::Cancel, requestor, steps.end, c, None);
            }
            ReqState::Denied => {
                self.audit_request(i, Activity::Deny, admin, steps.end, c, None);
            }
            ReqState::Delivered if remove => {
                self.audit_request(i, Activity::Remove, Actor::App, steps.end, c, None);
            }
            _ => {
                // Approved half-way to the end, or at once without approval.
                let approved = if approval {
                    let half = (steps.end - steps.created) / 2;
                    self.audit_request(i, Activity::Approve, admin, steps.created + half, c, None);
                    steps.created + half
                } else {
                    let t = steps.after(1);
                    self.audit_request(i, Activity::AutoApprove, Actor::App, t, c, None);
                    t
                };
                let ready = (approved + Duration::seconds(1)).min(steps.end);
                self.audit_request(i, Activity::ReadyToFulfill, Actor::App, ready, c, None);
                let last = match state {
                    ReqState::Scheduled => Some(Activity::Schedule),
                    ReqState::Delivered => Some(Activity::Fulfill),
                    ReqState::DeliveryFailed => Some(Activity::Failed),
                    ReqState::PartiallyDelivered => Some(Activity::PartiallyFulfill),
                    _ => None,
                };
                if let Some(a) = last {
                    let at = completed.unwrap_or(ready).max(ready);
                    self.audit_request(i, a, Actor::App, at, c, failure);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::super::test_support::generated;
    use super::*;

    fn names(d: &Data, events: &[u32]) -> Vec<&'static str> {
        events
            .iter()
            .map(|&e| d.audit.event(e).activity.name())
            .collect()
    }

    #[test]
    fn every_failed_request_has_a_reason_of_each_kind_and_a_failure_event() {
        let d = generated(1, 500);
        let mut kinds = (0, 0);
        for (i, r) in d.requests.iter().enumerate() {
            let failed = matches!(
                r.state,
                ReqState::DeliveryFailed | ReqState::PartiallyDelivered
            );
            assert_eq!(r.reason.is_some(), failed, "{}", r.id);
            let Some(reason) = r.reason else { continue };
            assert_eq!(reason.retry_fails_again(), r.broken, "{}", r.id);
            if r.broken {
                kinds.0 += 1;
            } else {
                kinds.1 += 1;
            }
            let last = *d.audit.of_request(i).last().unwrap();
            let e = d.audit.event(last);
            assert_eq!(e.failure, Some(reason));
            assert_eq!(e.at, r.completed.unwrap());
            assert_eq!(
                e.activity,
                if r.state == ReqState::DeliveryFailed {
                    Activity::Failed
                } else {
                    Activity::PartiallyFulfill
                }
            );
        }
        assert!(kinds.0 > 0 && kinds.1 > 0, "{kinds:?}");
        // The documents' reprocess example delivers when reprocessed: its reason is transient.
        let i = d.request_index(fixtures::REPROCESS_REQUEST).unwrap();
        assert!(!d.failure_reason(i).retry_fails_again());
    }

    #[test]
    fn histories_follow_the_request_from_creation_to_completion_in_order() {
        let d = generated(2, 300);
        for (i, r) in d.requests.iter().enumerate() {
            let events = d.audit.of_request(i);
            assert!(!events.is_empty());
            let first = d.audit.event(events[0]);
            assert_eq!(first.at, r.created);
            let c = first.correlation;
            for w in events.windows(2) {
                let (a, b) = (d.audit.event(w[0]), d.audit.event(w[1]));
                assert!(a.at <= b.at, "{}: {:?}", r.id, names(&d, events));
                assert_eq!(b.correlation, c);
            }
            if let Some(done) = r.completed {
                assert!(d.audit.event(*events.last().unwrap()).at <= done);
            }
            if r.state == ReqState::Delivered && r.request_type.ends_with("Add") {
                assert_eq!(
                    names(&d, events).last(),
                    Some(&"Fulfill access package assignment request")
                );
            }
        }
        // The time order covers every event once.
        let order = d.audit.order();
        assert_eq!(order.len(), d.audit.len());
        assert!(
            order
                .windows(2)
                .all(|w| d.audit.event(w[0]).at <= d.audit.event(w[1]).at)
        );
    }

    #[test]
    fn the_log_is_the_same_for_the_same_seed_and_ids_are_unique() {
        let a = generated(4, 300);
        let b = generated(4, 300);
        let ids = |d: &Data| {
            d.audit
                .order()
                .iter()
                .map(|&e| d.audit.event(e).id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        let unique: std::collections::HashSet<u128> = ids(&a).into_iter().collect();
        assert_eq!(unique.len(), a.audit.len());
        for &e in a.audit.order() {
            assert_eq!(a.audit.find(a.audit.event(e).id), Some(e));
        }
    }

    #[test]
    fn every_activity_is_listed_once_in_declaration_order() {
        for (k, a) in Activity::ALL.iter().enumerate() {
            assert_eq!(*a as usize, k, "{a:?}");
        }
    }

    #[test]
    fn reasons_name_the_packages_resource() {
        assert_eq!(PACKAGE_RESOURCES.len(), super::super::seed::PACKAGES.len());
        let t = Reason::GroupNotFound.text(0);
        assert!(t.contains("'Sales team members'"), "{t}");
        assert!(Reason::SiteThrottled.text(1).contains("'Onboarding hub'"));
        assert!(Reason::AppMissing.retry_fails_again());
        assert!(!Reason::AppUnavailable.retry_fails_again());
    }
}
