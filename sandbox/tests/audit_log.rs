//! Contract: the Entra audit log at `/auditLogs/directoryAudits`, as the directoryAudit
//! reference pages (microsoft-graph-docs-contrib) and the entitlement-management audit
//! pages (entra-docs) describe it: the events of each request, their failure reasons, the
//! events reprocess and resume write, the documented `$filter` clauses (and the refusal of
//! every other), paging, and who may read the log.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{Value, json};

const GRAPH: &str = "https://graph.microsoft.com";
const RESUME_REQUEST: &str = "0e60f18c-b2a0-4887-9da8-da2e30a39d99";
const RESUME_INSTANCE: &str = "957d0c50-466b-4840-bb5b-c92cea7141ff";

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

fn names_target(event: &Value, id: &str) -> bool {
    event["targetResources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"].as_str().unwrap().eq_ignore_ascii_case(id))
}

fn times(items: &[Value]) -> Vec<chrono::DateTime<chrono::FixedOffset>> {
    items
        .iter()
        .map(|i| {
            chrono::DateTime::parse_from_rfc3339(i["activityDateTime"].as_str().unwrap()).unwrap()
        })
        .collect()
}

/// The trail of one target, newest first, as a client asks for it.
async fn trail(r: &Running, token: &str, id: &str) -> Vec<Value> {
    let (items, _) = r
        .all(
            token,
            &r.audit(
                "v1.0",
                &format!("?$filter=targetResources/any(t:t/id eq '{id}')"),
            ),
        )
        .await;
    items
}

/// Failed requests completed less than 13 days ago (reprocess accepts them).
async fn recent_failures(r: &Running, token: &str) -> Vec<Value> {
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
        .into_iter()
        .filter(|i| {
            let done =
                chrono::DateTime::parse_from_rfc3339(i["completedDateTime"].as_str().unwrap())
                    .unwrap();
            now.signed_duration_since(done) < chrono::Duration::days(13)
        })
        .collect()
}

