//! Shortens the names the wasm and its loader share. wasm-bindgen names each import after
//! its JS function with a hash (`__wbg_set_href_0f986799cac24892`) and each export after its
//! Rust item, and every name is written twice: in the wasm and in the loader. binaryen's
//! `--minify-imports-and-exports-and-modules` renames them (`$`, `Aa`, …; one import
//! module `a`) and prints the mapping, which is applied here to the loader, before terser
//! (while the loader still calls the exports `wasm.<name>`). Then both files' integrity
//! hashes in `index.html` are refreshed. About 6 KB gzip of the first visit
//! (docs/size.md).
//!
//! Every rename is checked: an import name must be the one key of the import object, an
//! export must be reached only as `wasm.<name>`. A loader of another shape fails the build
//! with the name in question, rather than shipping an app that cannot start.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{Fail, root};
use crate::minify::{integrity, replace_integrity};
use crate::toolchain;

/// The import module binaryen gives every import.
const MODULE: &str = "a";

/// binaryen's mapping: each import as `(module, old, new)`, each export as `(old, new)`.
#[derive(Debug, PartialEq)]
pub struct Renames {
    pub imports: Vec<(String, String, String)>,
    pub exports: Vec<(String, String)>,
}

/// Reads the JSON binaryen prints.
pub fn parse_mapping(json: &str) -> Result<Renames, Fail> {
    let v: serde_json::Value = serde_json::from_str(json.trim())
        .map_err(|e| Fail::new(format!("wasm-opt's name mapping: {e}")))?;
    let strings = |row: &serde_json::Value| -> Option<Vec<String>> {
        row.as_array()?
            .iter()
            .map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let rows = |key: &str, width: usize| -> Result<Vec<Vec<String>>, Fail> {
        v[key]
            .as_array()
            .ok_or_else(|| Fail::new(format!("wasm-opt's name mapping has no {key}")))?
            .iter()
            .map(|row| {
                strings(row)
                    .filter(|r| r.len() == width)
                    .ok_or_else(|| Fail::new(format!("wasm-opt's name mapping: {row} in {key}")))
            })
            .collect()
    };
    Ok(Renames {
        imports: rows("imports", 3)?
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
            .collect(),
        exports: rows("exports", 2)?
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect(),
    })
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// `text` with every `from` that is a whole name (no name character right before or
/// after it) replaced by `to`, and how many there were.
fn replace_names(text: &str, from: &str, to: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + from.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_ident) || after.is_some_and(is_ident) {
            out.push_str(from);
        } else {
            out.push_str(to);
            count += 1;
        }
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    (out, count)
}

/// Whether `js` reads a property `name` (`.name`, the name whole).
fn has_property(js: &str, name: &str) -> bool {
    let dotted = format!(".{name}");
    js.match_indices(&dotted)
        .any(|(i, _)| !js[i + dotted.len()..].chars().next().is_some_and(is_ident))
}

/// The loader with `renames` applied: each import key renamed (exactly one each), the
/// import module's key renamed to [`MODULE`], each `wasm.<export>` renamed; no import
/// name left, and no export name left as a property.
pub fn rename_in_loader(js: &str, renames: &Renames) -> Result<String, Fail> {
    let mut js = js.to_string();
    let mut modules: Vec<&str> = renames.imports.iter().map(|(m, _, _)| m.as_str()).collect();
    modules.sort_unstable();
    modules.dedup();
    for module in modules {
        let key = format!("\"{module}\":");
        match js.matches(&key).count() {
            1 => js = js.replace(&key, &format!("\"{MODULE}\":")),
            n => {
                return Err(Fail::new(format!(
                    "the loader names import module {module:?} {n} times, expected once"
                )));
            }
        }
    }
    for (_, old, new) in &renames.imports {
        let (renamed, n) = replace_names(&js, &format!("{old}:"), &format!("{new}:"));
        if n != 1 {
            return Err(Fail::new(format!(
                "the loader has {n} keys {old:?} in its import object, expected 1"
            )));
        }
        js = renamed;
        if replace_names(&js, old, old).1 != 0 {
            return Err(Fail::new(format!(
                "the loader uses import {old:?} outside its import object"
            )));
        }
    }
    for (old, new) in &renames.exports {
        js = replace_names(&js, &format!("wasm.{old}"), &format!("wasm.{new}")).0;
        // Another property of that name (not a local of that name) could be this export.
        if has_property(&js, old) {
            return Err(Fail::new(format!(
                "the loader reaches export {old:?} other than as wasm.{old}"
            )));
        }
    }
    Ok(js)
}

/// The `--enable-…` flags of `index.html`'s wasm-opt parameters: the features the wasm
/// was optimised with, which binaryen must accept again.
fn features() -> Result<Vec<String>, Fail> {
    let html = std::fs::read_to_string(root().join("index.html"))
        .map_err(|e| Fail::new(format!("index.html: {e}")))?;
    let flags: Vec<String> = html
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
        .filter(|w| w.starts_with("--enable-"))
        .map(str::to_string)
        .collect();
    if flags.is_empty() {
        return Err(Fail::new(
            "index.html's data-wasm-opt-params enable no feature",
        ));
    }
    Ok(flags)
}

fn one_file(dist: &Path, suffix: &str) -> Result<PathBuf, Fail> {
    let found: Vec<PathBuf> = std::fs::read_dir(dist)
        .map_err(|e| Fail::new(format!("{}: {e}", dist.display())))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(Fail::new(format!(
            "{} holds {} files ending in {suffix}, expected 1",
            dist.display(),
            found.len()
        ))),
    }
}

