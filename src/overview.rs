//! The start page's overview, the pure part: what to read from Graph (documented filters
//! only) and what to count in it, with the very rules the lists apply, so each count is
//! what its link shows.
//!
//! Graph keeps a request about three months after it completes, documents no `$count`,
//! and filters requests only by `state eq`, `createdDateTime gt` and `accessPackage/id eq`.
//! So the scan reads the open states whole (a request stuck in delivering since last year
//! still needs a hand) and the finished ones created in the last [`KEPT_DAYS`] days, one
//! query per state, in parallel.
//!
//! ```
//! use access_desk::graph::models::Request;
//! use access_desk::overview::tally;
//! use chrono::{DateTime, Duration};
//! // Noon, so three hours ago is today in UTC.
//! let now = DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z").unwrap().to_utc();
//! let failed = Request {
//!     state: "deliveryFailed".into(),
//!     created: Some(now - Duration::hours(4)),
//!     completed: Some(now - Duration::hours(3)),
//!     ..Request::default()
//! };
//! let t = tally(&[failed], now, 0, &|_| None);
//! assert_eq!(t.count(access_desk::query::Preset::Attention), 1);
//! assert_eq!(t.days.last().unwrap().outcomes[2], 1); // failed, today
//! ```

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::graph::models::Request;
use crate::ids::Guid;
use crate::query::{ListKind, ListView, Preset};
use crate::rows::{TimeLeft, callback_time_left, keeps_request};

/// How far back finished requests are read: Graph keeps them about three months after
/// they complete.
pub const KEPT_DAYS: i64 = 90;
/// Days in the outcome chart, today included.
pub const CHART_DAYS: usize = 14;
/// States a request can stay in (read whatever their age).
pub const OPEN_STATES: [&str; 4] = ["submitted", "pendingApproval", "delivering", "scheduled"];
/// The chart's outcomes, in its order: the states a request ends in.
pub const OUTCOMES: [&str; 5] = [
    "delivered",
    "partiallyDelivered",
    "deliveryFailed",
    "denied",
    "canceled",
];
/// The ready-made views the overview counts, in its order.
pub const COUNTED: [Preset; 5] = [
    Preset::Attention,
    Preset::Waiting,
    Preset::FailedOld,
    Preset::Stuck,
    Preset::Deadline,
];

/// The two views whose queries are the scan: open states, and finished ones created in
/// the last [`KEPT_DAYS`] days; both of `package` when given (a catalog-scoped manager
/// must name one).
pub fn scan_views(today: NaiveDate, package: Option<&Guid>) -> [ListView; 2] {
    let base = ListView {
        package: package.cloned(),
        ..ListView::new(ListKind::Requests)
    };
    [
        ListView {
            states: OPEN_STATES.to_vec(),
            ..base.clone()
        },
        ListView {
            states: OUTCOMES.to_vec(),
            created_after: Some(today - Duration::days(KEPT_DAYS)),
            ..base
        },
    ]
}

/// Requests completed on one day, by outcome (in [`OUTCOMES`] order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub outcomes: [usize; 5],
}

/// One access package's counts, in [`COUNTED`] order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageCounts {
    pub id: String,
    pub name: String,
    pub views: [usize; 5],
}

/// What the overview shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Requests read.
    pub scanned: usize,
    /// Counts in [`COUNTED`] order.
    pub views: [usize; 5],
    /// Callbacks known to have less than a day left (or to be past their timeout).
    pub under_a_day: usize,
    /// The last [`CHART_DAYS`] days, oldest first, in the admin's time zone.
    pub days: Vec<Day>,
    /// Packages with anything to count, most needing attention first.
    pub packages: Vec<PackageCounts>,
}

impl Tally {
    /// The tally as JSON, for the tab's session cache. Written by hand: serde's derives
    /// for these three structs cost ~20 KB of wasm.
    pub fn to_json(&self) -> Value {
        json!({
            "scanned": self.scanned,
            "views": self.views,
            "underADay": self.under_a_day,
            "days": self.days.iter().map(|d| json!({
                "day": d.date.num_days_from_ce(),
                "outcomes": d.outcomes,
            })).collect::<Vec<_>>(),
            "packages": self.packages.iter().map(|p| json!({
                "id": p.id,
                "name": p.name,
                "views": p.views,
            })).collect::<Vec<_>>(),
        })
    }

