//! Bulk reprocess, the pure part: which items go, how they are packed into JSON `$batch`
//! calls of at most 20, what each answer means, and when an item is tried again. The
//! browser part (`components::bulk`) only sends what [`Run`] hands out and reports back.
//!
//! Exactly once: an item is handed out again only when Graph said it did not act on it
//! (429, 503, 504 for that item, or 401 before a token renewal). An answer that might
//! hide an action (a network failure, a malformed reply) ends the item as "unknown"
//! instead of sending it again.
//!
//! ```
//! use access_desk::bulk::{Run, Outcome};
//! let mut run = Run::new(vec!["a".into(), "b".into()], Default::default());
//! let batch = run.next_batch(0);
//! assert_eq!(batch, vec!["a".to_string(), "b".to_string()]);
//! run.record("a", Outcome::Accepted { request_id: None }, 0, 0.5);
//! run.record("b", Outcome::Transient { status: 429, retry_after: Some(1) }, 0, 0.5);
//! assert_eq!(run.next_batch(500), Vec::<String>::new()); // b waits its second
//! assert_eq!(run.next_batch(1_000), vec!["b".to_string()]);
//! ```

use serde_json::{Value, json};

use crate::graph::retry::{Backoff, Retry, is_transient};
use crate::i18n::{Msg, t};

/// Items per JSON batch: Graph's limit.
pub const BATCH_SIZE: usize = 20;

/// `$batch` calls a run keeps in flight at most.
pub const CONCURRENCY: usize = 4;

const MAX_WINDOW: f64 = (BATCH_SIZE * CONCURRENCY) as f64;

/// 429 answers an item may get before it is reported failed (at least the backoff's
/// own limit).
pub const MAX_THROTTLED: u32 = 20;

/// What Graph answered for one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: Graph accepted the action.
    Accepted { request_id: Option<String> },
    /// 429, 503 or 504 for this item: not acted on, may be sent again.
    Transient {
        status: u16,
        retry_after: Option<u64>,
    },
    /// 401: the token expired mid-run; renew it and send the item again.
    Unauthorized,
    /// Any other answer: Graph refused, with its code and message.
    Refused {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// No usable answer for this item (network failure, reply without it): it may or may
    /// not have been acted on, so it is not sent again.
    Unknown(String),
}

/// Where an item ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Final {
    Accepted {
        request_id: Option<String>,
    },
    Failed {
        detail: String,
        request_id: Option<String>,
    },
    /// Not sent: the rules refused it (their sentence), or the run was cancelled.
    Skipped(String),
}

#[derive(Clone, Debug)]
struct Item {
    id: String,
    /// What the report calls it (the requestor's name); may be empty.
    label: String,
    attempts: u32,
    /// 429 answers so far, and 503/504 answers so far: each kind has its own limit.
    throttled: u32,
    busy: u32,
    /// Milliseconds (on the run's clock) before which it is not handed out.
    ready_at: u64,
    in_flight: bool,
    result: Option<Final>,
}

/// Counts for the progress bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: usize,
    pub accepted: usize,
    pub failed: usize,
    /// Waiting to be sent again after a transient answer.
    pub retrying: usize,
    pub skipped: usize,
    pub in_flight: usize,
}

impl Progress {
    pub fn done(&self) -> usize {
        self.accepted + self.failed + self.skipped
    }
}

/// A bulk run: the items, their attempts, and their results.
#[derive(Clone, Debug)]
pub struct Run {
    items: Vec<Item>,
    backoff: Backoff,
    /// A throttled answer pauses the whole run, not just its item: sending fresh items
    /// into a full bucket would only earn more 429s (and starve the retried ones).
    paused_until: u64,
    /// Items allowed in flight (AIMD): halved when Graph starts a pause, grown by about
    /// one item per round of answers it acts on, between one item and
    /// [`CONCURRENCY`] full batches. Sending at the rate Graph admits instead of
    /// refilling every pause with full batches keeps items from being throttled again and
    /// again until they run out of attempts.
    window: f64,
}

