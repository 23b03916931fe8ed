//! Contract: the nested query forms Microsoft documents — `$select` inside `$expand` on every
//! read that takes `$expand` (concepts/query-parameters.md, `children($select=id,name)`), the
//! documented nested `$expand`s of single requests, beta's two names of a request's
//! assignment, and beta's optional `$` prefix — accepted and shaped as asked; everything
//! next to them still refused the way a top-level query is refused.

mod common;

use common::*;
use serde_json::{Value, json};

fn keys(o: &Value) -> Vec<String> {
    let mut k: Vec<String> = o
        .as_object()
        .unwrap_or_else(|| panic!("an object: {o}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// Every object under `name` in `o` (an object, or each object of a collection).
fn expanded<'a>(o: &'a Value, name: &str) -> Vec<&'a Value> {
    match &o[name] {
        Value::Array(a) => a.iter().collect(),
        v @ Value::Object(_) => vec![v],
        _ => Vec::new(),
    }
}

/// The expanded objects under `name` carry exactly `id` and `want` (and the annotations).
fn assert_only(what: &str, objects: &[&Value], want: &[&str]) {
    assert!(!objects.is_empty(), "{what}: nothing expanded");
    for o in objects {
        let mut expect: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        expect.push("id".into());
        expect.sort();
        expect.dedup();
        let got: Vec<String> = keys(o)
            .into_iter()
            .filter(|k| !k.starts_with('@'))
            .collect();
        assert_eq!(got, expect, "{what}: {o}");
    }
}

fn assert_error(
    what: &str,
    (status, body, _): &(u16, Value, reqwest::header::HeaderMap),
    code: &str,
) {
    assert_eq!(*status, 400, "{what}: {body}");
    assert_eq!(body["error"]["code"], code, "{what}: {body}");
    for k in ["date", "request-id", "client-request-id"] {
        assert!(body["error"]["innerError"][k].is_string(), "{what}: {body}");
    }
}

/// The id of the first item of a list.
async fn first_id(r: &Running, token: &str, version: &str, collection: &str) -> String {
    let (status, body, _) = r.get(token, &r.em(version, collection)).await;
    assert_eq!(status, 200, "{body}");
    body["value"][0]["id"].as_str().unwrap().to_string()
}

/// A policy that runs custom extensions at some stage, in `version` on `collection`.
async fn policy_with_stages(r: &Running, token: &str, version: &str, collection: &str) -> String {
    let (items, _) = r
        .all(token, &r.em(version, &format!("{collection}?$select=id")))
        .await;
    for item in items {
        let id = item["id"].as_str().unwrap();
        let (_, body, _) = r
            .get(
                token,
                &r.em(
                    version,
                    &format!("{collection}/{id}?$expand=customExtensionStageSettings"),
                ),
            )
            .await;
        if body["customExtensionStageSettings"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            return id.to_string();
        }
    }
    panic!("a policy with custom extension stages on {version} {collection}")
}

/// A request that has an assignment, in `version` on `collection`.
async fn request_with_assignment(
    r: &Running,
    token: &str,
    version: &str,
    collection: &str,
    nav: &str,
) -> String {
    let (items, _) = r
        .all(
            token,
            &r.em(version, &format!("{collection}?$expand={nav}&$select=id")),
        )
        .await;
    items
        .iter()
        .find(|i| i[nav].is_object())
        .unwrap_or_else(|| panic!("a request with an assignment on {version} {collection}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// For each expanded name, the properties it keeps.
type Kept<'a> = Vec<(&'a str, Vec<&'a str>)>;

#[tokio::test]
async fn select_inside_expand_keeps_only_the_selected_properties_on_every_read_that_expands() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let v1_request =
        request_with_assignment(&r, &admin, "v1.0", "assignmentRequests", "assignment").await;
    let beta_request = request_with_assignment(
        &r,
        &admin,
        "beta",
        "accessPackageAssignmentRequests",
        "accessPackageAssignment",
    )
    .await;
    let v1_assignment = first_id(&r, &admin, "v1.0", "assignments").await;
    let v1_package = first_id(&r, &admin, "v1.0", "accessPackages").await;
    let beta_package = first_id(&r, &admin, "beta", "accessPackages").await;
    let v1_catalog = first_id(&r, &admin, "v1.0", "catalogs").await;
    let beta_catalog = first_id(&r, &admin, "beta", "accessPackageCatalogs").await;
    let v1_policy = policy_with_stages(&r, &admin, "v1.0", "assignmentPolicies").await;
    let beta_policy =
        policy_with_stages(&r, &admin, "beta", "accessPackageAssignmentPolicies").await;

    // (version, path, $expand, [(expanded name, properties kept)])
    let cases: Vec<(&str, String, &str, Kept)> = vec![
        (
            "v1.0",
            "assignmentRequests".into(),
            "accessPackage($select=id,displayName),requestor($select=displayName,email)",
            vec![
                ("accessPackage", vec!["displayName"]),
                ("requestor", vec!["displayName", "email"]),
            ],
        ),
        (
            "v1.0",
            "assignmentRequests".into(),
            "assignment($select=state)",
            vec![("assignment", vec!["state"])],
        ),
        (
            "v1.0",
            format!("assignmentRequests/{v1_request}"),
            "accessPackage($select=displayName),requestor($select=email),assignment($select=state)",
            vec![
                ("accessPackage", vec!["displayName"]),
                ("requestor", vec!["email"]),
                ("assignment", vec!["state"]),
            ],
        ),
        (
            "v1.0",
            "assignments".into(),
            "target($select=displayName,objectId),accessPackage($select=displayName)",
            vec![
                ("target", vec!["displayName", "objectId"]),
                ("accessPackage", vec!["displayName"]),
            ],
        ),
        (
            "v1.0",
            format!("assignments/{v1_assignment}"),
            "assignmentPolicy($select=displayName),target($select=email)",
            vec![
                ("assignmentPolicy", vec!["displayName"]),
                ("target", vec!["email"]),
            ],
        ),
        (
            "v1.0",
            "accessPackages".into(),
            "assignmentPolicies($select=displayName)",
            vec![("assignmentPolicies", vec!["displayName"])],
        ),
        (
            "v1.0",
            format!("accessPackages/{v1_package}"),
            "assignmentPolicies($select=displayName,allowedTargetScope)",
            vec![(
                "assignmentPolicies",
                vec!["displayName", "allowedTargetScope"],
            )],
        ),
        (
            "v1.0",
            "catalogs".into(),
            "accessPackages($select=displayName)",
            vec![("accessPackages", vec!["displayName"])],
        ),
        (
            "v1.0",
            format!("catalogs/{v1_catalog}"),
            "accessPackages($select=isHidden)",
            vec![("accessPackages", vec!["isHidden"])],
        ),
        (
            "v1.0",
            format!("assignmentPolicies/{v1_policy}"),
            "accessPackage($select=displayName),customExtensionStageSettings($select=stage)",
            vec![
                ("accessPackage", vec!["displayName"]),
                ("customExtensionStageSettings", vec!["stage"]),
            ],
        ),
        (
            "beta",
            "assignmentRequests".into(),
            "accessPackage($select=id,displayName),requestor($select=displayName,email)",
            vec![
                ("accessPackage", vec!["displayName"]),
                ("requestor", vec!["displayName", "email"]),
            ],
        ),
        (
            "beta",
            "accessPackageAssignmentRequests".into(),
            "accessPackageAssignment($select=assignmentState),requestor($select=type)",
            vec![
                ("accessPackageAssignment", vec!["assignmentState"]),
                ("requestor", vec!["type"]),
            ],
        ),
        (
            "beta",
            format!("accessPackageAssignmentRequests/{beta_request}"),
            "accessPackage($select=catalogId),accessPackageAssignment($select=assignmentState)",
            vec![
                ("accessPackage", vec!["catalogId"]),
                ("accessPackageAssignment", vec!["assignmentState"]),
            ],
        ),
        (
            "beta",
            "accessPackageAssignments".into(),
            "target($select=displayName),accessPackage($select=catalogId)",
            vec![
                ("target", vec!["displayName"]),
                ("accessPackage", vec!["catalogId"]),
            ],
        ),
        (
            "beta",
            "accessPackages".into(),
            "accessPackageAssignmentPolicies($select=displayName)",
            vec![("accessPackageAssignmentPolicies", vec!["displayName"])],
        ),
        (
            "beta",
            format!("accessPackages/{beta_package}"),
            "accessPackageAssignmentPolicies($select=accessPackageId)",
            vec![("accessPackageAssignmentPolicies", vec!["accessPackageId"])],
        ),
        (
            "beta",
            "accessPackageCatalogs".into(),
            "accessPackages($select=displayName)",
            vec![("accessPackages", vec!["displayName"])],
        ),
        (
            "beta",
            format!("accessPackageCatalogs/{beta_catalog}"),
            "accessPackages($select=displayName)",
            vec![("accessPackages", vec!["displayName"])],
        ),
        (
            "beta",
            format!("accessPackageAssignmentPolicies/{beta_policy}"),
            "customExtensionStageSettings($select=stage)",
            vec![("customExtensionStageSettings", vec!["stage"])],
        ),
    ];
    for (version, path, expand, want) in &cases {
        let url = r.em(version, &format!("{path}?$expand={expand}"));
        let (status, body, _) = r.get(&admin, &url).await;
        assert_eq!(status, 200, "{version} {path} {expand}: {body}");
        let items: Vec<&Value> = match body["value"].as_array() {
            Some(a) => a.iter().collect(),
            None => vec![&body],
        };
        assert!(!items.is_empty(), "{version} {path}");
        for (name, props) in want {
            let objects: Vec<&Value> = items.iter().flat_map(|i| expanded(i, name)).collect();
            assert_only(&format!("{version} {path} {expand}"), &objects, props);
        }
        // The item itself keeps all its properties.
        assert!(
            items[0].as_object().unwrap().len() > want.len() + 2,
            "{}",
            items[0]
        );
    }
}

#[tokio::test]
async fn select_inside_a_nested_expand_and_next_to_a_top_level_select() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let v1_request =
        request_with_assignment(&r, &admin, "v1.0", "assignmentRequests", "assignment").await;
    // The v1.0 get page's own nested expand, with $select at both levels and at the top.
    let (status, body, _) = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                &format!(
                    "assignmentRequests/{v1_request}?$select=id,state&$expand=assignment($select=state;$expand=target($select=displayName,email))"
                ),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), ["@odata.context", "assignment", "id", "state"]);
    assert_eq!(keys(&body["assignment"]), ["id", "state", "target"]);
    assert_eq!(
        keys(&body["assignment"]["target"]),
        ["displayName", "email", "id"]
    );

    // Policies: the stage settings and, inside them, the custom extension.
    let v1_policy = policy_with_stages(&r, &admin, "v1.0", "assignmentPolicies").await;
    let beta_policy =
        policy_with_stages(&r, &admin, "beta", "accessPackageAssignmentPolicies").await;
    for (version, path) in [
        ("v1.0", format!("assignmentPolicies/{v1_policy}")),
        (
            "beta",
            format!("accessPackageAssignmentPolicies/{beta_policy}"),
        ),
    ] {
        let (status, body, _) = r
            .get(
                &admin,
                &r.em(
                    version,
                    &format!(
                        "{path}?$expand=customExtensionStageSettings($select=stage;$expand=customExtension($select=displayName,callbackConfiguration))"
                    ),
                ),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let settings = body["customExtensionStageSettings"].as_array().unwrap();
        assert!(!settings.is_empty());
        for s in settings {
            assert_eq!(keys(s), ["customExtension", "id", "stage"], "{s}");
            assert_eq!(
                keys(&s["customExtension"]),
                ["@odata.type", "callbackConfiguration", "displayName", "id"],
                "{s}"
            );
        }
    }

    // Beta legacy list: the documented nested expand with a $select beside it.
    let (status, body, _) = r
        .get(
            &admin,
            &r.em(
                "beta",
                "accessPackageAssignmentRequests?$expand=requestor($select=displayName;$expand=connectedOrganization)",
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        keys(&body["value"][0]["requestor"]),
        ["connectedOrganization", "displayName", "id"]
    );

    // The next link keeps the nested $select: page 2 has the same shape.
    r.control(
        "settings",
        json!({ "pageSizes": { "assignmentRequests": 5 } }),
    )
    .await;
    let first = r
        .em("v1.0", "assignmentRequests?$expand=accessPackage($select=displayName),requestor($select=email)&$select=state");
    let (_, page1, _) = r.get(&admin, &first).await;
    let next = page1["@odata.nextLink"]
        .as_str()
        .expect("a second page")
        .to_string();
    let (status, page2, _) = r.get(&admin, &next).await;
    assert_eq!(status, 200, "{page2}");
    for item in page2["value"].as_array().unwrap() {
        assert_eq!(keys(item), ["accessPackage", "id", "requestor", "state"]);
        assert_eq!(keys(&item["accessPackage"]), ["displayName", "id"]);
        assert_eq!(keys(&item["requestor"]), ["email", "id"]);
    }
}

#[tokio::test]
async fn the_documented_nested_expands_of_one_request_and_betas_assignment_names() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    // api-reference/v1.0/api/accesspackageassignmentrequest-get.md: `$expand=assignment($expand=target)`.
    let v1 = request_with_assignment(&r, &admin, "v1.0", "assignmentRequests", "assignment").await;
    let (status, body, _) = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                &format!("assignmentRequests/{v1}?$expand=assignment($expand=target)"),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["assignment"]["state"].is_string(), "{body}");
    assert!(
        body["assignment"]["target"]["objectId"].is_string(),
        "{body}"
    );
    assert!(
        body["assignment"]["target"]["subjectType"].is_string(),
        "{body}"
    );

    // api-reference/beta/api/accesspackageassignmentrequest-get.md:
    // `$expand=accessPackageAssignment($expand=target)`.
    let beta = request_with_assignment(
        &r,
        &admin,
        "beta",
        "accessPackageAssignmentRequests",
        "accessPackageAssignment",
    )
    .await;
    let (status, body, _) = r
        .get(
            &admin,
            &r.em(
                "beta",
                &format!("accessPackageAssignmentRequests/{beta}?$expand=accessPackageAssignment($expand=target)"),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["accessPackageAssignment"]["assignmentState"].is_string(),
        "{body}"
    );
    assert_eq!(
        body["accessPackageAssignment"]["target"]["type"], "User",
        "{body}"
    );

    // api-reference/beta/api/entitlementmanagement-list-assignmentrequests.md names it
    // `assignment`; the beta metadata `accessPackageAssignment`. Both, under the name asked.
    for nav in ["assignment", "accessPackageAssignment"] {
        let (items, _) = r
            .all(
                &admin,
                &r.em("beta", &format!("assignmentRequests?$expand={nav}")),
            )
            .await;
        assert!(items.iter().all(|i| i.get(nav).is_some()), "{nav}");
        assert!(
            items.iter().any(|i| i[nav]["assignmentState"].is_string()),
            "{nav}"
        );
    }

    // Next to them, still refused as before.
    let refused: &[(&str, &str, &str)] = &[
        // The v1.0 list page shows `$expand=assignment` only.
        (
            "v1.0",
            "assignmentRequests?$expand=assignment($expand=target)",
            "InvalidFilter",
        ),
        (
            "v1.0",
            "assignmentRequests/{v1}?$expand=accessPackage($expand=catalog)",
            "InvalidFilter",
        ),
        (
            "v1.0",
            "assignmentRequests/{v1}?$expand=assignment($expand=accessPackage)",
            "InvalidFilter",
        ),
        (
            "v1.0",
            "assignmentRequests/{v1}?$expand=assignment($expand=target($expand=connectedOrganization))",
            "InvalidFilter",
        ),
        (
            "beta",
            "accessPackageAssignmentRequests?$expand=accessPackageAssignment($expand=target)",
            "InvalidFilter",
        ),
        // `assignment` is beta's new path's name only.
        (
            "beta",
            "accessPackageAssignmentRequests?$expand=assignment",
            "BadRequest",
        ),
        (
            "beta",
            "assignmentRequests?$expand=assignment($expand=target)",
            "InvalidFilter",
        ),
        (
            "v1.0",
            "assignmentRequests?$expand=accessPackageAssignment",
            "BadRequest",
        ),
    ];
    for (version, query, code) in refused {
        let query = query.replace("{v1}", &v1);
        let got = r.get(&admin, &r.em(version, &query)).await;
        assert_error(&format!("{version} {query}"), &got, code);
        if *code == "InvalidFilter" {
            let msg = got.1["error"]["message"].as_str().unwrap();
            assert!(msg.starts_with("OData query is invalid: Expand '"), "{msg}");
        }
    }
}

#[tokio::test]
async fn an_unknown_property_inside_an_expand_is_refused_as_a_top_level_one_is() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let policy = first_id(&r, &admin, "v1.0", "assignmentPolicies").await;
    let cases: Vec<(&str, String, &str, Option<&str>)> = vec![
        (
            "v1.0",
            "assignmentRequests?$select=nope".into(),
            "BadRequest",
            Some(
                "Could not find a property named 'nope' on type 'microsoft.graph.accessPackageAssignmentRequest'.",
            ),
        ),
        (
            "v1.0",
            "assignmentRequests?$expand=accessPackage($select=nope)".into(),
            "BadRequest",
            Some("Could not find a property named 'nope' on type 'microsoft.graph.accessPackage'."),
        ),
        (
            "v1.0",
            "assignmentRequests?$expand=requestor($select=displayName,subjectKind)".into(),
            "BadRequest",
            Some(
                "Could not find a property named 'subjectKind' on type 'microsoft.graph.accessPackageSubject'.",
            ),
        ),
        // A navigation property is not a property, inside as at the top.
        (
            "v1.0",
            "assignmentRequests?$expand=accessPackage($select=catalog)".into(),
            "BadRequest",
            Some(
                "Could not find a property named 'catalog' on type 'microsoft.graph.accessPackage'.",
            ),
        ),
        // Properties of the other version are unknown.
        (
            "v1.0",
            "assignmentRequests?$expand=assignment($select=assignmentState)".into(),
            "BadRequest",
            Some(
                "Could not find a property named 'assignmentState' on type 'microsoft.graph.accessPackageAssignment'.",
            ),
        ),
        (
            "beta",
            "accessPackageAssignmentRequests?$expand=requestor($select=subjectType)".into(),
            "BadRequest",
            None,
        ),
        (
            "v1.0",
            format!(
                "assignmentPolicies/{policy}?$expand=customExtensionStageSettings($expand=customExtension($select=timeout))"
            ),
            "BadRequest",
            Some(
                "Could not find a property named 'timeout' on type 'microsoft.graph.customCalloutExtension'.",
            ),
        ),
        // Only $select and $expand go inside the parentheses.
        (
            "v1.0",
            "assignmentRequests?$expand=accessPackage($filter=displayName eq 'x')".into(),
            "BadRequest",
            Some(
                "Invalid $expand: only $select and $expand are supported inside accessPackage(…).",
            ),
        ),
        (
            "v1.0",
            "assignmentRequests?$expand=accessPackage($select=)".into(),
            "BadRequest",
            None,
        ),
        // An undocumented expand stays undocumented with a $select inside.
        (
            "v1.0",
            "accessPackages?$expand=catalog($select=displayName)".into(),
            "InvalidFilter",
            Some("OData query is invalid: Expand 'catalog($select=displayName)' is not supported."),
        ),
        (
            "v1.0",
            "assignmentRequests?$expand=approvals($select=id)".into(),
            "BadRequest",
            None,
        ),
    ];
    for (version, query, code, message) in &cases {
        let got = r.get(&admin, &r.em(version, query)).await;
        assert_error(&format!("{version} {query}"), &got, code);
        if let Some(m) = message {
            assert_eq!(got.1["error"]["message"], *m, "{version} {query}");
        }
    }
    // Extended mode takes $select inside its expands too, and checks it the same way.
    r.control("settings", json!({ "querySupport": "extended" }))
        .await;
    let (status, body, _) = r
        .get(&admin, &r.em("v1.0", "assignmentRequests?$expand=accessPackage($select=displayName;$expand=catalog($select=displayName))"))
        .await;
    assert_eq!(status, 200, "{body}");
    let item = &body["value"][0];
    assert_eq!(
        keys(&item["accessPackage"]),
        ["catalog", "displayName", "id"]
    );
    assert_eq!(
        keys(&item["accessPackage"]["catalog"]),
        ["displayName", "id"]
    );
    let got = r
        .get(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests?$expand=accessPackage($select=nope)",
            ),
        )
        .await;
    assert_error("extended", &got, "BadRequest");
}

