//! The catalogs and access packages an admin can see, and the callback timeouts of their
//! policies, read from Graph's JSON: pure, tested natively. The session's copy, loaded
//! once, is `state::directory`. Graph documents `catalogs?$expand=accessPackages`, not a
//! package's catalog on a request or an assignment, so rows carry the package and the
//! catalog comes from here.

use crate::graph::models::PackageRef;
use crate::ids::Guid;

/// A catalog and its access packages.
#[derive(Clone, Debug, PartialEq)]
pub struct Catalog {
    pub id: String,
    pub name: String,
    pub packages: Vec<PackageRef>,
}

/// The catalogs Graph answered (every page's items), each with its packages (every
/// package knows its catalog's name).
pub fn catalogs_from_json(items: &[serde_json::Value]) -> Vec<Catalog> {
    items
        .iter()
        .map(|c| {
            let name = c["displayName"].as_str().unwrap_or("").to_string();
            let packages = c["accessPackages"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| PackageRef {
                            catalog: Some(name.clone()),
                            ..PackageRef::from_json(p)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Catalog {
                id: c["id"].as_str().unwrap_or("").to_string(),
                name,
                packages,
            }
        })
        .collect()
}

/// The timeout of custom extension `extension` in `known`, if its policy gave one.
pub fn timeout_in(
    known: &[(String, chrono::Duration)],
    extension: &str,
) -> Option<chrono::Duration> {
    known
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(extension))
        .map(|(_, d)| *d)
}

/// The access packages of the requests in `rows` that wait for a callback, each once.
pub fn waiting_packages<'a>(
    rows: impl Iterator<Item = &'a crate::graph::models::Request>,
) -> Vec<Guid> {
    let mut out: Vec<Guid> = rows
        .filter(|r| r.waiting_callout().is_some())
        .filter_map(|r| r.package.as_ref().and_then(|p| p.id.guid().cloned()))
        .collect();
    crate::sort::sort_by(&mut out, Guid::cmp);
    out.dedup();
    out
}

/// Each custom extension's callback timeout, from policies read by [`use_policies`]
/// (`callbackConfiguration.timeoutDuration`, an ISO 8601 duration such as `P14D`).
pub fn extension_timeouts(policies: &[serde_json::Value]) -> Vec<(String, chrono::Duration)> {
    policies
        .iter()
        .filter_map(|p| p["customExtensionStageSettings"].as_array())
        .flatten()
        .filter_map(|s| {
            let ext = &s["customExtension"];
            let timeout = ext["callbackConfiguration"]["timeoutDuration"]
                .as_str()
                .and_then(crate::rows::parse_iso_duration)?;
            Some((ext["id"].as_str()?.to_ascii_lowercase(), timeout))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn callback_timeouts_come_from_the_expanded_custom_extensions() {
        let policies = [json!({ "customExtensionStageSettings": [
            { "stage": "assignmentRequestCreated", "customExtension": { "id": "E1", "callbackConfiguration": { "timeoutDuration": "PT12H" } } },
            { "stage": "assignmentRequestGranted", "customExtension": { "id": "e2", "callbackConfiguration": null } },
        ]})];
        assert_eq!(
            extension_timeouts(&policies),
            [("e1".to_string(), chrono::Duration::hours(12))]
        );
    }

    #[test]
    fn every_package_knows_its_catalog() {
        let items = [
            json!({ "id": "c1", "displayName": "Finance · 财务", "accessPackages": [
                { "id": "p1", "displayName": "Payroll" },
                { "id": "p2", "displayName": "<b>Audit</b>" },
            ]}),
            json!({ "id": "c2", "displayName": "Empty" }),
        ];
        let catalogs = catalogs_from_json(&items);
        assert_eq!(catalogs.len(), 2);
        assert_eq!(
            catalogs[0].packages[1].catalog.as_deref(),
            Some("Finance · 财务")
        );
        assert_eq!(catalogs[0].packages[1].display_name, "<b>Audit</b>");
        assert!(catalogs[1].packages.is_empty());
    }
}
