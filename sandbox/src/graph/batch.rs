//! JSON `$batch`: up to 20 requests, each run through the same pipeline as a direct call
//! (so each is authenticated, throttled and logged on its own), answered by id.

use axum::body::Bytes;
use axum::extract::{Extension, OriginalUri, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Call, GraphError, Outcome, Version, drop_connection, error_body, execute_now};
use crate::Shared;
use crate::serve::Dropper;

pub const MAX_REQUESTS: usize = 20;

pub async fn http(
    State(s): State<Shared>,
    OriginalUri(uri): OriginalUri,
    dropper: Option<Extension<Dropper>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let version = if uri.path().starts_with("/beta/") {
        Version::Beta
    } else {
        Version::V1
    };
    let request_id = s.new_guid();
    let client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let answer = |status: StatusCode, body: Value, headers: Vec<(&'static str, String)>| {
        Outcome {
            status,
            body: Some(body),
            headers,
            request_id: request_id.clone(),
            client_request_id: client_request_id.clone(),
            drop: false,
            log: None,
        }
        .into_response()
    };
    let error = |e: GraphError| {
        error_body(
            e.code,
            &e.message,
            s.clock.now(),
            &request_id,
            client_request_id.as_deref(),
        )
    };
    // The log entry of the $batch call itself; its items carry its request-id.
    let entry = |items: usize, ran: usize, acted: bool, status: Option<u16>, answered: &str| {
        json!({
            "kind": "batch",
            "time": crate::clock::iso(s.clock.now()),
            "caller": null,
            "method": "POST",
            "version": version.path(),
            "path": "$batch",
            "action": "$batch",
            "target": null,
            "acted": acted,
            "status": status,
            "answered": answered,
            "realStatus": null,
            "requestId": request_id,
            "clientRequestId": client_request_id,
            "viaBatch": false,
            "batchRequestId": null,
            "items": items,
            "ran": ran,
        })
    };
    let items = match parse(version, &headers, &body) {
        Ok(items) => items,
        Err(e) => {
            s.log_write(entry(0, 0, false, Some(e.status.as_u16()), "real"));
            return answer(e.status, error(e), Vec::new());
        }
    };
    let n = items.len();
    let (fault_rate, act_fail_rate, drop_rate) = {
        let k = s.knobs.lock().expect("knobs");
        (
            k.batch_fault_rate,
            k.batch_act_then_fail_rate,
            k.act_then_drop_rate,
        )
    };
    // The whole call fails before any item runs: nothing acted.
    if s.roll(fault_rate) {
        s.log_write(entry(n, 0, false, Some(503), "503-before"));
        let e = GraphError {
            retry_after: Some(1),
            ..GraphError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The service is temporarily unavailable. Retry later.",
            )
        };
        return answer(
            e.status,
            error(e),
            vec![
                ("retry-after", "1".into()),
                ("cache-control", "no-store".into()),
            ],
        );
    }
    // The whole call runs a non-empty prefix of its items, then times out.
    let prefix = s
        .roll(act_fail_rate)
        .then(|| 1 + s.fault_below(n as u64) as usize);
    let to_run = match prefix {
        Some(k) => runnable_prefix(items, k),
        None => items,
    };
    let ran = to_run.len();
    let (responses, mut entries) = run(&s, version, to_run, &request_id).await;
    let acted = entries.iter().any(|e| e["acted"] == true);
    let mut finish = |told: Option<u16>, answered: &str, batch_answer: &str| {
        for e in &mut entries {
            if told.is_none_or(|t| t != 200) {
                // The client never saw the item's own answer.
                e["status"] = Value::Null;
                e["code"] = Value::Null;
                e["answered"] = json!(answered);
            }
            s.log_write(std::mem::take(e));
        }
        s.log_write(entry(n, ran, acted, told, batch_answer));
    };
    if prefix.is_some() {
        finish(Some(504), "batch-504-after-acting", "504-after-acting");
        return answer(
            StatusCode::GATEWAY_TIMEOUT,
            error(GraphError::gateway_timeout()),
            vec![("cache-control", "no-store".into())],
        );
    }
    if s.roll(drop_rate) {
        finish(None, "dropped", "dropped");
        return drop_connection(dropper).await;
    }
    finish(Some(200), "real", "real");
    answer(
        StatusCode::OK,
        json!({ "responses": responses }),
        Vec::new(),
    )
}

