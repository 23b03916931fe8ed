//! The access packages the signed-in admin can see, for pickers.

use leptos::prelude::*;

use crate::auth::Auth;
use crate::components::load::load;
use crate::config::{Config, GraphVersion};
use crate::graph::models::PackageRef;
use crate::graph::{em_url, get_json};

/// Access packages with their catalog, sorted by catalog and name; empty on failure (the
/// list page shows Graph's own error for the requests).
pub fn use_packages() -> ReadSignal<Option<Vec<PackageRef>>> {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    let nav = match config.graph_version {
        GraphVersion::V1 => "catalog",
        GraphVersion::Beta => "accessPackageCatalog",
    };
    let url = format!("{}?$expand={nav}", em_url(&config, "accessPackages"));
    load(async move {
        let body = get_json(&auth, &url).await.unwrap_or_default();
        let mut list: Vec<PackageRef> = body["value"]
            .as_array()
            .map(|a| a.iter().map(PackageRef::from_json).collect())
            .unwrap_or_default();
        list.sort_by(|a, b| (&a.catalog, &a.display_name).cmp(&(&b.catalog, &b.display_name)));
        list
    })
}
