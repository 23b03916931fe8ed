//! Microsoft Graph entitlement management under `/v1.0` and `/beta`.
//!
//! Every call, direct or inside `$batch`, goes through [`execute`]: latency, bearer-token
//! validation, throttling, injected faults, the handler, and the operation log. Errors
//! always have the Graph shape with `innerError` date, request-id and client-request-id.

mod audit;
pub mod batch;
mod compress;
mod expand;
mod filter_syntax;
mod handlers;
pub mod odata;
pub mod query_table;
pub mod render;

use axum::body::Bytes;
use axum::extract::{Extension, OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::accounts::Role;
use crate::clock::iso;
use crate::serve::Dropper;
use crate::{Shared, cloud};
pub use render::Version;

/// Headers Graph lets browser code read. Retry-After is not among them (see
/// shared/reference: browsers often cannot read it and must back off on their own).
pub const EXPOSED_HEADERS: &str = "ETag, Location, Preference-Applied, Content-Range, request-id, client-request-id, ReadWriteConsistencyToken, SdkVersion, WWW-Authenticate, x-ms-client-gcc-tenant";

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1.0/$batch", post(batch::http).options(preflight))
        .route("/beta/$batch", post(batch::http).options(preflight))
        .route("/v1.0/{*rest}", any(http))
        .route("/beta/{*rest}", any(http))
        .layer(axum::middleware::from_fn(compress::gzip))
}

/// Every collection name the sandbox serves under `entitlementManagement`, in some version
/// and cloud, and the audit log's `directoryAudits` (test control's `pageSizes` keys).
pub const COLLECTIONS: &[&str] = &[
    "assignmentRequests",
    "accessPackageAssignmentRequests",
    "assignments",
    "accessPackageAssignments",
    "accessPackages",
    "catalogs",
    "accessPackageCatalogs",
    "assignmentPolicies",
    "accessPackageAssignmentPolicies",
    audit::COLLECTION,
];

/// The page size `pageSizes` may set: 1 to 1000 items.
pub const MAX_PAGE_SIZE: usize = 1000;

/// A Graph call, from HTTP or from a `$batch` item.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: Method,
    pub version: Version,
    /// The path after the version, without a leading slash.
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub via_batch: bool,
    /// The request-id of the `$batch` call that carried this one.
    pub batch_request_id: Option<String>,
}

/// What a handler answers.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub headers: Vec<(&'static str, String)>,
    /// For an accepted action: when it takes effect on the sandbox clock.
    pub effect: Option<Effect>,
}

/// When an accepted action takes effect: `delay_ms` after it was accepted, at `at`.
#[derive(Clone, Copy, Debug)]
pub struct Effect {
    pub at: chrono::DateTime<chrono::Utc>,
    pub delay_ms: i64,
}

impl Reply {
    pub fn json(body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: Some(body),
            headers: Vec::new(),
            effect: None,
        }
    }

    pub fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            body: None,
            headers: Vec::new(),
            effect: None,
        }
    }
}

/// A Graph error: status, `code` (what clients branch on) and message.
#[derive(Debug)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
    pub www_authenticate: bool,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> GraphError {
        GraphError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            www_authenticate: false,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// What the service answers for a query it does not support (docs-contrib issues 8922,
    /// 5655): `OData query is invalid: Filter '<property> <Operator> <value>' is not
    /// supported.` The property comes first, so a client can tell which clause was refused.
    pub fn invalid_filter(clause: &str) -> GraphError {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "InvalidFilter",
            format!(
                "OData query is invalid: Filter '{}' is not supported.",
                truncate(clause)
            ),
        )
    }

    /// An `$expand` the documents do not give for this read, in the same shape.
    pub fn invalid_expand(item: &str) -> GraphError {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "InvalidFilter",
            format!(
                "OData query is invalid: Expand '{}' is not supported.",
                truncate(item)
            ),
        )
    }

    pub fn unsupported(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    pub fn forbidden(message: impl Into<String>) -> GraphError {
        GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            message,
        )
    }

    pub fn not_found(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::NOT_FOUND, "ResourceNotFound", message)
    }

    pub fn segment(seg: &str) -> GraphError {
        GraphError::bad_request(format!(
            "Resource not found for the segment '{}'.",
            truncate(seg)
        ))
    }

    /// How Graph answers a resume whose callback does not fit the waiting request
    /// (docs-contrib issue 8687): `UnknownError` with an empty message.
    pub fn unknown_resume_failure() -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "UnknownError", "")
    }

    /// The injected "acted, then timed out" answer.
    pub fn gateway_timeout() -> GraphError {
        GraphError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "GatewayTimeout",
            "The gateway timed out.",
        )
    }

    fn unauthorized(message: impl Into<String>) -> GraphError {
        GraphError {
            www_authenticate: true,
            ..GraphError::new(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                message,
            )
        }
    }
}

