//! The start page's operations overview, pure: which Graph queries count it, and the
//! tally of the requests they answer. The overview counts the ready-made views with the
//! very plans and row checks the list uses ([`crate::graph::plan`], [`crate::rows`]), so
//! a count and the view it links to cannot disagree; completions per day come from the
//! same pass.
//!
//! ```
//! use access_desk::graph::models::Request;
//! use access_desk::overview::{Tally, COUNTED};
//! use access_desk::query::Preset;
//! use chrono::TimeZone;
//! let now = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
//! let mut tally = Tally::new(1, now, 0);
//! let failed = Request {
//!     id: "a".into(),
//!     state: "deliveryFailed".into(),
//!     completed: Some(now - chrono::Duration::hours(3)),
//!     ..Request::default()
//! };
//! tally.add(0, &failed, None);
//! tally.add(0, &failed, None); // read twice (two queries): counted once
//! assert_eq!(tally.count(0, Preset::Attention), 1);
//! assert_eq!(tally.count(0, Preset::FailedOld), 0);
//! assert_eq!(tally.days[13], [0, 0, 1, 0, 0]); // completed today, failed
//! ```

pub mod markup;
pub mod reading;

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::config::GraphVersion;
use crate::graph::models::Request;
use crate::graph::plan::plan;
use crate::graph::resources::{Clause, Property};
use crate::ids::Guid;
use crate::query::{ListView, Preset};
use crate::rows::keeps_request;

/// The ready-made views the overview counts, in the order it shows them.
pub const COUNTED: [Preset; 5] = [
    Preset::Attention,
    Preset::Waiting,
    Preset::FailedOld,
    Preset::Stuck,
    Preset::Deadline,
];

/// Days of completions charted, today included.
pub const DAYS: usize = 14;

/// The completed states charted, bottom of a bar first.
pub const OUTCOMES: [&str; 5] = [
    "delivered",
    "partiallyDelivered",
    "deliveryFailed",
    "denied",
    "canceled",
];

/// How far back Graph keeps requests (about three months): the completed states only the
/// chart needs are read from requests created since then, not from the whole history.
pub const KEPT_DAYS: i64 = 92;

/// View `preset` as its link opens it, narrowed to `package` when given.
pub fn view_of(preset: Preset, package: Option<&Guid>) -> ListView {
    let mut view = ListView::preset(preset);
    view.package = package.cloned();
    view
}

/// The Graph queries (each a list of clauses joined with `and`) whose answers hold every
/// request the overview counts for `package` (None: the tenant), each once: the counted
/// views' plans, and the completed states they do not read, created since [`KEPT_DAYS`].
/// A query that narrows another (all of the other's clauses and more) is left out: the
/// wider one's answer holds its rows.
/// `refused`: properties Graph refused this session, applied in the browser instead.
pub fn queries(
    package: Option<&Guid>,
    version: GraphVersion,
    now: DateTime<Utc>,
    refused: &[Property],
) -> Vec<Vec<Clause>> {
    let mut views: Vec<ListView> = COUNTED.iter().map(|p| view_of(*p, package)).collect();
    let mut completed = ListView::new(crate::query::ListKind::Requests);
    completed.package = package.cloned();
    completed.states = vec!["delivered", "denied", "canceled"];
    completed.created_after = Some((now - Duration::days(KEPT_DAYS)).date_naive());
    views.push(completed);
    let mut all: Vec<Vec<Clause>> = Vec::new();
    for v in &views {
        for q in plan(v, version, now, refused).queries {
            if !all.contains(&q) {
                all.push(q);
            }
        }
    }
    let narrows =
        |q: &Vec<Clause>, wider: &Vec<Clause>| q != wider && wider.iter().all(|c| q.contains(c));
    all.iter()
        .filter(|q| !all.iter().any(|w| narrows(q, w)))
        .cloned()
        .collect()
}

/// What the overview read: per scope (the tenant, or each access package of a
/// catalog-scoped manager), how many requests each counted view holds; and per day, the
/// requests completed by outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Tally {
    /// `counts[scope][i]`: the rows of view `COUNTED[i]`.
    pub counts: Vec<[u32; COUNTED.len()]>,
    /// The first charted day, in the admin's time zone.
    pub first_day: NaiveDate,
    /// `days[d][o]`: completed on `first_day + d` in outcome `OUTCOMES[o]`.
    pub days: [[u32; OUTCOMES.len()]; DAYS],
    /// Requests read (each once).
    pub read: u32,
    /// The raw requests that wait for a callback, with their scope: their time left needs
    /// the extensions' timeouts, read from the policies afterwards.
    pub waiting: Vec<(usize, serde_json::Value)>,
    views: Vec<ListView>,
    now: DateTime<Utc>,
    offset: Duration,
    seen: HashSet<String>,
}

