//! View state ↔ URL query string, readable by a person:
//! `/requests?view=attention&state=deliveryFailed,partiallyDelivered&package=<id>&created_after=2026-11-01&q=alice&sort=-created`.
//!
//! Parsing keeps what is valid and reports every unknown or malformed parameter, so a
//! shared link with a typo is explained rather than silently widened.
//!
//! ```
//! use access_desk::query::ListView;
//! let (view, problems) = ListView::parse("state=deliveryFailed&q=alice&sort=-created");
//! assert!(problems.is_empty());
//! assert_eq!(view.to_query(), "state=deliveryFailed&q=alice");
//! ```

use chrono::{Datelike, NaiveDate};

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

use crate::ids::is_guid;

/// Ready-made views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// Failed or partially delivered inside the reprocess window, or waiting for a callback.
    Attention,
    Waiting,
    /// Failed or partially delivered after the window closed.
    FailedOld,
    /// Created in the last seven days.
    Recent,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::Attention,
        Preset::Waiting,
        Preset::FailedOld,
        Preset::Recent,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Attention => "attention",
            Preset::Waiting => "waiting",
            Preset::FailedOld => "failed-old",
            Preset::Recent => "recent",
        }
    }

    fn parse(s: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// Sortable columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Created,
    Completed,
    Requestor,
    Package,
    State,
    Status,
    Type,
    Window,
}

impl SortKey {
    pub const ALL: [SortKey; 8] = [
        SortKey::Created,
        SortKey::Completed,
        SortKey::Requestor,
        SortKey::Package,
        SortKey::State,
        SortKey::Status,
        SortKey::Type,
        SortKey::Window,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Created => "created",
            SortKey::Completed => "completed",
            SortKey::Requestor => "requestor",
            SortKey::Package => "package",
            SortKey::State => "state",
            SortKey::Status => "status",
            SortKey::Type => "type",
            SortKey::Window => "window",
        }
    }

    fn parse(s: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.name() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first.
    fn default() -> Sort {
        Sort {
            key: SortKey::Created,
            descending: true,
        }
    }
}

/// Request states an admin can filter on (v1.0 names; beta's PascalCase maps to them).
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

/// Assignment states.
pub const ASSIGNMENT_STATES: [&str; 5] = [
    "delivering",
    "partiallyDelivered",
    "delivered",
    "expired",
    "deliveryFailed",
];

/// Columns of the requests table, in order.
pub const COLUMNS: [&str; 9] = [
    "requestor",
    "package",
    "type",
    "state",
    "status",
    "created",
    "completed",
    "window",
    "callouts",
];

/// A filtered, sorted view of a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListView {
    pub preset: Option<Preset>,
    /// v1.0 state names, any of which matches.
    pub states: Vec<String>,
    pub status: Option<String>,
    pub package: Option<String>,
    pub requestor: Option<String>,
    pub created_after: Option<NaiveDate>,
    pub created_before: Option<NaiveDate>,
    /// Free-text search, applied in the browser.
    pub q: String,
    pub sort: Sort,
    /// Shown columns; empty means all.
    pub columns: Vec<String>,
}

/// A parameter the app could not use, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryProblem {
    pub param: String,
    pub value: String,
    pub reason: &'static str,
}

