//! The run's state machine: each item from pending to done, the answers and reads that
//! move it, and the counts the progress bar shows.

use std::collections::HashMap;

use super::pacer::Pacer;
use super::{Before, Final, Outcome, Planned, ReadOutcome};
use crate::graph::retry::{Backoff, Retry};
use crate::i18n::{Msg, t, tf};
use crate::ids::Guid;
use crate::labels::state_with_code;
use crate::rules::{Refusal, Verdict, reprocess_took_effect};

/// 429 answers an item may get before it is reported failed.
pub const MAX_THROTTLED: u32 = 20;

/// How long after a lost answer an item is first read: a moment for Graph to show what
/// it did.
pub const SETTLE_MS: u64 = 1_000;

/// Reads of an unsure item before it is reported answer lost. The first is [`SETTLE_MS`]
/// after the loss, and the one after the nth read waits n times [`SETTLE_MS`] (or longer
/// if Graph asks): 1 + 1 + 2 + 3 + 4 + 5 = 16 s in all. Reads only look: however many
/// there are, the item is never sent again.
const MAX_READS: u32 = 6;

/// Where an item of the run stands.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum ItemStage {
    /// Waiting to be sent (not before `ready_at`).
    Pending,
    Sending,
    /// Its answer was lost; read it at `ready_at`.
    Unsure,
    Reading,
    Done(Final),
}

#[derive(Clone, Debug)]
pub(super) struct Item {
    pub(super) planned: Planned,
    pub(super) stage: ItemStage,
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
    Send(Vec<Guid>),
    Read(Vec<Guid>),
}

/// A bulk run: the items, their attempts, their results, and the pace.
#[derive(Clone, Debug)]
pub struct Run {
    pub(super) items: Vec<Item>,
    index: HashMap<String, usize>,
    backoff: Backoff,
    pace: Pacer,
    batches_in_flight: usize,
}

impl Run {
    /// A run over `ids` (already checked by the rules).
    pub fn new(ids: Vec<Guid>) -> Run {
        Run::planned(
            ids.into_iter()
                .map(|id| Planned {
                    id: id.into(),
                    ..Planned::default()
                })
                .collect(),
        )
    }