    /// A tally [`Tally::to_json`] wrote; None for anything else (an older cache).
    pub fn from_json(v: &Value) -> Option<Tally> {
        fn count(v: &Value) -> Option<usize> {
            v.as_u64().and_then(|n| usize::try_from(n).ok())
        }
        fn five(v: &Value) -> Option<[usize; 5]> {
            let counts = v
                .as_array()?
                .iter()
                .map(count)
                .collect::<Option<Vec<_>>>()?;
            counts.try_into().ok()
        }
        let days = v["days"].as_array()?.iter().map(|d| {
            Some(Day {
                date: NaiveDate::from_num_days_from_ce_opt(
                    i32::try_from(d["day"].as_i64()?).ok()?,
                )?,
                outcomes: five(&d["outcomes"])?,
            })
        });
        let packages = v["packages"].as_array()?.iter().map(|p| {
            Some(PackageCounts {
                id: p["id"].as_str()?.to_string(),
                name: p["name"].as_str()?.to_string(),
                views: five(&p["views"])?,
            })
        });
        Some(Tally {
            scanned: count(&v["scanned"])?,
            views: five(&v["views"])?,
            under_a_day: count(&v["underADay"])?,
            days: days.collect::<Option<_>>()?,
            packages: packages.collect::<Option<_>>()?,
        })
    }

    /// The count of ready-made view `p` (0 for one the overview does not count).
    pub fn count(&self, p: Preset) -> usize {
        COUNTED
            .iter()
            .position(|c| *c == p)
            .map_or(0, |i| self.views[i])
    }
}