impl Tally {
    /// An empty tally of `scopes` scopes at `now`, days counted `offset_minutes` east of
    /// UTC.
    pub fn new(scopes: usize, now: DateTime<Utc>, offset_minutes: i32) -> Tally {
        let offset = Duration::minutes(i64::from(offset_minutes));
        Tally {
            counts: vec![[0; COUNTED.len()]; scopes],
            first_day: (now + offset).date_naive() - Duration::days(DAYS as i64 - 1),
            days: [[0; OUTCOMES.len()]; DAYS],
            read: 0,
            waiting: Vec::new(),
            views: COUNTED.iter().map(|p| view_of(*p, None)).collect(),
            now,
            offset,
            seen: HashSet::new(),
        }
    }

    /// Counts request `r` (its Graph JSON `raw`, kept when it waits for a callback) for
    /// scope `scope`; a request already counted is skipped.
    pub fn add(&mut self, scope: usize, r: &Request, raw: Option<&serde_json::Value>) {
        if !self.seen.insert(r.id.as_str().to_ascii_lowercase()) {
            return;
        }
        self.read += 1;
        for (i, view) in self.views.iter().enumerate() {
            if keeps_request(view, &[], r, "", self.now) {
                self.counts[scope][i] += 1;
            }
        }
        if let (Some(raw), Some(_)) = (raw, r.waiting_callout()) {
            self.waiting.push((scope, raw.clone()));
        }
        let outcome = OUTCOMES
            .iter()
            .position(|o| o.eq_ignore_ascii_case(&r.state));
        if let (Some(o), Some(done)) = (outcome, r.completed) {
            let day = ((done + self.offset).date_naive() - self.first_day).num_days();
            if let Ok(d @ 0..DAYS) = usize::try_from(day) {
                self.days[d][o] += 1;
            }
        }
    }

    /// The tally once every page is read: the ids that de-duplicated them are not kept.
    pub fn finished(mut self) -> Tally {
        self.seen = HashSet::new();
        self
    }

    /// The rows of view `preset` in scope `scope`.
    pub fn count(&self, scope: usize, preset: Preset) -> u32 {
        let i = COUNTED.iter().position(|p| *p == preset).unwrap_or(0);
        self.counts.get(scope).map_or(0, |c| c[i])
    }

