//! `GET /{v1.0|beta}/auditLogs/directoryAudits` and `…/directoryAudits/{id}`: the tenant's
//! audit log (`data::audit`) as Microsoft Graph serves it.
//!
//! This file routes, checks authorization, reads the query options, pages and renders;
//! `filter` parses `$filter` and compiles its documented clauses into predicates.
//!
//! Sources (microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0):
//!
//! * `api/directoryaudit-list.md`: `$filter` (`eq`, `ge`, `le`, `startswith`), `$top`,
//!   `$orderby`, `skiptoken`; delegated `AuditLog.Read.All and Directory.Read.All`; the
//!   roles of `includes/rbac-for-apis/rbac-directoryaudit-apis.md`; national clouds by
//!   `includes/global-us.md` (global, US Government L4 and L5; **not** China operated by
//!   21Vianet). Its second example's answer carries `@microsoft.graph.tips` about `$select`,
//!   so `$select` is taken too.
//! * `resources/directoryaudit.md`: the properties and which of them `$filter` takes:
//!   `activityDateTime` (`eq`, `ge`, `le`; and `$orderby`), `activityDisplayName` (`eq`,
//!   `startswith`), `correlationId`, `id`, `loggedByService` (`eq`), `initiatedBy`
//!   `user/id`, `user/displayName`, `user/userPrincipalName`, `app/appId`, `app/displayName`
//!   (`eq`) and `user/userPrincipalName` (`startswith`), `targetResources` `id` and
//!   `displayName` (`eq`) and `displayName` (`startswith`), through the lambda
//!   `targetResources/any(t:t/id eq '…')`. Nothing else: `category`, `result`,
//!   `resultReason`, `operationType` and `additionalDetails` are not filterable, and
//!   `or`, `not`, `ne`, `gt`, `lt`, `contains` are not among the operators.
//! * `api/directoryaudit-get.md`: its example answer is a collection with `targetResource`
//!   (a documentation slip); the sandbox answers one entity, as every Graph get does.
//!
//! Not documented, chosen here: the order without `$orderby` is newest first (as the admin
//! center lists the log; the page does not say); `$orderby=activityDateTime` alone is
//! ascending, as OData defines it. No page gives a `$top` maximum: 1 to 999 is taken. The
//! server's page size is 100 (test control's `pageSizes` `directoryAudits`); `$top` sets
//! the page size. Refusals: an operator or property the page does not list is
//! `InvalidFilter` in the sandbox's usual words; a property the type does not have is
//! `BadRequest`; `$count`, `$search`, `$expand`, `$skip` are `Request_UnsupportedQuery`.
//!
//! Authorization, as the service reports it (the pages give no codes): a token without both
//! permissions is 403 `Authentication_MSGraphPermissionMissing`, "Calling principal does not
//! have required MSGraph permissions AuditLog.Read.All" (microsoft-graph-docs-contrib issue
//! 8997 quotes it); a signed-in user without one of `accounts::AUDIT_LOG_ROLES` is 403
//! `Authentication_RequestFromUnsupportedUserRole`, "User is not in the allowed roles".

mod filter;

use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::render::Version;
use super::{Call, Caller, GraphError, Reply, truncate};
use crate::Shared;
use crate::data::Data;
use crate::data::audit::{self, Actor};
use crate::ids::{Rng, format_guid, parse_guid};
use filter::{Pred, compile, parse};

/// The collection's name as test control's `pageSizes` takes it.
pub const COLLECTION: &str = "directoryAudits";
/// Server-driven page size unless `pageSizes` or `$top` says otherwise.
pub const PAGE_SIZE: usize = 100;
/// The largest `$top` taken (no page documents one).
pub const MAX_TOP: usize = 999;
/// Permissions a token needs, both of them.
pub const PERMISSIONS: [&str; 2] = ["AuditLog.Read.All", "Directory.Read.All"];

