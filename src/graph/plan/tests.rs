use super::*;
use crate::query::{ASSIGNMENTS, REQUESTS};
use GraphVersion::*;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .unwrap()
        .to_utc()
}

#[test]
fn the_callouts_and_schedule_are_read_only_for_the_views_that_use_them() {
    let extras = |q: &str| extras(&view(q));
    let (none, callouts, schedule) = (
        Extras::default(),
        Extras {
            callouts: true,
            schedule: false,
        },
        Extras {
            callouts: false,
            schedule: true,
        },
    );
    // The usual columns include the callouts count.
    assert_eq!(extras("state=deliveryFailed"), callouts);
    assert_eq!(extras("cols=requestor,state,completed,window"), none);
    assert_eq!(extras("cols=requestor,time_left"), callouts);
    assert_eq!(extras("cols=requestor,delivering"), schedule);
    // A sort by a hidden column still needs what it sorts by.
    assert_eq!(extras("cols=requestor&sort=-delivering"), schedule);
    // Ready-made views read what they filter by, whatever the columns.
    assert_eq!(extras("view=attention&cols=requestor"), callouts);
    assert_eq!(extras("view=deadline&cols=requestor"), callouts);
    assert_eq!(extras("view=stuck&cols=requestor"), schedule);
    assert!(extras("view=stuck").schedule);
}

fn view(q: &str) -> ListView {
    let (v, problems) = ListView::parse(&REQUESTS, q);
    assert!(problems.is_empty(), "{problems:?}");
    v
}

fn filters(q: &str) -> Vec<String> {
    plan(&view(q), V1, now(), &[]).filters()
}

#[test]
fn the_issue_example_asks_once_per_state_and_leaves_the_search_to_the_browser() {
    let p = plan(
        &view(
            "state=deliveryFailed,partiallyDelivered&package=d82eb508-acc4-43cc-bcf1-7c1c4a2c073b&created_after=2026-11-01&q=alice&sort=-created",
        ),
        V1,
        now(),
        &[],
    );
    let common = "accessPackage/id eq 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b' and createdDateTime gt 2026-10-31T23:59:59Z";
    assert_eq!(
        p.filters(),
        [
            format!("state eq 'deliveryFailed' and {common}"),
            format!("state eq 'partiallyDelivered' and {common}")
        ]
    );
    assert_eq!(p.browser, [BrowserPart::Search("alice".into())]);
}

/// Checks every clause `p` puts on the wire against the documents' table
/// (`resources::doc_table`, written from shared/reference), by its wire text: the
/// property and operator, and for a state its value.
fn assert_documented_on_wire(p: &FetchPlan, what: &str) {
    use crate::graph::resources::doc_table;
    // The collection's segment, written out (resources' paths_per_version pins them).
    let (version, segment) = match (p.collection, p.version) {
        (Collection::Requests, V1) => ("v1.0", "assignmentRequests"),
        (Collection::Requests, Beta) => ("beta", "assignmentRequests"),
        (Collection::Assignments, V1) => ("v1.0", "assignments"),
        (Collection::Assignments, Beta) => ("beta", "accessPackageAssignments"),
        other => panic!("no list reads {other:?}"),
    };
    for f in p.filters() {
        if f.is_empty() {
            continue;
        }
        assert!(!f.contains(" or ") && !f.contains(" ne "), "{what}: {f}");
        for clause in f.split(" and ") {
            let mut parts = clause.splitn(3, ' ');
            let (prop, op, value) = (
                parts.next().unwrap(),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
            );
            assert!(
                doc_table::FILTERS.contains(&(version, segment, prop, op)),
                "{what}: {version} {segment}: `{clause}` is not documented"
            );
            let states: &[&str] = match (prop, p.collection, p.version) {
                ("state", Collection::Requests, V1) => &doc_table::REQUEST_STATES,
                ("state", Collection::Assignments, V1) => &doc_table::ASSIGNMENT_STATES,
                ("assignmentState", _, Beta) => &doc_table::BETA_ASSIGNMENT_STATES,
                ("state" | "requestState" | "assignmentState", ..) => {
                    panic!("{what}: {clause}: no documented values")
                }
                _ => continue,
            };
            let quoted = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or_else(|| panic!("{what}: {clause}: unquoted"));
            assert!(
                states.contains(&quoted),
                "{what}: {clause}: `{quoted}` is not a documented value"
            );
        }
    }
}

