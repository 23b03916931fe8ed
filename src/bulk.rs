//! Bulk reprocess, all of it but the transport: which items go, how they are packed into
//! JSON `$batch` calls of at most 20, what each answer means, when an item goes again,
//! how the run paces itself to Graph's throttle, and how an item whose answer was lost is
//! reconciled by reading it. [`drive`] runs a [`Run`] over any [`Transport`]: the browser
//! (`components::bulk`) and `cargo xtask bench bulk` run this same driver.
//!
//! Never resend blind: an item is sent again only when Graph said it did not act on it
//! (429 for that item, after its Retry-After, or 401 before a token renewal). Any other
//! answer that might hide an action (503, 504, a network failure, an item missing from the
//! reply, a whole `$batch` lost) makes the item *unsure*, and it is never sent again:
//! reprocess is asynchronous (202), Graph queues it and acts later, so a read that still
//! shows the old state may have been taken before Graph's queue ran. The item is read a
//! few times over about 20 s: a read that shows the reprocess took effect makes it
//! *verified*; otherwise it ends *answer lost*, with the request-id to give support. This
//! keeps at most one reprocess per item under any queue delay: it relies on no bound.
//!
//! ```
//! use access_desk::bulk::{Outcome, Run, Work};
//! let mut run = Run::new(vec!["a".into(), "b".into()]);
//! let Some(Work::Send(batch)) = run.next_work(0) else { panic!() };
//! assert_eq!(batch, vec!["a".to_string(), "b".to_string()]);
//! run.record_sent(0, vec![
//!     ("a".into(), Outcome::Accepted { request_id: None }),
//!     ("b".into(), Outcome::Throttled { retry_after: Some(1) }),
//! ], 20);
//! assert!(run.next_work(500).is_none()); // b waits its second
//! assert_eq!(run.next_work(1_020), Some(Work::Send(vec!["b".to_string()])));
//! ```

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::export::csv_field;
use crate::graph::retry::{Backoff, Retry};
use crate::i18n::{Msg, t, tf};
use crate::labels::state_with_code;
use crate::rules::{Verdict, reprocess_took_effect};

/// Items per JSON batch: Graph's limit.
pub const BATCH_SIZE: usize = 20;

/// `$batch` calls a run keeps in flight at most.
pub const CONCURRENCY: usize = 4;

/// 429 answers an item may get before it is reported failed.
pub const MAX_THROTTLED: u32 = 20;

/// How long after a lost answer an item is first read: a moment for Graph to show what
/// it did.
pub const SETTLE_MS: u64 = 1_000;

/// Reads of an unsure item before it is reported answer lost (each waits a moment longer
/// than the last: about 20 s in all). Reads only look: however many there are, the item
/// is never sent again.
const MAX_READS: u32 = 6;

/// How long a paced run may go without a throttled answer before it tries a little faster.
const PROBE_AFTER_MS: u64 = 1_000;

/// Measuring Graph's rate takes samples spanning this long.
const MEASURE_SPAN_MS: u64 = 250;

/// Two throttled batches sent at most this far apart make a sample of Graph's rate.
const SAMPLE_GAP_MS: u64 = 300;

/// Samples of Graph's rate are kept this long.
const SAMPLES_FOR_MS: u64 = 2_000;

/// What Graph answered for one item of an action batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: Graph accepted the action.
    Accepted { request_id: Option<String> },
    /// 429 for this item: not acted on; may be sent again after the wait.
    Throttled { retry_after: Option<u64> },
    /// 401: the token expired mid-run; renew it and send the item again.
    Unauthorized,
    /// Any other 4xx: Graph refused, with its code and message.
    Refused {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// 503, 504, a network failure, an item missing from the reply: Graph may or may not
    /// have acted. The item is read before anything else happens to it.
    Unsure {
        why: String,
        request_id: Option<String>,
    },
}

/// What a read of an item (to reconcile it) gave.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadOutcome {
    /// The item's JSON.
    Item(Value),
    /// 429 (`throttled`), 503, 504 or a lost answer: read it again later (reads are safe
    /// to repeat).
    Again {
        retry_after: Option<u64>,
        throttled: bool,
    },
    /// 401: the token expired; read again once it is renewed.
    Unauthorized,
    /// Any other answer (404, 403…).
    Failed {
        detail: String,
        request_id: Option<String>,
    },
}

/// Where an item ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Final {
    Accepted {
        request_id: Option<String>,
    },
    /// The answer was lost, and a read shows the action took effect.
    Verified {
        detail: String,
        request_id: Option<String>,
    },
    /// The answer was lost and no read showed the action taking effect: Graph may still
    /// act (it queues reprocesses), so it is not sent again.
    AnswerLost {
        detail: String,
        request_id: Option<String>,
    },
    Failed {
        detail: String,
        request_id: Option<String>,
    },
    /// Not sent: the rules refused it (their sentence), or the run was cancelled.
    Skipped(String),
}

/// An item's state and completion before the run, as its row showed them: what a read is
/// compared with to tell whether the action took effect.
pub use crate::rules::Standing as Before;

/// One item of a plan: its id, what the report calls it, how it stood, and the rules'
/// reason when it is skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Planned {
    pub id: String,
    pub label: String,
    pub before: Before,
    pub skip: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum Stage {
    /// Waiting to be sent (not before `ready_at`).
    Pending,
    Sending,
    /// Its answer was lost; read it at `ready_at`.
    Unsure,
    Reading,
    Done(Final),
}

#[derive(Clone, Debug)]
struct Item {
    planned: Planned,
    stage: Stage,
    ready_at: u64,
    sends: u32,
    throttled: u32,
    reads: u32,
    /// Why it is unsure, and the request-id of the lost answer, if any.
    unsure: Option<(String, Option<String>)>,
}

/// Counts for the progress bar and the report's summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: usize,
    pub accepted: usize,
    pub verified: usize,
    pub answer_lost: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Sent at least once and not finished: waiting to go again, or being reconciled.
    pub retrying: usize,
    pub in_flight: usize,
}

impl Progress {
    pub fn done(&self) -> usize {
        self.accepted + self.verified + self.answer_lost + self.failed + self.skipped
    }
}

/// What to do next: send these items' actions, or read these items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Work {
    Send(Vec<String>),
    Read(Vec<String>),
}

/// How fast the run sends. Graph throttles every item of a `$batch` on its own and says so
/// only by 429s; the run learns Graph's rate from them rather than overshooting again and
/// again:
/// - `Open`: no throttling seen, up to [`CONCURRENCY`] batches in flight;
/// - `Measuring`: throttled once; one batch at a time, each about twice what Graph took of
///   the last, until Graph's rate is measured;
/// - `Paced`: batches at the measured rate; slower after a 429 (to the rate measured
///   since, when there is one), 10% faster after a quiet second.
///
/// The rate is measured between two throttled batches sent close together: Graph's bucket
/// was empty at both, so what it took in between is what it refilled. A pair far apart is
/// not a sample (the bucket may have filled up and overflowed meanwhile), and a batch
/// whose answer was lost says nothing.
#[derive(Clone, Debug, PartialEq)]
enum Mode {
    Open,
    Measuring {
        size: usize,
    },
    Paced {
        per_second: f64,
        next_slot: u64,
        quiet_since: u64,
    },
}

#[derive(Clone, Debug, PartialEq)]
struct Pacer {
    mode: Mode,
    /// Send time of the last throttled batch, and what Graph took (acted on or read) in
    /// batches heard since.
    drained_at: Option<u64>,
    taken_since: usize,
    /// Samples of Graph's rate: (when heard, items taken, milliseconds between the two
    /// throttled batches).
    samples: std::collections::VecDeque<(u64, usize, u64)>,
}

impl Pacer {
    fn new() -> Pacer {
        Pacer {
            mode: Mode::Open,
            drained_at: None,
            taken_since: 0,
            samples: Default::default(),
        }
    }

    /// Items per second Graph took over the recent samples, once they span enough time.
    fn measured(&self) -> Option<f64> {
        let (taken, ms) = self
            .samples
            .iter()
            .fold((0, 0), |(t, m), (_, taken, ms)| (t + taken, m + ms));
        (ms >= MEASURE_SPAN_MS).then(|| (taken as f64 * 1000.0 / ms as f64).max(1.0))
    }

    /// Whether a batch may leave at `now_ms` with `in_flight` batches out, and how many
    /// items it may hold.
    fn room(&self, in_flight: usize, now_ms: u64) -> Option<usize> {
        match &self.mode {
            Mode::Open if in_flight < CONCURRENCY => Some(BATCH_SIZE),
            Mode::Measuring { size } if in_flight == 0 => Some(*size),
            Mode::Paced {
                per_second,
                next_slot,
                ..
            } if now_ms >= *next_slot && in_flight < CONCURRENCY => {
                // A batch worth about a tenth of a second at the rate, so a slow Graph
                // sees a steady trickle rather than bursts.
                Some(((per_second / 10.0).round() as usize).clamp(1, BATCH_SIZE))
            }
            _ => None,
        }
    }

    /// A batch of `n` items left at `now_ms`.
    fn sent(&mut self, n: usize, now_ms: u64) {
        if let Mode::Paced {
            per_second,
            next_slot,
            ..
        } = &mut self.mode
        {
            *next_slot = now_ms + (n as f64 * 1000.0 / *per_second) as u64;
        }
    }

    /// When the next paced slot opens, if the run is paced.
    fn next_slot(&self) -> Option<u64> {
        match &self.mode {
            Mode::Paced { next_slot, .. } => Some(*next_slot),
            _ => None,
        }
    }

    /// A batch's answer was lost: what it took is unknown, so the measurement between the
    /// throttled batches around it starts again.
    fn lost(&mut self) {
        self.drained_at = None;
        self.taken_since = 0;
    }

    /// Graph answered a batch sent at `sent_ms`: it took `taken` items (acted on, refused
    /// or read: each used a token) and throttled `throttled`, heard at `now_ms`.
    fn heard(&mut self, sent_ms: u64, taken: usize, throttled: usize, now_ms: u64) {
        self.taken_since += taken;
        if throttled > 0 {
            if let Some(prev) = self.drained_at
                && sent_ms > prev
                && sent_ms - prev <= SAMPLE_GAP_MS
            {
                self.samples
                    .push_back((now_ms, self.taken_since, sent_ms - prev));
            }
            self.drained_at = Some(sent_ms);
            self.taken_since = 0;
        }
        while self
            .samples
            .front()
            .is_some_and(|(at, _, _)| now_ms.saturating_sub(*at) > SAMPLES_FOR_MS)
        {
            self.samples.pop_front();
        }
        let measured = self.measured();
        self.mode = match std::mem::replace(&mut self.mode, Mode::Open) {
            Mode::Open if throttled > 0 => Mode::Measuring {
                size: (2 * taken).clamp(2, BATCH_SIZE),
            },
            Mode::Open => Mode::Open,
            // A whole batch at a time went through: Graph admits more than that, so the
            // throttling was a moment's.
            Mode::Measuring { size } if throttled == 0 && size == BATCH_SIZE => Mode::Open,
            Mode::Measuring { .. } => match measured {
                Some(per_second) => Mode::Paced {
                    per_second,
                    next_slot: now_ms,
                    quiet_since: now_ms,
                },
                None => Mode::Measuring {
                    size: (2 * taken).clamp(2, BATCH_SIZE),
                },
            },
            Mode::Paced {
                per_second,
                next_slot,
                quiet_since,
            } => {
                let (per_second, quiet_since) = if throttled > 0 {
                    let slower = measured.map_or(per_second * 0.95, |m| m.min(per_second));
                    (slower.max(1.0), now_ms)
                } else if now_ms.saturating_sub(quiet_since) >= PROBE_AFTER_MS {
                    (per_second * 1.05, now_ms)
                } else {
                    (per_second, quiet_since)
                };
                Mode::Paced {
                    per_second,
                    next_slot,
                    quiet_since,
                }
            }
        };
    }
}

