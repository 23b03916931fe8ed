//! Accepted actions finish later. Graph answers reprocess with 202 and resume with 204 and
//! does the work afterwards (graph-metadata.md, "Actions are asynchronous": "a read right
//! after may still show the old state"; resume: "Entra's own flow queues it too"). So an
//! accepted action is queued with the time it takes effect, and deliveries take
//! `DELIVERY_SECONDS` after they start, all on the sandbox clock.
//!
//! Settlement is lazy — [`Data::settle`] runs before each Graph call — and replays the events
//! in time order: a queued action acts *at its due time* (a delivery it starts begins then),
//! and a delivery ends `DELIVERY_SECONDS` after its start. So one late settle gives the same
//! tenant as any number of timely ones.
//!
//! Each step writes its audit events (`audit`) at the time it happens: an acting reprocess
//! or resume, initiated by the caller who sent it, starts a processing run with its own
//! correlation id; the end of the delivery it starts is written by the service in the same
//! run. A queued action that no longer applies writes nothing.

use chrono::{DateTime, Duration, Utc};

use super::audit::{Activity, Actor, Callback};
use super::{AsgState, CalloutStatus, DELIVERY_SECONDS, Data, Delivery, ReqState, Stage};

/// An accepted action, validated when it was accepted, waiting to act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Queued {
    /// Reprocess of a request (by index).
    ReprocessRequest(usize),
    /// Reprocess of an assignment (by index).
    ReprocessAssignment(usize),
    /// Resume of a request waiting at `stage` on the callout `instance`.
    Resume {
        request: usize,
        instance: String,
        stage: Stage,
        deny: bool,
        detail: String,
    },
}

/// A queued action and when it acts; `seq` keeps the order of acceptance among equal times.
#[derive(Clone, Debug)]
pub(super) struct Due {
    at: DateTime<Utc>,
    seq: u64,
    action: Queued,
    /// Who sent it: the initiator of its audit events.
    by: Actor,
}

/// The next thing that happens on the clock.
enum Event {
    Action(usize),
    RequestDelivered(usize),
    AssignmentDelivered(usize),
}

fn delivery_end(d: &Delivery) -> DateTime<Utc> {
    d.since + Duration::seconds(DELIVERY_SECONDS)
}

impl Data {
    /// Whether anything waits on the clock: a queued action or a delivery under way.
    pub fn has_pending(&self) -> bool {
        !self.pending_requests.is_empty()
            || !self.pending_assignments.is_empty()
            || !self.queued.is_empty()
    }

    /// Queues an accepted action to act at `at`. It acts only when the tenant is settled at
    /// or after `at` (at once with `settle(now)` when `at <= now`).
    pub fn queue(&mut self, action: Queued, at: DateTime<Utc>) {
        self.queue_by(action, at, Actor::App);
    }

    /// [`Data::queue`], sent by `by` (the signed-in caller of the action).
    pub fn queue_by(&mut self, action: Queued, at: DateTime<Utc>, by: Actor) {
        self.queued_seq += 1;
        self.queued.push(Due {
            at,
            seq: self.queued_seq,
            action,
            by,
        });
    }

    /// Applies, in time order, every queued action and every delivery end up to `now`. At
    /// equal times, queued actions come first, in the order they were accepted.
    pub fn settle(&mut self, now: DateTime<Utc>) {
        while let Some((at, event)) = self.next_event(now) {
            match event {
                Event::Action(k) => {
                    let due = self.queued.remove(k);
                    self.act(&due.action, at, due.by);
                }
                Event::RequestDelivered(i) => self.finish_request_delivery(i),
                Event::AssignmentDelivered(i) => self.finish_assignment_delivery(i),
            }
        }
    }

    /// The earliest event due at or before `now`.
    fn next_event(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, Event)> {
        let action = self
            .queued
            .iter()
            .enumerate()
            .filter(|(_, d)| d.at <= now)
            .min_by_key(|(_, d)| (d.at, d.seq))
            .map(|(k, d)| (d.at, Event::Action(k)));
        let request = self
            .pending_requests
            .iter()
            .filter_map(|&i| Some((delivery_end(self.requests[i].delivery.as_ref()?), i)))
            .filter(|(end, _)| *end <= now)
            .min()
            .map(|(end, i)| (end, Event::RequestDelivered(i)));
        let assignment = self
            .pending_assignments
            .iter()
            .filter_map(|&i| Some((delivery_end(self.assignments[i].delivery.as_ref()?), i)))
            .filter(|(end, _)| *end <= now)
            .min()
            .map(|(end, i)| (end, Event::AssignmentDelivered(i)));
        // Actions before deliveries at the same time; then requests before assignments.
        [action, request, assignment].into_iter().flatten().fold(
            None,
            |best: Option<(DateTime<Utc>, Event)>, e| match best {
                Some(b) if b.0 <= e.0 => Some(b),
                _ => Some(e),
            },
        )
    }

