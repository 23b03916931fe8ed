//! The catalogs the signed-in admin can see, with their access packages: for the start
//! page, the package picker, and the catalog names the lists show. Graph documents
//! `catalogs?$expand=accessPackages`, not a package's catalog on a request or an
//! assignment, so rows carry the package and the catalog comes from here.

use leptos::prelude::*;

use crate::auth::Auth;
use crate::components::load::load;
use crate::config::Config;
use crate::graph::models::PackageRef;
use crate::graph::resources::{Collection, Endpoint, Extras};
use crate::graph::{GraphFailure, get_all, get_json};
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

type Loaded = ReadSignal<Option<Result<Vec<Catalog>, GraphFailure>>>;

/// An access package's assignment policies, each with its custom extension stage settings
/// (`None` while they load; empty when they could not be read).
pub type Policies = RwSignal<Option<Vec<serde_json::Value>>>;

/// The session's directory: loaded once, on first use, shared by every page.
#[derive(Clone, Copy)]
pub struct Directory {
    loaded: StoredValue<Option<Loaded>>,
    /// Policies read so far, by access package id.
    policies: StoredValue<Vec<(Guid, Policies)>>,
    /// The shell's owner: the directory outlives the page that first asked for it.
    owner: StoredValue<Option<Owner>>,
}

impl Directory {
    /// An empty directory, provided by the shell.
    pub fn new() -> Directory {
        Directory {
            loaded: StoredValue::new(None),
            policies: StoredValue::new(Vec::new()),
            owner: StoredValue::new(Owner::current()),
        }
    }
}

/// The policies of access package `package`, read once a session the documented way: the
/// package with its policies expanded, then each policy with
/// `customExtensionStageSettings($expand=customExtension)` (beta refuses a filter on
/// `accessPackageId`). The stage a callback waits at and its timeout come from them.
pub fn use_policies(package: &Guid) -> Policies {
    let directory = expect_context::<Directory>();
    if let Some(found) = directory
        .policies
        .with_value(|list| list.iter().find(|(p, _)| p == package).map(|(_, s)| *s))
    {
        return found;
    }
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    let signal = match directory.owner.get_value() {
        Some(owner) => owner.with(|| RwSignal::new(None)),
        None => RwSignal::new(None),
    };
    directory
        .policies
        .update_value(|list| list.push((package.clone(), signal)));
    let package = package.clone();
    leptos::task::spawn_local(async move {
        let graph = Endpoint::of(&config);
        // All or nothing: a stage looked up in some of a package's policies could miss
        // the one that disagrees.
        let read = async {
            let expanded = get_json(&auth, &graph.item(Collection::Packages, &package))
                .await
                .ok()?;
            let ids: Vec<Guid> = expanded[Collection::package_policies(config.graph_version)]
                .as_array()?
                .iter()
                .filter_map(|p| p["id"].as_str().and_then(Guid::parse))
                .collect();
            let mut policies = Vec::new();
            for id in ids {
                policies.push(
                    get_json(&auth, &graph.item(Collection::Policies, &id))
                        .await
                        .ok()?,
                );
            }
            Some(policies)
        };
        let policies = read.await.unwrap_or_default();
        signal.try_set(Some(policies));
    });
    signal
}

/// Callback timeouts known so far, by custom extension id (lower case).
pub type Timeouts = Memo<Vec<(String, chrono::Duration)>>;

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

/// The callback timeouts of the custom extensions in the policies of `packages`, as those
/// policies arrive ([`use_policies`]: each package read once a session).
pub fn use_timeouts(packages: Signal<Vec<Guid>>) -> Timeouts {
    let read = RwSignal::new(Vec::<(Guid, Policies)>::new());
    Effect::new(move |_| {
        for id in packages.get() {
            if read.with_untracked(|r| r.iter().all(|(p, _)| *p != id)) {
                let policies = use_policies(&id);
                read.update(|r| r.push((id, policies)));
            }
        }
    });
    Memo::new(move |_| {
        read.with(|r| {
            r.iter()
                .filter_map(|(_, p)| p.with(|list| list.as_deref().map(extension_timeouts)))
                .flatten()
                .collect()
        })
    })
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

impl Default for Directory {
    fn default() -> Self {
        Directory::new()
    }
}

/// The catalogs with their packages: `None` while loading, then Graph's answer.
pub fn use_catalogs() -> Loaded {
    let directory = expect_context::<Directory>();
    if let Some(signal) = directory.loaded.get_value() {
        return signal;
    }
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    let endpoint = Endpoint::of(&config);
    let url = endpoint.list(Collection::Catalogs, &[], Extras::default());
    let fetch = async move {
        let items = get_all(&auth, &endpoint, &url).await?;
        let mut catalogs = catalogs_from_json(&items);
        crate::sort::sort_by(&mut catalogs, |a, b| a.name.cmp(&b.name));
        Ok(catalogs)
    };
    let signal = match directory.owner.get_value() {
        Some(owner) => owner.with(|| load(fetch)),
        None => load(fetch),
    };
    directory.loaded.set_value(Some(signal));
    signal
}

/// Access packages with their catalog, sorted by catalog and name (`None` while loading;
/// empty on failure: the list shows Graph's own error for its rows).
pub fn use_packages() -> Signal<Option<Vec<PackageRef>>> {
    let catalogs = use_catalogs();
    // A memo: every row's package cell reads it.
    let packages = Memo::new(move |_| {
        catalogs.with(|c| {
            c.as_ref().map(|r| {
                let mut list: Vec<PackageRef> = r
                    .iter()
                    .flatten()
                    .flat_map(|c| c.packages.iter().cloned())
                    .collect();
                crate::sort::sort_by(&mut list, |a, b| {
                    (&a.catalog, &a.display_name).cmp(&(&b.catalog, &b.display_name))
                });
                list
            })
        })
    });
    packages.into()
}

/// `Sales (General)`: a row's access package, with its catalog from the directory once it
/// has loaded (call it in a reactive closure).
pub fn package_cell(
    package: Option<&PackageRef>,
    packages: Signal<Option<Vec<PackageRef>>>,
) -> String {
    let with_catalog = package.map(|p| PackageRef {
        catalog: p.catalog.clone().or_else(|| {
            packages.with(|list| {
                list.as_ref()?
                    .iter()
                    .find(|x| x.id == p.id)
                    .and_then(|x| x.catalog.clone())
            })
        }),
        ..p.clone()
    });
    crate::graph::models::package_label(with_catalog.as_ref())
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
