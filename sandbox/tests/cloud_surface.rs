//! Contract: each cloud's own Graph surface, per version (shared/reference/graph-metadata.md,
//! from Microsoft's published CSDL). Beta outside the global cloud serves only the
//! `accessPackage…` collection names; v1.0 in US Government and China has no `justification`
//! on requests; `resume` exists only in the global cloud, in every version; the audit log
//! (`/auditLogs/directoryAudits`) exists in the global and US Government clouds, not in China
//! (the list page's national-cloud table, `api-reference/includes/global-us.md`).

mod common;

use common::*;
use serde_json::{Value, json};

const CLOUDS: [(&str, &str); 3] = [
    ("global", "https://graph.microsoft.com"),
    ("usgov", "https://graph.microsoft.us"),
    ("china", "https://microsoftgraph.chinacloudapi.cn"),
];

const RESUME_REQUEST: &str = "0e60f18c-b2a0-4887-9da8-da2e30a39d99";

fn resume_body() -> Value {
    json!({
        "source": "Contoso.SodCheckProcess",
        "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": "assignmentRequestCreated",
            "customExtensionStageInstanceId": "957d0c50-466b-4840-bb5b-c92cea7141ff",
        }
    })
}

fn assert_segment(status: u16, body: &Value, segment: &str, what: &str) {
    assert_eq!(status, 400, "{what}: {body}");
    assert_eq!(body["error"]["code"], "BadRequest", "{what}");
    assert_eq!(
        body["error"]["message"],
        format!("Resource not found for the segment '{segment}'."),
        "{what}"
    );
}

#[tokio::test]
async fn each_cloud_and_version_serves_its_own_collection_names() {
    for (cloud, graph) in CLOUDS {
        let r = start(&["--cloud", cloud]).await;
        let token = r.token_for("admin@", graph).await;
        let national = cloud != "global";
        let cases: &[(&str, &str, bool)] = &[
            ("v1.0", "assignmentRequests", true),
            ("v1.0", "assignments", true),
            ("v1.0", "accessPackages", true),
            ("v1.0", "catalogs", true),
            ("v1.0", "assignmentPolicies", true),
            ("v1.0", "accessPackageAssignmentRequests", false),
            ("v1.0", "accessPackageCatalogs", false),
            ("beta", "accessPackages", true),
            ("beta", "accessPackageAssignmentPolicies", true),
            ("beta", "accessPackageAssignmentRequests", true),
            ("beta", "accessPackageAssignments", true),
            ("beta", "accessPackageCatalogs", true),
            ("beta", "assignmentRequests", !national),
            ("beta", "assignments", false),
            ("beta", "catalogs", false),
            ("beta", "assignmentPolicies", false),
        ];
        for (version, collection, served) in cases {
            let what = format!("{cloud} {version} {collection}");
            let (status, body, _) = r.get(&token, &r.em(version, collection)).await;
            if *served {
                assert_eq!(status, 200, "{what}: {body}");
                assert!(body["value"].is_array(), "{what}");
            } else {
                assert_segment(status, &body, collection, &what);
            }
        }
        // Reads by id and actions under a name the cloud does not serve are refused too.
        if national {
            let (status, body, _) = r
                .get(
                    &token,
                    &r.em("beta", &format!("assignmentRequests/{RESUME_REQUEST}")),
                )
                .await;
            assert_segment(status, &body, "assignmentRequests", cloud);
            let (status, body, _) = r
                .post(
                    &token,
                    &r.em(
                        "beta",
                        "assignmentRequests/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b/reprocess",
                    ),
                    None,
                )
                .await;
            assert_segment(status, &body, "assignmentRequests", cloud);
        }
    }
}