impl Run {
    /// A run over `ids` (already checked by the rules), retrying per `backoff`.
    pub fn new(ids: Vec<String>, backoff: Backoff) -> Run {
        Run::planned(
            ids.into_iter()
                .map(|id| (id, String::new(), None))
                .collect(),
            backoff,
        )
    }

    /// A run over a plan: each item's id, label, and the rules' reason when it is
    /// skipped. Skipped items are part of the run (counts, report) but are never sent.
    pub fn planned(plan: Vec<(String, String, Option<String>)>, backoff: Backoff) -> Run {
        Run {
            items: plan
                .into_iter()
                .map(|(id, label, skip)| Item {
                    id,
                    label,
                    attempts: 0,
                    throttled: 0,
                    busy: 0,
                    ready_at: 0,
                    in_flight: false,
                    result: skip.map(Final::Skipped),
                })
                .collect(),
            backoff,
            paused_until: 0,
            window: MAX_WINDOW,
        }
    }

    /// Items the run currently allows in flight.
    pub fn window(&self) -> usize {
        self.window as usize
    }

    /// Up to [`BATCH_SIZE`] items ready at `now_ms` (fewer when the window is nearly
    /// full), marked in flight.
    pub fn next_batch(&mut self, now_ms: u64) -> Vec<String> {
        let mut out = Vec::new();
        if now_ms < self.paused_until {
            return out;
        }
        let in_flight = self.items.iter().filter(|it| it.in_flight).count();
        let room = self.window().saturating_sub(in_flight).min(BATCH_SIZE);
        for it in &mut self.items {
            if out.len() == room {
                break;
            }
            if it.result.is_none() && !it.in_flight && it.ready_at <= now_ms {
                it.in_flight = true;
                it.attempts += 1;
                out.push(it.id.clone());
            }
        }
        out
    }

    /// When the next waiting item becomes ready, if any is waiting and none is ready now.
    pub fn next_ready_at(&self) -> Option<u64> {
        self.items
            .iter()
            .filter(|it| it.result.is_none() && !it.in_flight)
            .map(|it| it.ready_at.max(self.paused_until))
            .min()
    }

    /// Records Graph's answer for `id`, sent at attempt `attempts`; `jitter` in `[0, 1)`.
    pub fn record(&mut self, id: &str, outcome: Outcome, now_ms: u64, jitter: f64) {
        let backoff = self.backoff;
        let Some(it) = self.items.iter_mut().find(|it| it.id == id && it.in_flight) else {
            // Not sent, or answered already: a duplicate answer changes nothing.
            return;
        };
        it.in_flight = false;
        // Graph acted on it (accepted or refused): about one more item per round. Rounds
        // are short (one latency), so growing faster overshoots Graph's rate within a
        // second and every overshoot costs a whole Retry-After.
        if matches!(outcome, Outcome::Accepted { .. } | Outcome::Refused { .. }) {
            self.window = (self.window + 1.0 / self.window).min(MAX_WINDOW);
        }
        match outcome {
            Outcome::Accepted { request_id } => it.result = Some(Final::Accepted { request_id }),
            Outcome::Unauthorized if it.attempts < backoff.max_attempts => {
                // Not acted on; the sender renews the token before the next batch.
                it.ready_at = now_ms;
            }
            Outcome::Transient {
                status,
                retry_after,
            } => {
                let header = retry_after.map(|s| s.to_string());
                // A 429 is Graph pacing the run, which slows down in answer (the window),
                // so it has a limit of its own, well above that of 503/504.
                let (answers, policy) = if status == 429 {
                    it.throttled += 1;
                    let limit = backoff.max_attempts.max(MAX_THROTTLED);
                    (
                        it.throttled,
                        Backoff {
                            max_attempts: limit,
                            ..backoff
                        },
                    )
                } else {
                    it.busy += 1;
                    (it.busy, backoff)
                };
                match policy.after(answers, status, header.as_deref(), jitter) {
                    Retry::After(ms) => {
                        it.ready_at = now_ms + ms;
                        // One halving per pause: the other answers of the same round say
                        // the same thing.
                        if now_ms >= self.paused_until {
                            self.window = (self.window / 2.0).max(1.0);
                        }
                        self.paused_until = self.paused_until.max(it.ready_at);
                    }
                    Retry::No => {
                        it.result = Some(Final::Failed {
                            detail: format!("HTTP {status}: {} ({answers})", t(Msg::BulkGaveUp)),
                            request_id: None,
                        })
                    }
                }
            }
            Outcome::Unauthorized => {
                it.result = Some(Final::Failed {
                    detail: format!("HTTP 401: {}", t(Msg::BulkTokenRefused)),
                    request_id: None,
                })
            }
            Outcome::Refused {
                status,
                code,
                message,
                request_id,
            } => {
                it.result = Some(Final::Failed {
                    detail: format!("HTTP {status} {code}: {message}"),
                    request_id,
                })
            }
            Outcome::Unknown(why) => {
                it.result = Some(Final::Failed {
                    detail: format!("{}: {why}", t(Msg::BulkUnknownOutcome)),
                    request_id: None,
                })
            }
        }
    }

