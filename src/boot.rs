//! Start-up: fetch `config.json` from next to `index.html` and validate it, and the
//! language file of the admin's language when it is not English.

use gloo_net::http::Request;
use web_sys::RequestCache;

use crate::config::{Config, ConfigError};
use crate::i18n::{Lang, Msg, install, is_loaded, t, tf};

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
    Load { url: String, detail: LoadProblem },
    /// The file was read but is not a valid configuration.
    Invalid {
        url: String,
        errors: Vec<ConfigError>,
    },
}

/// Why a start-up file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadProblem {
    Network(String),
    Status(u16, String),
    /// A static host without the file often answers with its HTML fallback page.
    WebPage,
}

impl std::fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadProblem::Network(e) => f.write_str(e),
            LoadProblem::Status(code, text) => write!(f, "HTTP {code} {text}"),
            LoadProblem::WebPage => f.write_str(t(Msg::ConfigGotWebPage)),
        }
    }
}

/// The address of a file next to `index.html`: relative to the document's base URI, so the
/// same build works at `/` and under a sub-path.
pub fn asset_url(name: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    // The browser's URL parser: no URL crate in the wasm.
    web_sys::Url::new_with_base(name, &base)
        .map(|u| u.href())
        .unwrap_or_else(|_| name.into())
}

/// The address of `config.json`.
pub fn config_url() -> String {
    asset_url("config.json")
}

/// Reads a start-up file as text: `config.json` never from a cache (an operator who fixes
/// it expects a reload to pick it up), a language file revalidated (it follows the build).
async fn fetch_text(url: &str, cache: RequestCache) -> Result<String, LoadProblem> {
    let resp = Request::get(url)
        .cache(cache)
        .send()
        .await
        .map_err(|e| LoadProblem::Network(e.to_string()))?;
    if !resp.ok() {
        return Err(LoadProblem::Status(resp.status(), resp.status_text()));
    }
    let text = resp
        .text()
        .await
        .map_err(|e| LoadProblem::Network(e.to_string()))?;
    if text.trim_start().starts_with('<') {
        return Err(LoadProblem::WebPage);
    }
    Ok(text)
}

/// Where the admin's language choice is kept (it is not a secret, and it should outlive
/// the tab).
const LANGUAGE_KEY: &str = "access-desk.language";

/// The language to start in: the one chosen in this browser before, else the browser's.
pub fn preferred_language() -> Lang {
    let window = web_sys::window();
    let chosen = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(LANGUAGE_KEY).ok().flatten())
        .and_then(|code| Lang::from_code(&code));
    chosen.unwrap_or_else(|| {
        let languages: Vec<String> = window
            .map(|w| {
                w.navigator()
                    .languages()
                    .iter()
                    .filter_map(|l| l.as_string())
                    .collect()
            })
            .unwrap_or_default();
        Lang::from_browser(&languages)
    })
}

/// Why a language file could not be used. Said with [`LanguageProblem::message`] once a
/// language is in use: at start that may be only after English's file is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanguageProblem {
    pub lang: Lang,
    pub detail: String,
}

impl LanguageProblem {
    pub fn message(&self) -> String {
        tf(
            Msg::LanguageNotLoaded,
            &[("language", self.lang.own_name()), ("detail", &self.detail)],
        )
    }
}

/// Switches the app to `lang`: its file is read (once a session), then it becomes the
/// language in use, `<html lang>` follows, and the choice is remembered. On failure the
/// language stays as it was and the reason is returned.
pub async fn use_language(lang: Lang, remember: bool) -> Result<(), LanguageProblem> {
    let problem = |detail: String| LanguageProblem { lang, detail };
    if !is_loaded(lang) {
        let url = asset_url(&format!("lang-{}.json", lang.code()));
        let text = fetch_text(&url, RequestCache::NoCache)
            .await
            .map_err(|e| problem(e.to_string()))?;
        install(lang, Some(&text)).map_err(problem)?;
    } else {
        install(lang, None).map_err(problem)?;
    }
    let window = web_sys::window();
    if let Some(root) = window
        .as_ref()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
    if remember && let Some(storage) = window.and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(LANGUAGE_KEY, lang.code());
    }
    Ok(())
}

/// Loads and validates the configuration at `url`, revalidated (`no-cache`): an operator
/// who fixes the file expects a reload to pick it up. The page preloads it (index.html),
/// and a preload is only reused by a request that may use a cache.
pub async fn load_config(url: String) -> Result<Config, BootError> {
    let text = fetch_text(&url, RequestCache::NoCache)
        .await
        .map_err(|detail| BootError::Load {
            url: url.clone(),
            detail,
        })?;
    let config = Config::parse(&text).map_err(|errors| BootError::Invalid { url, errors })?;
    mark(MARK_CONFIG_LOADED);
    Ok(config)
}
