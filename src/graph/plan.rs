//! How a view is fetched: which Graph queries hold its rows (only documented clauses,
//! joined with `and`), and which parts of the view the browser applies.
//!
//! The browser checks the whole view on every row it receives ([`crate::rows`]), so a
//! query may be wider than the view but never narrower: the server part only saves
//! transfer. Where Graph cannot filter what a view needs (several states, a status), the
//! plan asks once per state (`state eq` is documented, `or` is not) and the answers are
//! merged and de-duplicated; where a clause was refused this session, it goes to the
//! browser.
//!
//! ```
//! use access_desk::config::GraphVersion;
//! use access_desk::graph::plan::plan;
//! use access_desk::query::{ListView, REQUESTS};
//! let (view, _) = ListView::parse(&REQUESTS, "state=deliveryFailed,partiallyDelivered");
//! let p = plan(&view, GraphVersion::V1, chrono::Utc::now(), &[]);
//! assert_eq!(p.filters(), ["state eq 'deliveryFailed'", "state eq 'partiallyDelivered'"]);
//! ```

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::config::GraphVersion;
use crate::graph::resources::{
    Clause, Collection, Extras, Op, Property, documented, filter_text, state_value_documented,
};
use crate::ids::Guid;
use crate::query::{Column, ListKind, ListView, Preset, SortKey};
use crate::rules::{REPROCESSABLE_STATES, waiting_states};

/// A part of a view that the browser applies because Graph is not asked to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrowserPart {
    /// Any of these states (Graph is asked for a wider set, or for all).
    States(Vec<&'static str>),
    Status(String),
    Package(Guid),
    /// The requestor (requests) or target (assignments).
    Person(Guid),
    CreatedAfter(NaiveDate),
    CreatedBefore(NaiveDate),
    /// Created in the last seven days.
    Recent,
    /// Inside the reprocess window, or waiting for a callback.
    Attention,
    Waiting,
    /// The reprocess window has closed.
    WindowClosed,
    /// Delivering for at least this many hours.
    Stuck(u32),
    /// Waiting for a callback, by the time left before it times out.
    Deadline,
    Search(String),
}

/// What a view asks Graph, and what it leaves to the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchPlan {
    pub collection: Collection,
    pub version: GraphVersion,
    /// One Graph query per entry (each joined with `and`), merged and de-duplicated by
    /// id. Empty when no row can match: nothing is asked.
    pub queries: Vec<Vec<Clause>>,
    pub browser: Vec<BrowserPart>,
    /// Documented properties Graph refused for this collection this session, now applied
    /// in the browser.
    pub refused: Vec<Property>,
    /// What the rows are read with beyond what every view shows.
    pub extras: Extras,
}

impl FetchPlan {
    /// Each query's `$filter` text (an empty string for a query without one).
    pub fn filters(&self) -> Vec<String> {
        self.queries
            .iter()
            .map(|q| filter_text(q, self.collection, self.version).unwrap_or_default())
            .collect()
    }

    /// The properties this plan sends to Graph.
    pub fn sent_properties(&self) -> Vec<Property> {
        let mut out: Vec<Property> = Vec::new();
        for c in self.queries.iter().flatten() {
            if !out.contains(&c.property) {
                out.push(c.property);
            }
        }
        out
    }
}

/// The collection a list reads.
pub fn collection(kind: ListKind) -> Collection {
    match kind {
        ListKind::Requests => Collection::Requests,
        ListKind::Assignments => Collection::Assignments,
    }
}

/// The states a view's rows can be in (None: any), from its state filter and preset.
pub fn candidate_states(view: &ListView) -> Option<Vec<&'static str>> {
    let preset: Option<Vec<&'static str>> = match view.preset {
        Some(Preset::Attention) => {
            let mut s: Vec<&'static str> = REPROCESSABLE_STATES.to_vec();
            for w in waiting_states() {
                if !s.contains(&w) {
                    s.push(w);
                }
            }
            Some(s)
        }
        Some(Preset::Waiting | Preset::Deadline) => Some(waiting_states()),
        Some(Preset::Stuck) => Some(vec!["delivering"]),
        Some(Preset::FailedOld) => Some(REPROCESSABLE_STATES.to_vec()),
        Some(Preset::Recent) | None => None,
    };
    let chosen = (!view.states.is_empty()).then(|| view.states.clone());
    let spec_order = |set: Vec<&'static str>| -> Vec<&'static str> {
        view.spec()
            .states
            .iter()
            .copied()
            .filter(|s| set.iter().any(|x| x.eq_ignore_ascii_case(s)))
            .collect()
    };
    match (preset, chosen) {
        (None, None) => None,
        (Some(a), None) | (None, Some(a)) => Some(spec_order(a)),
        (Some(a), Some(b)) => Some(spec_order(
            a.into_iter().filter(|s| b.contains(s)).collect(),
        )),
    }
}

