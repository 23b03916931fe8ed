//! Test control's `scopedListRefusal`: how a catalog-scoped caller's list of requests or
//! assignments that is not narrowed to its packages is refused. The documents say such a
//! caller must filter by `accessPackage/id` and give no status for the unfiltered list, so
//! clients are tested against both answers: 403 (the default) and a 400 `BadRequest` that
//! says nothing about a filter.

mod common;

use common::*;
use serde_json::{Value, json};

const LISTS: [(&str, &str); 4] = [
    ("v1.0", "assignmentRequests"),
    ("v1.0", "assignments"),
    ("beta", "accessPackageAssignmentRequests"),
    ("beta", "accessPackageAssignments"),
];

fn error(body: &Value) -> (&str, String) {
    (
        body["error"]["code"].as_str().unwrap_or_default(),
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase(),
    )
}

#[tokio::test]
async fn a_scoped_callers_unnarrowed_list_is_403_by_default_and_400_not_about_a_filter_when_set() {
    let r = start(&[]).await;
    let manager = r.token("manager@").await;
    let settings = fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await;
    assert_eq!(settings["scopedListRefusal"], 403);
    for (v, c) in LISTS {
        let (status, body, _) = r.get(&manager, &r.em(v, c)).await;
        assert_eq!(status, 403, "{v} {c}: {body}");
        assert_eq!(error(&body).0, "Authorization_RequestDenied", "{body}");
    }

    let changed = r
        .control("settings", json!({ "scopedListRefusal": 400 }))
        .await;
    assert_eq!(changed["scopedListRefusal"], 400);
    for (v, c) in LISTS {
        let (status, body, _) = r.get(&manager, &r.em(v, c)).await;
        assert_eq!(status, 400, "{v} {c}: {body}");
        let (code, message) = error(&body);
        assert_eq!(code, "BadRequest", "{body}");
        assert!(!message.is_empty(), "{body}");
        // A client that moves a refused $filter clause to the browser must not take this
        // refusal for one.
        assert!(!message.contains("filter"), "{body}");
    }

    // Narrowed to a package of the caller's catalog, the list is served as before; a
    // package of another catalog is still refused, with the chosen status.
    let (_, catalogs, _) = r
        .get(&manager, &r.em("v1.0", "catalogs?$expand=accessPackages"))
        .await;
    let mine = catalogs["value"][0]["accessPackages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (items, _) = r
        .all(
            &manager,
            &r.em(
                "v1.0",
                &format!("assignmentRequests?$filter=accessPackage/id eq '{mine}'"),
            ),
        )
        .await;
    assert!(!items.is_empty());
    let admin = r.token("admin@").await;
    let (_, all, _) = r
        .get(&admin, &r.em("v1.0", "catalogs?$expand=accessPackages"))
        .await;
    let other = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] != catalogs["value"][0]["id"])
        .find_map(|c| c["accessPackages"][0]["id"].as_str())
        .unwrap()
        .to_string();
    let (status, _, _) = r
        .get(
            &manager,
            &r.em(
                "v1.0",
                &format!("assignmentRequests?$filter=accessPackage/id eq '{other}'"),
            ),
        )
        .await;
    assert_eq!(status, 400);
    // The administrator is never refused.
    let (status, _, _) = r.get(&admin, &r.em("v1.0", "assignmentRequests")).await;
    assert_eq!(status, 200);

    // Only 403 and 400; a reset brings back 403.
    let resp = r
        .http
        .post(format!("{}/sandbox/settings", r.base))
        .json(&json!({ "scopedListRefusal": 404 }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    r.control("reset", json!({})).await;
    let (status, _, _) = r.get(&manager, &r.em("v1.0", "assignmentRequests")).await;
    assert_eq!(status, 403);
}