    /// Ends every item not yet sent or waiting: the run was cancelled. Items in flight
    /// still get their answers.
    pub fn cancel(&mut self, why: &str) {
        for it in &mut self.items {
            if it.result.is_none() && !it.in_flight {
                it.result = Some(Final::Skipped(why.to_string()));
            }
        }
    }

    pub fn finished(&self) -> bool {
        self.items.iter().all(|it| it.result.is_some())
    }

    pub fn progress(&self) -> Progress {
        let mut p = Progress {
            total: self.items.len(),
            ..Progress::default()
        };
        for it in &self.items {
            match &it.result {
                Some(Final::Accepted { .. }) => p.accepted += 1,
                Some(Final::Failed { .. }) => p.failed += 1,
                Some(Final::Skipped(_)) => p.skipped += 1,
                None if it.in_flight => p.in_flight += 1,
                None if it.attempts > 0 => p.retrying += 1,
                None => {}
            }
        }
        p
    }

    /// Each item with its result (None while it runs).
    pub fn results(&self) -> Vec<(String, Option<Final>)> {
        self.items
            .iter()
            .map(|it| (it.id.clone(), it.result.clone()))
            .collect()
    }

    /// The report as CSV, one line per item (`id,item,outcome,detail,request_id`): what
    /// did not go through first, then the accepted, each group in the run's order. Items
    /// still running have no line.
    pub fn report_csv(&self) -> String {
        let mut out = String::from("id,item,outcome,detail,request_id\r\n");
        for accepted in [false, true] {
            for it in &self.items {
                let Some(result) = &it.result else { continue };
                if matches!(result, Final::Accepted { .. }) != accepted {
                    continue;
                }
                let (outcome, detail, rid) = match result {
                    Final::Accepted { request_id } => ("accepted", "", request_id.as_deref()),
                    Final::Failed { detail, request_id } => {
                        ("failed", detail.as_str(), request_id.as_deref())
                    }
                    Final::Skipped(why) => ("skipped", why.as_str(), None),
                };
                let line = [
                    it.id.as_str(),
                    it.label.as_str(),
                    outcome,
                    detail,
                    rid.unwrap_or(""),
                ]
                .map(csv_field)
                .join(",");
                out.push_str(&line);
                out.push_str("\r\n");
            }
        }
        out
    }
}

/// The `$batch` body reprocessing `ids` (each a GUID; each item's id is its position).
/// `path` gives an item's action path under the version root, e.g.
/// `identityGovernance/entitlementManagement/assignmentRequests/{id}/reprocess`.
pub fn batch_body(ids: &[String], path: impl Fn(&str) -> String) -> Value {
    json!({
        "requests": ids.iter().enumerate().map(|(i, id)| json!({
            "id": (i + 1).to_string(),
            "method": "POST",
            "url": format!("/{}", path(id)),
        })).collect::<Vec<_>>()
    })
}