#[test]
fn no_view_sends_an_undocumented_clause() {
    // Every ready-made view and filter of both lists, in both versions: every clause
    // sent is in the documents' table, with a documented value, and nothing is joined
    // with or.
    let requests = [
        "",
        "view=attention",
        "view=waiting",
        "view=failed-old",
        "view=recent",
        "view=stuck",
        "view=deadline",
        "state=deliveryFailed,partiallyDelivered&package=d82eb508-acc4-43cc-bcf1-7c1c4a2c073b",
        "state=canceled",
        "status=WaitingForCallback",
        "requestor=0e60f18c-b2a0-4887-9da8-da2e30a39d99",
        "created_before=2026-11-01",
        "created_after=2026-11-01&view=recent",
        "state=delivered&view=attention",
    ];
    let assignments = [
        "",
        "state=delivered",
        "state=delivering",
        "state=expired",
        "state=deliveryFailed",
        "state=partiallyDelivered",
        "state=delivered,expired&status=Delivered&target=0e60f18c-b2a0-4887-9da8-da2e30a39d99",
        "package=d82eb508-acc4-43cc-bcf1-7c1c4a2c073b&state=delivered",
    ];
    for v in [V1, Beta] {
        for q in requests {
            let p = plan(&view(q), v, now(), &[]);
            assert!(!p.queries.is_empty(), "{q}");
            assert_documented_on_wire(&p, q);
            for f in p.filters() {
                assert!(!f.contains("status"), "{q}: {f}");
            }
        }
        for q in assignments {
            let (a, problems) = ListView::parse(&ASSIGNMENTS, q);
            assert!(problems.is_empty(), "{q}: {problems:?}");
            assert_documented_on_wire(&plan(&a, v, now(), &[]), q);
        }
    }
    let (a, _) = ListView::parse(
        &ASSIGNMENTS,
        "state=delivered,expired&status=Delivered&target=0e60f18c-b2a0-4887-9da8-da2e30a39d99",
    );
    let p = plan(&a, Beta, now(), &[]);
    assert_eq!(
        p.filters(),
        [
            "assignmentState eq 'Delivered' and target/objectId eq '0e60f18c-b2a0-4887-9da8-da2e30a39d99'",
            "assignmentState eq 'Expired' and target/objectId eq '0e60f18c-b2a0-4887-9da8-da2e30a39d99'"
        ]
    );
    assert_eq!(p.browser, [BrowserPart::Status("Delivered".into())]);
    // Beta documents assignmentState as Delivering, Delivered or Expired: a failed
    // assignment is looked for in the browser, over the unfiltered list.
    let (failed, _) = ListView::parse(&ASSIGNMENTS, "state=deliveryFailed,delivered");
    let p = plan(&failed, Beta, now(), &[]);
    assert_eq!(p.filters(), [""]);
    assert_eq!(
        p.browser,
        [BrowserPart::States(vec!["delivered", "deliveryFailed"])]
    );
    assert_eq!(
        plan(&failed, V1, now(), &[]).filters(),
        ["state eq 'delivered'", "state eq 'deliveryFailed'"]
    );
}

#[test]
fn ready_made_views_ask_for_the_states_their_rows_can_be_in() {
    assert_eq!(
        filters("view=failed-old"),
        ["state eq 'deliveryFailed'", "state eq 'partiallyDelivered'"]
    );
    // Waiting for a callback is a status, which Graph does not filter: the states a
    // waiting request can be in (the stage table) are asked, the status is checked
    // here.
    assert_eq!(
        filters("view=waiting"),
        [
            "state eq 'submitted'",
            "state eq 'pendingApproval'",
            "state eq 'delivering'",
            "state eq 'delivered'",
            "state eq 'scheduled'",
        ]
    );
    assert_eq!(filters("view=attention").len(), 7);
    assert_eq!(filters("view=stuck&hours=12"), ["state eq 'delivering'"]);
    assert_eq!(filters("view=deadline").len(), 5);
    assert_eq!(
        filters("view=recent"),
        ["createdDateTime gt 2026-11-16T11:59:59Z"]
    );
    // A state outside the preset: nothing can match, nothing is asked.
    assert!(
        plan(&view("view=failed-old&state=delivered"), V1, now(), &[])
            .queries
            .is_empty()
    );
    // The preset and the chosen states intersect.
    assert_eq!(
        filters("view=attention&state=deliveryFailed,denied"),
        ["state eq 'deliveryFailed'"]
    );
    assert_eq!(filters(""), [""]);
}

