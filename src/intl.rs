//! Dates, numbers and durations in the language in use, formatted by the browser's `Intl`
//! (the wasm carries no locale tables: the browser has them). Natively, for the unit
//! tests of the pure modules that format, a plain English rendering stands in.
//!
//! ```
//! use access_desk::intl::duration;
//! // Natively, the English stand-in:
//! assert_eq!(duration(chrono::Duration::hours(50)), "2 days");
//! assert_eq!(duration(chrono::Duration::minutes(90)), "1 hour");
//! ```

use chrono::{DateTime, Duration, Utc};

/// The largest whole unit of a duration worth saying: days from two days on (below that,
/// "1 day" would hide up to 23 hours, which matters for a callback about to time out or a
/// delivery stuck since yesterday), then hours, then minutes (at least one).
fn unit_of(d: Duration) -> (&'static str, i64) {
    match (d.num_days(), d.num_hours()) {
        (n, _) if n >= 2 => ("day", n),
        (_, h) if h >= 1 => ("hour", h),
        _ => ("minute", d.num_minutes().max(1)),
    }
}

/// A duration as "11 days", "1 hour", "45 minutes" (in the language in use, with its
/// plural forms).
pub fn duration(d: Duration) -> String {
    let (unit, n) = unit_of(d);
    format_unit(unit, n)
}

/// A moment in the admin's time zone and language, with the zone named; "—" for none.
pub fn date_time(t: Option<DateTime<Utc>>) -> String {
    match t {
        Some(t) => format_date_time(t),
        None => "—".into(),
    }
}