    /// A queued action at its time: it acts only if its target still allows it (another
    /// queued reprocess may have started the delivery, the callout may have been answered);
    /// otherwise it does nothing. Returns whether it acted.
    fn act(&mut self, action: &Queued, at: DateTime<Utc>, by: Actor) -> bool {
        match action {
            Queued::ReprocessRequest(i) => {
                let r = &self.requests[*i];
                let allowed = matches!(
                    r.state,
                    ReqState::DeliveryFailed | ReqState::PartiallyDelivered
                ) && r.delivery.is_none();
                if allowed {
                    let c = self.audit.new_correlation();
                    self.audit_request(*i, Activity::ReprocessRequest, by, at, c, None);
                    self.start_request_run(*i, at, c);
                }
                allowed
            }
            Queued::ReprocessAssignment(i) => {
                let a = &self.assignments[*i];
                let allowed = a.state == AsgState::Delivered && a.delivery.is_none();
                if allowed {
                    let c = self.audit.new_correlation();
                    self.audit_assignment(*i, Activity::ReprocessAssignment, by, at, c);
                    self.start_assignment_run(*i, at, c);
                }
                allowed
            }
            Queued::Resume {
                request,
                instance,
                stage,
                deny,
                detail,
            } => {
                let allowed = self.requests[*request]
                    .waiting_callout()
                    .is_some_and(|c| c.id.eq_ignore_ascii_case(instance) && c.stage == *stage);
                if allowed {
                    self.resume_by(*request, *deny, detail, at, by);
                }
                allowed
            }
        }
    }

    /// Reprocess a request (the caller checked it may be): delivering from `now`, then
    /// delivered, or failed again for a broken target, on the sandbox clock.
    pub fn start_request_delivery(&mut self, i: usize, now: DateTime<Utc>) {
        let c = self.audit.new_correlation();
        self.start_request_run(i, now, c);
    }

    /// A delivery of request `i` in the processing run `correlation`.
    fn start_request_run(&mut self, i: usize, now: DateTime<Utc>, correlation: u128) {
        let r = &mut self.requests[i];
        r.state = ReqState::Delivering;
        r.status = r.state.default_status().into();
        r.delivery = Some(Delivery {
            since: now,
            fails: r.broken,
            correlation,
        });
        if let Some(a) = r.assignment {
            self.assignments[a].state = AsgState::Delivering;
            self.assignments[a].status = AsgState::Delivering.default_status().into();
        }
        self.pending_requests.retain(|&p| p != i);
        self.pending_requests.push(i);
    }

    pub fn start_assignment_delivery(&mut self, i: usize, now: DateTime<Utc>) {
        let c = self.audit.new_correlation();
        self.start_assignment_run(i, now, c);
    }

    fn start_assignment_run(&mut self, i: usize, now: DateTime<Utc>, correlation: u128) {
        let a = &mut self.assignments[i];
        a.state = AsgState::Delivering;
        a.status = a.state.default_status().into();
        a.delivery = Some(Delivery {
            since: now,
            fails: false,
            correlation,
        });
        self.pending_assignments.retain(|&p| p != i);
        self.pending_assignments.push(i);
    }

    /// The end of a request's delivery: delivered, or failed again for a broken target,
    /// completed when the delivery ended.
    fn finish_request_delivery(&mut self, i: usize) {
        self.pending_requests.retain(|&p| p != i);
        let r = &mut self.requests[i];
        let Some(delivery) = r.delivery.take() else {
            return;
        };
        r.state = if delivery.fails {
            ReqState::DeliveryFailed
        } else {
            ReqState::Delivered
        };
        r.status = r.state.default_status().into();
        r.completed = Some(delivery_end(&delivery));
        if let Some(a) = r.assignment {
            let asg = &mut self.assignments[a];
            asg.state = if delivery.fails {
                AsgState::DeliveryFailed
            } else {
                AsgState::Delivered
            };
            asg.status = asg.state.default_status().into();
        }
        let (end, c) = (delivery_end(&delivery), delivery.correlation);
        if delivery.fails {
            let reason = self.failure_reason(i);
            self.requests[i].reason = Some(reason);
            self.audit_request(i, Activity::Failed, Actor::App, end, c, Some(reason));
        } else {
            self.audit_request(i, Activity::Fulfill, Actor::App, end, c, None);
        }
    }