#[test]
fn each_ready_made_view_leaves_its_own_test_to_the_browser() {
    let browser = |q: &str| plan(&view(q), V1, now(), &[]).browser;
    assert_eq!(browser("view=attention"), [BrowserPart::Attention]);
    assert_eq!(browser("view=waiting"), [BrowserPart::Waiting]);
    assert_eq!(browser("view=failed-old"), [BrowserPart::WindowClosed]);
    assert_eq!(browser("view=stuck"), [BrowserPart::Stuck(6)]);
    assert_eq!(browser("view=stuck&hours=12"), [BrowserPart::Stuck(12)]);
    assert_eq!(browser("view=deadline"), [BrowserPart::Deadline]);
    assert_eq!(
        browser("view=recent"),
        [],
        "Graph filters the creation time"
    );
    assert_eq!(browser(""), []);
    assert_eq!(
        browser("status=WaitingForCallback&q=%20ann%20"),
        [
            BrowserPart::Status("WaitingForCallback".into()),
            BrowserPart::Search("ann".into())
        ]
    );
    assert_eq!(browser("q=%20%20"), [], "blank search: nothing to apply");
    // The requestor has no documented filter: the browser keeps it, and the end date.
    let person = Guid::parse("0e60f18c-b2a0-4887-9da8-da2e30a39d99").unwrap();
    let p = plan(
        &view("requestor=0e60f18c-b2a0-4887-9da8-da2e30a39d99&created_before=2026-11-01"),
        V1,
        now(),
        &[],
    );
    assert_eq!(p.filters(), [""]);
    assert_eq!(
        p.browser,
        [
            BrowserPart::Person(person),
            BrowserPart::CreatedBefore(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())
        ]
    );
}

#[test]
fn a_refused_creation_time_moves_the_dates_to_the_browser() {
    let refused = [Property::CreatedDateTime];
    let p = plan(&view("view=recent"), V1, now(), &refused);
    assert_eq!(p.filters(), [""]);
    assert_eq!(p.browser, [BrowserPart::Recent]);
    assert_eq!(p.refused, [Property::CreatedDateTime]);
    let p = plan(&view("created_after=2026-11-01"), V1, now(), &refused);
    assert_eq!(p.filters(), [""]);
    assert_eq!(
        p.browser,
        [BrowserPart::CreatedAfter(
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        )]
    );
    // Not refused: Graph gets it, a second early, and the browser nothing.
    let p = plan(&view("created_after=2026-11-01"), V1, now(), &[]);
    assert_eq!(p.filters(), ["createdDateTime gt 2026-10-31T23:59:59Z"]);
    assert_eq!(p.browser, []);
    // The later of the day chosen and the last seven days.
    assert_eq!(
        filters("view=recent&created_after=2026-11-20"),
        ["createdDateTime gt 2026-11-19T23:59:59Z"]
    );
    assert_eq!(
        filters("view=recent&created_after=2026-11-01"),
        ["createdDateTime gt 2026-11-16T11:59:59Z"]
    );
}

#[test]
fn every_state_chosen_is_no_state_filter_at_all() {
    let all = "state=submitted,pendingApproval,delivering,delivered,deliveryFailed,denied,\
                   scheduled,canceled,partiallyDelivered";
    let p = plan(&view(all), V1, now(), &[]);
    assert_eq!(p.filters(), [""], "one unfiltered query, not nine");
    assert!(matches!(&p.browser[..], [BrowserPart::States(s)] if s.len() == 9));
    // Eight of the nine: asked one by one.
    let eight = "state=submitted,pendingApproval,delivering,delivered,deliveryFailed,\
                     denied,scheduled,canceled";
    assert_eq!(filters(eight).len(), 8);
}

#[test]
fn the_properties_sent_are_listed_once_each_in_order() {
    let p = plan(
        &view(
            "state=deliveryFailed,partiallyDelivered&package=d82eb508-acc4-43cc-bcf1-7c1c4a2c073b",
        ),
        V1,
        now(),
        &[],
    );
    assert_eq!(
        p.sent_properties(),
        [Property::State, Property::AccessPackage]
    );
    assert_eq!(plan(&view(""), V1, now(), &[]).sent_properties(), []);
    assert_eq!(
        refusals_to_text(&[
            (Collection::Requests, V1, Property::State),
            (Collection::Assignments, Beta, Property::Policy)
        ]),
        "Requests/v1.0/state\nAssignments/beta/policy/id"
    );
}