    /// A run over a plan. Skipped items are part of the run (counts, report) but are never
    /// sent; an id planned twice (the same request on two pages) is one item. A malformed
    /// id is never sent: it is skipped for that reason if the plan did not skip it already.
    pub fn planned(plan: Vec<Planned>) -> Run {
        let mut items: Vec<Item> = Vec::with_capacity(plan.len());
        let mut index = HashMap::with_capacity(plan.len());
        for p in plan {
            let key = p.id.as_str().to_ascii_lowercase();
            if index.contains_key(&key) {
                continue;
            }
            index.insert(key, items.len());
            let stage = match (&p.skip, p.id.guid()) {
                (Some(why), _) => ItemStage::Done(Final::Skipped(why.clone())),
                (None, None) => ItemStage::Done(Final::Skipped(Refusal::MalformedId.message())),
                (None, Some(_)) => ItemStage::Pending,
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

    fn item_mut(&mut self, id: &Guid) -> Option<&mut Item> {
        let i = *self.index.get(id.as_str())?;
        self.items.get_mut(i)
    }

    /// The next batch to send or read at `now_ms`, if the pace allows one and an item is
    /// ready; its items are marked in flight. Reads of unsure items go first: they decide
    /// what happens to items Graph may have acted on.
    pub fn next_work(&mut self, now_ms: u64) -> Option<Work> {
        let size = self.pace.room(self.batches_in_flight, now_ms)?;
        let ready = |it: &Item, stage: &ItemStage| it.stage == *stage && it.ready_at <= now_ms;
        let mut reads = Vec::new();
        for it in self.items.iter_mut() {
            if reads.len() == size {
                break;
            }
            if ready(it, &ItemStage::Unsure) {
                it.stage = ItemStage::Reading;
                it.reads += 1;
                reads.extend(it.planned.id.guid().cloned());
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
                if ready(it, &ItemStage::Pending) {
                    it.stage = ItemStage::Sending;
                    it.sends += 1;
                    sends.extend(it.planned.id.guid().cloned());
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
            .filter(|it| matches!(it.stage, ItemStage::Pending | ItemStage::Unsure))
            .map(|it| it.ready_at)
            .min()?;
        Some(match self.pace.next_slot() {
            Some(slot) => waiting.max(slot),
            None => waiting,
        })
    }

    /// Records the answers to a batch of actions sent at `sent_ms`, at `now_ms`.
    pub fn record_sent(&mut self, sent_ms: u64, answers: Vec<(Guid, Outcome)>, now_ms: u64) {
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
            if it.stage != ItemStage::Sending {
                // Not sent, or answered already: a duplicate answer changes nothing.
                continue;
            }
            it.stage = ItemStage::Pending;
            match outcome {
                Outcome::Accepted { request_id } => {
                    acted += 1;
                    it.stage = ItemStage::Done(Final::Accepted { request_id });
                }
                Outcome::Refused {
                    status,
                    code,
                    message,
                    request_id,
                } => {
                    acted += 1;
                    it.stage = ItemStage::Done(Final::Failed {
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
                            it.stage = ItemStage::Done(Final::Failed {
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
                    it.stage = ItemStage::Done(Final::Failed {
                        detail: t(Msg::BulkTokenRefused).into(),
                        request_id: None,
                    })
                }
                Outcome::Unsure { why, request_id } => {
                    it.stage = ItemStage::Unsure;
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
    /// six reads in all (`MAX_READS`); otherwise the item ends answer lost. None is sent
    /// again.
    pub fn record_read(&mut self, sent_ms: u64, answers: Vec<(Guid, ReadOutcome)>, now_ms: u64) {
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
            if it.stage != ItemStage::Reading {
                continue;
            }
            let (why, lost_id) = it.unsure.clone().unwrap_or_default();
            let lost = |detail: String, request_id: Option<String>| {
                ItemStage::Done(Final::AnswerLost { detail, request_id })
            };
            let read_again = |it: &mut Item, retry_after: Option<u64>| {
                let wait = SETTLE_MS * u64::from(it.reads);
                it.ready_at = now_ms + retry_after.map_or(wait, |s| (s * 1000).max(wait));
                ItemStage::Unsure
            };
            it.stage = match read {
                ReadOutcome::Item(json) => {
                    let after = Before::of(&crate::graph::models::Request::from_json(&json));
                    match reprocess_took_effect(&it.planned.before, &after) {
                        Verdict::Acted => ItemStage::Done(Final::Verified {
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
                    ItemStage::Unsure
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
            if it.stage == ItemStage::Pending {
                it.stage = ItemStage::Done(Final::Skipped(why.to_string()));
            }
        }
    }

    pub fn finished(&self) -> bool {
        self.items
            .iter()
            .all(|it| matches!(it.stage, ItemStage::Done(_)))
    }

    pub fn progress(&self) -> Progress {
        let mut p = Progress {
            total: self.items.len(),
            ..Progress::default()
        };
        for it in &self.items {
            match &it.stage {
                ItemStage::Done(Final::Accepted { .. }) => p.accepted += 1,
                ItemStage::Done(Final::Verified { .. }) => p.verified += 1,
                ItemStage::Done(Final::AnswerLost { .. }) => p.answer_lost += 1,
                ItemStage::Done(Final::Failed { .. }) => p.failed += 1,
                ItemStage::Done(Final::Skipped(_)) => p.skipped += 1,
                ItemStage::Sending | ItemStage::Reading => p.in_flight += 1,
                ItemStage::Unsure => p.retrying += 1,
                ItemStage::Pending if it.sends > 0 => p.retrying += 1,
                ItemStage::Pending => {}
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
                    ItemStage::Done(f) => Some(f.clone()),
                    _ => None,
                };
                (it.planned.id.to_string(), done)
            })
            .collect()
    }
}

impl Run {
    /// Puts the items of `work` back as they were before it left (it never reached Graph).
    pub(super) fn release(&mut self, work: &Work) {
        self.batches_in_flight = self.batches_in_flight.saturating_sub(1);
        let (ids, from, to) = match work {
            Work::Send(ids) => (ids, ItemStage::Sending, ItemStage::Pending),
            Work::Read(ids) => (ids, ItemStage::Reading, ItemStage::Unsure),
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
    pub(super) fn give_up_unsure(&mut self, why: &str) {
        for it in &mut self.items {
            if it.stage == ItemStage::Unsure {
                let (lost, request_id) = it.unsure.clone().unwrap_or_default();
                it.stage = ItemStage::Done(Final::AnswerLost {
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
    use crate::bulk::pacer::Mode;
    use crate::bulk::test_support::{HEADER, accepted, failed, id, ids, later, named, send};
    use serde_json::json;

    #[test]
    fn batches_hold_at_most_twenty_each_item_goes_once_and_duplicates_are_one_item() {
        let mut plan: Vec<Planned> = ids(45).iter().map(failed).collect();
        // The same request loaded twice (two pages, two queries), in another casing.
        let upper = id(7).as_str().to_ascii_uppercase();
        plan.push(Planned {
            id: upper.as_str().into(),
            ..failed(&id(7))
        });
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
        assert_eq!(send(&mut run, 2_010), [id(0)]);
    }

    #[test]
    fn a_lost_answer_is_never_resent_blind_but_reconciled_by_reading() {
        let plan = ["a", "b", "c", "d"].map(|n| failed(&named(n))).to_vec();
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
        assert_eq!(reading, ["a", "b", "c", "d"].map(named));
        let state = |state: &str, completed: &str| {
            ReadOutcome::Item(json!({ "id": "x", "state": state, "completedDateTime": completed }))
        };
        run.record_read(
            1_020,
            vec![
                // Delivering: the reprocess took effect.
                (named("a"), state("delivering", "2026-11-22T12:00:00Z")),
                // Failed again, later: it took effect too.
                (named("b"), state("deliveryFailed", "2026-11-23T12:00:02Z")),
                // Exactly as before: Graph may not have reached it in its queue yet.
                (named("c"), state("deliveryFailed", "2026-11-22T12:00:00Z")),
                // Canceled meanwhile: cannot tell.
                (named("d"), state("canceled", "2026-11-23T12:00:01Z")),
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
            Some(Work::Read(vec![named("c")]))
        );
        // Graph's queue ran meanwhile: the read shows it delivering.
        run.record_read(
            2_100,
            vec![(named("c"), state("delivering", "2026-11-22T12:00:00Z"))],
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
        let mut run = Run::planned(vec![failed(&named("a"))]);
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
                    run.record_sent(now, vec![(named("a"), lost)], now);
                }
                Some(Work::Read(_)) => {
                    reads += 1;
                    assert!(reads < 1_000, "the run goes round in circles");
                    run.record_read(now, vec![(named("a"), untouched.clone())], now);
                }
                None => later(&mut now, 100),
            }
        }
        assert_eq!((sends, reads), (1, 6));
        // The reads span 16 s (1 + 1 + 2 + 3 + 4 + 5 s after the loss).
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
        let mut run = Run::planned(vec![failed(&named("a"))]);
        send(&mut run, 0);
        let lost = Outcome::Unsure {
            why: "HTTP 504".into(),
            request_id: None,
        };
        run.record_sent(0, vec![(named("a"), lost)], 0);
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
                    run.record_read(now, vec![(named("a"), r)], now);
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
        let mut run = Run::planned(vec![failed(&named("a"))]);
        send(&mut run, 0);
        run.record_sent(
            0,
            vec![(
                named("a"),
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
                    run.record_read(now, vec![(named("a"), again)], now);
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
        run.record_sent(0, vec![(id(0), Outcome::Unauthorized)], 0);
        assert_eq!(send(&mut run, 0), [id(0)]);
        run.record_sent(
            0,
            vec![(
                id(0),
                Outcome::Accepted {
                    request_id: Some("1".into()),
                },
            )],
            0,
        );
        run.record_sent(
            0,
            vec![(
                id(0),
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
                            id(0),
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
    fn a_malformed_id_is_never_sent_even_when_the_plan_forgot_to_skip_it() {
        let bad = Planned {
            id: "x' or 1 eq 1".into(),
            ..failed(&id(0))
        };
        let mut run = Run::planned(vec![bad, failed(&id(1))]);
        assert_eq!(
            send(&mut run, 0),
            [id(1)],
            "only the well-formed id is sent"
        );
        let results = run.results();
        assert_eq!(results[0].0, "x' or 1 eq 1", "shown as Graph sent it");
        assert_eq!(
            results[0].1,
            Some(Final::Skipped(Refusal::MalformedId.message()))
        );
        assert_eq!(run.progress().skipped, 1);
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
            .map(|n| failed(&named(n)))
            .to_vec();
        plan.push(Planned {
            skip: Some("outside the window".into()),
            ..failed(&named("skip"))
        });
        let mut run = Run::planned(plan);
        assert_eq!(
            send(&mut run, 0),
            ["acc", "ver", "lost", "fail", "thr", "unsure", "fly"].map(named)
        );
        let unsure = || Outcome::Unsure {
            why: "HTTP 504".into(),
            request_id: Some("lost-1".into()),
        };
        run.record_sent(
            0,
            vec![
                (named("acc"), accepted()),
                (named("ver"), unsure()),
                (named("lost"), unsure()),
                (
                    named("fail"),
                    Outcome::Refused {
                        status: 400,
                        code: "BadRequest".into(),
                        message: "no".into(),
                        request_id: None,
                    },
                ),
                (
                    named("thr"),
                    Outcome::Throttled {
                        retry_after: Some(5),
                    },
                ),
                (named("unsure"), unsure()),
                // "fly": its answer has not come.
            ],
            10,
        );
        // Graph took two (accepted, refused) and throttled one: measure at four.
        assert_eq!(run.pace.mode, Mode::Measuring { size: 4 });
        assert_eq!(
            run.next_work(1_010),
            Some(Work::Read(vec![
                named("ver"),
                named("lost"),
                named("unsure")
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
                    named("ver"),
                    ReadOutcome::Item(
                        json!({ "state": "delivering", "completedDateTime": "2026-11-22T12:00:00Z" }),
                    ),
                ),
                (
                    named("lost"),
                    ReadOutcome::Failed {
                        detail: "HTTP 404 NotFound".into(),
                        request_id: Some("read-404".into()),
                    },
                ),
                (
                    named("unsure"),
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
        let mut run = Run::planned(vec![failed(&named("a"))]);
        send(&mut run, 0);
        let lost = Outcome::Unsure {
            why: "HTTP 503".into(),
            request_id: None,
        };
        run.record_sent(0, vec![(named("a"), lost)], 20);
        let read = |run: &mut Run, now: u64, answer: ReadOutcome| {
            assert_eq!(run.next_work(now), Some(Work::Read(vec![named("a")])));
            run.record_read(now, vec![(named("a"), answer)], now);
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
            let lost = |id: Guid| {
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
        run.record_read(1_000, vec![(id(0), item()), (id(1), item())], 1_020);
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
        run.record_read(1_000, vec![(id(0), item()), (id(1), throttled)], 1_020);
        assert_eq!(run.pace.mode, Mode::Measuring { size: 2 });
        assert_eq!(run.pace.drained_at, Some(1_000));
        // Every read throttled: Graph took none, and that is heard too.
        let mut run = reading(1);
        let throttled = ReadOutcome::Again {
            retry_after: None,
            throttled: true,
        };
        run.record_read(1_000, vec![(id(0), throttled)], 1_020);
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
        run.record_read(1_000, vec![(id(0), lost)], 1_020);
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
                    run.record_sent(0, vec![(id(0), Outcome::Unauthorized)], 0);
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
        let mut run = Run::planned(vec![failed(&named("a"))]);
        send(&mut run, 0);
        let lost = Outcome::Unsure {
            why: "HTTP 504".into(),
            request_id: Some("r".into()),
        };
        run.record_sent(0, vec![(named("a"), lost)], 0);
        let mut now = 1_000;
        let mut reads = 0;
        while !run.finished() {
            match run.next_work(now) {
                Some(Work::Read(_)) => {
                    reads += 1;
                    assert!(reads < 1_000, "the run goes round in circles");
                    run.record_read(now, vec![(named("a"), ReadOutcome::Unauthorized)], now);
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
}
