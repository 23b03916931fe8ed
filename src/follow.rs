//! Following an item after a single action, until Graph has run it and the item is at
//! rest. Graph queues both reprocess actions (202) and resume: a read right after the
//! answer may still show the item as it was, so "as before" means "not yet", never "done"
//! and never "not acted".
//!
//! ```
//! use access_desk::follow::{Follow, Seen};
//! use access_desk::rules::Verdict;
//! let mut f = Follow::default();
//! assert_eq!(f.read(Verdict::Untouched, true), Seen::Waiting); // queued, not run yet
//! assert_eq!(f.read(Verdict::Acted, false), Seen::Running); // delivering
//! assert_eq!(f.read(Verdict::Unclear, true), Seen::Settled); // delivered: it ran
//! ```

use crate::rules::Verdict;

/// How often an item is read while it is followed.
pub const EVERY_MS: u64 = 1_500;

/// Reads at most (about a minute), then the page says what it saw and stops.
pub const TIMES: u32 = 40;

/// What the reads have shown so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The item reads as before the action: Graph has not run it yet.
    Waiting,
    /// Graph ran it and the item is still moving (delivering).
    Running,
    /// Graph ran it and the item is at rest: following can stop.
    Settled,
}

/// What a follow remembers between reads: whether any read showed the action taking effect
/// (an assignment shows it only while it is delivering; once delivered again it reads as
/// before).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Follow {
    acted: bool,
}

impl Follow {
    /// One read: whether it shows the action took effect, and whether the item is at rest
    /// (not delivering).
    pub fn read(&mut self, verdict: Verdict, at_rest: bool) -> Seen {
        self.acted |= verdict == Verdict::Acted;
        match (self.acted, at_rest) {
            (false, _) => Seen::Waiting,
            (true, false) => Seen::Running,
            (true, true) => Seen::Settled,
        }
    }

    /// Whether a read has shown the action taking effect.
    pub fn acted(&self) -> bool {
        self.acted
    }
}

/// An item is at rest when it is not delivering (a reprocess) or, for a resume, whatever
/// its state: the callout it answered is what the verdict looks at.
pub fn at_rest_after_reprocess(state: &str) -> bool {
    !state.eq_ignore_ascii_case("delivering")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queued_reprocess_is_waited_for_then_followed_to_its_end() {
        let mut f = Follow::default();
        // Graph's queue has not run yet: the first reads show the request as before.
        for _ in 0..3 {
            assert_eq!(f.read(Verdict::Untouched, true), Seen::Waiting);
        }
        assert!(!f.acted());
        assert_eq!(f.read(Verdict::Acted, false), Seen::Running);
        assert_eq!(f.read(Verdict::Acted, false), Seen::Running);
        assert_eq!(f.read(Verdict::Acted, true), Seen::Settled);
        assert!(f.acted());
    }

    #[test]
    fn an_assignment_that_was_seen_delivering_is_done_once_delivered_again() {
        let mut f = Follow::default();
        // Delivered, as before the action: cannot tell, so keep waiting.
        assert_eq!(f.read(Verdict::Unclear, true), Seen::Waiting);
        assert_eq!(f.read(Verdict::Acted, false), Seen::Running);
        // Delivered again: unclear on its own, settled after delivering was seen.
        assert_eq!(f.read(Verdict::Unclear, true), Seen::Settled);
    }

    #[test]
    fn only_delivering_is_not_at_rest() {
        assert!(!at_rest_after_reprocess("delivering"));
        assert!(!at_rest_after_reprocess("Delivering"));
        for state in [
            "delivered",
            "deliveryFailed",
            "partiallyDelivered",
            "Delivered",
        ] {
            assert!(at_rest_after_reprocess(state), "{state}");
        }
    }
}
