//! The typed Microsoft Graph client: URLs for the configured cloud and version, bearer
//! tokens from [`crate::auth::Auth`], and Graph errors.

pub mod error;
pub mod models;
pub mod plan;
pub mod resources;
pub mod retry;

use gloo_net::http::Request;

use crate::auth::{Auth, AuthError, Permission};
pub use error::GraphError;

/// Why a Graph call did not give an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphFailure {
    Auth(AuthError),
    Graph(GraphError),
    Network(String),
    /// Graph's `@odata.nextLink` pointed somewhere other than the configured Graph: it was
    /// not followed (it would have carried the bearer token there).
    ForeignLink(String),
    /// An action whose answer was lost (503, 504, a network failure): Graph may or may not
    /// have acted. Never sent again blind: the caller reads the item to find out.
    Unsure {
        detail: String,
        request_id: Option<String>,
    },
}

/// GETs JSON with a bearer token. A 401 means the cached token is no longer accepted:
/// it is renewed once and the call repeated; 429, 503, 504 and network failures are
/// retried with backoff (a read is safe to repeat).
pub async fn get_json(auth: &Auth, url: &str) -> Result<serde_json::Value, GraphFailure> {
    let answer = send(auth, Method::Get, url, None).await?;
    serde_json::from_str(&answer.body).map_err(|e| GraphFailure::Network(e.to_string()))
}

/// Every item of a list, following `@odata.nextLink` page after page. A next link that
/// is not a page of `endpoint`'s Graph stops the read ([`GraphFailure::ForeignLink`]): it
/// would carry the bearer token elsewhere.
pub async fn get_all(
    auth: &Auth,
    endpoint: &resources::Endpoint,
    url: &str,
) -> Result<Vec<serde_json::Value>, GraphFailure> {
    Ok(pages(auth, endpoint, url, None).await?.0)
}

/// Every event of the audit log that names `target`, newest first, read with the audit
/// log's token (asked for at the first trail: [`AuthError::ConsentNeeded`] until the
/// admin allows it), and the Graph request-id of the first page, for support.
pub async fn audit_events(
    auth: &Auth,
    endpoint: &resources::Endpoint,
    target: &crate::ids::Guid,
) -> Result<(Vec<serde_json::Value>, Option<String>), GraphFailure> {
    let url = endpoint.audit_events(target, crate::audit::PAGE);
    pages(auth, endpoint, &url, Some(Permission::Audit)).await
}

/// The pages of a list from `url` on, read with the token of `permission` (None: the one
/// that reads), as [`get_all`] says, and the request-id of the first page.
async fn pages(
    auth: &Auth,
    endpoint: &resources::Endpoint,
    url: &str,
    permission: Option<Permission>,
) -> Result<(Vec<serde_json::Value>, Option<String>), GraphFailure> {
    let mut items = Vec::new();
    let mut first_id = None;
    let mut next = Some(url.to_string());
    while let Some(url) = next.take() {
        let answer = send_as(auth, Method::Get, permission, &url, None).await?;
        first_id = first_id.or(answer.request_id);
        let mut body: serde_json::Value =
            serde_json::from_str(&answer.body).map_err(|e| GraphFailure::Network(e.to_string()))?;
        next = body["@odata.nextLink"].as_str().map(str::to_string);
        if let Some(link) = next.as_ref().filter(|l| !endpoint.owns(l)) {
            return Err(GraphFailure::ForeignLink(link.clone()));
        }
        if let serde_json::Value::Array(page) = body["value"].take() {
            items.extend(page);
        }
    }
    Ok((items, first_id))
}

/// What Graph answered to a call that succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// The `request-id` header, for support (Graph exposes it to browsers).
    pub request_id: Option<String>,
    pub body: String,
}

/// POSTs an action (`reprocess`, `resume`) with an optional JSON body.
pub async fn post_action(
    auth: &Auth,
    url: &str,
    body: Option<&serde_json::Value>,
) -> Result<Response, GraphFailure> {
    send(auth, Method::Post, url, body.map(|b| b.to_string())).await
}

