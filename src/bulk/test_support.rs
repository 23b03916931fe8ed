//! What the bulk tests share: simulated time that fails rather than hangs, and plans.

use std::cell::Cell;

use chrono::{DateTime, Utc};

use super::{Before, Outcome, Planned, Run, Work};
use crate::ids::Guid;

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

/// Request id number `i` of a test.
pub(super) fn id(i: usize) -> Guid {
    Guid::parse(&format!("00000000-0000-4000-8000-{i:012}")).expect("a GUID")
}

/// The number `i` of [`id`]`(i)`.
pub(super) fn number(id: &Guid) -> usize {
    id.as_str()[24..].parse().expect("an id made by id()")
}

/// A request id that reads as `name` in a failing test (at most six ASCII bytes: the
/// GUID's last group, in hex).
pub(super) fn named(name: &str) -> Guid {
    assert!(
        name.len() <= 6 && name.is_ascii(),
        "{name:?} is too long for named()"
    );
    let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    Guid::parse(&format!("00000000-0000-4000-9000-{hex:0>12}")).expect("a GUID")
}

/// The name of a [`named`] id (for paths a failing test can be read by).
pub(super) fn name_of(id: &Guid) -> String {
    let hex = id.as_str()[24..].trim_start_matches('0');
    let hex = if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex.to_string()
    };
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_or('?', char::from))
        .collect()
}

/// `n` distinct request ids.
pub(super) fn ids(n: usize) -> Vec<Guid> {
    (0..n).map(id).collect()
}

pub(super) fn accepted() -> Outcome {
    Outcome::Accepted { request_id: None }
}

pub(super) fn send(run: &mut Run, now: u64) -> Vec<Guid> {
    match run.next_work(now) {
        Some(Work::Send(v)) => v,
        other => panic!("expected a send at {now}, got {other:?}"),
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// A failed request completed a day before the run.
pub(super) fn failed(id: &Guid) -> Planned {
    Planned {
        id: id.clone().into(),
        label: String::new(),
        before: Before {
            state: "deliveryFailed".into(),
            completed: Some(at("2026-11-22T12:00:00Z")),
        },
        skip: None,
    }
}
