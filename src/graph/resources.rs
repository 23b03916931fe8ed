//! The app's Graph vocabulary, in one table: for each collection and version, its path,
//! the `$expand`s it is read with, the `$filter` clauses Microsoft **documents** for it
//! (property and operator), and the action paths. Every Graph URL the app sends, and the
//! `$filter` wire text, is built here and nowhere else (the shape of the sandbox's own
//! `(collection, version)` tables).
//!
//! Only documented clauses exist as [`Property`] values, so the app cannot put an
//! undocumented one on the wire: what Graph does not document is filtered in the browser
//! (see [`crate::graph::plan`]). Sources: `shared/reference/graph-query-support.md`.
//!
//! ```
//! use access_desk::config::{Cloud, GraphVersion};
//! use access_desk::graph::resources::{Clause, Collection, Endpoint, Extras};
//! use access_desk::ids::Guid;
//! let graph = Endpoint::new("https://graph.microsoft.com", GraphVersion::V1, Cloud::Global);
//! let package = Guid::parse("d82eb508-acc4-43cc-bcf1-7c1c4a2c073b").unwrap();
//! let url = graph.list(Collection::Requests, &[Clause::state("deliveryFailed"), Clause::package(&package)], Extras::default());
//! assert_eq!(url, "https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/assignmentRequests\
//! ?$select=id,requestType,state,status,createdDateTime,completedDateTime,justification\
//! &$expand=accessPackage($select=id,displayName),requestor($select=displayName,email,principalName,objectId)\
//! &$filter=state%20eq%20%27deliveryFailed%27%20and%20accessPackage/id%20eq%20%27d82eb508-acc4-43cc-bcf1-7c1c4a2c073b%27");
//! ```

use chrono::{DateTime, Utc};

use crate::actions::Action;
use crate::config::{Cloud, GraphVersion};
use crate::ids::Guid;

/// Where the entitlement-management collections live under a version root.
const EM: &str = "identityGovernance/entitlementManagement";

/// A collection under `identityGovernance/entitlementManagement`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Collection {
    Requests,
    Assignments,
    Packages,
    Catalogs,
    Policies,
}

