//! Contract: Microsoft Graph entitlement management: tokens and roles, each version's
//! names, filters, paging and `$expand`, `$batch`, throttling and the operation log. The
//! three actions, with the seed documents' examples, are in `actions.rs`.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn no_token_expired_token_and_wrong_audience_are_401_with_www_authenticate() {
    let r = start(&[]).await;
    let url = r.em("v1.0", "assignmentRequests");
    let resp = r
        .http
        .get(&url)
        .header("client-request-id", "my-id-1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("www-authenticate"));
    assert!(resp.headers().contains_key("request-id"));
    assert_eq!(resp.headers()["client-request-id"], "my-id-1");
    let body: Value = resp.json().await.unwrap();
    assert_graph_error(401, &body, 401, "InvalidAuthenticationToken");
    assert_eq!(body["error"]["innerError"]["client-request-id"], "my-id-1");

    let tokens = r.sign_in("admin@").await;
    let (status, body, headers) = r.get(tokens["id_token"].as_str().unwrap(), &url).await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("audience")
    );
    assert!(headers.contains_key("www-authenticate"));

    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(r.get(access, &url).await.0, 200);
    r.advance(3601).await;
    let (status, body, _) = r.get(access, &url).await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn roles_decide_what_a_caller_sees() {
    let r = start(&[]).await;
    let user = r.token("user@").await;
    let (status, body, _) = r.get(&user, &r.em("v1.0", "assignmentRequests")).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");

    let manager = r.token("manager@").await;
    let (status, body, _) = r.get(&manager, &r.em("v1.0", "assignmentRequests")).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    let catalog = r.info["accounts"][1]["catalogId"]
        .as_str()
        .unwrap()
        .to_string();
    // The documented way to see packages with their catalog: catalogs?$expand=accessPackages.
    let (_, catalogs, _) = r
        .get(&manager, &r.em("v1.0", "catalogs?$expand=accessPackages"))
        .await;
    let catalogs = catalogs["value"].as_array().unwrap();
    assert_eq!(catalogs.len(), 1, "only their catalog");
    assert_eq!(catalogs[0]["id"], catalog.as_str());
    let mine = catalogs[0]["accessPackages"][0]["id"].as_str().unwrap();
    let (items, _) = r
        .all(
            &manager,
            &r.em(
                "v1.0",
                &format!(
                    "assignmentRequests?$filter=accessPackage/id eq '{mine}'&$expand=accessPackage"
                ),
            ),
        )
        .await;
    assert!(items.iter().all(|i| i["accessPackage"]["id"] == mine));

    let admin = r.token("admin@").await;
    let (_, all_catalogs, _) = r
        .get(&admin, &r.em("v1.0", "catalogs?$expand=accessPackages"))
        .await;
    let other = all_catalogs["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] != catalog.as_str())
        .unwrap()["accessPackages"][0]["id"]
        .as_str()
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
    assert_eq!(status, 403);
}

#[tokio::test]
async fn each_version_has_its_own_property_names_and_casing() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let (_, v1, _) = r
        .get(
            &admin,
            &r.em("v1.0", &format!("assignmentRequests/{REPROCESS_REQUEST}")),
        )
        .await;
    assert_eq!(v1["state"], "deliveryFailed");
    assert_eq!(v1["status"], "DeliveryFailed");
    assert!(v1["completedDateTime"].is_string() && v1.get("requestState").is_none());
    for path in ["assignmentRequests", "accessPackageAssignmentRequests"] {
        let (status, beta, _) = r
            .get(
                &admin,
                &r.em("beta", &format!("{path}/{REPROCESS_REQUEST}")),
            )
            .await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(beta["requestState"], "DeliveryFailed");
        assert_eq!(beta["requestStatus"], "DeliveryFailed");
        assert!(beta["completedDate"].is_string() && beta.get("state").is_none());
    }
    let (status, body, _) = r
        .get(&admin, &r.em("v1.0", "accessPackageAssignmentRequests"))
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
    let (_, a1, _) = r
        .get(
            &admin,
            &r.em("v1.0", &format!("assignments/{REPROCESS_ASSIGNMENT}")),
        )
        .await;
    assert_eq!(a1["state"], "delivered");
    let (_, ab, _) = r
        .get(
            &admin,
            &r.em(
                "beta",
                &format!("accessPackageAssignments/{REPROCESS_ASSIGNMENT}"),
            ),
        )
        .await;
    assert_eq!(ab["assignmentState"], "Delivered");
    assert!(ab["accessPackageId"].is_string());
}

