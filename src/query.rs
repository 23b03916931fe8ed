//! View state ↔ URL query string, readable by a person:
//! `/requests?view=attention&state=deliveryFailed,partiallyDelivered&package=<id>&created_after=2026-11-01&q=alice&sort=-created`.
//!
//! Each list has its own [`ListSpec`]: the states, columns, sort keys and parameters it
//! honours. Parsing keeps what is valid and reports every parameter the list cannot
//! honour (unknown, malformed, or meant for the other list), so a shared link with a typo
//! is explained rather than silently widened.
//!
//! ```
//! use access_desk::query::{ListView, REQUESTS};
//! let (view, problems) = ListView::parse(&REQUESTS, "state=deliveryFailed&q=alice&sort=-created");
//! assert!(problems.is_empty());
//! assert_eq!(view.to_query(), "state=deliveryFailed&q=alice");
//! ```

use chrono::{Datelike, NaiveDate};

use crate::ids::Guid;

/// Parses `YYYY-MM-DD` strictly (chrono's strftime parser is large in the wasm).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// `YYYY-MM-DD`.
pub fn format_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Ready-made views of the requests list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// Failed or partially delivered inside the reprocess window, or waiting for a callback.
    Attention,
    Waiting,
    /// Failed or partially delivered after the window closed.
    FailedOld,
    /// Created in the last seven days.
    Recent,
    /// Delivering for longer than a threshold (`hours=`, 6 by default).
    Stuck,
    /// Waiting for a custom-extension callback, by the time left before it times out.
    Deadline,
}

impl Preset {
    pub const ALL: [Preset; 6] = [
        Preset::Attention,
        Preset::Waiting,
        Preset::FailedOld,
        Preset::Recent,
        Preset::Stuck,
        Preset::Deadline,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Attention => "attention",
            Preset::Waiting => "waiting",
            Preset::FailedOld => "failed-old",
            Preset::Recent => "recent",
            Preset::Stuck => "stuck",
            Preset::Deadline => "deadline",
        }
    }

    fn parse(s: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// A column of a list table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Requestor,
    Target,
    Package,
    Type,
    State,
    Status,
    Created,
    Completed,
    Window,
    Callouts,
    Starts,
    Expires,
    /// How long a request has been delivering (the stuck view).
    DeliveringFor,
    /// Time left before a custom-extension callback times out (the deadline view).
    TimeLeft,
}

impl Column {
    /// Its name in `cols=` (and its cells' class).
    pub fn name(self) -> &'static str {
        match self {
            Column::Requestor => "requestor",
            Column::Target => "target",
            Column::Package => "package",
            Column::Type => "type",
            Column::State => "state",
            Column::Status => "status",
            Column::Created => "created",
            Column::Completed => "completed",
            Column::Window => "window",
            Column::Callouts => "callouts",
            Column::Starts => "starts",
            Column::Expires => "expires",
            Column::DeliveringFor => "delivering",
            Column::TimeLeft => "time_left",
        }
    }
}

/// What a list can be sorted by (in the browser: Graph documents no `$orderby`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKey {
    Created,
    Completed,
    Requestor,
    Target,
    Package,
    State,
    Status,
    Type,
    Window,
    Expires,
    DeliveringFor,
    TimeLeft,
}

impl SortKey {
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Created => "created",
            SortKey::Completed => "completed",
            SortKey::Requestor => "requestor",
            SortKey::Target => "target",
            SortKey::Package => "package",
            SortKey::State => "state",
            SortKey::Status => "status",
            SortKey::Type => "type",
            SortKey::Window => "window",
            SortKey::Expires => "expires",
            SortKey::DeliveringFor => "delivering",
            SortKey::TimeLeft => "time_left",
        }
    }

    /// Times sort newest first when a header is first clicked, the longest delivering
    /// first; text A to Z, the least time left first.
    fn descends_first(self) -> bool {
        matches!(
            self,
            SortKey::Created | SortKey::Completed | SortKey::Expires | SortKey::DeliveringFor
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// Which list a view is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    Requests,
    Assignments,
}

impl ListKind {
    pub fn spec(self) -> &'static ListSpec {
        match self {
            ListKind::Requests => &REQUESTS,
            ListKind::Assignments => &ASSIGNMENTS,
        }
    }
}

