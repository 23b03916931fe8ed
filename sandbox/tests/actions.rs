//! Contract: the three actions (reprocess a request, resume one, reprocess an assignment),
//! the seed documents' examples as test vectors (shared/reference/seeds).

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn the_seed_reprocess_examples_are_accepted_then_the_request_is_delivered() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let url = r.em(
        "v1.0",
        &format!("assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
    );
    let (status, body, headers) = r.post(&admin, &url, None).await;
    assert_eq!(status, 202, "{body}");
    assert!(headers.contains_key("request-id"));
    let get = r.em("v1.0", &format!("assignmentRequests/{REPROCESS_REQUEST}"));
    assert_eq!(r.get(&admin, &get).await.1["state"], "delivering");
    let (status, body, _) = r.post(&admin, &url, None).await;
    assert_graph_error(status, &body, 400, "BadRequest");
    r.advance(3).await;
    assert_eq!(r.get(&admin, &get).await.1["state"], "delivered");
    // The beta legacy path of the English page also answers: refused for the request's
    // state, which a missing route (400 "Resource not found for the segment …") is not.
    let (status, body, _) = r
        .post(
            &admin,
            &r.em(
                "beta",
                &format!("accessPackageAssignmentRequests/{REPROCESS_REQUEST}/reprocess"),
            ),
            None,
        )
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
    assert_eq!(
        body["error"]["message"],
        "The request cannot be reprocessed: its state is delivered. Only requests in the deliveryFailed or partiallyDelivered state can be reprocessed.",
        "{body}"
    );
}

#[tokio::test]
async fn reprocess_is_refused_outside_the_window_wrong_state_unknown_and_malformed_ids() {
    let r = start(&[]).await;
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
    let now = chrono::Utc::now();
    let old = failed
        .iter()
        .find(|i| {
            let done =
                chrono::DateTime::parse_from_rfc3339(i["completedDateTime"].as_str().unwrap())
                    .unwrap();
            now.signed_duration_since(done) > chrono::Duration::days(15)
        })
        .unwrap();
    let (status, body, _) = r
        .post(
            &admin,
            &r.em(
                "v1.0",
                &format!(
                    "assignmentRequests/{}/reprocess",
                    old["id"].as_str().unwrap()
                ),
            ),
            None,
        )
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("14 days")
    );
    let (delivered, _) = r
        .all(
            &admin,
            &r.em("v1.0", "assignmentRequests?$filter=state eq 'delivered'"),
        )
        .await;
    let (status, _, _) = r
        .post(
            &admin,
            &r.em(
                "v1.0",
                &format!(
                    "assignmentRequests/{}/reprocess",
                    delivered[0]["id"].as_str().unwrap()
                ),
            ),
            None,
        )
        .await;
    assert_eq!(status, 400);
    let (status, body, _) = r
        .post(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests/00000000-0000-4000-8000-000000000000/reprocess",
            ),
            None,
        )
        .await;
    assert_graph_error(status, &body, 404, "ResourceNotFound");
    let (status, body, _) = r
        .post(
            &admin,
            &r.em("v1.0", "assignmentRequests/not-a-guid/reprocess"),
            None,
        )
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
}

#[tokio::test]
async fn the_window_closes_on_the_sandbox_clock() {
    let r = start(&[]).await;
    // The seed's failed request completed two days ago: 12 days left.
    r.advance(12 * 86_400 + 60).await;
    let admin = r.token("admin@").await;
    let (status, body, _) = r
        .post(
            &admin,
            &r.em(
                "v1.0",
                &format!("assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
            ),
            None,
        )
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
}

#[tokio::test]
async fn a_seeded_broken_target_fails_again_after_reprocess() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    // Reprocess every failed request inside the window; some targets are broken.
    let (failed, _) = r
        .all(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests?$filter=state eq 'deliveryFailed'",
            ),
        )
        .await;
    let mut accepted = Vec::new();
    for i in &failed {
        let id = i["id"].as_str().unwrap();
        if r.post(
            &admin,
            &r.em("v1.0", &format!("assignmentRequests/{id}/reprocess")),
            None,
        )
        .await
        .0 == 202
        {
            accepted.push(id.to_string());
        }
    }
    assert!(accepted.len() > 1);
    r.advance(3).await;
    let mut states = Vec::new();
    for id in &accepted {
        states.push(
            r.get(&admin, &r.em("v1.0", &format!("assignmentRequests/{id}")))
                .await
                .1["state"]
                .clone(),
        );
    }
    assert!(states.contains(&json!("delivered")));
    assert!(states.contains(&json!("deliveryFailed")), "{states:?}");
}

