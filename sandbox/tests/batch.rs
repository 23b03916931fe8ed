//! Contract: `$batch` write items as Graph checks them. A POST, PUT or PATCH item without a
//! body or without its own Content-Type header makes Graph refuse the whole batch before any
//! item runs (JSON batching docs; shared/reference/graph-metadata.md); `"body": {}` with a
//! Content-Type is the documented form of an action that takes no body.

mod common;

use common::*;
use serde_json::{Value, json};

const REPROCESS_REQUEST: &str = "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b";
const EM: &str = "/identityGovernance/entitlementManagement";

async fn log(r: &Running) -> Vec<Value> {
    fetch_json(&r.http, &format!("{}/sandbox/log", r.base)).await["value"]
        .as_array()
        .unwrap()
        .clone()
}

async fn state(r: &Running, token: &str) -> Value {
    r.get(
        token,
        &r.em("v1.0", &format!("assignmentRequests/{REPROCESS_REQUEST}")),
    )
    .await
    .1["state"]
        .clone()
}

#[tokio::test]
async fn a_bodyless_write_item_refuses_the_whole_batch_before_any_item_runs() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let reprocess = format!("{EM}/assignmentRequests/{REPROCESS_REQUEST}/reprocess");
    let good = json!({ "id": "1", "method": "POST", "url": reprocess, "body": {},
                       "headers": { "Content-Type": "application/json" } });
    for (bad, id) in [
        (
            json!({ "id": "2", "method": "POST", "url": format!("{EM}/assignments/00000000-0000-4000-8000-000000000000/reprocess") }),
            "2",
        ),
        (
            json!({ "id": "no-type", "method": "POST", "url": reprocess, "body": {} }),
            "no-type",
        ),
        (
            json!({ "id": "null", "method": "PATCH", "url": format!("{EM}/catalogs"), "body": null,
                    "headers": { "Content-Type": "application/json" } }),
            "null",
        ),
    ] {
        for version in ["v1.0", "beta"] {
            let (status, body, headers) = r
                .post(
                    &admin,
                    &format!("{}/{version}/$batch", r.base),
                    Some(json!({ "requests": [good.clone(), bad.clone()] })),
                )
                .await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(body["error"]["code"], "BadRequest");
            assert_eq!(
                body["error"]["message"],
                format!("Write request id : {id} does not contain Content-Type header or body.")
            );
            assert_eq!(
                body["error"]["innerError"]["request-id"],
                headers["request-id"].to_str().unwrap()
            );
            assert_eq!(state(&r, &admin).await, "deliveryFailed", "nothing ran");
        }
    }
    // Logged as a refused batch: no item ran, no action entry.
    let entries = log(&r).await;
    assert_eq!(entries.len(), 6);
    for e in &entries {
        assert_eq!(e["kind"], "batch", "{e}");
        assert_eq!(e["status"], 400);
        assert_eq!(e["acted"], false);
        assert_eq!(e["ran"], 0);
    }
}

#[tokio::test]
async fn an_empty_object_body_with_a_content_type_is_how_actions_without_a_body_are_batched() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let (status, resp, _) = r
        .post(
            &admin,
            &format!("{}/v1.0/$batch", r.base),
            Some(json!({ "requests": [
                { "id": "1", "method": "POST", "url": format!("{EM}/assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
                  "body": {}, "headers": { "content-type": "application/json" } },
                { "id": "2", "method": "GET", "url": format!("{EM}/catalogs") },
            ] })),
        )
        .await;
    assert_eq!(status, 200, "{resp}");
    let by_id = |id: &str| {
        resp["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("1")["status"], 202, "{resp}");
    assert_eq!(by_id("2")["status"], 200);
    assert_eq!(state(&r, &admin).await, "delivering");
}

#[tokio::test]
async fn direct_reprocess_posts_take_an_empty_object_or_no_body_at_all() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let url = r.em(
        "v1.0",
        &format!("assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
    );
    let (status, body, _) = r.post(&admin, &url, Some(json!({}))).await;
    assert_eq!(status, 202, "{body}");
    r.control("reset", json!({})).await;
    let (status, body, _) = r.post(&admin, &url, None).await;
    assert_eq!(status, 202, "{body}");
    // The assignment action too, both ways.
    let asg = r.em(
        "beta",
        "accessPackageAssignments/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b/reprocess",
    );
    let (status, body, _) = r.post(&admin, &asg, Some(json!({}))).await;
    assert_eq!(status, 202, "{body}");
}