/// Midnight UTC of `d`.
fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The earliest creation time a view allows, if any: its `created_after` day, or seven
/// days before `now` for the Recent view.
pub fn created_from(view: &ListView, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let after = view.created_after.map(day_start);
    let recent = (view.preset == Some(Preset::Recent)).then(|| now - Duration::days(7));
    after.max(recent)
}

/// The plan of `view` for Graph version `v` at `now`; `refused` are properties Graph
/// refused for this list this session.
pub fn plan(
    view: &ListView,
    v: GraphVersion,
    now: DateTime<Utc>,
    refused: &[Property],
) -> FetchPlan {
    let c = collection(view.kind);
    let allowed =
        |p: Property, op: Op| documented(c, v).contains(&(p, op)) && !refused.contains(&p);
    let mut common: Vec<Clause> = Vec::new();
    let mut browser: Vec<BrowserPart> = Vec::new();

    if let Some(p) = &view.package {
        if allowed(Property::AccessPackage, Op::Eq) {
            common.push(Clause::package(p));
        } else {
            browser.push(BrowserPart::Package(p.clone()));
        }
    }
    if let Some(person) = &view.person {
        // Assignments document target/objectId; requests document no filter on the
        // requestor.
        if view.kind == ListKind::Assignments && allowed(Property::Target, Op::Eq) {
            common.push(Clause::target(person));
        } else {
            browser.push(BrowserPart::Person(person.clone()));
        }
    }
    if let Some(from) = created_from(view, now) {
        if allowed(Property::CreatedDateTime, Op::Gt) {
            // Only `gt` is documented: one second earlier, and the browser keeps the
            // exact bound (Graph's times may carry fractions of a second).
            common.push(Clause::created_after(from - Duration::seconds(1)));
        } else if view.preset == Some(Preset::Recent) {
            browser.push(BrowserPart::Recent);
        }
        if let Some(d) = view.created_after
            && !allowed(Property::CreatedDateTime, Op::Gt)
        {
            browser.push(BrowserPart::CreatedAfter(d));
        }
    }
    if let Some(d) = view.created_before {
        browser.push(BrowserPart::CreatedBefore(d));
    }

    let queries = match candidate_states(view) {
        // No state can satisfy both the preset and the chosen states: nothing to ask.
        Some(states) if states.is_empty() => Vec::new(),
        Some(states)
            if allowed(Property::State, Op::Eq)
                && states.len() < view.spec().states.len()
                && states.iter().all(|s| state_value_documented(c, v, s)) =>
        {
            states
                .iter()
                .map(|s| {
                    let mut q = common.clone();
                    q.insert(0, Clause::state(s));
                    q
                })
                .collect()
        }
        Some(states) => {
            browser.insert(0, BrowserPart::States(states));
            vec![common]
        }
        None => vec![common],
    };

    if let Some(s) = &view.status {
        browser.push(BrowserPart::Status(s.clone()));
    }
    match view.preset {
        Some(Preset::Attention) => browser.push(BrowserPart::Attention),
        Some(Preset::Waiting) => browser.push(BrowserPart::Waiting),
        Some(Preset::FailedOld) => browser.push(BrowserPart::WindowClosed),
        Some(Preset::Stuck) => browser.push(BrowserPart::Stuck(view.hours)),
        Some(Preset::Deadline) => browser.push(BrowserPart::Deadline),
        _ => {}
    }
    if !view.q.trim().is_empty() {
        browser.push(BrowserPart::Search(view.q.trim().to_string()));
    }
    FetchPlan {
        collection: c,
        version: v,
        queries,
        browser,
        refused: documented(c, v)
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| refused.contains(p))
            .collect(),
        extras: extras(view),
    }
}

