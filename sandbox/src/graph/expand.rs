//! What `$expand` and `$select` may name on each entity type, and `$select` inside `$expand`:
//! `accessPackage($select=id,displayName)` keeps only those properties of the expanded
//! package (plus `id`), checked against the expanded type as a top-level `$select` is
//! checked against the read's own type (`concepts/query-parameters.md` documents `$select`
//! inside `$expand` for expanded resources in general).

use serde_json::Value;

use super::odata::Expand;
use super::render::{self, Version};
use super::{GraphError, truncate};
use crate::cloud::Cloud;
use crate::data::Data;

/// An entity type the sandbox renders, at the top of a read or expanded inside one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Request,
    Assignment,
    Package,
    Catalog,
    Policy,
    Subject,
    StageSetting,
    Extension,
    ConnectedOrganization,
}

/// The type's name in Graph's messages (`microsoft.graph.{name}`).
pub fn type_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Request => "accessPackageAssignmentRequest",
        Kind::Assignment => "accessPackageAssignment",
        Kind::Package => "accessPackage",
        Kind::Catalog => "accessPackageCatalog",
        Kind::Policy => "accessPackageAssignmentPolicy",
        Kind::Subject => "accessPackageSubject",
        Kind::StageSetting => "customExtensionStageSetting",
        Kind::Extension => "customCalloutExtension",
        Kind::ConnectedOrganization => "connectedOrganization",
    }
}

/// Every navigation property of the type in the schema (shared/reference/graph-schema),
/// expandable or not: naming one that is not documented is InvalidFilter, naming one the
/// type does not have is BadRequest; `$select` takes none of them.
pub fn navigations(kind: Kind, v: Version) -> &'static [&'static str] {
    match (kind, v) {
        (Kind::Request, Version::V1) => &["accessPackage", "assignment", "requestor"],
        (Kind::Request, Version::Beta) => {
            &["accessPackage", "accessPackageAssignment", "requestor"]
        }
        (Kind::Assignment, Version::V1) => &["accessPackage", "assignmentPolicy", "target"],
        (Kind::Assignment, Version::Beta) => &[
            "accessPackage",
            "accessPackageAssignmentPolicy",
            "accessPackageAssignmentRequests",
            "accessPackageAssignmentResourceRoles",
            "target",
        ],
        (Kind::Package, Version::V1) => &[
            "accessPackagesIncompatibleWith",
            "assignmentPolicies",
            "catalog",
            "incompatibleAccessPackages",
            "incompatibleGroups",
            "resourceRoleScopes",
        ],
        (Kind::Package, Version::Beta) => &[
            "accessPackageAssignmentPolicies",
            "accessPackageCatalog",
            "accessPackageResourceRoleScopes",
            "accessPackagesIncompatibleWith",
            "incompatibleAccessPackages",
            "incompatibleGroups",
        ],
        (Kind::Policy, Version::V1) => &[
            "accessPackage",
            "catalog",
            "customExtensionStageSettings",
            "questions",
        ],
        (Kind::Policy, Version::Beta) => &[
            "accessPackage",
            "accessPackageCatalog",
            "customExtensionHandlers",
            "customExtensionStageSettings",
        ],
        (Kind::Catalog, Version::V1) => &[
            "accessPackages",
            "customWorkflowExtensions",
            "resourceRoles",
            "resources",
            "resourceScopes",
        ],
        (Kind::Catalog, Version::Beta) => &[
            "accessPackageCustomWorkflowExtensions",
            "accessPackageResourceRoles",
            "accessPackageResources",
            "accessPackageResourceScopes",
            "accessPackages",
            "customAccessPackageWorkflowExtensions",
        ],
        (Kind::Subject, _) => &["connectedOrganization"],
        (Kind::StageSetting, _) => &["customExtension"],
        (Kind::Extension, _) => &[],
        (Kind::ConnectedOrganization, _) => &["externalSponsors", "internalSponsors"],
    }
}

/// The type a navigation property the sandbox renders leads to (each name leads to one
/// type wherever it appears).
pub fn target(nav: &str) -> Option<Kind> {
    Some(match nav {
        "accessPackage" | "accessPackages" => Kind::Package,
        "requestor" | "target" => Kind::Subject,
        "assignment" | "accessPackageAssignment" => Kind::Assignment,
        "assignmentPolicy"
        | "accessPackageAssignmentPolicy"
        | "assignmentPolicies"
        | "accessPackageAssignmentPolicies" => Kind::Policy,
        "catalog" | "accessPackageCatalog" => Kind::Catalog,
        "customExtensionStageSettings" => Kind::StageSetting,
        "customExtension" => Kind::Extension,
        "connectedOrganization" => Kind::ConnectedOrganization,
        _ => return None,
    })
}

/// The structural properties of the type as the sandbox renders it in `v` and `cloud`
/// (a rendered sample's keys, without annotations); `None` when the tenant has no sample.
pub fn properties(kind: Kind, v: Version, cloud: Cloud, d: &Data) -> Option<Vec<String>> {
    let fixed = |names: &[&str]| Some(names.iter().map(|n| n.to_string()).collect());
    let sample = match kind {
        Kind::Request => render::request(v, cloud, d, d.requests.first()?, &[]),
        Kind::Assignment => render::assignment(v, d, d.assignments.first()?, &[]),
        Kind::Package => render::package(v, d, d.packages.first()?, &[]),
        Kind::Catalog => {
            if d.catalogs.is_empty() {
                return None;
            }
            render::catalog(v, d, 0, &[])
        }
        Kind::Policy => render::policy(v, d, d.policies.first()?, &[]),
        Kind::Subject => render::subject(v, d.subjects.first()?),
        Kind::Extension => render::extension(d.extensions.first()?),
        Kind::StageSetting => return fixed(&["id", "stage"]),
        // beta-usnat.xml; the sandbox's subjects belong to none, so it is never rendered.
        Kind::ConnectedOrganization => {
            return fixed(&[
                "id",
                "createdBy",
                "createdDateTime",
                "description",
                "displayName",
                "identitySources",
                "modifiedBy",
                "modifiedDateTime",
                "state",
            ]);
        }
    };
    Some(
        sample
            .as_object()?
            .keys()
            .filter(|k| !k.starts_with('@'))
            .cloned()
            .collect(),
    )
}

