//! Contract: faults that act and then fail, drop, or fail a whole `$batch`, and an
//! operation log that stays the truth: every POST's entry says whether the tenant changed
//! (`acted`) and, separately, what the client was told (`status`, `answered`).

mod common;

use std::collections::HashMap;

use common::*;
use serde_json::{Value, json};

const REPROCESS_REQUEST: &str = "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b";
const EM: &str = "/identityGovernance/entitlementManagement";

/// Requests the reprocess action accepts (failed or partial, completed within 14 days).
async fn reprocessable(r: &Running, token: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for state in ["deliveryFailed", "partiallyDelivered"] {
        let (items, _) = r
            .all(
                token,
                &r.em(
                    "v1.0",
                    &format!("assignmentRequests?$filter=state eq '{state}'"),
                ),
            )
            .await;
        let now = chrono::Utc::now();
        for i in items {
            let done =
                chrono::DateTime::parse_from_rfc3339(i["completedDateTime"].as_str().unwrap())
                    .unwrap();
            if now.signed_duration_since(done) < chrono::Duration::days(13) {
                out.push(i["id"].as_str().unwrap().to_string());
            }
        }
    }
    assert!(out.len() >= n, "{} reprocessable requests", out.len());
    out.truncate(n);
    out
}

/// `(state, completedDateTime)` of each request: a reprocess changes one or the other
/// (delivering now, or a new completion time once the delivery has finished).
async fn snapshot(r: &Running, token: &str, ids: &[String]) -> HashMap<String, (Value, Value)> {
    let mut out = HashMap::new();
    for id in ids {
        let (status, body, _) = r
            .get(token, &r.em("v1.0", &format!("assignmentRequests/{id}")))
            .await;
        assert_eq!(status, 200);
        out.insert(
            id.clone(),
            (body["state"].clone(), body["completedDateTime"].clone()),
        );
    }
    out
}

async fn log(r: &Running) -> Vec<Value> {
    fetch_json(&r.http, &format!("{}/sandbox/log", r.base)).await["value"]
        .as_array()
        .unwrap()
        .clone()
}

fn reprocess_item(id: &str, n: usize) -> Value {
    json!({
        "id": n.to_string(),
        "method": "POST",
        "url": format!("{EM}/assignmentRequests/{id}/reprocess"),
        "body": {},
        "headers": { "Content-Type": "application/json" },
    })
}

/// Every acted entry's target changed, every changed target has exactly one acted entry,
/// and an entry that did not act left its target alone.
fn assert_log_matches_state(
    entries: &[Value],
    before: &HashMap<String, (Value, Value)>,
    after: &HashMap<String, (Value, Value)>,
) {
    for (id, was) in before {
        let changed = after[id] != *was;
        let acted = entries
            .iter()
            .filter(|e| e["kind"] == "action" && e["target"] == id.as_str() && e["acted"] == true)
            .count();
        assert_eq!(
            acted,
            usize::from(changed),
            "{id}: changed {changed}, {acted} acted entries"
        );
    }
    for e in entries.iter().filter(|e| e["kind"] == "action") {
        assert!(e["acted"].is_boolean() && e["answered"].is_string(), "{e}");
        assert!(e["requestId"].is_string(), "{e}");
        match e["answered"].as_str().unwrap() {
            "real" => assert_eq!(e["status"], e["realStatus"], "{e}"),
            "504-after-acting" => {
                assert_eq!(e["status"], 504, "{e}");
                assert_eq!(e["acted"], true, "{e}");
            }
            "dropped" | "batch-504-after-acting" => assert!(e["status"].is_null(), "{e}"),
            b if b.ends_with("-before") => {
                assert_eq!(e["acted"], false, "{e}");
                assert!(e["realStatus"].is_null(), "{e}");
            }
            other => panic!("unknown answer {other}"),
        }
    }
}