/// The first `k` items in request order, without those whose dependencies are not among
/// them (they could not run).
fn runnable_prefix(items: Vec<Item>, k: usize) -> Vec<Item> {
    let mut kept: Vec<Item> = items.into_iter().take(k).collect();
    loop {
        let ids: Vec<String> = kept.iter().map(|i| i.id.clone()).collect();
        let before = kept.len();
        kept.retain(|i| i.depends_on.iter().all(|d| ids.contains(d)));
        if kept.len() == before {
            return kept;
        }
    }
}

struct Item {
    id: String,
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Bytes,
    depends_on: Vec<String>,
}

/// Graph's answer to a write item (POST, PUT, PATCH) without a body or without its own
/// Content-Type header: the whole batch is refused before any item runs (JSON batching
/// docs; microsoftgraph/msgraph-sdk-dotnet#2628; shared/reference/graph-metadata.md). An
/// action that takes no body is sent with `"body": {}`.
fn write_without_body(id: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Write request id : {id} does not contain Content-Type header or body."
    ))
}

fn parse(version: Version, outer: &HeaderMap, body: &[u8]) -> Result<Vec<Item>, GraphError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| GraphError::bad_request(format!("The batch body is not valid JSON: {e}.")))?;
    let list = v
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| GraphError::bad_request("A batch body is {\"requests\": [ … ]}."))?;
    if list.is_empty() {
        return Err(GraphError::bad_request("The batch has no requests."));
    }
    if list.len() > MAX_REQUESTS {
        // The service's words (microsoftgraph-postman-collections#9).
        return Err(GraphError::bad_request(
            "Number of requests inside batch exceeds the limit.",
        ));
    }
    let mut items = Vec::new();
    for r in list {
        let id = match &r["id"] {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(GraphError::bad_request("Every batch request needs an id.")),
        };
        // Ids are "not case-sensitive" (JSON batching docs); the service names the later one
        // (microsoft-graph-docs#4449, msgraph-sdk-java#559).
        if items.iter().any(|i: &Item| i.id.eq_ignore_ascii_case(&id)) {
            return Err(GraphError::bad_request(format!(
                "Request Id {id} has to be unique in a batch."
            )));
        }
        let method = r["method"]
            .as_str()
            .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
            .ok_or_else(|| {
                GraphError::bad_request(format!("Batch request '{id}' has no valid method."))
            })?;
        let url = r["url"]
            .as_str()
            .ok_or_else(|| GraphError::bad_request(format!("Batch request '{id}' has no url.")))?;
        if url.starts_with("http") {
            return Err(GraphError::bad_request(format!(
                "Batch request '{id}': the url is relative to /{}, not absolute.",
                version.path()
            )));
        }
        let url = url.trim_start_matches('/');
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        // Items inherit the outer request's authorization and client-request-id.
        let mut headers = HeaderMap::new();
        for (k, val) in outer {
            if k == "authorization" {
                headers.insert(k.clone(), val.clone());
            }
        }
        if let Some(h) = r["headers"].as_object() {
            for (k, val) in h {
                if let (Ok(k), Some(Ok(val))) = (
                    HeaderName::from_bytes(k.as_bytes()),
                    val.as_str().map(HeaderValue::from_str),
                ) {
                    headers.insert(k, val);
                }
            }
        }
        // The item's own headers, not the outer call's: `headers` so far holds only the
        // inherited authorization.
        let own_content_type = r["headers"]
            .as_object()
            .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("content-type")));
        let is_write = [Method::POST, Method::PUT, Method::PATCH].contains(&method);
        let body = match &r["body"] {
            Value::Null if is_write => return Err(write_without_body(&id)),
            Value::Null => Bytes::new(),
            _ if is_write && !own_content_type => return Err(write_without_body(&id)),
            b => {
                if !own_content_type {
                    return Err(GraphError::bad_request(format!(
                        "Batch request '{id}' has a body but no Content-Type header."
                    )));
                }
                Bytes::from(b.to_string())
            }
        };
        let depends_on = match &r["dependsOn"] {
            Value::Null => Vec::new(),
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => {
                return Err(GraphError::bad_request(format!(
                    "Batch request '{id}': dependsOn is a list of ids."
                )));
            }
        };
        items.push(Item {
            id,
            method,
            path: path.to_string(),
            query: query.to_string(),
            headers,
            body,
            depends_on,
        });
    }
    for it in &items {
        for dep in &it.depends_on {
            if !items.iter().any(|o| &o.id == dep) || dep == &it.id {
                return Err(GraphError::bad_request(format!(
                    "Batch request '{}' depends on '{dep}', which is not in the batch.",
                    it.id
                )));
            }
        }
    }
    // Refuse cycles before anything runs, so no item acts in a batch that is then refused.
    let mut done: Vec<&str> = Vec::new();
    while done.len() < items.len() {
        let ready: Vec<&str> = items
            .iter()
            .filter(|i| !done.contains(&i.id.as_str()))
            .filter(|i| i.depends_on.iter().all(|d| done.contains(&d.as_str())))
            .map(|i| i.id.as_str())
            .collect();
        if ready.is_empty() {
            return Err(GraphError::bad_request(
                "The batch's dependsOn form a cycle.",
            ));
        }
        done.extend(ready);
    }
    Ok(items)
}

