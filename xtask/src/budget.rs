//! The first-visit budget: the bytes a deployment sends for a first visit, counted on the
//! precompressed `.gz` files it actually serves (gzip: every host and browser has it, so it
//! is the worst common case), with brotli reported beside it. A byte count, never a timing:
//! the same build always gives the same answer.

use std::path::Path;

use crate::cmd::Fail;
use crate::compress;

/// At most this many bytes, sent with gzip, for a first visit (issue #14).
pub const BUDGET_BYTES: u64 = 320_000;

/// How a file reaches the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Its `.gz`/`.br` from `cargo xtask dist` (compress.rs); the `.gz` must be there.
    Precompressed,
    /// As it is: `config.json`, which the operator edits after the build (hosts may gzip it
    /// on the fly; it is counted uncompressed, the worst case).
    AsIs,
}

/// One kind of file a first visit loads.
pub struct FirstVisit {
    pub what: &'static str,
    /// Which file of dist/ it is (by name): exactly one must match, unless `largest`.
    pub matches: fn(&str) -> bool,
    pub sent: Sent,
    /// One of several (a visit loads the language file of its language only): the largest
    /// is counted, the worst first visit.
    pub largest: bool,
}

/// Everything a first visit loads, by kind. Each entry must match exactly one file at the
/// top of dist/, so a second wasm or a renamed file fails the check instead of slipping
/// past it.
///
/// A first visit loads its language file (`lang-*.json`, English's included), so the
/// largest one is counted.
pub const FIRST_VISIT: &[FirstVisit] = &[
    FirstVisit {
        what: "page",
        matches: |n| n == "index.html",
        sent: Sent::Precompressed,
        largest: false,
    },
    FirstVisit {
        what: "JS loader",
        matches: |n| n.ends_with(".js"),
        sent: Sent::Precompressed,
        largest: false,
    },
    FirstVisit {
        what: "app wasm",
        matches: |n| n.ends_with(".wasm"),
        sent: Sent::Precompressed,
        largest: false,
    },
    FirstVisit {
        what: "CSS",
        matches: |n| n.ends_with(".css"),
        sent: Sent::Precompressed,
        largest: false,
    },
    FirstVisit {
        what: "config",
        matches: |n| n == "config.json",
        sent: Sent::AsIs,
        largest: false,
    },
    FirstVisit {
        what: "language file, the largest",
        matches: |n| n.starts_with("lang-") && n.ends_with(".json"),
        sent: Sent::Precompressed,
        largest: true,
    },
];

/// A config.json as operators ship it, counted when dist/ has none (`cargo xtask budget`
/// on a build whose config is served from elsewhere).
pub const EXAMPLE_CONFIG: &str = r#"{
  "clientId": "00000000-0000-0000-0000-000000000000",
  "tenantId": "contoso.onmicrosoft.com",
  "cloud": "global",
  "graphVersion": "v1.0",
  "redirectUri": "https://admin.contoso.com/access-desk/"
}
"#;

/// One file of the first visit: bytes sent with gzip (what the budget counts), with
/// brotli, and for comparison gzip -9 (what a host compressing on the fly sends at best).
#[derive(Debug)]
pub struct Entry {
    pub what: &'static str,
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
    pub gzip_9: u64,
}

fn size(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

/// The first visit of `dist`, with `config` as the config.json it is served.
pub fn first_visit(dist: &Path, config: &[u8]) -> Result<Vec<Entry>, Fail> {
    let names: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| Fail::new(format!("{}: {e}", dist.display())))?
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut out = Vec::new();
    for kind in FIRST_VISIT {
        if kind.sent == Sent::AsIs {
            let gzip_9 = compress::gzip_9(config).len() as u64;
            let n = config.len() as u64;
            out.push(Entry {
                what: kind.what,
                name: "config.json".into(),
                raw: n,
                gzip: n,
                brotli: n,
                gzip_9,
            });
            continue;
        }
        let mut found: Vec<&String> = names.iter().filter(|n| (kind.matches)(n)).collect();
        if kind.largest {
            found.sort_by_key(|n| std::cmp::Reverse(size(&dist.join(format!("{n}.gz")))));
            found.truncate(1);
        }
        let [name] = found[..] else {
            return Err(Fail::new(format!(
                "the first visit's {} should be one file of {}, found {found:?}: build the app first (cargo xtask dist), or update budget::FIRST_VISIT",
                kind.what,
                dist.display()
            )));
        };
        let path = dist.join(name);
        let bytes = std::fs::read(&path).map_err(|e| Fail::new(e.to_string()))?;
        let variant = |ext: &str| size(&dist.join(format!("{name}{ext}")));
        // A variant is left out only when it would not be smaller (compress.rs): then the
        // file goes as it is. A missing .gz of a file that compresses means the dist was
        // not precompressed, and the count would be a guess: an error.
        let gzip_9 = compress::gzip_9(&bytes).len() as u64;
        let gzip = match variant(".gz") {
            Some(n) => n,
            None if gzip_9 >= bytes.len() as u64 => bytes.len() as u64,
            None => {
                return Err(Fail::new(format!(
                    "{name}.gz is missing: dist/ was not precompressed (compress::precompress)"
                )));
            }
        };
        out.push(Entry {
            what: kind.what,
            name: name.clone(),
            raw: bytes.len() as u64,
            gzip,
            brotli: variant(".br").unwrap_or(bytes.len() as u64),
            gzip_9,
        });
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.gzip));
    Ok(out)
}

