//! [`drive`], the one driver: a [`Run`] over any [`Transport`].

use super::wire::{batch_body, read_action_batch, read_item_batch};
use super::{BatchAnswer, Outcome, ReadOutcome, Run, RunCell, Transport, Work};
use crate::i18n::{Msg, t};
use crate::ids::Guid;

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
    pub action: &'a dyn Fn(&Guid) -> String,
    pub item: &'a dyn Fn(&Guid) -> String,
}

/// Drives `run` to its end over `transport`: up to [`CONCURRENCY`](super::CONCURRENCY)
/// batches in flight at the pace [`Run`] allows, each answer recorded as it arrives.
/// `cancelled` is asked between answers.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::test_support::{
        HEADER, failed, id, ids, name_of, named, one_more_call, sleep_on,
    };
    use crate::bulk::{Final, Planned};
    use serde_json::{Value, json};
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

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
        let run = RefCell::new(Run::planned(ids(45).iter().map(failed).collect()));
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
        action: &|id: &Guid| format!("x/{}/reprocess", name_of(id)),
        item: &|id: &Guid| format!("x/{}", name_of(id)),
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
            let plan: Vec<Planned> = ids(60).iter().map(failed).collect();
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
        let run = RefCell::new(Run::planned(ids(50).iter().map(failed).collect()));
        let ended = futures::executor::block_on(drive(&graph, &run, &PATHS, &|| false));
        assert_eq!(ended, Ended::SignInNeeded);
        let run = run.borrow();
        assert!(run.finished());
        let p = run.progress();
        assert_eq!((p.accepted, p.skipped), (20, 30));
        assert!(run.report_csv(HEADER).contains(id(49).as_str()));
    }

    #[test]
    fn cancelling_the_driver_sends_nothing_more() {
        let graph = lossy(0, usize::MAX);
        let run = RefCell::new(Run::planned(ids(200).iter().map(failed).collect()));
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
        let run = RefCell::new(Run::planned(vec![failed(&named("a")), failed(&named("b"))]));
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
        let run = RefCell::new(Run::planned(vec![failed(&named("a"))]));
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
        // Reads answered without a 401 renew nothing.
        let graph = Scripted::new(vec![
            BatchAnswer::Lost {
                why: "HTTP 504".into(),
                request_id: None,
            },
            reply(json!([{ "id": "1", "status": 200, "body": { "state": "delivering" } }])),
        ]);
        let run = RefCell::new(Run::planned(vec![failed(&named("a"))]));
        futures::executor::block_on(drive(&graph, &run, &PATHS, &|| false));
        assert_eq!(run.borrow().progress().verified, 1);
        assert_eq!(graph.renewals.get(), 0);
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
        let run = RefCell::new(Run::planned(vec![failed(&named("a"))]));
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
        let run = RefCell::new(Run::planned(vec![failed(&named("a")), failed(&named("b"))]));
        let ended = futures::executor::block_on(drive(&graph, &run, &PATHS, &|| false));
        assert_eq!(ended, Ended::SignInNeeded);
        assert_eq!(methods(&graph)[1], ["GET /x/b"]);
        let run = run.borrow();
        assert!(run.finished());
        assert_eq!(
            run.results(),
            [
                (
                    named("a").to_string(),
                    Some(Final::Accepted {
                        request_id: Some("batch-rid".into())
                    })
                ),
                (
                    named("b").to_string(),
                    Some(Final::AnswerLost {
                        detail: "HTTP 504; not sent: signing in again is needed".into(),
                        request_id: Some("r2".into())
                    })
                ),
            ]
        );
    }
}
