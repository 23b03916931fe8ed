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

/// The headers of the JSON batching page's response example: `Cache-Control`, and with a
/// body its `Content-Type` (`OData-Version` too on success); no `request-id`.
#[tokio::test]
async fn items_carry_the_documented_headers_and_errors_carry_their_ids_in_inner_error() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let (status, resp, headers) = r
        .post(
            &admin,
            &format!("{}/v1.0/$batch", r.base),
            Some(json!({ "requests": [
                { "id": "1", "method": "POST", "url": format!("{EM}/assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
                  "body": {}, "headers": { "Content-Type": "application/json" } },
                { "id": "2", "method": "GET", "url": format!("{EM}/catalogs") },
                { "id": "3", "method": "GET", "url": format!("{EM}/catalogs/00000000-0000-4000-8000-000000000000"),
                  "headers": { "client-request-id": "mine-3" } },
                { "id": "4", "method": "GET", "url": format!("{EM}/catalogs"), "dependsOn": ["3"],
                  "headers": { "client-request-id": "mine-4" } },
            ] })),
        )
        .await;
    assert_eq!(status, 200, "{resp}");
    assert!(
        headers.contains_key("request-id"),
        "the batch call itself has one"
    );
    let by_id = |id: &str| {
        resp["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()
            .clone()
    };
    let names = |item: &Value| {
        let mut k: Vec<String> = item["headers"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    let accepted = by_id("1");
    assert_eq!(accepted["status"], 202);
    assert_eq!(names(&accepted), ["Cache-Control"]);
    assert!(accepted.get("body").is_none());
    let read = by_id("2");
    assert_eq!(
        names(&read),
        ["Cache-Control", "Content-Type", "OData-Version"]
    );
    assert_eq!(
        read["headers"]["Content-Type"],
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
    );
    assert_eq!(read["headers"]["OData-Version"], "4.0");
    assert!(read["body"]["@odata.context"].is_string());
    for (id, status, code) in [
        ("3", 404, "ResourceNotFound"),
        ("4", 424, "FailedDependency"),
    ] {
        let item = by_id(id);
        assert_eq!(item["status"], status, "{item}");
        assert_eq!(names(&item), ["Cache-Control", "Content-Type"], "{item}");
        assert_eq!(item["headers"]["Content-Type"], "application/json");
        let error = &item["body"]["error"];
        assert_eq!(error["code"], code, "{item}");
        let inner = &error["innerError"];
        assert!(
            inner["date"].is_string() && inner["request-id"].is_string(),
            "{item}"
        );
        assert_eq!(inner["client-request-id"], format!("mine-{id}"), "{item}");
    }
    assert_ne!(
        by_id("3")["body"]["error"]["innerError"]["request-id"],
        by_id("4")["body"]["error"]["innerError"]["request-id"]
    );

    // A throttled item says when to come back, in the documented casing.
    r.control("settings", json!({ "throttle": "1/1" })).await;
    let reads: Vec<Value> = (1..=4)
        .map(|i| json!({ "id": i.to_string(), "method": "GET", "url": format!("{EM}/catalogs") }))
        .collect();
    let (_, resp, _) = r
        .post(
            &admin,
            &format!("{}/v1.0/$batch", r.base),
            Some(json!({ "requests": reads })),
        )
        .await;
    let throttled: Vec<&Value> = resp["responses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == 429)
        .collect();
    assert!(!throttled.is_empty(), "{resp}");
    for item in throttled {
        assert!(item["headers"]["Retry-After"].is_string(), "{item}");
        assert!(item["body"]["error"]["innerError"]["request-id"].is_string());
        assert!(item["headers"].get("request-id").is_none());
    }
}
