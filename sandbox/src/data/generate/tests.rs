use super::*;
use crate::data::test_support::generated;

#[test]
fn same_seed_same_tenant_and_the_requested_size() {
    let a = generated(5, 500);
    let b = generated(5, 500);
    assert_eq!(a.requests.len(), 500);
    let ids = |d: &Data| d.requests.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert_ne!(ids(&a), ids(&generated(6, 500)));
}

#[test]
fn every_state_every_waiting_stage_and_both_sides_of_the_window_appear() {
    let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .unwrap()
        .to_utc();
    let d = generated(1, 500);
    for s in ReqState::ALL {
        assert!(d.requests.iter().any(|r| r.state == s), "{s:?}");
    }
    for s in AsgState::ALL {
        assert!(d.assignments.iter().any(|a| a.state == s), "{s:?}");
    }
    for stage in Stage::ALL {
        assert!(
            d.requests
                .iter()
                .any(|r| r.waiting_callout().is_some_and(|c| c.stage == stage)),
            "{stage:?}"
        );
    }
    let failed = |recent: bool| {
        d.requests.iter().any(|r| {
            r.state == ReqState::DeliveryFailed
                && r.completed
                    .is_some_and(|c| (now - c < Duration::days(14)) == recent)
        })
    };
    assert!(failed(true) && failed(false));
    assert!(d.requests.iter().any(|r| r.broken));
}

#[test]
fn the_seed_documents_example_ids_exist_in_the_right_state() {
    let d = generated(1, 50);
    let r = &d.requests[d.request_index(fixtures::REPROCESS_REQUEST).unwrap()];
    assert_eq!(r.state, ReqState::DeliveryFailed);
    for (id, inst) in [
        (
            fixtures::RESUME_CONTINUE_REQUEST,
            fixtures::RESUME_CONTINUE_INSTANCE,
        ),
        (
            fixtures::RESUME_DENY_REQUEST,
            fixtures::RESUME_DENY_INSTANCE,
        ),
    ] {
        let r = &d.requests[d.request_index(id).unwrap()];
        let c = r.waiting_callout().unwrap();
        assert_eq!((c.id.as_str(), c.stage), (inst, Stage::Created));
    }
    let a = &d.assignments[d.assignment_index(fixtures::REPROCESS_ASSIGNMENT).unwrap()];
    assert_eq!(a.state, AsgState::Delivered);
}

#[test]
fn one_request_closes_its_window_minutes_after_generation_and_no_other_id_moved() {
    let now = at_generation();
    for n in [50, 500] {
        let d = generated(1, n);
        assert_eq!(d.requests.len(), n);
        let r = &d.requests[d.request_index(fixtures::WINDOW_EDGE_REQUEST).unwrap()];
        assert_eq!(r.state, ReqState::DeliveryFailed);
        assert!(!r.broken);
        // Its 14-day window closes five minutes after the tenant was made.
        let closes = r.completed.unwrap() + Duration::days(14);
        assert_eq!(closes - now, Duration::minutes(5));
        assert!(r.created < r.completed.unwrap());
    }
    // Every other id is the one the tenant had before this fixture was added: ids of
    // seed 1 at 500 requests, written down from the build before it (the newest and
    // the oldest requests, and the last assignment drawn after the requests). The
    // request it replaced, the last generated one no quota asked for, is gone.
    let d = generated(1, 500);
    let ids: std::collections::HashSet<&str> = d
        .requests
        .iter()
        .map(|r| r.id.as_str())
        .chain(d.assignments.iter().map(|a| a.id.as_str()))
        .collect();
    for id in [
        fixtures::REPROCESS_REQUEST,
        fixtures::RESUME_CONTINUE_REQUEST,
        fixtures::RESUME_DENY_REQUEST,
        "587992bc-a0be-497f-8a38-ecacc546c10c",
        "39f0134c-aa15-4da4-b07d-343291e32ef2",
        "de119d5e-941f-4ed3-9d58-1fc92f1ff440",
        "9d20277f-8fb9-4d9b-8c8d-39aa74202ad2",
    ] {
        assert!(ids.contains(id), "{id}");
    }
    assert!(!ids.contains("0a3ff01f-45d9-4ef8-af05-5e3e965feea2"));
    assert_eq!(d.requests[0].id, "587992bc-a0be-497f-8a38-ecacc546c10c");
}

const REMOVES: [&str; 3] = ["userRemove", "adminRemove", "systemRemove"];

/// The `now` of `generated`.
fn at_generation() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .unwrap()
        .to_utc()
}

fn timeout_of(d: &Data, c: &Callout) -> i64 {
    duration_secs(d.extensions[c.extension].timeout.unwrap()).unwrap()
}