#[tokio::test]
async fn v1_requests_have_no_justification_in_us_government_and_china() {
    for (cloud, graph) in CLOUDS {
        let r = start(&["--cloud", cloud]).await;
        let token = r.token_for("admin@", graph).await;
        let has = cloud == "global";
        // v1.0: present only in the global cloud, in lists and reads by id.
        let (status, list, _) = r.get(&token, &r.em("v1.0", "assignmentRequests")).await;
        assert_eq!(status, 200, "{list}");
        let first = &list["value"][0];
        assert_eq!(
            first.get("justification").is_some(),
            has,
            "{cloud}: {first}"
        );
        let (_, one, _) = r
            .get(
                &token,
                &r.em("v1.0", &format!("assignmentRequests/{RESUME_REQUEST}")),
            )
            .await;
        assert_eq!(one.get("justification").is_some(), has, "{cloud}: {one}");
        // $select and $filter on it: an unknown property where the type lacks it.
        let (status, body, _) = r
            .get(
                &token,
                &r.em("v1.0", "assignmentRequests?$select=id,justification"),
            )
            .await;
        let unknown = "Could not find a property named 'justification' on type 'microsoft.graph.accessPackageAssignmentRequest'.";
        if has {
            assert_eq!(status, 200, "{body}");
            assert!(body["value"][0]["justification"].is_string());
        } else {
            assert_eq!(status, 400, "{cloud}: {body}");
            assert_eq!(body["error"]["code"], "BadRequest");
            assert_eq!(body["error"]["message"], unknown);
        }
        for mode in ["documented", "extended"] {
            r.control("settings", json!({ "querySupport": mode })).await;
            let (status, body, _) = r
                .get(
                    &token,
                    &r.em("v1.0", "assignmentRequests?$filter=justification eq 'x'"),
                )
                .await;
            assert_eq!(status, 400, "{cloud} {mode}: {body}");
            if has {
                // Global: the property exists, filtering on it is not documented.
                let want = if mode == "documented" {
                    "InvalidFilter"
                } else {
                    "Request_UnsupportedQuery"
                };
                assert_eq!(body["error"]["code"], want, "{cloud} {mode}");
            } else {
                assert_eq!(body["error"]["code"], "BadRequest", "{cloud} {mode}");
                assert_eq!(body["error"]["message"], unknown, "{cloud} {mode}");
            }
        }
        r.control("settings", json!({ "querySupport": "documented" }))
            .await;
        // Beta has it in every cloud (beta-USNat CSDL), under the name each cloud serves.
        let (status, beta, _) = r
            .get(
                &token,
                &r.em(
                    "beta",
                    "accessPackageAssignmentRequests?$select=id,justification",
                ),
            )
            .await;
        assert_eq!(status, 200, "{cloud}: {beta}");
        assert!(beta["value"][0]["justification"].is_string(), "{cloud}");
    }
}

#[tokio::test]
async fn resume_exists_only_in_the_global_cloud_in_every_version() {
    for (cloud, graph) in CLOUDS {
        for (version, collection) in [
            ("v1.0", "assignmentRequests"),
            ("beta", "accessPackageAssignmentRequests"),
        ] {
            let r = start(&["--cloud", cloud]).await;
            let token = r.token_for("admin@", graph).await;
            let (status, body, _) = r
                .post(
                    &token,
                    &r.em(version, &format!("{collection}/{RESUME_REQUEST}/resume")),
                    Some(resume_body()),
                )
                .await;
            let what = format!("{cloud} {version}");
            if cloud == "global" {
                assert_eq!(status, 204, "{what}: {body}");
            } else {
                assert_segment(status, &body, "resume", &what);
            }
            // Reprocess exists in every cloud and version.
            let reprocess = format!("{collection}/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b/reprocess");
            let (status, body, _) = r.post(&token, &r.em(version, &reprocess), None).await;
            assert_eq!(status, 202, "{what}: {body}");
        }
    }
}

#[tokio::test]
async fn the_audit_log_is_served_in_the_global_and_us_government_clouds_not_in_china() {
    for (cloud, graph) in CLOUDS {
        let r = start(&["--cloud", cloud]).await;
        let token = r.audit_token("admin@", graph).await;
        for version in ["v1.0", "beta"] {
            let what = format!("{cloud} {version}");
            let list = r.audit(version, "?$top=2");
            let (status, body, _) = r.get(&token, &list).await;
            if cloud == "china" {
                assert_segment(status, &body, "auditLogs", &what);
                // A read by id, and the refusal comes before any permission check.
                let (status, body, _) = r
                    .get(
                        &token,
                        &r.audit(version, "/00000000-0000-4000-8000-000000000000"),
                    )
                    .await;
                assert_segment(status, &body, "auditLogs", &what);
                let plain = r.token_for("admin@", graph).await;
                let (status, body, _) = r.get(&plain, &list).await;
                assert_segment(status, &body, "auditLogs", &what);
            } else {
                assert_eq!(status, 200, "{what}: {body}");
                assert_eq!(body["value"].as_array().unwrap().len(), 2, "{what}");
            }
        }
    }
}
