//! Contract: `--query-support documented` (the default) accepts exactly the query table of
//! sandbox/QUERY-SUPPORT.md and refuses everything else the way Graph refuses it;
//! `extended` keeps the permissive parser; test control switches modes and refuses one
//! more clause at run time.

mod common;

use common::*;
use serde_json::{Value, json};

/// A refusal: 400, the Graph error shape, `code`, the request-id of the response in
/// `innerError`, and (for InvalidFilter) the refused property right after `Filter '`.
fn assert_refused(
    what: &str,
    (status, body, headers): &(u16, Value, reqwest::header::HeaderMap),
    code: &str,
    named: Option<&str>,
) {
    assert_eq!(*status, 400, "{what}: {body}");
    assert_eq!(body["error"]["code"], code, "{what}: {body}");
    let inner = &body["error"]["innerError"];
    assert_eq!(
        inner["request-id"].as_str(),
        headers["request-id"].to_str().ok(),
        "{what}"
    );
    assert!(
        inner["date"].is_string() && inner["client-request-id"].is_string(),
        "{what}"
    );
    if let Some(prefix) = named {
        let msg = body["error"]["message"].as_str().unwrap();
        assert!(
            msg.starts_with(&format!("OData query is invalid: {prefix}")),
            "{what}: {msg}"
        );
        assert!(msg.ends_with("' is not supported."), "{what}: {msg}");
    }
}