#[tokio::test]
async fn the_seed_resume_examples_continue_and_deny() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let url = |id: &str| r.em("v1.0", &format!("assignmentRequests/{id}/resume"));
    let (status, body, _) = r
        .post(
            &admin,
            &url("0e60f18c-b2a0-4887-9da8-da2e30a39d99"),
            Some(seed_continue()),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, after, _) = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests/0e60f18c-b2a0-4887-9da8-da2e30a39d99",
            ),
        )
        .await;
    assert_ne!(after["status"], "WaitingForCallback");
    assert!(
        after["customExtensionCalloutInstances"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["status"] == "callbackReceived")
    );
    // Resuming twice: no longer waiting, refused the way Graph reports it (issue 8687).
    let (status, body, _) = r
        .post(
            &admin,
            &url("0e60f18c-b2a0-4887-9da8-da2e30a39d99"),
            Some(seed_continue()),
        )
        .await;
    assert_graph_error(status, &body, 400, "UnknownError");
    assert_eq!(body["error"]["message"], "");

    let (status, body, _) = r
        .post(
            &admin,
            &url("9e60f18c-b2a0-4887-9da8-da2e30a39d99"),
            Some(seed_deny()),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, after, _) = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests/9e60f18c-b2a0-4887-9da8-da2e30a39d99",
            ),
        )
        .await;
    assert_eq!(after["state"], "denied");
}

#[tokio::test]
async fn resume_refuses_mismatched_type_stage_instance_and_late_denials() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let id = "0e60f18c-b2a0-4887-9da8-da2e30a39d99";
    let url = r.em("v1.0", &format!("assignmentRequests/{id}/resume"));
    let mut type_mismatch = seed_continue();
    type_mismatch["type"] =
        json!("microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestApproved");
    let mut wrong_stage = seed_continue();
    wrong_stage["type"] =
        json!("microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestApproved");
    wrong_stage["data"]["stage"] = json!("assignmentRequestApproved");
    let mut wrong_instance = seed_continue();
    wrong_instance["data"]["customExtensionStageInstanceId"] =
        json!("00000000-0000-4000-8000-000000000000");
    let mut no_odata_type = seed_continue();
    no_odata_type["data"]
        .as_object_mut()
        .unwrap()
        .remove("@odata.type");
    let mut bad_state = seed_continue();
    bad_state["data"]["state"] = json!("approved");
    let mut extra = seed_continue();
    extra["reason"] = json!("x");
    // Body-shape errors say what is wrong.
    for (name, body) in [
        ("type and data.stage disagree", type_mismatch),
        ("no @odata.type", no_odata_type),
        ("state other than denied", bad_state),
        ("unknown property", extra),
    ] {
        let (status, resp, _) = r.post(&admin, &url, Some(body)).await;
        assert_graph_error(status, &resp, 400, "BadRequest");
        assert!(
            !resp["error"]["message"].as_str().unwrap().is_empty(),
            "{name}"
        );
    }
    let (status, resp, _) = r.post(&admin, &url, Some(json!("not an object"))).await;
    assert_graph_error(status, &resp, 400, "BadRequest");
    let resp = r
        .http
        .post(&url)
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp: Value = resp.json().await.unwrap();
    assert_eq!(resp["error"]["code"], "BadRequest");
    // A well-formed callback that does not fit the waiting callout: UnknownError, no message
    // (docs-contrib issue 8687).
    for (name, body) in [
        ("not the waiting stage", wrong_stage),
        ("not the waiting instance", wrong_instance),
    ] {
        let (status, resp, _) = r.post(&admin, &url, Some(body)).await;
        assert_graph_error(status, &resp, 400, "UnknownError");
        assert_eq!(resp["error"]["message"], "", "{name}");
    }
    // Deny at assignmentRequestGranted is refused.
    // status is not filterable (documented mode): filter the state, then look at status.
    let (granted, _) = r
        .all(
            &admin,
            &r.em("v1.0", "assignmentRequests?$filter=state eq 'delivered'"),
        )
        .await;
    let g = granted
        .iter()
        .find(|i| i["status"] == "WaitingForCallback" && i["requestType"] != "userRemove")
        .expect("a request waiting at assignmentRequestGranted");
    let instance = g["customExtensionCalloutInstances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "waitingForCallback")
        .unwrap()["id"]
        .clone();
    let deny = json!({
        "source": "Access Desk",
        "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestGranted",
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": "assignmentRequestGranted",
            "customExtensionStageInstanceId": instance,
            "state": "denied",
        }
    });
    let (status, resp, _) = r
        .post(
            &admin,
            &r.em(
                "v1.0",
                &format!("assignmentRequests/{}/resume", g["id"].as_str().unwrap()),
            ),
            Some(deny),
        )
        .await;
    assert_graph_error(status, &resp, 400, "BadRequest");
    assert!(
        resp["error"]["message"]
            .as_str()
            .unwrap()
            .contains("denied only")
    );
}