const TYPE: &str = "microsoft.graph.directoryAudit";
/// The properties of directoryAudit, in the resource page's order.
const PROPERTIES: [&str; 12] = [
    "activityDateTime",
    "activityDisplayName",
    "additionalDetails",
    "category",
    "correlationId",
    "id",
    "initiatedBy",
    "loggedByService",
    "operationType",
    "result",
    "resultReason",
    "targetResources",
];

/// Serves a call whose path starts with `auditLogs` (any case, as Graph's segments are;
/// the list page itself writes `/auditLogs/directoryaudits`).
pub(super) fn route(s: &Shared, caller: &Caller, call: &Call) -> Result<Reply, GraphError> {
    let segs: Vec<&str> = call.path.split('/').collect();
    if !crate::cloud::has_audit_log(s.options.cloud) {
        return Err(GraphError::segment(segs[0]));
    }
    match segs.get(1) {
        Some(seg) if seg.eq_ignore_ascii_case(COLLECTION) => {}
        Some(seg) => return Err(GraphError::segment(seg)),
        None => {
            return Err(GraphError::bad_request(
                "This sandbox serves auditLogs/directoryAudits only.",
            ));
        }
    }
    if segs.len() > 3 {
        return Err(GraphError::segment(segs[3]));
    }
    if call.method != Method::GET {
        return Err(GraphError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "BadRequest",
            "The audit log is read only: directoryAudits takes GET.",
        ));
    }
    let missing: Vec<&str> = PERMISSIONS
        .into_iter()
        .filter(|p| !caller.scopes.iter().any(|s| s == p))
        .collect();
    if !missing.is_empty() {
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "Authentication_MSGraphPermissionMissing",
            format!(
                "Calling principal does not have required MSGraph permissions {}",
                missing.join(", ")
            ),
        ));
    }
    if !caller.can_read_audit_log {
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "Authentication_RequestFromUnsupportedUserRole",
            "User is not in the allowed roles",
        ));
    }
    if s.data.read().expect("data").has_pending() {
        let now = s.clock.now();
        s.data.write().expect("data").settle(now);
    }
    let q = Options::parse(&call.query, call.version == Version::Beta)?;
    let d = s.data.read().expect("data");
    match segs.get(2) {
        None => list(s, call, &d, q),
        Some(id) => get(s, call, &d, q, id),
    }
}

/// The query options of a read of the log.
#[derive(Default)]
struct Options {
    filter: Option<String>,
    select: Option<Vec<&'static str>>,
    top: Option<usize>,
    ascending: bool,
    orderby: bool,
    skiptoken: Option<String>,
}

impl Options {
    /// Reads the raw query. Beta takes system query options without `$` too
    /// (query-parameters.md), and then each at most once.
    fn parse(raw: &str, dollar_optional: bool) -> Result<Options, GraphError> {
        const KNOWN: [&str; 10] = [
            "filter",
            "select",
            "top",
            "orderby",
            "skiptoken",
            "skip",
            "count",
            "search",
            "expand",
            "format",
        ];
        let mut o = Options::default();
        let mut seen: Vec<String> = Vec::new();
        let mut refused: Vec<String> = Vec::new();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            let name = match k.strip_prefix('$') {
                Some(n) => n.to_ascii_lowercase(),
                None if dollar_optional && KNOWN.contains(&k.to_ascii_lowercase().as_str()) => {
                    k.to_ascii_lowercase()
                }
                // Not a system query option (v1.0 `skiptoken` without `$` is the one Graph
                // writes into its own links on some lists; take it).
                None if k.eq_ignore_ascii_case("skiptoken") => "skiptoken".into(),
                None => continue,
            };
            if seen.contains(&name) {
                return Err(GraphError::bad_request(format!(
                    "Query option '${name}' was specified more than once, but it must be specified at most once."
                )));
            }
            seen.push(name.clone());
            let v = v.into_owned();
            match name.as_str() {
                "filter" => o.filter = Some(v),
                "select" => o.select = Some(select(&v)?),
                "top" => {
                    o.top = Some(
                        v.parse::<usize>()
                            .ok()
                            .filter(|n| (1..=MAX_TOP).contains(n))
                            .ok_or_else(|| {
                                GraphError::bad_request(format!(
                                    "Invalid $top value '{}': directoryAudits takes an integer from 1 to {MAX_TOP}.",
                                    truncate(&v)
                                ))
                            })?,
                    )
                }
                "orderby" => {
                    o.orderby = true;
                    o.ascending = orderby(&v)?;
                }
                "skiptoken" => o.skiptoken = Some(v),
                other => refused.push(format!("${other}")),
            }
        }
        if !refused.is_empty() {
            return Err(GraphError::unsupported(format!(
                "The query option(s) {} are not supported by auditLogs/directoryAudits, which takes $filter, $top, $orderby, $select and $skiptoken.",
                refused.join(", ")
            )));
        }
        Ok(o)
    }
}