#[tokio::test]
async fn extended_filters_select_the_right_rows_and_unsupported_ones_are_400() {
    // The permissive parser of --query-support extended (documented mode: tests/query_support.rs).
    let r = start(&["--query-support", "extended"]).await;
    let admin = r.token("admin@").await;
    let (items, _) = r
        .all(
            &admin,
            &r.em("v1.0", "assignmentRequests?$filter=(state eq 'deliveryFailed' or state eq 'PARTIALLYDELIVERED') and createdDateTime ge 2000-01-01T00:00:00Z"),
        )
        .await;
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| i["state"] == "deliveryFailed" || i["state"] == "partiallyDelivered")
    );
    let (waiting, _) = r
        .all(
            &admin,
            &r.em(
                "beta",
                "assignmentRequests?$filter=requestStatus eq 'WaitingForCallback'",
            ),
        )
        .await;
    assert!(
        waiting
            .iter()
            .all(|i| i["requestStatus"] == "WaitingForCallback")
            && !waiting.is_empty()
    );

    for (query, code) in [
        ("$filter=justification eq 'x'", "Request_UnsupportedQuery"),
        ("$filter=state eq 'broken'", "BadRequest"),
        ("$filter=state eq 'delivered' or 1 eq 1", "BadRequest"),
        (
            "$filter=state eq 'delivered' or requestType eq 'userAdd'",
            "Request_UnsupportedQuery",
        ),
        ("$filter=state eq 'x') or (state ne 'y'", "BadRequest"),
        ("$filter=accessPackage/id eq 'not-a-guid'", "BadRequest"),
        ("$filter=createdDateTime ge '2026-01-01'", "BadRequest"),
        ("$filter=startswith(status,'D')", "BadRequest"),
        ("$orderby=createdDateTime desc", "Request_UnsupportedQuery"),
        ("$skip=10", "Request_UnsupportedQuery"),
        ("$expand=approvals", "BadRequest"),
        ("$select=nope", "BadRequest"),
    ] {
        let (status, body, _) = r
            .get(
                &admin,
                &r.em("v1.0", &format!("assignmentRequests?{query}")),
            )
            .await;
        assert_graph_error(status, &body, 400, code);
    }
}

#[tokio::test]
async fn paging_is_server_driven_and_covers_every_row_once() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let (items, pages) = r
        .all(
            &admin,
            &r.em("v1.0", "assignmentRequests?$expand=requestor"),
        )
        .await;
    assert_eq!(items.len(), 300);
    assert!(pages >= 3, "{pages} pages");
    let mut ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 300, "no row twice");
    assert!(
        items.iter().all(|i| i["requestor"]["objectId"].is_string()),
        "nextLink keeps $expand"
    );
}

