//! JSON `$batch`: up to 20 requests, each run through the same pipeline as a direct call
//! (so each is authenticated, throttled and logged on its own), answered by id.

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Call, GraphError, Outcome, Version, execute};
use crate::Shared;

pub const MAX_REQUESTS: usize = 20;

pub async fn http(
    State(s): State<Shared>,
    OriginalUri(uri): OriginalUri,
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
    let result = run(&s, version, &headers, &body).await;
    let (status, body) = match result {
        Ok(v) => (StatusCode::OK, v),
        Err(e) => (
            e.status,
            json!({ "error": {
                "code": e.code,
                "message": e.message,
                "innerError": {
                    "date": crate::clock::iso(s.clock.now()),
                    "request-id": request_id,
                    "client-request-id": client_request_id.clone().unwrap_or_else(|| request_id.clone()),
                },
            }}),
        ),
    };
    Outcome {
        status,
        body: Some(body),
        headers: Vec::new(),
        request_id,
        client_request_id,
    }
    .into_response()
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
        return Err(GraphError::bad_request(format!(
            "Number of batch requests ({}) exceeds the limit of {MAX_REQUESTS}.",
            list.len()
        )));
    }
    let mut items = Vec::new();
    for r in list {
        let id = match &r["id"] {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(GraphError::bad_request("Every batch request needs an id.")),
        };
        if items.iter().any(|i: &Item| i.id == id) {
            return Err(GraphError::bad_request(format!(
                "The batch request id '{id}' is used twice."
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
        let body = match &r["body"] {
            Value::Null => Bytes::new(),
            b => {
                if !headers.contains_key("content-type") {
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
    Ok(items)
}

async fn run(
    s: &Shared,
    version: Version,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, GraphError> {
    let items = parse(version, headers, body)?;
    let mut status: std::collections::HashMap<String, u16> = Default::default();
    let mut responses = Vec::new();
    let mut remaining: Vec<Item> = items;
    // Waves: everything whose dependencies are done runs concurrently.
    while !remaining.is_empty() {
        let (ready, later): (Vec<Item>, Vec<Item>) = remaining
            .into_iter()
            .partition(|i| i.depends_on.iter().all(|d| status.contains_key(d)));
        if ready.is_empty() {
            return Err(GraphError::bad_request(
                "The batch's dependsOn form a cycle.",
            ));
        }
        remaining = later;
        let mut set = tokio::task::JoinSet::new();
        for item in ready {
            if item
                .depends_on
                .iter()
                .any(|d| !(200..300).contains(&status[d]))
            {
                status.insert(item.id.clone(), 424);
                responses.push(json!({
                    "id": item.id,
                    "status": 424,
                    "headers": {},
                    "body": { "error": { "code": "FailedDependency", "message": "A request this one depends on failed." } },
                }));
                continue;
            }
            let s = s.clone();
            set.spawn(async move {
                let call = Call {
                    method: item.method,
                    version,
                    path: item.path,
                    query: item.query,
                    headers: item.headers,
                    body: item.body,
                    via_batch: true,
                };
                (item.id, execute(&s, call).await)
            });
        }
        while let Some(done) = set.join_next().await {
            let (id, out) = done.expect("batch item task");
            status.insert(id.clone(), out.status.as_u16());
            let mut h = serde_json::Map::new();
            h.insert("request-id".into(), json!(out.request_id));
            if let Some(c) = &out.client_request_id {
                h.insert("client-request-id".into(), json!(c));
            }
            for (k, v) in &out.headers {
                h.insert((*k).into(), json!(v));
            }
            if out.body.is_some() {
                h.insert("content-type".into(), json!("application/json"));
            }
            let mut r = json!({ "id": id, "status": out.status.as_u16(), "headers": h });
            if let Some(b) = out.body {
                r["body"] = b;
            }
            responses.push(r);
        }
    }
    // Order is not the request order: clients must correlate by id.
    responses.reverse();
    Ok(json!({ "responses": responses }))
}