fn ids(items: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// The ids of `all` that satisfy `keep`, to compare with what the service filtered.
fn expected(all: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<String> {
    let picked: Vec<Value> = all.iter().filter(|i| keep(i)).cloned().collect();
    ids(&picked)
}

#[tokio::test]
async fn every_documented_request_clause_is_accepted_and_filters_correctly() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;

    // v1.0 assignmentRequests: state eq, createdDateTime gt, accessPackage/id eq, and-joined.
    let (all, _) = r
        .all(
            &admin,
            &r.em("v1.0", "assignmentRequests?$expand=accessPackage"),
        )
        .await;
    let pkg = all[0]["accessPackage"]["id"].as_str().unwrap().to_string();
    let since = chrono::Utc::now() - chrono::Duration::days(3);
    let since_s = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let created_after = |i: &Value| {
        chrono::DateTime::parse_from_rfc3339(i["createdDateTime"].as_str().unwrap()).unwrap()
            > since
    };
    let cases: Vec<(String, Vec<String>)> = vec![
        (
            "state eq 'deliveryFailed'".into(),
            expected(&all, |i| i["state"] == "deliveryFailed"),
        ),
        (
            format!("createdDateTime gt {since_s}"),
            expected(&all, created_after),
        ),
        (
            format!("accessPackage/id eq '{pkg}'"),
            expected(&all, |i| i["accessPackage"]["id"] == pkg.as_str()),
        ),
        (
            format!("(state eq 'Delivered') and accessPackage/id eq '{pkg}'"),
            expected(&all, |i| {
                i["state"] == "delivered" && i["accessPackage"]["id"] == pkg.as_str()
            }),
        ),
    ];
    for (filter, want) in cases {
        assert!(!want.is_empty(), "seeded data has rows for {filter}");
        let (got, _) = r
            .all(
                &admin,
                &r.em(
                    "v1.0",
                    &format!("assignmentRequests?$filter={filter}&$expand=accessPackage"),
                ),
            )
            .await;
        assert_eq!(ids(&got), want, "v1.0 {filter}");
        assert!(want.len() < all.len(), "{filter} filters something out");
    }

    // beta legacy accessPackageAssignmentRequests: the page's own example, verbatim.
    let (legacy_all, _) = r
        .all(&admin, &r.em("beta", "accessPackageAssignmentRequests"))
        .await;
    let (got, _) = r
        .all(
            &admin,
            &r.em(
                "beta",
                "accessPackageAssignmentRequests?$expand=requestor($expand=connectedOrganization)&$filter=(requestState eq 'PendingApproval')",
            ),
        )
        .await;
    assert_eq!(
        ids(&got),
        expected(&legacy_all, |i| i["requestState"] == "PendingApproval")
    );
    assert!(!got.is_empty());
    assert!(
        got.iter()
            .all(|i| i["requestor"]["connectedOrganization"].is_null()
                && i["requestor"]["objectId"].is_string())
    );
    let (got, _) = r
        .all(
            &admin,
            &r.em(
                "beta",
                &format!("accessPackageAssignmentRequests?$filter=accessPackage/id eq '{pkg}'&$expand=accessPackage,accessPackageAssignment"),
            ),
        )
        .await;
    assert!(!got.is_empty() && got.iter().all(|i| i["accessPackage"]["id"] == pkg.as_str()));

    // beta assignmentRequests (new path): createdDateTime gt and accessPackage/id eq only.
    let (beta_all, _) = r
        .all(
            &admin,
            &r.em("beta", "assignmentRequests?$expand=accessPackage,requestor"),
        )
        .await;
    let (got, _) = r
        .all(
            &admin,
            &r.em(
                "beta",
                &format!("assignmentRequests?$filter=createdDateTime gt {since_s} and accessPackage/id eq '{pkg}'&$expand=accessPackage"),
            ),
        )
        .await;
    assert_eq!(
        ids(&got),
        expected(&beta_all, |i| created_after(i)
            && i["accessPackage"]["id"] == pkg.as_str())
    );
}

#[tokio::test]
async fn every_documented_assignment_and_catalog_clause_is_accepted_and_filters_correctly() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;

    // v1.0 assignments.
    let (all, _) = r
        .all(
            &admin,
            &r.em("v1.0", "assignments?$expand=target,accessPackage"),
        )
        .await;
    let pkg = all[0]["accessPackage"]["id"].as_str().unwrap().to_string();
    let who = all[0]["target"]["objectId"].as_str().unwrap().to_string();
    let (_, one, _) = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                &format!(
                    "assignments/{}?$expand=assignmentPolicy",
                    all[0]["id"].as_str().unwrap()
                ),
            ),
        )
        .await;
    let policy = one["assignmentPolicy"]["id"].as_str().unwrap().to_string();
    // The documents' own spellings: state eq 'Delivered', target/objectid.
    let (got, _) = r
        .all(
            &admin,
            &r.em("v1.0", "assignments?$filter=state eq 'Delivered'"),
        )
        .await;
    assert_eq!(ids(&got), expected(&all, |i| i["state"] == "delivered"));
    let (got, _) = r
        .all(
            &admin,
            &r.em(
                "v1.0",
                &format!("assignments?$expand=accessPackage,target&$filter=accessPackage/id eq '{pkg}' and target/objectid eq '{who}'"),
            ),
        )
        .await;
    assert_eq!(
        ids(&got),
        expected(&all, |i| i["accessPackage"]["id"] == pkg.as_str()
            && i["target"]["objectId"] == who.as_str())
    );
    let (got, _) = r
        .all(
            &admin,
            &r.em(
                "v1.0",
                &format!("assignments?$filter=assignmentPolicy/id eq '{policy}'"),
            ),
        )
        .await;
    assert!(got.iter().any(|i| i["id"] == all[0]["id"]));
    assert!(got.len() < all.len());

    // beta accessPackageAssignments.
    let (beta_all, _) = r
        .all(
            &admin,
            &r.em("beta", "accessPackageAssignments?$expand=target"),
        )
        .await;
    // The documented values of assignmentState, in any case (beta resource page).
    for (value, rendered) in [
        ("delivering", "Delivering"),
        ("DELIVERED", "Delivered"),
        ("Expired", "Expired"),
    ] {
        let (got, _) = r
            .all(
                &admin,
                &r.em(
                    "beta",
                    &format!("accessPackageAssignments?$filter=assignmentState eq '{value}'"),
                ),
            )
            .await;
        assert_eq!(
            ids(&got),
            expected(&beta_all, |i| i["assignmentState"] == rendered),
            "{value}"
        );
    }
    for (filter, want) in [
        (
            "assignmentState eq 'Delivered'".to_string(),
            expected(&beta_all, |i| i["assignmentState"] == "Delivered"),
        ),
        (
            format!("target/objectId eq '{who}'"),
            expected(&beta_all, |i| i["target"]["objectId"] == who.as_str()),
        ),
        (
            format!("accessPackage/id eq '{pkg}'"),
            expected(&beta_all, |i| i["accessPackageId"] == pkg.as_str()),
        ),
        (
            format!("accessPackageAssignmentPolicy/id eq '{policy}'"),
            expected(&beta_all, |i| i["assignmentPolicyId"] == policy.as_str()),
        ),
    ] {
        assert!(!want.is_empty(), "{filter}");
        let (got, _) = r
            .all(
                &admin,
                &r.em(
                    "beta",
                    &format!("accessPackageAssignments?$filter={filter}"),
                ),
            )
            .await;
        assert_eq!(ids(&got), want, "beta {filter}");
    }

    // Packages and catalogs by name; policies by name and package.
    for v in ["v1.0", "beta"] {
        let (status, body, _) = r
            .get(
                &admin,
                &r.em(
                    v,
                    "accessPackages?$filter=contains(tolower(displayName),'team')",
                ),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let names: Vec<&str> = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["displayName"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["Sales team"], "{v}");
        let catalogs = if v == "v1.0" {
            "catalogs"
        } else {
            "accessPackageCatalogs"
        };
        let (_, body, _) = r
            .get(
                &admin,
                &r.em(
                    v,
                    &format!(
                        "{catalogs}?$filter=contains(tolower(displayName),'recherche')&$expand=accessPackages"
                    ),
                ),
            )
            .await;
        let list = body["value"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{v}: {body}");
        assert_eq!(list[0]["accessPackages"].as_array().unwrap().len(), 3);
    }
    let (_, body, _) = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                &format!("assignmentPolicies?$filter=accessPackage/id eq '{pkg}'"),
            ),
        )
        .await;
    assert_eq!(body["value"].as_array().unwrap().len(), 2, "{body}");
    for (v, path) in [
        ("v1.0", "assignmentPolicies"),
        ("beta", "accessPackageAssignmentPolicies"),
    ] {
        let (_, body, _) = r
            .get(
                &admin,
                &r.em(
                    v,
                    &format!("{path}?$filter=displayName eq 'Direct assignment'"),
                ),
            )
            .await;
        let list = body["value"].as_array().unwrap();
        assert_eq!(list.len(), 11, "one per package: {body}");
        assert!(list.iter().all(|p| p["displayName"] == "Direct assignment"));
    }
}

