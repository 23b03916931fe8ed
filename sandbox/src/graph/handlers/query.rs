//! A read's query options, validated: `$filter`, `$expand` and `$select` as the documents
//! allow them (`--query-support documented`, from `query_table`) or as the extended mode
//! does.

use serde_json::Value;

use super::super::expand as expand_rules;
use super::super::odata::{Expand, Filter, Literal, Op, Query, parse_expand, parse_filter};
use super::super::query_table::{self, QuerySupport, Read};
use super::super::render::{self, Version};
use super::super::{Call, GraphError, truncate};
use super::{Set, collection_segment, navigations, type_name};
use crate::Shared;
use crate::data::{AsgState, Data, ReqState};
use crate::ids::is_guid;

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

/// Validated query options of a read.
pub(super) struct Shape {
    pub(super) filter: Option<Filter>,
    pub(super) expand: Vec<Expand>,
    pub(super) select: Option<Vec<String>>,
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

pub(super) fn shape(
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
