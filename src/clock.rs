//! The browser's clock, in one place: every rule that depends on "now" (the reprocess
//! window, time left, stuck views, the overview's days) is given this time, so the pure
//! modules stay testable with any time.

/// Now, by the browser's clock.
pub fn now_utc() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}
