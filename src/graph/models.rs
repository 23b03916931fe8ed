//! Requests and assignments as the app uses them, read from either Graph version's JSON
//! (v1.0 `state`/`status`/`completedDateTime`; beta `requestState`/`requestStatus`/
//! `completedDate`, `accessPackageAssignment`, …). States are kept in v1.0's camelCase.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::ids::ObjectId;

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn opt_s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
}

fn id(v: &Value, k: &str) -> ObjectId {
    ObjectId::parse(v.get(k).and_then(Value::as_str).unwrap_or(""))
}

fn time(v: &Value, k: &str) -> Option<DateTime<Utc>> {
    v.get(k).and_then(Value::as_str).and_then(parse_utc)
}

/// Graph's timestamps: `2026-11-21T10:04:05Z`, optionally with fractional seconds or a
/// numeric offset. A small parser: chrono's general one is large in the wasm.
pub fn parse_utc(t: &str) -> Option<DateTime<Utc>> {
    let date = crate::query::parse_date(t.get(..10)?)?;
    let rest = t.get(10..)?.strip_prefix(['T', 't'])?;
    let two = |s: &str, r: std::ops::Range<usize>| -> Option<u32> {
        let p = s.get(r)?;
        p.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| p.parse().ok())?
    };
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" {
        return None;
    }
    let time =
        chrono::NaiveTime::from_hms_opt(two(rest, 0..2)?, two(rest, 3..5)?, two(rest, 6..8)?)?;
    let mut tail = &rest[8..];
    let mut nanos = 0u32;
    if let Some(frac) = tail.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let scaled = format!("{:0<9}", &frac[..digits.min(9)]);
        nanos = scaled.parse().ok()?;
        tail = &frac[digits..];
    }
    let offset_secs: i64 = match tail {
        "Z" | "z" => 0,
        _ => {
            let sign = match tail.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if tail.len() != 6 || tail.get(3..4)? != ":" {
                return None;
            }
            sign * (i64::from(two(tail, 1..3)?) * 3600 + i64::from(two(tail, 4..6)?) * 60)
        }
    };
    let naive = date.and_time(time) + chrono::Duration::nanoseconds(i64::from(nanos))
        - chrono::Duration::seconds(offset_secs);
    Some(naive.and_utc())
}

