//! The session's directory: the catalogs with their packages, and each package's policies,
//! read once on first use and shared by every page (the start page, the package picker,
//! the catalog names of the lists, the stage and timeout of a waiting callback).

use leptos::prelude::*;

use crate::auth::Auth;
use crate::config::Config;
use crate::directory::{Catalog, catalogs_from_json, extension_timeouts};
use crate::graph::models::PackageRef;
use crate::graph::resources::{Collection, Endpoint, Extras};
use crate::graph::{GraphFailure, get_all, get_json};
use crate::ids::Guid;
use crate::state::load::load;

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

impl Default for Directory {
    fn default() -> Self {
        Directory::new()
    }
}

/// Callback timeouts known so far, by custom extension id (lower case).
pub type Timeouts = Memo<Vec<(String, chrono::Duration)>>;

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
