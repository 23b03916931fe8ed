//! Bulk reprocess, all of it but the transport: which items go, how they are packed into
//! JSON `$batch` calls of at most 20, what each answer means, when an item goes again,
//! how the run paces itself to Graph's throttle, and how an item whose answer was lost is
//! reconciled by reading it. [`drive`] runs a [`Run`] over any [`Transport`]: the browser
//! (`components::bulk`) and `cargo xtask bench bulk` run this same driver.
//!
//! Never resend blind: an item is sent again only when Graph said it did not act on it
//! (429 for that item, after its Retry-After, or 401 before a token renewal). Any other
//! answer that might hide an action (503, 504, a network failure, an item missing from the
//! reply, a whole `$batch` lost) makes the item *unsure*, and it is never sent again:
//! reprocess is asynchronous (202), Graph queues it and acts later, so a read that still
//! shows the old state may have been taken before Graph's queue ran. The item is read up
//! to six times over about 16 s: a read that shows the reprocess took effect makes it
//! *verified*; otherwise it ends *answer lost*, with the request-id to give support. This
//! keeps at most one reprocess per item under any queue delay: it relies on no bound.
//!
//! ```
//! use access_desk::bulk::{Outcome, Run, Work};
//! use access_desk::ids::Guid;
//! let a = Guid::parse("0e60f18c-b2a0-4887-9da8-da2e30a39d99").unwrap();
//! let b = Guid::parse("d82eb508-acc4-43cc-bcf1-7c1c4a2c073b").unwrap();
//! let mut run = Run::new(vec![a.clone(), b.clone()]);
//! let Some(Work::Send(batch)) = run.next_work(0) else { panic!() };
//! assert_eq!(batch, [a.clone(), b.clone()]);
//! run.record_sent(0, vec![
//!     (a, Outcome::Accepted { request_id: None }),
//!     (b.clone(), Outcome::Throttled { retry_after: Some(1) }),
//! ], 20);
//! assert!(run.next_work(500).is_none()); // b waits its second
//! assert_eq!(run.next_work(1_020), Some(Work::Send(vec![b])));
//! ```
//!
//! One file per concern: `outcome` (what Graph answered, where an item ended, the plan),
//! `run` (the state machine), `pacer` (the pace), `wire` (the `$batch` body and replies),
//! `transport` (how a run reaches Graph), `driver` ([`drive`]) and `report` (the CSV).

mod driver;
mod outcome;
mod pacer;
mod report;
mod run;
#[cfg(test)]
mod test_support;
mod transport;
pub(crate) mod wire;

pub use driver::{Ended, Paths, drive};
pub use outcome::{Before, Final, Outcome, Planned, ReadOutcome};
pub use run::{MAX_THROTTLED, Progress, Run, SETTLE_MS, Work};
pub use transport::{BatchAnswer, RunCell, Transport};
pub use wire::{batch_body, read_action_batch, read_item_batch};

/// Items per JSON batch: Graph's limit.
pub const BATCH_SIZE: usize = 20;

/// `$batch` calls a run keeps in flight at most.
pub const CONCURRENCY: usize = 4;
