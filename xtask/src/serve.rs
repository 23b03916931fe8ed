//! A plain static file server for the built app, like any static host: files from `dist/`,
//! and `index.html` for every other path so deep links and reloads work.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The router serving `dist`, every answer under the Content-Security-Policy `csp`.
pub fn app(dist: &Path, csp: &str) -> Router {
    let index = ServeFile::new(dist.join("index.html"));
    Router::new()
        .fallback_service(ServeDir::new(dist).fallback(index))
        // Revalidate every time: config.json and index.html must never be stale.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(csp).expect("a CSP is ASCII"),
        ))
}

/// Serves `dist` on an already bound listener until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, dist: &Path, csp: String) {
    if let Err(e) = axum::serve(listener, app(dist, &csp)).await {
        eprintln!("static server stopped: {e}");
    }
}
