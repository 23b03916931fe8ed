//! A row's access package as the lists show it, with its catalog's name.

use leptos::prelude::*;

use crate::graph::models::PackageRef;

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