/// `$orderby`: `activityDateTime`, ascending unless `desc` follows. True for ascending.
fn orderby(v: &str) -> Result<bool, GraphError> {
    let words: Vec<&str> = v.split_whitespace().collect();
    match words.as_slice() {
        [p] if p.eq_ignore_ascii_case("activityDateTime") => Ok(true),
        [p, dir] if p.eq_ignore_ascii_case("activityDateTime") => {
            if dir.eq_ignore_ascii_case("asc") {
                Ok(true)
            } else if dir.eq_ignore_ascii_case("desc") {
                Ok(false)
            } else {
                Err(GraphError::bad_request(format!(
                    "Invalid $orderby direction '{}': asc or desc.",
                    truncate(dir)
                )))
            }
        }
        _ => Err(GraphError::unsupported(format!(
            "OData query is invalid: OrderBy '{}' is not supported. directoryAudits are ordered by activityDateTime only.",
            truncate(v)
        ))),
    }
}

/// `$select`: properties of directoryAudit (top level, any case).
fn select(v: &str) -> Result<Vec<&'static str>, GraphError> {
    v.split(',')
        .map(str::trim)
        .map(|f| {
            PROPERTIES
                .iter()
                .find(|p| p.eq_ignore_ascii_case(f))
                .copied()
                .ok_or_else(|| unknown_property(f))
        })
        .collect()
}

fn unknown_property(path: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Could not find a property named '{}' on type '{TYPE}'.",
        truncate(path.split('/').next().unwrap_or(path))
    ))
}

// ---------------------------------------------------------------------------------------
// Reading: the events that match, a page at a time.

fn encode_token(kind: char, n: usize) -> String {
    B64.encode(format!("sandbox-audit:{kind}:{n}"))
}

fn decode_token(t: &str) -> Option<(char, usize)> {
    let raw = String::from_utf8(B64.decode(t).ok()?).ok()?;
    let rest = raw.strip_prefix("sandbox-audit:")?;
    let (kind, n) = rest.split_once(':')?;
    Some((kind.chars().next()?, n.parse().ok()?))
}

