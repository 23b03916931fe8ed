//! The seed tenant, generated deterministically from a seed: subjects, catalogs, packages,
//! policies, requests and assignments drawn from `seed`'s tables with `ids::Rng`, and the
//! documents' example requests (`fixtures`) and the window-edge request among them.

use chrono::{DateTime, Duration, Utc};

use super::seed::*;
use super::*;
use crate::ids::Rng;

/// Where the next request of each waiting kind goes, cycling through every place that
/// has the stage so that each pattern gets its share.
#[derive(Default)]
struct Cursor {
    waits: [usize; 4],
    near: usize,
}

/// The demo accounts' object ids and names, so they appear in the data.
pub struct Demo<'a> {
    pub people: &'a [(String, String, String)],
}

impl Data {
    /// Generates a tenant with `requests` requests (the seeds' fixtures included).
    pub fn generate(
        seed: u64,
        requests: usize,
        now: DateTime<Utc>,
        domain: &str,
        demo: Demo<'_>,
    ) -> Data {
        let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(17));
        let mut d = Data::default();
        let days = |n: i64| Duration::days(n);

        for (name, description) in CATALOGS {
            d.catalogs.push(Catalog {
                id: rng.guid(),
                display_name: (*name).into(),
                description: (*description).into(),
                created: now - days(400) - Duration::seconds(rng.below(86_400) as i64),
            });
        }
        for p in PACKAGES {
            d.packages.push(Package {
                id: rng.guid(),
                catalog: p.catalog,
                display_name: p.name.into(),
                description: p.description.into(),
                hidden: false,
                created: d.catalogs[p.catalog].created + days(3),
            });
        }
        for (i, (name, timeout)) in EXTENSIONS.iter().enumerate() {
            d.extensions.push(Extension {
                id: rng.guid(),
                display_name: (*name).into(),
                description: format!("Logic App called by access package policies ({name})"),
                created: now - days(300) + days(i as i64),
                created_by: format!("admin@{domain}"),
                subscription_id: "00000000-0000-4000-8000-00000000e5b0".into(),
                workflow_name: format!("sandbox-extension-{i}"),
                timeout: Some(timeout),
            });
        }
        // Two policies per package, their stage settings by POLICY_PATTERNS.
        for (pi, p) in d.packages.clone().iter().enumerate() {
            let (direct, self_service) = POLICY_PATTERNS[pi % POLICY_PATTERNS.len()];
            let mut settings = |list: &[(Stage, usize)]| -> Vec<StageSetting> {
                list.iter()
                    .map(|(stage, extension)| StageSetting {
                        id: rng.guid(),
                        stage: *stage,
                        extension: *extension,
                    })
                    .collect()
            };
            let direct = settings(direct);
            let self_service = settings(self_service);
            d.policies.push(Policy {
                id: rng.guid(),
                package: pi,
                display_name: "Direct assignment".into(),
                description: "Admins assign directly".into(),
                requires_approval: false,
                stage_settings: direct,
                created: p.created,
            });
            d.policies.push(Policy {
                id: rng.guid(),
                package: pi,
                display_name: "Self-service with approval · 需要审批".into(),
                description: "Users request; their manager approves".into(),
                requires_approval: true,
                stage_settings: self_service,
                created: p.created,
            });
        }

        // People: the demo accounts first, then a population in three languages plus
        // hostile names.
        for (oid, name, upn) in demo.people {
            d.subjects.push(Subject {
                id: rng.guid(),
                object_id: oid.clone(),
                display_name: name.clone(),
                email: upn.clone(),
                principal_name: upn.clone(),
            });
        }
        let population = 60 + requests / 20;
        for i in 0..population {
            let display_name = match i % 10 {
                0..=3 => format!(
                    "{} {}",
                    FIRST_EN[rng.below(FIRST_EN.len() as u64) as usize],
                    LAST_EN[rng.below(LAST_EN.len() as u64) as usize]
                ),
                4 | 5 => NAMES_ZH[rng.below(NAMES_ZH.len() as u64) as usize].to_string(),
                6 | 7 => NAMES_FR[rng.below(NAMES_FR.len() as u64) as usize].to_string(),
                8 => HOSTILE_NAMES[(i / 10) % HOSTILE_NAMES.len()].to_string(),
                _ => {
                    if i % 20 == 9 {
                        long_name()
                    } else {
                        format!("Service account {i:04}")
                    }
                }
            };
            let upn = format!("user{i:05}@{domain}");
            d.subjects.push(Subject {
                id: rng.guid(),
                object_id: rng.guid(),
                display_name,
                email: upn.clone(),
                principal_name: upn,
            });
        }

