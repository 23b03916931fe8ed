//! How a run reaches Graph ([`Transport`]) and where it lives while it is driven
//! ([`RunCell`]).

use serde_json::Value;

use super::Run;

/// What became of a whole `$batch` call, as the transport reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum BatchAnswer {
    /// Graph answered the batch (2xx): its reply, and the call's `request-id` header.
    Reply {
        body: Value,
        request_id: Option<String>,
    },
    /// Refused as a whole (4xx other than 429 and 401): nothing in it ran.
    Refused {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// No usable answer (503, 504, network failure, unreadable reply): any item may have
    /// been acted on.
    Lost {
        why: String,
        request_id: Option<String>,
    },
    /// Signing in again needs the admin (the refresh token has expired): the run pauses.
    SignInNeeded,
}

/// How a run reaches Graph. The browser's is fetch with the app's token handling
/// (renewal on 401, the whole call retried only after a 429); `cargo xtask bench bulk`'s
/// is reqwest.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// POSTs the `$batch` `body`.
    async fn batch(&self, body: String) -> BatchAnswer;
    /// The access token was refused mid-run: the next call must renew it.
    fn token_refused(&self);
    /// Milliseconds since the run started.
    fn now_ms(&self) -> u64;
    async fn sleep(&self, ms: u64);
}

/// Where the run lives while it is driven: a signal in the browser (so the page redraws),
/// a cell natively.
pub trait RunCell {
    fn change<R>(&self, f: impl FnOnce(&mut Run) -> R) -> R;
    fn look<R>(&self, f: impl FnOnce(&Run) -> R) -> R;
}

impl RunCell for std::cell::RefCell<Run> {
    fn change<R>(&self, f: impl FnOnce(&mut Run) -> R) -> R {
        f(&mut self.borrow_mut())
    }

    fn look<R>(&self, f: impl FnOnce(&Run) -> R) -> R {
        f(&self.borrow())
    }
}
