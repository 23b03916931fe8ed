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
mod tests;
