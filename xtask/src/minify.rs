//! Minifies the wasm-bindgen loader that trunk leaves as it is (trunk's own `minify`
//! cannot parse it), then puts the new file's subresource-integrity hash in
//! `index.html`. Worth ~2.2 KB gzip of the first visit.

use std::path::Path;
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha384};

use crate::cmd::{Fail, run};
use crate::toolchain;

/// `sha384-…` of `bytes`, as trunk writes it in `integrity`.
pub fn integrity(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

/// `index` with the integrity `old` replaced by `new` (quoted or not: trunk's HTML
/// minifier drops the quotes). Exactly one occurrence is expected: trunk preloads the
/// loader once. Anything else means trunk's output changed shape, and a stale hash would
/// stop the app from loading, so it is an error.
pub fn replace_integrity(index: &str, old: &str, new: &str) -> Result<String, Fail> {
    match index.matches(old).count() {
        1 => Ok(index.replace(old, new)),
        n => Err(Fail::new(format!(
            "index.html has {n} references to the loader's integrity {old}, expected 1"
        ))),
    }
}

/// Minifies every `.js` of `dist` with terser (from the project's tools) and updates the
/// integrity hashes in `dist/index.html`.
pub fn minify_loader(dist: &Path) -> Result<(), Fail> {
    let index_path = dist.join("index.html");
    let mut index = std::fs::read_to_string(&index_path).map_err(|e| Fail::new(e.to_string()))?;
    let dir = std::fs::read_dir(dist).map_err(|e| Fail::new(e.to_string()))?;
    for entry in dir.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "js") {
            continue;
        }
        let before = std::fs::read(&path).map_err(|e| Fail::new(e.to_string()))?;
        run(Command::new("terser")
            .arg(&path)
            .args(["--module", "--compress", "passes=2", "--mangle", "--output"])
            .arg(&path)
            .env("PATH", toolchain::path_env()))?;
        let after = std::fs::read(&path).map_err(|e| Fail::new(e.to_string()))?;
        index = replace_integrity(&index, &integrity(&before), &integrity(&after))?;
    }
    std::fs::write(&index_path, index).map_err(|e| Fail::new(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_is_sha384_in_base64_as_browsers_check_it() {
        // printf 'alert(1)' | openssl dgst -sha384 -binary | base64
        assert_eq!(
            integrity(b"alert(1)"),
            "sha384-HT2E9NfWiuQ/w1PRai+hTyqW16NIoCGA/m8VQDUopfAtcz6YQjtsMmQd5uRbVDpW"
        );
    }

    #[test]
    fn the_loaders_hash_is_replaced_once_and_a_missing_one_is_an_error() {
        let index = r#"<link rel="modulepreload" href="/a.js" integrity="sha384-OLD"><link rel="preload" href="/a.wasm" integrity="sha384-WASM">"#;
        let out = replace_integrity(index, "sha384-OLD", "sha384-NEW").unwrap();
        assert!(out.contains(r#"href="/a.js" integrity="sha384-NEW""#));
        assert!(
            out.contains(r#"integrity="sha384-WASM""#),
            "other files keep theirs"
        );
        assert!(replace_integrity(index, "sha384-GONE", "sha384-NEW").is_err());
        let minified = "<link href=/a.js integrity=sha384-OLD rel=modulepreload>";
        assert_eq!(
            replace_integrity(minified, "sha384-OLD", "sha384-NEW").unwrap(),
            "<link href=/a.js integrity=sha384-NEW rel=modulepreload>"
        );
    }
}
