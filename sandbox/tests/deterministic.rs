//! Contract: faults are repeatable. The fault generator is seeded from the tenant's seed (or
//! test control's `faultSeed`) and starts again on reset and whenever `faultSeed` is set, and
//! the items of a `$batch` draw from it in request order: a test that resets, sets the same
//! rates and makes the same calls sees the same faults every run.

mod common;

use common::*;
use serde_json::{Value, json};

const EM: &str = "/identityGovernance/entitlementManagement";

async fn log(r: &Running) -> Vec<Value> {
    fetch_json(&r.http, &format!("{}/sandbox/log", r.base)).await["value"]
        .as_array()
        .unwrap()
        .clone()
}

/// What happened to each logged call, without the ids and times that differ every run.
fn outcomes(entries: &[Value]) -> Vec<Value> {
    entries
        .iter()
        .map(|e| {
            json!([
                e["kind"],
                e["target"],
                e["acted"],
                e["status"],
                e["answered"],
                e["realStatus"],
                e["code"],
                e["viaBatch"],
                e["items"],
                e["ran"],
            ])
        })
        .collect()
}

/// Requests the reprocess action accepts right after a reset (the same every reset).
async fn reprocessable(r: &Running, token: &str) -> Vec<String> {
    let (items, _) = r
        .all(
            token,
            &r.em(
                "v1.0",
                "assignmentRequests?$filter=state eq 'deliveryFailed'",
            ),
        )
        .await;
    let now = chrono::Utc::now();
    items
        .iter()
        .filter(|i| {
            let done =
                chrono::DateTime::parse_from_rfc3339(i["completedDateTime"].as_str().unwrap())
                    .unwrap();
            now.signed_duration_since(done) < chrono::Duration::days(13)
        })
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

fn item(n: usize, id: &str) -> Value {
    json!({
        "id": n.to_string(),
        "method": "POST",
        "url": format!("{EM}/assignmentRequests/{id}/reprocess"),
        "body": {},
        "headers": { "Content-Type": "application/json" },
    })
}

/// One run: reset, the given settings, then a fixed sequence of direct calls and batches.
async fn run(r: &Running, token: &str, ids: &[String], settings: Value) -> Vec<Value> {
    r.control("reset", json!({})).await;
    r.control("settings", settings).await;
    for id in &ids[..8] {
        // Dropped connections come back as errors: nothing to read then.
        let _ = r
            .http
            .post(r.em("v1.0", &format!("assignmentRequests/{id}/reprocess")))
            .bearer_auth(token)
            .send()
            .await;
        let _ = r
            .http
            .get(r.em("v1.0", "catalogs"))
            .bearer_auth(token)
            .send()
            .await;
    }
    for chunk in ids[8..].chunks(4) {
        let items: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(n, id)| item(n, id))
            .collect();
        let _ = r
            .http
            .post(format!("{}/v1.0/$batch", r.base))
            .bearer_auth(token)
            .json(&json!({ "requests": items }))
            .send()
            .await;
    }
    outcomes(&log(r).await)
}

fn rates() -> Value {
    json!({
        "faultRate": 0.25,
        "actThenFailRate": 0.3,
        "actThenDropRate": 0.2,
        "batchFaultRate": 0.15,
        "batchActThenFailRate": 0.3,
    })
}

#[tokio::test]
async fn two_identical_runs_give_identical_outcomes_and_another_fault_seed_others() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let ids = reprocessable(&r, &admin).await;
    assert!(ids.len() >= 20, "{} reprocessable", ids.len());
    let ids = &ids[..20];

    let first = run(&r, &admin, ids, rates()).await;
    let second = run(&r, &admin, ids, rates()).await;
    assert_eq!(first.len(), second.len());
    assert_eq!(first, second, "the same faults, in the same places");
    let answers: std::collections::HashSet<&str> =
        first.iter().filter_map(|o| o[4].as_str()).collect();
    assert!(
        answers.len() >= 3,
        "the run meets several faults: {answers:?}"
    );

    // faultSeed starts the generator again from another seed: other faults, repeatably.
    let mut seeded = rates();
    seeded["faultSeed"] = json!(4242);
    let third = run(&r, &admin, ids, seeded.clone()).await;
    let fourth = run(&r, &admin, ids, seeded).await;
    assert_eq!(third, fourth);
    assert_ne!(first, third);
    // null goes back to the tenant's seed.
    let mut back = rates();
    back["faultSeed"] = Value::Null;
    assert_eq!(run(&r, &admin, ids, back).await, first);
}

#[tokio::test]
async fn fault_seed_is_a_setting_that_reset_clears() {
    let r = start(&[]).await;
    let settings = fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await;
    assert_eq!(settings["faultSeed"], Value::Null);
    let changed = r.control("settings", json!({ "faultSeed": 7 })).await;
    assert_eq!(changed["faultSeed"], 7);
    let resp = r
        .http
        .post(format!("{}/sandbox/settings", r.base))
        .json(&json!({ "faultSeed": -1 }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error());
    r.control("reset", json!({})).await;
    let settings = fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await;
    assert_eq!(settings["faultSeed"], Value::Null);
}