/// `DeliveryFailed` → `deliveryFailed`.
pub fn camel(state: &str) -> String {
    let mut c = state.chars();
    c.next()
        .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
        .unwrap_or_default()
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subject {
    pub display_name: String,
    pub email: String,
    pub object_id: ObjectId,
}

impl Subject {
    fn from(v: &Value) -> Option<Subject> {
        v.is_object().then(|| Subject {
            display_name: s(v, "displayName"),
            email: opt_s(v, "email")
                .or_else(|| opt_s(v, "principalName"))
                .unwrap_or_default(),
            object_id: id(v, "objectId"),
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PackageRef {
    pub id: ObjectId,
    pub display_name: String,
    pub catalog: Option<String>,
}

/// `Sales (General)`: an access package with its catalog, or an empty string for none.
pub fn package_label(p: Option<&PackageRef>) -> String {
    p.map(|p| match &p.catalog {
        Some(c) => format!("{} ({c})", p.display_name),
        None => p.display_name.clone(),
    })
    .unwrap_or_default()
}

impl PackageRef {
    /// From an expanded or listed access package.
    pub fn from_json(v: &Value) -> PackageRef {
        PackageRef::from(v).unwrap_or_default()
    }

    fn from(v: &Value) -> Option<PackageRef> {
        v.is_object().then(|| PackageRef {
            id: id(v, "id"),
            display_name: s(v, "displayName"),
            catalog: v
                .get("catalog")
                .or_else(|| v.get("accessPackageCatalog"))
                .and_then(|c| opt_s(c, "displayName")),
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Callout {
    pub id: String,
    pub custom_extension_id: String,
    pub status: String,
    pub detail: String,
    pub correlation_id: String,
}

fn callouts(v: &Value) -> Vec<Callout> {
    v.get("customExtensionCalloutInstances")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|c| Callout {
                    id: s(c, "id"),
                    custom_extension_id: s(c, "customExtensionId"),
                    status: s(c, "status"),
                    detail: s(c, "detail"),
                    correlation_id: s(c, "externalCorrelationId"),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Answer {
    pub question: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schedule {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

fn schedule(v: &Value) -> Schedule {
    let sch = v.get("schedule").cloned().unwrap_or_default();
    Schedule {
        start: time(&sch, "startDateTime"),
        end: sch.get("expiration").and_then(|e| time(e, "endDateTime")),
    }
}

/// An access package assignment request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    pub id: ObjectId,
    pub request_type: String,
    /// v1.0 camelCase (`deliveryFailed`), whatever the version said.
    pub state: String,
    pub status: String,
    pub created: Option<DateTime<Utc>>,
    pub completed: Option<DateTime<Utc>>,
    pub justification: String,
    pub requestor: Option<Subject>,
    pub package: Option<PackageRef>,
    pub assignment_id: Option<ObjectId>,
    pub callouts: Vec<Callout>,
    pub answers: Vec<Answer>,
    pub schedule: Schedule,
}

impl Request {
    pub fn from_json(v: &Value) -> Request {
        let state = opt_s(v, "state")
            .or_else(|| opt_s(v, "requestState"))
            .unwrap_or_default();
        Request {
            id: id(v, "id"),
            request_type: camel(&s(v, "requestType")),
            state: camel(&state),
            status: opt_s(v, "status")
                .or_else(|| opt_s(v, "requestStatus"))
                .unwrap_or_default(),
            created: time(v, "createdDateTime"),
            completed: time(v, "completedDateTime").or_else(|| time(v, "completedDate")),
            justification: s(v, "justification"),
            requestor: v.get("requestor").and_then(Subject::from),
            package: v.get("accessPackage").and_then(PackageRef::from),
            assignment_id: v
                .get("assignment")
                .or_else(|| v.get("accessPackageAssignment"))
                .and_then(|a| opt_s(a, "id"))
                .map(|a| ObjectId::parse(&a)),
            callouts: callouts(v),
            answers: v
                .get("answers")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|x| Answer {
                            question: x
                                .get("answeredQuestion")
                                .map(|q| s(q, "text"))
                                .unwrap_or_default(),
                            value: opt_s(x, "displayValue")
                                .or_else(|| opt_s(x, "value"))
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            schedule: schedule(v),
        }
    }

    /// The callout this request waits on, if any (status WaitingForCallback, any casing).
    pub fn waiting_callout(&self) -> Option<&Callout> {
        if !self.status.eq_ignore_ascii_case("WaitingForCallback") {
            return None;
        }
        self.callouts
            .iter()
            .find(|c| c.status.eq_ignore_ascii_case("waitingForCallback"))
    }

    /// Lower-cased text the browser-side search looks in.
    pub fn search_text(&self) -> String {
        let mut t = String::new();
        for part in [
            self.requestor.as_ref().map(|r| r.display_name.as_str()),
            self.requestor.as_ref().map(|r| r.email.as_str()),
            self.package.as_ref().map(|p| p.display_name.as_str()),
            self.package.as_ref().and_then(|p| p.catalog.as_deref()),
            Some(self.justification.as_str()),
            Some(self.id.as_str()),
            Some(self.state.as_str()),
            Some(self.status.as_str()),
        ]
        .into_iter()
        .flatten()
        {
            t.push_str(&crate::intl::lowercase(part));
            t.push('\n');
        }
        t
    }
}

/// An access package assignment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assignment {
    pub id: ObjectId,
    pub state: String,
    pub status: String,
    pub target: Option<Subject>,
    pub package: Option<PackageRef>,
    pub policy: Option<String>,
    pub expired: Option<DateTime<Utc>>,
    pub schedule: Schedule,
}

impl Assignment {
    pub fn from_json(v: &Value) -> Assignment {
        let state = opt_s(v, "state")
            .or_else(|| opt_s(v, "assignmentState"))
            .unwrap_or_default();
        Assignment {
            id: id(v, "id"),
            state: camel(&state),
            status: opt_s(v, "status")
                .or_else(|| opt_s(v, "assignmentStatus"))
                .unwrap_or_default(),
            target: v.get("target").and_then(Subject::from),
            package: v.get("accessPackage").and_then(PackageRef::from),
            policy: v
                .get("assignmentPolicy")
                .or_else(|| v.get("accessPackageAssignmentPolicy"))
                .and_then(|p| opt_s(p, "displayName")),
            expired: time(v, "expiredDateTime"),
            schedule: schedule(v),
        }
    }

    pub fn search_text(&self) -> String {
        [
            self.target.as_ref().map(|r| r.display_name.as_str()),
            self.target.as_ref().map(|r| r.email.as_str()),
            self.package.as_ref().map(|p| p.display_name.as_str()),
            Some(self.id.as_str()),
        ]
        .into_iter()
        .flatten()
        .map(crate::intl::lowercase)
        .collect::<Vec<_>>()
        .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v1_and_beta_requests_read_the_same() {
        let v1 = json!({
            "id": "r1", "requestType": "userAdd", "state": "deliveryFailed", "status": "DeliveryFailed",
            "createdDateTime": "2026-11-01T00:00:00Z", "completedDateTime": "2026-11-02T00:00:00Z",
            "requestor": { "displayName": "<b>x</b>", "email": "x@c.com", "objectId": "o1" },
            "accessPackage": { "id": "p1", "displayName": "Sales", "catalog": { "displayName": "General" } },
            "assignment": { "id": "a1" },
            "customExtensionCalloutInstances": [{ "id": "c1", "customExtensionId": "e1", "status": "waitingForCallback", "detail": "d", "externalCorrelationId": "x" }],
        });
        let beta = json!({
            "id": "r1", "requestType": "UserAdd", "requestState": "DeliveryFailed", "requestStatus": "DeliveryFailed",
            "createdDateTime": "2026-11-01T00:00:00Z", "completedDate": "2026-11-02T00:00:00Z",
            "requestor": { "displayName": "<b>x</b>", "email": "x@c.com", "objectId": "o1" },
            "accessPackage": { "id": "p1", "displayName": "Sales", "accessPackageCatalog": { "displayName": "General" } },
            "accessPackageAssignment": { "id": "a1" },
            "customExtensionCalloutInstances": [{ "id": "c1", "customExtensionId": "e1", "status": "waitingForCallback", "detail": "d", "externalCorrelationId": "x" }],
        });
        let a = Request::from_json(&v1);
        let b = Request::from_json(&beta);
        assert_eq!(a, b);
        assert_eq!(a.state, "deliveryFailed");
        assert_eq!(a.request_type, "userAdd");
        assert_eq!(a.package.unwrap().catalog.as_deref(), Some("General"));
        assert_eq!(b.assignment_id, Some("a1".into()));
    }

    #[test]
    fn graph_timestamps_parse_like_rfc3339() {
        for t in [
            "2026-11-21T10:04:05Z",
            "2026-11-21T10:04:05.1234567Z",
            "2026-11-21T12:04:05+02:00",
            "2026-11-21T05:34:05-04:30",
        ] {
            let want = DateTime::parse_from_rfc3339(t).unwrap().to_utc();
            assert_eq!(parse_utc(t), Some(want), "{t}");
        }
        for bad in [
            "2026-11-21",
            "2026-11-21T10:04Z",
            "2026-11-21T25:00:00Z",
            "2026-11-21T10:04:05",
            "2026-11-21T10:04:05.Z",
            "x",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_waiting_callout_needs_the_status_in_any_casing() {
        let mut r = Request::from_json(&json!({
            "status": "waitingforcallback",
            "customExtensionCalloutInstances": [{ "id": "c1", "status": "callbackReceived" }, { "id": "c2", "status": "WaitingForCallback" }],
        }));
        assert_eq!(r.waiting_callout().unwrap().id, "c2");
        r.status = "Delivered".into();
        assert!(r.waiting_callout().is_none());
    }

    #[test]
    fn search_text_covers_people_packages_and_ids() {
        let r = Request::from_json(
            &json!({ "id": "ABC", "requestor": { "displayName": "Amélie Dubois", "email": "a@x" }, "accessPackage": { "displayName": "财务报表" } }),
        );
        let t = r.search_text();
        assert!(t.contains("amélie") && t.contains("财务报表") && t.contains("abc"));
    }
}