fn list(s: &Shared, call: &Call, d: &Data, q: Options) -> Result<Reply, GraphError> {
    let preds = match &q.filter {
        Some(f) => compile(&parse(f)?, d)?,
        None => Vec::new(),
    };
    let server_page = s
        .knobs
        .lock()
        .expect("knobs")
        .page_sizes
        .get(COLLECTION)
        .copied()
        .unwrap_or(PAGE_SIZE);
    let page_size = q.top.unwrap_or(server_page);
    let bad_token = || GraphError::bad_request("The $skiptoken is not valid.");
    let token = q
        .skiptoken
        .as_deref()
        .map(|t| decode_token(t).ok_or_else(bad_token))
        .transpose()?;
    let keep = |e: u32| preds.iter().all(|p| p.matches(d.audit.event(e)));

    // A clause that names targets or an id reads only those events; otherwise the log is
    // scanned in time order from where the last page stopped.
    let narrowest = preds
        .iter()
        .filter_map(|p| match p {
            Pred::Target(t) => Some((t.size(d), p)),
            Pred::Id(_) => Some((1, p)),
            _ => None,
        })
        .min_by_key(|(n, _)| *n)
        .map(|(_, p)| p);
    let mut page: Vec<u32> = Vec::new();
    let next: Option<String>;
    if let Some(p) = narrowest {
        let mut candidates: Vec<u32> = match p {
            Pred::Target(t) => t.events(d),
            Pred::Id(id) => id.and_then(|id| d.audit.find(id)).into_iter().collect(),
            _ => unreachable!("narrowest is a target or an id"),
        };
        candidates.retain(|&e| keep(e));
        candidates.sort_by_key(|&e| (d.audit.event(e).at, e));
        if !q.ascending {
            candidates.reverse();
        }
        let offset = match token {
            None => 0,
            Some(('c', n)) => n,
            Some(_) => return Err(bad_token()),
        };
        let end = offset.saturating_add(page_size).min(candidates.len());
        page.extend_from_slice(candidates.get(offset.min(end)..end).unwrap_or(&[]));
        next = (end < candidates.len()).then(|| encode_token('c', end));
    } else {
        let order = d.audit.order();
        // The cursor: ascending, the next position to read; descending, one past it.
        let mut pos = match token {
            None if q.ascending => 0,
            None => order.len(),
            Some(('s', n)) => n.min(order.len()),
            Some(_) => return Err(bad_token()),
        };
        let mut more = None;
        loop {
            let at = if q.ascending {
                (pos < order.len()).then_some(pos)
            } else {
                pos.checked_sub(1)
            };
            let Some(at) = at else { break };
            let e = order[at];
            if keep(e) {
                if page.len() == page_size {
                    // One more match: the next page starts here.
                    more = Some(pos);
                    break;
                }
                page.push(e);
            }
            pos = if q.ascending { pos + 1 } else { pos - 1 };
        }
        next = more.map(|p| encode_token('s', p));
    }

    let tenant = &s.tenant.tenant_id;
    let seed = s.knobs.lock().expect("knobs").tenant_seed;
    let values: Vec<Value> = page
        .iter()
        .map(|&e| shaped(render(d, tenant, seed, e), q.select.as_deref()))
        .collect();
    let mut body = json!({ "@odata.context": context(s, call, false) });
    if q.select.is_none() {
        body["@microsoft.graph.tips"] = json!(
            "Use $select to choose only the properties your app needs, as this can lead to performance improvements. For example: GET auditLogs/directoryAudits?$select=activityDateTime,activityDisplayName"
        );
    }
    body["value"] = json!(values);
    if let Some(token) = next {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(call.query.as_bytes()) {
            let key = k.trim_start_matches('$');
            if !key.eq_ignore_ascii_case("skiptoken") {
                ser.append_pair(&k, &v);
            }
        }
        ser.append_pair("$skiptoken", &token);
        body["@odata.nextLink"] = json!(format!(
            "{}/{}/{}?{}",
            s.issuer_origin,
            call.version.path(),
            call.path,
            ser.finish()
        ));
    }
    Ok(Reply::json(body))
}

fn get(s: &Shared, call: &Call, d: &Data, q: Options, id: &str) -> Result<Reply, GraphError> {
    if q.filter.is_some() || q.top.is_some() || q.orderby || q.skiptoken.is_some() {
        return Err(GraphError::unsupported(
            "A single directoryAudit takes $select only.",
        ));
    }
    let e = parse_guid(id)
        .and_then(|g| d.audit.find(g))
        .ok_or_else(|| {
            GraphError::not_found(format!(
                "No directoryAudit with id '{}' exists in this tenant.",
                truncate(id)
            ))
        })?;
    let seed = s.knobs.lock().expect("knobs").tenant_seed;
    let mut o = shaped(render(d, &s.tenant.tenant_id, seed, e), q.select.as_deref());
    o["@odata.context"] = json!(context(s, call, true));
    Ok(Reply::json(o))
}

fn context(s: &Shared, call: &Call, entity: bool) -> String {
    format!(
        "{}/{}/$metadata#auditLogs/directoryAudits{}",
        s.issuer_origin,
        call.version.path(),
        if entity { "/$entity" } else { "" }
    )
}