/// Counts `rows` at `now` for an admin `offset_minutes` east of UTC; `timeout_of` gives a
/// custom extension's callback timeout where its policy is known.
pub fn tally(
    rows: &[Request],
    now: DateTime<Utc>,
    offset_minutes: i32,
    timeout_of: &dyn Fn(&str) -> Option<Duration>,
) -> Tally {
    let views: Vec<ListView> = COUNTED
        .iter()
        .map(|p| ListView {
            preset: Some(*p),
            ..ListView::new(ListKind::Requests)
        })
        .collect();
    let offset = Duration::minutes(i64::from(offset_minutes));
    let today = (now + offset).date_naive();
    let first = today - Duration::days(CHART_DAYS as i64 - 1);
    let mut t = Tally {
        scanned: rows.len(),
        views: [0; 5],
        under_a_day: 0,
        days: (0..CHART_DAYS as i64)
            .map(|i| Day {
                date: first + Duration::days(i),
                outcomes: [0; 5],
            })
            .collect(),
        packages: Vec::new(),
    };
    for r in rows {
        let mut in_views = [0; 5];
        for (i, v) in views.iter().enumerate() {
            if keeps_request(v, &[], r, "", now) {
                in_views[i] = 1;
                t.views[i] += 1;
            }
        }
        if in_views[4] == 1
            && callback_time_left(r, now, timeout_of).is_some_and(TimeLeft::under_a_day)
        {
            t.under_a_day += 1;
        }
        if in_views.iter().any(|n| *n > 0)
            && let Some(p) = &r.package
        {
            let at = match t
                .packages
                .iter()
                .position(|x| x.id.eq_ignore_ascii_case(&p.id))
            {
                Some(i) => i,
                None => {
                    t.packages.push(PackageCounts {
                        id: p.id.clone(),
                        name: p.display_name.clone(),
                        views: [0; 5],
                    });
                    t.packages.len() - 1
                }
            };
            for (i, n) in in_views.iter().enumerate() {
                t.packages[at].views[i] += n;
            }
        }
        let outcome = OUTCOMES
            .iter()
            .position(|s| s.eq_ignore_ascii_case(&r.state));
        if let (Some(o), Some(done)) = (outcome, r.completed) {
            let day = (done + offset).date_naive();
            if day >= first && day <= today {
                t.days[(day - first).num_days() as usize].outcomes[o] += 1;
            }
        }
    }
    t.packages.sort_by(|a, b| {
        b.views[0]
            .cmp(&a.views[0])
            .then_with(|| a.name.cmp(&b.name))
    });
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::GraphVersion;
    use crate::graph::models::{Callout, PackageRef};
    use crate::graph::plan::plan;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-30T08:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn request(id: &str, state: &str, status: &str, hours_ago: i64, package: &str) -> Request {
        Request {
            id: id.into(),
            state: state.into(),
            status: status.into(),
            created: Some(now() - Duration::hours(hours_ago + 1)),
            completed: (!OPEN_STATES.contains(&state)).then(|| now() - Duration::hours(hours_ago)),
            package: Some(PackageRef {
                id: package.into(),
                display_name: package.to_uppercase(),
                catalog: None,
            }),
            ..Request::default()
        }
    }

    fn waiting(id: &str, hours_ago: i64, extension: &str) -> Request {
        Request {
            callouts: vec![Callout {
                status: "waitingForCallback".into(),
                custom_extension_id: extension.into(),
                ..Callout::default()
            }],
            ..request(id, "pendingApproval", "WaitingForCallback", hours_ago, "p2")
        }
    }

    #[test]
    fn the_scan_is_documented_state_queries_bounded_where_graph_forgets() {
        let today = now().date_naive();
        let [open, finished] = scan_views(today, None);
        let open = plan(&open, GraphVersion::V1, now(), &[]);
        assert_eq!(
            open.filters(),
            OPEN_STATES.map(|s| format!("state eq '{s}'"))
        );
        let finished = plan(&finished, GraphVersion::V1, now(), &[]);
        assert_eq!(finished.queries.len(), OUTCOMES.len());
        assert!(
            finished
                .filters()
                .iter()
                .all(|f| f.contains("createdDateTime gt 2026-08-31T23:59:59Z")),
            "{:?}",
            finished.filters()
        );
        let p = Guid::parse("d82eb508-acc4-43cc-bcf1-7c1c4a2c073b").unwrap();
        let [scoped, _] = scan_views(today, Some(&p));
        let scoped = plan(&scoped, GraphVersion::V1, now(), &[]);
        assert!(
            scoped
                .filters()
                .iter()
                .all(|f| f.contains("accessPackage/id eq 'd82eb508"))
        );
    }

    #[test]
    fn counts_are_the_views_own_rules() {
        let rows = vec![
            request("failed-now", "deliveryFailed", "", 5, "p1"),
            request("failed-old", "deliveryFailed", "", 20 * 24, "p1"),
            request("partly", "partiallyDelivered", "", 30, "p1"),
            // Delivering for 7 h (created 8 h ago; no schedule): stuck at the 6 h default.
            Request {
                completed: None,
                ..request("stuck", "delivering", "", 7, "p2")
            },
            Request {
                completed: None,
                ..request("fresh", "delivering", "", 1, "p2")
            },
            waiting("soon", 14 * 24 - 10, "ext-14d"),
            waiting("later", 60, "ext-14d"),
            request("ok", "delivered", "Delivered", 3, "p3"),
        ];
        let t = tally(&rows, now(), 0, &|_| None);
        assert_eq!(
            t.count(Preset::Attention),
            2 + 2,
            "failed and partly in the window, two waiting"
        );
        assert_eq!(t.count(Preset::Waiting), 2);
        assert_eq!(t.count(Preset::FailedOld), 1);
        assert_eq!(t.count(Preset::Stuck), 1);
        assert_eq!(t.count(Preset::Deadline), 2);
        assert_eq!(
            t.under_a_day, 1,
            "created 14 days minus 9 hours ago, 14-day timeout"
        );
        assert_eq!(t.scanned, 8);
        // With a 3-day timeout the first is long past (still counted: it needs a look) and
        // the second has 11 hours left.
        let three = |_: &str| Some(Duration::days(3));
        assert_eq!(tally(&rows, now(), 0, &three).under_a_day, 2);
        // Packages with something to do, most needing attention first; p3 has nothing.
        let names: Vec<&str> = t.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["P1", "P2"]);
        assert_eq!(t.packages[1].views, [2, 2, 0, 1, 2]);
        // The session cache gives back the same tally, and refuses what it did not write.
        let cached = serde_json::to_string(&t.to_json()).unwrap();
        let back: Value = serde_json::from_str(&cached).unwrap();
        assert_eq!(Tally::from_json(&back), Some(t));
        assert_eq!(Tally::from_json(&json!({ "scanned": 3 })), None);
    }

    #[test]
    fn the_chart_counts_completions_per_local_day() {
        let rows = vec![
            request("a", "delivered", "", 1, "p"),
            request("b", "delivered", "", 1, "p"),
            request("c", "denied", "", 24, "p"),
            // Completed at 23:00 UTC yesterday: today for an admin two hours east.
            request("d", "deliveryFailed", "", 9, "p"),
            // Outside the fourteen days, and not an outcome.
            request("e", "delivered", "", 14 * 24 + 10, "p"),
            Request {
                completed: None,
                ..request("f", "delivering", "", 1, "p")
            },
        ];
        let utc = tally(&rows, now(), 0, &|_| None);
        assert_eq!(utc.days.len(), CHART_DAYS);
        assert_eq!(utc.days[13].date, now().date_naive());
        assert_eq!(utc.days[13].outcomes, [2, 0, 0, 0, 0]);
        assert_eq!(utc.days[12].outcomes, [0, 0, 1, 1, 0]);
        let east = tally(&rows, now(), 120, &|_| None);
        assert_eq!(east.days[13].outcomes, [2, 0, 1, 0, 0]);
        let total: usize = utc.days.iter().flat_map(|d| d.outcomes).sum();
        assert_eq!(total, 4);
    }
}
