use super::*;
use GraphVersion::*;

fn id() -> Guid {
    Guid::parse("d82eb508-acc4-43cc-bcf1-7c1c4a2c073b").unwrap()
}

#[test]
fn paths_per_version() {
    let v1 = Endpoint::new("https://graph.microsoft.com/", V1, Cloud::Global);
    let beta = Endpoint::new("https://graph.microsoft.us", Beta, Cloud::Global);
    let em = "https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement";
    assert_eq!(
        v1.action(Action::ReprocessRequest, &id()),
        format!("{em}/assignmentRequests/{}/reprocess", id())
    );
    assert_eq!(
        v1.action(Action::ResumeRequest, &id()),
        format!("{em}/assignmentRequests/{}/resume", id())
    );
    assert_eq!(
        v1.action(Action::ReprocessAssignment, &id()),
        format!("{em}/assignments/{}/reprocess", id())
    );
    assert_eq!(
        beta.action(Action::ReprocessAssignment, &id()),
        format!(
            "https://graph.microsoft.us/beta/identityGovernance/entitlementManagement/accessPackageAssignments/{}/reprocess",
            id()
        )
    );
    assert_eq!(
        action_path(Action::ReprocessRequest, Beta, &id()),
        format!(
            "identityGovernance/entitlementManagement/assignmentRequests/{}/reprocess",
            id()
        )
    );
    assert_eq!(v1.batch(), "https://graph.microsoft.com/v1.0/$batch");
    assert_eq!(
        v1.item(Collection::Policies, &id()),
        format!(
            "{em}/assignmentPolicies/{}?$expand=customExtensionStageSettings($expand=customExtension)",
            id()
        )
    );
    assert_eq!(
        beta.item(Collection::Packages, &id()),
        format!(
            "https://graph.microsoft.us/beta/identityGovernance/entitlementManagement/accessPackages/{}?$expand=accessPackageAssignmentPolicies",
            id()
        )
    );
}

const ALL_COLLECTIONS: [Collection; 5] = [
    Collection::Requests,
    Collection::Assignments,
    Collection::Packages,
    Collection::Catalogs,
    Collection::Policies,
];