/// Keeps reflected input short in messages.
pub fn truncate(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The signed-in caller of a Graph call.
#[derive(Clone, Debug)]
pub struct Caller {
    pub oid: String,
    pub upn: String,
    pub role: Role,
    pub scopes: Vec<String>,
    /// The account holds a role that reads the audit log (`accounts::AUDIT_LOG_ROLES`).
    pub can_read_audit_log: bool,
}

impl Caller {
    pub fn can_write(&self) -> bool {
        self.scopes
            .iter()
            .any(|s| s == "EntitlementManagement.ReadWrite.All")
    }

    pub fn can_read(&self) -> bool {
        self.can_write()
            || self
                .scopes
                .iter()
                .any(|s| s == "EntitlementManagement.Read.All")
    }
}

/// A finished call: the reply plus the ids every response carries.
pub struct Outcome {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub headers: Vec<(&'static str, String)>,
    pub request_id: String,
    pub client_request_id: Option<String>,
    /// The action was performed and the connection is to be dropped without an answer.
    pub drop: bool,
    /// The operation-log entry of a POST, written by whoever knows the final answer (the
    /// direct handler, or `$batch` once the whole call's fate is known).
    pub log: Option<Value>,
}

impl Outcome {
    pub fn into_response(self) -> Response {
        let mut resp = match &self.body {
            Some(b) => (self.status, Json(b.clone())).into_response(),
            None => self.status.into_response(),
        };
        let h = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&self.request_id) {
            h.insert("request-id", v);
        }
        if let Some(c) = self
            .client_request_id
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
        {
            h.insert("client-request-id", c);
        }
        for (k, v) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.insert(*k, v);
            }
        }
        cors(h);
        resp
    }
}

/// Graph's CORS: any origin may call with a bearer token; the listed headers are readable.
pub fn cors(h: &mut HeaderMap) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
}

pub async fn preflight(headers: HeaderMap) -> Response {
    let mut resp = StatusCode::OK.into_response();
    let h = resp.headers_mut();
    cors(h);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS"),
    );
    let requested = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static("authorization, content-type"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested);
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("3600"),
    );
    resp
}

async fn http(
    State(s): State<Shared>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    dropper: Option<Extension<Dropper>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method == Method::OPTIONS {
        return preflight(headers).await;
    }
    let path = uri.path();
    let (version, rest) = if let Some(r) = path.strip_prefix("/v1.0/") {
        (Version::V1, r)
    } else if let Some(r) = path.strip_prefix("/beta/") {
        (Version::Beta, r)
    } else {
        unreachable!("routed by version")
    };
    let call = Call {
        method,
        version,
        path: rest.to_string(),
        query: uri.query().unwrap_or("").to_string(),
        headers,
        body,
        via_batch: false,
        batch_request_id: None,
    };
    let mut out = execute(&s, call).await;
    if let Some(entry) = out.log.take() {
        s.log_write(entry);
    }
    if out.drop {
        drop_connection(dropper).await
    } else {
        out.into_response()
    }
}

/// Breaks the connection instead of answering (see `crate::serve`). Served by another
/// accept loop, the router cannot do that: it answers 500 and says so.
pub async fn drop_connection(dropper: Option<Extension<Dropper>>) -> Response {
    match dropper {
        Some(Extension(d)) => {
            d.break_answer();
            StatusCode::OK.into_response()
        }
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "entra-sandbox: this connection should have been dropped (served outside entra_sandbox::serve)",
        )
            .into_response(),
    }
}

/// Runs one Graph call through the whole pipeline, after the added latency.
pub async fn execute(s: &Shared, call: Call) -> Outcome {
    wait_latency(s).await;
    execute_now(s, call)
}

/// The added latency of a Graph call (`latencyMs`).
pub async fn wait_latency(s: &Shared) {
    let latency = s.knobs.lock().expect("knobs").latency_ms;
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
}