#[test]
fn a_list_reads_its_own_collection() {
    assert_eq!(collection(ListKind::Requests), Collection::Requests);
    assert_eq!(collection(ListKind::Assignments), Collection::Assignments);
}

#[test]
fn no_state_can_match_so_nothing_is_asked_in_either_version() {
    // Failed-old rows are failed or partially delivered: none is delivered.
    let impossible = view("view=failed-old&state=delivered");
    for v in [V1, Beta] {
        let p = plan(&impossible, v, now(), &[]);
        assert_eq!(p.queries, Vec::<Vec<Clause>>::new(), "{v:?}");
    }
    let refused = plan(&impossible, V1, now(), &[Property::State]);
    assert_eq!(refused.queries, Vec::<Vec<Clause>>::new());
}

#[test]
fn beta_requests_filter_their_states_in_the_browser() {
    let p = plan(
        &view("state=deliveryFailed,partiallyDelivered"),
        Beta,
        now(),
        &[],
    );
    assert_eq!(p.filters(), [""]);
    assert_eq!(
        p.browser,
        [BrowserPart::States(vec![
            "deliveryFailed",
            "partiallyDelivered"
        ])]
    );
}

#[test]
fn a_refused_clause_moves_to_the_browser() {
    let p = plan(
        &view("state=deliveryFailed&package=d82eb508-acc4-43cc-bcf1-7c1c4a2c073b"),
        V1,
        now(),
        &[Property::State],
    );
    assert_eq!(
        p.filters(),
        ["accessPackage/id eq 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b'"]
    );
    assert_eq!(p.browser[0], BrowserPart::States(vec!["deliveryFailed"]));
    assert_eq!(p.refused, [Property::State]);
    // A refusal of another list's property changes nothing here.
    assert_eq!(
        plan(
            &view("state=deliveryFailed"),
            V1,
            now(),
            &[Property::Target]
        )
        .refused,
        []
    );
}

#[test]
fn a_refused_target_keeps_the_person_in_the_browser() {
    let (a, _) = ListView::parse(&ASSIGNMENTS, "target=0e60f18c-b2a0-4887-9da8-da2e30a39d99");
    let person = Guid::parse("0e60f18c-b2a0-4887-9da8-da2e30a39d99").unwrap();
    let p = plan(&a, V1, now(), &[Property::Target]);
    assert_eq!(p.filters(), [""], "a refused clause is not sent again");
    assert_eq!(p.browser, [BrowserPart::Person(person)]);
    assert_eq!(p.refused, [Property::Target]);
}

#[test]
fn the_refused_clause_is_read_from_graphs_message() {
    let sent = [Property::State, Property::AccessPackage];
    let msg = "OData query is invalid: Filter 'state Equals deliveryFailed' is not supported. .";
    assert_eq!(
        refused_in(msg, &sent, Collection::Requests, V1),
        [Property::State]
    );
    let msg = "OData query is invalid: Filter 'accessPackage/id Equals 1afa… is not supported. .";
    assert_eq!(
        refused_in(msg, &sent, Collection::Requests, V1),
        [Property::AccessPackage]
    );
    // Not named: everything sent moves to the browser, so a second answer cannot repeat.
    assert_eq!(
        refused_in("Invalid filter clause", &sent, Collection::Requests, V1),
        sent
    );
    assert!(is_filter_refusal(400, "InvalidFilter", ""));
    assert!(is_filter_refusal(
        400,
        "BadRequest",
        "Invalid filter clause"
    ));
    assert!(!is_filter_refusal(400, "BadRequest", "Invalid $expand"));
    assert!(!is_filter_refusal(403, "InvalidFilter", ""));
    // A refusal that is not about the filter sends a scoped account package by package.
    assert!(needs_package_scope(403, "Authorization_RequestDenied", ""));
    assert!(needs_package_scope(
        400,
        "Request_BadRequest",
        "Insufficient scope."
    ));
    assert!(!needs_package_scope(
        400,
        "BadRequest",
        "The $filter clause is not supported."
    ));
    assert!(!needs_package_scope(404, "NotFound", ""));
    assert!(!needs_package_scope(500, "UnknownError", ""));
}

#[test]
fn refusals_survive_the_session_store() {
    let list = vec![
        (Collection::Requests, V1, Property::State),
        (Collection::Assignments, Beta, Property::Policy),
    ];
    assert_eq!(refusals_from_text(&refusals_to_text(&list)), list);
    assert_eq!(refusals_from_text("Requests/v2/state\ngarbage\n"), []);
}