/// Runs the items in waves: everything whose dependencies are done waits out the added
/// latency together, then runs in request order, so that a seeded fault generator gives the
/// same faults every run. Returns the responses and the items' log entries, not yet written.
async fn run(
    s: &Shared,
    version: Version,
    items: Vec<Item>,
    batch_request_id: &str,
) -> (Vec<Value>, Vec<Value>) {
    let mut status: std::collections::HashMap<String, u16> = Default::default();
    let mut responses = Vec::new();
    let mut entries = Vec::new();
    let mut remaining: Vec<Item> = items;
    while !remaining.is_empty() {
        let (ready, later): (Vec<Item>, Vec<Item>) = remaining
            .into_iter()
            .partition(|i| i.depends_on.iter().all(|d| status.contains_key(d)));
        // parse() refused cycles and runnable_prefix() unknown dependencies.
        assert!(!ready.is_empty(), "a batch without a runnable item");
        remaining = later;
        super::wait_latency(s).await;
        for item in ready {
            if item
                .depends_on
                .iter()
                .any(|d| !(200..300).contains(&status[d]))
            {
                // The JSON batching page gives a request whose dependency failed status 424
                // and no body: Graph's error shape, as every error, with this item's ids.
                status.insert(item.id.clone(), 424);
                let client_request_id = item
                    .headers
                    .get("client-request-id")
                    .and_then(|v| v.to_str().ok());
                let body = error_body(
                    "FailedDependency",
                    "A request this one depends on failed.",
                    s.clock.now(),
                    &s.new_guid(),
                    client_request_id,
                );
                responses.push(json!({
                    "id": item.id,
                    "status": 424,
                    "headers": item_headers(424, true, &[]),
                    "body": body,
                }));
                continue;
            }
            let call = Call {
                method: item.method,
                version,
                path: item.path,
                query: item.query,
                headers: item.headers,
                body: item.body,
                via_batch: true,
                batch_request_id: Some(batch_request_id.to_string()),
            };
            let id = item.id;
            let mut out = execute_now(s, call);
            if let Some(e) = out.log.take() {
                entries.push(e);
            }
            status.insert(id.clone(), out.status.as_u16());
            let h = item_headers(out.status.as_u16(), out.body.is_some(), &out.headers);
            let mut r = json!({ "id": id, "status": out.status.as_u16(), "headers": h });
            if let Some(b) = out.body {
                r["body"] = b;
            }
            responses.push(r);
        }
    }
    // Order is not the request order: clients must correlate by id.
    responses.reverse();
    (responses, entries)
}