/// Reads a `$batch` reply for the items `sent` (in the order of [`batch_body`]): each
/// item's outcome, correlated by id (replies come in any order). An item missing from the
/// reply is [`Outcome::Unknown`].
pub fn read_batch(reply: &Value, sent: &[String]) -> Vec<(String, Outcome)> {
    let responses = reply["responses"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    sent.iter()
        .enumerate()
        .map(|(i, id)| {
            let key = (i + 1).to_string();
            let outcome = match responses
                .iter()
                .find(|r| r["id"].as_str() == Some(key.as_str()))
            {
                None => Outcome::Unknown(t(Msg::BulkNoAnswer).into()),
                Some(r) => item_outcome(r),
            };
            (id.clone(), outcome)
        })
        .collect()
}

fn header<'a>(r: &'a Value, name: &str) -> Option<&'a str> {
    r["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

fn item_outcome(r: &Value) -> Outcome {
    let status = r["status"].as_u64().unwrap_or(0) as u16;
    let request_id = header(r, "request-id").map(str::to_string);
    match status {
        200..=299 => Outcome::Accepted { request_id },
        401 => Outcome::Unauthorized,
        s if is_transient(s) => Outcome::Transient {
            status: s,
            retry_after: header(r, "retry-after").and_then(|v| v.trim().parse().ok()),
        },
        0 => Outcome::Unknown(t(Msg::BulkNoStatus).into()),
        s => Outcome::Refused {
            status: s,
            code: r["body"]["error"]["code"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            message: r["body"]["error"]["message"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            request_id: request_id.or_else(|| {
                r["body"]["error"]["innerError"]["request-id"]
                    .as_str()
                    .map(str::to_string)
            }),
        },
    }
}

/// One CSV field: quoted when needed, and a leading `=`, `+`, `-` or `@` defused so a
/// spreadsheet does not run a display name as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("id{i}")).collect()
    }

    #[test]
    fn batches_hold_at_most_twenty_and_each_item_goes_once() {
        let mut run = Run::new(ids(45), Backoff::default());
        let a = run.next_batch(0);
        let b = run.next_batch(0);
        let c = run.next_batch(0);
        assert_eq!((a.len(), b.len(), c.len()), (20, 20, 5));
        assert!(run.next_batch(0).is_empty(), "everything is in flight");
        let mut all: Vec<String> = [a, b, c].concat();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 45);
        for id in &all {
            run.record(id, Outcome::Accepted { request_id: None }, 0, 0.5);
        }
        assert!(run.finished());
        assert_eq!(run.progress().accepted, 45);
        assert!(run.next_batch(10_000).is_empty());
    }

    #[test]
    fn transient_answers_come_back_after_their_wait_and_refusals_do_not() {
        let mut run = Run::new(ids(3), Backoff::default());
        run.next_batch(0);
        run.record(
            "id0",
            Outcome::Transient {
                status: 429,
                retry_after: Some(2),
            },
            0,
            0.5,
        );
        run.record(
            "id1",
            Outcome::Transient {
                status: 503,
                retry_after: None,
            },
            0,
            1.0,
        );
        run.record(
            "id2",
            Outcome::Refused {
                status: 400,
                code: "BadRequest".into(),
                message: "no".into(),
                request_id: Some("r".into()),
            },
            0,
            0.5,
        );
        let p = run.progress();
        assert_eq!((p.retrying, p.failed), (2, 1));
        // The whole run waits for the longest wait Graph asked for (Retry-After: 2).
        assert_eq!(run.next_ready_at(), Some(2_000));
        assert_eq!(run.next_batch(1_999), Vec::<String>::new());
        assert_eq!(
            run.next_batch(2_000),
            vec!["id0".to_string(), "id1".to_string()]
        );
        assert!(run.progress().retrying == 0 && run.progress().in_flight == 2);
    }

    #[test]
    fn a_throttled_answer_pauses_fresh_items_too() {
        let mut run = Run::new(ids(40), Backoff::default());
        assert_eq!(run.next_batch(0).len(), 20);
        run.record(
            "id0",
            Outcome::Transient {
                status: 429,
                retry_after: Some(1),
            },
            0,
            0.5,
        );
        assert!(run.next_batch(10).is_empty(), "id20..id39 wait too");
        let next = run.next_batch(1_000);
        assert_eq!(next.len(), 20);
        assert_eq!(next[0], "id0", "the retried item goes first");
    }

    #[test]
    fn an_expired_token_sends_the_item_again_but_an_unknown_outcome_never() {
        let mut run = Run::new(ids(2), Backoff::default());
        run.next_batch(0);
        run.record("id0", Outcome::Unauthorized, 0, 0.5);
        run.record("id1", Outcome::Unknown("network".into()), 0, 0.5);
        assert_eq!(run.next_batch(0), vec!["id0".to_string()]);
        run.record("id0", Outcome::Accepted { request_id: None }, 0, 0.5);
        assert!(run.finished());
        let p = run.progress();
        assert_eq!((p.accepted, p.failed), (1, 1));
    }

    #[test]
    fn throttling_without_end_fails_the_item_after_the_last_attempt() {
        let three = Backoff {
            max_attempts: 3,
            base_ms: 10,
            cap_ms: 100,
        };
        let mut run = Run::new(ids(1), three);
        for now in [0, 1_000, 2_000] {
            assert_eq!(run.next_batch(now), vec!["id0".to_string()]);
            run.record(
                "id0",
                Outcome::Transient {
                    status: 503,
                    retry_after: None,
                },
                now,
                0.5,
            );
        }
        assert!(run.finished());
        assert!(
            matches!(&run.results()[0].1, Some(Final::Failed { detail, .. }) if detail.contains("503: ") && detail.contains("(3)"))
        );
        // 429s have their own, higher limit: the run slows down instead of giving up.
        let mut run = Run::new(ids(1), three);
        let mut now = 0;
        while !run.finished() {
            assert_eq!(run.next_batch(now), vec!["id0".to_string()]);
            let throttled = Outcome::Transient {
                status: 429,
                retry_after: Some(1),
            };
            run.record("id0", throttled, now, 0.5);
            now += 1_000;
        }
        assert_eq!(now, u64::from(MAX_THROTTLED) * 1_000);
    }

    #[test]
    fn a_duplicate_or_stray_answer_changes_nothing() {
        let mut run = Run::new(ids(1), Backoff::default());
        run.record("id0", Outcome::Accepted { request_id: None }, 0, 0.5);
        assert!(!run.finished(), "not sent yet");
        run.next_batch(0);
        run.record(
            "id0",
            Outcome::Accepted {
                request_id: Some("1".into()),
            },
            0,
            0.5,
        );
        run.record(
            "id0",
            Outcome::Refused {
                status: 400,
                code: String::new(),
                message: String::new(),
                request_id: None,
            },
            0,
            0.5,
        );
        assert_eq!(
            run.results()[0].1,
            Some(Final::Accepted {
                request_id: Some("1".into())
            })
        );
    }

    #[test]
    fn cancel_skips_what_was_not_sent_and_keeps_what_is_in_flight() {
        let mut run = Run::new(ids(25), Backoff::default());
        let first = run.next_batch(0);
        run.cancel("cancelled");
        assert_eq!(run.progress().skipped, 5);
        assert!(!run.finished());
        for id in &first {
            run.record(id, Outcome::Accepted { request_id: None }, 0, 0.5);
        }
        assert!(run.finished());
        assert!(run.next_batch(0).is_empty());
    }

    #[test]
    fn batch_replies_are_read_by_id_in_any_order() {
        let sent = vec![
            "a".to_string(),
            "b".to_string(),
            "c".to_string(),
            "d".to_string(),
        ];
        let body = batch_body(&sent, |id| format!("x/{id}/reprocess"));
        assert_eq!(
            body["requests"][1],
            json!({ "id": "2", "method": "POST", "url": "/x/b/reprocess" })
        );
        let reply = json!({ "responses": [
            { "id": "3", "status": 429, "headers": { "Retry-After": "4" } },
            { "id": "1", "status": 202, "headers": { "request-id": "r1" } },
            { "id": "2", "status": 400, "headers": {}, "body": { "error": { "code": "BadRequest", "message": "state is delivered", "innerError": { "request-id": "r2" } } } },
        ]});
        let read = read_batch(&reply, &sent);
        assert_eq!(
            read[0].1,
            Outcome::Accepted {
                request_id: Some("r1".into())
            }
        );
        assert_eq!(
            read[1].1,
            Outcome::Refused {
                status: 400,
                code: "BadRequest".into(),
                message: "state is delivered".into(),
                request_id: Some("r2".into())
            }
        );
        assert_eq!(
            read[2].1,
            Outcome::Transient {
                status: 429,
                retry_after: Some(4)
            }
        );
        assert!(matches!(read[3].1, Outcome::Unknown(_)));
    }

    #[test]
    fn throttling_halves_the_window_once_per_pause_and_acted_answers_grow_it_back() {
        let mut run = Run::new(ids(200), Backoff::default());
        let batches: Vec<Vec<String>> = (0..4).map(|_| run.next_batch(0)).collect();
        assert!(batches.iter().all(|b| b.len() == BATCH_SIZE));
        assert!(
            run.next_batch(0).is_empty(),
            "four full batches fill the window"
        );
        // A whole batch throttled in one reply: one pause, one halving.
        for id in &batches[0] {
            let throttled = Outcome::Transient {
                status: 429,
                retry_after: Some(1),
            };
            run.record(id, throttled, 10, 0.5);
        }
        assert_eq!(run.window(), 40);
        // After the pause 60 are still in flight, above the window: nothing more goes.
        assert!(run.next_batch(1_010).is_empty());
        for id in batches[1..].iter().flatten() {
            run.record(id, Outcome::Accepted { request_id: None }, 1_020, 0.5);
        }
        // About one more item per round of answers: 60 answers at a window of 40.
        assert_eq!(run.window(), 41);
        assert_eq!(run.next_batch(1_030).len(), BATCH_SIZE);
    }

    #[test]
    fn the_window_never_closes_so_a_throttled_run_still_moves() {
        let mut run = Run::new(ids(50), Backoff::default());
        let mut sizes = Vec::new();
        for round in 0..8u64 {
            let now = round * 1_000;
            let batch = run.next_batch(now);
            assert!(
                !batch.is_empty(),
                "round {round}: unfinished items but nothing to send"
            );
            sizes.push(batch.len());
            for id in &batch {
                let busy = Outcome::Transient {
                    status: 503,
                    retry_after: Some(1),
                };
                run.record(id, busy, now, 0.5);
            }
            assert!(run.window() >= 1);
        }
        // Window 80 → 40 → 20 → 10 → 5 → 2: each pause sends half as much as the last
        // (batches hold 20 at most).
        assert_eq!(sizes[..6], [20, 20, 20, 10, 5, 2]);
    }

    #[test]
    fn the_csv_report_puts_problems_first_quotes_and_defuses_formulas() {
        let plan = vec![
            ("1".to_string(), "O'Brien, Liam".to_string(), None),
            ("2".to_string(), "=HYPERLINK(\"x\")".to_string(), None),
            (
                "3".to_string(),
                "王小明".to_string(),
                Some("outside the window".to_string()),
            ),
            ("4".to_string(), "still running".to_string(), None),
        ];
        let mut run = Run::planned(plan, Backoff::default());
        assert_eq!(
            run.progress().skipped,
            1,
            "a rule skip counts from the start"
        );
        let batch = run.next_batch(0);
        assert_eq!(batch, ["1", "2", "4"], "a skipped item is never sent");
        run.record(
            "1",
            Outcome::Accepted {
                request_id: Some("r".into()),
            },
            0,
            0.5,
        );
        run.record(
            "2",
            Outcome::Refused {
                status: 400,
                code: "BadRequest".into(),
                message: "no".into(),
                request_id: None,
            },
            0,
            0.5,
        );
        let csv = run.report_csv();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines,
            [
                "id,item,outcome,detail,request_id",
                "2,\"'=HYPERLINK(\"\"x\"\")\",failed,HTTP 400 BadRequest: no,",
                "3,王小明,skipped,outside the window,",
                "1,\"O'Brien, Liam\",accepted,,r",
                "",
            ]
        );
    }
}