/// What a list honours: its states, columns (in table order), sort keys and parameters.
#[derive(Debug, PartialEq, Eq)]
pub struct ListSpec {
    pub kind: ListKind,
    /// The page's path in the app.
    pub path: &'static str,
    /// States an admin can filter on (v1.0 names; beta's PascalCase maps to them).
    pub states: &'static [&'static str],
    pub columns: &'static [Column],
    /// Each column's sort, when it has one.
    pub sorts: &'static [(Column, SortKey)],
    /// The sort of a view without `sort=`; None keeps Graph's order.
    pub default_sort: Option<Sort>,
    /// The parameter naming a person: `requestor` (requests) or `target` (assignments).
    pub person_param: &'static str,
    /// Whether the list has ready-made views (`view=`) and creation dates.
    pub presets: bool,
    pub dates: bool,
}

/// Request states (v1.0's `accessPackageRequestState`).
pub const REQUEST_STATES: [&str; 9] = [
    "submitted",
    "pendingApproval",
    "delivering",
    "delivered",
    "deliveryFailed",
    "denied",
    "scheduled",
    "canceled",
    "partiallyDelivered",
];

/// Assignment states (v1.0's `accessPackageAssignmentState`).
pub const ASSIGNMENT_STATES: [&str; 5] = [
    "delivering",
    "partiallyDelivered",
    "delivered",
    "expired",
    "deliveryFailed",
];

pub static REQUESTS: ListSpec = ListSpec {
    kind: ListKind::Requests,
    path: "/requests",
    states: &REQUEST_STATES,
    columns: &[
        Column::Requestor,
        Column::Package,
        Column::Type,
        Column::State,
        Column::Status,
        Column::Created,
        Column::Completed,
        Column::Window,
        Column::Callouts,
        Column::DeliveringFor,
        Column::TimeLeft,
    ],
    sorts: &[
        (Column::Requestor, SortKey::Requestor),
        (Column::Package, SortKey::Package),
        (Column::Type, SortKey::Type),
        (Column::State, SortKey::State),
        (Column::Status, SortKey::Status),
        (Column::Created, SortKey::Created),
        (Column::Completed, SortKey::Completed),
        (Column::Window, SortKey::Window),
        (Column::DeliveringFor, SortKey::DeliveringFor),
        (Column::TimeLeft, SortKey::TimeLeft),
    ],
    default_sort: Some(Sort {
        key: SortKey::Created,
        descending: true,
    }),
    person_param: "requestor",
    presets: true,
    dates: true,
};

pub static ASSIGNMENTS: ListSpec = ListSpec {
    kind: ListKind::Assignments,
    path: "/assignments",
    states: &ASSIGNMENT_STATES,
    // The policy is on the assignment's page: Graph documents its $expand on a read by id,
    // not on the list.
    columns: &[
        Column::Target,
        Column::Package,
        Column::State,
        Column::Status,
        Column::Starts,
        Column::Expires,
    ],
    sorts: &[
        (Column::Target, SortKey::Target),
        (Column::Package, SortKey::Package),
        (Column::State, SortKey::State),
        (Column::Status, SortKey::Status),
        (Column::Expires, SortKey::Expires),
    ],
    default_sort: None,
    person_param: "target",
    presets: false,
    dates: false,
};

impl ListSpec {
    /// The sort a column's header offers, if any.
    pub fn sort_of(&self, column: Column) -> Option<SortKey> {
        self.sorts
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, k)| *k)
    }

    fn state(&self, s: &str) -> Option<&'static str> {
        self.states
            .iter()
            .copied()
            .find(|known| known.eq_ignore_ascii_case(s))
    }
}

/// A filtered, sorted view of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListView {
    pub kind: ListKind,
    pub preset: Option<Preset>,
    /// v1.0 state names, any of which matches.
    pub states: Vec<&'static str>,
    pub status: Option<String>,
    pub package: Option<Guid>,
    /// The requestor (requests) or the target (assignments).
    pub person: Option<Guid>,
    pub created_after: Option<NaiveDate>,
    pub created_before: Option<NaiveDate>,
    /// Free-text search, applied in the browser.
    pub q: String,
    /// None: Graph's order.
    pub sort: Option<Sort>,
    /// Shown columns in table order; empty means the view's usual ones.
    pub columns: Vec<Column>,
    /// The stuck view's threshold: delivering for at least this many hours.
    pub hours: u32,
}

/// The stuck view's threshold when the address gives none.
pub const STUCK_HOURS: u32 = 6;

/// Why a parameter of the address was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    UnknownView,
    UnknownState,
    BadStatus,
    NotAnId,
    NotADate,
    DatesOutOfOrder,
    UnknownSort,
    UnknownColumn,
    /// `hours` is not a whole number of hours from 1 to 720.
    BadHours,
    /// A parameter of the other list, or of none.
    NotForThisList,
}

/// A parameter the app could not use, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryProblem {
    pub param: String,
    pub value: String,
    pub kind: ProblemKind,
}

