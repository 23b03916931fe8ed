//! A plain static file server for the built app, like any static host: files from `dist/`
//! (their precompressed .br/.gz when the browser accepts them), and `index.html` for every
//! other path so deep links and reloads work. `config.json` is served from memory: the
//! sandbox's configuration never lands in `dist/`, which stays deployable.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The router serving `dist` and `config`, every answer with the security headers of a
/// deployment (headers.rs) under the Content-Security-Policy `csp`.
pub fn app(dist: &Path, csp: &str, config: String) -> Router {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    let mut router = Router::new()
        .route(
            "/config.json",
            get(move || {
                let config = config.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], config) }
            }),
        )
        .fallback_service(files)
        // Revalidate every time: config.json and index.html must never be stale.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ));
    for (name, value) in crate::headers::security_headers(csp) {
        router = router.layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static(leak_lowercase(name)),
            HeaderValue::from_str(&value).expect("header values are ASCII"),
        ));
    }
    router
}

/// `HeaderName::from_static` wants a lowercase `'static` name; the list is small and built
/// once per server.
fn leak_lowercase(name: &str) -> &'static str {
    Box::leak(name.to_ascii_lowercase().into_boxed_str())
}

/// Serves `dist` on an already bound listener until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, dist: &Path, csp: String, config: String) {
    if let Err(e) = axum::serve(listener, app(dist, &csp, config)).await {
        eprintln!("static server stopped: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn config_json_comes_from_memory_and_every_answer_has_the_headers() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html><title>app</title>").unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let served = dir.clone();
        tokio::spawn(async move {
            serve(
                listener,
                &served,
                "default-src 'none'".into(),
                "{\"clientId\":\"x\"}".into(),
            )
            .await
        });
        let client = reqwest::Client::new();
        for path in ["/config.json", "/", "/requests?state=deliveryFailed"] {
            let r = client.get(format!("{url}{path}")).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            for name in crate::headers::names() {
                assert!(r.headers().contains_key(name), "{path}: {name}");
            }
            let body = r.text().await.unwrap();
            if path == "/config.json" {
                assert_eq!(body, "{\"clientId\":\"x\"}");
            } else {
                assert!(body.contains("<title>app</title>"), "{path}: the page");
            }
        }
        assert!(
            !dir.join("config.json").exists(),
            "nothing written into dist"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