/// A `$select` names only properties of the type (not its navigation properties), as
/// Graph checks it: `Could not find a property named 'x' on type 'microsoft.graph.…'.`
pub fn check_select(
    kind: Kind,
    v: Version,
    props: Option<&[String]>,
    fields: &[String],
) -> Result<(), GraphError> {
    let Some(props) = props else { return Ok(()) };
    for f in fields {
        if !props.contains(f) || navigations(kind, v).contains(&f.as_str()) {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{}' on type 'microsoft.graph.{}'.",
                truncate(f),
                type_name(kind)
            )));
        }
    }
    Ok(())
}

/// Checks the `$select` inside each expanded item (and inside its nested items) against
/// the type the item leads to.
pub fn check_selects(
    items: &[Expand],
    v: Version,
    cloud: Cloud,
    d: &Data,
) -> Result<(), GraphError> {
    for item in items {
        if let (Some(fields), Some(kind)) = (&item.select, target(&item.name)) {
            let props = properties(kind, v, cloud, d);
            check_select(kind, v, props.as_deref(), fields)?;
        }
        check_selects(&item.expand, v, cloud, d)?;
    }
    Ok(())
}

/// The expanded items as the renderers take them: each name with its nested names.
pub fn flat(items: &[Expand]) -> Vec<(String, Vec<String>)> {
    items
        .iter()
        .map(|e| (e.name.clone(), e.nested_names()))
        .collect()
}

/// Applies the `$select` inside each expanded item to the rendered entity `o`: an expanded
/// object (or each object of an expanded collection) keeps `id`, its annotations, the
/// selected properties and its own expanded items. Nested items first.
pub fn select_inside(o: &mut Value, items: &[Expand]) {
    for item in items {
        let Some(child) = o.get_mut(item.name.as_str()) else {
            continue;
        };
        let objects: Vec<&mut Value> = match child {
            Value::Array(a) => a.iter_mut().collect(),
            Value::Object(_) => vec![child],
            _ => Vec::new(),
        };
        for obj in objects {
            select_inside(obj, &item.expand);
            let (Some(fields), Value::Object(map)) = (&item.select, obj) else {
                continue;
            };
            map.retain(|k, _| {
                k == "id"
                    || k.starts_with('@')
                    || fields.iter().any(|f| f == k)
                    || item.expand.iter().any(|e| &e.name == k)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::odata::parse_expand;
    use serde_json::json;

    #[test]
    fn select_inside_keeps_id_annotations_selected_and_expanded_properties() {
        let mut o = json!({
            "id": "r",
            "accessPackage": { "id": "p", "displayName": "P", "description": "d", "isHidden": false },
            "requestor": { "id": "s", "displayName": "S", "email": "e", "objectId": "o" },
            "policy": {
                "customExtensionStageSettings": [
                    { "id": "1", "stage": "a", "customExtension": { "@odata.type": "#t", "id": "x", "displayName": "X", "description": "D" } },
                    { "id": "2", "stage": "b", "customExtension": { "@odata.type": "#t", "id": "y", "displayName": "Y", "description": "D" } },
                ],
            },
        });
        let items = parse_expand(
            "accessPackage($select=displayName),requestor($select=displayName,email)",
            false,
        )
        .unwrap();
        select_inside(&mut o, &items);
        assert_eq!(o["accessPackage"], json!({ "id": "p", "displayName": "P" }));
        assert_eq!(
            o["requestor"],
            json!({ "id": "s", "displayName": "S", "email": "e" })
        );
        let nested = parse_expand(
            "customExtensionStageSettings($select=stage;$expand=customExtension($select=displayName))",
            false,
        )
        .unwrap();
        select_inside(&mut o["policy"], &nested);
        assert_eq!(
            o["policy"]["customExtensionStageSettings"][1],
            json!({ "id": "2", "stage": "b",
                    "customExtension": { "@odata.type": "#t", "id": "y", "displayName": "Y" } })
        );
    }

    #[test]
    fn every_rendered_navigation_leads_somewhere_and_is_not_a_property() {
        for v in [Version::V1, Version::Beta] {
            for kind in [
                Kind::Request,
                Kind::Assignment,
                Kind::Package,
                Kind::Catalog,
                Kind::Policy,
            ] {
                assert!(!navigations(kind, v).is_empty());
            }
        }
        assert_eq!(target("assignment"), Some(Kind::Assignment));
        assert_eq!(
            target("accessPackageAssignmentPolicies"),
            Some(Kind::Policy)
        );
        assert_eq!(target("approvals"), None);
        let e = check_select(
            Kind::Subject,
            Version::V1,
            Some(&["displayName".to_string()]),
            &["connectedOrganization".to_string()],
        )
        .err()
        .unwrap();
        assert_eq!(
            e.message,
            "Could not find a property named 'connectedOrganization' on type 'microsoft.graph.accessPackageSubject'."
        );
    }
}
