//! Start-up: fetch `config.json` from next to `index.html` and validate it.

use gloo_net::http::Request;
use web_sys::RequestCache;

use crate::config::{Config, ConfigError};

// Start-up milestones as `performance.mark`s, read by `cargo xtask bench cold`
// (end2end/bench/cold.mjs): Resource Timing gives the transfers, these marks what the app
// did between them.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = mark)]
    fn performance_mark(name: &str);
}

/// The wasm is instantiated and `main` runs.
pub const MARK_START: &str = "access-desk:start";
/// `config.json` is loaded and valid.
pub const MARK_CONFIG_LOADED: &str = "access-desk:config-loaded";

/// `performance.mark(name)` (browser only).
pub fn mark(name: &str) {
    performance_mark(name);
}

/// Why the app could not start with a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BootError {
    /// The file could not be fetched, or the server answered something else.
    Load { url: String, detail: String },
    /// The file was read but is not a valid configuration.
    Invalid {
        url: String,
        errors: Vec<ConfigError>,
    },
}

/// The address of `config.json`: relative to the document's base URI, so the same build
/// works at `/` and under a sub-path.
pub fn config_url() -> String {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    // The browser's URL parser: no URL crate in the wasm.
    web_sys::Url::new_with_base("config.json", &base)
        .map(|u| u.href())
        .unwrap_or_else(|_| "config.json".into())
}

/// Loads and validates the configuration at `url`. Never cached: an operator who fixes
/// the file expects a reload to pick it up.
pub async fn load_config(url: String) -> Result<Config, BootError> {
    let load_err = |detail: String| BootError::Load {
        url: url.clone(),
        detail,
    };
    let resp = Request::get(&url)
        .cache(RequestCache::NoStore)
        .send()
        .await
        .map_err(|e| load_err(e.to_string()))?;
    if !resp.ok() {
        return Err(load_err(format!(
            "HTTP {} {}",
            resp.status(),
            resp.status_text()
        )));
    }
    let text = resp.text().await.map_err(|e| load_err(e.to_string()))?;
    // A static host without the file often answers with its HTML fallback page.
    if text.trim_start().starts_with('<') {
        return Err(load_err(
            "the server answered with a web page, not JSON (is config.json missing?)".into(),
        ));
    }
    let config = Config::parse(&text).map_err(|errors| BootError::Invalid { url, errors })?;
    mark(MARK_CONFIG_LOADED);
    Ok(config)
}
