//! Graph errors as clients must read them: branch on `code`, show `message`, and keep
//! `request-id` and `date` for support.

use std::fmt;

use serde_json::Value;

/// A Graph error response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    pub date: Option<String>,
}

impl GraphError {
    /// Reads an error body; `header_request_id` is the response's `request-id` header, used
    /// when the body has none (or is not JSON at all).
    pub fn from_response(status: u16, body: &str, header_request_id: Option<String>) -> GraphError {
        // Read through `Value`, which the app parses anyway: a derived deserializer would
        // add its own instance of serde_json's parser to the bundle.
        let parsed = serde_json::from_str::<Value>(body).ok();
        match parsed
            .as_ref()
            .map(|v| &v["error"])
            .filter(|e| e.is_object())
        {
            Some(error) => {
                let text = |v: &Value| v.as_str().map(str::to_string);
                let inner = &error["innerError"];
                GraphError {
                    status,
                    code: text(&error["code"]).unwrap_or_default(),
                    message: text(&error["message"]).unwrap_or_default(),
                    request_id: text(&inner["request-id"]).or(header_request_id),
                    date: text(&inner["date"]),
                }
            }
            None => GraphError {
                status,
                code: format!("HTTP{status}"),
                message: body.chars().take(200).collect(),
                request_id: header_request_id,
                date: None,
            },
        }
    }

    /// Transient: worth retrying.
    pub fn is_transient(&self) -> bool {
        matches!(self.status, 429 | 503 | 504)
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_code_message_request_id_and_date() {
        let e = GraphError::from_response(
            403,
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges","innerError":{"date":"2026-11-23T10:00:00Z","request-id":"r-1","client-request-id":"c-1"}}}"#,
            Some("header-id".into()),
        );
        assert_eq!(e.code, "Authorization_RequestDenied");
        assert_eq!(e.request_id.as_deref(), Some("r-1"));
        assert_eq!(e.date.as_deref(), Some("2026-11-23T10:00:00Z"));
        assert!(!e.is_transient());
    }

    #[test]
    fn a_body_that_is_not_graph_json_keeps_the_header_request_id() {
        let e = GraphError::from_response(504, "<html>Gateway Timeout</html>", Some("h-1".into()));
        assert_eq!(e.code, "HTTP504");
        assert_eq!(e.request_id.as_deref(), Some("h-1"));
        assert!(e.is_transient());
    }
}
