//! A list view as CSV: the id, then the shown columns in table order, with Graph's raw
//! values (enum names, UTC timestamps, ids) rather than their translated labels, so the
//! file sorts, filters and joins in a spreadsheet the way the data does in Graph.
//! Derived times are ISO 8601 durations (`PT30H`, `-P2DT3H`), Graph's own notation for
//! timeouts; a callback's time left known only as a lower bound is written `>=P2D`, and
//! left empty when not even that is known. A negative duration is written `'-P2DT3H`: a
//! spreadsheet would read a leading `-` as a formula (see [`csv_field`]). Pure; the page
//! only downloads the text.
//!
//! ```
//! use access_desk::export::{csv_field, csv_text};
//! // A name that looks like a formula is defused, quotes are doubled.
//! assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
//! let text = csv_text(&["id", "State"], vec![vec!["1".into(), "delivered".into()]]);
//! assert_eq!(text, "id,State\r\n1,delivered\r\n");
//! ```

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};

use crate::graph::models::{Assignment, Request, Subject};
use crate::query::{Column, ListKind, ListView, format_date};
use crate::rows::{TimeLeft, callback_time_left, delivering_for};
use crate::rules::{Window, reprocess_window};

/// Characters that start a formula in a spreadsheet cell.
const FORMULA_START: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\0'];

/// Characters a spreadsheet may split a line on: the comma, and the `;` that Excel uses
/// in French, German and most European locales, and the tab.
const SEPARATORS: [char; 3] = [',', ';', '\t'];

/// One CSV field, safe in every locale (a display name is anyone's to choose):
/// - a formula trigger (`=`, `+`, `-`, `@`, tab, carriage return, NUL) at the start of the
///   field, or after a separator (and spaces) inside it, gets a `'` before it, so no cell of the
///   field reads as a formula however a spreadsheet splits the line;
/// - the field is quoted when it holds a separator, a quote or a line break (RFC 4180),
///   so a spreadsheet splitting on `;` keeps it one cell.
///
/// ```
/// use access_desk::export::csv_field;
/// assert_eq!(csv_field("Ann;=HYPERLINK(\"x\")"), "\"Ann;'=HYPERLINK(\"\"x\"\")\"");
/// ```
pub fn csv_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut at_cell_start = true;
    for c in s.chars() {
        if at_cell_start && FORMULA_START.contains(&c) {
            out.push('\'');
        }
        // A tab is both a separator and a trigger: only what follows it starts a cell.
        // Spaces after a separator keep the next character at the cell's start (some
        // spreadsheets trim them).
        at_cell_start = SEPARATORS.contains(&c) || (at_cell_start && c == ' ');
        out.push(c);
    }
    if out.contains(SEPARATORS) || out.contains(['"', '\n', '\r']) {
        format!("\"{}\"", out.replace('"', "\"\""))
    } else {
        out
    }
}

/// The whole file: the header, then one CRLF-ended line per row (RFC 4180).
pub fn csv_text(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        out.push_str(&cells.collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    };
    line(&mut header.iter().map(|h| csv_field(h)));
    for row in rows {
        line(&mut row.iter().map(|c| csv_field(c)));
    }
    out
}

/// A table as CSV: `id` and the `columns` (named by `label`), one line per row, each cell
/// from `cell`. Both lists export through this.
pub fn table_csv<'a, T: 'a>(
    columns: &[Column],
    label: impl Fn(Column) -> &'static str,
    rows: &mut dyn Iterator<Item = &'a T>,
    id: impl Fn(&T) -> &str,
    cell: impl Fn(Column, &T) -> String,
) -> String {
    let header: Vec<&str> = std::iter::once("id")
        .chain(columns.iter().map(|c| label(*c)))
        .collect();
    let lines = rows
        .map(|r| {
            std::iter::once(id(r).to_string())
                .chain(columns.iter().map(|c| cell(*c, r)))
                .collect()
        })
        .collect();
    csv_text(&header, lines)
}

