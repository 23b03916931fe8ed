use super::*;

fn parse(q: &str) -> (ListView, Vec<QueryProblem>) {
    ListView::parse(&REQUESTS, q)
}

#[test]
fn the_issue_example_round_trips() {
    let q = "state=deliveryFailed,partiallyDelivered&package=d82eb508-acc4-43cc-bcf1-7c1c4a2c073b&created_after=2026-11-01&q=alice&sort=-created";
    let (v, problems) = parse(q);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(v.states, ["deliveryFailed", "partiallyDelivered"]);
    // -created is the default sort, so the canonical form leaves it out.
    assert_eq!(v.to_query(), q.replace("&sort=-created", ""));
    assert_eq!(parse(&v.to_query()).0, v);
}

#[test]
fn unknown_and_malformed_parameters_are_reported_and_the_rest_kept() {
    let (v, problems) = parse(
        "state=deliveryFailed,exploded&package=not-a-guid&created_after=yesterday&sort=size&view=all&colour=red&q=ok&status=Waiting%20For",
    );
    assert_eq!(v.states, ["deliveryFailed"]);
    assert_eq!(v.q, "ok");
    let found: Vec<(&str, ProblemKind)> = problems
        .iter()
        .map(|p| (p.param.as_str(), p.kind))
        .collect();
    assert_eq!(
        found,
        [
            ("state", ProblemKind::UnknownState),
            ("package", ProblemKind::NotAnId),
            ("created_after", ProblemKind::NotADate),
            ("sort", ProblemKind::UnknownSort),
            ("view", ProblemKind::UnknownView),
            ("colour", ProblemKind::NotForThisList),
            ("status", ProblemKind::BadStatus),
        ]
    );
}

