//! What the data tests share: a tenant generated the way the sandbox makes one.

use chrono::DateTime;

use super::{Data, Demo};

fn people() -> Vec<(String, String, String)> {
    vec![
        ("a".into(), "Admin".into(), "admin@x".into()),
        ("b".into(), "Manager".into(), "manager@x".into()),
        ("c".into(), "User".into(), "user@x".into()),
    ]
}

pub(super) fn generated(seed: u64, n: usize) -> Data {
    let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .unwrap()
        .to_utc();
    Data::generate(seed, n, now, "x", Demo { people: &people() })
}