/// A signed ISO 8601 duration in days, hours, minutes and seconds (`P1DT6H`, `-PT45M`,
/// `PT0S`).
pub fn iso_duration(d: Duration) -> String {
    let sign = if d < Duration::zero() { "-" } else { "" };
    let total = d.num_seconds().unsigned_abs();
    let (days, h, m, s) = (
        total / 86_400,
        total % 86_400 / 3_600,
        total % 3_600 / 60,
        total % 60,
    );
    let mut out = format!("{sign}P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if h + m + s > 0 || days == 0 {
        out.push('T');
        for (n, unit) in [(h, 'H'), (m, 'M'), (s, 'S')] {
            if n > 0 {
                out.push_str(&format!("{n}{unit}"));
            }
        }
        if h + m + s == 0 {
            out.push_str("0S");
        }
    }
    out
}

/// RFC 3339 in UTC to the second, as Graph writes it (`2026-11-23T12:00:00Z`). Written
/// out rather than through chrono's formatter, which would add ~11 KB to the wasm.
fn timestamp(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| {
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            crate::query::format_date(t.date_naive()),
            t.hour(),
            t.minute(),
            t.second()
        )
    })
    .unwrap_or_default()
}

fn name(s: Option<&Subject>) -> String {
    s.map(|s| s.display_name.clone()).unwrap_or_default()
}

/// Request `r`'s value in column `c` at `now`; `timeout_of` gives a custom extension's
/// callback timeout where its policy is known.
pub fn request_cell(
    c: Column,
    r: &Request,
    now: DateTime<Utc>,
    timeout_of: &dyn Fn(&str) -> Option<Duration>,
) -> String {
    match c {
        Column::Requestor | Column::Target => name(r.requestor.as_ref()),
        Column::Package => r
            .package
            .as_ref()
            .map(|p| p.display_name.clone())
            .unwrap_or_default(),
        Column::Type => r.request_type.clone(),
        Column::State => r.state.clone(),
        Column::Status => r.status.clone(),
        Column::Created => timestamp(r.created),
        Column::Completed => timestamp(r.completed),
        Column::Window => match reprocess_window(&r.state, r.completed, now) {
            Window::Open(left) => iso_duration(left),
            Window::Closed(ago) => iso_duration(-ago),
            Window::NotApplicable => String::new(),
        },
        Column::Callouts => r.callouts.len().to_string(),
        Column::Starts => timestamp(r.schedule.start),
        Column::Expires => timestamp(r.schedule.end),
        Column::DeliveringFor => delivering_for(r, now).map(iso_duration).unwrap_or_default(),
        Column::TimeLeft => match callback_time_left(r, now, timeout_of) {
            Some(TimeLeft::Known(d)) => iso_duration(d),
            Some(TimeLeft::AtLeast(d)) => format!(">={}", iso_duration(d)),
            Some(TimeLeft::Unknown) | None => String::new(),
        },
    }
}

/// Assignment `a`'s value in column `c`.
pub fn assignment_cell(c: Column, a: &Assignment) -> String {
    match c {
        Column::Target | Column::Requestor => name(a.target.as_ref()),
        Column::Package => a
            .package
            .as_ref()
            .map(|p| p.display_name.clone())
            .unwrap_or_default(),
        Column::State => a.state.clone(),
        Column::Status => a.status.clone(),
        Column::Starts => timestamp(a.schedule.start),
        Column::Expires => timestamp(a.expired.or(a.schedule.end)),
        _ => String::new(),
    }
}

