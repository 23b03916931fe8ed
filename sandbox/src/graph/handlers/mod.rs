//! The entitlement-management resources: lists with `$filter`/`$expand`/`$select` and
//! server-driven paging, get by id, and the three actions of the specification.

//!
//! One file per concern: this one routes a call and holds what every handler shares (the
//! entity sets, the caller's catalog scope, finding an item by id); `query` validates a
//! read's `$filter`, `$expand` and `$select`; `read` serves lists and gets; `actions`
//! serves reprocess and resume.

mod actions;
mod query;
mod read;

use axum::http::{Method, StatusCode};

use self::actions::act;
use self::read::{get, list};
use super::expand::{self as expand_rules, Kind};
use super::render::Version;
use super::{Call, Caller, GraphError, Reply, truncate};
use crate::Shared;
use crate::accounts::Role;
use crate::cloud::Cloud;
use crate::data::Data;
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
    if call
        .path
        .split('/')
        .next()
        .is_some_and(|seg| seg.eq_ignore_ascii_case("auditLogs"))
    {
        return super::audit::route(s, caller, call);
    }
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

/// The collection's path segment of a call (`assignmentRequests`, …).
fn collection_segment(call: &Call) -> &str {
    call.path[PREFIX.len()..].split('/').next().unwrap_or("")
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
