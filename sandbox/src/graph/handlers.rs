//! The entitlement-management resources: lists with `$filter`/`$expand`/`$select` and
//! server-driven paging, get by id, and the three actions of the specification.

use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::expand::{self as expand_rules, Kind};
use super::odata::{Expand, Filter, Literal, Op, Query, parse_expand, parse_filter};
use super::query_table::{self, QuerySupport, Read};
use super::render::{self, Version, pascal};
use super::{Call, Caller, Effect, GraphError, Reply, truncate};
use crate::Shared;
use crate::accounts::Role;
use crate::cloud::Cloud;
use crate::data::{AsgState, Data, Queued, ReqState, Stage};
use crate::ids::is_guid;

const PREFIX: &str = "identityGovernance/entitlementManagement/";
/// Server-driven page size of every list unless test control sets one (`pageSizes`).
pub const PAGE_SIZE: usize = 100;
/// Reprocessing is possible within this many days of completion.
pub const REPROCESS_WINDOW_DAYS: i64 = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Set {
    Requests,
    Assignments,
    Packages,
    Catalogs,
    Policies,
}

/// The collections under `entitlementManagement` in `v` as `cloud` serves them
/// (shared/reference/graph-metadata.md): beta outside the global cloud has only the
/// `accessPackage…` names.
fn entity_set(cloud: Cloud, v: Version, seg: &str) -> Option<Set> {
    match (v, seg) {
        (Version::V1, "assignmentRequests") => Some(Set::Requests),
        (Version::Beta, "assignmentRequests") if crate::cloud::beta_has_new_names(cloud) => {
            Some(Set::Requests)
        }
        (Version::Beta, "accessPackageAssignmentRequests") => Some(Set::Requests),
        (Version::V1, "assignments") => Some(Set::Assignments),
        (Version::Beta, "accessPackageAssignments") => Some(Set::Assignments),
        (_, "accessPackages") => Some(Set::Packages),
        (Version::V1, "catalogs") => Some(Set::Catalogs),
        (Version::Beta, "accessPackageCatalogs") => Some(Set::Catalogs),
        (Version::V1, "assignmentPolicies") => Some(Set::Policies),
        (Version::Beta, "accessPackageAssignmentPolicies") => Some(Set::Policies),
        _ => None,
    }
}

/// Routes a call to its handler.
pub fn route(s: &Shared, caller: &Caller, call: &Call) -> Result<Reply, GraphError> {
    let Some(rest) = call.path.strip_prefix(PREFIX) else {
        let seg = call
            .path
            .split('/')
            .find(|x| *x != "identityGovernance")
            .unwrap_or("");
        return Err(GraphError::segment(seg));
    };
    let segs: Vec<&str> = rest.split('/').collect();
    let set = entity_set(s.options.cloud, call.version, segs[0])
        .ok_or_else(|| GraphError::segment(segs[0]))?;
    if !caller.can_read() {
        return Err(GraphError::forbidden(
            "Insufficient privileges to complete the operation: the token has no EntitlementManagement.ReadWrite.All (or Read.All) permission.",
        ));
    }
    if matches!(caller.role, Role::None | Role::Personal)
        && !(segs.len() == 2 && segs[1].starts_with("filterByCurrentUser("))
    {
        return Err(GraphError::forbidden(
            "Insufficient privileges to complete the operation: the signed-in user has no entitlement-management role (Access Package Assignment Manager or Identity Governance Administrator).",
        ));
    }
    // Finish deliveries that are due; the write lock only when there are some.
    if s.data.read().expect("data").has_pending() {
        let now = s.clock.now();
        s.data.write().expect("data").settle(now);
    }
    match (segs.as_slice(), &call.method) {
        ([_], &Method::GET) => list(s, caller, call, set, None),
        ([_, f], &Method::GET) if f.starts_with("filterByCurrentUser(") => {
            list(s, caller, call, set, Some(current_user_option(f, set)?))
        }
        ([_, id], &Method::GET) => get(s, caller, call, set, id),
        ([_, id, action], &Method::POST) => act(s, caller, call, set, id, action),
        ([_, _, action], _) if ["reprocess", "resume"].contains(action) => Err(GraphError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "BadRequest",
            format!("The action '{action}' takes POST."),
        )),
        ([_] | [_, _], _) => Err(GraphError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "BadRequest",
            "This sandbox serves entitlement-management reads and the reprocess and resume actions only.",
        )),
        _ => Err(GraphError::segment(segs.last().copied().unwrap_or(""))),
    }
}

