//! Reads: lists (filtered, scoped to the caller's catalog, paged by the server) and gets
//! by id.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};

use super::super::expand as expand_rules;
use super::super::odata::Literal;
use super::super::query_table::Read;
use super::super::render::{self, Version, pascal};
use super::super::{Call, Caller, GraphError, Reply};
use super::query::{Shape, shape};
use super::{
    PAGE_SIZE, Set, check_catalog, collection_segment, find_existing, package_of, scoped_catalog,
    scoped_list_refused,
};
use crate::Shared;
use crate::cloud::Cloud;
use crate::data::Data;

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

pub(super) fn list(
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
    let (len, matches): (usize, Box<dyn Fn(usize) -> bool + '_>) = match set {
        // Requests are stored newest first (see Data::generate).
        Set::Requests => (
            d.requests.len(),
            Box::new(|i| {
                let r = &d.requests[i];
                let mine = match current_user {
                    Some("approver") => r.approvers.contains(&caller.oid),
                    Some(_) => d.subjects[r.requestor].object_id == caller.oid,
                    None => true,
                };
                mine && keep(&|p| request_field(v, &d, i, p))
            }),
        ),
        Set::Assignments => (
            d.assignments.len(),
            Box::new(|i| {
                (current_user.is_none()
                    || d.subjects[d.assignments[i].target].object_id == caller.oid)
                    && keep(&|p| assignment_field(v, &d, i, p))
            }),
        ),
        Set::Packages => (
            d.packages.len(),
            Box::new(|i| {
                let p = &d.packages[i];
                scoped_catalog(caller).is_none_or(|c| d.catalogs[p.catalog].id == c)
                    && keep(&|f| package_field(&d, i, f))
            }),
        ),
        Set::Catalogs => (
            d.catalogs.len(),
            Box::new(|i| {
                scoped_catalog(caller).is_none_or(|c| d.catalogs[i].id == c)
                    && keep(&|f| catalog_field(&d, i, f))
            }),
        ),
        Set::Policies => (
            d.policies.len(),
            Box::new(|i| {
                let p = &d.policies[i];
                scoped_catalog(caller)
                    .is_none_or(|c| d.catalogs[d.packages[p.package].catalog].id == c)
                    && keep(&|f| policy_field(&d, i, f))
            }),
        ),
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
    // The token holds where the next page starts in the stored order, so a page costs
    // the rows it scans, not the whole collection: Graph's paging is cheap too.
    let from = match &q.skiptoken {
        None => 0,
        Some(t) => decode_skiptoken(t)
            .ok_or_else(|| GraphError::bad_request("The $skiptoken is not valid."))?,
    };
    let mut found = (from.min(len)..len).filter(|&i| matches(i));
    let page: Vec<usize> = found.by_ref().take(page_size).collect();
    let next = found.next();
    let values: Vec<Value> = page
        .iter()
        .map(|&i| render_shaped(v, s.options.cloud, &d, set, i, &shape))
        .collect();
    let mut body = json!({
        "@odata.context": context(s, call, set_seg),
        "value": values,
    });
    if let Some(next) = next {
        let kept: Vec<(String, String)> = form_urlencoded::parse(call.query.as_bytes())
            .filter(|(k, _)| k != "$skiptoken" && !(v == Version::Beta && k == "skiptoken"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &kept {
            ser.append_pair(k, v);
        }
        ser.append_pair("$skiptoken", &encode_skiptoken(next));
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

pub(super) fn get(
    s: &Shared,
    caller: &Caller,
    call: &Call,
    set: Set,
    id: &str,
) -> Result<Reply, GraphError> {
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