#[test]
fn each_list_accepts_only_what_it_honours() {
    // The assignments list has no ready-made views, no creation dates, no callouts
    // column, no requestor and no creation sort: each is reported, never ignored.
    let (v, problems) = ListView::parse(
        &ASSIGNMENTS,
        "view=attention&created_after=2026-11-01&cols=callouts,target&sort=requestor&requestor=0e60f18c-b2a0-4887-9da8-da2e30a39d99&state=delivered",
    );
    let params: Vec<&str> = problems.iter().map(|p| p.param.as_str()).collect();
    assert_eq!(
        params,
        ["view", "created_after", "cols", "sort", "requestor"]
    );
    assert_eq!(v.states, ["delivered"]);
    assert_eq!(v.columns, [Column::Target]);
    assert_eq!(v.sort, None, "Graph's order");
    // Its own names work.
    let (v, problems) = ListView::parse(
        &ASSIGNMENTS,
        "sort=-target&target=0E60F18C-B2A0-4887-9DA8-DA2E30A39D99&cols=expires",
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(v.sort.unwrap().key, SortKey::Target);
    assert_eq!(
        v.to_query(),
        "target=0e60f18c-b2a0-4887-9da8-da2e30a39d99&sort=-target&cols=expires"
    );
    // And a requests-only state is not an assignment state.
    let (_, problems) = ListView::parse(&ASSIGNMENTS, "state=pendingApproval");
    assert_eq!(problems[0].kind, ProblemKind::UnknownState);
}

#[test]
fn states_are_matched_in_any_casing_and_not_repeated() {
    let (v, problems) = parse("state=DELIVERYFAILED,deliveryFailed,PartiallyDelivered");
    assert!(problems.is_empty());
    assert_eq!(v.states, ["deliveryFailed", "partiallyDelivered"]);
}

#[test]
fn dates_are_strict_yyyy_mm_dd() {
    assert_eq!(
        parse_date("2026-02-28").map(format_date).as_deref(),
        Some("2026-02-28")
    );
    for bad in [
        "2026-02-30",
        "2026-2-01",
        "26-02-01",
        "2026/02/01",
        "2026-02-01x",
        "",
        "+026-02-01",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}

#[test]
fn a_ready_made_view_is_what_its_link_opens() {
    for p in Preset::ALL {
        let (linked, problems) = parse(&format!("view={}", p.name()));
        assert!(problems.is_empty());
        assert_eq!(ListView::preset(p), linked, "{}", p.name());
    }
}

#[test]
fn dates_must_be_in_order() {
    let (v, problems) = parse("created_after=2026-11-10&created_before=2026-11-01");
    assert_eq!(v.created_before, None);
    assert_eq!(problems[0].param, "created_before");
    assert_eq!(problems[0].kind, ProblemKind::DatesOutOfOrder);
}

#[test]
fn sorting_toggles_direction_on_the_same_column() {
    let v = ListView::new(ListKind::Requests);
    let by_requestor = v.sorted_by(SortKey::Requestor);
    assert_eq!(by_requestor.to_query(), "sort=requestor");
    assert_eq!(
        by_requestor.sorted_by(SortKey::Requestor).to_query(),
        "sort=-requestor"
    );
    assert_eq!(v.sorted_by(SortKey::Created).to_query(), "sort=created");
    let a = ListView::new(ListKind::Assignments);
    assert_eq!(a.sorted_by(SortKey::Expires).to_query(), "sort=-expires");
}

/// A small deterministic generator: round trips for many views, including hostile text.
#[test]
fn any_view_round_trips_through_its_query_string() {
    let texts = [
        "",
        "alice",
        "王伟",
        "Zoë \"x\" & <b>",
        "a=b&c=d",
        "100%",
        "'; DROP--",
        " lead",
        "+plus+",
    ];
    let mut seed: u64 = 42;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for spec in [&REQUESTS, &ASSIGNMENTS] {
        for _ in 0..2000 {
            let mut v = ListView::new(spec.kind);
            if spec.presets && next(2) == 0 {
                v.preset = Some(Preset::ALL[next(4) as usize]);
            }
            for s in spec.states {
                if next(4) == 0 {
                    v.states.push(s);
                }
            }
            if next(3) == 0 {
                v.status = Some("WaitingForCallback".into());
            }
            if next(3) == 0 {
                v.package = Guid::parse("d82eb508-acc4-43cc-bcf1-7c1c4a2c073b");
            }
            if next(3) == 0 {
                v.person = Guid::parse("0e60f18c-b2a0-4887-9da8-da2e30a39d99");
            }
            if spec.dates && next(3) == 0 {
                v.created_after = NaiveDate::from_ymd_opt(2026, 1 + next(12) as u32, 1);
            }
            v.q = texts[next(texts.len() as u64) as usize].trim().to_string();
            if next(3) > 0 {
                let (_, key) = spec.sorts[next(spec.sorts.len() as u64) as usize];
                v.sort = Some(Sort {
                    key,
                    descending: next(2) == 0,
                });
            }
            if next(4) == 0 {
                v.columns = spec.columns[1..3].to_vec();
            }
            let q = v.to_query();
            let (back, problems) = ListView::parse(spec, &q);
            assert!(problems.is_empty(), "{q}: {problems:?}");
            assert_eq!(back, v, "{q}");
            assert!(
                !q.contains(' ') && !q.contains('<') && !q.contains('"'),
                "{q}"
            );
        }
    }
}

#[test]
fn columns_toggle_in_table_order_and_never_to_an_empty_table() {
    let all = ListView::new(ListKind::Requests);
    let v = all.toggled_column(Column::Type);
    assert_eq!(v.columns.len(), all.default_columns().len() - 1);
    assert!(!v.shows(Column::Type) && v.shows(Column::Requestor));
    assert!(v.to_query().contains("cols=requestor,package,state,"));
    assert_eq!(
        v.toggled_column(Column::Type),
        all,
        "showing it again is all columns: no cols"
    );
    let one = ListView {
        columns: vec![Column::State],
        ..all.clone()
    };
    assert_eq!(one.toggled_column(Column::State), all);
    let two = one.toggled_column(Column::Requestor);
    assert_eq!(two.columns, vec![Column::Requestor, Column::State]);
    let (back, problems) = parse(&two.to_query());
    assert_eq!((back, problems), (two, vec![]));
    // Columns named out of order in an address come back in table order.
    let (v, _) = parse("cols=state,requestor");
    assert_eq!(v.columns, [Column::Requestor, Column::State]);
}