        let admin_oid = demo.people.first().map(|p| p.0.clone()).unwrap_or_default();
        let mut cursor = Cursor::default();
        d.add_fixtures(&mut rng, now, &admin_oid, &mut cursor);
        let total_weight: u64 = KINDS.iter().map(|(_, w)| w).sum();
        while d.requests.len() < requests {
            let kind = match d.requests.len() % QUOTA_PERIOD {
                10 => Kind::StuckDelivering,
                20 | 40 => Kind::NearTimeout,
                _ => {
                    let mut pick = rng.below(total_weight);
                    KINDS
                        .iter()
                        .find(|(_, w)| {
                            if pick < *w {
                                true
                            } else {
                                pick -= w;
                                false
                            }
                        })
                        .map(|(k, _)| *k)
                        .expect("weights")
                }
            };
            // The demo user (third demo person) requests now and then, for filterByCurrentUser.
            let requestor = if demo.people.len() >= 3 && rng.below(25) == 0 {
                2
            } else {
                demo.people.len() + rng.below(population as u64) as usize
            };
            d.push_generated(&mut rng, now, kind, requestor, &admin_oid, &mut cursor);
        }
        d.add_window_edge(seed, now, &admin_oid, &mut cursor);
        // Assignments not tied to a listed request, so every assignment state appears.
        for (i, state) in AsgState::ALL.into_iter().enumerate() {
            let package = i % d.packages.len();
            let target = demo.people.len() + (i * 7) % population;
            d.push_assignment(&mut rng, now, package, target, state);
        }
        // Lists are served newest first: keep that order once instead of sorting per call.
        d.requests.sort_by_key(|r| std::cmp::Reverse(r.created));
        d.reindex();
        d.seed_audit_log(seed, now, (!demo.people.is_empty()).then_some(0));
        d
    }

    fn policy_for(&self, package: usize, with_extensions: bool) -> usize {
        self.policies
            .iter()
            .position(|p| p.package == package && (p.requires_approval == with_extensions))
            .expect("every package has both policies")
    }

    /// Every `(package, policy, extension)` whose policy calls an extension at `stage`.
    fn places(&self, stage: Stage) -> Vec<(usize, usize, usize)> {
        self.policies
            .iter()
            .enumerate()
            .flat_map(|(pi, p)| {
                p.stage_settings
                    .iter()
                    .filter(move |s| s.stage == stage)
                    .map(move |s| (p.package, pi, s.extension))
            })
            .collect()
    }

    fn add_fixtures(
        &mut self,
        rng: &mut Rng,
        now: DateTime<Utc>,
        admin_oid: &str,
        cursor: &mut Cursor,
    ) {
        use fixtures::*;
        let requestor = self.subjects.len() - 1;
        let mut failed =
            self.build_request(rng, now, Kind::FailedRecent, requestor, admin_oid, cursor);
        failed.id = REPROCESS_REQUEST.into();
        failed.completed = Some(now - Duration::days(2));
        failed.broken = false;
        self.requests.push(failed);
        for (id, instance) in [
            (RESUME_CONTINUE_REQUEST, RESUME_CONTINUE_INSTANCE),
            (RESUME_DENY_REQUEST, RESUME_DENY_INSTANCE),
        ] {
            let mut r = self.build_request(
                rng,
                now,
                Kind::Waiting(Stage::Created),
                requestor,
                admin_oid,
                cursor,
            );
            r.id = id.into();
            r.callouts
                .iter_mut()
                .filter(|c| c.status == CalloutStatus::WaitingForCallback)
                .for_each(|c| c.id = instance.into());
            self.requests.push(r);
        }
        let package = 0;
        let a = self.push_assignment(rng, now, package, requestor, AsgState::Delivered);
        self.assignments[a].id = REPROCESS_ASSIGNMENT.into();
    }

    /// The request at the reprocess window's edge ([`fixtures::WINDOW_EDGE_REQUEST`]). Added
    /// after every generated request, from a generator of its own, so that no id or draw
    /// of the tenant changes; it takes the place of the last generated request no quota
    /// asked for (its assignment, if any, stays, as one not tied to a listed request), so
    /// the tenant keeps its requested size. A tenant of the fixtures alone has none.
    fn add_window_edge(
        &mut self,
        seed: u64,
        now: DateTime<Utc>,
        admin_oid: &str,
        cursor: &mut Cursor,
    ) {
        const FIXTURES: usize = 3;
        let Some(last) = (FIXTURES..self.requests.len())
            .rev()
            .find(|i| !matches!(i % QUOTA_PERIOD, 10 | 20 | 40))
        else {
            return;
        };
        self.requests.remove(last);
        let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(0x14d));
        let requestor = self.subjects.len() - 1;
        let mut r = self.build_request(
            &mut rng,
            now,
            Kind::FailedRecent,
            requestor,
            admin_oid,
            cursor,
        );
        let completed =
            now - Duration::days(14) + Duration::seconds(fixtures::WINDOW_EDGE_LEFT_SECS);
        r.id = fixtures::WINDOW_EDGE_REQUEST.into();
        r.completed = Some(completed);
        r.created = completed - Duration::hours(1);
        r.schedule_start = r.created + Duration::minutes(1);
        r.schedule_end = r
            .schedule_end
            .map(|_| r.schedule_start + Duration::days(90));
        r.broken = false;
        self.requests.push(r);
    }

    fn push_generated(
        &mut self,
        rng: &mut Rng,
        now: DateTime<Utc>,
        kind: Kind,
        requestor: usize,
        admin_oid: &str,
        cursor: &mut Cursor,
    ) {
        let mut r = self.build_request(rng, now, kind, requestor, admin_oid, cursor);
        // Delivered and partially delivered adds carry an assignment.
        let asg_state = match r.state {
            ReqState::Delivered if r.request_type.ends_with("Add") => Some(AsgState::Delivered),
            ReqState::PartiallyDelivered => Some(AsgState::PartiallyDelivered),
            ReqState::DeliveryFailed => Some(AsgState::DeliveryFailed),
            ReqState::Delivering => Some(AsgState::Delivering),
            _ => None,
        };
        if let Some(state) = asg_state {
            let state = if state == AsgState::Delivered && rng.below(12) == 0 {
                AsgState::Expired
            } else {
                state
            };
            let a = self.push_assignment(rng, now, r.package, r.requestor, state);
            self.assignments[a].policy = r.policy;
            self.assignments[a].schedule_start = r.schedule_start;
            r.assignment = Some(a);
        }
        self.requests.push(r);
    }

    fn build_request(
        &self,
        rng: &mut Rng,
        now: DateTime<Utc>,
        kind: Kind,
        requestor: usize,
        admin_oid: &str,
        cursor: &mut Cursor,
    ) -> Request {
        let secs = |n: u64| Duration::seconds(n as i64);
        let day = 86_400u64;
        let hour = 3_600u64;
        // Where a request waiting for a callback goes: the next place with that stage.
        let waiting_at = match kind {
            Kind::Waiting(stage) => Some(stage),
            Kind::NearTimeout => Some(Stage::Created),
            _ => None,
        };
        let (package, policy, waiting) = match (kind, waiting_at) {
            (Kind::NearTimeout, Some(stage)) => {
                let places = self.places(stage);
                let (pkg, pol, ext) = places[cursor.near % places.len()];
                cursor.near += 1;
                (pkg, pol, Some((stage, ext)))
            }
            (_, Some(stage)) => {
                let places = self.places(stage);
                let n = &mut cursor.waits[stage as usize];
                let (pkg, pol, ext) = places[*n % places.len()];
                *n += 1;
                (pkg, pol, Some((stage, ext)))
            }
            _ => {
                let package = rng.below(self.packages.len() as u64) as usize;
                let policy = self.policy_for(package, rng.below(2) == 0);
                (package, policy, None)
            }
        };
        let policy_ref = &self.policies[policy];
        // Waiting requests follow one documented mapping (sandbox/README.md, "Stage
        // semantics"): Created is submitted, Approved is approved and not yet delivered,
        // Granted is a delivered add, Removed a delivered remove.
        let add_type = |rng: &mut Rng| -> &'static str {
            if !policy_ref.requires_approval {
                "adminAdd"
            } else if rng.below(4) == 0 {
                "onBehalfAdd"
            } else {
                "userAdd"
            }
        };
        let request_type: &'static str = match waiting {
            Some((Stage::Removed, _)) => {
                ["userRemove", "adminRemove", "systemRemove"][rng.below(3) as usize]
            }
            Some(_) => add_type(rng),
            None => match rng.below(20) {
                0..=11 => "userAdd",
                12..=14 => "adminAdd",
                15 => "userUpdate",
                16 => "userRemove",
                17 => "adminRemove",
                18 => "systemRemove",
                _ => "onBehalfAdd",
            },
        };
        // The extension's callback timeout, for requests waiting at Created (whose callout
        // started when the request was created).
        let timeout = waiting
            .and_then(|(_, ext)| self.extensions[ext].timeout)
            .and_then(duration_secs)
            .unwrap_or(14 * 86_400) as u64;
        // Ages in seconds before now.
        let (created_ago, completed_ago, state): (u64, Option<u64>, ReqState) = match kind {
            Kind::Delivered => {
                let c = day + rng.below(58 * day);
                (c, Some(c - rng.below(day / 2)), ReqState::Delivered)
            }
            Kind::FailedRecent | Kind::PartialRecent => {
                let done = 600 + rng.below(13 * day);
                let st = if matches!(kind, Kind::FailedRecent) {
                    ReqState::DeliveryFailed
                } else {
                    ReqState::PartiallyDelivered
                };
                (done + rng.below(day), Some(done), st)
            }
            Kind::FailedOld | Kind::PartialOld => {
                let done = 15 * day + rng.below(40 * day);
                let st = if matches!(kind, Kind::FailedOld) {
                    ReqState::DeliveryFailed
                } else {
                    ReqState::PartiallyDelivered
                };
                (done + rng.below(day), Some(done), st)
            }
            Kind::PendingApproval => (rng.below(10 * day), None, ReqState::PendingApproval),
            Kind::Submitted => (rng.below(hour), None, ReqState::Submitted),
            Kind::Delivering => (rng.below(hour), None, ReqState::Delivering),
            Kind::StuckDelivering => (
                7 * hour + rng.below(3 * day - 7 * hour),
                None,
                ReqState::Delivering,
            ),
            Kind::Denied => {
                let c = rng.below(50 * day) + day;
                (c, Some(c - rng.below(day / 2)), ReqState::Denied)
            }
            Kind::Canceled => {
                let c = rng.below(50 * day) + day;
                (c, Some(c - rng.below(day / 2)), ReqState::Canceled)
            }
            Kind::Scheduled => (rng.below(5 * day), None, ReqState::Scheduled),
            Kind::NearTimeout => {
                // Alternately under 24 hours left and one to three days left (never more
                // than the timeout allows).
                let left = if cursor.near % 2 == 1 {
                    hour + rng.below((20 * hour).min(timeout / 2))
                } else {
                    (day + rng.below(2 * day)).min(timeout - hour)
                };
                (timeout - left, None, ReqState::Submitted)
            }
            Kind::Waiting(Stage::Created) => (
                60 + rng.below((5 * day).min(timeout / 2)),
                None,
                ReqState::Submitted,
            ),
            Kind::Waiting(Stage::Approved) => (
                60 + rng.below(5 * day),
                None,
                if rng.below(4) == 0 {
                    ReqState::Scheduled
                } else {
                    ReqState::Delivering
                },
            ),
            Kind::Waiting(Stage::Granted | Stage::Removed) => {
                (60 + rng.below(5 * day), None, ReqState::Delivered)
            }
        };
        let created = now - secs(created_ago);
        let completed = completed_ago.map(|c| now - secs(c.min(created_ago)));
        let mut status = state.default_status().to_string();
        let mut callouts = Vec::new();
        for setting in &policy_ref.stage_settings {
            let outcome = match waiting {
                // The stage it waits at, and the add stages it has passed.
                Some((stage, _)) if setting.stage == stage => CalloutStatus::WaitingForCallback,
                Some((Stage::Removed, _)) => continue,
                Some((stage, _)) if (setting.stage as u8) < (stage as u8) => {
                    CalloutStatus::CallbackReceived
                }
                Some(_) => continue,
                None if completed.is_none() => continue,
                None => match rng.below(10) {
                    0 => CalloutStatus::CalloutFailed,
                    1 => CalloutStatus::CallbackTimedOut,
                    _ => CalloutStatus::CallbackReceived,
                },
            };
            callouts.push(Callout {
                id: rng.guid(),
                extension: setting.extension,
                stage: setting.stage,
                status: outcome,
                detail: match outcome {
                    CalloutStatus::WaitingForCallback => {
                        "Waiting for the custom extension to call back".into()
                    }
                    CalloutStatus::CalloutFailed => "The Logic App returned HTTP 500".into(),
                    CalloutStatus::CallbackTimedOut => "No callback within the timeout".into(),
                    _ => "Callback received".into(),
                },
                correlation_id: rng.guid(),
            });
        }
        if waiting.is_some() {
            status = "WaitingForCallback".into();
        }
        let answers = if policy_ref.requires_approval {
            QUESTIONS
                .iter()
                .map(|(q, vals)| Answer {
                    question: (*q).into(),
                    value: vals[rng.below(vals.len() as u64) as usize].into(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let start = created + Duration::minutes(1);
        Request {
            id: rng.guid(),
            package,
            policy,
            requestor,
            request_type,
            state,
            status,
            created,
            completed,
            justification: JUSTIFICATIONS[rng.below(JUSTIFICATIONS.len() as u64) as usize].into(),
            answers,
            schedule_start: start,
            schedule_end: (rng.below(2) == 0).then(|| start + Duration::days(90)),
            assignment: None,
            callouts,
            broken: matches!(kind, Kind::FailedRecent | Kind::PartialRecent) && rng.below(4) == 0,
            reason: None,
            approvers: if state == ReqState::PendingApproval {
                vec![admin_oid.to_string()]
            } else {
                Vec::new()
            },
            delivery: None,
        }
    }
    fn push_assignment(
        &mut self,
        rng: &mut Rng,
        now: DateTime<Utc>,
        package: usize,
        target: usize,
        state: AsgState,
    ) -> usize {
        let start = now - Duration::days(1 + rng.below(60) as i64);
        let policy = self.policy_for(package, false);
        self.assignments.push(Assignment {
            id: rng.guid(),
            package,
            policy,
            target,
            state,
            status: state.default_status().into(),
            expired: (state == AsgState::Expired).then(|| now - Duration::days(1)),
            schedule_start: start,
            schedule_end: Some(start + Duration::days(365)),
            callouts: Vec::new(),
            delivery: None,
        });
        self.assignments.len() - 1
    }
}

#[cfg(test)]
mod tests;