#[tokio::test]
async fn every_class_of_refusal_has_the_invalid_filter_shape_and_names_the_property() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        (
            "v1.0",
            "assignmentRequests?$filter=state eq 'delivered' or state eq 'denied'",
            "InvalidFilter",
            Some("Filter 'state Equals delivered Or state Equals denied'"),
        ),
        (
            "v1.0",
            "assignmentRequests?$filter=state ne 'delivered'",
            "InvalidFilter",
            Some("Filter 'state NotEquals delivered'"),
        ),
        (
            "v1.0",
            "assignmentRequests?$filter=not (state eq 'delivered')",
            "InvalidFilter",
            Some("Filter 'state Not Equals delivered'"),
        ),
        (
            "v1.0",
            "assignmentRequests?$filter=status eq 'WaitingForCallback'",
            "InvalidFilter",
            Some("Filter 'status Equals WaitingForCallback'"),
        ),
        (
            "v1.0",
            "assignmentRequests?$filter=requestor/objectId eq '00000000-0000-4000-8000-000000000000'",
            "InvalidFilter",
            Some("Filter 'requestor/objectId Equals "),
        ),
        (
            "v1.0",
            "assignmentRequests?$filter=createdDateTime ge 2026-01-01T00:00:00Z",
            "InvalidFilter",
            Some("Filter 'createdDateTime GreaterThanOrEqual 2026-01-01T00:00:00Z'"),
        ),
        (
            "v1.0",
            "assignmentRequests?$filter=createdDateTime lt 2026-01-01T00:00:00Z",
            "InvalidFilter",
            Some("Filter 'createdDateTime LessThan "),
        ),
        (
            "v1.0",
            "assignmentRequests?$filter=completedDateTime gt 2026-01-01T00:00:00Z",
            "InvalidFilter",
            Some("Filter 'completedDateTime GreaterThan "),
        ),
        (
            "beta",
            "accessPackageAssignmentRequests?$filter=completedDate gt 2026-01-01T00:00:00Z",
            "InvalidFilter",
            Some("Filter 'completedDate GreaterThan "),
        ),
        (
            "beta",
            "accessPackageAssignmentRequests?$filter=requestStatus eq 'WaitingForCallback'",
            "InvalidFilter",
            Some("Filter 'requestStatus Equals "),
        ),
        (
            "beta",
            "assignmentRequests?$filter=requestState eq 'Delivered'",
            "InvalidFilter",
            Some("Filter 'requestState Equals "),
        ),
        (
            "v1.0",
            "assignmentRequests?$expand=accessPackage($expand=catalog)",
            "InvalidFilter",
            Some("Expand 'accessPackage($expand=catalog)'"),
        ),
        (
            "v1.0",
            "accessPackages?$expand=catalog",
            "InvalidFilter",
            Some("Expand 'catalog'"),
        ),
        (
            "v1.0",
            "assignments?$expand=assignmentPolicy",
            "InvalidFilter",
            Some("Expand 'assignmentPolicy'"),
        ),
        (
            "beta",
            "accessPackageAssignmentPolicies?$filter=accessPackageId eq '00000000-0000-4000-8000-000000000000'",
            "InvalidFilter",
            Some("Filter 'accessPackageId Equals "),
        ),
        (
            "beta",
            "accessPackageAssignments?$filter=catalogId eq '00000000-0000-4000-8000-000000000000'",
            "InvalidFilter",
            Some("Filter 'catalogId Equals "),
        ),
        // Beta assignmentState takes only the documented values Delivering, Delivered, Expired.
        (
            "beta",
            "accessPackageAssignments?$filter=assignmentState eq 'PartiallyDelivered'",
            "InvalidFilter",
            Some("Filter 'assignmentState Equals PartiallyDelivered'"),
        ),
        (
            "beta",
            "accessPackageAssignments?$filter=assignmentState eq 'DeliveryFailed'",
            "InvalidFilter",
            Some("Filter 'assignmentState Equals DeliveryFailed'"),
        ),
        (
            "beta",
            "accessPackageAssignments?$filter=accessPackage/id eq '00000000-0000-4000-8000-000000000000' and assignmentState eq 'Bogus'",
            "InvalidFilter",
            Some("Filter 'assignmentState Equals Bogus'"),
        ),
        // A property the type does not have (docs-contrib issue 1679).
        (
            "v1.0",
            "assignments?$filter=assignmentState eq 'Delivered'",
            "BadRequest",
            None,
        ),
        (
            "v1.0",
            "assignmentRequests?$expand=approvals",
            "BadRequest",
            None,
        ),
        (
            "v1.0",
            "assignmentRequests?$top=5",
            "Request_UnsupportedQuery",
            None,
        ),
        (
            "v1.0",
            "assignmentRequests?$orderby=createdDateTime desc",
            "Request_UnsupportedQuery",
            None,
        ),
    ];
    for (v, query, code, named) in cases {
        let got = r.get(&admin, &r.em(v, query)).await;
        assert_refused(&format!("{v} {query}"), &got, code, *named);
    }
    // The exact message of the service's shape, for the case clients meet most.
    let (_, body, _) = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests?$filter=status eq 'WaitingForCallback'",
            ),
        )
        .await;
    assert_eq!(
        body["error"]["message"],
        "OData query is invalid: Filter 'status Equals WaitingForCallback' is not supported."
    );
}

