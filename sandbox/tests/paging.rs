//! Contract: every list pages through `@odata.nextLink` (Graph's paging is server-driven and
//! no page of these collections states a size), and test control's `pageSizes` sets the page
//! size per collection name so that clients are tested against short pages.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{Value, json};

async fn settings(r: &Running) -> Value {
    fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every page of `url`: the pages' lengths, and all items.
async fn pages(r: &Running, token: &str, url: &str) -> (Vec<usize>, Vec<Value>) {
    let mut sizes = Vec::new();
    let mut items = Vec::new();
    let mut next = Some(url.to_string());
    while let Some(u) = next {
        let (status, body, _) = r.get(token, &u).await;
        assert_eq!(status, 200, "{u}: {body}");
        let page = body["value"].as_array().unwrap();
        sizes.push(page.len());
        items.extend(page.iter().cloned());
        next = body["@odata.nextLink"].as_str().map(str::to_string);
        assert!(sizes.len() < 500, "paging does not end");
    }
    (sizes, items)
}

#[tokio::test]
async fn by_default_small_lists_come_in_one_page_and_large_ones_in_pages_of_100() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    assert_eq!(settings(&r).await["pageSizes"], json!({}));
    for (v, c, n) in [
        ("v1.0", "catalogs", 4),
        ("beta", "accessPackageCatalogs", 4),
        ("v1.0", "accessPackages", 11),
        ("beta", "accessPackages", 11),
        ("v1.0", "assignmentPolicies", 22),
        ("beta", "accessPackageAssignmentPolicies", 22),
    ] {
        let (sizes, _) = pages(&r, &admin, &r.em(v, c)).await;
        assert_eq!(sizes, vec![n], "{v} {c}");
    }
    let (sizes, _) = pages(&r, &admin, &r.em("v1.0", "assignmentRequests")).await;
    assert_eq!(sizes, vec![100, 100, 100]);
}

#[tokio::test]
async fn page_sizes_page_every_list_and_the_next_link_keeps_the_query() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let changed = r
        .control(
            "settings",
            json!({ "pageSizes": {
                "catalogs": 2, "accessPackageCatalogs": 3, "accessPackages": 4,
                "assignmentPolicies": 5, "accessPackageAssignmentPolicies": 6,
                "assignmentRequests": 7, "accessPackageAssignmentRequests": 8,
                "assignments": 9, "accessPackageAssignments": 10,
            }}),
        )
        .await;
    assert_eq!(changed["pageSizes"]["catalogs"], 2);
    for (v, c, size, total) in [
        ("v1.0", "catalogs", 2, 4),
        ("beta", "accessPackageCatalogs", 3, 4),
        ("v1.0", "accessPackages", 4, 11),
        ("beta", "accessPackages", 4, 11),
        ("v1.0", "assignmentPolicies", 5, 22),
        ("beta", "accessPackageAssignmentPolicies", 6, 22),
        ("v1.0", "assignmentRequests", 7, 300),
        ("beta", "assignmentRequests", 7, 300),
        ("beta", "accessPackageAssignmentRequests", 8, 300),
    ] {
        let (sizes, items) = pages(&r, &admin, &r.em(v, c)).await;
        assert_eq!(items.len(), total, "{v} {c}");
        assert!(sizes.iter().all(|s| *s <= size), "{v} {c}: {sizes:?}");
        assert_eq!(sizes.len(), total.div_ceil(size), "{v} {c}: {sizes:?}");
        let unique: HashSet<String> = ids(&items).into_iter().collect();
        assert_eq!(unique.len(), total, "{v} {c}: no item twice");
    }
    for (v, c, size) in [
        ("v1.0", "assignments", 9),
        ("beta", "accessPackageAssignments", 10),
    ] {
        let (sizes, _) = pages(&r, &admin, &r.em(v, c)).await;
        assert!(sizes.len() > 1 && sizes[0] == size, "{v} {c}: {sizes:?}");
    }
    // The next link keeps $filter, $expand and $select.
    let (sizes, items) = pages(
        &r,
        &admin,
        &r.em(
            "v1.0",
            "accessPackages?$filter=contains(tolower(displayName),'e')&$expand=assignmentPolicies&$select=id,displayName",
        ),
    )
    .await;
    assert!(sizes.len() >= 2, "{sizes:?}");
    for p in &items {
        assert!(
            p["displayName"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains('e')
        );
        assert!(p["assignmentPolicies"].is_array(), "{p}");
        assert!(p.get("description").is_none(), "{p}");
    }
    // Sizes chosen anew replace the earlier ones; {} is the defaults again.
    let changed = r
        .control("settings", json!({ "pageSizes": { "catalogs": 3 } }))
        .await;
    assert_eq!(changed["pageSizes"], json!({ "catalogs": 3 }));
    let (sizes, _) = pages(&r, &admin, &r.em("v1.0", "accessPackages")).await;
    assert_eq!(sizes, vec![11]);
    r.control("settings", json!({ "pageSizes": {} })).await;
    assert_eq!(settings(&r).await["pageSizes"], json!({}));
    let (sizes, _) = pages(&r, &admin, &r.em("v1.0", "catalogs")).await;
    assert_eq!(sizes, vec![4]);
    // Reset clears them.
    r.control("settings", json!({ "pageSizes": { "catalogs": 1 } }))
        .await;
    r.control("reset", json!({})).await;
    assert_eq!(settings(&r).await["pageSizes"], json!({}));
}