#[tokio::test]
async fn resume_does_not_exist_outside_the_global_cloud() {
    let r = start(&["--cloud", "usgov"]).await;
    let cid = r.client_id.clone();
    let url = r.authorize_url(&[(
        "scope",
        Some(
            "https://graph.microsoft.us/EntitlementManagement.ReadWrite.All openid offline_access",
        ),
    )]);
    let loc = r.pick_account(&url, "admin@").await;
    let code = params(&loc)["code"].clone();
    let (_, tokens) = r
        .redeem(
            &[
                ("client_id", &cid),
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
            Some(APP_ORIGIN),
        )
        .await;
    let token = tokens["access_token"].as_str().unwrap();
    // Beta outside the global cloud has only the accessPackage… names.
    for (v, collection) in [
        ("v1.0", "assignmentRequests"),
        ("beta", "accessPackageAssignmentRequests"),
    ] {
        let (status, body, _) = r
            .post(
                token,
                &r.em(
                    v,
                    &format!("{collection}/0e60f18c-b2a0-4887-9da8-da2e30a39d99/resume"),
                ),
                Some(seed_continue()),
            )
            .await;
        assert_graph_error(status, &body, 400, "BadRequest");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("'resume'")
        );
    }
    // Reprocess exists in every cloud.
    let (status, _, _) = r
        .post(
            token,
            &r.em(
                "v1.0",
                &format!("assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
            ),
            None,
        )
        .await;
    assert_eq!(status, 202);
}

#[tokio::test]
async fn the_seed_assignment_reprocess_example_is_accepted_only_when_delivered() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let (status, body, _) = r
        .post(
            &admin,
            &r.em(
                "beta",
                &format!("accessPackageAssignments/{REPROCESS_ASSIGNMENT}/reprocess"),
            ),
            None,
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let (status, body, _) = r
        .post(
            &admin,
            &r.em(
                "v1.0",
                &format!("assignments/{REPROCESS_ASSIGNMENT}/reprocess"),
            ),
            None,
        )
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
    // Refused for its state (queued by the beta call above), not for a missing route.
    assert_eq!(
        body["error"]["message"],
        "The assignment cannot be reprocessed: its state is delivering. Only delivered assignments can be reprocessed.",
        "{body}"
    );
    r.advance(3).await;
    let (status, _, _) = r
        .post(
            &admin,
            &r.em(
                "v1.0",
                &format!("assignments/{REPROCESS_ASSIGNMENT}/reprocess"),
            ),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let (status, body, _) = r
        .post(&admin, &r.em("beta", "assignments/x/reprocess"), None)
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
    // beta has no `assignments` collection: the route is missing, and Graph says so.
    assert_eq!(
        body["error"]["message"], "Resource not found for the segment 'assignments'.",
        "{body}"
    );
}