#[test]
fn every_url_of_each_collection_written_out() {
    let v1 = Endpoint::new("https://graph.microsoft.com", V1, Cloud::Global);
    let beta = Endpoint::new("https://graph.microsoft.com", Beta, Cloud::Global);
    let id = id();
    let em1 = "https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement";
    let emb = "https://graph.microsoft.com/beta/identityGovernance/entitlementManagement";
    use Collection::*;
    // First pages, unfiltered: the list $select, and the list $expand each list page
    // documents with what a row shows of it.
    let requests_expand = "$expand=accessPackage($select=id,displayName),\
                               requestor($select=displayName,email,principalName,objectId)";
    let assignments_expand = "$expand=target($select=displayName,email,principalName,objectId),\
                                  accessPackage($select=id,displayName)";
    for (endpoint, c, url) in [
        (
            &v1,
            Requests,
            format!(
                "{em1}/assignmentRequests?$select=id,requestType,state,status,createdDateTime,\
                     completedDateTime,justification&{requests_expand}"
            ),
        ),
        (
            &beta,
            Requests,
            format!("{emb}/assignmentRequests?{requests_expand}"),
        ),
        (
            &v1,
            Assignments,
            format!(
                "{em1}/assignments?$select=id,state,status,expiredDateTime,schedule&{assignments_expand}"
            ),
        ),
        (
            &beta,
            Assignments,
            format!(
                "{emb}/accessPackageAssignments?$select=id,assignmentState,assignmentStatus,\
                     expiredDateTime,schedule&{assignments_expand}"
            ),
        ),
        (
            &v1,
            Packages,
            format!("{em1}/accessPackages?$expand=assignmentPolicies"),
        ),
        (
            &beta,
            Packages,
            format!("{emb}/accessPackages?$expand=accessPackageAssignmentPolicies"),
        ),
        (
            &v1,
            Catalogs,
            format!(
                "{em1}/catalogs?$select=id,displayName&$expand=accessPackages($select=id,displayName)"
            ),
        ),
        (
            &beta,
            Catalogs,
            format!(
                "{emb}/accessPackageCatalogs?$select=id,displayName&$expand=accessPackages($select=id,displayName)"
            ),
        ),
        (&v1, Policies, format!("{em1}/assignmentPolicies")),
        (
            &beta,
            Policies,
            format!("{emb}/accessPackageAssignmentPolicies"),
        ),
    ] {
        assert_eq!(
            endpoint.list(c, &[], Extras::default()),
            url,
            "{c:?} {:?}",
            endpoint.version
        );
    }
    // One item, with the get page's $expand.
    for (endpoint, c, url) in [
        (
            &v1,
            Requests,
            format!("{em1}/assignmentRequests/{id}?$expand=accessPackage,requestor,assignment"),
        ),
        (
            &beta,
            Requests,
            format!("{emb}/assignmentRequests/{id}?$expand=accessPackage,requestor"),
        ),
        (
            &v1,
            Assignments,
            format!("{em1}/assignments/{id}?$expand=target,accessPackage,assignmentPolicy"),
        ),
        (
            &beta,
            Assignments,
            format!("{emb}/accessPackageAssignments/{id}?$expand=target,accessPackage"),
        ),
        (
            &v1,
            Catalogs,
            format!("{em1}/catalogs/{id}?$expand=accessPackages"),
        ),
        (
            &beta,
            Policies,
            format!(
                "{emb}/accessPackageAssignmentPolicies/{id}?$expand=customExtensionStageSettings($expand=customExtension)"
            ),
        ),
    ] {
        assert_eq!(endpoint.item(c, &id), url, "{c:?} {:?}", endpoint.version);
    }
    // What following or reconciling an action reads: the item alone, no $expand.
    assert_eq!(
        v1.item_state(Requests, &id),
        format!("{em1}/assignmentRequests/{id}")
    );
    assert_eq!(
        beta.item_state(Assignments, &id),
        format!("{emb}/accessPackageAssignments/{id}")
    );
    // And as a $batch item's url takes it, under the version root.
    assert_eq!(
        item_path(Requests, V1, &id),
        format!("identityGovernance/entitlementManagement/assignmentRequests/{id}")
    );
    assert_eq!(
        item_path(Assignments, Beta, &id),
        format!("identityGovernance/entitlementManagement/accessPackageAssignments/{id}")
    );
    assert_eq!(Collection::package_policies(V1), "assignmentPolicies");
    assert_eq!(
        Collection::package_policies(Beta),
        "accessPackageAssignmentPolicies"
    );
}

#[test]
fn a_request_list_selects_justification_where_the_cloud_has_it_and_extras_when_asked() {
    const ALL: Extras = Extras {
        callouts: true,
        schedule: true,
    };
    let select = |v, cloud, extras| Collection::Requests.list_select(v, cloud, extras).unwrap();
    // graph-metadata.md: v1.0 of Fairfax and Mooncake has no justification; beta has.
    for cloud in [Cloud::UsGovL4, Cloud::UsGovL5Dod, Cloud::China] {
        assert_eq!(
            select(V1, cloud, Extras::default()),
            "id,requestType,state,status,createdDateTime,completedDateTime"
        );
        // Beta's state names are in doubt: its requests are read whole.
        assert_eq!(Collection::Requests.list_select(Beta, cloud, ALL), None);
    }
    assert_eq!(
        select(V1, Cloud::Global, ALL),
        "id,requestType,state,status,createdDateTime,completedDateTime,justification,\
             schedule,customExtensionCalloutInstances"
    );
    let callouts = Extras {
        callouts: true,
        schedule: false,
    };
    assert!(
        select(V1, Cloud::China, callouts)
            .ends_with(",completedDateTime,customExtensionCalloutInstances")
    );
    // An assignment is read whole whatever the extras.
    assert_eq!(
        Collection::Assignments.list_select(V1, Cloud::Global, ALL),
        Collection::Assignments.list_select(V1, Cloud::Global, Extras::default())
    );
}

#[test]
fn the_tally_reads_what_it_counts_by_and_no_names() {
    let v1 = Endpoint::new("https://graph.microsoft.com", V1, Cloud::Global);
    assert_eq!(
        v1.tally(&[Clause::state("delivered")]),
        "https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/assignmentRequests\
             ?$select=id,requestType,state,status,createdDateTime,completedDateTime,\
             customExtensionCalloutInstances&$expand=accessPackage($select=id)\
             &$filter=state%20eq%20%27delivered%27"
    );
    // The schedule only where the stuck count needs it.
    assert!(
        v1.tally(&[Clause::state("delivering")])
            .contains("completedDateTime,schedule,customExtensionCalloutInstances")
    );
    let beta = Endpoint::new("https://graph.microsoft.com", Beta, Cloud::China);
    assert!(
        beta.tally(&[])
            .ends_with("assignmentRequests?$expand=accessPackage($select=id)")
    );
}