const KNOWN: [&str; 10] = [
    "view",
    "state",
    "status",
    "package",
    "requestor",
    "created_after",
    "created_before",
    "q",
    "sort",
    "cols",
];

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
    /// Reads a query string (without `?`), for a list whose states are `states`.
    pub fn parse_with(query: &str, states: &[&str]) -> (ListView, Vec<QueryProblem>) {
        let mut v = ListView::default();
        let mut problems = Vec::new();
        let mut problem = |param: &str, value: &str, reason: &'static str| {
            problems.push(QueryProblem {
                param: param.to_string(),
                value: value.chars().take(100).collect(),
                reason,
            })
        };
        for (k, val) in form_urlencoded::parse(query.as_bytes()) {
            let val = val.trim().to_string();
            match k.as_ref() {
                "view" => match Preset::parse(&val) {
                    Some(p) => v.preset = Some(p),
                    None => problem(
                        "view",
                        &val,
                        "not a ready-made view (attention, waiting, failed-old, recent)",
                    ),
                },
                "state" => {
                    for s in val.split(',').filter(|s| !s.is_empty()) {
                        match states.iter().find(|known| known.eq_ignore_ascii_case(s)) {
                            Some(known) if !v.states.iter().any(|x| x == known) => {
                                v.states.push(known.to_string())
                            }
                            Some(_) => {}
                            None => problem("state", s, "not a state of this list"),
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
                        problem(
                            "status",
                            &val,
                            "a status is one word of letters and digits, such as WaitingForCallback",
                        );
                    }
                }
                "package" | "requestor" => {
                    if is_guid(&val) {
                        let id = Some(val.to_ascii_lowercase());
                        if k == "package" {
                            v.package = id
                        } else {
                            v.requestor = id
                        }
                    } else {
                        problem(&k, &val, "not an object id (a GUID)");
                    }
                }
                "created_after" | "created_before" => match parse_date(&val) {
                    Some(d) => {
                        if k == "created_after" {
                            v.created_after = Some(d)
                        } else {
                            v.created_before = Some(d)
                        }
                    }
                    None => problem(&k, &val, "not a date such as 2026-11-01"),
                },
                "q" => v.q = val,
                "sort" => {
                    let (desc, name) = match val.strip_prefix('-') {
                        Some(n) => (true, n),
                        None => (false, val.as_str()),
                    };
                    match SortKey::parse(name) {
                        Some(key) => {
                            v.sort = Sort {
                                key,
                                descending: desc,
                            }
                        }
                        None => problem("sort", &val, "not a sortable column"),
                    }
                }
                "cols" => {
                    for c in val.split(',').filter(|c| !c.is_empty()) {
                        if COLUMNS.contains(&c) {
                            if !v.columns.iter().any(|x| x == c) {
                                v.columns.push(c.to_string());
                            }
                        } else {
                            problem("cols", c, "not a column");
                        }
                    }
                }
                other => {
                    if !KNOWN.contains(&other) {
                        problem(other, &val, "not a parameter of this page");
                    }
                }
            }
        }
        if let (Some(a), Some(b)) = (v.created_after, v.created_before)
            && a >= b
        {
            problem(
                "created_before",
                &b.to_string(),
                "must be after created_after",
            );
            v.created_before = None;
        }
        (v, problems)
    }

    /// Reads a requests-list query string.
    pub fn parse(query: &str) -> (ListView, Vec<QueryProblem>) {
        ListView::parse_with(query, &REQUEST_STATES)
    }

    /// The canonical query string (defaults left out), for links and the address bar.
    pub fn to_query(&self) -> String {
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
        if let Some(r) = &self.requestor {
            parts.push(format!("requestor={r}"));
        }
        if let Some(d) = self.created_after {
            parts.push(format!("created_after={}", format_date(d)));
        }
        if let Some(d) = self.created_before {
            parts.push(format!("created_before={}", format_date(d)));
        }
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode(&self.q)));
        }
        if self.sort != Sort::default() {
            parts.push(format!(
                "sort={}{}",
                if self.sort.descending { "-" } else { "" },
                self.sort.key.name()
            ));
        }
        if !self.columns.is_empty() {
            parts.push(format!("cols={}", self.columns.join(",")));
        }
        parts.join("&")
    }

    /// The view sorted by `key`: toggles the direction when already sorted by it.
    pub fn sorted_by(&self, key: SortKey) -> ListView {
        let mut v = self.clone();
        v.sort = if self.sort.key == key {
            Sort {
                key,
                descending: !self.sort.descending,
            }
        } else {
            Sort {
                key,
                descending: matches!(key, SortKey::Created | SortKey::Completed),
            }
        };
        v
    }

    /// The search, lower-cased and split into terms; a row matches when its search text
    /// contains every term.
    pub fn search_terms(&self) -> Vec<String> {
        self.q
            .to_lowercase()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    pub fn shows(&self, column: &str) -> bool {
        self.columns.is_empty() || self.columns.iter().any(|c| c == column)
    }

    /// The view with `column` shown if it was hidden and hidden if it was shown. Columns
    /// keep the table's order; all shown is written as no `cols` at all, and hiding the
    /// last shown column shows them all again rather than an empty table.
    pub fn toggled_column(&self, column: &str) -> ListView {
        let shown: Vec<String> = COLUMNS
            .iter()
            .filter(|c| self.shows(c) != (**c == column))
            .map(|c| c.to_string())
            .collect();
        ListView {
            columns: if shown.len() == COLUMNS.len() {
                Vec::new()
            } else {
                shown
            },
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_round_trips() {
        let q = "state=deliveryFailed,partiallyDelivered&package=d82eb508-acc4-43cc-bcf1-7c1c4a2c073b&created_after=2026-11-01&q=alice&sort=-created";
        let (v, problems) = ListView::parse(q);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(v.states, ["deliveryFailed", "partiallyDelivered"]);
        // -created is the default sort, so the canonical form leaves it out.
        assert_eq!(v.to_query(), q.replace("&sort=-created", ""));
        assert_eq!(ListView::parse(&v.to_query()).0, v);
    }

    #[test]
    fn unknown_and_malformed_parameters_are_reported_and_the_rest_kept() {
        let (v, problems) = ListView::parse(
            "state=deliveryFailed,exploded&package=not-a-guid&created_after=yesterday&sort=size&view=all&colour=red&q=ok&status=Waiting%20For",
        );
        assert_eq!(v.states, ["deliveryFailed"]);
        assert_eq!(v.q, "ok");
        let params: Vec<&str> = problems.iter().map(|p| p.param.as_str()).collect();
        assert_eq!(
            params,
            [
                "state",
                "package",
                "created_after",
                "sort",
                "view",
                "colour",
                "status"
            ]
        );
    }

    #[test]
    fn states_are_matched_in_any_casing_and_not_repeated() {
        let (v, problems) =
            ListView::parse("state=DELIVERYFAILED,deliveryFailed,PartiallyDelivered");
        assert!(problems.is_empty());
        assert_eq!(v.states, ["deliveryFailed", "partiallyDelivered"]);
    }

    #[test]
    fn dates_are_strict_yyyy_mm_dd() {
        assert_eq!(
            parse_date("2026-02-28").map(format_date).as_deref(),
            Some("2026-02-28")
        );
        for bad in [
            "2026-02-30",
            "2026-2-01",
            "26-02-01",
            "2026/02/01",
            "2026-02-01x",
            "",
            "+026-02-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_must_be_in_order() {
        let (v, problems) = ListView::parse("created_after=2026-11-10&created_before=2026-11-01");
        assert_eq!(v.created_before, None);
        assert_eq!(problems[0].param, "created_before");
    }

    #[test]
    fn sorting_toggles_direction_on_the_same_column() {
        let v = ListView::default();
        let by_requestor = v.sorted_by(SortKey::Requestor);
        assert_eq!(by_requestor.to_query(), "sort=requestor");
        assert_eq!(
            by_requestor.sorted_by(SortKey::Requestor).to_query(),
            "sort=-requestor"
        );
        assert_eq!(v.sorted_by(SortKey::Created).to_query(), "sort=created");
    }

    /// A small deterministic generator: round trips for many views, including hostile text.
    #[test]
    fn any_view_round_trips_through_its_query_string() {
        let texts = [
            "",
            "alice",
            "王伟",
            "Zoë \"x\" & <b>",
            "a=b&c=d",
            "100%",
            "'; DROP--",
            " lead",
            "+plus+",
        ];
        let mut seed: u64 = 42;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..2000 {
            let mut v = ListView::default();
            if next(2) == 0 {
                v.preset = Some(Preset::ALL[next(4) as usize]);
            }
            for s in REQUEST_STATES {
                if next(4) == 0 {
                    v.states.push(s.to_string());
                }
            }
            if next(3) == 0 {
                v.status = Some("WaitingForCallback".into());
            }
            if next(3) == 0 {
                v.package = Some("d82eb508-acc4-43cc-bcf1-7c1c4a2c073b".into());
            }
            if next(3) == 0 {
                v.created_after = NaiveDate::from_ymd_opt(2026, 1 + next(12) as u32, 1);
            }
            v.q = texts[next(texts.len() as u64) as usize].trim().to_string();
            v.sort = Sort {
                key: SortKey::ALL[next(8) as usize],
                descending: next(2) == 0,
            };
            if next(4) == 0 {
                v.columns = vec!["requestor".into(), "state".into()];
            }
            let q = v.to_query();
            let (back, problems) = ListView::parse(&q);
            assert!(problems.is_empty(), "{q}: {problems:?}");
            assert_eq!(back, v, "{q}");
            assert!(
                !q.contains(' ') && !q.contains('<') && !q.contains('"'),
                "{q}"
            );
        }
    }

    #[test]
    fn columns_toggle_in_table_order_and_never_to_an_empty_table() {
        let all = ListView::default();
        let v = all.toggled_column("type");
        assert_eq!(v.columns.len(), COLUMNS.len() - 1);
        assert!(!v.shows("type") && v.shows("requestor"));
        assert!(v.to_query().contains("cols=requestor,package,state,"));
        assert_eq!(
            v.toggled_column("type"),
            all,
            "showing it again is all columns: no cols"
        );
        let one = ListView {
            columns: vec!["state".into()],
            ..ListView::default()
        };
        assert_eq!(one.toggled_column("state"), all);
        let two = one.toggled_column("requestor");
        assert_eq!(
            two.columns,
            vec!["requestor".to_string(), "state".to_string()]
        );
        let (back, problems) = ListView::parse(&two.to_query());
        assert_eq!((back, problems), (two, vec![]));
    }
}