/// Characters left as they are in values: readable links.
fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' | b':' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl ListView {
    /// The view of list `kind` with nothing chosen.
    pub fn new(kind: ListKind) -> ListView {
        ListView {
            kind,
            preset: None,
            states: Vec::new(),
            status: None,
            package: None,
            person: None,
            created_after: None,
            created_before: None,
            q: String::new(),
            sort: kind.spec().default_sort,
            columns: Vec::new(),
            hours: STUCK_HOURS,
        }
    }

    /// Ready-made view `preset` of the requests list, as its link opens it.
    pub fn preset(preset: Preset) -> ListView {
        let mut v = ListView::new(ListKind::Requests);
        v.preset = Some(preset);
        v.sort = v.default_sort();
        v
    }

    /// The sort of this view when the address gives none: the stuck view shows the longest
    /// delivering first, the deadline view the least time left first.
    pub fn default_sort(&self) -> Option<Sort> {
        match self.preset {
            Some(Preset::Stuck) => Some(Sort {
                key: SortKey::DeliveringFor,
                descending: true,
            }),
            Some(Preset::Deadline) => Some(Sort {
                key: SortKey::TimeLeft,
                descending: false,
            }),
            _ => self.spec().default_sort,
        }
    }

    /// The columns shown when the address names none: the list's usual ones, or the
    /// ready-made view's own.
    pub fn default_columns(&self) -> Vec<Column> {
        use Column::*;
        match (self.kind, self.preset) {
            (ListKind::Requests, Some(Preset::Stuck)) => {
                vec![
                    Requestor,
                    Package,
                    Type,
                    State,
                    Status,
                    Created,
                    DeliveringFor,
                ]
            }
            (ListKind::Requests, Some(Preset::Deadline)) => {
                vec![
                    Requestor, Package, State, Status, Created, TimeLeft, Callouts,
                ]
            }
            (ListKind::Requests, _) => vec![
                Requestor, Package, Type, State, Status, Created, Completed, Window, Callouts,
            ],
            (ListKind::Assignments, _) => self.spec().columns.to_vec(),
        }
    }

    pub fn spec(&self) -> &'static ListSpec {
        self.kind.spec()
    }

    /// Reads a query string (without `?`) for the list `spec`.
    pub fn parse(spec: &'static ListSpec, query: &str) -> (ListView, Vec<QueryProblem>) {
        let mut v = ListView::new(spec.kind);
        let mut problems = Vec::new();
        let mut sorted = false;
        let mut problem = |param: &str, value: &str, kind: ProblemKind| {
            problems.push(QueryProblem {
                param: param.to_string(),
                value: value.chars().take(100).collect(),
                kind,
            })
        };
        for (k, val) in form_urlencoded::parse(query.as_bytes()) {
            let val = val.trim().to_string();
            match k.as_ref() {
                "view" if spec.presets => match Preset::parse(&val) {
                    Some(p) => v.preset = Some(p),
                    None => problem("view", &val, ProblemKind::UnknownView),
                },
                "state" => {
                    for s in val.split(',').filter(|s| !s.is_empty()) {
                        match spec.state(s) {
                            Some(known) if !v.states.contains(&known) => v.states.push(known),
                            Some(_) => {}
                            None => problem("state", s, ProblemKind::UnknownState),
                        }
                    }
                }
                "status" => {
                    if !val.is_empty()
                        && val.len() <= 64
                        && val.chars().all(|c| c.is_ascii_alphanumeric())
                    {
                        v.status = Some(val);
                    } else {
                        problem("status", &val, ProblemKind::BadStatus);
                    }
                }
                "package" => match Guid::parse(&val) {
                    Some(id) => v.package = Some(id),
                    None => problem(&k, &val, ProblemKind::NotAnId),
                },
                p if p == spec.person_param => match Guid::parse(&val) {
                    Some(id) => v.person = Some(id),
                    None => problem(&k, &val, ProblemKind::NotAnId),
                },
                "created_after" | "created_before" if spec.dates => match parse_date(&val) {
                    Some(d) if k == "created_after" => v.created_after = Some(d),
                    Some(d) => v.created_before = Some(d),
                    None => problem(&k, &val, ProblemKind::NotADate),
                },
                "q" => v.q = val,
                "hours" if spec.presets => match val.parse::<u32>() {
                    Ok(h) if (1..=720).contains(&h) => v.hours = h,
                    _ => problem("hours", &val, ProblemKind::BadHours),
                },
                "sort" => {
                    let (descending, name) = match val.strip_prefix('-') {
                        Some(n) => (true, n),
                        None => (false, val.as_str()),
                    };
                    match spec.sorts.iter().find(|(_, key)| key.name() == name) {
                        Some((_, key)) => {
                            sorted = true;
                            v.sort = Some(Sort {
                                key: *key,
                                descending,
                            })
                        }
                        None => problem("sort", &val, ProblemKind::UnknownSort),
                    }
                }
                "cols" => {
                    for c in val.split(',').filter(|c| !c.is_empty()) {
                        match spec.columns.iter().find(|col| col.name() == c) {
                            Some(col) if !v.columns.contains(col) => v.columns.push(*col),
                            Some(_) => {}
                            None => problem("cols", c, ProblemKind::UnknownColumn),
                        }
                    }
                }
                other => problem(other, &val, ProblemKind::NotForThisList),
            }
        }
        if !sorted {
            v.sort = v.default_sort();
        }
        // Columns in table order, whatever order the address gave them in; the view's
        // usual ones are written as no `cols` at all.
        v.columns = spec
            .columns
            .iter()
            .copied()
            .filter(|c| v.columns.contains(c))
            .collect();
        if v.columns == v.default_columns() {
            v.columns.clear();
        }
        if let (Some(a), Some(b)) = (v.created_after, v.created_before)
            && a >= b
        {
            problem(
                "created_before",
                &format_date(b),
                ProblemKind::DatesOutOfOrder,
            );
            v.created_before = None;
        }
        (v, problems)
    }

    /// The canonical query string (defaults left out), for links and the address bar.
    pub fn to_query(&self) -> String {
        let spec = self.spec();
        let mut parts: Vec<String> = Vec::new();
        if let Some(p) = self.preset {
            parts.push(format!("view={}", p.name()));
        }
        if !self.states.is_empty() {
            parts.push(format!("state={}", encode(&self.states.join(","))));
        }
        if let Some(s) = &self.status {
            parts.push(format!("status={}", encode(s)));
        }
        if let Some(p) = &self.package {
            parts.push(format!("package={p}"));
        }
        if let Some(r) = &self.person {
            parts.push(format!("{}={r}", spec.person_param));
        }
        if let Some(d) = self.created_after {
            parts.push(format!("created_after={}", format_date(d)));
        }
        if let Some(d) = self.created_before {
            parts.push(format!("created_before={}", format_date(d)));
        }
        if self.preset == Some(Preset::Stuck) && self.hours != STUCK_HOURS {
            parts.push(format!("hours={}", self.hours));
        }
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode(&self.q)));
        }
        if self.sort != self.default_sort()
            && let Some(s) = self.sort
        {
            parts.push(format!(
                "sort={}{}",
                if s.descending { "-" } else { "" },
                s.key.name()
            ));
        }
        if !self.columns.is_empty() {
            let names: Vec<&str> = self.columns.iter().map(|c| c.name()).collect();
            parts.push(format!("cols={}", names.join(",")));
        }
        parts.join("&")
    }

    /// The view's address in the app (`/requests?…`).
    pub fn address(&self) -> String {
        let q = self.to_query();
        format!(
            "{}{}{q}",
            self.spec().path,
            if q.is_empty() { "" } else { "?" }
        )
    }

    /// The view sorted by `key`: toggles the direction when already sorted by it.
    pub fn sorted_by(&self, key: SortKey) -> ListView {
        let mut v = self.clone();
        v.sort = Some(match self.sort {
            Some(s) if s.key == key => Sort {
                key,
                descending: !s.descending,
            },
            _ => Sort {
                key,
                descending: key.descends_first(),
            },
        });
        v
    }

    /// The search, lower-cased and split into terms; a row matches when its search text
    /// contains every term.
    pub fn search_terms(&self) -> Vec<String> {
        crate::intl::lowercase(&self.q)
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    pub fn shows(&self, column: Column) -> bool {
        if self.columns.is_empty() {
            self.default_columns().contains(&column)
        } else {
            self.columns.contains(&column)
        }
    }

    /// The columns shown, in table order.
    pub fn shown_columns(&self) -> Vec<Column> {
        self.spec()
            .columns
            .iter()
            .copied()
            .filter(|c| self.shows(*c))
            .collect()
    }

    /// The view with `column` shown if it was hidden and hidden if it was shown. Columns
    /// keep the table's order; the view's usual columns are written as no `cols` at all,
    /// and hiding the last shown column shows the usual ones again rather than an empty
    /// table.
    pub fn toggled_column(&self, column: Column) -> ListView {
        let shown: Vec<Column> = self
            .spec()
            .columns
            .iter()
            .copied()
            .filter(|c| self.shows(*c) != (*c == column))
            .collect();
        ListView {
            columns: if shown.is_empty() || shown == self.default_columns() {
                Vec::new()
            } else {
                shown
            },
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests;