#[tokio::test]
async fn catalogs_past_the_first_page_own_packages_and_requests() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    r.control("settings", json!({ "pageSizes": { "catalogs": 2 } }))
        .await;
    let first = r.em("v1.0", "catalogs?$expand=accessPackages");
    let (_, page1, _) = r.get(&admin, &first).await;
    assert_eq!(page1["value"].as_array().unwrap().len(), 2);
    let next = page1["@odata.nextLink"].as_str().expect("a second page");
    let (status, page2, _) = r.get(&admin, next).await;
    assert_eq!(status, 200, "{page2}");
    let later = page2["value"].as_array().unwrap();
    assert!(!later.is_empty());
    for catalog in later {
        let packages = catalog["accessPackages"].as_array().unwrap();
        assert!(!packages.is_empty(), "{catalog}");
        let mut requests = 0;
        for p in packages {
            let (items, _) = r
                .all(
                    &admin,
                    &r.em(
                        "v1.0",
                        &format!(
                            "assignmentRequests?$filter=accessPackage/id eq '{}'",
                            p["id"].as_str().unwrap()
                        ),
                    ),
                )
                .await;
            requests += items.len();
        }
        assert!(requests > 0, "{} has requests", catalog["displayName"]);
    }
}

#[tokio::test]
async fn page_sizes_must_name_a_collection_and_a_size_from_1_to_1000() {
    let r = start(&[]).await;
    for bad in [
        json!({ "catalogs": 0 }),
        json!({ "catalogs": 1001 }),
        json!({ "catalogs": 2.5 }),
        json!({ "catalogs": "2" }),
        json!({ "catalog": 2 }),
        json!({ "Catalogs": 2 }),
    ] {
        let resp = r
            .http
            .post(format!("{}/sandbox/settings", r.base))
            .json(&json!({ "pageSizes": bad }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
    }
    // Not an object at all: the settings body does not deserialize.
    let resp = r
        .http
        .post(format!("{}/sandbox/settings", r.base))
        .json(&json!({ "pageSizes": [2] }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
    assert_eq!(settings(&r).await["pageSizes"], json!({}));
    let ok = r
        .control(
            "settings",
            json!({ "pageSizes": { "catalogs": 1, "assignmentRequests": 1000 } }),
        )
        .await;
    assert_eq!(
        ok["pageSizes"],
        json!({ "assignmentRequests": 1000, "catalogs": 1 })
    );
}
