//! Contract: accepted actions finish later. Reprocess answers 202 and resume 204 once the
//! action is validated, and the tenant changes only after the action delay on the sandbox
//! clock (graph-metadata.md: "a read right after may still show the old state"; resume:
//! "Entra's own flow queues it too"). The log records each accepted POST at once, with when
//! it takes effect.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use serde_json::{Value, json};

const RESUME_REQUEST: &str = "0e60f18c-b2a0-4887-9da8-da2e30a39d99";

/// Far longer than any test takes, so only the sandbox clock makes actions due.
const DELAY: &str = "20000";

async fn log(r: &Running) -> Vec<Value> {
    fetch_json(&r.http, &format!("{}/sandbox/log", r.base)).await["value"]
        .as_array()
        .unwrap()
        .clone()
}

async fn settings(r: &Running) -> Value {
    fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .to_utc()
}

/// Seconds to move the clock so that an action `delay_ms` after acceptance is due.
fn seconds_for(delay_ms: &Value) -> i64 {
    (delay_ms.as_i64().unwrap() + 999) / 1000
}

async fn request(r: &Running, token: &str, id: &str) -> Value {
    r.get(token, &r.em("v1.0", &format!("assignmentRequests/{id}")))
        .await
        .1
}

#[tokio::test]
async fn the_default_delay_is_3000_ms_and_the_setting_is_reset_to_the_option() {
    let o = <entra_sandbox::Options as clap::Parser>::parse_from(["entra-sandbox"]);
    assert_eq!(o.action_delay_ms, 3000);
    let r = start(&["--action-delay-ms", "1500"]).await;
    assert_eq!(settings(&r).await["actionDelayMs"], 1500);
    let changed = r.control("settings", json!({ "actionDelayMs": 0 })).await;
    assert_eq!(changed["actionDelayMs"], 0);
    for bad in [json!(-1), json!(86_400_001), json!("5")] {
        let resp = r
            .http
            .post(format!("{}/sandbox/settings", r.base))
            .json(&json!({ "actionDelayMs": bad }))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{bad}");
    }
    r.control("reset", json!({})).await;
    assert_eq!(settings(&r).await["actionDelayMs"], 1500);
}