#[tokio::test]
async fn the_policy_stage_lookup_works_the_documented_way_in_both_versions() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    // A request waiting for a callback: which extension, at which stage?
    let (waiting, _) = r
        .all(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests?$filter=state eq 'submitted'&$expand=accessPackage",
            ),
        )
        .await;
    let req = waiting
        .iter()
        .find(|i| i["status"] == "WaitingForCallback")
        .expect("a request waiting at assignmentRequestCreated");
    let extension_id = req["customExtensionCalloutInstances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "waitingForCallback")
        .unwrap()["customExtensionId"]
        .as_str()
        .unwrap()
        .to_string();
    let pkg = req["accessPackage"]["id"].as_str().unwrap();

    for (v, policies_nav, policy_path) in [
        ("v1.0", "assignmentPolicies", "assignmentPolicies"),
        (
            "beta",
            "accessPackageAssignmentPolicies",
            "accessPackageAssignmentPolicies",
        ),
    ] {
        let (status, package, _) = r
            .get(
                &admin,
                &r.em(v, &format!("accessPackages/{pkg}?$expand={policies_nav}")),
            )
            .await;
        assert_eq!(status, 200, "{v}: {package}");
        let policies = package[policies_nav].as_array().unwrap();
        assert_eq!(policies.len(), 2, "{v}");
        let mut extension = None;
        for p in policies {
            let (status, policy, _) = r
                .get(
                    &admin,
                    &r.em(
                        v,
                        &format!(
                            "{policy_path}/{}?$expand=customExtensionStageSettings($expand=customExtension)",
                            p["id"].as_str().unwrap()
                        ),
                    ),
                )
                .await;
            assert_eq!(status, 200, "{v}: {policy}");
            for setting in policy["customExtensionStageSettings"].as_array().unwrap() {
                if setting["customExtension"]["id"] == extension_id.as_str() {
                    extension = Some(setting["customExtension"].clone());
                }
            }
        }
        let ext = extension.expect("the waiting extension is on one of the package's policies");
        assert_eq!(
            ext["@odata.type"],
            "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
        );
        let timeout = ext["callbackConfiguration"]["timeoutDuration"]
            .as_str()
            .unwrap();
        assert!(
            timeout.starts_with('P') && timeout.len() >= 3,
            "ISO 8601 duration: {timeout}"
        );
        assert_eq!(
            ext["callbackConfiguration"]["@odata.type"],
            "#microsoft.graph.customExtensionCallbackConfiguration"
        );
    }

    // The documented v1.0 filter on policies works; the beta accessPackageId filter does not.
    let (status, body, _) = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                &format!("assignmentPolicies?$filter=accessPackage/id eq '{pkg}'"),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let beta_filter = r.em(
        "beta",
        &format!("accessPackageAssignmentPolicies?$filter=accessPackageId eq '{pkg}'"),
    );
    let got = r.get(&admin, &beta_filter).await;
    assert_refused(
        "beta accessPackageId",
        &got,
        "InvalidFilter",
        Some("Filter 'accessPackageId Equals "),
    );
    // Nested expands under the package's policies are not documented.
    let got = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                &format!("accessPackages/{pkg}?$expand=assignmentPolicies($expand=customExtensionStageSettings)"),
            ),
        )
        .await;
    assert_refused(
        "nested under policies",
        &got,
        "InvalidFilter",
        Some("Expand 'assignmentPolicies("),
    );
    // Extended mode accepts the undocumented beta filter.
    r.control("settings", json!({ "querySupport": "extended" }))
        .await;
    let (status, body, _) = r.get(&admin, &beta_filter).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["value"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_mode_is_chosen_at_start_switched_at_run_time_and_reset_to_the_start_option() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let settings = fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await;
    assert_eq!(settings["querySupport"], "documented");
    assert_eq!(settings["refuseFilters"], json!([]));
    let url = r.em(
        "v1.0",
        "assignmentRequests?$filter=status eq 'WaitingForCallback' or requestor/objectId eq '00000000-0000-4000-8000-000000000000'",
    );
    assert_eq!(r.get(&admin, &url).await.0, 400);
    let changed = r
        .control("settings", json!({ "querySupport": "extended" }))
        .await;
    assert_eq!(changed["querySupport"], "extended");
    let (status, body, _) = r.get(&admin, &url).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "WaitingForCallback")
    );
    r.control("reset", json!({})).await;
    let settings = fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await;
    assert_eq!(settings["querySupport"], "documented");
    assert_eq!(r.get(&admin, &url).await.0, 400);

    let e = start(&["--query-support", "extended"]).await;
    let admin = e.token("admin@").await;
    let url = e.em(
        "v1.0",
        "assignmentRequests?$filter=status eq 'WaitingForCallback'",
    );
    assert_eq!(e.get(&admin, &url).await.0, 200);
    e.control("settings", json!({ "querySupport": "documented" }))
        .await;
    assert_eq!(e.get(&admin, &url).await.0, 400);
    e.control("reset", json!({})).await;
    let settings = fetch_json(&e.http, &format!("{}/sandbox/settings", e.base)).await;
    assert_eq!(settings["querySupport"], "extended");
    assert_eq!(e.get(&admin, &url).await.0, 200);
}

