//! What the bulk tests share: simulated time that fails rather than hangs, and plans.

use std::cell::Cell;

use chrono::{DateTime, Utc};

use super::{Before, Outcome, Planned, Run, Work};

pub(super) const HEADER: [&str; 5] = ["id", "item", "outcome", "detail", "request_id"];

/// Moves simulated time on. A run that has not ended after an hour of it never will:
/// the test fails rather than hangs.
pub(super) fn later(now: &mut u64, ms: u64) {
    *now += ms;
    assert!(*now < 3_600_000, "the run has not ended after an hour");
}

/// A test transport's sleep: the driver waits at most 200 ms at a time, so a run that
/// sleeps twenty thousand times has not ended after at least 20 s of waiting in
/// 1 ms steps, which no run here needs.
pub(super) fn sleep_on(now: &Cell<u64>, sleeps: &Cell<u32>, ms: u64) {
    sleeps.set(sleeps.get() + 1);
    assert!(sleeps.get() < 20_000, "the run waits without end");
    let mut t = now.get();
    later(&mut t, ms);
    now.set(t);
}

/// Counts a test transport's `$batch` calls; ten thousand means the run goes round
/// in circles (no run here needs more than a few hundred).
pub(super) fn one_more_call(calls: &Cell<usize>) {
    calls.set(calls.get() + 1);
    assert!(calls.get() < 10_000, "the run keeps calling Graph");
}

pub(super) fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("id{i}")).collect()
}

pub(super) fn accepted() -> Outcome {
    Outcome::Accepted { request_id: None }
}

pub(super) fn send(run: &mut Run, now: u64) -> Vec<String> {
    match run.next_work(now) {
        Some(Work::Send(v)) => v,
        other => panic!("expected a send at {now}, got {other:?}"),
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// A failed request completed a day before the run.
pub(super) fn failed(id: &str) -> Planned {
    Planned {
        id: id.into(),
        label: String::new(),
        before: Before {
            state: "deliveryFailed".into(),
            completed: Some(at("2026-11-22T12:00:00Z")),
        },
        skip: None,
    }
}
