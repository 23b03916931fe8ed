//! The Content-Security-Policy the app runs under, generated from the built `index.html`
//! (hashes of its inline scripts) and the hosts its configuration talks to.
//!
//! No `unsafe-inline`, no `unsafe-eval`: scripts are the bundle's own files plus trunk's
//! inline loader by hash, WebAssembly compiles under `'wasm-unsafe-eval'`, styles are the
//! stylesheet only (the app sets element styles through CSSOM, which CSP allows), and the
//! network is the app's own origin plus the identity and Graph hosts of `config.json`.

use base64::Engine;
use sha2::{Digest, Sha256};

/// `'sha256-…'` of every inline `<script>` of `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_and_rest = &after[open_end + 1..];
        let Some(close) = body_and_rest.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body_and_rest.as_bytes()[..close]);
            out.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_and_rest[close..];
    }
    out
}

/// The origin (`scheme://host[:port]`) of a URL.
pub fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{scheme}://{host}")
}

/// The policy for `html`, allowing connections to `connect` origins besides the app's own.
pub fn policy(html: &str, connect: &[String]) -> String {
    let mut scripts = vec!["'self'".to_string(), "'wasm-unsafe-eval'".to_string()];
    scripts.extend(inline_script_hashes(html));
    let mut hosts = vec!["'self'".to_string()];
    for c in connect {
        let o = origin(c);
        if !hosts.contains(&o) {
            hosts.push(o);
        }
    }
    [
        "default-src 'none'".to_string(),
        format!("script-src {}", scripts.join(" ")),
        "style-src 'self'".into(),
        "img-src 'self' data:".into(),
        format!("connect-src {}", hosts.join(" ")),
        "base-uri 'self'".into(),
        "form-action 'self'".into(),
        "frame-ancestors 'none'".into(),
    ]
    .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = r#"<script type="module">alert(1)</script><script src="/a.js"></script>"#;
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            inline_script_hashes(html),
            vec!["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='".to_string()]
        );
    }

    #[test]
    fn the_policy_is_strict_and_names_only_the_configured_hosts() {
        let p = policy(
            "<script>x</script>",
            &[
                "https://login.microsoftonline.com/tenant".into(),
                "https://graph.microsoft.com/v1.0".into(),
                "https://graph.microsoft.com/beta".into(),
            ],
        );
        assert!(p.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(p.contains(
            "connect-src 'self' https://login.microsoftonline.com https://graph.microsoft.com;"
        ));
        assert!(!p.contains("unsafe-inline") && !p.contains("'unsafe-eval'"));
        assert!(p.starts_with("default-src 'none'"));
    }
}
