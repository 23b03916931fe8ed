//! When to try a Graph call again, and after how long.
//!
//! Graph asks clients to back off on 429 (throttled) and 503/504 (busy), with a
//! `Retry-After` header in seconds when it has one. A browser can read that header only if
//! the response exposes it through CORS, and Graph does not expose it, so the usual case in
//! a browser is exponential backoff with jitter; both paths are here.
//!
//! ```
//! use access_desk::graph::retry::{Backoff, Retry};
//! let b = Backoff::default();
//! // A 429 with Retry-After: 3 waits three seconds.
//! assert_eq!(b.after(1, 429, Some("3"), 0.5), Retry::After(3_000));
//! // A 400 is an answer, not a hiccup.
//! assert_eq!(b.after(1, 400, None, 0.5), Retry::No);
//! ```

/// Whether and when to send again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Wait this many milliseconds, then send again.
    After(u64),
    No,
}

/// Exponential backoff with full jitter, capped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Sends in all, the first included.
    pub max_attempts: u32,
    /// The ceiling of the first wait.
    pub base_ms: u64,
    /// No wait is longer than this (a Retry-After above it is still honoured up to it).
    pub cap_ms: u64,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            max_attempts: 6,
            base_ms: 500,
            cap_ms: 30_000,
        }
    }
}

/// Statuses that mean "not now" rather than "no".
pub fn is_transient(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

impl Backoff {
    /// After send number `attempt` (1-based) answered `status` with `retry_after` (the
    /// header's value, when the browser can read it); `jitter` is a random number in
    /// `[0, 1)`.
    pub fn after(
        &self,
        attempt: u32,
        status: u16,
        retry_after: Option<&str>,
        jitter: f64,
    ) -> Retry {
        if !is_transient(status) || attempt >= self.max_attempts {
            return Retry::No;
        }
        if let Some(secs) = retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
            return Retry::After((secs * 1000).min(self.cap_ms));
        }
        let ceiling = self
            .base_ms
            .saturating_mul(1u64 << (attempt - 1).min(20))
            .min(self.cap_ms);
        // Full jitter: anywhere between nothing and the ceiling, so that many clients
        // throttled at once do not come back at once.
        Retry::After((ceiling as f64 * jitter.clamp(0.0, 1.0)) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_throttling_and_busy_answers_are_retried() {
        let b = Backoff::default();
        for status in [200, 202, 204, 400, 401, 403, 404, 409, 500, 502] {
            assert_eq!(b.after(1, status, Some("1"), 0.5), Retry::No, "{status}");
        }
        for status in [429, 503, 504] {
            assert!(
                matches!(b.after(1, status, None, 0.5), Retry::After(_)),
                "{status}"
            );
        }
    }

    #[test]
    fn retry_after_in_seconds_is_honoured_up_to_the_cap() {
        let b = Backoff::default();
        assert_eq!(b.after(1, 429, Some("2"), 0.9), Retry::After(2_000));
        assert_eq!(b.after(1, 503, Some(" 0 "), 0.9), Retry::After(0));
        assert_eq!(b.after(1, 429, Some("3600"), 0.9), Retry::After(30_000));
        // An HTTP date is not understood: fall back to backoff, never to no wait at all.
        assert_eq!(
            b.after(1, 429, Some("Wed, 21 Oct 2026 07:28:00 GMT"), 1.0),
            Retry::After(500)
        );
    }

    #[test]
    fn backoff_doubles_with_full_jitter_and_a_cap() {
        let b = Backoff::default();
        assert_eq!(b.after(1, 429, None, 1.0), Retry::After(500));
        assert_eq!(b.after(2, 429, None, 1.0), Retry::After(1_000));
        assert_eq!(b.after(3, 429, None, 1.0), Retry::After(2_000));
        assert_eq!(b.after(3, 429, None, 0.25), Retry::After(500));
        assert_eq!(b.after(3, 429, None, 0.0), Retry::After(0));
        let long = Backoff {
            max_attempts: 100,
            ..Backoff::default()
        };
        assert_eq!(long.after(40, 503, None, 1.0), Retry::After(30_000));
    }

    #[test]
    fn attempts_run_out() {
        let b = Backoff::default();
        assert!(matches!(b.after(5, 429, None, 0.5), Retry::After(_)));
        assert_eq!(b.after(6, 429, None, 0.5), Retry::No);
        assert_eq!(b.after(6, 429, Some("1"), 0.5), Retry::No);
    }
}