fn current_user_option(seg: &str, set: Set) -> Result<&'static str, GraphError> {
    let inner = seg
        .strip_prefix("filterByCurrentUser(on=")
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|r| r.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
        .ok_or_else(|| {
            GraphError::bad_request("filterByCurrentUser takes one parameter: on='…'.")
        })?;
    let allowed: &[&'static str] = match set {
        Set::Requests => &["target", "createdBy", "approver"],
        Set::Assignments => &["target", "createdBy"],
        _ => return Err(GraphError::segment("filterByCurrentUser")),
    };
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(inner))
        .copied()
        .ok_or_else(|| {
            GraphError::bad_request(format!(
                "The value '{}' is not valid for the parameter 'on'; use one of {}.",
                truncate(inner),
                allowed.join(", ")
            ))
        })
}

/// The catalog a caller is limited to, if any.
fn scoped_catalog(caller: &Caller) -> Option<&str> {
    match &caller.role {
        Role::AssignmentManager { catalog_id } => Some(catalog_id),
        _ => None,
    }
}

/// A catalog-scoped caller's list of requests or assignments that is not narrowed to
/// packages of its catalogs. The documents say such callers must filter by
/// `accessPackage/id` but give no status for an unfiltered list: 403 by default; with test
/// control's `scopedListRefusal` 400, a `BadRequest` whose message says nothing about a
/// filter (clients that tell a refused `$filter` by its message must not take it for one).
fn scoped_list_refused(s: &Shared) -> GraphError {
    if s.knobs.lock().expect("knobs").scoped_list_refusal == 400 {
        GraphError::bad_request(
            "The request is not supported for a caller whose role is scoped to catalogs: read the access packages of those catalogs one at a time.",
        )
    } else {
        GraphError::forbidden(
            "Insufficient privileges to complete the operation. A catalog-scoped administrator must filter by accessPackage/id eq '<id>' with an access package of a catalog they manage.",
        )
    }
}

fn check_catalog(d: &Data, caller: &Caller, package: usize) -> Result<(), GraphError> {
    if let Some(cat) = scoped_catalog(caller)
        && d.catalogs[d.packages[package].catalog].id != cat
    {
        return Err(GraphError::forbidden(
            "Insufficient privileges to complete the operation: the item belongs to a catalog the signed-in user does not manage.",
        ));
    }
    Ok(())
}

/// Filterable fields of a set in a version in `--query-support extended`, and whether they
/// are date-times. (Documented mode uses `query_table` instead.)
fn filter_fields(set: Set, v: Version) -> &'static [(&'static str, bool)] {
    match (set, v) {
        (Set::Requests, Version::V1) => &[
            ("state", false),
            ("status", false),
            ("createdDateTime", true),
            ("accessPackage/id", false),
            ("requestor/objectId", false),
        ],
        (Set::Requests, Version::Beta) => &[
            ("requestState", false),
            ("requestStatus", false),
            ("createdDateTime", true),
            ("accessPackage/id", false),
            ("requestor/objectId", false),
        ],
        (Set::Assignments, Version::V1) => &[
            ("state", false),
            ("status", false),
            ("accessPackage/id", false),
            ("target/objectId", false),
            ("assignmentPolicy/id", false),
        ],
        (Set::Assignments, Version::Beta) => &[
            ("assignmentState", false),
            ("assignmentStatus", false),
            ("accessPackage/id", false),
            ("accessPackageId", false),
            ("target/objectId", false),
            ("targetId", false),
            ("accessPackageAssignmentPolicy/id", false),
        ],
        (Set::Packages, Version::V1) => &[("catalog/id", false), ("displayName", false)],
        (Set::Packages, Version::Beta) => &[("catalogId", false), ("displayName", false)],
        (Set::Policies, Version::V1) => &[("accessPackage/id", false), ("displayName", false)],
        (Set::Policies, Version::Beta) => &[
            ("accessPackageId", false),
            ("accessPackage/id", false),
            ("displayName", false),
        ],
        (Set::Catalogs, _) => &[("displayName", false)],
    }
}

