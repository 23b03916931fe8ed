//! The typed Microsoft Graph client: URLs for the configured cloud and version, bearer
//! tokens from [`crate::auth::Auth`], and Graph errors.

pub mod error;
pub mod models;
pub mod plan;
pub mod resources;
pub mod retry;

use gloo_net::http::Request;

use crate::auth::{Auth, AuthError};
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
}

/// GETs JSON with a bearer token. A 401 means the cached token is no longer accepted:
/// it is renewed once and the call repeated; 429, 503 and 504 are retried with backoff.
pub async fn get_json(auth: &Auth, url: &str) -> Result<serde_json::Value, GraphFailure> {
    let answer = send(auth, "GET", url, None).await?;
    serde_json::from_str(&answer.body).map_err(|e| GraphFailure::Network(e.to_string()))
}

/// What Graph answered to a call that succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
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
) -> Result<Answer, GraphFailure> {
    send(auth, "POST", url, body.map(|b| b.to_string())).await
}

/// One call with the app's policy: a bearer token from the cache (renewed once on 401),
/// and transient answers (429, 503, 504) or network failures retried per
/// [`retry::Backoff`]. Any other non-2xx answer is a [`GraphError`].
///
/// Boxed: one copy of this state machine serves every caller.
pub fn send<'a>(
    auth: &'a Auth,
    method: &'static str,
    url: &'a str,
    body: Option<String>,
) -> futures::future::LocalBoxFuture<'a, Result<Answer, GraphFailure>> {
    Box::pin(async move {
        let backoff = retry::Backoff::default();
        let mut renewed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let token = auth
                .acquire_token_silent()
                .await
                .map_err(GraphFailure::Auth)?;
            let builder = match method {
                "POST" => Request::post(url),
                _ => Request::get(url),
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
                // A network failure: a read is repeated. An action is not: it may have
                // reached Graph, and the admin is told instead of it being sent twice.
                Err(e) => match backoff.after(attempt, 503, None, jitter()) {
                    retry::Retry::After(ms) if method == "GET" => {
                        sleep_ms(ms).await;
                        continue;
                    }
                    _ => return Err(GraphFailure::Network(e.to_string())),
                },
            };
            let status = resp.status();
            if status == 401 && !renewed {
                auth.invalidate_access_token();
                renewed = true;
                continue;
            }
            let request_id = resp.headers().get("request-id");
            if let retry::Retry::After(ms) = backoff.after(
                attempt,
                status,
                resp.headers().get("retry-after").as_deref(),
                jitter(),
            ) {
                sleep_ms(ms).await;
                continue;
            }
            let text = resp
                .text()
                .await
                .map_err(|e| GraphFailure::Network(e.to_string()))?;
            if (200..300).contains(&status) {
                return Ok(Answer {
                    status,
                    request_id,
                    body: text,
                });
            }
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