/// A bulk run: the items, their attempts, their results, and the pace.
#[derive(Clone, Debug)]
pub struct Run {
    items: Vec<Item>,
    index: HashMap<String, usize>,
    backoff: Backoff,
    pace: Pacer,
    batches_in_flight: usize,
}

impl Run {
    /// A run over `ids` (already checked by the rules).
    pub fn new(ids: Vec<String>) -> Run {
        Run::planned(
            ids.into_iter()
                .map(|id| Planned {
                    id,
                    ..Planned::default()
                })
                .collect(),
        )
    }

    /// A run over a plan. Skipped items are part of the run (counts, report) but are never
    /// sent; an id planned twice (the same request on two pages) is one item.
    pub fn planned(plan: Vec<Planned>) -> Run {
        let mut items: Vec<Item> = Vec::with_capacity(plan.len());
        let mut index = HashMap::with_capacity(plan.len());
        for p in plan {
            let key = p.id.to_ascii_lowercase();
            if index.contains_key(&key) {
                continue;
            }
            index.insert(key, items.len());
            let stage = match &p.skip {
                Some(why) => Stage::Done(Final::Skipped(why.clone())),
                None => Stage::Pending,
            };
            items.push(Item {
                planned: p,
                stage,
                ready_at: 0,
                sends: 0,
                throttled: 0,
                reads: 0,
                unsure: None,
            });
        }
        Run {
            items,
            index,
            backoff: Backoff::default(),
            pace: Pacer::new(),
            batches_in_flight: 0,
        }
    }

    fn item_mut(&mut self, id: &str) -> Option<&mut Item> {
        let i = *self.index.get(&id.to_ascii_lowercase())?;
        self.items.get_mut(i)
    }

    /// The next batch to send or read at `now_ms`, if the pace allows one and an item is
    /// ready; its items are marked in flight. Reads of unsure items go first: they decide
    /// what happens to items Graph may have acted on.
    pub fn next_work(&mut self, now_ms: u64) -> Option<Work> {
        let size = self.pace.room(self.batches_in_flight, now_ms)?;
        let ready = |it: &Item, stage: &Stage| it.stage == *stage && it.ready_at <= now_ms;
        let mut reads = Vec::new();
        for it in self.items.iter_mut() {
            if reads.len() == size {
                break;
            }
            if ready(it, &Stage::Unsure) {
                it.stage = Stage::Reading;
                it.reads += 1;
                reads.push(it.planned.id.clone());
            }
        }
        let work = if !reads.is_empty() {
            Work::Read(reads)
        } else {
            let mut sends = Vec::new();
            for it in self.items.iter_mut() {
                if sends.len() == size {
                    break;
                }
                if ready(it, &Stage::Pending) {
                    it.stage = Stage::Sending;
                    it.sends += 1;
                    sends.push(it.planned.id.clone());
                }
            }
            if sends.is_empty() {
                return None;
            }
            Work::Send(sends)
        };
        self.batches_in_flight += 1;
        let n = match &work {
            Work::Send(v) | Work::Read(v) => v.len(),
        };
        self.pace.sent(n, now_ms);
        Some(work)
    }

    /// When something may next become ready (a wait ends, a pacing slot opens), if anything
    /// is waiting; the driver sleeps until then or until an answer arrives.
    pub fn next_wake(&self) -> Option<u64> {
        let waiting = self
            .items
            .iter()
            .filter(|it| matches!(it.stage, Stage::Pending | Stage::Unsure))
            .map(|it| it.ready_at)
            .min()?;
        Some(match self.pace.next_slot() {
            Some(slot) => waiting.max(slot),
            None => waiting,
        })
    }

    /// Records the answers to a batch of actions sent at `sent_ms`, at `now_ms`.
    pub fn record_sent(&mut self, sent_ms: u64, answers: Vec<(String, Outcome)>, now_ms: u64) {
        self.batches_in_flight = self.batches_in_flight.saturating_sub(1);
        let (mut acted, mut throttled) = (0, 0);
        // A batch whose answer was lost says nothing about Graph's rate.
        let heard = answers
            .iter()
            .any(|(_, o)| !matches!(o, Outcome::Unsure { .. }));
        let backoff = self.backoff;
        for (id, outcome) in answers {
            let Some(it) = self.item_mut(&id) else {
                continue;
            };
            if it.stage != Stage::Sending {
                // Not sent, or answered already: a duplicate answer changes nothing.
                continue;
            }
            it.stage = Stage::Pending;
            match outcome {
                Outcome::Accepted { request_id } => {
                    acted += 1;
                    it.stage = Stage::Done(Final::Accepted { request_id });
                }
                Outcome::Refused {
                    status,
                    code,
                    message,
                    request_id,
                } => {
                    acted += 1;
                    it.stage = Stage::Done(Final::Failed {
                        detail: format!("HTTP {status} {code}: {message}"),
                        request_id,
                    });
                }
                Outcome::Throttled { retry_after } => {
                    throttled += 1;
                    it.throttled += 1;
                    let limit = Backoff {
                        max_attempts: MAX_THROTTLED,
                        ..backoff
                    };
                    let header = retry_after.map(|s| s.to_string());
                    match limit.after(it.throttled, 429, header.as_deref(), 0.5) {
                        Retry::After(ms) => it.ready_at = now_ms + ms,
                        Retry::No => {
                            it.stage = Stage::Done(Final::Failed {
                                detail: tf(
                                    Msg::BulkGaveUp,
                                    &[("count", &it.throttled.to_string())],
                                ),
                                request_id: None,
                            })
                        }
                    }
                }
                Outcome::Unauthorized if it.sends < backoff.max_attempts => {
                    // Not acted on; the driver renews the token before the next batch.
                    it.ready_at = now_ms;
                }
                Outcome::Unauthorized => {
                    it.stage = Stage::Done(Final::Failed {
                        detail: t(Msg::BulkTokenRefused).into(),
                        request_id: None,
                    })
                }
                Outcome::Unsure { why, request_id } => {
                    it.stage = Stage::Unsure;
                    it.ready_at = now_ms + SETTLE_MS;
                    it.unsure = Some((why, request_id));
                }
            }
        }
        if heard {
            self.pace.heard(sent_ms, acted, throttled, now_ms);
        } else {
            self.pace.lost();
        }
    }

    /// Records the reads of unsure items, at `now_ms`: a read that shows the action took
    /// effect verifies the item; one that shows it as before is read again later, up to
    /// [`MAX_READS`]; otherwise the item ends answer lost. None is sent again.
    pub fn record_read(&mut self, sent_ms: u64, answers: Vec<(String, ReadOutcome)>, now_ms: u64) {
        self.batches_in_flight = self.batches_in_flight.saturating_sub(1);
        // Reads use Graph's tokens too: what they meet paces the run like actions do.
        let taken = answers
            .iter()
            .filter(|(_, r)| matches!(r, ReadOutcome::Item(_) | ReadOutcome::Failed { .. }))
            .count();
        let throttled = answers
            .iter()
            .filter(|(_, r)| {
                matches!(
                    r,
                    ReadOutcome::Again {
                        throttled: true,
                        ..
                    }
                )
            })
            .count();
        if taken + throttled > 0 {
            self.pace.heard(sent_ms, taken, throttled, now_ms);
        } else {
            self.pace.lost();
        }
        for (id, read) in answers {
            let Some(it) = self.item_mut(&id) else {
                continue;
            };
            if it.stage != Stage::Reading {
                continue;
            }
            let (why, lost_id) = it.unsure.clone().unwrap_or_default();
            let lost = |detail: String, request_id: Option<String>| {
                Stage::Done(Final::AnswerLost { detail, request_id })
            };
            let read_again = |it: &mut Item, retry_after: Option<u64>| {
                let wait = SETTLE_MS * u64::from(it.reads);
                it.ready_at = now_ms + retry_after.map_or(wait, |s| (s * 1000).max(wait));
                Stage::Unsure
            };
            it.stage = match read {
                ReadOutcome::Item(json) => {
                    let after = Before::of(&crate::graph::models::Request::from_json(&json));
                    match reprocess_took_effect(&it.planned.before, &after) {
                        Verdict::Acted => Stage::Done(Final::Verified {
                            detail: tf(
                                Msg::BulkVerified,
                                &[("why", &why), ("state", &state_with_code(&after.state))],
                            ),
                            request_id: lost_id,
                        }),
                        // As before: Graph may not have reached it in its queue yet. Look
                        // again; never send again.
                        Verdict::Untouched if it.reads < MAX_READS => read_again(it, None),
                        Verdict::Untouched => {
                            lost(tf(Msg::BulkAnswerLostUnchanged, &[("why", &why)]), lost_id)
                        }
                        Verdict::Unclear => lost(
                            tf(
                                Msg::BulkAnswerLostUnclear,
                                &[("why", &why), ("state", &state_with_code(&after.state))],
                            ),
                            lost_id,
                        ),
                    }
                }
                ReadOutcome::Unauthorized if it.reads < MAX_READS => {
                    it.ready_at = now_ms;
                    Stage::Unsure
                }
                ReadOutcome::Again { retry_after, .. } if it.reads < MAX_READS => {
                    read_again(it, retry_after)
                }
                ReadOutcome::Again { .. } | ReadOutcome::Unauthorized => {
                    lost(tf(Msg::BulkUnreadableAfterLoss, &[("why", &why)]), lost_id)
                }
                ReadOutcome::Failed { detail, request_id } => lost(
                    tf(Msg::BulkReadFailed, &[("why", &why), ("detail", &detail)]),
                    request_id.or(lost_id),
                ),
            };
        }
    }

    /// Ends every item not yet sent: the run was cancelled (or cannot go on). Items in
    /// flight still get their answers, and unsure ones are still reconciled.
    pub fn cancel(&mut self, why: &str) {
        for it in &mut self.items {
            if it.stage == Stage::Pending {
                it.stage = Stage::Done(Final::Skipped(why.to_string()));
            }
        }
    }

    pub fn finished(&self) -> bool {
        self.items
            .iter()
            .all(|it| matches!(it.stage, Stage::Done(_)))
    }

    pub fn progress(&self) -> Progress {
        let mut p = Progress {
            total: self.items.len(),
            ..Progress::default()
        };
        for it in &self.items {
            match &it.stage {
                Stage::Done(Final::Accepted { .. }) => p.accepted += 1,
                Stage::Done(Final::Verified { .. }) => p.verified += 1,
                Stage::Done(Final::AnswerLost { .. }) => p.answer_lost += 1,
                Stage::Done(Final::Failed { .. }) => p.failed += 1,
                Stage::Done(Final::Skipped(_)) => p.skipped += 1,
                Stage::Sending | Stage::Reading => p.in_flight += 1,
                Stage::Unsure => p.retrying += 1,
                Stage::Pending if it.sends > 0 => p.retrying += 1,
                Stage::Pending => {}
            }
        }
        p
    }

    /// Each item with its result (None while it runs).
    pub fn results(&self) -> Vec<(String, Option<Final>)> {
        self.items
            .iter()
            .map(|it| {
                let done = match &it.stage {
                    Stage::Done(f) => Some(f.clone()),
                    _ => None,
                };
                (it.planned.id.clone(), done)
            })
            .collect()
    }

