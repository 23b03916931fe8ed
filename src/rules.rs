//! What an admin may do with an item, and when. This module starts with the reprocess
//! window (14 days after completion, the specification's figure; see
//! shared/reference/README.md for the admin-center page that says one week).

use chrono::{DateTime, Duration, Utc};

/// Reprocessing a request is possible this long after it completed.
pub const REPROCESS_WINDOW_DAYS: i64 = 14;

/// States whose requests can be reprocessed (compared without regard to case: v1.0 says
/// `deliveryFailed`, beta `DeliveryFailed`).
pub const REPROCESSABLE_STATES: [&str; 2] = ["deliveryFailed", "partiallyDelivered"];

pub fn is_reprocessable_state(state: &str) -> bool {
    REPROCESSABLE_STATES
        .iter()
        .any(|s| s.eq_ignore_ascii_case(state))
}

/// Where a request stands with respect to the reprocess window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// Failed or partially delivered, completed at most 14 days ago: this much time is left.
    Open(Duration),
    /// Failed or partially delivered, but the window closed this long ago.
    Closed(Duration),
    /// The state is not one that can be reprocessed, or it has not completed.
    NotApplicable,
}

/// The window of a request in `state`, completed at `completed`, seen at `now`.
pub fn reprocess_window(
    state: &str,
    completed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Window {
    let Some(done) = completed.filter(|_| is_reprocessable_state(state)) else {
        return Window::NotApplicable;
    };
    let closes = done + Duration::days(REPROCESS_WINDOW_DAYS);
    if now <= closes {
        Window::Open(closes - now)
    } else {
        Window::Closed(now - closes)
    }
}

impl Window {
    pub fn is_open(self) -> bool {
        matches!(self, Window::Open(_))
    }

    /// "11 days left", "5 hours left", "closed 2 days ago", "closed 1 hour ago", or "—".
    pub fn label(self) -> String {
        use crate::i18n::{Msg, t};
        let amount = |d: Duration, days: Msg, day: Msg, hours: Msg, hour: Msg, under: Msg| match (
            d.num_days(),
            d.num_hours(),
        ) {
            (n, _) if n >= 2 => format!("{n} {}", t(days)),
            (1, _) => format!("1 {}", t(day)),
            (_, h) if h >= 2 => format!("{h} {}", t(hours)),
            (_, 1) => format!("1 {}", t(hour)),
            _ => t(under).to_string(),
        };
        match self {
            Window::Open(left) => amount(
                left,
                Msg::DaysLeft,
                Msg::DayLeft,
                Msg::HoursLeft,
                Msg::HourLeft,
                Msg::UnderAnHourLeft,
            ),
            Window::Closed(ago) => format!(
                "{} {}",
                t(Msg::ClosedPrefix),
                amount(
                    ago,
                    Msg::DaysAgo,
                    Msg::DayAgo,
                    Msg::HoursAgo,
                    Msg::HourAgo,
                    Msg::UnderAnHourAgo
                )
            ),
            Window::NotApplicable => "—".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn the_window_is_open_up_to_and_including_14_days_and_closed_after() {
        let done = at("2026-11-01T10:00:00Z");
        let now_13_99 = done + Duration::days(14) - Duration::minutes(15);
        let now_14 = done + Duration::days(14);
        let now_14_01 = done + Duration::days(14) + Duration::minutes(15);
        assert!(reprocess_window("deliveryFailed", Some(done), now_13_99).is_open());
        assert!(reprocess_window("deliveryFailed", Some(done), now_14).is_open());
        assert_eq!(
            reprocess_window("deliveryFailed", Some(done), now_14_01),
            Window::Closed(Duration::minutes(15))
        );
    }

    #[test]
    fn only_failed_and_partial_requests_have_a_window_in_any_casing() {
        let done = at("2026-11-01T10:00:00Z");
        let now = at("2026-11-02T10:00:00Z");
        for s in [
            "deliveryFailed",
            "DeliveryFailed",
            "PARTIALLYDELIVERED",
            "partiallyDelivered",
        ] {
            assert!(reprocess_window(s, Some(done), now).is_open(), "{s}");
        }
        for s in ["delivered", "Delivered", "denied", "pendingApproval", ""] {
            assert_eq!(
                reprocess_window(s, Some(done), now),
                Window::NotApplicable,
                "{s}"
            );
        }
        assert_eq!(
            reprocess_window("deliveryFailed", None, now),
            Window::NotApplicable
        );
    }

    #[test]
    fn labels_count_days_and_hours() {
        let done = at("2026-11-01T10:00:00Z");
        let label = |now: &str| reprocess_window("deliveryFailed", Some(done), at(now)).label();
        assert_eq!(label("2026-11-04T09:00:00Z"), "11 days left");
        assert_eq!(label("2026-11-14T09:00:00Z"), "1 day left");
        assert_eq!(label("2026-11-15T05:00:00Z"), "5 hours left");
        assert_eq!(label("2026-11-15T09:00:00Z"), "1 hour left");
        assert_eq!(label("2026-11-15T09:30:00Z"), "less than an hour left");
        assert_eq!(label("2026-11-17T11:00:00Z"), "closed 2 days ago");
        assert_eq!(label("2026-11-15T13:00:00Z"), "closed 3 hours ago");
    }
}