#[test]
fn every_seeded_waiting_request_follows_the_documented_stage_mapping() {
    for seed in [1, 2, 7] {
        for n in [20, 500] {
            let d = generated(seed, n);
            let mut seen = 0;
            for r in &d.requests {
                let Some(c) = r.waiting_callout() else {
                    continue;
                };
                seen += 1;
                let add = r.request_type.ends_with("Add");
                let ok = match c.stage {
                    Stage::Created => r.state == ReqState::Submitted && add,
                    Stage::Approved => {
                        matches!(r.state, ReqState::Delivering | ReqState::Scheduled) && add
                    }
                    Stage::Granted => r.state == ReqState::Delivered && add,
                    Stage::Removed => {
                        r.state == ReqState::Delivered && REMOVES.contains(&r.request_type)
                    }
                };
                assert!(
                    ok,
                    "seed {seed}: {} waits at {:?} in state {:?}, type {}",
                    r.id, c.stage, r.state, r.request_type
                );
                // The callout is the request's policy's setting at that stage.
                assert!(
                    d.policies[r.policy]
                        .stage_settings
                        .iter()
                        .any(|s| s.stage == c.stage && s.extension == c.extension),
                    "seed {seed}: {}",
                    r.id
                );
                assert_eq!(d.policies[r.policy].package, r.package);
                // At Created the callout started with the request: not yet timed out.
                if c.stage == Stage::Created {
                    assert!((at_generation() - r.created).num_seconds() < timeout_of(&d, c));
                }
            }
            assert!(seen >= 2, "seed {seed}, {n} requests: {seen} waiting");
        }
    }
}

#[test]
fn waiting_requests_whose_policies_do_not_pin_the_stage_exist_at_every_stage() {
    let d = generated(1, 500);
    for stage in Stage::ALL {
        let unpinned = d.requests.iter().filter(|r| {
            r.waiting_callout().is_some_and(|c| {
                c.stage == stage && {
                    let stages: std::collections::HashSet<u8> = d
                        .policies
                        .iter()
                        .filter(|p| p.package == r.package)
                        .flat_map(|p| p.stage_settings.iter())
                        .filter(|s| s.extension == c.extension)
                        .map(|s| s.stage as u8)
                        .collect();
                    stages.len() >= 2
                }
            })
        });
        assert!(unpinned.count() >= 2, "{stage:?}");
        let pinned = d.requests.iter().any(|r| {
            r.waiting_callout().is_some_and(|c| {
                c.stage == stage
                    && d.policies
                        .iter()
                        .filter(|p| p.package == r.package)
                        .flat_map(|p| p.stage_settings.iter())
                        .filter(|s| s.extension == c.extension)
                        .count()
                        == 1
            })
        });
        assert!(pinned, "{stage:?}: a pinned one too");
    }
}

#[test]
fn stuck_deliveries_and_callbacks_near_their_timeout_are_seeded_in_proportion() {
    for n in [60, 500, 2000] {
        let d = generated(3, n);
        let stuck: Vec<&Request> = d
            .requests
            .iter()
            .filter(|r| {
                r.state == ReqState::Delivering
                    && r.waiting_callout().is_none()
                    && at_generation() - r.created > Duration::hours(6)
            })
            .collect();
        assert!(
            stuck.len() >= n / QUOTA_PERIOD,
            "{n}: {} stuck",
            stuck.len()
        );
        assert!(
            stuck
                .iter()
                .all(|r| at_generation() - r.created <= Duration::days(3) && r.completed.is_none())
        );
        // Waiting at Created: time left = createdDateTime + timeoutDuration - now.
        let left: Vec<(i64, i64)> = d
            .requests
            .iter()
            .filter_map(|r| {
                let c = r.waiting_callout().filter(|c| c.stage == Stage::Created)?;
                let timeout = timeout_of(&d, c);
                Some((
                    timeout,
                    timeout - (at_generation() - r.created).num_seconds(),
                ))
            })
            .collect();
        assert!(left.iter().all(|(_, l)| *l > 0));
        let near: Vec<&(i64, i64)> = left.iter().filter(|(_, l)| *l < 86_400).collect();
        assert!(near.len() >= n / QUOTA_PERIOD, "{n}: {} near", near.len());
        if n >= 500 {
            assert!(
                near.iter().any(|(t, _)| *t == 14 * 86_400),
                "a 14-day callback with under 24 h left"
            );
            assert!(
                left.iter()
                    .any(|(t, l)| *t == 14 * 86_400 && *l >= 86_400 && *l < 4 * 86_400),
                "a 14-day callback with a few days left"
            );
            assert!(
                near.iter().any(|(t, _)| *t < 14 * 86_400),
                "a shorter timeout, nearly up"
            );
        }
    }
}
