//! What Graph answered for one item (to its action, to a read), where an item ended, and
//! the items of a plan.

use serde_json::Value;

use crate::ids::ObjectId;

/// What Graph answered for one item of an action batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx: Graph accepted the action.
    Accepted { request_id: Option<String> },
    /// 429 for this item: not acted on; may be sent again after the wait.
    Throttled { retry_after: Option<u64> },
    /// 401: the token expired mid-run; renew it and send the item again.
    Unauthorized,
    /// Any other 4xx: Graph refused, with its code and message.
    Refused {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// 503, 504, a network failure, an item missing from the reply: Graph may or may not
    /// have acted. The item is read before anything else happens to it.
    Unsure {
        why: String,
        request_id: Option<String>,
    },
}

/// What a read of an item (to reconcile it) gave.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadOutcome {
    /// The item's JSON.
    Item(Value),
    /// 429 (`throttled`), 503, 504 or a lost answer: read it again later (reads are safe
    /// to repeat).
    Again {
        retry_after: Option<u64>,
        throttled: bool,
    },
    /// 401: the token expired; read again once it is renewed.
    Unauthorized,
    /// Any other answer (404, 403…).
    Failed {
        detail: String,
        request_id: Option<String>,
    },
}

/// Where an item ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Final {
    Accepted {
        request_id: Option<String>,
    },
    /// The answer was lost, and a read shows the action took effect.
    Verified {
        detail: String,
        request_id: Option<String>,
    },
    /// The answer was lost and no read showed the action taking effect: Graph may still
    /// act (it queues reprocesses), so it is not sent again.
    AnswerLost {
        detail: String,
        request_id: Option<String>,
    },
    Failed {
        detail: String,
        request_id: Option<String>,
    },
    /// Not sent: the rules refused it (their sentence), or the run was cancelled.
    Skipped(String),
}

/// An item's state and completion before the run, as its row showed them: what a read is
/// compared with to tell whether the action took effect.
pub use crate::rules::Standing as Before;

/// One item of a plan: its id, what the report calls it, how it stood, and the rules'
/// reason when it is skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Planned {
    pub id: ObjectId,
    pub label: String,
    pub before: Before,
    pub skip: Option<String>,
}