    /// The report as CSV, one line per item: what did not go through first (answer lost,
    /// failed, skipped), then the verified and the accepted, each group in the run's
    /// order. Items still running have no line. `header` names the columns (`id`, `item`,
    /// `outcome`, `detail`, `request-id`, in the admin's language).
    pub fn report_csv(&self, header: [&str; 5]) -> String {
        let mut out = header.map(csv_field).join(",");
        out.push_str("\r\n");
        let rank = |f: &Final| match f {
            Final::AnswerLost { .. } => 0,
            Final::Failed { .. } => 1,
            Final::Skipped(_) => 2,
            Final::Verified { .. } => 3,
            Final::Accepted { .. } => 4,
        };
        for group in 0..5 {
            for it in &self.items {
                let Stage::Done(result) = &it.stage else {
                    continue;
                };
                if rank(result) != group {
                    continue;
                }
                let (outcome, detail, rid) = match result {
                    Final::Accepted { request_id } => ("accepted", "", request_id.as_deref()),
                    Final::Verified { detail, request_id } => {
                        ("verified", detail.as_str(), request_id.as_deref())
                    }
                    Final::AnswerLost { detail, request_id } => {
                        ("answer-lost", detail.as_str(), request_id.as_deref())
                    }
                    Final::Failed { detail, request_id } => {
                        ("failed", detail.as_str(), request_id.as_deref())
                    }
                    Final::Skipped(why) => ("skipped", why.as_str(), None),
                };
                let line = [
                    it.planned.id.as_str(),
                    it.planned.label.as_str(),
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

/// The `$batch` body of `items`, each `(method, url)` with `url` relative to the version
/// root (`identityGovernance/entitlementManagement/…`); each item's id is its position.
///
/// A write item carries a JSON `Content-Type` and a body, `{}` for an action that takes
/// none (concepts/json-batching.md: a body needs a Content-Type): Graph refuses a whole
/// batch with a bodyless write item (400, "Write request id : 1 does not contain
/// Content-Type header or body.", as reported in microsoftgraph/msgraph-sdk-dotnet#2628).
pub fn batch_body(items: &[(&str, String)]) -> Value {
    json!({
        "requests": items.iter().enumerate().map(|(i, (method, url))| {
            let mut item = json!({
                "id": (i + 1).to_string(),
                "method": method,
                "url": format!("/{url}"),
            });
            if *method != "GET" {
                item["headers"] = json!({ "Content-Type": "application/json" });
                item["body"] = json!({});
            }
            item
        }).collect::<Vec<_>>()
    })
}

fn header<'a>(r: &'a Value, name: &str) -> Option<&'a str> {
    r["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

/// The reply item of the `i`th request (0-based) of a batch, correlated by id (replies
/// come in any order).
fn reply_item(reply: &Value, i: usize) -> Option<&Value> {
    let key = (i + 1).to_string();
    reply["responses"]
        .as_array()?
        .iter()
        .find(|r| r["id"].as_str() == Some(key.as_str()))
}

fn request_id(r: &Value) -> Option<String> {
    header(r, "request-id").map(str::to_string).or_else(|| {
        r["body"]["error"]["innerError"]["request-id"]
            .as_str()
            .map(str::to_string)
    })
}

/// Reads a `$batch` reply to the actions on `sent` (in the order of [`batch_body`]): each
/// item's outcome. An item missing from the reply is [`Outcome::Unsure`]. Graph's items
/// carry no `request-id` header of their own (an error's body has one): an item without
/// one is reported with `batch_request_id`, the `$batch` call's, which support can trace.
pub fn read_action_batch(
    reply: &Value,
    sent: &[String],
    batch_request_id: Option<&str>,
) -> Vec<(String, Outcome)> {
    sent.iter()
        .enumerate()
        .map(|(i, id)| {
            let outcome = match reply_item(reply, i) {
                None => Outcome::Unsure {
                    why: t(Msg::BulkNoAnswer).into(),
                    request_id: None,
                },
                Some(r) => item_outcome(r, batch_request_id),
            };
            (id.clone(), outcome)
        })
        .collect()
}

fn item_outcome(r: &Value, batch_request_id: Option<&str>) -> Outcome {
    let status = r["status"].as_u64().unwrap_or(0) as u16;
    let request_id = request_id(r).or_else(|| batch_request_id.map(str::to_string));
    match status {
        200..=299 => Outcome::Accepted { request_id },
        401 => Outcome::Unauthorized,
        429 => Outcome::Throttled {
            retry_after: header(r, "retry-after").and_then(|v| v.trim().parse().ok()),
        },
        400..=499 => Outcome::Refused {
            status,
            code: r["body"]["error"]["code"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            message: r["body"]["error"]["message"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            request_id,
        },
        0 => Outcome::Unsure {
            why: t(Msg::BulkNoStatus).into(),
            request_id,
        },
        s => Outcome::Unsure {
            why: format!("HTTP {s}"),
            request_id,
        },
    }
}

/// Reads a `$batch` reply to the reads of `sent`.
pub fn read_item_batch(reply: &Value, sent: &[String]) -> Vec<(String, ReadOutcome)> {
    sent.iter()
        .enumerate()
        .map(|(i, id)| {
            let read = match reply_item(reply, i) {
                None => ReadOutcome::Again {
                    retry_after: None,
                    throttled: false,
                },
                Some(r) => match r["status"].as_u64().unwrap_or(0) {
                    200..=299 => ReadOutcome::Item(r["body"].clone()),
                    401 => ReadOutcome::Unauthorized,
                    s @ (429 | 503 | 504 | 0) => ReadOutcome::Again {
                        retry_after: header(r, "retry-after").and_then(|v| v.trim().parse().ok()),
                        throttled: s == 429,
                    },
                    s => ReadOutcome::Failed {
                        detail: format!(
                            "HTTP {s} {}",
                            r["body"]["error"]["code"].as_str().unwrap_or("")
                        ),
                        request_id: request_id(r),
                    },
                },
            };
            (id.clone(), read)
        })
        .collect()
}

/// What became of a whole `$batch` call, as the transport reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum BatchAnswer {
    /// Graph answered the batch (2xx): its reply, and the call's `request-id` header.
    Reply {
        body: Value,
        request_id: Option<String>,
    },
    /// Refused as a whole (4xx other than 429 and 401): nothing in it ran.
    Refused {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// No usable answer (503, 504, network failure, unreadable reply): any item may have
    /// been acted on.
    Lost {
        why: String,
        request_id: Option<String>,
    },
    /// Signing in again needs the admin (the refresh token has expired): the run pauses.
    SignInNeeded,
}

/// How a run reaches Graph. The browser's is fetch with the app's token handling
/// (renewal on 401, the whole call retried only after a 429); `cargo xtask bench bulk`'s
/// is reqwest.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// POSTs the `$batch` `body`.
    async fn batch(&self, body: String) -> BatchAnswer;
    /// The access token was refused mid-run: the next call must renew it.
    fn token_refused(&self);
    /// Milliseconds since the run started.
    fn now_ms(&self) -> u64;
    async fn sleep(&self, ms: u64);
}

/// Where the run lives while it is driven: a signal in the browser (so the page redraws),
/// a cell natively.
pub trait RunCell {
    fn change<R>(&self, f: impl FnOnce(&mut Run) -> R) -> R;
    fn look<R>(&self, f: impl FnOnce(&Run) -> R) -> R;
}

impl RunCell for std::cell::RefCell<Run> {
    fn change<R>(&self, f: impl FnOnce(&mut Run) -> R) -> R {
        f(&mut self.borrow_mut())
    }

    fn look<R>(&self, f: impl FnOnce(&Run) -> R) -> R {
        f(&self.borrow())
    }
}

/// How a driven run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Finished,
    /// An interactive sign-in is needed: the items not yet sent are listed as such, the
    /// report stays.
    SignInNeeded,
}

/// Where an item's action and the item itself are, under the version root
/// (`identityGovernance/entitlementManagement/…`), for the `$batch` items.
pub struct Paths<'a> {
    pub action: &'a dyn Fn(&str) -> String,
    pub item: &'a dyn Fn(&str) -> String,
}

/// Drives `run` to its end over `transport`: up to [`CONCURRENCY`] batches in flight at
/// the pace [`Run`] allows, each answer recorded as it arrives. `cancelled` is asked
/// between answers.
pub async fn drive<T: Transport, C: RunCell>(
    transport: &T,
    run: &C,
    paths: &Paths<'_>,
    cancelled: &dyn Fn() -> bool,
) -> Ended {
    use futures::future::{Either, LocalBoxFuture, select};
    use futures::stream::{FuturesUnordered, StreamExt};

    type Answer = (u64, Work, BatchAnswer);
    let mut in_flight: FuturesUnordered<LocalBoxFuture<'_, Answer>> = FuturesUnordered::new();
    let mut cancel_noted = false;
    let mut ended = Ended::Finished;
    loop {
        if cancelled() && !cancel_noted {
            cancel_noted = true;
            run.change(|r| r.cancel(t(Msg::BulkCancelled)));
        }
        if run.look(Run::finished) && in_flight.is_empty() {
            return ended;
        }
        if ended == Ended::Finished {
            let now = transport.now_ms();
            while let Some(work) = run.change(|r| r.next_work(now)) {
                let body = match &work {
                    Work::Send(ids) => batch_body(
                        &ids.iter()
                            .map(|id| ("POST", (paths.action)(id)))
                            .collect::<Vec<_>>(),
                    ),
                    Work::Read(ids) => batch_body(
                        &ids.iter()
                            .map(|id| ("GET", (paths.item)(id)))
                            .collect::<Vec<_>>(),
                    ),
                };
                in_flight.push(Box::pin(async move {
                    let answer = transport.batch(body.to_string()).await;
                    (now, work, answer)
                }));
            }
        }
        let wake = run
            .look(Run::next_wake)
            .map_or(200, |at| at.saturating_sub(transport.now_ms()))
            .clamp(1, 200);
        if in_flight.is_empty() {
            if ended == Ended::SignInNeeded {
                // Whatever became unsure meanwhile cannot be read without a token either.
                run.change(|r| r.give_up_unsure(t(Msg::BulkSignInNeeded)));
                return ended;
            }
            transport.sleep(wake).await;
            continue;
        }
        let timer = Box::pin(transport.sleep(wake));
        let Either::Left((Some((sent, work, answer)), _)) = select(in_flight.next(), timer).await
        else {
            continue;
        };
        let now = transport.now_ms();
        if answer == BatchAnswer::SignInNeeded {
            // Nothing in this batch reached Graph. Stop sending; what is unsure is still
            // reconciled only if a token comes back, so it is reported unknown.
            ended = Ended::SignInNeeded;
            run.change(|r| {
                r.release(&work);
                r.cancel(t(Msg::BulkSignInNeeded));
                r.give_up_unsure(t(Msg::BulkSignInNeeded));
            });
            continue;
        }
        match work {
            Work::Send(ids) => {
                let answers = match answer {
                    BatchAnswer::Reply { body, request_id } => {
                        read_action_batch(&body, &ids, request_id.as_deref())
                    }
                    BatchAnswer::Refused {
                        status,
                        code,
                        message,
                        request_id,
                    } => ids
                        .iter()
                        .map(|id| {
                            let refused = Outcome::Refused {
                                status,
                                code: code.clone(),
                                message: message.clone(),
                                request_id: request_id.clone(),
                            };
                            (id.clone(), refused)
                        })
                        .collect(),
                    BatchAnswer::Lost { why, request_id } => ids
                        .iter()
                        .map(|id| {
                            let unsure = Outcome::Unsure {
                                why: why.clone(),
                                request_id: request_id.clone(),
                            };
                            (id.clone(), unsure)
                        })
                        .collect(),
                    BatchAnswer::SignInNeeded => Vec::new(),
                };
                if answers.iter().any(|(_, o)| *o == Outcome::Unauthorized) {
                    transport.token_refused();
                }
                run.change(|r| r.record_sent(sent, answers, now));
            }
            Work::Read(ids) => {
                let reads = match answer {
                    BatchAnswer::Reply { body, .. } => read_item_batch(&body, &ids),
                    BatchAnswer::Refused {
                        status,
                        code,
                        request_id,
                        ..
                    } => ids
                        .iter()
                        .map(|id| {
                            let failed = ReadOutcome::Failed {
                                detail: format!("HTTP {status} {code}"),
                                request_id: request_id.clone(),
                            };
                            (id.clone(), failed)
                        })
                        .collect(),
                    _ => ids
                        .iter()
                        .map(|id| {
                            let again = ReadOutcome::Again {
                                retry_after: None,
                                throttled: false,
                            };
                            (id.clone(), again)
                        })
                        .collect(),
                };
                if reads.iter().any(|(_, o)| *o == ReadOutcome::Unauthorized) {
                    transport.token_refused();
                }
                run.change(|r| r.record_read(sent, reads, now));
            }
        }
    }
}

impl Run {
    /// Puts the items of `work` back as they were before it left (it never reached Graph).
    fn release(&mut self, work: &Work) {
        self.batches_in_flight = self.batches_in_flight.saturating_sub(1);
        let (ids, from, to) = match work {
            Work::Send(ids) => (ids, Stage::Sending, Stage::Pending),
            Work::Read(ids) => (ids, Stage::Reading, Stage::Unsure),
        };
        for id in ids {
            if let Some(it) = self.item_mut(id)
                && it.stage == from
            {
                it.stage = to.clone();
            }
        }
    }

    /// Ends every unsure item as unknown: the run cannot read them any more.
    fn give_up_unsure(&mut self, why: &str) {
        for it in &mut self.items {
            if it.stage == Stage::Unsure {
                let (lost, request_id) = it.unsure.clone().unwrap_or_default();
                it.stage = Stage::Done(Final::AnswerLost {
                    detail: format!("{lost}; {why}"),
                    request_id,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use std::cell::{Cell, RefCell};

    const HEADER: [&str; 5] = ["id", "item", "outcome", "detail", "request_id"];

    /// Moves simulated time on. A run that has not ended after an hour of it never will:
    /// the test fails rather than hangs.
    fn later(now: &mut u64, ms: u64) {
        *now += ms;
        assert!(*now < 3_600_000, "the run has not ended after an hour");
    }

    /// A test transport's sleep: the driver waits at most 200 ms at a time, so a run that
    /// sleeps twenty thousand times has not ended after at least 20 s of waiting in
    /// 1 ms steps, which no run here needs.
    fn sleep_on(now: &Cell<u64>, sleeps: &Cell<u32>, ms: u64) {
        sleeps.set(sleeps.get() + 1);
        assert!(sleeps.get() < 20_000, "the run waits without end");
        let mut t = now.get();
        later(&mut t, ms);
        now.set(t);
    }

    /// Counts a test transport's `$batch` calls; ten thousand means the run goes round
    /// in circles (no run here needs more than a few hundred).
    fn one_more_call(calls: &Cell<usize>) {
        calls.set(calls.get() + 1);
        assert!(calls.get() < 10_000, "the run keeps calling Graph");
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("id{i}")).collect()
    }

    fn accepted() -> Outcome {
        Outcome::Accepted { request_id: None }
    }

    fn send(run: &mut Run, now: u64) -> Vec<String> {
        match run.next_work(now) {
            Some(Work::Send(v)) => v,
            other => panic!("expected a send at {now}, got {other:?}"),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// A failed request completed a day before the run.
    fn failed(id: &str) -> Planned {
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

    #[test]
    fn batches_hold_at_most_twenty_each_item_goes_once_and_duplicates_are_one_item() {
        let mut plan: Vec<Planned> = ids(45).into_iter().map(|id| failed(&id)).collect();
        // The same request loaded twice (two pages, two queries), in another casing.
        plan.push(failed("ID7"));
        let mut run = Run::planned(plan);
        assert_eq!(run.progress().total, 45);
        let (a, b, c) = (send(&mut run, 0), send(&mut run, 0), send(&mut run, 0));
        assert_eq!((a.len(), b.len(), c.len()), (20, 20, 5));
        assert!(run.next_work(0).is_none(), "everything is in flight");
        for batch in [a, b, c] {
            let answers = batch.into_iter().map(|id| (id, accepted())).collect();
            run.record_sent(0, answers, 10);
        }
        assert!(run.finished());
        assert_eq!(run.progress().accepted, 45);
        assert!(run.next_work(10_000).is_none());
    }

    #[test]
    fn throttled_items_come_back_after_their_wait_and_refusals_do_not() {
        let mut run = Run::new(ids(2));
        let batch = send(&mut run, 0);
        run.record_sent(
            0,
            vec![
                (
                    batch[0].clone(),
                    Outcome::Throttled {
                        retry_after: Some(2),
                    },
                ),
                (
                    batch[1].clone(),
                    Outcome::Refused {
                        status: 400,
                        code: "BadRequest".into(),
                        message: "no".into(),
                        request_id: Some("r".into()),
                    },
                ),
            ],
            10,
        );
        let p = run.progress();
        assert_eq!((p.retrying, p.failed), (1, 1));
        // Graph took one (the refusal) and throttled one: the run measures its rate.
        assert_eq!(run.pace.mode, Mode::Measuring { size: 2 });
        assert_eq!(run.next_wake(), Some(2_010));
        assert!(run.next_work(2_009).is_none());
        assert_eq!(send(&mut run, 2_010), ["id0"]);
    }

    #[test]
    fn a_lost_answer_is_never_resent_blind_but_reconciled_by_reading() {
        let plan = ["a", "b", "c", "d"].map(failed).to_vec();
        let mut run = Run::planned(plan);
        let batch = send(&mut run, 0);
        let lost = |why: &str| Outcome::Unsure {
            why: why.into(),
            request_id: Some("rid".into()),
        };
        run.record_sent(
            0,
            batch
                .iter()
                .map(|id| (id.clone(), lost("HTTP 504")))
                .collect(),
            20,
        );
        // Nothing is sent again before it is read, and it is read only after a moment.
        assert!(run.next_work(20).is_none());
        assert_eq!(run.progress().retrying, 4);
        // The first read waits a second after the loss (20 ms).
        assert!(run.next_work(1_019).is_none());
        let Some(Work::Read(reading)) = run.next_work(1_020) else {
            panic!("expected a read");
        };
        assert_eq!(reading, ["a", "b", "c", "d"]);
        let state = |state: &str, completed: &str| {
            ReadOutcome::Item(json!({ "id": "x", "state": state, "completedDateTime": completed }))
        };
        run.record_read(
            1_020,
            vec![
                // Delivering: the reprocess took effect.
                ("a".into(), state("delivering", "2026-11-22T12:00:00Z")),
                // Failed again, later: it took effect too.
                ("b".into(), state("deliveryFailed", "2026-11-23T12:00:02Z")),
                // Exactly as before: Graph may not have reached it in its queue yet.
                ("c".into(), state("deliveryFailed", "2026-11-22T12:00:00Z")),
                // Canceled meanwhile: cannot tell.
                ("d".into(), state("canceled", "2026-11-23T12:00:01Z")),
            ],
            1_100,
        );
        let results: Vec<Option<Final>> = run.results().into_iter().map(|(_, f)| f).collect();
        assert!(
            matches!(&results[0], Some(Final::Verified { request_id: Some(r), .. }) if r == "rid")
        );
        assert!(matches!(&results[1], Some(Final::Verified { .. })));
        assert_eq!(results[2], None, "c is read again later");
        assert!(matches!(&results[3], Some(Final::AnswerLost { .. })));
        // c is not sent again: the next work, when it comes, is a read of c alone.
        assert!(run.next_work(1_100).is_none());
        assert_eq!(
            run.next_work(1_100 + 1_000),
            Some(Work::Read(vec!["c".into()]))
        );
        // Graph's queue ran meanwhile: the read shows it delivering.
        run.record_read(
            2_100,
            vec![("c".into(), state("delivering", "2026-11-22T12:00:00Z"))],
            2_150,
        );
        let p = run.progress();
        assert_eq!(
            (p.accepted, p.verified, p.answer_lost, p.failed),
            (0, 3, 1, 0)
        );
        assert!(run.finished());
    }

    #[test]
    fn an_unchanged_item_is_read_again_and_never_sent_again() {
        let mut run = Run::planned(vec![failed("a")]);
        let untouched = ReadOutcome::Item(
            json!({ "state": "deliveryFailed", "completedDateTime": "2026-11-22T12:00:00Z" }),
        );
        let mut now = 0;
        let (mut sends, mut reads) = (0, 0);
        while !run.finished() {
            match run.next_work(now) {
                Some(Work::Send(_)) => {
                    sends += 1;
                    assert!(sends < 1_000, "the run goes round in circles");
                    let lost = Outcome::Unsure {
                        why: "HTTP 504".into(),
                        request_id: Some("r1".into()),
                    };
                    run.record_sent(now, vec![("a".into(), lost)], now);
                }
                Some(Work::Read(_)) => {
                    reads += 1;
                    assert!(reads < 1_000, "the run goes round in circles");
                    run.record_read(now, vec![("a".into(), untouched.clone())], now);
                }
                None => later(&mut now, 100),
            }
        }
        assert_eq!((sends, reads), (1, 6));
        // The reads span about 20 s (1 + 1 + 2 + 3 + 4 + 5 s after the loss).
        assert_eq!(now, 16_000);
        let Some(Final::AnswerLost { detail, request_id }) = &run.results()[0].1 else {
            panic!("{:?}", run.results());
        };
        assert_eq!(request_id.as_deref(), Some("r1"));
        assert!(detail.contains("HTTP 504"), "{detail}");
        assert!(run.report_csv(HEADER).contains(",answer-lost,"));
    }

    #[test]
    fn an_effect_that_shows_on_a_later_read_verifies_the_item() {
        let mut run = Run::planned(vec![failed("a")]);
        send(&mut run, 0);
        let lost = Outcome::Unsure {
            why: "HTTP 504".into(),
            request_id: None,
        };
        run.record_sent(0, vec![("a".into(), lost)], 0);
        let read = |state: &str, completed: &str| {
            ReadOutcome::Item(json!({ "state": state, "completedDateTime": completed }))
        };
        let mut now = 0;
        let mut reads = 0;
        while !run.finished() {
            match run.next_work(now) {
                Some(Work::Read(_)) => {
                    reads += 1;
                    assert!(reads < 1_000, "the run goes round in circles");
                    // Graph's queue runs between the second and the third read; its
                    // delivery fails again, with a new completion time.
                    let r = if reads < 3 {
                        read("deliveryFailed", "2026-11-22T12:00:00Z")
                    } else {
                        read("deliveryFailed", "2026-11-23T12:00:03Z")
                    };
                    run.record_read(now, vec![("a".into(), r)], now);
                }
                Some(Work::Send(_)) => panic!("never sent again after a lost answer"),
                None => later(&mut now, 100),
            }
        }
        assert_eq!(reads, 3);
        assert!(matches!(&run.results()[0].1, Some(Final::Verified { .. })));
    }

    #[test]
    fn reads_are_repeated_while_graph_is_busy_then_the_answer_is_lost() {
        let mut run = Run::planned(vec![failed("a")]);
        send(&mut run, 0);
        run.record_sent(
            0,
            vec![(
                "a".into(),
                Outcome::Unsure {
                    why: "network".into(),
                    request_id: None,
                },
            )],
            0,
        );
        let mut now = 0;
        let mut reads = 0;
        while !run.finished() {
            match run.next_work(now) {
                Some(Work::Read(_)) => {
                    reads += 1;
                    assert!(reads < 1_000, "the run goes round in circles");
                    let again = ReadOutcome::Again {
                        retry_after: None,
                        throttled: false,
                    };
                    run.record_read(now, vec![("a".into(), again)], now);
                }
                Some(Work::Send(_)) => panic!("never sent again without a read"),
                None => later(&mut now, 250),
            }
        }
        // Six reads, then the answer is lost.
        assert_eq!(reads, 6);
        assert!(matches!(
            &run.results()[0].1,
            Some(Final::AnswerLost { .. })
        ));
    }

    #[test]
    fn an_expired_token_sends_the_item_again_and_a_duplicate_answer_changes_nothing() {
        let mut run = Run::new(ids(1));
        send(&mut run, 0);
        run.record_sent(0, vec![("id0".into(), Outcome::Unauthorized)], 0);
        assert_eq!(send(&mut run, 0), ["id0"]);
        run.record_sent(
            0,
            vec![(
                "id0".into(),
                Outcome::Accepted {
                    request_id: Some("1".into()),
                },
            )],
            0,
        );
        run.record_sent(
            0,
            vec![(
                "id0".into(),
                Outcome::Refused {
                    status: 400,
                    code: String::new(),
                    message: String::new(),
                    request_id: None,
                },
            )],
            0,
        );
        assert_eq!(
            run.results()[0].1,
            Some(Final::Accepted {
                request_id: Some("1".into())
            })
        );
    }

    #[test]
    fn throttling_without_end_fails_the_item_after_its_limit() {
        let mut run = Run::new(ids(1));
        let mut now = 0;
        let mut throttled = 0;
        while !run.finished() {
            match run.next_work(now) {
                Some(Work::Send(_)) => {
                    throttled += 1;
                    assert!(throttled < 1_000, "the run goes round in circles");
                    run.record_sent(
                        now,
                        vec![(
                            "id0".into(),
                            Outcome::Throttled {
                                retry_after: Some(1),
                            },
                        )],
                        now,
                    );
                }
                Some(Work::Read(_)) => panic!("a 429 is an answer, not a loss"),
                None => later(&mut now, 500),
            }
        }
        // Twenty 429s, then the item is failed.
        assert_eq!(throttled, 20);
        assert!(
            matches!(&run.results()[0].1, Some(Final::Failed { detail, .. }) if detail.contains("20"))
        );
    }

    #[test]
    fn cancel_skips_what_was_not_sent_and_keeps_what_is_in_flight() {
        let mut run = Run::new(ids(25));
        let first = send(&mut run, 0);
        run.cancel("cancelled");
        assert_eq!(run.progress().skipped, 5);
        assert!(!run.finished());
        run.record_sent(0, first.into_iter().map(|id| (id, accepted())).collect(), 0);
        assert!(run.finished());
        assert!(run.next_work(0).is_none());
    }

    #[test]
    fn batch_replies_are_read_by_id_in_any_order() {
        let sent: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        let body = batch_body(
            &sent
                .iter()
                .map(|id| ("POST", format!("x/{id}/reprocess")))
                .collect::<Vec<_>>(),
        );
        // The documented shape of a write item (concepts/json-batching.md): a JSON
        // Content-Type and a body, `{}` for an action without parameters.
        assert_eq!(
            body["requests"][1],
            json!({ "id": "2", "method": "POST", "url": "/x/b/reprocess",
                    "headers": { "Content-Type": "application/json" }, "body": {} })
        );
        // A read carries neither.
        let reads = batch_body(&[("GET", "x/a".to_string())]);
        assert_eq!(
            reads["requests"][0],
            json!({ "id": "1", "method": "GET", "url": "/x/a" })
        );
        let reply = json!({ "responses": [
            { "id": "3", "status": 429, "headers": { "Retry-After": "4" } },
            { "id": "1", "status": 202, "headers": { "request-id": "r1" } },
            { "id": "2", "status": 400, "headers": {}, "body": { "error": { "code": "BadRequest", "message": "state is delivered", "innerError": { "request-id": "r2" } } } },
            { "id": "5", "status": 504, "headers": { "request-id": "r5" } },
        ]});
        let read = read_action_batch(&reply, &sent, None);
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
            Outcome::Throttled {
                retry_after: Some(4)
            }
        );
        assert!(
            matches!(
                &read[3].1,
                Outcome::Unsure {
                    request_id: None,
                    ..
                }
            ),
            "missing from the reply"
        );
        assert!(
            matches!(&read[4].1, Outcome::Unsure { request_id: Some(r), .. } if r == "r5"),
            "a 504 item may have acted"
        );
    }

    #[test]
    fn an_item_without_a_request_id_of_its_own_is_reported_with_the_batchs() {
        // Graph's documented batch items carry no request-id header.
        let sent = vec!["a".to_string(), "b".to_string()];
        let reply = json!({ "responses": [
            { "id": "1", "status": 202, "headers": { "Cache-Control": "no-cache" } },
            { "id": "2", "status": 400, "headers": { "Content-Type": "application/json" },
              "body": { "error": { "code": "BadRequest", "message": "no", "innerError": { "request-id": "item-2" } } } },
        ]});
        let read = read_action_batch(&reply, &sent, Some("batch-1"));
        assert_eq!(
            read[0].1,
            Outcome::Accepted {
                request_id: Some("batch-1".into())
            }
        );
        assert!(
            matches!(&read[1].1, Outcome::Refused { request_id: Some(r), .. } if r == "item-2"),
            "{:?}",
            read[1].1
        );
    }

    /// A transport whose Graph refuses every batch whole, as it does one with a bodyless
    /// write item.
    struct RefusesEveryBatch {
        calls: Cell<usize>,
        now: Cell<u64>,
        sleeps: Cell<u32>,
    }

    impl Transport for RefusesEveryBatch {
        async fn batch(&self, _body: String) -> BatchAnswer {
            one_more_call(&self.calls);
            BatchAnswer::Refused {
                status: 400,
                code: "BadRequest".into(),
                message: "Write request id : 1 does not contain Content-Type header or body."
                    .into(),
                request_id: Some("batch-400".into()),
            }
        }

        fn token_refused(&self) {}

        fn now_ms(&self) -> u64 {
            self.now.get()
        }

        async fn sleep(&self, ms: u64) {
            sleep_on(&self.now, &self.sleeps, ms);
        }
    }

    #[test]
    fn a_batch_refused_whole_fails_each_of_its_items_with_the_refusal() {
        let graph = RefusesEveryBatch {
            calls: Cell::new(0),
            now: Cell::new(0),
            sleeps: Cell::new(0),
        };
        let run = RefCell::new(Run::planned(ids(45).iter().map(|id| failed(id)).collect()));
        let ended = futures::executor::block_on(drive(&graph, &run, &PATHS, &|| false));
        assert_eq!(ended, Ended::Finished);
        // Three batches (20, 20, 5), none sent again: a refusal is an answer.
        assert_eq!(graph.calls.get(), 3);
        let run = run.borrow();
        assert_eq!(run.progress().failed, 45);
        let csv = run.report_csv(HEADER);
        assert_eq!(csv.matches(",failed,").count(), 45);
        assert_eq!(csv.matches("batch-400").count(), 45);
        assert!(csv.contains("HTTP 400 BadRequest: Write request id : 1 does not contain"));
    }

    #[test]
    fn the_csv_report_puts_problems_first_quotes_and_defuses_formulas() {
        let mut plan = vec![
            Planned {
                id: "1".into(),
                label: "O'Brien, Liam".into(),
                ..Planned::default()
            },
            Planned {
                id: "2".into(),
                label: "=HYPERLINK(\"x\")".into(),
                ..Planned::default()
            },
            Planned {
                id: "3".into(),
                label: "王小明".into(),
                skip: Some("outside the window".into()),
                ..Planned::default()
            },
            Planned {
                id: "4".into(),
                label: "\tstill running".into(),
                ..Planned::default()
            },
        ];
        plan[1].before.state = "deliveryFailed".into();
        let mut run = Run::planned(plan);
        assert_eq!(
            run.progress().skipped,
            1,
            "a rule skip counts from the start"
        );
        let batch = send(&mut run, 0);
        assert_eq!(batch, ["1", "2", "4"], "a skipped item is never sent");
        run.record_sent(
            0,
            vec![
                (
                    "1".into(),
                    Outcome::Accepted {
                        request_id: Some("r".into()),
                    },
                ),
                (
                    "2".into(),
                    Outcome::Refused {
                        status: 400,
                        code: "BadRequest".into(),
                        message: "no".into(),
                        request_id: None,
                    },
                ),
            ],
            0,
        );
        let csv = run.report_csv(HEADER);
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
        // A tab is a separator as well as a formula trigger: defused and quoted.
        assert_eq!(csv_field("\tx"), "\"'\tx\"");
        assert_eq!(csv_field("-1+1"), "'-1+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
    }

    /// Graph's throttle as the sandbox models it: a token bucket per item, 429s cost
    /// nothing, every answer `latency` after the call left.
    struct Bucket {
        rate: f64,
        burst: f64,
        tokens: f64,
        at: f64,
    }

    impl Bucket {
        fn new(rate: f64, burst: f64) -> Bucket {
            Bucket {
                rate,
                burst,
                tokens: burst,
                at: 0.0,
            }
        }

        fn take(&mut self, now_ms: f64) -> bool {
            self.tokens = (self.tokens + (now_ms - self.at) / 1000.0 * self.rate).min(self.burst);
            self.at = now_ms;
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                true
            } else {
                false
            }
        }
    }

    /// Runs `n` failed requests against a bucket of `rate`/`burst` with `latency` ms per
    /// call, in simulated time; one batch answer in `lose_every` is lost after Graph acted
    /// (0: none). Gives (when the last action was answered, 429 answers, actions performed
    /// per id, the run).
    fn simulate(
        n: usize,
        rate: f64,
        burst: f64,
        latency: u64,
        lose_every: usize,
    ) -> (u64, usize, Vec<u32>, Run) {
        let plan: Vec<Planned> = ids(n).iter().map(|id| failed(id)).collect();
        let mut run = Run::planned(plan);
        let mut graph = Bucket::new(rate, burst);
        let mut acted = vec![0u32; n];
        let mut throttled = 0;
        let mut batches = 0;
        enum Answers {
            Sent(Vec<(String, Outcome)>),
            Read(Vec<(String, ReadOutcome)>),
        }
        // (answer time, send time, answers)
        let mut pending: Vec<(u64, u64, Answers)> = Vec::new();
        let mut now = 0u64;
        let mut last_action_answer = 0u64;
        let mut rounds = 0;
        while !run.finished() {
            rounds += 1;
            assert!(rounds < 20_000, "the run goes round in circles");
            while let Some(work) = run.next_work(now) {
                batches += 1;
                assert!(batches < 100_000, "the run goes round in circles");
                let lost = lose_every > 0 && batches % lose_every == 0;
                let at = now as f64 + latency as f64 / 2.0;
                let answers = match work {
                    Work::Send(batch) => Answers::Sent(
                        batch
                            .into_iter()
                            .map(|id| {
                                let took = graph.take(at);
                                if took {
                                    acted[id[2..].parse::<usize>().unwrap()] += 1;
                                } else {
                                    throttled += 1;
                                }
                                let o = match (lost, took) {
                                    (true, _) => Outcome::Unsure {
                                        why: "lost".into(),
                                        request_id: None,
                                    },
                                    (false, true) => accepted(),
                                    (false, false) => Outcome::Throttled {
                                        retry_after: Some(1),
                                    },
                                };
                                (id, o)
                            })
                            .collect(),
                    ),
                    Work::Read(batch) => Answers::Read(
                        batch
                            .into_iter()
                            .map(|id| {
                                let r = if !graph.take(at) {
                                    throttled += 1;
                                    ReadOutcome::Again {
                                        retry_after: Some(1),
                                        throttled: true,
                                    }
                                } else {
                                    let done = acted[id[2..].parse::<usize>().unwrap()] > 0;
                                    let state = if done { "delivering" } else { "deliveryFailed" };
                                    ReadOutcome::Item(json!({ "state": state, "completedDateTime": "2026-11-22T12:00:00Z" }))
                                };
                                (id, r)
                            })
                            .collect(),
                    ),
                };
                pending.push((now + latency, now, answers));
            }
            let next_answer = pending.iter().map(|(at, _, _)| *at).min();
            let next = match (next_answer, run.next_wake()) {
                (Some(a), Some(w)) => a.min(w.max(now + 1)),
                (Some(a), None) => a,
                (None, Some(w)) => w.max(now + 1),
                (None, None) => break,
            };
            let step = next - now;
            later(&mut now, step);
            let (due, rest): (Vec<_>, Vec<_>) =
                pending.into_iter().partition(|(at, _, _)| *at <= now);
            pending = rest;
            for (_, sent, answers) in due {
                match answers {
                    Answers::Sent(a) => {
                        last_action_answer = now;
                        run.record_sent(sent, a, now)
                    }
                    Answers::Read(r) => run.record_read(sent, r, now),
                }
            }
        }
        (last_action_answer, throttled, acted, run)
    }

    #[test]
    fn a_throttled_run_paces_itself_to_graphs_rate_instead_of_overshooting() {
        for (rate, burst) in [(200.0, 100.0), (100.0, 50.0)] {
            let (took, throttled, acted, _) = simulate(1_000, rate, burst, 20, 0);
            assert!(
                acted.iter().all(|a| *a == 1),
                "every item acted on exactly once"
            );
            let optimum = (1_000.0 - burst) / rate * 1000.0;
            let efficiency = optimum / took as f64;
            // Simulated time, deterministic: the pace, not the machine, is measured.
            assert!(
                efficiency >= 0.85,
                "{rate}/{burst}: {took} ms, efficiency {efficiency:.2}"
            );
            assert!(
                throttled < 200,
                "{rate}/{burst}: {throttled} throttled answers for 1 000 items"
            );
        }
        // No throttle to speak of: the run is not paced at all.
        let (took, throttled, _, _) = simulate(1_000, 100_000.0, 100_000.0, 20, 0);
        assert_eq!(throttled, 0);
        assert!(
            took <= 13 * 20,
            "{took} ms: 4 batches of 20 in flight per round trip"
        );
    }

    #[test]
    fn lost_answers_and_idle_waits_do_not_slow_a_paced_run_to_a_crawl() {
        // A slow Graph (20 items a second, burst 10) that loses one batch answer in five
        // after acting: every item still acted on once, reconciled by reading, and the run
        // keeps close to Graph's rate (idle waits for Retry-After are not counted as
        // Graph's rate, lost batches say nothing of it).
        let (took, _, acted, run) = simulate(65, 20.0, 10.0, 20, 5);
        assert!(acted.iter().all(|a| *a <= 1), "{acted:?}");
        let p = run.progress();
        assert_eq!(p.accepted + p.verified + p.answer_lost, 65, "{p:?}");
        assert!(p.verified > 0);
        // What Graph took is accepted or verified; what it throttled inside a lost batch
        // is never sent again, so its answer stays lost.
        for (i, (_, result)) in run.results().iter().enumerate() {
            match result {
                Some(Final::Accepted { .. } | Final::Verified { .. }) => assert_eq!(acted[i], 1),
                Some(Final::AnswerLost { .. }) => assert_eq!(acted[i], 0),
                other => panic!("item {i}: {other:?}"),
            }
        }
        // 65 actions and the first reads of the lost ones, at 20 a second after the
        // burst, until the last action is answered (an item whose answer stays lost is
        // then read for about 20 s more, which no pace shortens).
        let tokens = (65 + p.verified) as f64;
        let optimum = (tokens - 10.0) / 20.0 * 1000.0;
        assert!(
            optimum / (took as f64) >= 0.6,
            "{took} ms for an optimum of {optimum:.0} ms"
        );
    }

    /// A transport for [`drive`] in a test, as Graph documents itself: a batch with a write
    /// item that lacks a body or a Content-Type is refused whole; every reprocess is
    /// accepted (202) and queued, and takes effect `queue_ms` later; the answers of the
    /// first `lose` batches are lost; reads answer the state Graph's queue has reached.
    struct Lossy {
        lose: Cell<usize>,
        /// Per request, when each accepted reprocess takes effect.
        states: RefCell<HashMap<String, Vec<u64>>>,
        queue_ms: u64,
        now: Cell<u64>,
        sign_in_after: Cell<usize>,
        calls: Cell<usize>,
        sleeps: Cell<u32>,
    }

    impl Transport for Lossy {
        async fn batch(&self, body: String) -> BatchAnswer {
            one_more_call(&self.calls);
            let body: Value = serde_json::from_str(&body).unwrap();
            if self.sign_in_after.get() == 0 {
                return BatchAnswer::SignInNeeded;
            }
            self.sign_in_after.set(self.sign_in_after.get() - 1);
            let requests = body["requests"].as_array().unwrap();
            if let Some(bare) = requests.iter().find(|r| {
                r["method"] == "POST"
                    && (r["body"].is_null() || r["headers"]["Content-Type"].is_null())
            }) {
                return BatchAnswer::Refused {
                    status: 400,
                    code: "BadRequest".into(),
                    message: format!(
                        "Write request id : {} does not contain Content-Type header or body.",
                        bare["id"].as_str().unwrap()
                    ),
                    request_id: None,
                };
            }
            let now = self.now.get();
            let mut responses = Vec::new();
            for r in requests {
                let url = r["url"].as_str().unwrap();
                let id = url.split('/').nth(2).unwrap().to_string();
                if r["method"] == "POST" {
                    let due = now + self.queue_ms;
                    self.states.borrow_mut().entry(id).or_default().push(due);
                    responses.push(json!({ "id": r["id"], "status": 202, "headers": {} }));
                } else {
                    let acted = self
                        .states
                        .borrow()
                        .get(&id)
                        .is_some_and(|dues| dues.iter().any(|due| *due <= now));
                    let state = if acted {
                        "delivering"
                    } else {
                        "deliveryFailed"
                    };
                    responses.push(json!({ "id": r["id"], "status": 200, "body": { "state": state, "completedDateTime": "2026-11-22T12:00:00Z" } }));
                }
            }
            if self.lose.get() > 0 {
                self.lose.set(self.lose.get() - 1);
                return BatchAnswer::Lost {
                    why: "HTTP 504".into(),
                    request_id: Some("batch".into()),
                };
            }
            BatchAnswer::Reply {
                body: json!({ "responses": responses }),
                request_id: Some("batch-rid".into()),
            }
        }

        fn token_refused(&self) {}

        fn now_ms(&self) -> u64 {
            self.now.get()
        }

        async fn sleep(&self, ms: u64) {
            sleep_on(&self.now, &self.sleeps, ms);
        }
    }

    fn lossy(lose: usize, sign_in_after: usize) -> Lossy {
        Lossy {
            lose: Cell::new(lose),
            states: RefCell::new(HashMap::new()),
            queue_ms: 0,
            now: Cell::new(0),
            sign_in_after: Cell::new(sign_in_after),
            calls: Cell::new(0),
            sleeps: Cell::new(0),
        }
    }

    const PATHS: Paths<'static> = Paths {
        action: &|id: &str| format!("x/{id}/reprocess"),
        item: &|id: &str| format!("x/{id}"),
    };

    #[test]
    fn the_driver_reconciles_a_lost_batch_by_reading_and_acts_once_per_item() {
        // Graph's queue runs 0 s, 3 s, then 30 s after it accepts: longer than the reads
        // look, in the last case.
        for (queue_ms, verified, lost) in [(0, 40, 0), (3_000, 40, 0), (30_000, 0, 40)] {
            let graph = Lossy {
                queue_ms,
                ..lossy(2, usize::MAX)
            };
            let plan: Vec<Planned> = ids(60).iter().map(|id| failed(id)).collect();
            let run = RefCell::new(Run::planned(plan));
            let ended = futures::executor::block_on(drive(&graph, &run, &PATHS, &|| false));
            assert_eq!(ended, Ended::Finished);
            let states = graph.states.borrow();
            assert_eq!(states.len(), 60);
            assert!(
                states.values().all(|sent| sent.len() == 1),
                "sent at most once with a {queue_ms} ms queue: {states:?}"
            );
            let p = run.borrow().progress();
            assert_eq!(
                (p.accepted, p.verified, p.answer_lost, p.failed),
                (20, verified, lost, 0),
                "{queue_ms} ms queue"
            );
        }
    }

    #[test]
    fn a_run_that_needs_a_sign_in_stops_and_keeps_its_report() {
        let graph = lossy(0, 1);
        let run = RefCell::new(Run::planned(ids(50).iter().map(|id| failed(id)).collect()));
        let ended = futures::executor::block_on(drive(&graph, &run, &PATHS, &|| false));
        assert_eq!(ended, Ended::SignInNeeded);
        let run = run.borrow();
        assert!(run.finished());
        let p = run.progress();
        assert_eq!((p.accepted, p.skipped), (20, 30));
        assert!(run.report_csv(HEADER).contains("id49"));
    }

    #[test]
    fn cancelling_the_driver_sends_nothing_more() {
        let graph = lossy(0, usize::MAX);
        let run = RefCell::new(Run::planned(ids(200).iter().map(|id| failed(id)).collect()));
        let asked = Cell::new(0);
        let cancelled = || {
            asked.set(asked.get() + 1);
            asked.get() > 2
        };
        futures::executor::block_on(drive(&graph, &run, &PATHS, &cancelled));
        let sent = graph.states.borrow().len();
        assert!(sent < 200 && sent > 0, "{sent}");
        assert_eq!(run.borrow().progress().skipped, 200 - sent);
    }

    // --- The pace, piece by piece. Figures are worked out by hand from the rules in
    // `Pacer`'s documentation: batches of 20, 4 in flight, samples between throttled
    // batches at most 300 ms apart, kept 2 s, measured once they span 250 ms, 10% of a
    // second's worth per paced batch, 5% slower after a 429, 5% faster after a quiet second.

    fn paced(per_second: f64, next_slot: u64, quiet_since: u64) -> Pacer {
        Pacer {
            mode: Mode::Paced {
                per_second,
                next_slot,
                quiet_since,
            },
            ..Pacer::new()
        }
    }

    #[test]
    fn graphs_rate_is_measured_once_the_samples_span_a_quarter_second() {
        let mut p = Pacer::new();
        assert_eq!(p.measured(), None);
        p.samples.push_back((0, 10, 100));
        assert_eq!(p.measured(), None, "100 ms is too short to tell");
        p.samples.push_back((0, 20, 150));
        // 30 items over 250 ms.
        assert_eq!(p.measured(), Some(120.0));
        p.samples.push_back((0, 0, 250));
        assert_eq!(p.measured(), Some(60.0));
        // Graph took nothing at all: one a second, never zero.
        let mut idle = Pacer::new();
        idle.samples.push_back((0, 0, 300));
        assert_eq!(idle.measured(), Some(1.0));
    }

    #[test]
    fn room_for_a_batch_in_each_mode() {
        let open = Pacer::new();
        for in_flight in 0..4 {
            assert_eq!(open.room(in_flight, 0), Some(20), "{in_flight} in flight");
        }
        assert_eq!(open.room(4, 0), None, "four in flight at most");
        let measuring = Pacer {
            mode: Mode::Measuring { size: 6 },
            ..Pacer::new()
        };
        assert_eq!(measuring.room(0, 0), Some(6));
        assert_eq!(measuring.room(1, 0), None, "one at a time");
        let p = paced(100.0, 1_000, 0);
        assert_eq!(p.room(0, 999), None, "before its slot");
        assert_eq!(p.room(0, 1_000), Some(10), "a tenth of a second at 100/s");
        assert_eq!(p.room(3, 1_500), Some(10));
        assert_eq!(p.room(4, 1_500), None, "four in flight at most");
        assert_eq!(paced(3.0, 0, 0).room(0, 0), Some(1), "at least one");
        assert_eq!(paced(1_000.0, 0, 0).room(0, 0), Some(20), "at most twenty");
        assert_eq!(paced(150.0, 0, 0).room(0, 0), Some(15));
    }

    #[test]
    fn a_paced_batch_moves_the_next_slot_by_its_share_of_a_second() {
        let mut p = paced(50.0, 0, 0);
        p.sent(10, 1_000);
        // 10 items at 50 a second: 200 ms.
        assert_eq!(p.next_slot(), Some(1_200));
        let mut open = Pacer::new();
        open.sent(20, 1_000);
        assert_eq!(open.next_slot(), None, "an open run has no slots");
        let measuring = Pacer {
            mode: Mode::Measuring { size: 4 },
            ..Pacer::new()
        };
        assert_eq!(measuring.next_slot(), None);
    }

    #[test]
    fn the_first_throttled_batch_starts_measuring_at_twice_what_graph_took() {
        let mut p = Pacer::new();
        p.heard(0, 5, 0, 20);
        assert_eq!(p.mode, Mode::Open, "nothing throttled");
        assert_eq!((p.drained_at, p.taken_since), (None, 5));
        p.heard(40, 5, 3, 60);
        assert_eq!(p.mode, Mode::Measuring { size: 10 });
        assert_eq!((p.drained_at, p.taken_since), (Some(40), 0));
        for (taken, size) in [(0, 2), (1, 2), (7, 14), (15, 20)] {
            let mut p = Pacer::new();
            p.heard(0, taken, 1, 20);
            assert_eq!(p.mode, Mode::Measuring { size }, "took {taken}");
        }
    }

    #[test]
    fn measuring_grows_opens_again_or_settles_on_a_pace() {
        // A whole batch went through unthrottled: back to open.
        let mut p = Pacer {
            mode: Mode::Measuring { size: 20 },
            ..Pacer::new()
        };
        p.heard(0, 20, 0, 20);
        assert_eq!(p.mode, Mode::Open);
        // A smaller one: keep measuring, at twice what went through.
        let mut p = Pacer {
            mode: Mode::Measuring { size: 10 },
            ..Pacer::new()
        };
        p.heard(0, 8, 0, 20);
        assert_eq!(p.mode, Mode::Measuring { size: 16 });
        // A full batch throttled is not a reason to open up.
        let mut p = Pacer {
            mode: Mode::Measuring { size: 20 },
            ..Pacer::new()
        };
        p.heard(0, 3, 17, 20);
        assert_eq!(p.mode, Mode::Measuring { size: 6 });
        // Two samples 200 ms apart each: 6 + 8 items over 400 ms is 35 a second.
        let mut p = Pacer {
            mode: Mode::Measuring { size: 4 },
            drained_at: Some(1_000),
            ..Pacer::new()
        };
        p.heard(1_200, 6, 2, 1_250);
        assert_eq!(p.samples, [(1_250, 6, 200)]);
        assert_eq!((p.drained_at, p.taken_since), (Some(1_200), 0));
        assert_eq!(p.mode, Mode::Measuring { size: 12 }, "200 ms: not yet");
        p.heard(1_400, 8, 1, 1_450);
        assert_eq!(p.samples, [(1_250, 6, 200), (1_450, 8, 200)]);
        assert_eq!(
            p.mode,
            Mode::Paced {
                per_second: 35.0,
                next_slot: 1_450,
                quiet_since: 1_450
            }
        );
    }

    #[test]
    fn only_throttled_batches_close_together_make_a_sample() {
        let throttled_after = |prev: u64, sent: u64| {
            let mut p = Pacer {
                drained_at: Some(prev),
                taken_since: 4,
                ..Pacer::new()
            };
            p.heard(sent, 2, 1, sent + 20);
            p.samples
        };
        assert_eq!(throttled_after(1_000, 1_300), [(1_320, 6, 300)], "300 ms");
        assert!(
            throttled_after(1_000, 1_301).is_empty(),
            "301 ms is too far"
        );
        assert!(throttled_after(1_000, 1_000).is_empty(), "sent together");
        assert!(throttled_after(1_000, 900).is_empty(), "sent before");
        // What Graph takes between throttled batches adds up.
        let mut p = Pacer {
            drained_at: Some(1_000),
            ..Pacer::new()
        };
        p.heard(1_050, 3, 0, 1_070);
        p.heard(1_100, 4, 0, 1_120);
        assert_eq!(p.taken_since, 7);
        p.heard(1_200, 1, 2, 1_220);
        assert_eq!(p.samples, [(1_220, 8, 200)]);
        // A lost answer forgets the last throttled batch and what was taken since.
        p.taken_since = 5;
        p.lost();
        assert_eq!((p.drained_at, p.taken_since), (None, 0));
        p.heard(1_250, 1, 1, 1_270);
        assert_eq!(p.samples.len(), 1, "no sample across a lost answer");
    }

    #[test]
    fn samples_are_kept_two_seconds() {
        let mut p = Pacer::new();
        p.samples.push_back((1_250, 6, 200));
        p.heard(0, 1, 0, 3_250);
        assert_eq!(p.samples.len(), 1, "2 000 ms old: kept");
        p.heard(0, 1, 0, 3_251);
        assert!(p.samples.is_empty(), "2 001 ms old: dropped");
    }

    #[test]
    fn a_paced_run_slows_after_a_429_and_speeds_up_after_a_quiet_second() {
        // Throttled with nothing measured: 5% slower.
        let mut p = paced(100.0, 500, 0);
        p.heard(0, 1, 1, 700);
        assert_eq!(
            p.mode,
            Mode::Paced {
                per_second: 95.0,
                next_slot: 500,
                quiet_since: 700
            }
        );
        // Throttled with a measurement below the pace: down to it.
        let mut p = paced(100.0, 500, 0);
        p.samples.push_back((600, 10, 250));
        p.heard(0, 1, 1, 700);
        assert_eq!(
            p.mode,
            Mode::Paced {
                per_second: 40.0,
                next_slot: 500,
                quiet_since: 700
            }
        );
        // A measurement above the pace does not speed it up after a 429.
        let mut p = paced(100.0, 500, 0);
        p.samples.push_back((600, 50, 250));
        p.heard(0, 1, 1, 700);
        assert!(matches!(p.mode, Mode::Paced { per_second, .. } if per_second == 100.0));
        // Never below one a second.
        let mut p = paced(1.0, 0, 0);
        p.heard(0, 0, 1, 10);
        assert!(matches!(p.mode, Mode::Paced { per_second, .. } if per_second == 1.0));
        // Quiet for less than a second: unchanged; a full second: 5% faster.
        let mut p = paced(100.0, 500, 0);
        p.heard(0, 5, 0, 999);
        assert_eq!(
            p.mode,
            Mode::Paced {
                per_second: 100.0,
                next_slot: 500,
                quiet_since: 0
            }
        );
        p.heard(0, 5, 0, 1_000);
        assert_eq!(
            p.mode,
            Mode::Paced {
                per_second: 105.0,
                next_slot: 500,
                quiet_since: 1_000
            }
        );
    }

    #[test]
    fn done_counts_the_finished_items_only() {
        let p = Progress {
            total: 127,
            accepted: 1,
            verified: 2,
            answer_lost: 4,
            failed: 8,
            skipped: 16,
            retrying: 32,
            in_flight: 64,
        };
        assert_eq!(p.done(), 31);
    }

    #[test]
    fn progress_counts_each_item_where_it_stands() {
        assert_eq!(
            Run::new(ids(3)).progress(),
            Progress {
                total: 3,
                ..Progress::default()
            },
            "nothing sent yet is not retrying"
        );
        let mut plan = ["acc", "ver", "lost", "fail", "thr", "unsure", "fly"]
            .map(failed)
            .to_vec();
        plan.push(Planned {
            skip: Some("outside the window".into()),
            ..failed("skip")
        });
        let mut run = Run::planned(plan);
        assert_eq!(
            send(&mut run, 0),
            ["acc", "ver", "lost", "fail", "thr", "unsure", "fly"]
        );
        let unsure = || Outcome::Unsure {
            why: "HTTP 504".into(),
            request_id: Some("lost-1".into()),
        };
        run.record_sent(
            0,
            vec![
                ("acc".into(), accepted()),
                ("ver".into(), unsure()),
                ("lost".into(), unsure()),
                (
                    "fail".into(),
                    Outcome::Refused {
                        status: 400,
                        code: "BadRequest".into(),
                        message: "no".into(),
                        request_id: None,
                    },
                ),
                (
                    "thr".into(),
                    Outcome::Throttled {
                        retry_after: Some(5),
                    },
                ),
                ("unsure".into(), unsure()),
                // "fly": its answer has not come.
            ],
            10,
        );
        // Graph took two (accepted, refused) and throttled one: measure at four.
        assert_eq!(run.pace.mode, Mode::Measuring { size: 4 });
        assert_eq!(
            run.next_work(1_010),
            Some(Work::Read(vec![
                "ver".into(),
                "lost".into(),
                "unsure".into()
            ]))
        );
        assert_eq!(
            run.progress(),
            Progress {
                total: 8,
                accepted: 1,
                failed: 1,
                skipped: 1,
                retrying: 1,
                in_flight: 4,
                ..Progress::default()
            }
        );
        run.record_read(
            1_010,
            vec![
                (
                    "ver".into(),
                    ReadOutcome::Item(
                        json!({ "state": "delivering", "completedDateTime": "2026-11-22T12:00:00Z" }),
                    ),
                ),
                (
                    "lost".into(),
                    ReadOutcome::Failed {
                        detail: "HTTP 404 NotFound".into(),
                        request_id: Some("read-404".into()),
                    },
                ),
                (
                    "unsure".into(),
                    ReadOutcome::Again {
                        retry_after: None,
                        throttled: false,
                    },
                ),
            ],
            1_030,
        );
        let p = run.progress();
        assert_eq!(
            p,
            Progress {
                total: 8,
                accepted: 1,
                verified: 1,
                answer_lost: 1,
                failed: 1,
                skipped: 1,
                retrying: 2,
                in_flight: 1,
            }
        );
        assert_eq!(p.done(), 5);
        let results = run.results();
        assert_eq!(
            results[2].1,
            Some(Final::AnswerLost {
                detail: "unknown outcome (HTTP 504): reading the request failed (HTTP 404 \
                         NotFound); check its history in the admin center"
                    .into(),
                request_id: Some("read-404".into())
            })
        );
        assert_eq!(
            results[1].1,
            Some(Final::Verified {
                detail: "the answer was lost (HTTP 504); reading the request shows the \
                         reprocess took effect (state Delivering (delivering))"
                    .into(),
                request_id: Some("lost-1".into())
            })
        );
    }

    #[test]
    fn at_most_four_batches_are_in_flight_until_one_is_answered() {
        let mut run = Run::new(ids(100));
        let first = send(&mut run, 0);
        for _ in 0..3 {
            assert_eq!(send(&mut run, 0).len(), 20);
        }
        assert_eq!(run.next_work(0), None, "four in flight");
        run.record_sent(
            0,
            first.into_iter().map(|id| (id, accepted())).collect(),
            30,
        );
        assert_eq!(send(&mut run, 30).len(), 20);
        assert_eq!(run.next_work(30), None);
    }

    #[test]
    fn reads_wait_longer_each_time_or_as_long_as_graph_asks() {
        let mut run = Run::planned(vec![failed("a")]);
        send(&mut run, 0);
        let lost = Outcome::Unsure {
            why: "HTTP 503".into(),
            request_id: None,
        };
        run.record_sent(0, vec![("a".into(), lost)], 20);
        let read = |run: &mut Run, now: u64, answer: ReadOutcome| {
            assert_eq!(run.next_work(now), Some(Work::Read(vec!["a".into()])));
            run.record_read(now, vec![("a".into(), answer)], now);
            run.next_wake()
        };
        // First read a second after the loss; Graph asks for 3 s: 3 s.
        let again = |retry_after, throttled| ReadOutcome::Again {
            retry_after,
            throttled,
        };
        assert_eq!(read(&mut run, 1_020, again(Some(3), true)), Some(4_020));
        // Second read, nothing asked: twice the settle, 2 s.
        assert_eq!(read(&mut run, 4_020, again(None, false)), Some(6_020));
        // Third: Graph asks for 1 s, less than the 3 s the reads wait by now.
        assert_eq!(read(&mut run, 6_020, again(Some(1), false)), Some(9_020));
    }

    #[test]
    fn what_reads_meet_paces_the_run_and_a_lost_read_says_nothing() {
        let reading = |n: usize| {
            let mut run = Run::new(ids(n));
            send(&mut run, 0);
            let lost = |id: String| {
                let o = Outcome::Unsure {
                    why: "lost".into(),
                    request_id: None,
                };
                (id, o)
            };
            run.record_sent(0, ids(n).into_iter().map(lost).collect(), 0);
            assert!(matches!(run.next_work(1_000), Some(Work::Read(_))));
            run
        };
        let item = || ReadOutcome::Item(json!({ "state": "delivering" }));
        // Two reads answered, none throttled: Graph took two.
        let mut run = reading(2);
        run.record_read(
            1_000,
            vec![("id0".into(), item()), ("id1".into(), item())],
            1_020,
        );
        assert_eq!(
            (run.pace.mode.clone(), run.pace.taken_since),
            (Mode::Open, 2)
        );
        // One answered, one throttled: measuring starts.
        let mut run = reading(2);
        let throttled = ReadOutcome::Again {
            retry_after: None,
            throttled: true,
        };
        run.record_read(
            1_000,
            vec![("id0".into(), item()), ("id1".into(), throttled)],
            1_020,
        );
        assert_eq!(run.pace.mode, Mode::Measuring { size: 2 });
        assert_eq!(run.pace.drained_at, Some(1_000));
        // Every read throttled: Graph took none, and that is heard too.
        let mut run = reading(1);
        let throttled = ReadOutcome::Again {
            retry_after: None,
            throttled: true,
        };
        run.record_read(1_000, vec![("id0".into(), throttled)], 1_020);
        assert_eq!(run.pace.mode, Mode::Measuring { size: 2 });
        assert_eq!(run.pace.drained_at, Some(1_000));
        // Every read lost: the pace forgets the last throttled batch.
        let mut run = reading(1);
        run.pace.drained_at = Some(900);
        run.pace.taken_since = 3;
        let lost = ReadOutcome::Again {
            retry_after: None,
            throttled: false,
        };
        run.record_read(1_000, vec![("id0".into(), lost)], 1_020);
        assert_eq!((run.pace.drained_at, run.pace.taken_since), (None, 0));
    }

    #[test]
    fn an_expired_token_is_renewed_six_times_at_most_then_the_item_fails() {
        let mut run = Run::new(ids(1));
        let mut sends = 0;
        while !run.finished() {
            match run.next_work(0) {
                Some(Work::Send(_)) => {
                    sends += 1;
                    assert!(sends < 1_000, "the run goes round in circles");
                    run.record_sent(0, vec![("id0".into(), Outcome::Unauthorized)], 0);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(sends, 6);
        assert_eq!(
            run.results()[0].1,
            Some(Final::Failed {
                detail: "the access token was not accepted, even after renewal".into(),
                request_id: None
            })
        );
    }

    #[test]
    fn a_read_refused_for_its_token_is_read_again_at_once_six_times_at_most() {
        let mut run = Run::planned(vec![failed("a")]);
        send(&mut run, 0);
        let lost = Outcome::Unsure {
            why: "HTTP 504".into(),
            request_id: Some("r".into()),
        };
        run.record_sent(0, vec![("a".into(), lost)], 0);
        let mut now = 1_000;
        let mut reads = 0;
        while !run.finished() {
            match run.next_work(now) {
                Some(Work::Read(_)) => {
                    reads += 1;
                    assert!(reads < 1_000, "the run goes round in circles");
                    run.record_read(now, vec![("a".into(), ReadOutcome::Unauthorized)], now);
                    // Read again as soon as the token is renewed.
                    if !run.finished() {
                        assert_eq!(run.next_wake(), Some(now));
                    }
                }
                Some(Work::Send(_)) => panic!("never sent again after a lost answer"),
                None => later(&mut now, 100),
            }
        }
        assert_eq!(reads, 6);
        assert_eq!(
            run.results()[0].1,
            Some(Final::AnswerLost {
                detail: "unknown outcome (HTTP 504): the request could not be read to check \
                         it; check its history in the admin center"
                    .into(),
                request_id: Some("r".into())
            })
        );
    }

    #[test]
    fn read_replies_are_read_by_id_with_their_status() {
        let sent: Vec<String> = ["a", "b", "c", "d", "e", "f", "g", "h"]
            .map(String::from)
            .to_vec();
        let reply = json!({ "responses": [
            { "id": "8", "status": 404, "headers": { "request-id": "r8" },
              "body": { "error": { "code": "NotFound", "message": "gone" } } },
            { "id": "1", "status": 200, "body": { "id": "a", "state": "delivering" } },
            { "id": "2", "status": 401 },
            { "id": "3", "status": 429, "headers": { "Retry-After": " 7 " } },
            { "id": "4", "status": 503 },
            { "id": "5", "status": 504, "headers": { "retry-after": "2" } },
            { "id": "6" },
        ]});
        let again = |retry_after, throttled| ReadOutcome::Again {
            retry_after,
            throttled,
        };
        let read: Vec<ReadOutcome> = read_item_batch(&reply, &sent)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(
            read,
            [
                ReadOutcome::Item(json!({ "id": "a", "state": "delivering" })),
                ReadOutcome::Unauthorized,
                again(Some(7), true),
                again(None, false),
                again(Some(2), false),
                again(None, false),
                again(None, false),
                ReadOutcome::Failed {
                    detail: "HTTP 404 NotFound".into(),
                    request_id: Some("r8".into())
                },
            ]
        );
    }

    /// A transport that answers each call with the next of `answers` (and `Lost` once they
    /// run out), counts the calls and the token renewals.
    struct Scripted {
        answers: RefCell<std::collections::VecDeque<BatchAnswer>>,
        bodies: RefCell<Vec<Value>>,
        renewals: Cell<usize>,
        now: Cell<u64>,
        sleeps: Cell<u32>,
    }

    impl Scripted {
        fn new(answers: Vec<BatchAnswer>) -> Scripted {
            Scripted {
                answers: RefCell::new(answers.into()),
                bodies: RefCell::new(Vec::new()),
                renewals: Cell::new(0),
                now: Cell::new(0),
                sleeps: Cell::new(0),
            }
        }
    }

    impl Transport for Scripted {
        async fn batch(&self, body: String) -> BatchAnswer {
            self.bodies
                .borrow_mut()
                .push(serde_json::from_str(&body).unwrap());
            assert!(
                self.bodies.borrow().len() < 10_000,
                "the run keeps calling Graph"
            );
            self.answers
                .borrow_mut()
                .pop_front()
                .unwrap_or(BatchAnswer::Lost {
                    why: "script ended".into(),
                    request_id: None,
                })
        }

        fn token_refused(&self) {
            self.renewals.set(self.renewals.get() + 1);
        }

        fn now_ms(&self) -> u64 {
            self.now.get()
        }

        async fn sleep(&self, ms: u64) {
            sleep_on(&self.now, &self.sleeps, ms);
        }
    }

    fn reply(items: Value) -> BatchAnswer {
        BatchAnswer::Reply {
            body: json!({ "responses": items }),
            request_id: Some("batch-rid".into()),
        }
    }

    fn methods(graph: &Scripted) -> Vec<Vec<String>> {
        graph
            .bodies
            .borrow()
            .iter()
            .map(|b| {
                b["requests"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {}",
                            r["method"].as_str().unwrap(),
                            r["url"].as_str().unwrap()
                        )
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_driver_renews_the_token_only_after_a_401() {
        let graph = Scripted::new(vec![
            reply(json!([{ "id": "1", "status": 401 }, { "id": "2", "status": 202 }])),
            reply(json!([{ "id": "1", "status": 202 }])),
        ]);
        let run = RefCell::new(Run::planned(vec![failed("a"), failed("b")]));
        let ended = futures::executor::block_on(drive(&graph, &run, &PATHS, &|| false));
        assert_eq!(ended, Ended::Finished);
        assert_eq!(graph.renewals.get(), 1);
        assert_eq!(
            methods(&graph),
            [
                vec!["POST /x/a/reprocess", "POST /x/b/reprocess"],
                vec!["POST /x/a/reprocess"]
            ]
        );
        assert_eq!(run.borrow().progress().accepted, 2);
        // A read refused for its token renews it too; the item is read again.
        let graph = Scripted::new(vec![
            BatchAnswer::Lost {
                why: "HTTP 504".into(),
                request_id: None,
            },
            reply(json!([{ "id": "1", "status": 401 }])),
            reply(json!([{ "id": "1", "status": 200, "body": { "state": "delivering" } }])),
        ]);
        let run = RefCell::new(Run::planned(vec![failed("a")]));
        futures::executor::block_on(drive(&graph, &run, &PATHS, &|| false));
        assert_eq!(graph.renewals.get(), 1);
        assert_eq!(
            methods(&graph),
            [
                vec!["POST /x/a/reprocess"],
                vec!["GET /x/a"],
                vec!["GET /x/a"]
            ]
        );
        assert_eq!(run.borrow().progress().verified, 1);
    }

    #[test]
    fn a_read_refused_whole_ends_the_item_unknown_with_the_refusal() {
        let graph = Scripted::new(vec![
            BatchAnswer::Lost {
                why: "HTTP 504".into(),
                request_id: Some("send-rid".into()),
            },
            BatchAnswer::Refused {
                status: 400,
                code: "BadRequest".into(),
                message: "no".into(),
                request_id: Some("read-400".into()),
            },
        ]);
        let run = RefCell::new(Run::planned(vec![failed("a")]));
        let ended = futures::executor::block_on(drive(&graph, &run, &PATHS, &|| false));
        assert_eq!(ended, Ended::Finished);
        assert_eq!(graph.bodies.borrow().len(), 2, "one send, one read");
        assert_eq!(
            run.borrow().results()[0].1,
            Some(Final::AnswerLost {
                detail: "unknown outcome (HTTP 504): reading the request failed (HTTP 400 \
                         BadRequest); check its history in the admin center"
                    .into(),
                request_id: Some("read-400".into())
            })
        );
    }

    #[test]
    fn a_sign_in_needed_while_reading_ends_the_unsure_items_unknown() {
        let graph = Scripted::new(vec![
            reply(json!([
                { "id": "1", "status": 202 },
                { "id": "2", "status": 504, "headers": { "request-id": "r2" } },
            ])),
            BatchAnswer::SignInNeeded,
        ]);
        let run = RefCell::new(Run::planned(vec![failed("a"), failed("b")]));
        let ended = futures::executor::block_on(drive(&graph, &run, &PATHS, &|| false));
        assert_eq!(ended, Ended::SignInNeeded);
        assert_eq!(methods(&graph)[1], ["GET /x/b"]);
        let run = run.borrow();
        assert!(run.finished());
        assert_eq!(
            run.results(),
            [
                (
                    "a".to_string(),
                    Some(Final::Accepted {
                        request_id: Some("batch-rid".into())
                    })
                ),
                (
                    "b".to_string(),
                    Some(Final::AnswerLost {
                        detail: "HTTP 504; not sent: signing in again is needed".into(),
                        request_id: Some("r2".into())
                    })
                ),
            ]
        );
    }
}