/// What `view` reads of each request beyond what every view shows: a request's callouts
/// for the columns, sort and ready-made views that use them, its schedule for how long a
/// delivery has taken and the dates. (An assignment is always read whole.)
pub fn extras(view: &ListView) -> Extras {
    let uses = |columns: &[Column], sorts: &[SortKey]| {
        columns.iter().any(|c| view.shows(*c)) || view.sort.is_some_and(|s| sorts.contains(&s.key))
    };
    Extras {
        callouts: matches!(view.preset, Some(Preset::Attention | Preset::Deadline))
            || uses(&[Column::Callouts, Column::TimeLeft], &[SortKey::TimeLeft]),
        schedule: view.preset == Some(Preset::Stuck)
            || uses(
                &[Column::DeliveringFor, Column::Starts, Column::Expires],
                &[SortKey::DeliveringFor, SortKey::Expires],
            ),
    }
}

/// The properties Graph refused, read from its 400 answer to a list call that sent
/// `sent`: Graph names the clause (`Filter 'catalogId Equals …' is not supported`); when
/// the message names none of them, every property sent is taken as refused (the browser
/// can apply them all).
pub fn refused_in(
    message: &str,
    sent: &[Property],
    c: Collection,
    v: GraphVersion,
) -> Vec<Property> {
    let lower = message.to_ascii_lowercase();
    let named: Vec<Property> = sent
        .iter()
        .copied()
        .filter(|p| {
            let name = p.name(c, v).to_ascii_lowercase();
            lower.contains(&format!("'{name} ")) || lower.contains(&format!("'{name}'"))
        })
        .collect();
    if named.is_empty() {
        sent.to_vec()
    } else {
        named
    }
}

/// Whether a Graph error answers a list call's `$filter`: `InvalidFilter`, or a
/// `BadRequest` whose message is about the filter.
pub fn is_filter_refusal(status: u16, code: &str, message: &str) -> bool {
    status == 400
        && (code.eq_ignore_ascii_case("InvalidFilter")
            || (code.eq_ignore_ascii_case("BadRequest")
                && message.to_ascii_lowercase().contains("filter")))
}

/// Whether Graph refused a list because the account may read only some packages (a
/// catalog-scoped role): 403, or a 400 that is not about the `$filter` (Graph has answered
/// such accounts both ways). The caller reads package by package instead.
///
/// ```
/// use access_desk::graph::plan::needs_package_scope;
/// assert!(needs_package_scope(403, "Forbidden", ""));
/// assert!(needs_package_scope(400, "BadRequest", "A catalog scope is required."));
/// assert!(!needs_package_scope(400, "InvalidFilter", "Filter 'status' is not supported."));
/// ```
pub fn needs_package_scope(status: u16, code: &str, message: &str) -> bool {
    status == 403 || (status == 400 && !is_filter_refusal(status, code, message))
}

/// Refused properties as the session keeps them: one `collection/version/property` line
/// each (`Requests/v1.0/state`).
pub fn refusals_to_text(list: &[(Collection, GraphVersion, Property)]) -> String {
    list.iter()
        .map(|(c, v, p)| format!("{c:?}/{}/{}", v.path(), p.key()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads [`refusals_to_text`]'s text; unknown lines are dropped.
pub fn refusals_from_text(text: &str) -> Vec<(Collection, GraphVersion, Property)> {
    let collections = [
        Collection::Requests,
        Collection::Assignments,
        Collection::Packages,
        Collection::Catalogs,
        Collection::Policies,
    ];
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '/');
            let (c, v, p) = (parts.next()?, parts.next()?, parts.next()?);
            let c = collections.into_iter().find(|x| format!("{x:?}") == c)?;
            let v = [GraphVersion::V1, GraphVersion::Beta]
                .into_iter()
                .find(|x| x.path() == v)?;
            let p = Property::ALL.into_iter().find(|x| x.key() == p)?;
            Some((c, v, p))
        })
        .collect()
}

#[cfg(test)]
mod tests;
