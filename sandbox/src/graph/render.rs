//! Entities as JSON, in each Graph version's own shape: v1.0 `state`/`status` with a
//! camelCase enum, beta `requestState`/`requestStatus` PascalCase strings, `completedDate`,
//! `accessPackageAssignment`, and so on (shared/reference/graph-schema).

use serde_json::{Map, Value, json};

use crate::clock::iso;
use crate::cloud::Cloud;
use crate::data::{Assignment, Callout, Data, Extension, Package, Policy, Request, Subject};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V1,
    Beta,
}

impl Version {
    pub fn path(self) -> &'static str {
        match self {
            Version::V1 => "v1.0",
            Version::Beta => "beta",
        }
    }
}

/// `deliveryFailed` → `DeliveryFailed`.
pub fn pascal(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn opt_time(t: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    t.map(|t| json!(iso(t))).unwrap_or(Value::Null)
}

fn callouts(d: &Data, list: &[Callout]) -> Value {
    Value::Array(
        list.iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "customExtensionId": d.extensions[c.extension].id,
                    "detail": c.detail,
                    "externalCorrelationId": c.correlation_id,
                    "status": c.status.name(),
                })
            })
            .collect(),
    )
}

fn schedule(
    start: chrono::DateTime<chrono::Utc>,
    end: Option<chrono::DateTime<chrono::Utc>>,
) -> Value {
    json!({
        "startDateTime": iso(start),
        "recurrence": null,
        "expiration": match end {
            Some(e) => json!({ "endDateTime": iso(e), "duration": null, "type": "afterDateTime" }),
            None => json!({ "endDateTime": null, "duration": null, "type": "noExpiration" }),
        },
    })
}

pub fn subject(v: Version, s: &Subject) -> Value {
    let mut o = json!({
        "id": s.id,
        "displayName": s.display_name,
        "email": s.email,
        "principalName": s.principal_name,
        "objectId": s.object_id,
        "onPremisesSecurityIdentifier": null,
    });
    match v {
        Version::V1 => {
            o["subjectType"] = json!("user");
        }
        Version::Beta => {
            o["type"] = json!("User");
            o["altSecId"] = Value::Null;
            o["connectedOrganizationId"] = Value::Null;
        }
    }
    o
}

/// A catalog; `nested` may name `accessPackages`.
pub fn catalog(v: Version, d: &Data, ci: usize, nested: &[String]) -> Value {
    let c = &d.catalogs[ci];
    let mut o = json!({
        "id": c.id,
        "displayName": c.display_name,
        "description": c.description,
        "isExternallyVisible": false,
        "createdDateTime": iso(c.created),
        "modifiedDateTime": iso(c.created),
    });
    match v {
        Version::V1 => {
            o["catalogType"] = json!("userManaged");
            o["state"] = json!("published");
        }
        Version::Beta => {
            o["catalogType"] = json!("UserManaged");
            o["catalogStatus"] = json!("Published");
            o["createdBy"] = json!("admin");
            o["modifiedBy"] = json!("admin");
        }
    }
    if nested.iter().any(|n| n == "accessPackages") {
        o["accessPackages"] = Value::Array(
            d.packages
                .iter()
                .filter(|p| p.catalog == ci)
                .map(|p| package(v, d, p, &[]))
                .collect(),
        );
    }
    o
}

pub fn package(v: Version, d: &Data, p: &Package, nested: &[String]) -> Value {
    let mut o = json!({
        "id": p.id,
        "displayName": p.display_name,
        "description": p.description,
        "isHidden": p.hidden,
        "createdDateTime": iso(p.created),
        "modifiedDateTime": iso(p.created),
    });
    if v == Version::Beta {
        o["catalogId"] = json!(d.catalogs[p.catalog].id);
        o["createdBy"] = json!("admin");
        o["modifiedBy"] = json!("admin");
        o["isRoleScopesVisible"] = json!(false);
    }
    let package_index = d
        .packages
        .iter()
        .position(|x| x.id == p.id)
        .expect("a package of the tenant");
    for n in nested {
        if n == catalog_nav(v) {
            o[n.as_str()] = catalog(v, d, p.catalog, &[]);
        } else if n == policies_nav(v) {
            o[n.as_str()] = Value::Array(
                d.policies
                    .iter()
                    .filter(|pol| pol.package == package_index)
                    .map(|pol| policy(v, d, pol, &[]))
                    .collect(),
            );
        }
    }
    o
}

/// The package's navigation property to its assignment policies in each version.
pub fn policies_nav(v: Version) -> &'static str {
    match v {
        Version::V1 => "assignmentPolicies",
        Version::Beta => "accessPackageAssignmentPolicies",
    }
}