/// Navigation properties `$expand` takes in `--query-support extended`.
fn expand_names(set: Set, v: Version) -> &'static [&'static str] {
    match (set, v) {
        (Set::Requests, Version::V1) => &["accessPackage", "requestor", "assignment"],
        (Set::Requests, Version::Beta) => &[
            "accessPackage",
            "requestor",
            "accessPackageAssignment",
            "assignment",
        ],
        (Set::Assignments, Version::V1) => &["accessPackage", "assignmentPolicy", "target"],
        (Set::Assignments, Version::Beta) => {
            &["accessPackage", "accessPackageAssignmentPolicy", "target"]
        }
        (Set::Packages, Version::V1) => &["catalog", "assignmentPolicies"],
        (Set::Packages, Version::Beta) => {
            &["accessPackageCatalog", "accessPackageAssignmentPolicies"]
        }
        (Set::Policies, Version::V1) => {
            &["customExtensionStageSettings", "accessPackage", "catalog"]
        }
        (Set::Policies, Version::Beta) => &[
            "customExtensionStageSettings",
            "accessPackage",
            "accessPackageCatalog",
        ],
        (Set::Catalogs, _) => &["accessPackages"],
    }
}

impl Set {
    /// The entity type of the set's items.
    fn kind(self) -> Kind {
        match self {
            Set::Requests => Kind::Request,
            Set::Assignments => Kind::Assignment,
            Set::Packages => Kind::Package,
            Set::Catalogs => Kind::Catalog,
            Set::Policies => Kind::Policy,
        }
    }
}

/// Every navigation property of the set's type in the schema (see `expand::navigations`).
fn navigations(set: Set, v: Version) -> &'static [&'static str] {
    expand_rules::navigations(set.kind(), v)
}

fn type_name(set: Set) -> &'static str {
    expand_rules::type_name(set.kind())
}

/// Validated query options of a read.
struct Shape {
    filter: Option<Filter>,
    expand: Vec<Expand>,
    select: Option<Vec<String>>,
}

/// The collection's path segment of a call (`assignmentRequests`, …).
fn collection_segment(call: &Call) -> &str {
    call.path[PREFIX.len()..].split('/').next().unwrap_or("")
}

/// Whether the type has a property or navigation property named like the first segment of
/// `path` (the sample is a rendered item; it has every property the sandbox models).
fn has_property(set: Set, v: Version, sample: Option<&Value>, path: &str) -> bool {
    let first = path.split('/').next().unwrap_or("");
    navigations(set, v)
        .iter()
        .any(|n| n.eq_ignore_ascii_case(first))
        || sample
            .and_then(Value::as_object)
            .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case(first)))
}

fn unknown_property(set: Set, path: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Could not find a property named '{}' on type 'microsoft.graph.{}'.",
        truncate(path.split('/').next().unwrap_or(path)),
        type_name(set)
    ))
}

fn shape(
    s: &Shared,
    call: &Call,
    set: Set,
    d: &Data,
    sample: Option<&Value>,
    read: Read,
) -> Result<(Query, Shape), GraphError> {
    let (mode, refused) = {
        let k = s.knobs.lock().expect("knobs");
        (k.query_support, k.refuse_filters.clone())
    };
    let documented = mode == QuerySupport::Documented;
    // Beta takes the system query options with or without `$` (query-parameters.md).
    let dollar_optional = call.version == Version::Beta;
    let q = Query::parse(&call.query, dollar_optional).map_err(GraphError::bad_request)?;
    let mut unsupported = q.unsupported.clone();
    if documented && q.top.is_some() {
        unsupported.push("$top".into());
    }
    if !unsupported.is_empty() {
        return Err(GraphError::unsupported(format!(
            "The query option(s) {} are not supported here. Paging is server-driven: follow @odata.nextLink.",
            unsupported.join(", ")
        )));
    }
    let v = call.version;
    let seg = collection_segment(call);
    let doc = query_table::documented(v, seg, read);
    let filter = match &q.filter {
        None => None,
        Some(f) => {
            let parsed = parse_filter(f)
                .map_err(|e| GraphError::bad_request(format!("Invalid filter clause: {e}.")))?;
            if documented {
                check_documented_filter(&parsed, set, v, sample, &doc, seg)?;
            } else {
                check_extended_filter(&parsed, set, v, sample)?;
            }
            // Test control: a documented clause refused at run time (either mode).
            for c in parsed.conjuncts() {
                for (path, _, _) in c.comparisons() {
                    if refused.iter().any(|r| r.matches(v.path(), seg, path)) {
                        return Err(GraphError::invalid_filter(&c.describe()));
                    }
                }
            }
            Some(parsed)
        }
    };
    let mut expand = Vec::new();
    if let Some(e) = &q.expand {
        for item in parse_expand(e, dollar_optional)
            .map_err(|e| GraphError::bad_request(format!("Invalid $expand: {e}.")))?
        {
            if documented {
                check_documented_expand(&item, set, v, &doc)?;
            } else {
                check_extended_expand(&item, set, v)?;
            }
            expand.push(item);
        }
        expand_rules::check_selects(&expand, v, s.options.cloud, d)?;
    }
    let select = match &q.select {
        None => None,
        Some(sel) => {
            let fields: Vec<String> = sel.split(',').map(|f| f.trim().to_string()).collect();
            if let Some(Value::Object(sample)) = sample {
                let props: Vec<String> = sample.keys().cloned().collect();
                expand_rules::check_select(set.kind(), v, Some(&props), &fields)?;
            }
            Some(fields)
        }
    };
    Ok((
        q,
        Shape {
            filter,
            expand,
            select,
        },
    ))
}

