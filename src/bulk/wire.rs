//! The JSON `$batch` wire: the body of a batch, and what its reply says of each item.

use serde_json::{Value, json};

use super::{Outcome, ReadOutcome};
use crate::i18n::{Msg, t};

/// The `$batch` body of `items`, each `(method, url)` with `url` relative to the version
/// root (`identityGovernance/entitlementManagement/…`); each item's id is its position.
///
/// A write item carries a JSON `Content-Type` and a body, `{}` for an action that takes
/// none (concepts/json-batching.md: a body needs a Content-Type): Graph refuses a whole
/// batch with a bodyless write item (400, "Write request id : 1 does not contain
/// Content-Type header or body.", as reported in microsoftgraph/msgraph-sdk-dotnet#2628).
pub fn batch_body(items: &[(&str, String)]) -> Value {
    json!({
        "requests": items.iter().enumerate().map(|(i, (method, url))| {
            let mut item = json!({
                "id": (i + 1).to_string(),
                "method": method,
                "url": format!("/{url}"),
            });
            if *method != "GET" {
                item["headers"] = json!({ "Content-Type": "application/json" });
                item["body"] = json!({});
            }
            item
        }).collect::<Vec<_>>()
    })
}

/// Header `name` of a batch reply item, whatever its case.
pub(crate) fn header<'a>(r: &'a Value, name: &str) -> Option<&'a str> {
    r["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

/// The reply item of the `i`th request (0-based) of a batch, correlated by id (replies
/// come in any order).
pub(crate) fn reply_item(reply: &Value, i: usize) -> Option<&Value> {
    let key = (i + 1).to_string();
    reply["responses"]
        .as_array()?
        .iter()
        .find(|r| r["id"].as_str() == Some(key.as_str()))
}

fn request_id(r: &Value) -> Option<String> {
    header(r, "request-id").map(str::to_string).or_else(|| {
        r["body"]["error"]["innerError"]["request-id"]
            .as_str()
            .map(str::to_string)
    })
}

/// Reads a `$batch` reply to the actions on `sent` (in the order of [`batch_body`]): each
/// item's outcome. An item missing from the reply is [`Outcome::Unsure`]. Graph's items
/// carry no `request-id` header of their own (an error's body has one): an item without
/// one is reported with `batch_request_id`, the `$batch` call's, which support can trace.
pub fn read_action_batch<Id: Clone>(
    reply: &Value,
    sent: &[Id],
    batch_request_id: Option<&str>,
) -> Vec<(Id, Outcome)> {
    sent.iter()
        .enumerate()
        .map(|(i, id)| {
            let outcome = match reply_item(reply, i) {
                None => Outcome::Unsure {
                    why: t(Msg::BulkNoAnswer).into(),
                    request_id: None,
                },
                Some(r) => item_outcome(r, batch_request_id),
            };
            (id.clone(), outcome)
        })
        .collect()
}

fn item_outcome(r: &Value, batch_request_id: Option<&str>) -> Outcome {
    let status = r["status"].as_u64().unwrap_or(0) as u16;
    let request_id = request_id(r).or_else(|| batch_request_id.map(str::to_string));
    match status {
        200..=299 => Outcome::Accepted { request_id },
        401 => Outcome::Unauthorized,
        429 => Outcome::Throttled {
            retry_after: header(r, "retry-after").and_then(|v| v.trim().parse().ok()),
        },
        400..=499 => Outcome::Refused {
            status,
            code: r["body"]["error"]["code"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            message: r["body"]["error"]["message"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            request_id,
        },
        0 => Outcome::Unsure {
            why: t(Msg::BulkNoStatus).into(),
            request_id,
        },
        s => Outcome::Unsure {
            why: format!("HTTP {s}"),
            request_id,
        },
    }
}

/// Reads a `$batch` reply to the reads of `sent`.
pub fn read_item_batch<Id: Clone>(reply: &Value, sent: &[Id]) -> Vec<(Id, ReadOutcome)> {
    sent.iter()
        .enumerate()
        .map(|(i, id)| {
            let read = match reply_item(reply, i) {
                None => ReadOutcome::Again {
                    retry_after: None,
                    throttled: false,
                },
                Some(r) => match r["status"].as_u64().unwrap_or(0) {
                    200..=299 => ReadOutcome::Item(r["body"].clone()),
                    401 => ReadOutcome::Unauthorized,
                    s @ (429 | 503 | 504 | 0) => ReadOutcome::Again {
                        retry_after: header(r, "retry-after").and_then(|v| v.trim().parse().ok()),
                        throttled: s == 429,
                    },
                    s => ReadOutcome::Failed {
                        detail: format!(
                            "HTTP {s} {}",
                            r["body"]["error"]["code"].as_str().unwrap_or("")
                        ),
                        request_id: request_id(r),
                    },
                },
            };
            (id.clone(), read)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_replies_are_read_by_id_in_any_order() {
        let sent: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        let body = batch_body(
            &sent
                .iter()
                .map(|id| ("POST", format!("x/{id}/reprocess")))
                .collect::<Vec<_>>(),
        );
        // The documented shape of a write item (concepts/json-batching.md): a JSON
        // Content-Type and a body, `{}` for an action without parameters.
        assert_eq!(
            body["requests"][1],
            json!({ "id": "2", "method": "POST", "url": "/x/b/reprocess",
                    "headers": { "Content-Type": "application/json" }, "body": {} })
        );
        // A read carries neither.
        let reads = batch_body(&[("GET", "x/a".to_string())]);
        assert_eq!(
            reads["requests"][0],
            json!({ "id": "1", "method": "GET", "url": "/x/a" })
        );
        let reply = json!({ "responses": [
            { "id": "3", "status": 429, "headers": { "Retry-After": "4" } },
            { "id": "1", "status": 202, "headers": { "request-id": "r1" } },
            { "id": "2", "status": 400, "headers": {}, "body": { "error": { "code": "BadRequest", "message": "state is delivered", "innerError": { "request-id": "r2" } } } },
            { "id": "5", "status": 504, "headers": { "request-id": "r5" } },
        ]});
        let read = read_action_batch(&reply, &sent, None);
        assert_eq!(
            read[0].1,
            Outcome::Accepted {
                request_id: Some("r1".into())
            }
        );
        assert_eq!(
            read[1].1,
            Outcome::Refused {
                status: 400,
                code: "BadRequest".into(),
                message: "state is delivered".into(),
                request_id: Some("r2".into())
            }
        );
        assert_eq!(
            read[2].1,
            Outcome::Throttled {
                retry_after: Some(4)
            }
        );
        assert!(
            matches!(
                &read[3].1,
                Outcome::Unsure {
                    request_id: None,
                    ..
                }
            ),
            "missing from the reply"
        );
        assert!(
            matches!(&read[4].1, Outcome::Unsure { request_id: Some(r), .. } if r == "r5"),
            "a 504 item may have acted"
        );
    }

    #[test]
    fn an_item_without_a_request_id_of_its_own_is_reported_with_the_batchs() {
        // Graph's documented batch items carry no request-id header.
        let sent = vec!["a".to_string(), "b".to_string()];
        let reply = json!({ "responses": [
            { "id": "1", "status": 202, "headers": { "Cache-Control": "no-cache" } },
            { "id": "2", "status": 400, "headers": { "Content-Type": "application/json" },
              "body": { "error": { "code": "BadRequest", "message": "no", "innerError": { "request-id": "item-2" } } } },
        ]});
        let read = read_action_batch(&reply, &sent, Some("batch-1"));
        assert_eq!(
            read[0].1,
            Outcome::Accepted {
                request_id: Some("batch-1".into())
            }
        );
        assert!(
            matches!(&read[1].1, Outcome::Refused { request_id: Some(r), .. } if r == "item-2"),
            "{:?}",
            read[1].1
        );
    }

    #[test]
    fn read_replies_are_read_by_id_with_their_status() {
        let sent: Vec<String> = ["a", "b", "c", "d", "e", "f", "g", "h"]
            .map(String::from)
            .to_vec();
        let reply = json!({ "responses": [
            { "id": "8", "status": 404, "headers": { "request-id": "r8" },
              "body": { "error": { "code": "NotFound", "message": "gone" } } },
            { "id": "1", "status": 200, "body": { "id": "a", "state": "delivering" } },
            { "id": "2", "status": 401 },
            { "id": "3", "status": 429, "headers": { "Retry-After": " 7 " } },
            { "id": "4", "status": 503 },
            { "id": "5", "status": 504, "headers": { "retry-after": "2" } },
            { "id": "6" },
        ]});
        let again = |retry_after, throttled| ReadOutcome::Again {
            retry_after,
            throttled,
        };
        let read: Vec<ReadOutcome> = read_item_batch(&reply, &sent)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(
            read,
            [
                ReadOutcome::Item(json!({ "id": "a", "state": "delivering" })),
                ReadOutcome::Unauthorized,
                again(Some(7), true),
                again(None, false),
                again(Some(2), false),
                again(None, false),
                again(None, false),
                ReadOutcome::Failed {
                    detail: "HTTP 404 NotFound".into(),
                    request_id: Some("r8".into())
                },
            ]
        );
    }
}