/// The pipeline without the latency: authentication, throttling, faults, the handler and
/// the log entry. Synchronous, so that the calls of a `$batch` draw from the fault
/// generator in a fixed order.
pub fn execute_now(s: &Shared, call: Call) -> Outcome {
    let request_id = s.new_guid();
    let client_request_id = call
        .headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let caller = authenticate(s, &call.headers);
    // A throttled or injected failure before the handler runs: nothing acted.
    let mut before: Option<u16> = None;
    let mut result = match &caller {
        Err(e) => Err(GraphError {
            status: e.status,
            code: e.code,
            message: e.message.clone(),
            retry_after: None,
            www_authenticate: e.www_authenticate,
        }),
        Ok(c) => match s.admit() {
            Err(e) => {
                before = Some(e.status.as_u16());
                Err(e)
            }
            Ok(()) => handlers::route(s, c, &call),
        },
    };
    let is_post = call.method == Method::POST;
    let real_status = match (&before, &result) {
        (Some(_), _) => None,
        (None, Ok(r)) => Some(r.status.as_u16()),
        (None, Err(e)) => Some(e.status.as_u16()),
    };
    // A POST that succeeded was accepted (reprocess, resume): it acted, or will act at
    // `effective_at` (the action delay).
    let acted = is_post && matches!(&result, Ok(r) if r.status.is_success());
    let effect = match &result {
        Ok(r) if acted => r.effect,
        _ => None,
    };
    let mut answered = match before {
        Some(st) => format!("{st}-before"),
        None => "real".to_string(),
    };
    let mut drop = false;
    if acted {
        let (drop_rate, fail_rate) = {
            let k = s.knobs.lock().expect("knobs");
            (k.act_then_drop_rate, k.act_then_fail_rate)
        };
        if !call.via_batch && s.roll(drop_rate) {
            drop = true;
            answered = "dropped".into();
        } else if s.roll(fail_rate) {
            result = Err(GraphError::gateway_timeout());
            answered = "504-after-acting".into();
        }
    }
    let now = s.clock.now();
    let (status, body, mut headers, code) = match result {
        Ok(r) => (r.status, r.body, r.headers, None),
        Err(e) => {
            let mut headers = Vec::new();
            if let Some(secs) = e.retry_after {
                headers.push(("retry-after", secs.to_string()));
            }
            if e.www_authenticate {
                headers.push((
                    "www-authenticate",
                    format!(
                        "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                        s.issuer_origin
                    ),
                ));
            }
            let body = error_body(
                e.code,
                &e.message,
                now,
                &request_id,
                client_request_id.as_deref(),
            );
            (e.status, Some(body), headers, Some(e.code))
        }
    };
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        headers.push(("cache-control", "no-store".into()));
    }
    let log = is_post.then(|| {
        json!({
            "kind": "action",
            "time": iso(now),
            "caller": caller.as_ref().ok().map(|c| json!({ "id": c.oid, "username": c.upn })),
            "method": "POST",
            "version": call.version.path(),
            "path": call.path,
            "action": call.path.rsplit('/').next(),
            "target": call.path.split('/').nth(3),
            "acted": acted,
            "effectiveAt": effect.map(|e| e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            "delayMs": effect.map(|e| e.delay_ms),
            "status": if drop { Value::Null } else { json!(status.as_u16()) },
            "answered": answered,
            "realStatus": real_status,
            "outcome": if acted { "accepted" } else { "refused" },
            "code": if drop { None } else { code },
            "requestId": request_id,
            "clientRequestId": client_request_id,
            "viaBatch": call.via_batch,
            "batchRequestId": call.batch_request_id,
        })
    });
    Outcome {
        status,
        body,
        headers,
        request_id,
        client_request_id,
        drop,
        log,
    }
}

/// The Graph error body: `code`, `message`, and `innerError` with date and ids.
pub fn error_body(
    code: &str,
    message: &str,
    now: chrono::DateTime<chrono::Utc>,
    request_id: &str,
    client_request_id: Option<&str>,
) -> Value {
    json!({ "error": {
        "code": code,
        "message": message,
        "innerError": {
            "date": iso(now),
            "request-id": request_id,
            "client-request-id": client_request_id.unwrap_or(request_id),
        },
    }})
}

/// Validates the bearer token: signature, issuer, audience (the cloud's Graph), expiry on
/// the sandbox clock.
fn authenticate(s: &Shared, headers: &HeaderMap) -> Result<Caller, GraphError> {
    let raw = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let token = raw
        .strip_prefix("Bearer ")
        .or_else(|| raw.strip_prefix("bearer "))
        .unwrap_or("")
        .trim();
    if token.is_empty() {
        return Err(GraphError::unauthorized("Access token is empty."));
    }
    let claims = s.keys.verify(token).map_err(|_| {
        GraphError::unauthorized(
            "Access token validation failure. Invalid signature or malformed token.",
        )
    })?;
    if claims["iss"] != json!(s.issuer()) {
        return Err(GraphError::unauthorized(
            "Access token validation failure. Invalid issuer.",
        ));
    }
    let aud = claims["aud"].as_str().unwrap_or("");
    if !cloud::graph_audiences(s.options.cloud).contains(&aud) {
        return Err(GraphError::unauthorized(
            "Access token validation failure. Invalid audience.",
        ));
    }
    let exp = claims["exp"].as_i64().unwrap_or(0);
    if exp <= s.clock.now().timestamp() {
        return Err(GraphError::unauthorized(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    let oid = claims["oid"].as_str().unwrap_or("").to_string();
    let account = s.accounts.iter().find(|a| a.oid == oid).ok_or_else(|| {
        GraphError::unauthorized("Access token validation failure. Unknown subject.")
    })?;
    Ok(Caller {
        oid,
        upn: account.username.clone(),
        role: account.role.clone(),
        can_read_audit_log: account.can_read_audit_log(),
        scopes: claims["scp"]
            .as_str()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    })
}