fn shaped(o: Value, select: Option<&[&'static str]>) -> Value {
    let Some(fields) = select else { return o };
    let Value::Object(map) = o else { return o };
    Value::Object(
        map.into_iter()
            .filter(|(k, _)| fields.contains(&k.as_str()))
            .collect(),
    )
}

fn iso_micros(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The service principal of the entitlement-management app in this tenant.
fn app_service_principal(seed: u64) -> String {
    Rng::new(seed ^ 0x5E41_CE00).guid()
}

/// One event in the directoryAudit shape of the resource page and the list examples.
fn render(d: &Data, tenant: &str, seed: u64, k: u32) -> Value {
    let e = d.audit.event(k);
    let user = |i: u32| {
        let s = &d.subjects[i as usize];
        json!({
            "id": s.object_id,
            "displayName": s.display_name,
            "userPrincipalName": s.principal_name,
            "ipAddress": null,
            "userType": "Member",
            "homeTenantId": tenant,
            "homeTenantName": null,
        })
    };
    let initiated = match e.by {
        Actor::User(i) => json!({ "app": null, "user": user(i) }),
        Actor::App => json!({
            "user": null,
            "app": {
                "appId": audit::APP_ID,
                "displayName": audit::APP_NAME,
                "servicePrincipalId": app_service_principal(seed),
                "servicePrincipalName": null,
            },
        }),
    };
    let target = |id: &str, name: Value, ty: &str, upn: Value| {
        json!({
            "id": id,
            "displayName": name,
            "type": ty,
            "userPrincipalName": upn,
            "groupType": null,
            "modifiedProperties": [],
        })
    };
    let package = &d.packages[e.package as usize];
    let subject = &d.subjects[e.target as usize];
    let mut targets = Vec::new();
    let mut details = vec![json!({ "key": "AccessPackageId", "value": package.id })];
    if let Some(r) = e.request {
        let r = &d.requests[r as usize];
        targets.push(target(
            &r.id,
            Value::Null,
            "AccessPackageAssignmentRequest",
            Value::Null,
        ));
        details.push(
            json!({ "key": "AccessPackageAssignmentPolicyId", "value": d.policies[r.policy].id }),
        );
        details.push(json!({ "key": "RequestType", "value": r.request_type }));
        if let Some(cb) = e.callback {
            let instance = r
                .callouts
                .iter()
                .find(|c| c.stage == cb.stage)
                .map(|c| c.id.clone());
            details.push(json!({ "key": "CustomExtensionStage", "value": cb.stage.name() }));
            details.push(json!({ "key": "CustomExtensionStageInstanceId", "value": instance }));
            details.push(json!({ "key": "CallbackOutcome", "value": if cb.deny { "denied" } else { "continue" } }));
        }
    }
    if let Some(a) = e.assignment {
        targets.push(target(
            &d.assignments[a as usize].id,
            Value::Null,
            "AccessPackageAssignment",
            Value::Null,
        ));
    }
    targets.push(target(
        &package.id,
        json!(package.display_name),
        "AccessPackage",
        Value::Null,
    ));
    targets.push(target(
        &subject.object_id,
        json!(subject.display_name),
        "User",
        json!(subject.principal_name),
    ));
    json!({
        "id": format_guid(e.id),
        "category": audit::CATEGORY,
        "correlationId": format_guid(e.correlation),
        "result": if e.failure.is_some() { "failure" } else { "success" },
        "resultReason": e.failure.map(|r| r.text(e.package as usize)).unwrap_or_default(),
        "activityDisplayName": e.activity.name(),
        "activityDateTime": iso_micros(e.at),
        "loggedByService": audit::LOGGED_BY_SERVICE,
        "operationType": e.activity.operation_type(),
        "initiatedBy": initiated,
        "targetResources": targets,
        "additionalDetails": details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptokens_round_trip_and_refuse_garbage() {
        assert_eq!(decode_token(&encode_token('s', 42)), Some(('s', 42)));
        assert_eq!(decode_token("bm9wZQ"), None);
    }
}