impl Collection {
    /// The collection's path segment in `v`.
    pub fn segment(self, v: GraphVersion) -> &'static str {
        use Collection::*;
        use GraphVersion::*;
        match (self, v) {
            // beta has the new name too; its legacy `accessPackageAssignmentRequests` is
            // being retired.
            (Requests, _) => "assignmentRequests",
            (Assignments, V1) => "assignments",
            (Assignments, Beta) => "accessPackageAssignments",
            (Packages, _) => "accessPackages",
            (Catalogs, V1) => "catalogs",
            (Catalogs, Beta) => "accessPackageCatalogs",
            (Policies, V1) => "assignmentPolicies",
            (Policies, Beta) => "accessPackageAssignmentPolicies",
        }
    }

    /// `$expand` of a list page: only the navigations its list page documents, one level
    /// (nested `$expand` is documented on policies only), each with the `$select` of what
    /// a row shows of it. Catalog names come from the catalogs with their packages, which
    /// is documented; a package's catalog is not.
    pub fn list_expand(self, v: GraphVersion) -> Option<&'static str> {
        use Collection::*;
        match self {
            Requests => Some(
                "accessPackage($select=id,displayName),requestor($select=displayName,email,principalName,objectId)",
            ),
            // The policy is expanded on a read by id only (where it is documented).
            Assignments => Some(
                "target($select=displayName,email,principalName,objectId),accessPackage($select=id,displayName)",
            ),
            Catalogs => Some("accessPackages($select=id,displayName)"),
            Packages => Some(Collection::package_policies(v)),
            Policies => None,
        }
    }

    /// `$select` of a list page: what `graph::models` reads of a row for the columns,
    /// the search and the rules, in version `v` and `cloud` (graph-metadata.md: v1.0 of
    /// the US Government and China clouds has no `justification`). A request's callouts
    /// and schedule, the largest parts of it, only when `extras` asks. None for beta's
    /// requests: the metadata names their state `requestState`, the beta list page's
    /// example `state`, and a `$select` naming either fails where the other holds.
    pub fn list_select(self, v: GraphVersion, cloud: Cloud, extras: Extras) -> Option<String> {
        use Collection::*;
        use GraphVersion::*;
        let mut fields: Vec<&str> = match (self, v) {
            (Requests, V1) => request_fields().to_vec(),
            (Requests, Beta) => return None,
            (Assignments, V1) => vec!["id", "state", "status", "expiredDateTime", "schedule"],
            (Assignments, Beta) => vec![
                "id",
                "assignmentState",
                "assignmentStatus",
                "expiredDateTime",
                "schedule",
            ],
            (Catalogs, _) => vec!["id", "displayName"],
            (Packages | Policies, _) => return None,
        };
        if self == Requests {
            if cloud == Cloud::Global || v == Beta {
                fields.push("justification");
            }
            if extras.schedule {
                fields.push("schedule");
            }
            if extras.callouts {
                fields.push("customExtensionCalloutInstances");
            }
        }
        Some(fields.join(","))
    }

    /// `$expand` of one item read by id, as its get page documents it.
    pub fn item_expand(self, v: GraphVersion) -> Option<&'static str> {
        use Collection::*;
        use GraphVersion::*;
        match (self, v) {
            (Requests, V1) => Some("accessPackage,requestor,assignment"),
            // beta's list page names the assignment `assignment`, its get page and the
            // metadata `accessPackageAssignment`: neither is sent.
            (Requests, Beta) => Some("accessPackage,requestor"),
            (Assignments, V1) => Some("target,accessPackage,assignmentPolicy"),
            (Assignments, Beta) => Some("target,accessPackage"),
            // An access package's policies: the documented way to find the stage a custom
            // extension runs at (beta's `accessPackageId` filter on policies is refused).
            (Packages, _) => Some(Collection::package_policies(v)),
            (Policies, _) => Some("customExtensionStageSettings($expand=customExtension)"),
            (Catalogs, _) => Some("accessPackages"),
        }
    }

    /// The navigation from an access package to its policies, as an expanded package
    /// names it in JSON.
    pub fn package_policies(v: GraphVersion) -> &'static str {
        match v {
            GraphVersion::V1 => "assignmentPolicies",
            GraphVersion::Beta => "accessPackageAssignmentPolicies",
        }
    }
}

/// What every read of a v1.0 request list asks for (beta's names are in doubt: see
/// [`Collection::list_select`]).
fn request_fields() -> [&'static str; 6] {
    [
        "id",
        "requestType",
        "state",
        "status",
        "createdDateTime",
        "completedDateTime",
    ]
}

/// What a list reads of each request beyond what every view shows: the two largest parts
/// of a request, asked for only when a column, a sort or a ready-made view uses them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Extras {
    /// `customExtensionCalloutInstances`: the callouts and time-left columns, and the views
    /// that look for a request waiting on a callback.
    pub callouts: bool,
    /// `schedule`: when a delivery started (how long it has taken) and the expiry.
    pub schedule: bool,
}

/// A property the app filters on at Graph. Only properties that some collection documents
/// as filterable are here; [`documented`] says where and with which operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Property {
    State,
    CreatedDateTime,
    AccessPackage,
    Target,
    Policy,
}

