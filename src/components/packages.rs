//! The access packages the signed-in admin can see, with their catalogs: for the package
//! picker, and for the catalog names the lists show (Graph documents no nested `$expand`
//! on requests and assignments, so rows carry the package, not its catalog).

use leptos::prelude::*;

use crate::auth::Auth;
use crate::components::load::load;
use crate::config::Config;
use crate::graph::get_json;
use crate::graph::models::PackageRef;
use crate::graph::resources::{Collection, Endpoint};

/// The session's package directory: loaded once, on first use, shared by every page.
#[derive(Clone, Copy)]
pub struct Packages {
    loaded: StoredValue<Option<ReadSignal<Option<Vec<PackageRef>>>>>,
    /// The shell's owner: the directory outlives the page that first asked for it.
    owner: StoredValue<Option<Owner>>,
}

impl Packages {
    /// An empty directory, provided by the shell.
    pub fn new() -> Packages {
        Packages {
            loaded: StoredValue::new(None),
            owner: StoredValue::new(Owner::current()),
        }
    }
}

impl Default for Packages {
    fn default() -> Self {
        Packages::new()
    }
}

/// Access packages with their catalog, sorted by catalog and name (`None` while loading;
/// empty on failure: the list shows Graph's own error for its rows).
pub fn use_packages() -> ReadSignal<Option<Vec<PackageRef>>> {
    let packages = expect_context::<Packages>();
    if let Some(signal) = packages.loaded.get_value() {
        return signal;
    }
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    let url = Endpoint::of(&config).list(Collection::Packages, &[]);
    let fetch = async move {
        let body = get_json(&auth, &url).await.unwrap_or_default();
        let mut list: Vec<PackageRef> = body["value"]
            .as_array()
            .map(|a| a.iter().map(PackageRef::from_json).collect())
            .unwrap_or_default();
        list.sort_by(|a, b| (&a.catalog, &a.display_name).cmp(&(&b.catalog, &b.display_name)));
        list
    };
    let signal = match packages.owner.get_value() {
        Some(owner) => owner.with(|| load(fetch)),
        None => load(fetch),
    };
    packages.loaded.set_value(Some(signal));
    signal
}

/// The catalog of package `id`, once the directory is loaded.
pub fn catalog_of(packages: ReadSignal<Option<Vec<PackageRef>>>, id: &str) -> Option<String> {
    packages.with(|list| {
        list.as_ref()?
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(id))
            .and_then(|p| p.catalog.clone())
    })
}

/// `Sales (General)`: a row's access package, with its catalog from the directory once it
/// has loaded (call it in a reactive closure).
pub fn package_cell(
    package: Option<&PackageRef>,
    packages: ReadSignal<Option<Vec<PackageRef>>>,
) -> String {
    let with_catalog = package.map(|p| PackageRef {
        catalog: p.catalog.clone().or_else(|| catalog_of(packages, &p.id)),
        ..p.clone()
    });
    crate::graph::models::package_label(with_catalog.as_ref())
}
