//! The catalogs the signed-in admin can see, with their access packages: for the start
//! page, the package picker, and the catalog names the lists show. Graph documents
//! `catalogs?$expand=accessPackages`, not a package's catalog on a request or an
//! assignment, so rows carry the package and the catalog comes from here.

use leptos::prelude::*;

use crate::auth::Auth;
use crate::components::load::load;
use crate::config::Config;
use crate::graph::models::PackageRef;
use crate::graph::resources::{Collection, Endpoint};
use crate::graph::{GraphFailure, get_json};

/// A catalog and its access packages.
#[derive(Clone, Debug, PartialEq)]
pub struct Catalog {
    pub id: String,
    pub name: String,
    pub packages: Vec<PackageRef>,
}

/// The catalogs Graph answered, each with its packages (every package knows its
/// catalog's name).
pub fn catalogs_from_json(body: &serde_json::Value) -> Vec<Catalog> {
    body["value"]
        .as_array()
        .map(|list| {
            list.iter()
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
        })
        .unwrap_or_default()
}

type Loaded = ReadSignal<Option<Result<Vec<Catalog>, GraphFailure>>>;

/// The session's directory: loaded once, on first use, shared by every page.
#[derive(Clone, Copy)]
pub struct Directory {
    loaded: StoredValue<Option<Loaded>>,
    /// The shell's owner: the directory outlives the page that first asked for it.
    owner: StoredValue<Option<Owner>>,
}

impl Directory {
    /// An empty directory, provided by the shell.
    pub fn new() -> Directory {
        Directory {
            loaded: StoredValue::new(None),
            owner: StoredValue::new(Owner::current()),
        }
    }
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
    let url = Endpoint::of(&config).list(Collection::Catalogs, &[]);
    let fetch = async move {
        let body = get_json(&auth, &url).await?;
        let mut catalogs = catalogs_from_json(&body);
        catalogs.sort_by(|a, b| a.name.cmp(&b.name));
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
                list.sort_by(|a, b| {
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
                    .find(|x| x.id.eq_ignore_ascii_case(&p.id))
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
    fn every_package_knows_its_catalog() {
        let body = json!({ "value": [
            { "id": "c1", "displayName": "Finance · 财务", "accessPackages": [
                { "id": "p1", "displayName": "Payroll" },
                { "id": "p2", "displayName": "<b>Audit</b>" },
            ]},
            { "id": "c2", "displayName": "Empty" },
        ]});
        let catalogs = catalogs_from_json(&body);
        assert_eq!(catalogs.len(), 2);
        assert_eq!(
            catalogs[0].packages[1].catalog.as_deref(),
            Some("Finance · 财务")
        );
        assert_eq!(catalogs[0].packages[1].display_name, "<b>Audit</b>");
        assert!(catalogs[1].packages.is_empty());
    }
}