#[test]
fn a_filter_is_percent_encoded_keeping_graphs_readable_characters() {
    assert_eq!(
        encode("state eq 'x' and a/b,c:d-e_f.g~h"),
        "state%20eq%20%27x%27%20and%20a/b,c:d-e_f.g~h"
    );
    assert_eq!(encode("(=$&#?+%é)"), "%28%3D%24%26%23%3F%2B%25%C3%A9%29");
    assert_eq!(encode("AZaz09"), "AZaz09");
    let beta = Endpoint::new("https://graph.microsoft.com", Beta, Cloud::Global);
    assert!(
        beta.list(
            Collection::Assignments,
            &[Clause::state("delivered")],
            Extras::default()
        )
        .ends_with("&$filter=assignmentState%20eq%20%27Delivered%27")
    );
    assert_eq!(
        Endpoint::new("https://graph.microsoft.com", V1, Cloud::Global).list(
            Collection::Policies,
            &[Clause::package(&id())],
            Extras::default()
        ),
        format!(
            "https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/\
                 assignmentPolicies?$filter=accessPackage/id%20eq%20%27{}%27",
            id()
        ),
        "no $expand: the filter alone"
    );
}

#[test]
fn property_keys_in_notes() {
    assert_eq!(
        Property::ALL.map(Property::key),
        [
            "state",
            "createdDateTime",
            "accessPackage/id",
            "target/objectId",
            "policy/id"
        ]
    );
}

#[test]
fn every_clause_the_app_can_send_is_documented_with_its_operator() {
    // Checked against the documents' table (doc_table below), by the names and the
    // operator that go on the wire, never against `documented()` itself.
    for c in ALL_COLLECTIONS {
        for v in [V1, Beta] {
            for (p, op) in documented(c, v) {
                let clause = (v.path(), c.segment(v), p.name(c, v), op.wire());
                assert!(
                    doc_table::FILTERS
                        .iter()
                        .any(|d| (d.0, d.1, d.2, d.3) == clause),
                    "{clause:?} is not in the documents' table"
                );
            }
        }
    }
}

#[test]
fn the_clauses_the_app_sends_per_collection_and_version() {
    // What the app chose to filter at Graph, written out (a subset of doc_table: beta
    // requests' state is refused there, so it is kept in the browser).
    let wire = |c: Collection, v: GraphVersion| -> Vec<String> {
        documented(c, v)
            .iter()
            .map(|(p, op)| format!("{} {}", p.name(c, v), op.wire()))
            .collect()
    };
    assert_eq!(
        wire(Collection::Requests, V1),
        ["state eq", "createdDateTime gt", "accessPackage/id eq"]
    );
    assert_eq!(
        wire(Collection::Requests, Beta),
        ["createdDateTime gt", "accessPackage/id eq"]
    );
    assert_eq!(
        wire(Collection::Assignments, V1),
        [
            "state eq",
            "accessPackage/id eq",
            "target/objectId eq",
            "assignmentPolicy/id eq"
        ]
    );
    assert_eq!(
        wire(Collection::Assignments, Beta),
        [
            "assignmentState eq",
            "accessPackage/id eq",
            "target/objectId eq",
            "accessPackageAssignmentPolicy/id eq"
        ]
    );
    for c in [
        Collection::Packages,
        Collection::Catalogs,
        Collection::Policies,
    ] {
        for v in [V1, Beta] {
            assert_eq!(wire(c, v), Vec::<String>::new(), "{c:?} {v:?}");
        }
    }
    // The requestor has no documented filter: no Property can name it.
    assert!(
        !doc_table::FILTERS
            .iter()
            .any(|d| d.2.starts_with("requestor"))
    );
}