#[tokio::test]
async fn expand_and_select_shape_the_answer() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let (_, body, _) = r
        .get(
            &admin,
            &r.em("v1.0", &format!("assignmentRequests/{REPROCESS_REQUEST}?$select=state,completedDateTime&$expand=accessPackage,requestor,assignment")),
        )
        .await;
    assert_eq!(body["id"], REPROCESS_REQUEST);
    assert!(body.get("justification").is_none(), "not selected");
    assert!(body["accessPackage"]["displayName"].is_string());
    assert!(body["requestor"]["displayName"].is_string());
    // The documented policy lookup: the policy by id, its stage settings and their extension.
    let (_, pol, _) = r.get(&admin, &r.em("v1.0", "assignmentPolicies")).await;
    let mut found = None;
    for p in pol["value"].as_array().unwrap() {
        let (status, one, _) = r
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
        assert_eq!(status, 200, "{one}");
        if !one["customExtensionStageSettings"]
            .as_array()
            .unwrap()
            .is_empty()
        {
            found = Some(one);
            break;
        }
    }
    let with_stages = found.expect("a policy with stage settings");
    let setting = &with_stages["customExtensionStageSettings"][0];
    assert!(
        setting["stage"]
            .as_str()
            .unwrap()
            .starts_with("assignmentRequest")
    );
    assert!(setting["customExtension"]["id"].is_string());

    // Extended mode keeps the nested expand the documents do not give.
    r.control("settings", json!({ "querySupport": "extended" }))
        .await;
    let (status, body, _) = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                &format!(
                    "assignmentRequests/{REPROCESS_REQUEST}?$expand=accessPackage($expand=catalog)"
                ),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["accessPackage"]["catalog"]["displayName"].is_string());
}

#[tokio::test]
async fn filter_by_current_user_returns_only_the_callers_own_requests() {
    let r = start(&[]).await;
    let tokens = r.sign_in("user@").await;
    let user = tokens["access_token"].as_str().unwrap();
    let oid = r.info["accounts"][2]["id"].as_str().unwrap();
    let (items, _) = r
        .all(
            user,
            &r.em(
                "v1.0",
                "assignmentRequests/filterByCurrentUser(on='target')?$expand=requestor",
            ),
        )
        .await;
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["requestor"]["objectId"] == oid));
    let (status, body, _) = r
        .get(
            user,
            &r.em(
                "v1.0",
                "assignmentRequests/filterByCurrentUser(on='everyone')",
            ),
        )
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
}

#[tokio::test]
async fn batch_answers_each_item_by_id_with_its_own_status() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let body = json!({ "requests": [
        { "id": "1", "method": "POST", "url": format!("/identityGovernance/entitlementManagement/assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
          "body": {}, "headers": { "Content-Type": "application/json" } },
        { "id": "2", "method": "POST", "url": "/identityGovernance/entitlementManagement/assignmentRequests/00000000-0000-4000-8000-000000000000/reprocess",
          "body": {}, "headers": { "content-type": "application/json" } },
        { "id": "3", "method": "GET", "url": format!("/identityGovernance/entitlementManagement/assignmentRequests/{REPROCESS_REQUEST}"), "dependsOn": ["1"] },
        { "id": "4", "method": "GET", "url": "/identityGovernance/entitlementManagement/catalogs", "dependsOn": ["2"] },
    ]});
    let (status, resp, _) = r
        .post(&admin, &format!("{}/v1.0/$batch", r.base), Some(body))
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
    assert_eq!(by_id("1")["status"], 202);
    assert_eq!(by_id("2")["status"], 404);
    assert_eq!(by_id("2")["body"]["error"]["code"], "ResourceNotFound");
    assert_eq!(by_id("3")["status"], 200);
    assert_eq!(by_id("3")["body"]["state"], "delivering");
    assert_eq!(by_id("4")["status"], 424);
    // The documented item shape: no request-id header; an error's ids are in innerError.
    assert!(by_id("1")["headers"].get("request-id").is_none());
    assert!(by_id("2")["body"]["error"]["innerError"]["request-id"].is_string());
    assert_graph_error(424, &by_id("4")["body"], 424, "FailedDependency");

    let many: Vec<Value> = (0..21)
        .map(|i| json!({ "id": i.to_string(), "method": "GET", "url": "/identityGovernance/entitlementManagement/catalogs" }))
        .collect();
    let (status, resp, _) = r
        .post(
            &admin,
            &format!("{}/beta/$batch", r.base),
            Some(json!({ "requests": many })),
        )
        .await;
    assert_graph_error(status, &resp, 400, "BadRequest");
}