/// `access-desk-requests-stuck-2026-11-30.csv`: the list, the ready-made view (or
/// `filtered` / `all`), the day. ASCII only, so every browser and file system keeps it.
pub fn file_name(view: &ListView, today: NaiveDate) -> String {
    let list = match view.kind {
        ListKind::Requests => "requests",
        ListKind::Assignments => "assignments",
    };
    // What is left of the view without its preset, order and columns: anything else
    // narrows the rows.
    let unfiltered = ListView::new(view.kind);
    let rest = ListView {
        preset: None,
        hours: unfiltered.hours,
        columns: Vec::new(),
        sort: unfiltered.sort,
        ..view.clone()
    };
    let which = match (view.preset, rest != unfiltered) {
        (Some(p), false) => p.name().to_string(),
        (Some(p), true) => format!("{}-filtered", p.name()),
        (None, false) => "all".into(),
        (None, true) => "filtered".into(),
    };
    format!("access-desk-{list}-{which}-{}.csv", format_date(today))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::models::{Callout, PackageRef};
    use crate::query::{ASSIGNMENTS, REQUESTS};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn every_formula_prefix_is_defused_and_quoting_is_rfc_4180() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\0=1"] {
            assert!(
                csv_field(s).trim_start_matches('"').starts_with('\''),
                "{s:?}"
            );
        }
        assert_eq!(csv_field("张伟"), "张伟");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("1-2"), "1-2");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
        // Some spreadsheets trim leading spaces before reading a formula.
        assert_eq!(csv_field("  =1"), "  '=1");
        assert_eq!(csv_field("a\tb"), "\"a\tb\"");
    }

    /// Splits a CSV line on `sep`, honouring RFC 4180 quotes (as Excel does when the
    /// locale's list separator is `sep`), or naively, ignoring quotes.
    fn cells(line: &str, sep: char, quotes: bool) -> Vec<String> {
        let (mut out, mut cell, mut quoted) = (Vec::new(), String::new(), false);
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quotes && quoted && chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                '"' if quotes => quoted = !quoted,
                c if c == sep && !quoted => out.push(std::mem::take(&mut cell)),
                c => cell.push(c),
            }
        }
        out.push(cell);
        out
    }

    #[test]
    fn no_cell_starts_a_formula_whatever_the_separator() {
        let hostile = [
            "Ann;=HYPERLINK(\"http://evil\",\"x\")",
            "x;+1",
            "x,-1",
            "x\t@SUM(A1)",
            "a;b;=1;c",
            ";=1",
            "=1;=2,=3",
            "Ann ; =1",
        ];
        let line = csv_text(
            &["name", "n"],
            hostile
                .iter()
                .map(|h| vec![h.to_string(), "1".into()])
                .collect(),
        );
        for row in line.split("\r\n").filter(|l| !l.is_empty()) {
            for sep in [',', ';', '\t'] {
                for quotes in [true, false] {
                    for cell in cells(row, sep, quotes) {
                        let cell = cell.trim_start_matches([' ', '"']);
                        assert!(
                            !cell.starts_with(['=', '+', '-', '@']),
                            "{row:?} split on {sep:?} (quotes {quotes}): {cell:?}"
                        );
                    }
                }
            }
        }
        // Read with the locale's separator and quotes, each field is one cell again.
        let row = csv_field("Ann;=1");
        assert_eq!(cells(&row, ';', true), ["Ann;'=1"]);
    }

    #[test]
    fn durations_are_iso_8601_with_their_sign() {
        assert_eq!(iso_duration(Duration::hours(30)), "P1DT6H");
        assert_eq!(iso_duration(Duration::days(14)), "P14D");
        assert_eq!(iso_duration(-Duration::minutes(45)), "-PT45M");
        assert_eq!(iso_duration(Duration::seconds(3_661)), "PT1H1M1S");
        assert_eq!(iso_duration(Duration::zero()), "PT0S");
        for d in [
            Duration::hours(30),
            Duration::days(14),
            Duration::seconds(3_661),
        ] {
            assert_eq!(crate::rows::parse_iso_duration(&iso_duration(d)), Some(d));
        }
    }

    #[test]
    fn request_cells_keep_graphs_raw_values() {
        let now = at("2026-11-30T12:00:00Z");
        let r = Request {
            id: "r1".into(),
            request_type: "adminAdd".into(),
            state: "pendingApproval".into(),
            status: "WaitingForCallback".into(),
            created: Some(at("2026-11-30T00:00:00Z")),
            requestor: Some(Subject {
                display_name: "=cmd|' /C calc'!A0".into(),
                email: "x@contoso.com".into(),
                object_id: "o".into(),
            }),
            package: Some(PackageRef {
                id: "p".into(),
                display_name: "Sales".into(),
                catalog: None,
            }),
            callouts: vec![Callout {
                status: "waitingForCallback".into(),
                custom_extension_id: "ext".into(),
                ..Callout::default()
            }],
            ..Request::default()
        };
        let none = |_: &str| None;
        let cell = |c| request_cell(c, &r, now, &none);
        assert_eq!(cell(Column::State), "pendingApproval");
        assert_eq!(cell(Column::Type), "adminAdd");
        assert_eq!(cell(Column::Created), "2026-11-30T00:00:00Z");
        assert_eq!(cell(Column::Completed), "");
        assert_eq!(cell(Column::Package), "Sales");
        assert_eq!(cell(Column::Callouts), "1");
        // 14 days from creation, half a day gone.
        assert_eq!(cell(Column::TimeLeft), "P13DT12H");
        let six_hours = |_: &str| Some(Duration::hours(6));
        assert_eq!(request_cell(Column::TimeLeft, &r, now, &six_hours), "-PT6H");
        let text = csv_text(
            &["id", "Requestor"],
            vec![vec![r.id.to_string(), cell(Column::Requestor)]],
        );
        assert!(text.ends_with("r1,'=cmd|' /C calc'!A0\r\n"), "{text}");
    }

    #[test]
    fn a_field_is_defused_and_quoted_exactly() {
        assert_eq!(
            csv_field("=1+1"),
            "'=1+1",
            "only the cell's start is defused"
        );
        assert_eq!(csv_field("a -1"), "a -1", "a trigger inside a cell is text");
        assert_eq!(csv_field("Ann ; =1"), "\"Ann ; '=1\"");
        assert_eq!(csv_field("x,-1;+2"), "\"x,'-1;'+2\"");
        assert_eq!(csv_field("-P2DT3H"), "'-P2DT3H");
        assert_eq!(csv_field("P2DT3H"), "P2DT3H");
        assert_eq!(csv_field("a\rb"), "\"a\rb\"");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn durations_at_each_unit_boundary() {
        for (d, iso) in [
            (Duration::seconds(1), "PT1S"),
            (Duration::seconds(59), "PT59S"),
            (Duration::seconds(60), "PT1M"),
            (Duration::seconds(3_599), "PT59M59S"),
            (Duration::seconds(3_600), "PT1H"),
            (Duration::seconds(86_399), "PT23H59M59S"),
            (Duration::seconds(86_400), "P1D"),
            (Duration::seconds(86_401), "P1DT1S"),
            (Duration::seconds(90_061), "P1DT1H1M1S"),
            (Duration::seconds(-1), "-PT1S"),
            (Duration::seconds(-86_400), "-P1D"),
            (Duration::seconds(-93_600), "-P1DT2H"),
        ] {
            assert_eq!(iso_duration(d), iso, "{d:?}");
        }
    }

    #[test]
    fn every_request_column_has_its_cell() {
        let now = at("2026-11-30T12:00:00Z");
        let failed = Request {
            id: "r2".into(),
            request_type: "userAdd".into(),
            state: "deliveryFailed".into(),
            status: "Fulfilled".into(),
            created: Some(at("2026-11-10T08:00:00Z")),
            completed: Some(at("2026-11-20T09:30:05Z")),
            requestor: Some(Subject {
                display_name: "Adele Vance".into(),
                ..Subject::default()
            }),
            schedule: crate::graph::models::Schedule {
                start: Some(at("2026-11-10T08:00:00Z")),
                end: Some(at("2027-11-10T08:00:00Z")),
            },
            ..Request::default()
        };
        let none = |_: &str| None;
        let cell = |c, r: &Request| request_cell(c, r, now, &none);
        for (c, want) in [
            (Column::Requestor, "Adele Vance"),
            (Column::Target, "Adele Vance"),
            (Column::Package, ""),
            (Column::Type, "userAdd"),
            (Column::State, "deliveryFailed"),
            (Column::Status, "Fulfilled"),
            (Column::Created, "2026-11-10T08:00:00Z"),
            (Column::Completed, "2026-11-20T09:30:05Z"),
            // Completed 10 days 2.5 hours ago: 3 days 21:30 left of 14.
            (Column::Window, "P3DT21H30M5S"),
            (Column::Callouts, "0"),
            (Column::Starts, "2026-11-10T08:00:00Z"),
            (Column::Expires, "2027-11-10T08:00:00Z"),
            (Column::DeliveringFor, ""),
            (Column::TimeLeft, ""),
        ] {
            assert_eq!(cell(c, &failed), want, "{c:?}");
        }
        // The window closed 2 days 3 hours ago: a negative duration.
        let old = Request {
            completed: Some(at("2026-11-14T09:00:00Z")),
            ..failed.clone()
        };
        assert_eq!(cell(Column::Window, &old), "-P2DT3H");
        // Not failed: no window.
        let delivering = Request {
            state: "delivering".into(),
            ..failed.clone()
        };
        assert_eq!(cell(Column::Window, &delivering), "");
        // Delivering since its creation (and scheduled start), 20 days 4 hours ago.
        assert_eq!(cell(Column::DeliveringFor, &delivering), "P20DT4H");
    }

    #[test]
    fn every_assignment_column_has_its_cell() {
        let a = Assignment {
            id: "a1".into(),
            state: "delivered".into(),
            status: "Delivered".into(),
            target: Some(Subject {
                display_name: "Alex Wilber".into(),
                ..Subject::default()
            }),
            package: Some(PackageRef {
                id: "p".into(),
                display_name: "Marketing".into(),
                catalog: None,
            }),
            policy: None,
            expired: None,
            schedule: crate::graph::models::Schedule {
                start: Some(at("2026-01-02T03:04:05Z")),
                end: Some(at("2027-01-02T03:04:05Z")),
            },
        };
        for (c, want) in [
            (Column::Target, "Alex Wilber"),
            (Column::Requestor, "Alex Wilber"),
            (Column::Package, "Marketing"),
            (Column::State, "delivered"),
            (Column::Status, "Delivered"),
            (Column::Starts, "2026-01-02T03:04:05Z"),
            (Column::Expires, "2027-01-02T03:04:05Z"),
            (Column::Type, ""),
            (Column::Created, ""),
            (Column::Window, ""),
            (Column::TimeLeft, ""),
        ] {
            assert_eq!(assignment_cell(c, &a), want, "{c:?}");
        }
        // Expired: when it expired, not when it was scheduled to end.
        let expired = Assignment {
            expired: Some(at("2026-06-30T00:00:00Z")),
            ..a
        };
        assert_eq!(
            assignment_cell(Column::Expires, &expired),
            "2026-06-30T00:00:00Z"
        );
        assert_eq!(
            assignment_cell(Column::Target, &Assignment::default()),
            "",
            "no target"
        );
    }

    #[test]
    fn a_table_is_the_id_then_the_columns_in_their_order() {
        let rows = [("a1", "delivered"), ("a2", "=1+1")];
        let text = table_csv(
            &[Column::State, Column::Target],
            |c| {
                if c == Column::State {
                    "State"
                } else {
                    "Target"
                }
            },
            &mut rows.iter(),
            |r| r.0,
            |c, r| {
                if c == Column::State {
                    r.1.into()
                } else {
                    String::new()
                }
            },
        );
        assert_eq!(text, "id,State,Target\r\na1,delivered,\r\na2,'=1+1,\r\n");
    }

    #[test]
    fn file_names_say_the_list_the_view_and_the_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let name = |spec, q| file_name(&ListView::parse(spec, q).0, day);
        assert_eq!(
            name(&REQUESTS, ""),
            "access-desk-requests-all-2026-11-30.csv"
        );
        assert_eq!(
            name(&REQUESTS, "view=stuck"),
            "access-desk-requests-stuck-2026-11-30.csv"
        );
        assert_eq!(
            name(&REQUESTS, "view=stuck&hours=12"),
            "access-desk-requests-stuck-2026-11-30.csv"
        );
        assert_eq!(
            name(&REQUESTS, "view=stuck&q=alice"),
            "access-desk-requests-stuck-filtered-2026-11-30.csv"
        );
        // Sorting and columns change the table, not which rows are in it.
        assert_eq!(
            name(&REQUESTS, "sort=-created&cols=state"),
            "access-desk-requests-all-2026-11-30.csv"
        );
        assert_eq!(
            name(&ASSIGNMENTS, "state=delivered"),
            "access-desk-assignments-filtered-2026-11-30.csv"
        );
    }
}