/// The Content-Type of a JSON item answer that succeeded, as the JSON batching page's
/// response example shows it.
pub const ITEM_CONTENT_TYPE: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// An item's `headers`, in the shape and casing of the JSON batching page's response example:
/// `Cache-Control`; with a body, `Content-Type` (a success's with its OData parameters and
/// `OData-Version: 4.0`, an error's `application/json`); and what the call itself answered
/// with (`Retry-After`, `WWW-Authenticate`). No `request-id` or `client-request-id`: the
/// example's items carry none; an error item's ids are in its body's `innerError`. No
/// `x-ms-resource-unit`: that is the identity-and-access service's cost header of the
/// example's directory reads, not documented for entitlement management.
fn item_headers(
    status: u16,
    has_body: bool,
    call_headers: &[(&'static str, String)],
) -> serde_json::Map<String, Value> {
    let mut h = serde_json::Map::new();
    let cache = call_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("cache-control"))
        .map_or("no-cache", |(_, v)| v.as_str());
    h.insert("Cache-Control".into(), json!(cache));
    if has_body {
        if (200..300).contains(&status) {
            h.insert("OData-Version".into(), json!("4.0"));
            h.insert("Content-Type".into(), json!(ITEM_CONTENT_TYPE));
        } else {
            h.insert("Content-Type".into(), json!("application/json"));
        }
    }
    for (k, v) in call_headers {
        let name = match k.to_ascii_lowercase().as_str() {
            "cache-control" => continue,
            "retry-after" => "Retry-After".to_string(),
            "www-authenticate" => "WWW-Authenticate".to_string(),
            _ => k.to_string(),
        };
        h.insert(name, json!(v));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(requests: Value) -> Result<Vec<Item>, GraphError> {
        let body = json!({ "requests": requests }).to_string();
        parse(Version::V1, &HeaderMap::new(), body.as_bytes())
    }

    const URL: &str = "/identityGovernance/entitlementManagement/assignmentRequests/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b/reprocess";

    #[test]
    fn a_write_item_needs_a_body_and_its_own_content_type_or_the_whole_batch_is_refused() {
        let ok = json!({ "id": "1", "method": "GET", "url": "/identityGovernance/entitlementManagement/catalogs" });
        for (item, id) in [
            (json!({ "id": "2", "method": "POST", "url": URL }), "2"),
            (
                json!({ "id": "a-b", "method": "POST", "url": URL, "body": null,
                        "headers": { "Content-Type": "application/json" } }),
                "a-b",
            ),
            (
                json!({ "id": "x", "method": "post", "url": URL, "body": {} }),
                "x",
            ),
            (
                json!({ "id": "y", "method": "PATCH", "url": URL, "body": {},
                        "headers": { "Accept": "application/json" } }),
                "y",
            ),
            (
                json!({ "id": 7, "method": "PUT", "url": URL, "body": {} }),
                "7",
            ),
        ] {
            let e = parsed(json!([ok.clone(), item])).err().expect("refused");
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert_eq!(e.code, "BadRequest");
            assert_eq!(
                e.message,
                format!("Write request id : {id} does not contain Content-Type header or body.")
            );
        }
    }

    #[test]
    fn the_documented_form_of_a_bodyless_action_is_accepted_with_any_header_case() {
        for key in ["Content-Type", "content-type", "CONTENT-TYPE"] {
            let items = parsed(json!([
                { "id": "1", "method": "POST", "url": URL, "body": {}, "headers": { key: "application/json" } },
                { "id": "2", "method": "GET", "url": "/identityGovernance/entitlementManagement/catalogs" },
                { "id": "3", "method": "DELETE", "url": "/identityGovernance/entitlementManagement/catalogs" },
            ]))
            .unwrap_or_else(|e| panic!("{key}: {}", e.message));
            assert_eq!(items.len(), 3);
            assert_eq!(&items[0].body[..], b"{}");
            assert_eq!(items[0].headers["content-type"], "application/json");
            assert!(items[1].body.is_empty());
        }
    }

    #[test]
    fn item_headers_have_the_documented_names_and_no_request_id() {
        let ok = item_headers(200, true, &[]);
        assert_eq!(ok["Content-Type"], ITEM_CONTENT_TYPE);
        assert_eq!(ok["OData-Version"], "4.0");
        assert_eq!(ok["Cache-Control"], "no-cache");
        let accepted = item_headers(202, false, &[]);
        assert_eq!(accepted.len(), 1, "{accepted:?}");
        let throttled = item_headers(
            429,
            true,
            &[
                ("retry-after", "3".into()),
                ("cache-control", "no-store".into()),
            ],
        );
        assert_eq!(throttled["Retry-After"], "3");
        assert_eq!(throttled["Cache-Control"], "no-store");
        assert_eq!(throttled["Content-Type"], "application/json");
        for h in [ok, accepted, throttled] {
            assert!(
                h.keys().all(|k| !k.eq_ignore_ascii_case("request-id")
                    && !k.eq_ignore_ascii_case("client-request-id")),
                "{h:?}"
            );
        }
    }

    #[test]
    fn more_than_twenty_items_and_duplicate_ids_are_still_refused() {
        let item = |i: usize| json!({ "id": i.to_string(), "method": "GET", "url": "/x" });
        assert!(parsed(Value::Array((0..20).map(item).collect())).is_ok());
        let e = parsed(Value::Array((0..21).map(item).collect()))
            .err()
            .unwrap();
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "BadRequest"));
        assert_eq!(
            e.message,
            "Number of requests inside batch exceeds the limit."
        );
        let e = parsed(json!([item(1), item(1)])).err().unwrap();
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "BadRequest"));
        assert_eq!(e.message, "Request Id 1 has to be unique in a batch.");
        // Not case-sensitive: the later id is named.
        let e = parsed(json!([
            { "id": "a", "method": "GET", "url": "/x" },
            { "id": "A", "method": "GET", "url": "/x" },
        ]))
        .err()
        .unwrap();
        assert_eq!(e.message, "Request Id A has to be unique in a batch.");
    }
}