    fn finish_assignment_delivery(&mut self, i: usize) {
        self.pending_assignments.retain(|&p| p != i);
        let a = &mut self.assignments[i];
        if let Some(delivery) = a.delivery.take() {
            a.state = AsgState::Delivered;
            a.status = a.state.default_status().into();
            let (end, c) = (delivery_end(&delivery), delivery.correlation);
            self.audit_assignment(i, Activity::FulfillResourceAssignment, Actor::App, end, c);
        }
    }

    /// Resume: the callout got its callback at `now`. Continue moves the request on; deny
    /// ends it.
    pub fn resume(&mut self, i: usize, deny: bool, detail: &str, now: DateTime<Utc>) {
        self.resume_by(i, deny, detail, now, Actor::App);
    }

    /// [`Data::resume`] sent by `by`: a run of its own, whose events are the resume, then a
    /// deny (by the same caller), or what the service does next (ready to fulfill and the
    /// delivery, or the fulfilment or removal the callout held back).
    fn resume_by(&mut self, i: usize, deny: bool, detail: &str, now: DateTime<Utc>, by: Actor) {
        let r = &mut self.requests[i];
        let Some(c) = r
            .callouts
            .iter_mut()
            .find(|c| c.status == CalloutStatus::WaitingForCallback)
        else {
            return;
        };
        c.status = CalloutStatus::CallbackReceived;
        c.detail = detail.to_string();
        let stage = c.stage;
        let run = self.audit.new_correlation();
        let callback = Some(Callback { stage, deny });
        self.audit_request_callback(i, Activity::Resume, by, now, run, None, callback);
        let r = &mut self.requests[i];
        if deny {
            r.state = ReqState::Denied;
            r.status = "Denied".into();
            r.completed = Some(now);
            self.audit_request(i, Activity::Deny, by, now, run, None);
            return;
        }
        let requires_approval = self.policies[r.policy].requires_approval;
        match stage {
            Stage::Created if requires_approval => {
                r.state = ReqState::PendingApproval;
                r.status = "PendingApproval".into();
            }
            Stage::Created | Stage::Approved => {
                r.state = ReqState::Delivering;
                r.status = "Delivering".into();
                r.delivery = Some(Delivery {
                    since: now,
                    fails: r.broken,
                    correlation: run,
                });
                self.pending_requests.retain(|&p| p != i);
                self.pending_requests.push(i);
                self.audit_request(i, Activity::ReadyToFulfill, Actor::App, now, run, None);
            }
            Stage::Granted | Stage::Removed => {
                r.state = ReqState::Delivered;
                r.status = "Delivered".into();
                r.completed = Some(now);
                let done = if stage == Stage::Granted {
                    Activity::Fulfill
                } else {
                    Activity::Remove
                };
                self.audit_request(i, done, Actor::App, now, run, None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::super::test_support::generated;
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn ms(n: i64) -> Duration {
        Duration::milliseconds(n)
    }

    /// What a client could see of every request and assignment.
    fn view(d: &Data) -> Vec<String> {
        let requests = d.requests.iter().map(|r| {
            format!(
                "{} {:?} {} {:?} {:?}",
                r.id,
                r.state,
                r.status,
                r.completed,
                r.callouts.iter().map(|c| c.status).collect::<Vec<_>>()
            )
        });
        let assignments = d
            .assignments
            .iter()
            .map(|a| format!("{} {:?} {}", a.id, a.state, a.status));
        requests.chain(assignments).collect()
    }

    fn failed(d: &Data, broken: bool) -> usize {
        d.requests
            .iter()
            .position(|r| r.state == ReqState::DeliveryFailed && r.broken == broken)
            .unwrap()
    }

    #[test]
    fn a_queued_reprocess_acts_at_its_due_time_and_delivers_three_seconds_later() {
        let mut d = generated(1, 300);
        let i = failed(&d, false);
        d.queue(Queued::ReprocessRequest(i), t0() + ms(2500));
        assert!(d.has_pending());
        d.settle(t0() + ms(2499));
        assert_eq!(d.requests[i].state, ReqState::DeliveryFailed, "not yet");
        d.settle(t0() + ms(2500));
        assert_eq!(d.requests[i].state, ReqState::Delivering);
        assert_eq!(d.requests[i].delivery.unwrap().since, t0() + ms(2500));
        d.settle(t0() + ms(5499));
        assert_eq!(d.requests[i].state, ReqState::Delivering);
        d.settle(t0() + ms(5500));
        assert_eq!(d.requests[i].state, ReqState::Delivered);
        assert_eq!(d.requests[i].completed, Some(t0() + ms(5500)));
        assert!(!d.has_pending());
    }

    #[test]
    fn one_late_settle_gives_the_same_tenant_as_timely_ones() {
        let base = generated(1, 300);
        let good = failed(&base, false);
        let broken = failed(&base, true);
        let asg = base
            .assignment_index(fixtures::REPROCESS_ASSIGNMENT)
            .unwrap();
        let resume = base
            .request_index(fixtures::RESUME_CONTINUE_REQUEST)
            .unwrap();
        let plan = |d: &mut Data| {
            // Two reprocesses of the same request (the second finds it delivering), a
            // broken target reprocessed twice (the second comes after it failed again), an
            // assignment, and a resume queued twice (the second finds it answered).
            d.queue(Queued::ReprocessRequest(good), t0() + ms(1000));
            d.queue(Queued::ReprocessRequest(good), t0() + ms(2000));
            d.queue(Queued::ReprocessRequest(broken), t0() + ms(1500));
            d.queue(Queued::ReprocessRequest(broken), t0() + ms(9000));
            d.queue(Queued::ReprocessAssignment(asg), t0() + ms(700));
            for _ in 0..2 {
                d.queue(
                    Queued::Resume {
                        request: resume,
                        instance: fixtures::RESUME_CONTINUE_INSTANCE.into(),
                        stage: Stage::Created,
                        deny: false,
                        detail: "ok".into(),
                    },
                    t0() + ms(1200),
                );
            }
        };
        let mut late = base.clone();
        plan(&mut late);
        late.settle(t0() + Duration::hours(1));
        let mut timely = base.clone();
        plan(&mut timely);
        for step in (0..=3_600_000).step_by(250) {
            timely.settle(t0() + ms(step));
        }
        assert_eq!(view(&late), view(&timely));
        assert!(!late.has_pending() && !timely.has_pending());
        // The broken target failed again at 4.5 s, so its second reprocess acted at 9 s and
        // failed again at 12 s; the good one was delivered once, at 4 s.
        assert_eq!(late.requests[good].state, ReqState::Delivered);
        assert_eq!(late.requests[good].completed, Some(t0() + ms(4000)));
        assert_eq!(late.requests[broken].state, ReqState::DeliveryFailed);
        assert_eq!(late.requests[broken].completed, Some(t0() + ms(12_000)));
        assert_eq!(late.assignments[asg].state, AsgState::Delivered);
        let r = &late.requests[resume];
        assert!(r.waiting_callout().is_none());
        assert_eq!(
            r.callouts
                .iter()
                .filter(|c| c.status == CalloutStatus::CallbackReceived)
                .count(),
            1
        );
    }

    #[test]
    fn a_queued_action_whose_target_no_longer_allows_it_does_nothing() {
        let mut d = generated(1, 300);
        let i = failed(&d, false);
        d.queue(Queued::ReprocessRequest(i), t0() + ms(100));
        d.queue(Queued::ReprocessRequest(i), t0() + ms(200));
        d.settle(t0() + ms(200));
        // The first started the delivery at 100 ms; the second found it delivering.
        assert_eq!(d.requests[i].delivery.unwrap().since, t0() + ms(100));
        let w = d.request_index(fixtures::RESUME_DENY_REQUEST).unwrap();
        let resume = |instance: &str, stage| Queued::Resume {
            request: w,
            instance: instance.into(),
            stage,
            deny: true,
            detail: String::new(),
        };
        d.queue(
            resume("00000000-0000-4000-8000-000000000000", Stage::Created),
            t0() + ms(300),
        );
        d.queue(
            resume(fixtures::RESUME_DENY_INSTANCE, Stage::Approved),
            t0() + ms(300),
        );
        d.settle(t0() + ms(300));
        assert!(d.requests[w].waiting_callout().is_some(), "neither fits");
        d.queue(
            resume(fixtures::RESUME_DENY_INSTANCE, Stage::Created),
            t0() + ms(400),
        );
        d.settle(t0() + ms(400));
        assert_eq!(d.requests[w].state, ReqState::Denied);
        assert_eq!(d.requests[w].completed, Some(t0() + ms(400)));
    }

    #[test]
    fn acting_actions_write_their_runs_to_the_audit_log_and_idle_ones_nothing() {
        use super::super::audit::Activity as A;
        let mut d = generated(1, 300);
        let caller = Actor::User(0);
        let trail = |d: &Data, i: usize| -> Vec<(A, Actor, Option<bool>, u128)> {
            d.audit
                .of_request(i)
                .iter()
                .map(|&e| {
                    let e = d.audit.event(e);
                    (
                        e.activity,
                        e.by,
                        e.failure.map(|r| r.retry_fails_again()),
                        e.correlation,
                    )
                })
                .collect()
        };
        let good = failed(&d, false);
        let broken = failed(&d, true);
        let (good_before, broken_before) = (trail(&d, good).len(), trail(&d, broken).len());
        d.queue_by(Queued::ReprocessRequest(good), t0() + ms(100), caller);
        d.queue_by(Queued::ReprocessRequest(good), t0() + ms(200), caller);
        d.queue_by(Queued::ReprocessRequest(broken), t0() + ms(100), caller);
        d.settle(t0() + Duration::seconds(10));
        let g = trail(&d, good);
        // One run (the second reprocess found it delivering and wrote nothing).
        assert_eq!(g.len(), good_before + 2, "{g:?}");
        assert_eq!(g[good_before].0, A::ReprocessRequest);
        assert_eq!(g[good_before].1, caller);
        assert_eq!(g[good_before + 1].0, A::Fulfill);
        assert_eq!(g[good_before + 1].1, Actor::App);
        assert_eq!(g[good_before].3, g[good_before + 1].3);
        assert_ne!(g[0].3, g[good_before].3, "a run of its own");
        let b = trail(&d, broken);
        assert_eq!(b.len(), broken_before + 2);
        assert_eq!(b[broken_before + 1].0, A::Failed);
        assert_eq!(b[broken_before + 1].2, Some(true), "fails again, for good");
        // The failure reason is the one the seeded failure gave.
        let reasons: Vec<_> = d
            .audit
            .of_request(broken)
            .iter()
            .filter_map(|&e| d.audit.event(e).failure)
            .collect();
        assert!(
            reasons.len() == 2 && reasons[0] == reasons[1],
            "{reasons:?}"
        );

        let w = d.request_index(fixtures::RESUME_DENY_REQUEST).unwrap();
        let before = trail(&d, w).len();
        d.queue_by(
            Queued::Resume {
                request: w,
                instance: fixtures::RESUME_DENY_INSTANCE.into(),
                stage: Stage::Created,
                deny: true,
                detail: String::new(),
            },
            t0() + Duration::seconds(20),
            caller,
        );
        d.settle(t0() + Duration::seconds(30));
        let t = trail(&d, w);
        let added: Vec<A> = t[before..].iter().map(|e| e.0).collect();
        assert_eq!(added, [A::Resume, A::Deny]);
        let ids: Vec<u32> = d.audit.of_request(w)[before..].to_vec();
        let cb = d.audit.event(ids[0]).callback.unwrap();
        assert!(cb.deny && cb.stage == Stage::Created);
    }

    #[test]
    fn reprocess_delivers_on_the_clock_and_broken_targets_fail_again() {
        let mut d = generated(1, 300);
        let now = Utc::now();
        let good = d
            .requests
            .iter()
            .position(|r| r.state == ReqState::DeliveryFailed && !r.broken)
            .unwrap();
        let bad = d.requests.iter().position(|r| r.broken).unwrap();
        d.start_request_delivery(good, now);
        d.start_request_delivery(bad, now);
        d.settle(now + Duration::seconds(1));
        assert_eq!(d.requests[good].state, ReqState::Delivering);
        d.settle(now + Duration::seconds(DELIVERY_SECONDS));
        assert_eq!(d.requests[good].state, ReqState::Delivered);
        assert_eq!(d.requests[bad].state, ReqState::DeliveryFailed);
        assert!(!d.has_pending());
    }
}