#[tokio::test]
async fn a_reprocess_is_accepted_at_once_and_acts_after_the_delay() {
    let r = start(&["--action-delay-ms", DELAY]).await;
    let admin = r.token("admin@").await;
    let url = r.em(
        "v1.0",
        &format!("assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
    );
    let (status, body, _) = r.post(&admin, &url, None).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(
        request(&r, &admin, REPROCESS_REQUEST).await["state"],
        "deliveryFailed",
        "a read right after still shows the old state"
    );
    let entries = log(&r).await;
    let e = &entries[0];
    assert_eq!(e["acted"], true);
    assert_eq!(e["outcome"], "accepted");
    let delay = e["delayMs"].as_i64().unwrap();
    assert!((10_000..=30_000).contains(&delay), "{delay}");
    let effective = time(&e["effectiveAt"]);
    let logged = time(&e["time"]);
    let gap = (effective - logged).num_milliseconds() - delay;
    assert!(
        (-1000..=1000).contains(&gap),
        "effectiveAt is time + delayMs"
    );

    // Still accepted while queued (the request still looks failed), and logged again.
    let (status, _, _) = r.post(&admin, &url, None).await;
    assert_eq!(status, 202);

    r.advance(seconds_for(&e["delayMs"])).await;
    let now = request(&r, &admin, REPROCESS_REQUEST).await;
    assert_eq!(now["state"], "delivering", "{now}");
    r.advance(3).await;
    let done = request(&r, &admin, REPROCESS_REQUEST).await;
    assert_eq!(done["state"], "delivered");
    // The delivery started at effectiveAt, not when the clock was read.
    let completed = time(&done["completedDateTime"]);
    let want = effective + Duration::seconds(3);
    assert!(
        (completed - want).num_milliseconds().abs() < 1000,
        "{completed} vs {want}"
    );
    // Two entries, both accepted: tests count how many times a target was reprocessed.
    let entries = log(&r).await;
    let mine: Vec<&Value> = entries
        .iter()
        .filter(|e| e["target"] == REPROCESS_REQUEST && e["acted"] == true)
        .collect();
    assert_eq!(mine.len(), 2);
    // Now refused for real: nothing is queued for a refusal.
    let (status, _, _) = r.post(&admin, &url, None).await;
    assert_eq!(status, 400);
    let refused = log(&r).await.pop().unwrap();
    assert_eq!(refused["acted"], false);
    assert!(refused["effectiveAt"].is_null() && refused["delayMs"].is_null());
}

#[tokio::test]
async fn one_late_read_shows_what_timely_reads_would_have_shown() {
    let r = start(&["--action-delay-ms", DELAY]).await;
    let admin = r.token("admin@").await;
    let url = r.em(
        "v1.0",
        &format!("assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
    );
    assert_eq!(r.post(&admin, &url, None).await.0, 202);
    let effective = time(&log(&r).await[0]["effectiveAt"]);
    // No Graph call in between: the first read half an hour later (the token lives an
    // hour) settles both steps.
    r.advance(1800).await;
    let done = request(&r, &admin, REPROCESS_REQUEST).await;
    assert_eq!(done["state"], "delivered");
    let completed = time(&done["completedDateTime"]);
    assert!(
        (completed - (effective + Duration::seconds(3)))
            .num_milliseconds()
            .abs()
            < 1000
    );
}

#[tokio::test]
async fn an_assignment_reprocess_waits_for_the_delay_too() {
    let r = start(&["--action-delay-ms", DELAY]).await;
    let admin = r.token("admin@").await;
    let get = r.em(
        "beta",
        &format!("accessPackageAssignments/{REPROCESS_ASSIGNMENT}"),
    );
    let (status, body, _) = r
        .post(
            &admin,
            &r.em(
                "beta",
                &format!("accessPackageAssignments/{REPROCESS_ASSIGNMENT}/reprocess"),
            ),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(r.get(&admin, &get).await.1["assignmentState"], "Delivered");
    let e = log(&r).await.pop().unwrap();
    r.advance(seconds_for(&e["delayMs"])).await;
    assert_eq!(r.get(&admin, &get).await.1["assignmentState"], "Delivering");
    r.advance(3).await;
    assert_eq!(r.get(&admin, &get).await.1["assignmentState"], "Delivered");
}

#[tokio::test]
async fn resume_is_queued_and_a_second_resume_while_queued_does_nothing_more() {
    let r = start(&["--action-delay-ms", DELAY]).await;
    let admin = r.token("admin@").await;
    let url = r.em(
        "v1.0",
        &format!("assignmentRequests/{RESUME_REQUEST}/resume"),
    );
    let (status, body, _) = r.post(&admin, &url, Some(seed_continue())).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        request(&r, &admin, RESUME_REQUEST).await["status"],
        "WaitingForCallback"
    );
    // Validated against the tenant as it is: still waiting, so accepted again.
    let (status, _, _) = r.post(&admin, &url, Some(seed_continue())).await;
    assert_eq!(status, 204);
    let entries = log(&r).await;
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| e["acted"] == true && e["realStatus"] == 204)
    );
    let latest = entries
        .iter()
        .map(|e| e["delayMs"].as_i64().unwrap())
        .max()
        .unwrap();
    r.advance((latest + 999) / 1000).await;
    let after = request(&r, &admin, RESUME_REQUEST).await;
    assert_ne!(after["status"], "WaitingForCallback", "{after}");
    let received = after["customExtensionCalloutInstances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "callbackReceived")
        .count();
    assert_eq!(received, 1, "the callout was answered once: {after}");
    // Now it is refused the way Graph reports it.
    let (status, body, _) = r.post(&admin, &url, Some(seed_continue())).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "UnknownError");
}

#[tokio::test]
async fn zero_delay_acts_at_once_and_can_be_set_at_run_time() {
    let r = start(&["--action-delay-ms", DELAY]).await;
    let admin = r.token("admin@").await;
    r.control("settings", json!({ "actionDelayMs": 0 })).await;
    let url = r.em(
        "v1.0",
        &format!("assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
    );
    assert_eq!(r.post(&admin, &url, None).await.0, 202);
    assert_eq!(
        request(&r, &admin, REPROCESS_REQUEST).await["state"],
        "delivering"
    );
    let e = log(&r).await.pop().unwrap();
    assert_eq!(e["delayMs"], 0);
    assert_eq!(e["effectiveAt"].as_str().unwrap().len(), 24, "milliseconds");
}

#[tokio::test]
async fn delays_are_jittered_and_a_seeded_run_repeats_them() {
    let r = start(&["--action-delay-ms", "2000"]).await;
    let admin = r.token("admin@").await;
    let (failed, _) = r
        .all(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests?$filter=state eq 'deliveryFailed'",
            ),
        )
        .await;
    let ids: Vec<String> = failed
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let run = || async {
        r.control("reset", json!({})).await;
        r.control("settings", json!({ "actionDelayMs": 20_000 }))
            .await;
        for id in &ids {
            r.post(
                &admin,
                &r.em("v1.0", &format!("assignmentRequests/{id}/reprocess")),
                None,
            )
            .await;
        }
        log(&r)
            .await
            .iter()
            .filter(|e| e["acted"] == true)
            .map(|e| e["delayMs"].as_i64().unwrap())
            .collect::<Vec<i64>>()
    };
    let first = run().await;
    assert!(first.len() >= 5, "{first:?}");
    assert!(
        first.iter().all(|d| (10_000..=30_000).contains(d)),
        "{first:?}"
    );
    let distinct: std::collections::HashSet<&i64> = first.iter().collect();
    assert!(distinct.len() > first.len() / 2, "jittered: {first:?}");
    assert_eq!(run().await, first, "the same delays after a reset");
}