/// The HTTP methods the app uses. A GET reads and may be repeated; a POST acts and is
/// repeated only when Graph said it did not act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    /// A `$batch` of GETs: POSTed, but it acts on nothing, so it is repeated like a read
    /// and sent with the token that reads.
    PostReads,
}

/// What to do with an answer (or a network failure, `status` None) to attempt `attempt`
/// of a call with `method`, before a token renewal has been tried (`renewed` false).
/// Pure, so the never-resend-blind rule is tested natively.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// The answer stands (success, or an error to report).
    Done,
    /// Renew the access token and send again: Graph refused the token, so it did not act.
    Renew,
    /// Send again after this many milliseconds.
    Wait(u64),
    /// A POST whose answer does not say whether Graph acted (5xx, no answer at all):
    /// never sent again blind; the caller reconciles by reading.
    Unsure,
}

/// The send policy (see [`Next`]).
///
/// ```
/// use access_desk::graph::{Method, Next, next_step};
/// use access_desk::graph::retry::Backoff;
/// let b = Backoff::default();
/// assert_eq!(next_step(Method::Post, Some(504), 1, false, None, &b, 0.5), Next::Unsure);
/// assert_eq!(next_step(Method::Get, Some(504), 1, false, None, &b, 1.0), Next::Wait(500));
/// assert_eq!(next_step(Method::Post, Some(429), 1, false, Some("2"), &b, 0.5), Next::Wait(2_000));
/// ```
pub fn next_step(
    method: Method,
    status: Option<u16>,
    attempt: u32,
    renewed: bool,
    retry_after: Option<&str>,
    backoff: &retry::Backoff,
    jitter: f64,
) -> Next {
    match (method, status) {
        (_, Some(401)) if !renewed => Next::Renew,
        // A throttled call was not acted on, whatever its method.
        (_, Some(429)) => match backoff.after(attempt, 429, retry_after, jitter) {
            retry::Retry::After(ms) => Next::Wait(ms),
            retry::Retry::No => Next::Done,
        },
        // 5xx on an action says nothing about whether Graph acted.
        (Method::Post, Some(500..=599) | None) => Next::Unsure,
        (Method::Get | Method::PostReads, s) => {
            match backoff.after(attempt, s.unwrap_or(503), retry_after, jitter) {
                retry::Retry::After(ms) => Next::Wait(ms),
                retry::Retry::No => Next::Done,
            }
        }
        _ => Next::Done,
    }
}

/// One call with the app's policy ([`next_step`]): a bearer token from the cache (renewed
/// once on 401); reads retried on 429, 503, 504 and network failures; actions retried
/// only on 429 and reported [`GraphFailure::Unsure`] when the answer is lost.
///
/// Boxed: one copy of this state machine serves every caller.
pub fn send<'a>(
    auth: &'a Auth,
    method: Method,
    url: &'a str,
    body: Option<String>,
) -> futures::future::LocalBoxFuture<'a, Result<Response, GraphFailure>> {
    // Reads with the token that reads; actions (and `$batch`, which carries them) with
    // the one that acts, obtained at the first action.
    let permission = match method {
        Method::Get | Method::PostReads => None,
        Method::Post => Some(Permission::Act),
    };
    send_as(auth, method, permission, url, body)
}