#[tokio::test]
async fn throttling_faults_and_cors_behave_like_graph() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    r.control("settings", json!({ "throttle": "1/2" })).await;
    let url = r.em("v1.0", "catalogs");
    let mut throttled = None;
    for _ in 0..5 {
        let (status, body, headers) = r.get(&admin, &url).await;
        if status == 429 {
            throttled = Some((body, headers));
            break;
        }
    }
    let (body, headers) = throttled.expect("a 429 within 5 calls at 1/s with a burst of 2");
    assert_graph_error(429, &body, 429, "TooManyRequests");
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // Retry-After is sent but browsers may not read it: Graph does not expose it.
    let exposed = headers["access-control-expose-headers"].to_str().unwrap();
    assert!(exposed.contains("request-id") && !exposed.to_lowercase().contains("retry-after"));
    assert_eq!(headers["access-control-allow-origin"], "*");

    // Each batch item is throttled individually.
    let items: Vec<Value> = (0..4)
        .map(|i| json!({ "id": i.to_string(), "method": "GET", "url": "/identityGovernance/entitlementManagement/catalogs" }))
        .collect();
    let (_, resp, _) = r
        .post(
            &admin,
            &format!("{}/v1.0/$batch", r.base),
            Some(json!({ "requests": items })),
        )
        .await;
    let statuses: Vec<u64> = resp["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_u64().unwrap())
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");

    r.control("settings", json!({ "throttle": null, "faultRate": 1.0 }))
        .await;
    let (status, body, _) = r.get(&admin, &url).await;
    assert!(status == 503 || status == 504, "{status}");
    assert!(
        ["ServiceUnavailable", "GatewayTimeout"].contains(&body["error"]["code"].as_str().unwrap())
    );
    r.control("settings", json!({ "faultRate": 0.0 })).await;
    assert_eq!(r.get(&admin, &url).await.0, 200);

    let pre = r
        .http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", APP_ORIGIN)
        .header("access-control-request-method", "GET")
        .header(
            "access-control-request-headers",
            "authorization,client-request-id",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 200);
    assert_eq!(
        pre.headers()["access-control-allow-headers"],
        "authorization,client-request-id"
    );
}

#[tokio::test]
async fn the_operation_log_records_every_write_with_caller_target_and_status() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    r.post(
        &admin,
        &r.em(
            "v1.0",
            &format!("assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
        ),
        None,
    )
    .await;
    r.post(
        &admin,
        &r.em(
            "v1.0",
            &format!("assignmentRequests/{REPROCESS_REQUEST}/reprocess"),
        ),
        None,
    )
    .await;
    let log = fetch_json(&r.http, &format!("{}/sandbox/log", r.base)).await;
    let entries = log["value"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["status"], 202);
    assert_eq!(entries[1]["status"], 400);
    assert_eq!(entries[0]["target"], REPROCESS_REQUEST);
    assert_eq!(entries[0]["action"], "reprocess");
    assert_eq!(entries[0]["caller"]["username"], username(&r, "admin@"));
    assert!(entries[0]["time"].is_string() && entries[0]["requestId"].is_string());
    // Reset: a fresh tenant and an empty log.
    r.control("reset", json!({})).await;
    let log = fetch_json(&r.http, &format!("{}/sandbox/log", r.base)).await;
    assert!(log["value"].as_array().unwrap().is_empty());
    let (_, again, _) = r
        .get(
            &admin,
            &r.em("v1.0", &format!("assignmentRequests/{REPROCESS_REQUEST}")),
        )
        .await;
    assert_eq!(again["state"], "deliveryFailed");
}

#[tokio::test]
async fn test_control_is_absent_unless_asked_for() {
    let bound = entra_sandbox::bind(<entra_sandbox::Options as clap::Parser>::parse_from([
        "entra-sandbox",
        "--addr",
        "127.0.0.1:0",
    ]))
    .await
    .unwrap();
    let base = bound.origin().to_string();
    tokio::spawn(bound.run_until(std::future::pending()));
    let resp = reqwest::Client::new()
        .post(format!("{base}/sandbox/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let info: Value = reqwest::get(format!("{base}/sandbox/info"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["accounts"].as_array().unwrap().len(), 4);
    assert_eq!(info["requests"], 500);
}