fn no_navigation(set: Set, name: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Could not find a navigation property named '{}' on type 'microsoft.graph.{}'.",
        truncate(name),
        type_name(set)
    ))
}

/// Documented mode: the item is one of the read's documented `$expand`s, and each nested
/// item a documented nested `$expand` of it (one level). A navigation property the type
/// does not have is BadRequest; one it has, or a nesting, that is not documented here is
/// InvalidFilter. `$select` inside any of them is taken (checked by `expand::check_selects`).
fn check_documented_expand(
    item: &Expand,
    set: Set,
    v: Version,
    doc: &query_table::Documented,
) -> Result<(), GraphError> {
    let name = item.name.as_str();
    // A documented name is a navigation property wherever it is documented (beta
    // `assignmentRequests` documents `assignment`, the beta metadata names it
    // `accessPackageAssignment`).
    if !navigations(set, v).contains(&name) && !doc.expand.contains(&name) {
        return Err(no_navigation(set, name));
    }
    let nested_ok = item
        .expand
        .iter()
        .all(|n| n.expand.is_empty() && doc.nested.contains(&(name, n.name.as_str())));
    if !doc.expand.contains(&name) || !nested_ok {
        return Err(GraphError::invalid_expand(&item.text));
    }
    Ok(())
}

/// Extended mode: the set's expandable names, one nested level where it makes sense.
fn check_extended_expand(item: &Expand, set: Set, v: Version) -> Result<(), GraphError> {
    if !expand_names(set, v).contains(&item.name.as_str()) {
        return Err(no_navigation(set, &item.name));
    }
    for n in &item.expand {
        let ok = n.expand.is_empty()
            && match item.name.as_str() {
                "accessPackage" => n.name == render::catalog_nav(v),
                "assignmentPolicy" | "accessPackageAssignmentPolicy" => {
                    n.name == "customExtensionStageSettings" || n.name == "customExtension"
                }
                "customExtensionStageSettings" => n.name == "customExtension",
                "requestor" => n.name == "connectedOrganization",
                "assignmentPolicies" | "accessPackageAssignmentPolicies" => {
                    n.name == "customExtensionStageSettings"
                }
                "assignment" | "accessPackageAssignment" => {
                    n.name == "target" || n.name == "accessPackage"
                }
                _ => false,
            };
        if !ok {
            return Err(GraphError::bad_request(format!(
                "Could not find a navigation property named '{}' under '{}'.",
                truncate(&n.name),
                item.name
            )));
        }
    }
    Ok(())
}

/// Documented mode: every top-level `and` conjunct is one documented clause.
fn check_documented_filter(
    f: &Filter,
    set: Set,
    v: Version,
    sample: Option<&Value>,
    doc: &query_table::Documented,
    collection: &str,
) -> Result<(), GraphError> {
    for (path, _, _) in f.comparisons() {
        if !has_property(set, v, sample, path) {
            return Err(unknown_property(set, path));
        }
    }
    for c in f.conjuncts() {
        let Filter::Cmp { path, op, value } = c else {
            // or, not: never documented for these lists.
            return Err(GraphError::invalid_filter(&c.describe()));
        };
        if !query_table::allows_filter(doc, path, *op) {
            return Err(GraphError::invalid_filter(&c.describe()));
        }
        let canonical = doc
            .filters
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(path))
            .map(|(p, _)| *p)
            .unwrap_or(path);
        check_literal(
            set,
            v,
            canonical,
            canonical == "createdDateTime",
            *op,
            value,
        )?;
        // A value the documents do not list is refused like an undocumented clause.
        if let (Some(values), Literal::Str(val)) = (
            query_table::documented_values(v, collection, canonical),
            value,
        ) && !values.iter().any(|m| m.eq_ignore_ascii_case(val))
        {
            return Err(GraphError::invalid_filter(&c.describe()));
        }
    }
    Ok(())
}