#[tokio::test]
async fn act_then_fail_performs_the_action_then_answers_504_directly_and_in_batch() {
    let r = start(&["--act-then-fail-rate", "1"]).await;
    let admin = r.token("admin@").await;
    let settings = fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await;
    assert_eq!(settings["actThenFailRate"], 1.0);
    let url = r.em(
        "v1.0",
        &format!("assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
    );
    let (status, body, headers) = r.post(&admin, &url, None).await;
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["error"]["code"], "GatewayTimeout");
    let rid = headers["request-id"].to_str().unwrap().to_string();
    assert_eq!(body["error"]["innerError"]["request-id"], rid.as_str());
    // It acted: the request is being delivered, and a second reprocess is refused for real.
    let get = r.em("v1.0", &format!("assignmentRequests/{REPROCESS_REQUEST}"));
    assert_eq!(r.get(&admin, &get).await.1["state"], "delivering");
    let (status, _, _) = r.post(&admin, &url, None).await;
    assert_eq!(status, 400, "a refusal did not act, so nothing to fail");
    let entries = log(&r).await;
    assert_eq!(entries[0]["acted"], true);
    assert_eq!(entries[0]["status"], 504);
    assert_eq!(entries[0]["realStatus"], 202);
    assert_eq!(entries[0]["answered"], "504-after-acting");
    assert_eq!(entries[0]["requestId"], rid.as_str());
    assert_eq!(entries[0]["viaBatch"], false);
    assert_eq!(entries[1]["acted"], false);
    assert_eq!(entries[1]["answered"], "real");
    assert_eq!(entries[1]["status"], 400);

    // Resume acts, then 504.
    let resume = json!({
        "source": "Contoso.SodCheckProcess",
        "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": "assignmentRequestCreated",
            "customExtensionStageInstanceId": "957d0c50-466b-4840-bb5b-c92cea7141ff",
            "customExtensionStageInstanceDetail": "This user is all verified"
        }
    });
    let id = "0e60f18c-b2a0-4887-9da8-da2e30a39d99";
    let (status, _, _) = r
        .post(
            &admin,
            &r.em("v1.0", &format!("assignmentRequests/{id}/resume")),
            Some(resume),
        )
        .await;
    assert_eq!(status, 504);
    let (_, after, _) = r
        .get(&admin, &r.em("v1.0", &format!("assignmentRequests/{id}")))
        .await;
    assert_ne!(after["status"], "WaitingForCallback");

    // As a batch item: the item says 504, the batch itself 200, the log groups them.
    let ids = reprocessable(&r, &admin, 2).await;
    let before = snapshot(&r, &admin, &ids).await;
    let (status, resp, headers) = r
        .post(
            &admin,
            &format!("{}/v1.0/$batch", r.base),
            Some(json!({ "requests": [reprocess_item(&ids[0], 1), reprocess_item(&ids[1], 2)] })),
        )
        .await;
    assert_eq!(status, 200, "{resp}");
    for item in resp["responses"].as_array().unwrap() {
        assert_eq!(item["status"], 504, "{item}");
        assert_eq!(item["body"]["error"]["code"], "GatewayTimeout");
    }
    let batch_id = headers["request-id"].to_str().unwrap();
    let after = snapshot(&r, &admin, &ids).await;
    assert!(ids.iter().all(|id| after[id] != before[id]), "both acted");
    let entries = log(&r).await;
    let items: Vec<&Value> = entries
        .iter()
        .filter(|e| e["batchRequestId"] == batch_id)
        .collect();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|e| e["viaBatch"] == true
        && e["acted"] == true
        && e["status"] == 504
        && e["answered"] == "504-after-acting"));
    let batch = entries
        .iter()
        .find(|e| e["kind"] == "batch" && e["requestId"] == batch_id)
        .unwrap();
    assert_eq!(batch["status"], 200);
    assert_eq!(batch["acted"], true);
    assert_eq!(batch["ran"], 2);
    assert_log_matches_state(&entries, &before, &after);
}