#[tokio::test]
async fn refuse_filters_refuses_one_documented_clause_until_cleared_or_reset() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let state = r.em("v1.0", "assignmentRequests?$filter=state eq 'delivered'");
    let beta_state = r.em(
        "beta",
        "accessPackageAssignmentRequests?$filter=requestState eq 'Delivered'",
    );
    let assignments = r.em("v1.0", "assignments?$filter=state eq 'delivered'");
    assert_eq!(r.get(&admin, &state).await.0, 200);
    let refuse = json!({ "refuseFilters": [
        { "version": "v1.0", "collection": "assignmentRequests", "property": "state" }
    ]});
    let changed = r.control("settings", refuse.clone()).await;
    assert_eq!(changed["refuseFilters"], refuse["refuseFilters"]);
    let got = r.get(&admin, &state).await;
    assert_refused(
        "refused state",
        &got,
        "InvalidFilter",
        Some("Filter 'state Equals delivered'"),
    );
    // Inside an and, and in extended mode too.
    let with_package = r.em(
        "v1.0",
        "assignmentRequests?$filter=createdDateTime gt 2000-01-01T00:00:00Z and state eq 'delivered'",
    );
    assert_eq!(r.get(&admin, &with_package).await.0, 400);
    // Other collections and versions are untouched.
    assert_eq!(r.get(&admin, &beta_state).await.0, 200);
    assert_eq!(r.get(&admin, &assignments).await.0, 200);
    // Cleared by an empty list.
    r.control("settings", json!({ "refuseFilters": [] })).await;
    assert_eq!(r.get(&admin, &state).await.0, 200);
    // Cleared by reset.
    r.control("settings", refuse).await;
    assert_eq!(r.get(&admin, &state).await.0, 400);
    r.control("reset", json!({})).await;
    assert_eq!(r.get(&admin, &state).await.0, 200);
    let settings = fetch_json(&r.http, &format!("{}/sandbox/settings", r.base)).await;
    assert_eq!(settings["refuseFilters"], json!([]));
    // A malformed item is refused by test control.
    let resp = r
        .http
        .post(format!("{}/sandbox/settings", r.base))
        .json(
            &json!({ "refuseFilters": [{ "version": "v2", "collection": "x", "property": "y" }] }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}
