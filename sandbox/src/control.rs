//! Test control under `/sandbox/`, only with `--test-control`: reset the tenant, advance
//! the clock, change throttling, faults and latency, read the operation log, and list the
//! failed requests with the reason the audit log gives for each (`/sandbox/failures`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Duration;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::graph::{COLLECTIONS, MAX_PAGE_SIZE};
use crate::identity::Registration;
use crate::{Knobs, QuerySupport, RefusedFilter, Shared, build_tenant, clock::iso};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/sandbox/reset", post(reset))
        .route("/sandbox/clock", get(clock).post(advance))
        .route("/sandbox/settings", get(settings).post(change))
        .route("/sandbox/log", get(log).delete(clear_log))
        .route("/sandbox/registrations", post(register))
        .route("/sandbox/failures", get(failures))
}

fn bad(msg: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": msg.into() })),
    )
        .into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ResetBody {
    seed: Option<u64>,
    requests: Option<usize>,
}

/// A fresh tenant: data regenerated, clock and knobs back to the start options, log empty.
/// Keys stay, so tokens issued before remain valid.
async fn reset(State(s): State<Shared>, body: Option<Json<ResetBody>>) -> Response {
    let b = body.map(|Json(b)| b).unwrap_or_default();
    s.clock.reset();
    let seed = b.seed.unwrap_or(s.options.seed);
    let n = b.requests.unwrap_or(s.options.requests);
    let (data, _) = build_tenant(&s.tenant, seed, n, s.clock.now());
    *s.data.write().expect("data") = data;
    {
        let mut k = s.knobs.lock().expect("knobs");
        *k = Knobs::from_options(&s.options);
        k.tenant_seed = seed;
    }
    s.reseed_faults(seed);
    s.log.lock().expect("log").clear();
    s.auth.lock().expect("auth").forget_consents();
    *s.extra_registrations.lock().expect("registrations") = None;
    Json(json!({ "seed": seed, "requests": n })).into_response()
}