#[tokio::test]
async fn a_failed_requests_trail_is_newest_first_and_ends_with_its_failure_reason() {
    let r = start(&[]).await;
    let token = r.audit_token("admin@", GRAPH).await;
    let (failed, _) = r
        .all(
            &r.token("admin@").await,
            &r.em(
                "v1.0",
                "assignmentRequests?$filter=state eq 'deliveryFailed'&$expand=accessPackage",
            ),
        )
        .await;
    assert!(failed.len() > 3);
    for request in &failed {
        let id = request["id"].as_str().unwrap();
        let events = trail(&r, &token, id).await;
        assert!(events.len() >= 3, "{id}: {events:?}");
        assert!(events.iter().all(|e| names_target(e, id)));
        let t = times(&events);
        assert!(t.windows(2).all(|w| w[0] >= w[1]), "{id}: newest first");
        let last = &events[0];
        assert_eq!(
            last["activityDisplayName"],
            "Failed access package assignment request"
        );
        assert_eq!(last["result"], "failure");
        assert_eq!(last["category"], "EntitlementManagement");
        assert_eq!(last["loggedByService"], "Entitlement Management");
        assert_eq!(
            last["activityDateTime"].as_str().unwrap()[..19],
            request["completedDateTime"].as_str().unwrap()[..19]
        );
        let reason = last["resultReason"].as_str().unwrap();
        assert!(reason.len() > 20 && reason.contains('\''), "{reason}");
        // The system step is the entitlement-management app's.
        assert_eq!(last["initiatedBy"]["user"], Value::Null);
        assert_eq!(
            last["initiatedBy"]["app"]["appId"],
            "810dcf14-1858-4bf2-8134-4c369fa3235b"
        );
        // It names the request, the package (by name) and the user (by UPN).
        let types: Vec<&str> = last["targetResources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["type"].as_str().unwrap())
            .collect();
        assert!(
            types.contains(&"AccessPackageAssignmentRequest"),
            "{types:?}"
        );
        assert!(types.contains(&"AccessPackage") && types.contains(&"User"));
        let package = last["targetResources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "AccessPackage")
            .unwrap();
        assert_eq!(
            package["displayName"],
            request["accessPackage"]["displayName"]
        );
        // One processing run: one correlation id, from the request's creation on.
        let first = events.last().unwrap();
        assert!(
            [
                "User requests access package assignment",
                "Administrator directly assigns user to access package",
                "User requests to remove access package assignment",
                "Administrator directly removes user access package assignment",
                "Entitlement Management removes access package assignment request for user",
                "Create access package assignment user update request",
            ]
            .contains(&first["activityDisplayName"].as_str().unwrap()),
            "{first}"
        );
        assert!(
            events
                .iter()
                .all(|e| e["correlationId"] == last["correlationId"])
        );
        // Successful steps carry no reason.
        assert!(
            events[1..]
                .iter()
                .all(|e| e["result"] == "success" && e["resultReason"] == "")
        );
    }
}

#[tokio::test]
async fn paging_covers_every_event_once_in_both_orders_and_a_target_filter_misses_none() {
    let r = start(&[]).await;
    r.control("reset", json!({ "requests": 120 })).await;
    let token = r.audit_token("admin@", GRAPH).await;
    r.control(
        "settings",
        json!({ "pageSizes": { "directoryAudits": 37 } }),
    )
    .await;
    let (desc, pages) = r.all(&token, &r.audit("v1.0", "")).await;
    assert!(pages > 3, "{pages} pages");
    let unique: HashSet<String> = ids(&desc).into_iter().collect();
    assert_eq!(unique.len(), desc.len(), "no event twice");
    let t = times(&desc);
    assert!(
        t.windows(2).all(|w| w[0] >= w[1]),
        "newest first by default"
    );
    let (asc, _) = r
        .all(&token, &r.audit("v1.0", "?$orderby=activityDateTime asc"))
        .await;
    assert_eq!(asc.len(), desc.len());
    let t = times(&asc);
    assert!(t.windows(2).all(|w| w[0] <= w[1]));
    let asc_ids: HashSet<String> = ids(&asc).into_iter().collect();
    assert_eq!(asc_ids, unique);
    // `$top` sets the page size, and the link keeps the filter.
    let (status, body, _) = r
        .get(
            &token,
            &r.audit(
                "v1.0",
                "?$top=5&$filter=startswith(activityDisplayName,'Fulfill')",
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["value"].as_array().unwrap().len(), 5);
    let link = body["@odata.nextLink"].as_str().unwrap();
    assert!(
        link.contains("%24top=5") && link.contains("startswith"),
        "{link}"
    );
    // Every event naming a request, found by a full read, is in its filtered trail, and
    // nothing else is.
    let (requests, _) = r
        .all(
            &r.token("admin@").await,
            &r.em("v1.0", "assignmentRequests"),
        )
        .await;
    for req in requests.iter().step_by(7) {
        let id = req["id"].as_str().unwrap();
        let expected: HashSet<String> = desc
            .iter()
            .filter(|e| names_target(e, id))
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        let got: HashSet<String> = ids(&trail(&r, &token, id).await).into_iter().collect();
        assert!(!expected.is_empty());
        assert_eq!(got, expected, "{id}");
    }
}

#[tokio::test]
async fn reprocess_and_resume_write_their_runs_after_they_act() {
    let r = start(&[]).await;
    let token = r.audit_token("admin@", GRAPH).await;
    let admin_oid = r.info["accounts"][0]["id"].as_str().unwrap().to_string();
    let failed = recent_failures(&r, &token).await;
    let mut checked = 0;
    for request in failed.iter().take(4) {
        let id = request["id"].as_str().unwrap();
        let before = trail(&r, &token, id).await;
        let reason = before[0]["resultReason"].clone();
        let (status, body, _) = r
            .post(
                &token,
                &r.em("v1.0", &format!("assignmentRequests/{id}/reprocess")),
                None,
            )
            .await;
        assert_eq!(status, 202, "{body}");
        // The delivery takes three seconds of the sandbox clock.
        r.advance(5).await;
        let after = trail(&r, &token, id).await;
        assert_eq!(after.len(), before.len() + 2, "{id}: {after:?}");
        let (done, reprocess) = (&after[0], &after[1]);
        assert_eq!(
            reprocess["activityDisplayName"],
            "Reprocess access package assignment request"
        );
        assert_eq!(reprocess["initiatedBy"]["user"]["id"], admin_oid.as_str());
        assert_eq!(reprocess["correlationId"], done["correlationId"]);
        assert_ne!(reprocess["correlationId"], before[0]["correlationId"]);
        assert_eq!(
            done["initiatedBy"]["app"]["displayName"],
            "Azure AD Identity Governance - Entitlement Management"
        );
        // Delivered, or failed again for the same reason.
        let (_, now, _) = r
            .get(&token, &r.em("v1.0", &format!("assignmentRequests/{id}")))
            .await;
        match now["state"].as_str().unwrap() {
            "delivered" => {
                assert_eq!(
                    done["activityDisplayName"],
                    "Fulfill access package assignment request"
                );
                assert_eq!(done["result"], "success");
            }
            "deliveryFailed" => {
                assert_eq!(
                    done["activityDisplayName"],
                    "Failed access package assignment request"
                );
                assert_eq!(done["resultReason"], reason);
            }
            other => panic!("{id}: {other}"),
        }
        checked += 1;
    }
    assert!(checked > 0);

    // Resume (continue) of the documents' example: the caller's resume, in a run of its own.
    let before = trail(&r, &token, RESUME_REQUEST).await;
    let body = json!({
        "source": "Contoso.SodCheckProcess",
        "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": "assignmentRequestCreated",
            "customExtensionStageInstanceId": RESUME_INSTANCE,
        }
    });
    let (status, resp, _) = r
        .post(
            &token,
            &r.em(
                "v1.0",
                &format!("assignmentRequests/{RESUME_REQUEST}/resume"),
            ),
            Some(body),
        )
        .await;
    assert_eq!(status, 204, "{resp}");
    r.advance(5).await;
    let after = trail(&r, &token, RESUME_REQUEST).await;
    let added: Vec<&str> = after[..after.len() - before.len()]
        .iter()
        .map(|e| e["activityDisplayName"].as_str().unwrap())
        .collect();
    assert!(
        added.contains(&"Resume access package assignment request"),
        "{added:?}"
    );
    let resume = after
        .iter()
        .find(|e| e["activityDisplayName"] == "Resume access package assignment request")
        .unwrap();
    assert_eq!(resume["initiatedBy"]["user"]["id"], admin_oid.as_str());
    let details = resume["additionalDetails"].as_array().unwrap();
    assert!(
        details
            .contains(&json!({"key": "CustomExtensionStage", "value": "assignmentRequestCreated"}))
    );
    assert!(
        details
            .contains(&json!({"key": "CustomExtensionStageInstanceId", "value": RESUME_INSTANCE}))
    );
}

#[tokio::test]
async fn a_queued_action_writes_nothing_until_it_acts() {
    let r = start(&["--action-delay-ms", "60000"]).await;
    let token = r.audit_token("admin@", GRAPH).await;
    let failed = recent_failures(&r, &token).await;
    let id = failed[0]["id"].as_str().unwrap();
    let before = trail(&r, &token, id).await.len();
    let (status, _, _) = r
        .post(
            &token,
            &r.em("v1.0", &format!("assignmentRequests/{id}/reprocess")),
            None,
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(trail(&r, &token, id).await.len(), before, "not yet");
    r.advance(120).await;
    assert_eq!(trail(&r, &token, id).await.len(), before + 2);
}

#[tokio::test]
async fn every_documented_clause_is_taken_and_every_other_refused() {
    let r = start(&[]).await;
    let token = r.audit_token("admin@", GRAPH).await;
    let admin = &r.info["accounts"][0];
    let (oid, upn) = (
        admin["id"].as_str().unwrap(),
        admin["username"].as_str().unwrap(),
    );
    let (_, sample, _) = r.get(&token, &r.audit("v1.0", "?$top=1")).await;
    let e = &sample["value"][0];
    let (id, corr) = (
        e["id"].as_str().unwrap(),
        e["correlationId"].as_str().unwrap(),
    );
    let taken = [
        "activityDateTime ge 2020-01-01T00:00:00Z".to_string(),
        "activityDateTime le 2099-01-01T00:00:00Z".to_string(),
        format!(
            "activityDateTime eq {}",
            e["activityDateTime"].as_str().unwrap()
        ),
        "activityDisplayName eq 'Fulfill access package assignment request'".into(),
        "startswith(activityDisplayName,'Fulfill')".into(),
        format!("correlationId eq '{corr}'"),
        format!("id eq '{id}'"),
        "loggedByService eq 'Entitlement Management'".into(),
        format!("initiatedBy/user/id eq '{oid}'"),
        "initiatedBy/user/displayName eq 'Adele Vance'".into(),
        format!("initiatedBy/user/userPrincipalName eq '{upn}'"),
        "startswith(initiatedBy/user/userPrincipalName,'admin@')".into(),
        "initiatedBy/app/appId eq '810dcf14-1858-4bf2-8134-4c369fa3235b'".into(),
        "initiatedBy/app/displayName eq 'Azure AD Identity Governance - Entitlement Management'"
            .into(),
        "targetResources/any(t:t/displayName eq 'Sales team')".into(),
        "targetResources/any(x:startswith(x/displayName,'Sales'))".into(),
        format!(
            "targetResources/any(t: t/id eq '{RESUME_REQUEST}') and activityDateTime ge 2020-01-01T00:00:00Z"
        ),
    ];
    for f in &taken {
        let (status, body, _) = r
            .get(&token, &r.audit("v1.0", &format!("?$filter={f}")))
            .await;
        assert_eq!(status, 200, "{f}: {body}");
        assert!(
            !body["value"].as_array().unwrap().is_empty(),
            "{f}: something matches"
        );
    }
    // The id clause reads exactly that event; the user clause only the user's events.
    let (_, one, _) = r
        .get(&token, &r.audit("v1.0", &format!("?$filter=id eq '{id}'")))
        .await;
    assert_eq!(ids(one["value"].as_array().unwrap()), [id.to_string()]);
    let (_, by, _) = r
        .get(
            &token,
            &r.audit("v1.0", &format!("?$filter=initiatedBy/user/id eq '{oid}'")),
        )
        .await;
    assert!(
        by["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["initiatedBy"]["user"]["id"] == oid)
    );

    let refused: &[(&str, &str)] = &[
        ("$filter=result eq 'failure'", "InvalidFilter"),
        (
            "$filter=category eq 'EntitlementManagement'",
            "InvalidFilter",
        ),
        ("$filter=resultReason eq 'x'", "InvalidFilter"),
        ("$filter=operationType eq 'Add'", "InvalidFilter"),
        (
            "$filter=activityDisplayName eq 'a' or activityDisplayName eq 'b'",
            "InvalidFilter",
        ),
        ("$filter=not (activityDisplayName eq 'a')", "InvalidFilter"),
        ("$filter=activityDisplayName ne 'a'", "InvalidFilter"),
        (
            "$filter=activityDateTime gt 2026-01-01T00:00:00Z",
            "InvalidFilter",
        ),
        (
            "$filter=activityDateTime lt 2026-01-01T00:00:00Z",
            "InvalidFilter",
        ),
        (
            "$filter=contains(activityDisplayName,'Fulfill')",
            "InvalidFilter",
        ),
        (
            "$filter=endswith(activityDisplayName,'request')",
            "InvalidFilter",
        ),
        (
            "$filter=startswith(initiatedBy/user/displayName,'A')",
            "InvalidFilter",
        ),
        ("$filter=startswith(loggedByService,'E')", "InvalidFilter"),
        (
            "$filter=targetResources/any(t:t/type eq 'User')",
            "InvalidFilter",
        ),
        (
            "$filter=targetResources/all(t:t/id eq 'x')",
            "InvalidFilter",
        ),
        (
            "$filter=targetResources/any(t:t/id ne 'x')",
            "InvalidFilter",
        ),
        ("$filter=nosuch eq 'x'", "BadRequest"),
        (
            "$filter=activityDateTime ge '2026-01-01T00:00:00Z'",
            "BadRequest",
        ),
        ("$filter=id eq 42", "BadRequest"),
        ("$filter=activityDisplayName eq", "BadRequest"),
        ("$count=true", "Request_UnsupportedQuery"),
        ("$search=\"Fulfill\"", "Request_UnsupportedQuery"),
        ("$expand=targetResources", "Request_UnsupportedQuery"),
        ("$skip=10", "Request_UnsupportedQuery"),
        ("$orderby=activityDisplayName", "Request_UnsupportedQuery"),
        ("$orderby=activityDateTime sideways", "BadRequest"),
        ("$top=0", "BadRequest"),
        ("$top=1000", "BadRequest"),
        ("$select=nosuch", "BadRequest"),
        ("$skiptoken=garbage", "BadRequest"),
    ];
    for (query, code) in refused {
        let (status, body, _) = r.get(&token, &r.audit("v1.0", &format!("?{query}"))).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], *code, "{query}: {body}");
    }
    // The refusal names the clause, property first, as the sandbox words it elsewhere.
    let (_, body, _) = r
        .get(&token, &r.audit("v1.0", "?$filter=result eq 'failure'"))
        .await;
    assert_eq!(
        body["error"]["message"],
        "OData query is invalid: Filter 'result Equals failure' is not supported."
    );
}

#[tokio::test]
async fn select_narrows_a_get_reads_one_event_and_beta_serves_the_same_log() {
    let r = start(&[]).await;
    let token = r.audit_token("admin@", GRAPH).await;
    let (status, body, _) = r
        .get(
            &token,
            &r.audit(
                "v1.0",
                "?$select=activityDateTime,activityDisplayName&$top=3",
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("@microsoft.graph.tips").is_none(),
        "no tip once $select is used"
    );
    for e in body["value"].as_array().unwrap() {
        let mut keys: Vec<&String> = e.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["activityDateTime", "activityDisplayName"]);
    }
    let (_, list, _) = r.get(&token, &r.audit("v1.0", "?$top=1")).await;
    let first = &list["value"][0];
    let id = first["id"].as_str().unwrap();
    let (status, one, _) = r.get(&token, &r.audit("v1.0", &format!("/{id}"))).await;
    assert_eq!(status, 200, "{one}");
    assert!(
        one["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#auditLogs/directoryAudits/$entity")
    );
    assert_eq!(one["activityDisplayName"], first["activityDisplayName"]);
    let (status, missing, _) = r
        .get(
            &token,
            &r.audit("v1.0", "/00000000-0000-4000-8000-000000000000"),
        )
        .await;
    assert_eq!(status, 404, "{missing}");
    // Beta: the same events, with `filter` without `$` too; segments in any case.
    let (status, beta, _) = r
        .get(
            &token,
            &format!(
                "{}/beta/auditlogs/directoryaudits?filter=id eq '{id}'",
                r.base
            ),
        )
        .await;
    assert_eq!(status, 200, "{beta}");
    assert_eq!(ids(beta["value"].as_array().unwrap()), [id.to_string()]);
}

#[tokio::test]
async fn both_permissions_and_an_audit_reading_role_are_needed() {
    let r = start(&[]).await;
    // A token for entitlement management only.
    let plain = r.token("admin@").await;
    let (status, body, _) = r.get(&plain, &r.audit("v1.0", "")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["error"]["code"],
        "Authentication_MSGraphPermissionMissing"
    );
    assert_eq!(
        body["error"]["message"],
        "Calling principal does not have required MSGraph permissions AuditLog.Read.All, Directory.Read.All"
    );
    // AuditLog.Read.All alone is not enough.
    let one = r
        .token_with(
            "admin@",
            &format!("{GRAPH}/AuditLog.Read.All openid offline_access"),
        )
        .await;
    let (status, body, _) = r.get(&one, &r.audit("v1.0", "")).await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["message"],
        "Calling principal does not have required MSGraph permissions Directory.Read.All"
    );
    // The manager consents to both but holds no role that reads the log.
    let manager = r.audit_token("manager@", GRAPH).await;
    for url in [r.audit("v1.0", ""), r.audit("beta", "?$top=1")] {
        let (status, body, _) = r.get(&manager, &url).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(
            body["error"]["code"],
            "Authentication_RequestFromUnsupportedUserRole"
        );
        assert_eq!(body["error"]["message"], "User is not in the allowed roles");
        assert!(body["error"]["innerError"]["request-id"].is_string());
    }
    // The user without any role either.
    let user = r.audit_token("user@", GRAPH).await;
    let (status, _, _) = r.get(&user, &r.audit("v1.0", "")).await;
    assert_eq!(status, 403);
    // The admin (a Reports Reader) reads it.
    let admin = r.audit_token("admin@", GRAPH).await;
    let (status, _, _) = r.get(&admin, &r.audit("v1.0", "")).await;
    assert_eq!(status, 200);
    // It is read only.
    let (status, _, _) = r.post(&admin, &r.audit("v1.0", ""), Some(json!({}))).await;
    assert_eq!(status, 405);
}

/// The bench's tenant size: the seed with its audit log, and a trail read through the
/// target index and a filter that scans the whole log. Timings are printed (run with
/// `--nocapture`), not asserted.
#[tokio::test]
async fn at_50000_requests_the_seed_and_a_trail_stay_quick() {
    let r = start(&[]).await;
    let token = r.audit_token("admin@", GRAPH).await;
    let started = std::time::Instant::now();
    r.control("reset", json!({ "requests": 50000 })).await;
    let reset = started.elapsed();
    let em = r.token("admin@").await;
    let (status, failed, _) = r
        .get(
            &em,
            &r.em(
                "v1.0",
                "assignmentRequests?$filter=state eq 'deliveryFailed'",
            ),
        )
        .await;
    assert_eq!(status, 200);
    let id = failed["value"][0]["id"].as_str().unwrap();
    let started = std::time::Instant::now();
    let events = trail(&r, &token, id).await;
    let by_target = started.elapsed();
    assert!(events.len() >= 3);
    assert_eq!(events[0]["result"], "failure");
    let oid = r.info["accounts"][0]["id"].as_str().unwrap();
    let started = std::time::Instant::now();
    let (status, _, _) = r
        .get(
            &token,
            &r.audit(
                "v1.0",
                &format!("?$filter=initiatedBy/user/id eq '{oid}' and activityDateTime le 2000-01-01T00:00:00Z"),
            ),
        )
        .await;
    let scan = started.elapsed();
    assert_eq!(status, 200);
    let started = std::time::Instant::now();
    let (status, page, _) = r.get(&token, &r.audit("v1.0", "")).await;
    let first_page = started.elapsed();
    assert_eq!(status, 200);
    assert_eq!(page["value"].as_array().unwrap().len(), 100);
    println!(
        "50 000 requests ({} build): reset with the audit log {reset:?}; one request's trail by target {by_target:?} ({} events); a filter matching nothing, scanning the whole log, {scan:?}; the first page of 100 {first_page:?}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        events.len()
    );
}

/// Test control's `/sandbox/failures` tells the two kinds of reason apart, agrees with the
/// audit log, and tells the truth: a reprocess of a request whose reason says a retry fails
/// again fails again with that reason; one with a transient reason is delivered.
#[tokio::test]
async fn failures_of_both_kinds_are_listed_and_a_reprocess_bears_their_kind_out() {
    let r = start(&[]).await;
    let token = r.audit_token("admin@", GRAPH).await;
    let listed = fetch_json(&r.http, &format!("{}/sandbox/failures", r.base)).await["value"]
        .as_array()
        .unwrap()
        .clone();
    assert!(listed.len() > 5);
    for f in &listed {
        let id = f["requestId"].as_str().unwrap();
        let events = trail(&r, &token, id).await;
        assert_eq!(events[0]["resultReason"], f["resultReason"], "{id}");
        assert!(
            f["resultReason"]
                .as_str()
                .unwrap()
                .contains(f["resource"]["displayName"].as_str().unwrap())
        );
    }
    let pick = |again: bool| {
        listed
            .iter()
            .find(|f| {
                f["retryFailsAgain"] == again
                    && f["reprocessable"] == true
                    && f["state"] == "deliveryFailed"
            })
            .unwrap_or_else(|| panic!("a reprocessable failure with retryFailsAgain {again}"))
            .clone()
    };
    for (f, again) in [(pick(true), true), (pick(false), false)] {
        let id = f["requestId"].as_str().unwrap();
        let (status, body, _) = r
            .post(
                &token,
                &r.em("v1.0", &format!("assignmentRequests/{id}/reprocess")),
                None,
            )
            .await;
        assert_eq!(status, 202, "{body}");
        r.advance(5).await;
        let events = trail(&r, &token, id).await;
        let (_, now, _) = r
            .get(&token, &r.em("v1.0", &format!("assignmentRequests/{id}")))
            .await;
        if again {
            assert_eq!(now["state"], "deliveryFailed", "{id}");
            assert_eq!(events[0]["result"], "failure");
            assert_eq!(events[0]["resultReason"], f["resultReason"]);
        } else {
            assert_eq!(now["state"], "delivered", "{id}");
            assert_eq!(
                events[0]["activityDisplayName"],
                "Fulfill access package assignment request"
            );
        }
    }
    // Delivered requests leave the list; failed-again ones stay, with the same reason.
    let after = fetch_json(&r.http, &format!("{}/sandbox/failures", r.base)).await["value"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(after.len(), listed.len() - 1);
    let kinds: HashSet<&str> = listed
        .iter()
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    assert!(kinds.len() >= 4, "{kinds:?}");
}