impl Property {
    /// The property's name in `$filter` for collection `c` in version `v`.
    pub fn name(self, c: Collection, v: GraphVersion) -> &'static str {
        use GraphVersion::*;
        match (self, c, v) {
            (Property::State, Collection::Assignments, Beta) => "assignmentState",
            (Property::State, Collection::Requests, Beta) => "requestState",
            (Property::State, _, _) => "state",
            (Property::CreatedDateTime, _, _) => "createdDateTime",
            (Property::AccessPackage, _, _) => "accessPackage/id",
            (Property::Target, _, _) => "target/objectId",
            (Property::Policy, _, V1) => "assignmentPolicy/id",
            (Property::Policy, _, Beta) => "accessPackageAssignmentPolicy/id",
        }
    }

    /// The name the app uses for it in notes (version-independent).
    pub fn key(self) -> &'static str {
        match self {
            Property::State => "state",
            Property::CreatedDateTime => "createdDateTime",
            Property::AccessPackage => "accessPackage/id",
            Property::Target => "target/objectId",
            Property::Policy => "policy/id",
        }
    }

    pub const ALL: [Property; 5] = [
        Property::State,
        Property::CreatedDateTime,
        Property::AccessPackage,
        Property::Target,
        Property::Policy,
    ];
}

/// The comparison operators the documents show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    /// Only `gt` is shown for `createdDateTime` (the strictest reading of the documents).
    Gt,
}

impl Op {
    fn wire(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Gt => "gt",
        }
    }
}

/// The `$filter` clauses Microsoft documents for collection `c` in version `v`, joined
/// with `and` (`or`, `ne`, `not`, `in`, `$orderby`, `$top`, `$count`, `$search` are not).
pub fn documented(c: Collection, v: GraphVersion) -> &'static [(Property, Op)] {
    use Collection::*;
    use GraphVersion::*;
    use Property::*;
    match (c, v) {
        // List assignmentRequests: state (eq) and createdDateTime are filterable; the
        // example filters on accessPackage/id, which catalog-scoped roles must send.
        (Requests, V1) => &[
            (State, Op::Eq),
            (CreatedDateTime, Op::Gt),
            (AccessPackage, Op::Eq),
        ],
        // beta assignmentRequests: the list page shows v1.0-shaped replies while the
        // metadata says requestState, so neither state name is confirmed; its page shows
        // createdDateTime and accessPackage/id.
        (Requests, Beta) => &[(CreatedDateTime, Op::Gt), (AccessPackage, Op::Eq)],
        (Assignments, _) => &[
            (State, Op::Eq),
            (AccessPackage, Op::Eq),
            (Target, Op::Eq),
            (Policy, Op::Eq),
        ],
        (Packages | Catalogs | Policies, _) => &[],
    }
}

/// Whether `$filter` may name state `v1_name` for collection `c` in version `v`. Beta's
/// assignment page documents `assignmentState` as `Delivering`, `Delivered` or `Expired`
/// only; other states of an assignment are kept in the browser.
pub fn state_value_documented(c: Collection, v: GraphVersion, v1_name: &str) -> bool {
    match (c, v) {
        (Collection::Assignments, GraphVersion::Beta) => ["delivering", "delivered", "expired"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(v1_name)),
        _ => true,
    }
}

/// A value in a `$filter` clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    /// An enum member or string, quoted on the wire.
    Text(String),
    /// An object id, quoted.
    Id(Guid),
    /// A date-time, unquoted.
    Time(DateTime<Utc>),
}

/// One `property op value` clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    pub property: Property,
    pub op: Op,
    pub value: Literal,
}

impl Clause {
    /// `state eq '<v1.0 name>'` (beta's PascalCase is made on the wire).
    pub fn state(v1_name: &str) -> Clause {
        Clause {
            property: Property::State,
            op: Op::Eq,
            value: Literal::Text(v1_name.to_string()),
        }
    }

    pub fn package(id: &Guid) -> Clause {
        Clause {
            property: Property::AccessPackage,
            op: Op::Eq,
            value: Literal::Id(id.clone()),
        }
    }

    pub fn target(id: &Guid) -> Clause {
        Clause {
            property: Property::Target,
            op: Op::Eq,
            value: Literal::Id(id.clone()),
        }
    }

    pub fn created_after(t: DateTime<Utc>) -> Clause {
        Clause {
            property: Property::CreatedDateTime,
            op: Op::Gt,
            value: Literal::Time(t),
        }
    }

