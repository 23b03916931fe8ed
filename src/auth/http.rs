//! The oauth2 crate's async HTTP client, on gloo-net (the browser's fetch).

use std::fmt;

use gloo_net::http::RequestBuilder;

/// A failed fetch (network, CORS). Never carries the request body, which holds the code
/// or the refresh token.
#[derive(Debug)]
pub struct FetchError(pub String);

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FetchError {}

/// Sends an oauth2 request with fetch and returns the response as oauth2 expects it.
pub async fn send(request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, FetchError> {
    let mut builder = RequestBuilder::new(&request.uri().to_string()).method(
        gloo_net::http::Method::from_bytes(request.method().as_str().as_bytes())
            .map_err(|e| FetchError(e.to_string()))?,
    );
    for (name, value) in request.headers() {
        if let Ok(v) = value.to_str() {
            builder = builder.header(name.as_str(), v);
        }
    }
    let body = String::from_utf8_lossy(request.body()).into_owned();
    let req = builder.body(body).map_err(|e| FetchError(e.to_string()))?;
    let resp = req.send().await.map_err(|e| FetchError(e.to_string()))?;
    let mut out = http::Response::builder().status(resp.status());
    if let Some(ct) = resp.headers().get("content-type") {
        out = out.header(http::header::CONTENT_TYPE, ct);
    }
    let bytes = resp.binary().await.map_err(|e| FetchError(e.to_string()))?;
    out.body(bytes).map_err(|e| FetchError(e.to_string()))
}
