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
    assert!(matches!(&results[0], Some(Final::Verified { request_id: Some(r), .. }) if r == "rid"));
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