    /// The clause as Graph reads it in collection `c` of version `v`.
    pub fn wire(&self, c: Collection, v: GraphVersion) -> String {
        let value = match &self.value {
            Literal::Text(s) if self.property == Property::State && v == GraphVersion::Beta => {
                quote(&pascal(s))
            }
            Literal::Text(s) => quote(s),
            Literal::Id(id) => quote(id.as_str()),
            Literal::Time(t) => iso_seconds(*t),
        };
        format!("{} {} {value}", self.property.name(c, v), self.op.wire())
    }
}

/// The `$filter` text of `clauses` (joined with `and`), or None for none.
pub fn filter_text(clauses: &[Clause], c: Collection, v: GraphVersion) -> Option<String> {
    (!clauses.is_empty()).then(|| {
        clauses
            .iter()
            .map(|cl| cl.wire(c, v))
            .collect::<Vec<_>>()
            .join(" and ")
    })
}

/// An OData string literal (`'` doubled), so no value can close the literal and add a clause.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `deliveryFailed` → `DeliveryFailed` (beta's casing).
fn pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// `2026-11-16T12:00:00Z` (without chrono's strftime, which is large in the wasm).
pub fn iso_seconds(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        crate::query::format_date(t.date_naive()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Percent-encodes a query value for Graph: spaces as %20, quotes and every other
/// character escaped but for letters, digits, `-`, `_`, `.`, `~` and the `/`, `,` and `:`
/// that Graph's own examples write unescaped (`accessPackage/id`, date-times).
pub fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'/'
            | b','
            | b':' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The configured Graph: `{graph host}/{version}`. Builds every URL the app sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `https://graph.microsoft.com/v1.0`, no trailing slash.
    root: String,
    pub version: GraphVersion,
    /// Whose Graph surface it is (a custom host's: the cloud it acts as).
    pub cloud: Cloud,
}

impl Endpoint {
    pub fn new(graph_host: &str, version: GraphVersion, cloud: Cloud) -> Endpoint {
        Endpoint {
            root: format!("{}/{}", graph_host.trim_end_matches('/'), version.path()),
            version,
            cloud,
        }
    }

    pub fn of(config: &crate::config::Config) -> Endpoint {
        Endpoint::new(&config.graph_base, config.graph_version, config.cloud)
    }

    fn collection(&self, c: Collection) -> String {
        format!("{}/{EM}/{}", self.root, c.segment(self.version))
    }

    /// The first page of collection `c` filtered by `clauses`, with its list `$select`
    /// (and `extras` of a request) and `$expand`.
    pub fn list(&self, c: Collection, clauses: &[Clause], extras: Extras) -> String {
        let mut params = Vec::new();
        if let Some(s) = c.list_select(self.version, self.cloud, extras) {
            params.push(format!("$select={s}"));
        }
        if let Some(e) = c.list_expand(self.version) {
            params.push(format!("$expand={e}"));
        }
        if let Some(f) = filter_text(clauses, c, self.version) {
            params.push(format!("$filter={}", encode(&f)));
        }
        let mut url = self.collection(c);
        if !params.is_empty() {
            url.push('?');
            url.push_str(&params.join("&"));
        }
        url
    }

    /// A page of requests filtered by `clauses` as the start page's tally reads them: what
    /// it counts by (the states, the dates, the callouts, and for delivering requests the
    /// schedule: how long one has been stuck) and the package whose policies give a
    /// callout's timeout; no names, no justification. Beta's rows are read whole (see
    /// [`Collection::list_select`]).
    pub fn tally(&self, clauses: &[Clause]) -> String {
        let c = Collection::Requests;
        let schedule = if clauses.contains(&Clause::state("delivering")) {
            ",schedule"
        } else {
            ""
        };
        let select = match self.version {
            GraphVersion::V1 => format!(
                "$select={}{schedule},customExtensionCalloutInstances&",
                request_fields().join(",")
            ),
            GraphVersion::Beta => String::new(),
        };
        let mut url = format!(
            "{}?{select}$expand=accessPackage($select=id)",
            self.collection(c)
        );
        if let Some(f) = filter_text(clauses, c, self.version) {
            url.push_str("&$filter=");
            url.push_str(&encode(&f));
        }
        url
    }

    /// Item `id` of collection `c`, with its item `$expand`.
    pub fn item(&self, c: Collection, id: &Guid) -> String {
        let mut url = format!("{}/{id}", self.collection(c));
        if let Some(e) = c.item_expand(self.version) {
            url.push_str("?$expand=");
            url.push_str(e);
        }
        url
    }

    /// Item `id` of collection `c`, only what following or reconciling an action reads.
    pub fn item_state(&self, c: Collection, id: &Guid) -> String {
        format!("{}/{id}", self.collection(c))
    }

    /// The URL of `action` on item `id`.
    pub fn action(&self, action: Action, id: &Guid) -> String {
        format!("{}/{}", self.root, action_path(action, self.version, id))
    }

    /// The audit log's events that name `target` (a request or an assignment) among their
    /// targets, newest first, `top` a page: only clauses Microsoft documents for
    /// directoryAudit (`targetResources` id `eq`, `$orderby=activityDateTime`, `$top`).
    pub fn audit_events(&self, target: &Guid, top: u32) -> String {
        let filter = format!(
            "targetResources/any(t:t/id eq {})",
            quote(&target.to_string())
        );
        format!(
            "{}/auditLogs/directoryAudits?$filter={}&$orderby=activityDateTime%20desc&$top={top}",
            self.root,
            encode(&filter)
        )
    }

    /// `{graph}/{version}/$batch`.
    pub fn batch(&self) -> String {
        format!("{}/$batch", self.root)
    }

    /// Whether `url` is a page of this Graph (an `@odata.nextLink` must be, before it is
    /// sent with the bearer token).
    pub fn owns(&self, url: &str) -> bool {
        self.batch_path(url).is_some()
    }

    /// `url`, a page of this Graph, as a `$batch` item's `url` takes it: under the version
    /// root, without its leading `/`. None when `url` is not this Graph's.
    pub fn batch_path<'u>(&self, url: &'u str) -> Option<&'u str> {
        let rest = url.strip_prefix(&self.root)?;
        (rest.starts_with('/') && !rest.contains("/../")).then(|| &rest[1..])
    }

    /// The ids of the tenant's access packages (the overview reads long queries per
    /// package).
    pub fn package_ids(&self) -> String {
        format!("{}?$select=id", self.collection(Collection::Packages))
    }
}