/// Extended mode: any and/or/not of comparisons on the extended fields.
fn check_extended_filter(
    f: &Filter,
    set: Set,
    v: Version,
    sample: Option<&Value>,
) -> Result<(), GraphError> {
    let fields = filter_fields(set, v);
    for (path, _, _) in f.comparisons() {
        if !has_property(set, v, sample, path) {
            return Err(unknown_property(set, path));
        }
    }
    for (path, op, lit) in f.comparisons() {
        let Some((name, is_time)) = fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(path))
        else {
            return Err(GraphError::unsupported(format!(
                "Unsupported filter: the property '{}' cannot be filtered on {}. Filterable here: {}.",
                truncate(path),
                type_name(set),
                fields
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        if matches!(op, Op::Contains | Op::ContainsLower) && *name != "displayName" {
            return Err(GraphError::unsupported(format!(
                "Unsupported filter: {} does not apply to '{name}'.",
                op.service_name()
            )));
        }
        check_literal(set, v, name, *is_time, op, lit)?;
    }
    Ok(())
}

/// The literal of a clause has the property's type: a date-time, a GUID for ids, an enum
/// member for v1.0 `state`, a string otherwise; strings take only eq/ne (and contains).
fn check_literal(
    set: Set,
    v: Version,
    name: &str,
    is_time: bool,
    op: Op,
    lit: &Literal,
) -> Result<(), GraphError> {
    match (is_time, lit) {
        (true, Literal::DateTime(_)) => Ok(()),
        (true, _) => Err(GraphError::bad_request(format!(
            "Invalid filter clause: {name} is compared with a date-time such as 2026-11-01T00:00:00Z (not quoted)."
        ))),
        (false, Literal::Str(val)) => {
            if !matches!(op, Op::Eq | Op::Ne | Op::Contains | Op::ContainsLower) {
                return Err(GraphError::unsupported(format!(
                    "Unsupported filter: only eq and ne apply to '{name}'."
                )));
            }
            if (name.ends_with("/id") || name.ends_with("objectId") || name.ends_with("Id"))
                && !is_guid(val)
            {
                return Err(GraphError::bad_request(format!(
                    "Invalid filter clause: '{}' is not a valid identifier for {name}.",
                    truncate(val)
                )));
            }
            check_enum(set, v, name, val)
        }
        (false, _) => Err(GraphError::bad_request(format!(
            "Invalid filter clause: {name} is compared with a quoted string."
        ))),
    }
}

fn check_enum(set: Set, v: Version, field: &str, val: &str) -> Result<(), GraphError> {
    let members: Vec<&str> = match (set, v, field) {
        (Set::Requests, Version::V1, "state") => ReqState::ALL.iter().map(|s| s.v1()).collect(),
        (Set::Assignments, Version::V1, "state") => AsgState::ALL.iter().map(|s| s.v1()).collect(),
        _ => return Ok(()),
    };
    if members.iter().any(|m| m.eq_ignore_ascii_case(val)) {
        Ok(())
    } else {
        Err(GraphError::bad_request(format!(
            "The string '{}' is not a valid enumeration type constant for '{field}'. Valid values: {}.",
            truncate(val),
            members.join(", ")
        )))
    }
}

fn request_field(v: Version, d: &Data, i: usize, path: &str) -> Literal {
    let r = &d.requests[i];
    let is = |name: &str| path.eq_ignore_ascii_case(name);
    match v {
        Version::V1 if is("state") => Literal::Str(r.state.v1().into()),
        Version::Beta if is("requestState") => Literal::Str(pascal(r.state.v1())),
        Version::V1 if is("status") => Literal::Str(r.status.clone()),
        Version::Beta if is("requestStatus") => Literal::Str(r.status.clone()),
        _ if is("createdDateTime") => Literal::DateTime(r.created),
        _ if is("accessPackage/id") => Literal::Str(d.packages[r.package].id.clone()),
        _ if is("requestor/objectId") => Literal::Str(d.subjects[r.requestor].object_id.clone()),
        _ => Literal::Null,
    }
}

fn assignment_field(v: Version, d: &Data, i: usize, path: &str) -> Literal {
    let a = &d.assignments[i];
    match (v, path.to_ascii_lowercase().as_str()) {
        (Version::V1, "state") => Literal::Str(a.state.v1().into()),
        (Version::Beta, "assignmentstate") => Literal::Str(pascal(a.state.v1())),
        (Version::V1, "status") | (Version::Beta, "assignmentstatus") => {
            Literal::Str(a.status.clone())
        }
        (_, "accesspackage/id") | (_, "accesspackageid") => {
            Literal::Str(d.packages[a.package].id.clone())
        }
        (Version::V1, "assignmentpolicy/id")
        | (Version::Beta, "accesspackageassignmentpolicy/id") => {
            Literal::Str(d.policies[a.policy].id.clone())
        }
        (_, "target/objectid") => Literal::Str(d.subjects[a.target].object_id.clone()),
        (_, "targetid") => Literal::Str(d.subjects[a.target].id.clone()),
        _ => Literal::Null,
    }
}

fn package_field(d: &Data, i: usize, path: &str) -> Literal {
    let p = &d.packages[i];
    match path.to_ascii_lowercase().as_str() {
        "catalog/id" | "catalogid" => Literal::Str(d.catalogs[p.catalog].id.clone()),
        "displayname" => Literal::Str(p.display_name.clone()),
        _ => Literal::Null,
    }
}

fn policy_field(d: &Data, i: usize, path: &str) -> Literal {
    let p = &d.policies[i];
    match path.to_ascii_lowercase().as_str() {
        "accesspackage/id" | "accesspackageid" => Literal::Str(d.packages[p.package].id.clone()),
        "displayname" => Literal::Str(p.display_name.clone()),
        _ => Literal::Null,
    }
}

fn catalog_field(d: &Data, i: usize, path: &str) -> Literal {
    match path.to_ascii_lowercase().as_str() {
        "displayname" => Literal::Str(d.catalogs[i].display_name.clone()),
        _ => Literal::Null,
    }
}

fn collection_url(s: &Shared, call: &Call) -> String {
    format!("{}/{}/{}", s.issuer_origin, call.version.path(), call.path)
}

fn context(s: &Shared, call: &Call, set_path: &str) -> String {
    format!(
        "{}/{}/$metadata#identityGovernance/entitlementManagement/{set_path}",
        s.issuer_origin,
        call.version.path()
    )
}

fn list(
    s: &Shared,
    caller: &Caller,
    call: &Call,
    set: Set,
    current_user: Option<&str>,
) -> Result<Reply, GraphError> {
    let v = call.version;
    let d = s.data.read().expect("data");
    let sample = sample_entity(v, s.options.cloud, &d, set);
    let (q, shape) = shape(s, call, set, &d, sample.as_ref(), Read::List)?;
    let set_seg = collection_segment(call);

    // Catalog-scoped administrators must name an access package of their catalog.
    if current_user.is_none()
        && let Some(cat) = scoped_catalog(caller)
        && matches!(set, Set::Requests | Set::Assignments)
    {
        let pinned: Vec<String> = shape
            .filter
            .as_ref()
            .map(|f| {
                let mut p = f.pinned_values("accessPackage/id");
                p.extend(f.pinned_values("accessPackageId"));
                p
            })
            .unwrap_or_default();
        let in_catalog = |id: &String| {
            d.packages
                .iter()
                .any(|p| p.id.eq_ignore_ascii_case(id) && d.catalogs[p.catalog].id == cat)
        };
        if pinned.is_empty() || !pinned.iter().all(in_catalog) {
            return Err(scoped_list_refused(s));
        }
    }

    let keep = |f: &dyn Fn(&str) -> Literal| shape.filter.as_ref().is_none_or(|flt| flt.eval(f));
    let matching: Vec<usize> = match set {
        // Requests are stored newest first (see Data::generate).
        Set::Requests => (0..d.requests.len())
            .filter(|&i| {
                let r = &d.requests[i];
                match current_user {
                    Some("approver") => r.approvers.contains(&caller.oid),
                    Some(_) => d.subjects[r.requestor].object_id == caller.oid,
                    None => true,
                }
            })
            .filter(|&i| keep(&|p| request_field(v, &d, i, p)))
            .collect(),
        Set::Assignments => (0..d.assignments.len())
            .filter(|&i| {
                current_user.is_none()
                    || d.subjects[d.assignments[i].target].object_id == caller.oid
            })
            .filter(|&i| keep(&|p| assignment_field(v, &d, i, p)))
            .collect(),
        Set::Packages => (0..d.packages.len())
            .filter(|&i| {
                let p = &d.packages[i];
                scoped_catalog(caller).is_none_or(|c| d.catalogs[p.catalog].id == c)
                    && keep(&|f| package_field(&d, i, f))
            })
            .collect(),
        Set::Catalogs => (0..d.catalogs.len())
            .filter(|&i| {
                scoped_catalog(caller).is_none_or(|c| d.catalogs[i].id == c)
                    && keep(&|f| catalog_field(&d, i, f))
            })
            .collect(),
        Set::Policies => (0..d.policies.len())
            .filter(|&i| {
                let p = &d.policies[i];
                scoped_catalog(caller)
                    .is_none_or(|c| d.catalogs[d.packages[p.package].catalog].id == c)
                    && keep(&|f| policy_field(&d, i, f))
            })
            .collect(),
    };

    // Every list pages (Graph's paging is server-driven; no page documents a size).
    let server_page = s
        .knobs
        .lock()
        .expect("knobs")
        .page_sizes
        .get(set_seg)
        .copied()
        .unwrap_or(PAGE_SIZE);
    let page_size = q.top.unwrap_or(server_page).min(server_page);
    let offset = match &q.skiptoken {
        None => 0,
        Some(t) => decode_skiptoken(t)
            .ok_or_else(|| GraphError::bad_request("The $skiptoken is not valid."))?,
    };
    let end = offset.saturating_add(page_size).min(matching.len());
    let page = matching.get(offset.min(matching.len())..end).unwrap_or(&[]);
    let values: Vec<Value> = page
        .iter()
        .map(|&i| render_shaped(v, s.options.cloud, &d, set, i, &shape))
        .collect();
    let mut body = json!({
        "@odata.context": context(s, call, set_seg),
        "value": values,
    });
    if end < matching.len() {
        let kept: Vec<(String, String)> = form_urlencoded::parse(call.query.as_bytes())
            .filter(|(k, _)| k != "$skiptoken" && !(v == Version::Beta && k == "skiptoken"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &kept {
            ser.append_pair(k, v);
        }
        ser.append_pair("$skiptoken", &encode_skiptoken(end));
        body["@odata.nextLink"] = json!(format!("{}?{}", collection_url(s, call), ser.finish()));
    }
    Ok(Reply::json(body))
}

fn encode_skiptoken(offset: usize) -> String {
    B64.encode(format!("sandbox-page:{offset}"))
}

fn decode_skiptoken(t: &str) -> Option<usize> {
    let raw = String::from_utf8(B64.decode(t).ok()?).ok()?;
    raw.strip_prefix("sandbox-page:")?.parse().ok()
}

fn sample_entity(v: Version, cloud: Cloud, d: &Data, set: Set) -> Option<Value> {
    match set {
        Set::Requests => d
            .requests
            .first()
            .map(|r| render::request(v, cloud, d, r, &[])),
        Set::Assignments => d
            .assignments
            .first()
            .map(|a| render::assignment(v, d, a, &[])),
        Set::Packages => d.packages.first().map(|p| render::package(v, d, p, &[])),
        Set::Catalogs => (!d.catalogs.is_empty()).then(|| render::catalog(v, d, 0, &[])),
        Set::Policies => d.policies.first().map(|p| render::policy(v, d, p, &[])),
    }
}

/// An item as the read asked for it: expanded, `$select` inside the expanded items, then
/// the top-level `$select`.
fn render_shaped(v: Version, cloud: Cloud, d: &Data, set: Set, i: usize, shape: &Shape) -> Value {
    let flat = expand_rules::flat(&shape.expand);
    let mut o = render_one(v, cloud, d, set, i, &flat);
    expand_rules::select_inside(&mut o, &shape.expand);
    render::select(o, shape.select.as_deref(), &flat)
}

fn render_one(
    v: Version,
    cloud: Cloud,
    d: &Data,
    set: Set,
    i: usize,
    expand: &[(String, Vec<String>)],
) -> Value {
    let names: Vec<String> = expand.iter().map(|(n, _)| n.clone()).collect();
    match set {
        Set::Requests => render::request(v, cloud, d, &d.requests[i], expand),
        Set::Assignments => render::assignment(v, d, &d.assignments[i], expand),
        Set::Packages => {
            let nested: Vec<String> = names;
            render::package(v, d, &d.packages[i], &nested)
        }
        Set::Catalogs => render::catalog(v, d, i, &names),
        Set::Policies => render::policy(v, d, &d.policies[i], expand),
    }
}

fn find(d: &Data, set: Set, id: &str) -> Result<Option<usize>, GraphError> {
    if !is_guid(id) {
        return Err(GraphError::bad_request(format!(
            "Invalid object identifier '{}': an id is a GUID.",
            truncate(id)
        )));
    }
    Ok(match set {
        Set::Requests => d.request_index(id),
        Set::Assignments => d.assignment_index(id),
        Set::Packages => d
            .packages
            .iter()
            .position(|p| p.id.eq_ignore_ascii_case(id)),
        Set::Catalogs => d
            .catalogs
            .iter()
            .position(|c| c.id.eq_ignore_ascii_case(id)),
        Set::Policies => d
            .policies
            .iter()
            .position(|p| p.id.eq_ignore_ascii_case(id)),
    })
}

/// The index of an existing item: 400 for a malformed id, 404 for an unknown one.
fn find_existing(d: &Data, set: Set, id: &str) -> Result<usize, GraphError> {
    find(d, set, id)?.ok_or_else(|| {
        GraphError::not_found(format!(
            "No {} with id '{id}' exists in this tenant.",
            type_name(set)
        ))
    })
}

fn package_of(d: &Data, set: Set, i: usize) -> Option<usize> {
    match set {
        Set::Requests => Some(d.requests[i].package),
        Set::Assignments => Some(d.assignments[i].package),
        Set::Packages => Some(i),
        Set::Policies => Some(d.policies[i].package),
        Set::Catalogs => None,
    }
}

fn get(s: &Shared, caller: &Caller, call: &Call, set: Set, id: &str) -> Result<Reply, GraphError> {
    let v = call.version;
    let d = s.data.read().expect("data");
    let sample = sample_entity(v, s.options.cloud, &d, set);
    let (_, shape) = shape(s, call, set, &d, sample.as_ref(), Read::Item)?;
    let i = find_existing(&d, set, id)?;
    if let Some(p) = package_of(&d, set, i) {
        check_catalog(&d, caller, p)?;
    } else if let Some(cat) = scoped_catalog(caller)
        && d.catalogs[i].id != cat
    {
        return Err(GraphError::forbidden(
            "Insufficient privileges to complete the operation.",
        ));
    }
    let mut o = render_shaped(v, s.options.cloud, &d, set, i, &shape);
    let set_seg = collection_segment(call);
    o["@odata.context"] = json!(format!("{}/$entity", context(s, call, set_seg)));
    Ok(Reply::json(o))
}

fn act(
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
            Ok(accepted(s, &mut d, Queued::ReprocessRequest(i), now))
        }
        (Set::Assignments, "reprocess") => {
            let a = &d.assignments[i];
            if a.state != AsgState::Delivered {
                return Err(GraphError::bad_request(format!(
                    "The assignment cannot be reprocessed: its state is {}. Only delivered assignments can be reprocessed.",
                    a.state.v1()
                )));
            }
            Ok(accepted(s, &mut d, Queued::ReprocessAssignment(i), now))
        }
        _ => {
            let queued = resume(&d, i, call)?;
            Ok(accepted(s, &mut d, queued, now))
        }
    }
}

/// An action Graph accepted: queued to act after the action delay (at once when it is 0),
/// answered 202 (reprocess) or 204 (resume) now.
fn accepted(s: &Shared, d: &mut Data, action: Queued, now: DateTime<Utc>) -> Reply {
    let status = match action {
        Queued::Resume { .. } => StatusCode::NO_CONTENT,
        _ => StatusCode::ACCEPTED,
    };
    let delay_ms = s.action_delay_ms();
    let at = now + Duration::milliseconds(delay_ms);
    d.queue(action, at);
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
