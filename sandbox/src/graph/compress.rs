//! Graph compresses an answer with gzip when the caller accepts it (`Accept-Encoding:
//! gzip`, which every browser sends) and says so (`Content-Encoding: gzip`,
//! `Vary: Accept-Encoding`); a caller that does not ask gets the answer as it is. So a
//! client measured against the sandbox pays what it would pay to Graph, not 5–10 times
//! more. Small answers (an error, a 202) are not worth compressing and are sent as they are.

use std::io::Write;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use flate2::Compression;
use flate2::write::GzEncoder;

/// Answers shorter than this go uncompressed.
const MIN_BYTES: usize = 860;

/// Whether an `Accept-Encoding` value accepts gzip: `gzip` or `*`, without `q=0`.
pub fn accepts_gzip(value: &str) -> bool {
    value.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

fn wants_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(accepts_gzip)
}

/// The middleware of every Graph route (`$batch` included).
pub async fn gzip(request: Request, next: Next) -> Response {
    let wanted = wants_gzip(request.headers());
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if !wanted || parts.headers.contains_key(header::CONTENT_ENCODING) {
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    if bytes.len() < MIN_BYTES {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::fast());
    let gzipped = encoder
        .write_all(&bytes)
        .and_then(|()| encoder.finish())
        .expect("gzip into memory");
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(gzipped))
}

#[cfg(test)]
mod tests {
    use super::accepts_gzip;

    #[test]
    fn what_a_browser_sends_accepts_gzip_and_q_zero_refuses_it() {
        assert!(accepts_gzip("gzip, deflate, br, zstd"));
        assert!(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("identity"));
        assert!(!accepts_gzip("br"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("gzip; q=0.0, br"));
        assert!(!accepts_gzip(""));
    }
}