/// The path of `action` on `id` under the version root, as a `$batch` item's `url` takes
/// it (`identityGovernance/entitlementManagement/assignmentRequests/{id}/reprocess`).
pub fn action_path(action: Action, v: GraphVersion, id: &Guid) -> String {
    let (c, name) = match action {
        Action::ReprocessRequest => (Collection::Requests, "reprocess"),
        // v1.0: the resume page's example shows the legacy name, which v1.0 does not have.
        Action::ResumeRequest => (Collection::Requests, "resume"),
        Action::ReprocessAssignment => (Collection::Assignments, "reprocess"),
    };
    format!("{EM}/{}/{id}/{name}", c.segment(v))
}

/// The path of item `id` under the version root, for a `$batch` GET.
pub fn item_path(c: Collection, v: GraphVersion, id: &Guid) -> String {
    format!("{EM}/{}/{id}", c.segment(v))
}

/// The `$filter` clauses Microsoft documents, written out from
/// `shared/reference/graph-query-support.md` and `sandbox/QUERY-SUPPORT.md` (which cites the
/// page of each), and the enum members from the CSDL (`shared/reference/graph-schema`).
/// Tests compare the app's table and wire text with this one, never with [`documented`].
#[cfg(test)]
pub(crate) mod doc_table;

#[cfg(test)]
mod tests;
