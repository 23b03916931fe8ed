//! Contract: the seeded tenant, as a client sees it through documented queries. Waiting
//! requests follow one stage mapping (state and type give the stage, even where the
//! policies do not pin it); the operations overview has requests stuck in delivering and
//! callbacks close to their timeout.

mod common;

use std::collections::HashMap;

use common::*;
use serde_json::{Value, json};

/// The stage a request waits at, from its state and type alone (sandbox/README.md).
fn derived_stage(r: &Value) -> &'static str {
    let ty = r["requestType"].as_str().unwrap();
    match r["state"].as_str().unwrap() {
        "submitted" | "pendingApproval" => "assignmentRequestCreated",
        "delivering" | "scheduled" => "assignmentRequestApproved",
        "delivered" if ty.ends_with("Remove") => "assignmentRequestRemoved",
        "delivered" => "assignmentRequestGranted",
        other => panic!("a waiting request in state {other}"),
    }
}

fn resume_body(stage: &str, instance: &Value) -> Value {
    json!({
        "source": "entra-sandbox tests",
        "type": format!("microsoft.graph.accessPackageCustomExtensionStage.{stage}"),
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": stage,
            "customExtensionStageInstanceId": instance,
            "customExtensionStageInstanceDetail": "checked",
        }
    })
}

fn waiting_instance(r: &Value) -> &Value {
    r["customExtensionCalloutInstances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "waitingForCallback")
        .expect("a waiting callout")
}

/// Seconds of `P{n}D` / `PT{n}H` / `PT{n}M`.
fn iso_secs(d: &str) -> i64 {
    let body = d.trim_start_matches('P').trim_start_matches('T');
    let (num, unit) = body.split_at(body.len() - 1);
    let n: i64 = num.parse().unwrap();
    match unit {
        "D" => n * 86_400,
        "H" => n * 3_600,
        "M" => n * 60,
        other => panic!("unit {other} in {d}"),
    }
}

#[tokio::test]
async fn the_stage_derived_from_state_and_type_resumes_every_waiting_request_and_a_wrong_one_is_refused()
 {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let (all, _) = r.all(&admin, &r.em("v1.0", "assignmentRequests")).await;
    let waiting: Vec<&Value> = all
        .iter()
        .filter(|i| i["status"] == "WaitingForCallback")
        .collect();
    assert!(waiting.len() >= 8, "{} waiting", waiting.len());
    let mut stages = std::collections::HashSet::new();
    for w in &waiting {
        let id = w["id"].as_str().unwrap();
        let stage = derived_stage(w);
        stages.insert(stage);
        let url = r.em("v1.0", &format!("assignmentRequests/{id}/resume"));
        // A wrong stage is refused the way Graph reports it: UnknownError, no message.
        let wrong = if stage == "assignmentRequestCreated" {
            "assignmentRequestGranted"
        } else {
            "assignmentRequestCreated"
        };
        let (status, body, _) = r
            .post(
                &admin,
                &url,
                Some(resume_body(wrong, &waiting_instance(w)["id"])),
            )
            .await;
        assert_eq!(status, 400, "{id}: {body}");
        assert_eq!(body["error"]["code"], "UnknownError", "{id}: {body}");
        assert_eq!(body["error"]["message"], "", "{id}");
        let (status, body, _) = r
            .post(
                &admin,
                &url,
                Some(resume_body(stage, &waiting_instance(w)["id"])),
            )
            .await;
        assert_eq!(status, 204, "{id} at {stage}: {body}");
    }
    assert_eq!(stages.len(), 4, "every stage is seeded: {stages:?}");
}

#[tokio::test]
async fn stuck_deliveries_and_callbacks_near_their_timeout_show_through_documented_queries() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let now = chrono::Utc::now();
    let age = |i: &Value| {
        now.signed_duration_since(
            chrono::DateTime::parse_from_rfc3339(i["createdDateTime"].as_str().unwrap()).unwrap(),
        )
    };
    let (delivering, _) = r
        .all(
            &admin,
            &r.em("v1.0", "assignmentRequests?$filter=state eq 'delivering'"),
        )
        .await;
    let stuck: Vec<&Value> = delivering
        .iter()
        .filter(|i| i["status"] == "Delivering" && age(i) > chrono::Duration::hours(6))
        .collect();
    assert!(
        stuck.len() >= 300 / 50,
        "{} stuck in delivering",
        stuck.len()
    );
    assert!(
        stuck
            .iter()
            .all(|i| age(i) <= chrono::Duration::days(3) + chrono::Duration::minutes(1))
    );
    // Fresh deliveries are there too, so "stuck" is a real distinction.
    assert!(
        delivering
            .iter()
            .any(|i| i["status"] == "Delivering" && age(i) < chrono::Duration::hours(1))
    );

    // Waiting at Created: the callout started with the request, so the time left is
    // createdDateTime + the extension's timeoutDuration - now. The timeout comes from the
    // documented lookup: package -> policies -> stage settings with their extension.
    let (submitted, _) = r
        .all(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests?$filter=state eq 'submitted'&$expand=accessPackage",
            ),
        )
        .await;
    let mut timeouts: HashMap<String, i64> = HashMap::new();
    let mut left = Vec::new();
    for w in submitted
        .iter()
        .filter(|i| i["status"] == "WaitingForCallback")
    {
        let extension = waiting_instance(w)["customExtensionId"]
            .as_str()
            .unwrap()
            .to_string();
        if !timeouts.contains_key(&extension) {
            let pkg = w["accessPackage"]["id"].as_str().unwrap();
            let (_, package, _) = r
                .get(
                    &admin,
                    &r.em(
                        "v1.0",
                        &format!("accessPackages/{pkg}?$expand=assignmentPolicies"),
                    ),
                )
                .await;
            for p in package["assignmentPolicies"].as_array().unwrap() {
                let (_, policy, _) = r
                    .get(
                        &admin,
                        &r.em(
                            "v1.0",
                            &format!(
                                "assignmentPolicies/{}?$expand=customExtensionStageSettings($expand=customExtension)",
                                p["id"].as_str().unwrap()
                            ),
                        ),
                    )
                    .await;
                for s in policy["customExtensionStageSettings"].as_array().unwrap() {
                    let e = &s["customExtension"];
                    timeouts.insert(
                        e["id"].as_str().unwrap().to_string(),
                        iso_secs(
                            e["callbackConfiguration"]["timeoutDuration"]
                                .as_str()
                                .unwrap(),
                        ),
                    );
                }
            }
        }
        let timeout = timeouts[&extension];
        left.push((timeout, timeout - age(w).num_seconds()));
    }
    assert!(left.iter().all(|(_, l)| *l > 0), "none has timed out yet");
    let near: Vec<&(i64, i64)> = left.iter().filter(|(_, l)| *l < 86_400).collect();
    assert!(near.len() >= 300 / 50, "{} near their timeout", near.len());
    assert!(near.iter().any(|(t, _)| *t == 14 * 86_400), "a 14-day one");
    assert!(near.iter().any(|(t, _)| *t < 14 * 86_400), "a shorter one");
}