#[tokio::test]
async fn on_beta_the_dollar_prefix_is_optional_and_v1_keeps_ignoring_options_without_it() {
    let r = start(&[]).await;
    let admin = r.token("admin@").await;
    let legacy = "accessPackageAssignmentRequests";
    let (with, _) = r
        .all(&admin, &r.em("beta", &format!("{legacy}?$filter=requestState eq 'Delivered'&$expand=requestor&$select=id,requestState")))
        .await;
    let (without, _) = r
        .all(&admin, &r.em("beta", &format!("{legacy}?filter=requestState eq 'Delivered'&expand=requestor&select=id,requestState")))
        .await;
    assert!(!with.is_empty());
    assert_eq!(with, without, "the same answer with and without `$`");
    assert!(
        without
            .iter()
            .all(|i| keys(i) == ["id", "requestState", "requestor"])
    );
    // Mixed forms, and inside the parentheses.
    let (status, body, _) = r
        .get(
            &admin,
            &r.em(
                "beta",
                &format!(
                    "{legacy}?$filter=requestState eq 'Delivered'&expand=requestor(select=email)"
                ),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body["value"][0]["requestor"]), ["email", "id"]);

    // Refused the same way as with `$`.
    let refused: &[(&str, &str)] = &[
        (
            "accessPackageAssignmentRequests?filter=requestStatus eq 'Delivered'",
            "InvalidFilter",
        ),
        (
            "accessPackageAssignmentRequests?expand=accessPackage(expand=accessPackageCatalog)",
            "InvalidFilter",
        ),
        ("accessPackageAssignmentRequests?select=nope", "BadRequest"),
        (
            "accessPackageAssignmentRequests?orderby=createdDateTime",
            "Request_UnsupportedQuery",
        ),
        (
            "accessPackageAssignmentRequests?top=5",
            "Request_UnsupportedQuery",
        ),
        // Given twice, in either form.
        (
            "accessPackageAssignmentRequests?filter=requestState eq 'Delivered'&$filter=requestState eq 'Denied'",
            "BadRequest",
        ),
    ];
    for (query, code) in refused {
        let got = r.get(&admin, &r.em("beta", query)).await;
        assert_error(query, &got, code);
    }
    let (_, body, _) = r
        .get(
            &admin,
            &r.em(
                "beta",
                "accessPackageCatalogs?select=id&$select=displayName",
            ),
        )
        .await;
    assert_eq!(
        body["error"]["message"],
        "Query option '$select' was specified more than once, but it must be specified at most once."
    );

    // The next link of a query without `$` pages on (its `$skiptoken` is not a second one).
    r.control(
        "settings",
        json!({ "pageSizes": { "accessPackageAssignmentRequests": 3 } }),
    )
    .await;
    let (paged, pages) = r
        .all(
            &admin,
            &r.em(
                "beta",
                &format!("{legacy}?filter=requestState eq 'Delivered'&select=id,requestState"),
            ),
        )
        .await;
    assert!(pages > 1);
    assert_eq!(paged.len(), with.len());
    assert!(paged.iter().all(|i| i["requestState"] == "Delivered"));

    // v1.0: query-parameters.md makes the prefix optional only for some APIs, and does not
    // name these among them, so options without `$` stay ordinary parameters.
    let (all, _) = r.all(&admin, &r.em("v1.0", "assignmentRequests")).await;
    let (ignored, _) = r
        .all(
            &admin,
            &r.em(
                "v1.0",
                "assignmentRequests?filter=state eq 'delivered'&select=id",
            ),
        )
        .await;
    assert_eq!(all, ignored);
}