#[tokio::test]
async fn act_then_drop_performs_the_action_then_drops_the_connection_without_an_answer() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let ids = reprocessable(&r, &admin, 3).await;
    let before = snapshot(&r, &admin, &ids).await;
    let changed = r
        .control("settings", json!({ "actThenDropRate": 1.0 }))
        .await;
    assert_eq!(changed["actThenDropRate"], 1.0);

    // Direct: the client sees a transport error, not a status.
    let err = r
        .http
        .post(r.em("v1.0", &format!("assignmentRequests/{}/reprocess", ids[0])))
        .bearer_auth(&admin)
        .send()
        .await
        .expect_err("the connection is dropped");
    assert!(err.status().is_none(), "{err}");
    // Reads and refusals are not dropped.
    let (status, _, _) = r.get(&admin, &r.em("v1.0", "catalogs")).await;
    assert_eq!(status, 200);
    let (status, _, _) = r
        .post(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests/00000000-0000-4000-8000-000000000000/reprocess",
            ),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // A whole batch: every item runs, then the connection is dropped.
    let err = r
        .http
        .post(format!("{}/beta/$batch", r.base))
        .bearer_auth(&admin)
        .json(&json!({ "requests": [reprocess_item(&ids[1], 1), reprocess_item(&ids[2], 2)] }))
        .send()
        .await
        .expect_err("the batch's connection is dropped");
    assert!(err.status().is_none(), "{err}");

    r.control("settings", json!({ "actThenDropRate": 0.0 }))
        .await;
    let after = snapshot(&r, &admin, &ids).await;
    assert!(
        ids.iter().all(|id| after[id] != before[id]),
        "all three acted"
    );
    let entries = log(&r).await;
    let direct = &entries[0];
    assert_eq!(direct["acted"], true);
    assert!(direct["status"].is_null());
    assert_eq!(direct["answered"], "dropped");
    assert_eq!(direct["realStatus"], 202);
    let batch = entries.iter().find(|e| e["kind"] == "batch").unwrap();
    assert!(batch["status"].is_null());
    assert_eq!(batch["answered"], "dropped");
    assert_eq!(batch["acted"], true);
    let items: Vec<&Value> = entries
        .iter()
        .filter(|e| e["batchRequestId"] == batch["requestId"])
        .collect();
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .all(|e| e["answered"] == "dropped" && e["status"].is_null() && e["acted"] == true)
    );
    assert_log_matches_state(&entries, &before, &after);
}

#[tokio::test]
async fn a_batch_fault_answers_503_before_any_item_runs() {
    let r = start(&["--batch-fault-rate", "1"]).await;
    let admin = r.token("admin@").await;
    let ids = reprocessable(&r, &admin, 3).await;
    let before = snapshot(&r, &admin, &ids).await;
    let (status, body, headers) = r
        .post(
            &admin,
            &format!("{}/v1.0/$batch", r.base),
            Some(json!({ "requests": [reprocess_item(&ids[0], 1), reprocess_item(&ids[1], 2)] })),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "ServiceUnavailable");
    assert!(headers.contains_key("retry-after"));
    assert_eq!(
        body["error"]["innerError"]["request-id"],
        headers["request-id"].to_str().unwrap()
    );
    // Direct calls are not whole batches.
    let (status, _, _) = r
        .post(
            &admin,
            &r.em("v1.0", &format!("assignmentRequests/{}/reprocess", ids[2])),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let after = snapshot(&r, &admin, &ids).await;
    assert_eq!(after[&ids[0]], before[&ids[0]], "nothing acted");
    assert_eq!(after[&ids[1]], before[&ids[1]], "nothing acted");
    let entries = log(&r).await;
    let batch: Vec<&Value> = entries.iter().filter(|e| e["kind"] == "batch").collect();
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0]["status"], 503);
    assert_eq!(batch[0]["answered"], "503-before");
    assert_eq!(batch[0]["acted"], false);
    assert_eq!(batch[0]["ran"], 0);
    assert!(
        entries.iter().all(|e| e["batchRequestId"].is_null()),
        "no item ran"
    );
    assert_log_matches_state(&entries, &before, &after);
    // Shown in the settings (this sandbox started with it), and turned off at run time.
    let settings = fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await;
    assert_eq!(settings["batchFaultRate"], 1.0);
    r.control("settings", json!({ "batchFaultRate": 0.0 }))
        .await;
    let (status, _, _) = r
        .post(
            &admin,
            &format!("{}/v1.0/$batch", r.base),
            Some(json!({ "requests": [reprocess_item(&ids[0], 1)] })),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_batch_that_acts_then_fails_runs_a_non_empty_prefix_and_answers_504() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    r.control("settings", json!({ "batchActThenFailRate": 1.0 }))
        .await;
    let mut prefixes = Vec::new();
    for round in 0..4 {
        let ids = reprocessable(&r, &admin, 5).await;
        let before = snapshot(&r, &admin, &ids).await;
        let items: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(n, id)| reprocess_item(id, n))
            .collect();
        let (status, body, headers) = r
            .post(
                &admin,
                &format!("{}/v1.0/$batch", r.base),
                Some(json!({ "requests": items })),
            )
            .await;
        assert_eq!(status, 504, "{body}");
        assert_eq!(body["error"]["code"], "GatewayTimeout");
        let batch_id = headers["request-id"].to_str().unwrap().to_string();
        let after = snapshot(&r, &admin, &ids).await;
        let acted: Vec<bool> = ids.iter().map(|id| after[id] != before[id]).collect();
        let k = acted.iter().filter(|a| **a).count();
        assert!(k >= 1, "round {round}: a non-empty prefix ran");
        assert!(
            acted.iter().take(k).all(|a| *a),
            "round {round}: a prefix in request order: {acted:?}"
        );
        prefixes.push(k);
        let entries = log(&r).await;
        let mine: Vec<&Value> = entries
            .iter()
            .filter(|e| e["batchRequestId"] == batch_id.as_str())
            .collect();
        assert_eq!(mine.len(), k, "one entry per item that ran");
        assert!(mine.iter().all(|e| e["acted"] == true
            && e["status"].is_null()
            && e["answered"] == "batch-504-after-acting"
            && e["realStatus"] == 202));
        let batch = entries
            .iter()
            .find(|e| e["requestId"] == batch_id.as_str())
            .unwrap();
        assert_eq!(batch["status"], 504);
        assert_eq!(batch["answered"], "504-after-acting");
        assert_eq!(batch["ran"], k);
        assert_eq!(batch["items"], 5);
        assert_log_matches_state(&entries, &before, &after);
        r.control("reset", json!({})).await;
        r.control("settings", json!({ "batchActThenFailRate": 1.0 }))
            .await;
    }
    // Reset cleared the setting each round (it was set again by hand).
    r.control("reset", json!({})).await;
    let settings = fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await;
    assert_eq!(settings["batchActThenFailRate"], 0.0);
    assert!(prefixes.iter().all(|k| (1..=5).contains(k)), "{prefixes:?}");
}