async fn clock(State(s): State<Shared>) -> Json<Value> {
    Json(json!({ "now": iso(s.clock.now()), "offsetSeconds": s.clock.offset().num_seconds() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Advance {
    seconds: i64,
}

async fn advance(State(s): State<Shared>, Json(a): Json<Advance>) -> Response {
    if a.seconds < 0 {
        return bad("the sandbox clock only moves forward");
    }
    s.clock.advance(Duration::seconds(a.seconds));
    clock(State(s)).await.into_response()
}

fn current(s: &Shared) -> Value {
    let k = s.knobs.lock().expect("knobs");
    json!({
        "latencyMs": k.latency_ms,
        "throttle": k.throttle.map(|(r, b)| format!("{r}/{b}")),
        "faultRate": k.fault_rate,
        "actThenFailRate": k.act_then_fail_rate,
        "actThenDropRate": k.act_then_drop_rate,
        "batchFaultRate": k.batch_fault_rate,
        "batchActThenFailRate": k.batch_act_then_fail_rate,
        "querySupport": k.query_support.name(),
        "actionDelayMs": k.action_delay_ms,
        "refuseFilters": k.refuse_filters,
        "pageSizes": k.page_sizes,
        "scopedListRefusal": k.scoped_list_refusal,
        "faultSeed": k.fault_seed,
        "accessTokenLifetimeSeconds": k.access_token_secs,
        "refreshTokenLifetimeSeconds": k.refresh_lifetime_secs,
        "adminConsent": k.admin_consent.name(),
    })
}

async fn settings(State(s): State<Shared>) -> Json<Value> {
    Json(current(&s))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Change {
    latency_ms: Option<u64>,
    /// "RATE/BURST", or null to turn throttling off.
    #[serde(default, deserialize_with = "double_option")]
    throttle: Option<Option<String>>,
    fault_rate: Option<f64>,
    act_then_fail_rate: Option<f64>,
    act_then_drop_rate: Option<f64>,
    batch_fault_rate: Option<f64>,
    batch_act_then_fail_rate: Option<f64>,
    query_support: Option<QuerySupport>,
    action_delay_ms: Option<u64>,
    refuse_filters: Option<Vec<RefusedFilter>>,
    /// Collection name → page size; replaces every earlier choice (`{}`: the defaults).
    page_sizes: Option<serde_json::Map<String, Value>>,
    /// 403 or 400: how a catalog-scoped caller's unnarrowed list is refused.
    scoped_list_refusal: Option<u16>,
    /// A seed for the fault generator, or null for the tenant's seed; either way the
    /// generator starts again.
    #[serde(default, deserialize_with = "double_option")]
    fault_seed: Option<Option<u64>>,
    access_token_lifetime_seconds: Option<i64>,
    refresh_token_lifetime_seconds: Option<i64>,
    /// `read` or `read-write`: what the tenant's administrator consented to for the app.
    admin_consent: Option<crate::AdminConsent>,
}

/// Tells a field sent as `null` (Some(None)) from one not sent (None).
fn double_option<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

async fn change(State(s): State<Shared>, Json(c): Json<Change>) -> Response {
    {
        let mut guard = s.knobs.lock().expect("knobs");
        let k = &mut *guard;
        if let Some(ms) = c.latency_ms {
            k.latency_ms = ms;
        }
        if let Some(t) = c.throttle {
            match t.map(|t| crate::parse_throttle(&t)).transpose() {
                Ok(t) => {
                    k.throttle = t;
                    k.bucket_tokens = t.map(|t| t.1).unwrap_or(0.0);
                    k.bucket_at = std::time::Instant::now();
                }
                Err(e) => return bad(e),
            }
        }
        for (name, value, slot) in [
            ("faultRate", c.fault_rate, &mut k.fault_rate),
            (
                "actThenFailRate",
                c.act_then_fail_rate,
                &mut k.act_then_fail_rate,
            ),
            (
                "actThenDropRate",
                c.act_then_drop_rate,
                &mut k.act_then_drop_rate,
            ),
            (
                "batchFaultRate",
                c.batch_fault_rate,
                &mut k.batch_fault_rate,
            ),
            (
                "batchActThenFailRate",
                c.batch_act_then_fail_rate,
                &mut k.batch_act_then_fail_rate,
            ),
        ] {
            if let Some(p) = value {
                if !(0.0..=1.0).contains(&p) {
                    return bad(format!("{name} is a probability between 0 and 1"));
                }
                *slot = p;
            }
        }
        if let Some(q) = c.query_support {
            k.query_support = q;
        }
        if let Some(ms) = c.action_delay_ms {
            if ms > crate::MAX_ACTION_DELAY_MS {
                return bad(format!(
                    "actionDelayMs is at most {} (a day)",
                    crate::MAX_ACTION_DELAY_MS
                ));
            }
            k.action_delay_ms = ms;
        }
        if let Some(list) = c.refuse_filters {
            for r in &list {
                if !matches!(r.version.as_str(), "v1.0" | "beta")
                    || r.collection.is_empty()
                    || r.property.is_empty()
                {
                    return bad(
                        "refuseFilters items are {\"version\": \"v1.0\"|\"beta\", \"collection\", \"property\"}",
                    );
                }
            }
            k.refuse_filters = list;
        }
        if let Some(map) = c.page_sizes {
            match page_sizes(map) {
                Ok(sizes) => k.page_sizes = sizes,
                Err(e) => return bad(e),
            }
        }
        if let Some(status) = c.scoped_list_refusal {
            if !matches!(status, 400 | 403) {
                return bad(format!("scopedListRefusal is 403 or 400, not {status}"));
            }
            k.scoped_list_refusal = status;
        }
        if let Some(seed) = c.fault_seed {
            k.fault_seed = seed;
            s.reseed_faults(seed.unwrap_or(k.tenant_seed));
        }
        if let Some(secs) = c.access_token_lifetime_seconds {
            k.access_token_secs = secs.max(1);
        }
        if let Some(secs) = c.refresh_token_lifetime_seconds {
            k.refresh_lifetime_secs = secs.max(1);
        }
        if let Some(consent) = c.admin_consent {
            k.admin_consent = consent;
        }
    }
    Json(current(&s)).into_response()
}

/// `pageSizes`: each key a collection name as in the URL, each value 1 to 1000.
fn page_sizes(
    map: serde_json::Map<String, Value>,
) -> Result<std::collections::BTreeMap<String, usize>, String> {
    let mut out = std::collections::BTreeMap::new();
    for (name, size) in map {
        if !COLLECTIONS.contains(&name.as_str()) {
            return Err(format!(
                "pageSizes: '{name}' is not a collection name; use one of {}",
                COLLECTIONS.join(", ")
            ));
        }
        let n = size
            .as_u64()
            .filter(|n| (1..=MAX_PAGE_SIZE as u64).contains(n))
            .ok_or_else(|| {
                format!("pageSizes: {name} is an integer from 1 to {MAX_PAGE_SIZE}, not {size}")
            })?;
        out.insert(name, n as usize);
    }
    Ok(out)
}

async fn log(State(s): State<Shared>) -> Json<Value> {
    Json(json!({ "value": s.log.lock().expect("log").clone() }))
}

async fn clear_log(State(s): State<Shared>) -> StatusCode {
    s.log.lock().expect("log").clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Registrations {
    redirect_uris: Vec<RegistrationBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistrationBody {
    uri: String,
    platform: String,
}

/// Replaces the app registration's redirect URIs (platform `spa` or `web`), to reproduce
/// errors such as AADSTS9002326.
async fn register(State(s): State<Shared>, Json(r): Json<Registrations>) -> Response {
    let mut out = Vec::new();
    for u in r.redirect_uris {
        let spa = match u.platform.as_str() {
            "spa" => true,
            "web" => false,
            other => return bad(format!("platform is spa or web, not {other}")),
        };
        out.push(Registration { uri: u.uri, spa });
    }
    *s.extra_registrations.lock().expect("registrations") = Some(out);
    Json(s.info()).into_response()
}

/// `GET /sandbox/failures`: every request that is now `deliveryFailed` or
/// `partiallyDelivered`, newest first, with the `resultReason` of its failure in the audit
/// log and whether a reprocess would fail again, so that an end-to-end test can pick a
/// failed request of each kind without reading the reason's words:
///
/// ```json
/// {"value": [{"requestId": "…", "state": "deliveryFailed",
///   "completedDateTime": "2026-11-20T10:00:00Z", "reprocessable": true,
///   "reason": "groupNotFound", "retryFailsAgain": true,
///   "resultReason": "The group 'Sales team members' was not found in the directory. …",
///   "resource": {"type": "group", "displayName": "Sales team members"}}]}
/// ```
///
/// `reason` is one of `groupNotFound`, `siteDeleted`, `servicePrincipalMissing` (a retry
/// fails again: a reprocess ends `deliveryFailed` with the same reason) or `groupTimeout`,
/// `siteThrottled`, `applicationUnavailable` (transient: a reprocess delivers).
/// `reprocessable`: completed at most 14 days ago on the sandbox clock, so Graph accepts a
/// reprocess. The same seed gives the same reasons.
async fn failures(State(s): State<Shared>) -> Json<Value> {
    let now = s.clock.now();
    if s.data.read().expect("data").has_pending() {
        s.data.write().expect("data").settle(now);
    }
    let d = s.data.read().expect("data");
    let value: Vec<Value> = d
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            matches!(
                r.state,
                crate::data::ReqState::DeliveryFailed | crate::data::ReqState::PartiallyDelivered
            )
        })
        .map(|(i, r)| {
            let reason = d.failure_reason(i);
            json!({
                "requestId": r.id,
                "state": r.state.v1(),
                "completedDateTime": r.completed.map(iso),
                "reprocessable": r.completed.is_some_and(|c| now - c <= Duration::days(14)),
                "reason": reason.name(),
                "retryFailsAgain": reason.retry_fails_again(),
                "resultReason": reason.text(r.package),
                "resource": {
                    "type": reason.resource_type(),
                    "displayName": reason.resource(r.package),
                },
            })
        })
        .collect();
    Json(json!({ "value": value }))
}