    /// As kept for the tab's session.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        // Built by hand: `json!` would serialize each field through serde's machinery.
        let numbers = |ns: &[u32]| Value::Array(ns.iter().map(|n| Value::from(*n)).collect());
        let mut v = serde_json::Map::new();
        v.insert(
            "counts".into(),
            self.counts.iter().map(|c| numbers(c)).collect(),
        );
        v.insert(
            "firstDay".into(),
            crate::query::format_date(self.first_day).into(),
        );
        v.insert(
            "days".into(),
            self.days.iter().map(|d| numbers(d)).collect(),
        );
        v.insert("read".into(), self.read.into());
        let waiting = self
            .waiting
            .iter()
            .map(|(scope, raw)| Value::Array(vec![(*scope).into(), raw.clone()]));
        v.insert("waiting".into(), waiting.collect());
        Value::Object(v)
    }

    /// A tally kept by [`Tally::to_json`]; None when it does not read as one.
    pub fn from_json(v: &serde_json::Value) -> Option<Tally> {
        let numbers = |v: &serde_json::Value| -> Option<Vec<u32>> {
            v.as_array()?
                .iter()
                .map(|n| n.as_u64().and_then(|n| u32::try_from(n).ok()))
                .collect()
        };
        let counts = v["counts"]
            .as_array()?
            .iter()
            .map(|c| numbers(c)?.try_into().ok())
            .collect::<Option<Vec<_>>>()?;
        let days: Vec<[u32; OUTCOMES.len()]> = v["days"]
            .as_array()?
            .iter()
            .map(|d| numbers(d)?.try_into().ok())
            .collect::<Option<Vec<_>>>()?;
        let waiting = v["waiting"]
            .as_array()?
            .iter()
            .map(|w| Some((w[0].as_u64()? as usize, w[1].clone())))
            .collect::<Option<Vec<_>>>()?;
        let mut tally = Tally::new(counts.len(), Utc::now(), 0);
        tally.counts = counts;
        tally.first_day = crate::query::parse_date(v["firstDay"].as_str()?)?;
        tally.days = days.try_into().ok()?;
        tally.read = u32::try_from(v["read"].as_u64()?).ok()?;
        tally.waiting = waiting;
        Some(tally)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::models::Callout;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
    }

    fn request(id: &str, state: &str) -> Request {
        Request {
            id: id.into(),
            state: state.into(),
            created: Some(now() - Duration::days(20)),
            ..Request::default()
        }
    }

    #[test]
    fn each_view_counts_what_its_list_would_show() {
        let mut t = Tally::new(1, now(), 0);
        let mut failed_recent = request("1", "deliveryFailed");
        failed_recent.completed = Some(now() - Duration::days(2));
        let mut failed_old = request("2", "partiallyDelivered");
        failed_old.completed = Some(now() - Duration::days(15));
        let mut stuck = request("3", "delivering");
        stuck.created = Some(now() - Duration::hours(7));
        let mut fresh = request("4", "delivering");
        fresh.created = Some(now() - Duration::hours(1));
        let mut waiting = request("5", "pendingApproval");
        waiting.status = "WaitingForCallback".into();
        waiting.callouts = vec![Callout {
            status: "waitingForCallback".into(),
            ..Callout::default()
        }];
        for r in [&failed_recent, &failed_old, &stuck, &fresh, &waiting] {
            t.add(0, r, Some(&serde_json::json!({ "id": r.id.as_str() })));
        }
        let counts: Vec<u32> = COUNTED.iter().map(|p| t.count(0, *p)).collect();
        // Attention: the failed one in its window and the waiting one; waiting; failed
        // outside the window; stuck past 6 h; deadline: the waiting one.
        assert_eq!(counts, [2, 1, 1, 1, 1]);
        assert_eq!(t.read, 5);
        assert_eq!(t.waiting.len(), 1, "only the waiting request is kept");
    }

    #[test]
    fn completions_fall_on_the_admins_day_and_only_the_last_fourteen() {
        // 09:00 UTC is 01:00 the same day at UTC−8, and 23:30 the day before is still the
        // day before there.
        let mut t = Tally::new(1, now(), -8 * 60);
        assert_eq!(t.first_day, NaiveDate::from_ymd_opt(2026, 11, 18).unwrap());
        let at = |id: &str, state: &str, done: DateTime<Utc>| Request {
            completed: Some(done),
            ..request(id, state)
        };
        t.add(0, &at("a", "delivered", now() - Duration::hours(8)), None); // Nov 30, 17:00 local
        t.add(0, &at("b", "Denied", now()), None); // Dec 1, 01:00 local
        t.add(0, &at("c", "delivered", now() - Duration::days(14)), None); // Nov 17: too old
        t.add(0, &at("d", "delivering", now()), None); // not an outcome
        assert_eq!(t.days[12], [1, 0, 0, 0, 0]);
        assert_eq!(t.days[13], [0, 0, 0, 1, 0]);
        assert_eq!(t.days.iter().flatten().sum::<u32>(), 2);
    }

    #[test]
    fn a_kept_tally_reads_back_the_same() {
        let mut t = Tally::new(2, now(), 60);
        let mut r = request("x", "deliveryFailed");
        r.completed = Some(now());
        t.add(1, &r, None);
        let back = Tally::from_json(&t.to_json()).unwrap();
        assert_eq!(
            (back.counts, back.days, back.read, back.first_day),
            (t.counts, t.days, t.read, t.first_day)
        );
        assert!(Tally::from_json(&serde_json::json!({ "counts": [[1, 2]] })).is_none());
    }

    #[test]
    fn the_queries_are_the_views_plans_each_once_and_the_other_outcomes_bounded_by_retention() {
        let filters: Vec<String> = queries(None, GraphVersion::V1, now(), &[])
            .iter()
            .map(|q| {
                crate::graph::resources::filter_text(
                    q,
                    crate::graph::resources::Collection::Requests,
                    GraphVersion::V1,
                )
                .unwrap_or_default()
            })
            .collect();
        let unique: HashSet<&String> = filters.iter().collect();
        assert_eq!(unique.len(), filters.len(), "{filters:?}");
        for state in [
            "deliveryFailed",
            "partiallyDelivered",
            "delivering",
            "pendingApproval",
        ] {
            assert!(
                filters.contains(&format!("state eq '{state}'")),
                "{state}: {filters:?}"
            );
        }
        // Denied requests matter to the chart only: those Graph still keeps. Delivered
        // ones are read whole anyway (a request waits for a callback at removal when
        // delivered), so no bounded query repeats them.
        assert!(
            filters.contains(
                &"state eq 'denied' and createdDateTime gt 2026-08-30T23:59:59Z".to_string()
            ),
            "{filters:?}"
        );
        assert!(
            !filters
                .iter()
                .any(|f| f.starts_with("state eq 'delivered' and")),
            "{filters:?}"
        );
    }
}