/// Shortens the names of trunk's release output in `dist` (before the loader is minified).
pub fn shorten(dist: &Path) -> Result<(), Fail> {
    let wasm = one_file(dist, "_bg.wasm")?;
    let loader = PathBuf::from(
        wasm.to_string_lossy()
            .trim_end_matches("_bg.wasm")
            .to_string()
            + ".js",
    );
    let read = |p: &Path| std::fs::read(p).map_err(|e| Fail::new(format!("{}: {e}", p.display())));
    let (wasm_before, js_before) = (read(&wasm)?, read(&loader)?);
    let out = Command::new("wasm-opt")
        .arg(&wasm)
        .args(features()?)
        .args(["--minify-imports-and-exports-and-modules", "-o"])
        .arg(&wasm)
        .env("PATH", toolchain::path_env())
        .output()
        .map_err(|e| Fail::new(format!("cannot run wasm-opt: {e}")))?;
    if !out.status.success() {
        return Err(Fail::new(format!(
            "wasm-opt --minify-imports-and-exports-and-modules: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let renames = parse_mapping(&String::from_utf8_lossy(&out.stdout))?;
    let js = String::from_utf8(js_before.clone()).map_err(|e| Fail::new(e.to_string()))?;
    let js = rename_in_loader(&js, &renames)?;
    std::fs::write(&loader, &js).map_err(|e| Fail::new(e.to_string()))?;
    let index_path = dist.join("index.html");
    let mut index = std::fs::read_to_string(&index_path).map_err(|e| Fail::new(e.to_string()))?;
    index = replace_integrity(&index, &integrity(&js_before), &integrity(js.as_bytes()))?;
    index = replace_integrity(&index, &integrity(&wasm_before), &integrity(&read(&wasm)?))?;
    std::fs::write(&index_path, index).map_err(|e| Fail::new(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renames() -> Renames {
        parse_mapping(
            r#"{
 "imports": [
  ["./app_bg.js", "__wbg_set_href_0f98", "$"],
  ["./app_bg.js", "__wbg_get_d717", "Aa"]
 ],
 "exports": [["memory", "Wc"], ["__wbindgen_malloc", "ud"], ["__wbindgen_malloc_command_export", "vd"]]
}"#,
        )
        .unwrap()
    }

    #[test]
    fn binaryens_mapping_is_read() {
        let r = renames();
        assert_eq!(
            r.imports[1],
            ("./app_bg.js".into(), "__wbg_get_d717".into(), "Aa".into())
        );
        assert_eq!(r.exports[0], ("memory".into(), "Wc".into()));
        assert!(parse_mapping(r#"{"imports": [["a", "b"]], "exports": []}"#).is_err());
        assert!(parse_mapping("not json").is_err());
    }

    #[test]
    fn the_loader_calls_the_new_names_and_keeps_everything_else() {
        let js = r#"function imports() {
    const import0 = {
        __wbg_set_href_0f98: function(a, b) { a.href = getString(b); },
        __wbg_get_d717: function(a, b) { return a[b]; },
    };
    return { "./app_bg.js": import0 };
}
function finish(instance) {
    wasm = instance.exports;
    new Uint8Array(wasm.memory.buffer);
    passString(s, wasm.__wbindgen_malloc, wasm.__wbindgen_malloc_command_export);
    const memory = 1; // a local named like an export stays
}"#;
        let out = rename_in_loader(js, &renames()).unwrap();
        assert!(out.contains("$: function(a, b) { a.href"));
        assert!(out.contains("Aa: function(a, b) { return a[b]; }"));
        assert!(out.contains(r#"return { "a": import0 };"#));
        assert!(out.contains("new Uint8Array(wasm.Wc.buffer)"));
        assert!(out.contains("passString(s, wasm.ud, wasm.vd);"), "{out}");
        assert!(out.contains("const memory = 1;"));
        assert!(!out.contains("__wbg_"));
    }

    #[test]
    fn a_loader_of_another_shape_is_an_error_not_a_broken_app() {
        // An import called from elsewhere than its key.
        let twice = "const i = { __wbg_get_d717: function() {}, __wbg_set_href_0f98: function() {} }; \
                     __wbg_get_d717(); x = { \"./app_bg.js\": i };";
        let e = rename_in_loader(twice, &renames()).unwrap_err();
        assert!(e.0.contains("__wbg_get_d717"), "{e}");
        // An export reached another way than wasm.<name>.
        let other = "const i = { __wbg_get_d717: function() {}, __wbg_set_href_0f98: function() {} }; \
                     x = { \"./app_bg.js\": i }; instance.exports.__wbindgen_malloc(1);";
        let e = rename_in_loader(other, &renames()).unwrap_err();
        assert!(e.0.contains("__wbindgen_malloc"), "{e}");
        // No import object for the module.
        let e = rename_in_loader("nothing here", &renames()).unwrap_err();
        assert!(e.0.contains("./app_bg.js"), "{e}");
    }

    #[test]
    fn only_whole_names_are_replaced() {
        assert_eq!(
            replace_names("a.memory; memory2; $memory", "memory", "m"),
            ("a.m; memory2; $memory".into(), 1)
        );
        assert_eq!(
            replace_names("x_h1 x_h1_14", "x_h1", "y"),
            ("y x_h1_14".into(), 1)
        );
    }
}