/// A custom extension as the schema gives it (`accessPackageAssignmentRequestWorkflowExtension`,
/// with `callbackConfiguration.timeoutDuration` for an extension that waits for a callback).
pub fn extension(e: &Extension) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension",
        "id": e.id,
        "displayName": e.display_name,
        "description": e.description,
        "createdBy": e.created_by,
        "createdDateTime": iso(e.created),
        "lastModifiedBy": e.created_by,
        "lastModifiedDateTime": iso(e.created),
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            "subscriptionId": e.subscription_id,
            "resourceGroupName": "entra-sandbox",
            "logicAppWorkflowName": e.workflow_name,
            "url": format!("https://prod-00.westeurope.logic.azure.invalid/workflows/{}/triggers/manual/paths/invoke?api-version=2016-10-01", e.workflow_name),
        },
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication",
        },
        "clientConfiguration": null,
        "callbackConfiguration": match &e.timeout {
            Some(t) => json!({
                "@odata.type": "#microsoft.graph.customExtensionCallbackConfiguration",
                "timeoutDuration": t,
            }),
            None => Value::Null,
        },
    })
}

/// The package's navigation property to its catalog in each version.
pub fn catalog_nav(v: Version) -> &'static str {
    match v {
        Version::V1 => "catalog",
        Version::Beta => "accessPackageCatalog",
    }
}

/// A policy; `expand` items may be `customExtensionStageSettings` (with the nested
/// `customExtension`), `accessPackage` and the catalog.
pub fn policy(v: Version, d: &Data, p: &Policy, expand: &[(String, Vec<String>)]) -> Value {
    let pkg = &d.packages[p.package];
    let mut o = json!({
        "id": p.id,
        "displayName": p.display_name,
        "description": p.description,
        "createdDateTime": iso(p.created),
        "modifiedDateTime": iso(p.created),
    });
    match v {
        Version::V1 => {
            o["allowedTargetScope"] = json!("allMemberUsers");
            // Only for allowedTargetScope specificDirectoryUsers; empty otherwise, as in the
            // v1.0 get page's example.
            o["specificAllowedTargets"] = json!([]);
            o["expiration"] =
                json!({ "endDateTime": null, "duration": "P365D", "type": "afterDuration" });
            o["requestorSettings"] = json!({
                "enableTargetsToSelfAddAccess": p.requires_approval,
                "enableTargetsToSelfUpdateAccess": false,
                "enableTargetsToSelfRemoveAccess": p.requires_approval,
                "allowCustomAssignmentSchedule": false,
                "enableOnBehalfRequestorsToAddAccess": false,
                "enableOnBehalfRequestorsToUpdateAccess": false,
                "enableOnBehalfRequestorsToRemoveAccess": false,
            });
            o["requestApprovalSettings"] = json!({
                "isApprovalRequiredForAdd": p.requires_approval,
                "isApprovalRequiredForUpdate": false,
                "stages": [],
            });
        }
        Version::Beta => {
            o["accessPackageId"] = json!(pkg.id);
            o["canExtend"] = json!(false);
            o["durationInDays"] = json!(365);
            o["expirationDateTime"] = Value::Null;
            o["createdBy"] = json!("admin");
            o["modifiedBy"] = json!("admin");
            o["accessReviewSettings"] = Value::Null;
            // No seeded policy asks for verified credentials (beta-usnat.xml has the property).
            o["verifiableCredentialSettings"] = Value::Null;
            o["requestorSettings"] = json!({
                "scopeType": if p.requires_approval { "AllExistingDirectoryMemberUsers" } else { "NoSubjects" },
                "acceptRequests": p.requires_approval,
                "allowedRequestors": [],
            });
            o["requestApprovalSettings"] = json!({
                "isApprovalRequired": p.requires_approval,
                "isApprovalRequiredForExtension": false,
                "isRequestorJustificationRequired": false,
                "approvalMode": if p.requires_approval { "SingleStage" } else { "NoApproval" },
                "approvalStages": [],
            });
        }
    }
    for (e, nested) in expand {
        match e.as_str() {
            "customExtensionStageSettings" => {
                let with_extension = nested.iter().any(|n| n == "customExtension");
                o[e.as_str()] = Value::Array(
                    p.stage_settings
                        .iter()
                        .map(|s| {
                            let mut setting = json!({ "id": s.id, "stage": s.stage.name() });
                            if with_extension {
                                setting["customExtension"] = extension(&d.extensions[s.extension]);
                            }
                            setting
                        })
                        .collect(),
                )
            }
            "accessPackage" => o["accessPackage"] = package(v, d, pkg, &[]),
            "catalog" | "accessPackageCatalog" => {
                o[e.as_str()] = catalog(v, d, pkg.catalog, &[]);
            }
            _ => {}
        }
    }
    o
}

