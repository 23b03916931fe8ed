//! How fast a run sends: [`Pacer`] learns Graph's throttle rate from its 429s.

use super::{BATCH_SIZE, CONCURRENCY};

/// How long a paced run may go without a throttled answer before it tries a little faster.
const PROBE_AFTER_MS: u64 = 1_000;

/// Measuring Graph's rate takes samples spanning this long.
const MEASURE_SPAN_MS: u64 = 250;

/// Two throttled batches sent at most this far apart make a sample of Graph's rate.
const SAMPLE_GAP_MS: u64 = 300;

/// Samples of Graph's rate are kept this long.
const SAMPLES_FOR_MS: u64 = 2_000;

/// How fast the run sends. Graph throttles every item of a `$batch` on its own and says so
/// only by 429s; the run learns Graph's rate from them rather than overshooting again and
/// again:
/// - `Open`: no throttling seen, up to [`CONCURRENCY`] batches in flight;
/// - `Measuring`: throttled once; one batch at a time, each about twice what Graph took of
///   the last, until Graph's rate is measured;
/// - `Paced`: batches at the measured rate; slower after a 429 (to the rate measured
///   since, when there is one, else 5% slower), 5% faster after a quiet second.
///
/// The rate is measured between two throttled batches sent close together: Graph's bucket
/// was empty at both, so what it took in between is what it refilled. A pair far apart is
/// not a sample (the bucket may have filled up and overflowed meanwhile), and a batch
/// whose answer was lost says nothing.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Mode {
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
pub(super) struct Pacer {
    pub(super) mode: Mode,
    /// Send time of the last throttled batch, and what Graph took (acted on or read) in
    /// batches heard since.
    pub(super) drained_at: Option<u64>,
    pub(super) taken_since: usize,
    /// Samples of Graph's rate: (when heard, items taken, milliseconds between the two
    /// throttled batches).
    samples: std::collections::VecDeque<(u64, usize, u64)>,
}

impl Pacer {
    pub(super) fn new() -> Pacer {
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
    pub(super) fn room(&self, in_flight: usize, now_ms: u64) -> Option<usize> {
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
    pub(super) fn sent(&mut self, n: usize, now_ms: u64) {
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
    pub(super) fn next_slot(&self) -> Option<u64> {
        match &self.mode {
            Mode::Paced { next_slot, .. } => Some(*next_slot),
            _ => None,
        }
    }

    /// A batch's answer was lost: what it took is unknown, so the measurement between the
    /// throttled batches around it starts again.
    pub(super) fn lost(&mut self) {
        self.drained_at = None;
        self.taken_since = 0;
    }

    /// Graph answered a batch sent at `sent_ms`: it took `taken` items (acted on, refused
    /// or read: each used a token) and throttled `throttled`, heard at `now_ms`.
    pub(super) fn heard(&mut self, sent_ms: u64, taken: usize, throttled: usize, now_ms: u64) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::test_support::{accepted, failed, ids, later, number};
    use crate::bulk::{Final, Outcome, Planned, ReadOutcome, Run, Work};
    use crate::ids::Guid;
    use serde_json::json;

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
        let plan: Vec<Planned> = ids(n).iter().map(failed).collect();
        let mut run = Run::planned(plan);
        let mut graph = Bucket::new(rate, burst);
        let mut acted = vec![0u32; n];
        let mut throttled = 0;
        let mut batches = 0;
        enum Answers {
            Sent(Vec<(Guid, Outcome)>),
            Read(Vec<(Guid, ReadOutcome)>),
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
                                    acted[number(&id)] += 1;
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
                                    let done = acted[number(&id)] > 0;
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
        // then read for about 16 s more, which no pace shortens).
        let tokens = (65 + p.verified) as f64;
        let optimum = (tokens - 10.0) / 20.0 * 1000.0;
        assert!(
            optimum / (took as f64) >= 0.6,
            "{took} ms for an optimum of {optimum:.0} ms"
        );
    }

    // --- The pace, piece by piece. Figures are worked out by hand from the rules in
    // `Pacer`'s documentation: batches of 20, 4 in flight, samples between throttled
    // batches at most 300 ms apart, kept 2 s, measured once they span 250 ms, a tenth of
    // a second's worth per paced batch, 5% slower after a 429, 5% faster after a quiet
    // second.

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
}