#[test]
fn state_values_on_the_wire_are_the_documented_ones() {
    // Every member of the v1.0 enums a view can ask for, as the CSDL lists them.
    for (c, members) in [
        (Collection::Requests, &doc_table::REQUEST_STATES[..]),
        (Collection::Assignments, &doc_table::ASSIGNMENT_STATES[..]),
    ] {
        for s in members {
            assert!(state_value_documented(c, V1, s), "v1.0 {c:?} {s}");
            assert_eq!(
                Clause::state(s).wire(c, V1),
                format!("state eq '{s}'"),
                "v1.0 sends the enum member as it is"
            );
            let beta = Clause::state(s).wire(c, Beta);
            if c == Collection::Assignments {
                let documented_value = doc_table::BETA_ASSIGNMENT_STATES
                    .iter()
                    .find(|d| d.eq_ignore_ascii_case(s));
                assert_eq!(
                    state_value_documented(c, Beta, s),
                    documented_value.is_some(),
                    "beta assignmentState {s}"
                );
                if let Some(d) = documented_value {
                    assert_eq!(beta, format!("assignmentState eq '{d}'"));
                }
            }
        }
    }
    // Literally: only these three.
    let beta_ok: Vec<&str> = doc_table::ASSIGNMENT_STATES
        .into_iter()
        .filter(|s| state_value_documented(Collection::Assignments, Beta, s))
        .collect();
    assert_eq!(beta_ok, ["delivering", "delivered", "expired"]);
    assert!(!state_value_documented(
        Collection::Assignments,
        Beta,
        "deliveryFailed"
    ));
    assert!(!state_value_documented(
        Collection::Assignments,
        Beta,
        "partiallyDelivered"
    ));
}

#[test]
fn clauses_on_the_wire_in_each_version() {
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .unwrap()
        .to_utc()
        - chrono::Duration::seconds(1);
    let clauses = [Clause::state("deliveryFailed"), Clause::created_after(t)];
    assert_eq!(
        filter_text(&clauses, Collection::Requests, V1).unwrap(),
        "state eq 'deliveryFailed' and createdDateTime gt 2026-10-31T23:59:59Z"
    );
    assert_eq!(
        Clause::state("delivered").wire(Collection::Assignments, Beta),
        "assignmentState eq 'Delivered'"
    );
    assert_eq!(
        Clause::target(&id()).wire(Collection::Assignments, V1),
        format!("target/objectId eq '{}'", id())
    );
    assert_eq!(filter_text(&[], Collection::Requests, V1), None);
}

#[test]
fn a_trail_is_read_with_documented_directory_audit_clauses_only() {
    let g = Guid::parse("8a0a5b7e-5c8f-4d0e-9b1a-2f3c4d5e6f70").unwrap();
    let e = Endpoint::new(
        "https://graph.microsoft.us",
        GraphVersion::V1,
        Cloud::UsGovL4,
    );
    assert_eq!(
        e.audit_events(&g, 50),
        "https://graph.microsoft.us/v1.0/auditLogs/directoryAudits?$filter=targetResources/any%28t:t/id%20eq%20%278a0a5b7e-5c8f-4d0e-9b1a-2f3c4d5e6f70%27%29&$orderby=activityDateTime%20desc&$top=50"
    );
    assert!(
        e.owns(&e.audit_events(&g, 1)),
        "its next pages are followed"
    );
}

#[test]
fn literals_are_quoted_so_no_value_adds_a_clause() {
    assert_eq!(
        quote("O'Brien' or 1 eq 1 or 'x"),
        "'O''Brien'' or 1 eq 1 or ''x'"
    );
    assert_eq!(
        Clause::state("x' or state ne 'y").wire(Collection::Requests, V1),
        "state eq 'x'' or state ne ''y'"
    );
}

#[test]
fn only_pages_of_the_configured_graph_are_followed() {
    let g = Endpoint::new("https://graph.microsoft.com", V1, Cloud::Global);
    assert!(g.owns(
            "https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/assignmentRequests?$skiptoken=x"
        ));
    for evil in [
        "https://evil.example/v1.0/identityGovernance/x",
        "https://graph.microsoft.com.evil.example/v1.0/x",
        "https://graph.microsoft.com/v1.0x/identityGovernance",
        "https://graph.microsoft.com/beta/identityGovernance/x",
        "http://graph.microsoft.com/v1.0/x",
        "https://graph.microsoft.com/v1.0/../beta/x",
        "//graph.microsoft.com/v1.0/x",
    ] {
        assert!(!g.owns(evil), "{evil}");
    }
    // A next page goes into a `$batch` under the version root.
    assert_eq!(
            g.batch_path(
                "https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/assignmentRequests?$skiptoken=x"
            ),
            Some("identityGovernance/entitlementManagement/assignmentRequests?$skiptoken=x")
        );
    assert_eq!(g.batch_path("https://evil.example/v1.0/x"), None);
}