pub fn assignment(v: Version, d: &Data, a: &Assignment, expand: &[(String, Vec<String>)]) -> Value {
    let pkg = &d.packages[a.package];
    let mut o = json!({
        "id": a.id,
        "expiredDateTime": opt_time(a.expired),
        "schedule": schedule(a.schedule_start, a.schedule_end),
        "customExtensionCalloutInstances": callouts(d, &a.callouts),
    });
    match v {
        Version::V1 => {
            o["state"] = json!(a.state.v1());
            o["status"] = json!(a.status);
        }
        Version::Beta => {
            o["assignmentState"] = json!(pascal(a.state.v1()));
            o["assignmentStatus"] = json!(a.status);
            o["accessPackageId"] = json!(pkg.id);
            o["assignmentPolicyId"] = json!(d.policies[a.policy].id);
            o["catalogId"] = json!(d.catalogs[pkg.catalog].id);
            o["targetId"] = json!(d.subjects[a.target].id);
            o["isExtended"] = json!(false);
        }
    }
    for (name, nested) in expand {
        match name.as_str() {
            "accessPackage" => o["accessPackage"] = package(v, d, pkg, nested),
            "target" => o["target"] = subject(v, &d.subjects[a.target]),
            "assignmentPolicy" | "accessPackageAssignmentPolicy" => {
                // One nested level (extended mode): stage settings come with their extension.
                let inner: Vec<(String, Vec<String>)> = nested
                    .iter()
                    .filter(|n| *n != "customExtension")
                    .map(|n| (n.clone(), vec!["customExtension".to_string()]))
                    .collect();
                o[name.as_str()] = policy(v, d, &d.policies[a.policy], &inner)
            }
            _ => {}
        }
    }
    o
}

/// A request in `v` as `cloud` serves it (v1.0 in US Government and China has no
/// `justification`).
pub fn request(
    v: Version,
    cloud: Cloud,
    d: &Data,
    r: &Request,
    expand: &[(String, Vec<String>)],
) -> Value {
    let answers: Vec<Value> = r
        .answers
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "@odata.type": "#microsoft.graph.accessPackageAnswerString",
                "value": a.value,
                "displayValue": a.value,
                "answeredQuestion": {
                    "@odata.type": "#microsoft.graph.accessPackageTextInputQuestion",
                    "id": format!("q{i}"),
                    "isRequired": true,
                    "sequence": i,
                    "text": a.question,
                },
            })
        })
        .collect();
    let mut o = json!({
        "id": r.id,
        "createdDateTime": iso(r.created),
        "justification": r.justification,
        "answers": answers,
        "schedule": schedule(r.schedule_start, r.schedule_end),
        "customExtensionCalloutInstances": callouts(d, &r.callouts),
    });
    if !crate::cloud::request_has_justification(cloud, v == Version::Beta)
        && let Value::Object(map) = &mut o
    {
        map.remove("justification");
    }
    match v {
        Version::V1 => {
            o["requestType"] = json!(r.request_type);
            o["state"] = json!(r.state.v1());
            o["status"] = json!(r.status);
            o["completedDateTime"] = opt_time(r.completed);
        }
        Version::Beta => {
            o["requestType"] = json!(pascal(r.request_type));
            o["requestState"] = json!(pascal(r.state.v1()));
            o["requestStatus"] = json!(r.status);
            o["completedDate"] = opt_time(r.completed);
            o["expirationDateTime"] = Value::Null;
            o["isValidationOnly"] = json!(false);
            o["customExtensionHandlerInstances"] = json!([]);
        }
    }
    for (name, nested) in expand {
        match name.as_str() {
            "accessPackage" => o["accessPackage"] = package(v, d, &d.packages[r.package], nested),
            "requestor" => {
                let mut who = subject(v, &d.subjects[r.requestor]);
                if nested.iter().any(|n| n == "connectedOrganization") {
                    // Members of the tenant belong to no connected organization.
                    who["connectedOrganization"] = Value::Null;
                }
                o["requestor"] = who;
            }
            "assignment" | "accessPackageAssignment" => {
                // `assignment($expand=target)`: the assignment with its own expansions.
                let inner: Vec<(String, Vec<String>)> =
                    nested.iter().map(|n| (n.clone(), Vec::new())).collect();
                o[name.as_str()] = match r.assignment {
                    Some(a) => assignment(v, d, &d.assignments[a], &inner),
                    None => Value::Null,
                }
            }
            _ => {}
        }
    }
    o
}

/// Keeps only the `$select`ed properties (and `id`, and anything expanded).
pub fn select(
    mut o: Value,
    select: Option<&[String]>,
    expanded: &[(String, Vec<String>)],
) -> Value {
    let Some(fields) = select else { return o };
    if let Value::Object(map) = &mut o {
        let keep: Map<String, Value> = std::mem::take(map)
            .into_iter()
            .filter(|(k, _)| {
                k == "id"
                    || k.starts_with('@')
                    || fields.iter().any(|f| f == k)
                    || expanded.iter().any(|(e, _)| e == k)
            })
            .collect();
        *map = keep;
    }
    o
}