#[tokio::test]
async fn faults_before_acting_change_nothing_and_mixed_faults_keep_the_log_true() {
    let r = start(&["--fault-rate", "1"]).await;
    let admin = r.token("admin@").await;
    // faultRate is read-only on the way in: the token was issued (identity is not Graph),
    // lists fail. Turn it off to pick targets, then on again.
    r.control("settings", json!({ "faultRate": 0.0 })).await;
    let ids = reprocessable(&r, &admin, 24).await;
    let before = snapshot(&r, &admin, &ids).await;
    r.control("settings", json!({ "faultRate": 1.0 })).await;
    let (status, body, _) = r
        .post(
            &admin,
            &r.em("v1.0", &format!("assignmentRequests/{}/reprocess", ids[0])),
            None,
        )
        .await;
    assert!(status == 503 || status == 504, "{status} {body}");
    let entries = log(&r).await;
    assert_eq!(entries[0]["acted"], false);
    assert_eq!(entries[0]["answered"], format!("{status}-before"));

    // Every fault at once, direct calls and batches: the log still matches the tenant.
    r.control(
        "settings",
        json!({
            "faultRate": 0.2,
            "actThenFailRate": 0.3,
            "actThenDropRate": 0.3,
            "batchFaultRate": 0.2,
            "batchActThenFailRate": 0.3,
        }),
    )
    .await;
    for id in ids.iter().skip(1).take(11) {
        // Dropped connections come back as errors: nothing to read then.
        let _ = r
            .http
            .post(r.em("v1.0", &format!("assignmentRequests/{id}/reprocess")))
            .bearer_auth(&admin)
            .send()
            .await;
    }
    for chunk in ids[12..].chunks(4) {
        let items: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(n, id)| reprocess_item(id, n))
            .collect();
        let _ = r
            .http
            .post(format!("{}/v1.0/$batch", r.base))
            .bearer_auth(&admin)
            .json(&json!({ "requests": items }))
            .send()
            .await;
    }
    r.control(
        "settings",
        json!({
            "faultRate": 0.0,
            "actThenFailRate": 0.0,
            "actThenDropRate": 0.0,
            "batchFaultRate": 0.0,
            "batchActThenFailRate": 0.0,
        }),
    )
    .await;
    let after = snapshot(&r, &admin, &ids).await;
    let entries = log(&r).await;
    assert_log_matches_state(&entries, &before, &after);
    let answered: std::collections::HashSet<&str> = entries
        .iter()
        .filter_map(|e| e["answered"].as_str())
        .collect();
    assert!(answered.len() >= 3, "several kinds of answer: {answered:?}");
    // Reset clears every fault setting.
    r.control("reset", json!({})).await;
    let settings = fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await;
    for k in [
        "actThenFailRate",
        "actThenDropRate",
        "batchFaultRate",
        "batchActThenFailRate",
    ] {
        assert_eq!(settings[k], 0.0, "{k}");
    }
    assert_eq!(settings["faultRate"], 1.0, "back to the start option");
}
