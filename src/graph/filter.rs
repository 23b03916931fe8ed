//! What Graph can filter is sent as `$filter`; the rest is filtered in the browser.
//! Literals are quoted (`'` doubled) and ids are GUIDs, so no view can inject a clause.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::config::GraphVersion;
use crate::ids::is_guid;
use crate::query::{ListView, Preset};

/// An OData string literal.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `deliveryFailed` → `DeliveryFailed` (beta's casing).
fn pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn day_start(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", crate::query::format_date(d))
}

/// `2026-11-16T12:00:00Z` (without chrono's strftime, which is large in the wasm).
pub fn iso_seconds(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        crate::query::format_date(t.date_naive()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Which list a filter is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Requests,
    Assignments,
}

struct Names {
    state: &'static str,
    status: &'static str,
    person: &'static str,
    pascal_states: bool,
}

fn names(list: List, v: GraphVersion) -> Names {
    match (list, v) {
        (List::Requests, GraphVersion::V1) => Names {
            state: "state",
            status: "status",
            person: "requestor/objectId",
            pascal_states: false,
        },
        (List::Requests, GraphVersion::Beta) => Names {
            state: "requestState",
            status: "requestStatus",
            person: "requestor/objectId",
            pascal_states: true,
        },
        (List::Assignments, GraphVersion::V1) => Names {
            state: "state",
            status: "status",
            person: "target/objectId",
            pascal_states: false,
        },
        (List::Assignments, GraphVersion::Beta) => Names {
            state: "assignmentState",
            status: "assignmentStatus",
            person: "target/objectId",
            pascal_states: true,
        },
    }
}

fn any_state(n: &Names, states: &[&str]) -> String {
    let parts: Vec<String> = states
        .iter()
        .map(|s| {
            format!(
                "{} eq {}",
                n.state,
                quote(&if n.pascal_states {
                    pascal(s)
                } else {
                    s.to_string()
                })
            )
        })
        .collect();
    if parts.len() == 1 {
        parts[0].clone()
    } else {
        format!("({})", parts.join(" or "))
    }
}

/// The `$filter` for a view, or None when Graph is asked for everything.
pub fn server_filter(
    view: &ListView,
    list: List,
    v: GraphVersion,
    now: DateTime<Utc>,
) -> Option<String> {
    let n = names(list, v);
    let mut clauses: Vec<String> = Vec::new();
    if list == List::Requests {
        match view.preset {
            Some(Preset::Attention) => clauses.push(format!(
                "({} or {} eq {})",
                any_state(&n, &["deliveryFailed", "partiallyDelivered"])
                    .trim_matches(|c| c == '(' || c == ')'),
                n.status,
                quote("WaitingForCallback")
            )),
            Some(Preset::Waiting) => {
                clauses.push(format!("{} eq {}", n.status, quote("WaitingForCallback")))
            }
            Some(Preset::FailedOld) => {
                clauses.push(any_state(&n, &["deliveryFailed", "partiallyDelivered"]))
            }
            Some(Preset::Recent) => clauses.push(format!(
                "createdDateTime ge {}",
                iso_seconds(now - Duration::days(7))
            )),
            None => {}
        }
    }
    if !view.states.is_empty() {
        let states: Vec<&str> = view.states.iter().map(String::as_str).collect();
        clauses.push(any_state(&n, &states));
    }
    if let Some(s) = &view.status {
        clauses.push(format!("{} eq {}", n.status, quote(s)));
    }
    if let Some(p) = view.package.as_deref().filter(|p| is_guid(p)) {
        clauses.push(format!("accessPackage/id eq {}", quote(p)));
    }
    if let Some(r) = view.requestor.as_deref().filter(|r| is_guid(r)) {
        clauses.push(format!("{} eq {}", n.person, quote(r)));
    }
    if list == List::Requests {
        if let Some(d) = view.created_after {
            clauses.push(format!("createdDateTime ge {}", day_start(d)));
        }
        if let Some(d) = view.created_before {
            clauses.push(format!("createdDateTime lt {}", day_start(d)));
        }
    }
    (!clauses.is_empty()).then(|| clauses.join(" and "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn view(q: &str) -> ListView {
        let (v, problems) = ListView::parse(q);
        assert!(problems.is_empty(), "{problems:?}");
        v
    }

    #[test]
    fn the_issue_example_becomes_one_filter_and_the_search_stays_in_the_browser() {
        let v = view(
            "state=deliveryFailed,partiallyDelivered&package=d82eb508-acc4-43cc-bcf1-7c1c4a2c073b&created_after=2026-11-01&q=alice&sort=-created",
        );
        assert_eq!(
            server_filter(&v, List::Requests, GraphVersion::V1, now()).unwrap(),
            "(state eq 'deliveryFailed' or state eq 'partiallyDelivered') and accessPackage/id eq 'd82eb508-acc4-43cc-bcf1-7c1c4a2c073b' and createdDateTime ge 2026-11-01T00:00:00Z"
        );
    }

    #[test]
    fn beta_uses_its_own_property_names_and_casing() {
        let v = view("state=deliveryFailed&status=WaitingForCallback");
        assert_eq!(
            server_filter(&v, List::Requests, GraphVersion::Beta, now()).unwrap(),
            "requestState eq 'DeliveryFailed' and requestStatus eq 'WaitingForCallback'"
        );
        assert_eq!(
            server_filter(
                &view("state=delivered&requestor=0e60f18c-b2a0-4887-9da8-da2e30a39d99"),
                List::Assignments,
                GraphVersion::Beta,
                now()
            )
            .unwrap(),
            "assignmentState eq 'Delivered' and target/objectId eq '0e60f18c-b2a0-4887-9da8-da2e30a39d99'"
        );
    }

    #[test]
    fn presets_have_their_server_part() {
        let f = |q: &str| server_filter(&view(q), List::Requests, GraphVersion::V1, now()).unwrap();
        assert_eq!(
            f("view=attention"),
            "(state eq 'deliveryFailed' or state eq 'partiallyDelivered' or status eq 'WaitingForCallback')"
        );
        assert_eq!(f("view=waiting"), "status eq 'WaitingForCallback'");
        assert_eq!(
            f("view=failed-old"),
            "(state eq 'deliveryFailed' or state eq 'partiallyDelivered')"
        );
        assert_eq!(f("view=recent"), "createdDateTime ge 2026-11-16T12:00:00Z");
        assert_eq!(
            server_filter(
                &ListView::default(),
                List::Requests,
                GraphVersion::V1,
                now()
            ),
            None
        );
    }

    #[test]
    fn literals_are_quoted_and_ids_must_be_guids() {
        assert_eq!(
            quote("O'Brien' or 1 eq 1 or 'x"),
            "'O''Brien'' or 1 eq 1 or ''x'"
        );
        // A view built in code with a hostile package id never reaches the filter.
        let v = ListView {
            package: Some("x' or accessPackage/id ne 'y".into()),
            q: "' or 1 eq 1".into(),
            ..ListView::default()
        };
        assert_eq!(
            server_filter(&v, List::Requests, GraphVersion::V1, now()),
            None
        );
    }
}