/// A count, grouped as the language writes it (10,200 · 10 200 · 10,200).
pub fn number(n: usize) -> String {
    format_number(n)
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::RefCell;

    use chrono::{DateTime, Utc};
    use js_sys::{Array, Intl, Object, Reflect};
    use wasm_bindgen::JsValue;

    use crate::i18n::{Lang, lang};

    #[derive(Clone)]
    enum Kind {
        Unit(&'static str),
        Number,
        DateTime,
        Time,
        Day,
    }

    thread_local! {
        /// Formatters are costly to make and cheap to use: one per language and kind.
        static CACHE: RefCell<Vec<(Lang, &'static str, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
    }

    fn options(pairs: &[(&str, &str)]) -> Object {
        let o = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        o
    }

    fn formatter(kind: Kind) -> js_sys::Function {
        let key = match &kind {
            Kind::Unit(u) => u,
            Kind::Number => "number",
            Kind::DateTime => "date-time",
            Kind::Time => "time",
            Kind::Day => "day",
        };
        let l = lang();
        if let Some(f) = CACHE.with(|c| {
            c.borrow()
                .iter()
                .find(|(x, k, _)| *x == l && *k == key)
                .map(|(_, _, f)| f.clone())
        }) {
            return f;
        }
        let locales = Array::of1(&JsValue::from_str(l.code()));
        let f = match kind {
            Kind::Unit(unit) => Intl::NumberFormat::new(
                &locales,
                &options(&[("style", "unit"), ("unit", unit), ("unitDisplay", "long")]),
            )
            .format(),
            Kind::Number => Intl::NumberFormat::new(&locales, &Object::new()).format(),
            Kind::DateTime => Intl::DateTimeFormat::new(
                &locales,
                &options(&[
                    ("year", "numeric"),
                    ("month", "short"),
                    ("day", "numeric"),
                    ("hour", "2-digit"),
                    ("minute", "2-digit"),
                    ("timeZoneName", "short"),
                ]),
            )
            .format(),
            Kind::Time => Intl::DateTimeFormat::new(
                &locales,
                &options(&[("hour", "2-digit"), ("minute", "2-digit")]),
            )
            .format(),
            // A calendar day, not a moment: formatted in UTC so no zone moves it.
            Kind::Day => Intl::DateTimeFormat::new(
                &locales,
                &options(&[
                    ("weekday", "short"),
                    ("month", "short"),
                    ("day", "numeric"),
                    ("timeZone", "UTC"),
                ]),
            )
            .format(),
        };
        CACHE.with(|c| c.borrow_mut().push((l, key, f.clone())));
        f
    }

    fn call(f: &js_sys::Function, v: &JsValue) -> String {
        f.call1(&JsValue::NULL, v)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    pub fn format_unit(unit: &'static str, n: i64) -> String {
        call(&formatter(Kind::Unit(unit)), &JsValue::from_f64(n as f64))
    }

    pub fn format_number(n: usize) -> String {
        call(&formatter(Kind::Number), &JsValue::from_f64(n as f64))
    }

    fn js_date(t: DateTime<Utc>) -> js_sys::Date {
        js_sys::Date::new(&JsValue::from_f64(t.timestamp_millis() as f64))
    }

    pub fn format_date_time(t: DateTime<Utc>) -> String {
        call(&formatter(Kind::DateTime), &js_date(t))
    }

    pub fn format_time(t: DateTime<Utc>) -> String {
        call(&formatter(Kind::Time), &js_date(t))
    }

    pub fn format_day(d: chrono::NaiveDate) -> String {
        let noon = d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        call(&formatter(Kind::Day), &js_date(noon))
    }

    pub fn offset_minutes() -> i32 {
        -(js_sys::Date::new_0().get_timezone_offset() as i32)
    }

    pub fn to_lowercase(s: &str) -> String {
        js_sys::JsString::from(s).to_lower_case().into()
    }
}

#[cfg(target_arch = "wasm32")]
use browser::{
    format_date_time, format_day, format_number, format_time, format_unit, offset_minutes,
    to_lowercase,
};

/// The time of day of `t` in the admin's zone (`09:14`).
pub fn time_of_day(t: DateTime<Utc>) -> String {
    format_time(t)
}

/// A calendar day, short (`Mon, Nov 30`).
pub fn day(d: chrono::NaiveDate) -> String {
    format_day(d)
}

/// The admin's time zone now, as minutes east of UTC (0 natively).
pub fn local_offset_minutes() -> i32 {
    offset_minutes()
}

/// `s` lower-cased for search and sort: Unicode's default case mapping (`É` → `é`, a
/// final `Σ` → `ς`), by the browser's tables for text beyond ASCII. Rust's own
/// `str::to_lowercase` would carry its case tables in the wasm (~5 KB gzip of the first
/// visit) for what `String.prototype.toLowerCase` does identically; natively it stands in.
///
/// ```
/// assert_eq!(access_desk::intl::lowercase("Ada LOVELACE"), "ada lovelace");
/// assert_eq!(access_desk::intl::lowercase("ÉCOLE ΟΔΟΣ"), "école οδος");
/// ```
pub fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        to_lowercase(s)
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn to_lowercase(s: &str) -> String {
    s.to_lowercase()
}

#[cfg(not(target_arch = "wasm32"))]
fn format_time(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    format!("{:02}:{:02}", t.hour(), t.minute())
}

#[cfg(not(target_arch = "wasm32"))]
fn format_day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(not(target_arch = "wasm32"))]
fn offset_minutes() -> i32 {
    0
}

#[cfg(not(target_arch = "wasm32"))]
fn format_unit(unit: &str, n: i64) -> String {
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(not(target_arch = "wasm32"))]
fn format_number(n: usize) -> String {
    n.to_string()
}

#[cfg(not(target_arch = "wasm32"))]
fn format_date_time(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    format!(
        "{} {:02}:{:02} UTC",
        t.date_naive().format("%Y-%m-%d"),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_say_their_largest_whole_unit() {
        let d = |h: i64, m: i64| duration(Duration::hours(h) + Duration::minutes(m));
        assert_eq!(d(11 * 24 + 3, 0), "11 days");
        assert_eq!(d(47, 59), "47 hours");
        assert_eq!(d(24, 0), "24 hours");
        assert_eq!(d(5, 30), "5 hours");
        assert_eq!(d(1, 0), "1 hour");
        assert_eq!(d(0, 30), "30 minutes");
        assert_eq!(d(0, 0), "1 minute");
    }
}