/// [`send`] with the token of `permission` (None: the token that reads).
fn send_as<'a>(
    auth: &'a Auth,
    method: Method,
    permission: Option<Permission>,
    url: &'a str,
    body: Option<String>,
) -> futures::future::LocalBoxFuture<'a, Result<Response, GraphFailure>> {
    Box::pin(async move {
        let backoff = retry::Backoff::default();
        let mut renewed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let token = match permission {
                None => auth.acquire_token_silent().await,
                Some(p) => auth.acquire_token_for(p).await,
            }
            .map_err(GraphFailure::Auth)?;
            let builder = match method {
                Method::Post | Method::PostReads => Request::post(url),
                Method::Get => Request::get(url),
            }
            .header("Authorization", &format!("Bearer {token}"));
            let sent = match &body {
                Some(json) => {
                    builder
                        .header("Content-Type", "application/json")
                        .body(json.clone())
                        .map_err(|e| GraphFailure::Network(e.to_string()))?
                        .send()
                        .await
                }
                None => builder.send().await,
            };
            let resp = match sent {
                Ok(resp) => resp,
                Err(e) => match next_step(method, None, attempt, renewed, None, &backoff, jitter())
                {
                    Next::Wait(ms) => {
                        sleep_ms(ms).await;
                        continue;
                    }
                    Next::Unsure => {
                        return Err(GraphFailure::Unsure {
                            detail: e.to_string(),
                            request_id: None,
                        });
                    }
                    _ => return Err(GraphFailure::Network(e.to_string())),
                },
            };
            let status = resp.status();
            let request_id = resp.headers().get("request-id");
            let retry_after = resp.headers().get("retry-after");
            match next_step(
                method,
                Some(status),
                attempt,
                renewed,
                retry_after.as_deref(),
                &backoff,
                jitter(),
            ) {
                Next::Renew => {
                    auth.access_token_refused(&token);
                    renewed = true;
                    continue;
                }
                Next::Wait(ms) => {
                    sleep_ms(ms).await;
                    continue;
                }
                Next::Unsure => {
                    return Err(GraphFailure::Unsure {
                        detail: format!("HTTP {status}"),
                        request_id,
                    });
                }
                Next::Done => {}
            }
            let text = resp.text().await;
            if (200..300).contains(&status) {
                // A success whose body did not arrive whole is still a success for an
                // action (202/204 have none); a read needs its body.
                return match text {
                    Ok(body) => Ok(Response {
                        status,
                        request_id,
                        body,
                    }),
                    Err(e) if method != Method::Post => Err(GraphFailure::Network(e.to_string())),
                    Err(_) => Ok(Response {
                        status,
                        request_id,
                        body: String::new(),
                    }),
                };
            }
            let text = text.unwrap_or_default();
            return Err(GraphFailure::Graph(GraphError::from_response(
                status, &text, request_id,
            )));
        }
    })
}

fn jitter() -> f64 {
    js_sys::Math::random()
}

/// Resolves after `ms` milliseconds (setTimeout).
pub async fn sleep_ms(ms: u64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use retry::Backoff;

    fn step(method: Method, status: Option<u16>, attempt: u32, renewed: bool) -> Next {
        next_step(
            method,
            status,
            attempt,
            renewed,
            None,
            &Backoff::default(),
            1.0,
        )
    }

    #[test]
    fn an_action_is_sent_again_only_when_graph_said_it_did_not_act() {
        // 429 (throttled) and 401 (token refused, once): Graph did not act.
        assert_eq!(step(Method::Post, Some(429), 1, false), Next::Wait(500));
        assert_eq!(step(Method::Post, Some(401), 1, false), Next::Renew);
        assert_eq!(step(Method::Post, Some(401), 2, true), Next::Done);
        // Anything else that loses the answer is unsure, never a resend.
        for status in [Some(500), Some(502), Some(503), Some(504), None] {
            assert_eq!(
                step(Method::Post, status, 1, false),
                Next::Unsure,
                "{status:?}"
            );
        }
        for status in [200, 202, 204, 400, 403, 404, 409] {
            assert_eq!(
                step(Method::Post, Some(status), 1, false),
                Next::Done,
                "{status}"
            );
        }
        // Throttled until the attempts run out: then the 429 is the answer.
        assert_eq!(step(Method::Post, Some(429), 6, false), Next::Done);
    }

    #[test]
    fn a_read_is_repeated_on_any_transient_answer() {
        for status in [Some(429), Some(503), Some(504), None] {
            assert!(
                matches!(step(Method::Get, status, 1, false), Next::Wait(_)),
                "{status:?}"
            );
            assert_eq!(
                step(Method::Get, status, 6, false),
                Next::Done,
                "{status:?}"
            );
        }
        assert_eq!(step(Method::Get, Some(401), 1, false), Next::Renew);
        // A `$batch` of reads acts on nothing: repeated like a read.
        for status in [Some(503), Some(504), None] {
            assert!(
                matches!(step(Method::PostReads, status, 1, false), Next::Wait(_)),
                "{status:?}"
            );
        }
        assert_eq!(step(Method::Get, Some(500), 1, false), Next::Done);
        assert_eq!(step(Method::Get, Some(200), 1, false), Next::Done);
    }
}