/// Sums of a first visit: (gzip, brotli, gzip -9).
pub fn totals(entries: &[Entry]) -> (u64, u64, u64) {
    entries.iter().fold((0, 0, 0), |(g, b, g9), e| {
        (g + e.gzip, b + e.brotli, g9 + e.gzip_9)
    })
}

/// Prints the per-file table and returns whether the gzip total fits the budget.
pub fn check(dist: &Path, config: &[u8]) -> Result<bool, Fail> {
    let entries = first_visit(dist, config)?;
    println!(
        "first-visit budget: bytes sent, counted on the precompressed .gz (brotli beside it):"
    );
    println!(
        "  {:>9} {:>9} {:>9} {:>9}  file",
        "gzip", "brotli", "(gzip -9)", "raw"
    );
    for e in &entries {
        println!(
            "  {:>9} {:>9} {:>9} {:>9}  {} ({})",
            e.gzip, e.brotli, e.gzip_9, e.raw, e.name, e.what
        );
    }
    let (gzip, brotli, gzip_9) = totals(&entries);
    let ok = gzip <= BUDGET_BYTES;
    println!(
        "  {gzip:>9} {brotli:>9} {gzip_9:>9}  total; sent with gzip {gzip} B, budget {BUDGET_BYTES} B: {}",
        if ok { "within budget" } else { "OVER BUDGET" }
    );
    Ok(ok)
}

/// `cargo xtask budget`: dist/ as it is, with its config.json or the example one.
pub fn check_dist(dist: &Path) -> Result<bool, Fail> {
    let config = std::fs::read(dist.join("config.json"))
        .unwrap_or_else(|_| EXAMPLE_CONFIG.as_bytes().to_vec());
    check(dist, &config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist_with(files: &[(&str, Vec<u8>)]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "xtask-budget-{}-{}",
            std::process::id(),
            files.len()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        dir
    }

    fn wasm_like(n: usize) -> Vec<u8> {
        // Compressible but not trivially: a pseudo-random walk over a small alphabet.
        let mut x: u32 = 12345;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                b"abcdefgh"[(x >> 16) as usize % 8]
            })
            .collect()
    }

    #[test]
    fn the_budget_counts_the_gz_files_sent_and_reports_brotli_beside_it() {
        let dir = dist_with(&[
            (
                "index.html",
                b"<!doctype html><title>Access Desk</title>".repeat(20),
            ),
            (
                "app-1f2e.js",
                b"export function f() { return 1; }\n".repeat(30),
            ),
            ("app-1f2e_bg.wasm", wasm_like(20_000)),
            ("main-9a8b.css", b"body { margin: 0 }\n".repeat(10)),
            ("404.html", b"not counted".to_vec()),
            // A visit loads one language file: the largest is counted.
            (
                "lang-fr.json",
                b"{\"AppName\": \"Access Desk\"}\n".repeat(40),
            ),
            (
                "lang-zh-CN.json",
                b"{\"AppName\": \"Access Desk\"}\n".repeat(10),
            ),
        ]);
        compress::precompress_quietly(&dir).unwrap();
        // Make the sent .gz of the wasm recognisably different from any compression of it:
        // the budget must read that file, not compress the wasm itself.
        std::fs::write(dir.join("app-1f2e_bg.wasm.gz"), vec![0u8; 7_777]).unwrap();
        let config = EXAMPLE_CONFIG.as_bytes();
        let entries = first_visit(&dir, config).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(entries.len(), 6, "{names:?}");
        assert!(!names.contains(&"404.html"));
        assert!(names.contains(&"lang-fr.json") && !names.contains(&"lang-zh-CN.json"));
        let wasm = entries.iter().find(|e| e.what == "app wasm").unwrap();
        assert_eq!(wasm.gzip, 7_777);
        assert_eq!(
            wasm.brotli,
            std::fs::metadata(dir.join("app-1f2e_bg.wasm.br"))
                .unwrap()
                .len()
        );
        let cfg = entries.iter().find(|e| e.name == "config.json").unwrap();
        assert_eq!(
            cfg.gzip,
            config.len() as u64,
            "config.json is counted as sent, uncompressed"
        );
        let (gzip, brotli, _) = totals(&entries);
        assert_eq!(gzip, entries.iter().map(|e| e.gzip).sum::<u64>());
        assert!(brotli < gzip);
        assert!(check(&dir, config).unwrap());

        // Over the budget when the bytes sent are: a .gz as large as the budget.
        std::fs::write(
            dir.join("app-1f2e_bg.wasm.gz"),
            vec![0u8; BUDGET_BYTES as usize],
        )
        .unwrap();
        assert!(!check(&dir, config).unwrap());

        // A dist that was not precompressed cannot be counted.
        std::fs::remove_file(dir.join("app-1f2e_bg.wasm.gz")).unwrap();
        assert!(first_visit(&dir, config).is_err());

        // Nor one with two wasm files: which one a visit loads would be a guess.
        compress::precompress_quietly(&dir).unwrap();
        std::fs::write(dir.join("other_bg.wasm"), wasm_like(100)).unwrap();
        let e = first_visit(&dir, config).unwrap_err();
        assert!(e.0.contains("app wasm"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
