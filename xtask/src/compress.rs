//! Precompressed copies of the built assets: `<file>.gz` and `<file>.br` next to every text
//! and wasm file of a dist folder, so hosts send them as they are instead of compressing
//! on the fly at a low level (nginx `gzip_static`/`brotli_static`, Azure Static Web Apps,
//! S3 objects uploaded with `Content-Encoding`).
//!
//! gzip is written by zopfli, at the price of build time: its output is plain deflate that
//! any gzip client reads, and smaller than `gzip -9` (see README, Size). Brotli at quality
//! 11 with the largest window the browsers' decoders accept by default (lgwin 22… 24).

use std::io::Write;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use crate::cmd::Fail;

/// Extensions worth compressing: text and wasm. Images such as png/jpg/webp are already
/// compressed and are left alone.
pub const COMPRESSIBLE: &[&str] = &[
    "html",
    "js",
    "mjs",
    "css",
    "wasm",
    "json",
    "svg",
    "txt",
    "xml",
    "map",
    "webmanifest",
];

/// Files never precompressed. `config.json` is edited by the operator after the build: a
/// `.gz` next to it would go on being served, stale, in place of the edited file.
/// `staticwebapp.config.json` is read by Azure, never sent to a browser.
pub const NEVER: &[&str] = &["config.json", "staticwebapp.config.json"];

/// zopfli's iterations (its default is 15). On the app's wasm (711 KB): gzip -9 288 371 B
/// in 0.5 s; zopfli 1 iteration 275 055 B in 2.4 s, 5: 274 772 B in 3.9 s, 15: 274 680 B
/// in 7.8 s, 50: 274 650 B in 21 s. Five keeps nearly all of the gain and finishes within
/// brotli 11's 9.5 s, which runs beside it.
const ZOPFLI_ITERATIONS: u64 = 5;

pub fn should_compress(name: &str) -> bool {
    !NEVER.contains(&name)
        && name
            .rsplit_once('.')
            .is_some_and(|(_, ext)| COMPRESSIBLE.contains(&ext.to_ascii_lowercase().as_str()))
}

/// gzip by zopfli.
pub fn gzip_zopfli(bytes: &[u8]) -> Vec<u8> {
    gzip_zopfli_with(bytes, ZOPFLI_ITERATIONS)
}

fn gzip_zopfli_with(bytes: &[u8], iterations: u64) -> Vec<u8> {
    let options = zopfli::Options {
        iteration_count: NonZeroU64::new(iterations).expect("non-zero"),
        ..zopfli::Options::default()
    };
    let mut out = Vec::new();
    zopfli::compress(options, zopfli::Format::Gzip, bytes, &mut out).expect("in memory");
    out
}

/// gzip -9 (flate2), for comparison with what hosts compressing on the fly send at best.
pub fn gzip_9(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).expect("in memory");
    gz.finish().expect("in memory")
}

/// Brotli at quality 11.
pub fn brotli_11(bytes: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("in memory");
    out
}

/// One file and the variants written next to it.
#[derive(Debug)]
pub struct Compressed {
    pub path: PathBuf,
    pub raw: u64,
    /// None when the variant would not be smaller than the file (it is then not written:
    /// a host would send it anyway).
    pub gzip: Option<u64>,
    pub brotli: Option<u64>,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Fail> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Fail::new(format!("{}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// [`precompress_quietly`], then one line saying what it wrote and how long it took.
pub fn precompress(dir: &Path) -> Result<(), Fail> {
    let started = std::time::Instant::now();
    let out = precompress_quietly(dir)?;
    let sum = |f: fn(&Compressed) -> u64| out.iter().map(f).sum::<u64>();
    let names: Vec<String> = out
        .iter()
        .filter_map(|c| c.path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    println!(
        "precompressed {} ({}) in {:.1} s: {} B raw, {} B .gz (zopfli), {} B .br",
        dir.display(),
        names.join(", "),
        started.elapsed().as_secs_f64(),
        sum(|c| c.raw),
        sum(|c| c.gzip.unwrap_or(c.raw)),
        sum(|c| c.brotli.unwrap_or(c.raw)),
    );
    Ok(())
}

/// Writes `.gz` and `.br` next to every compressible file under `dir`, after removing every
/// `.gz`/`.br` already there: after a page is rewritten (the CSP meta), or a file removed,
/// no stale variant may stay to be served in its place. Returns what it wrote.
pub fn precompress_quietly(dir: &Path) -> Result<Vec<Compressed>, Fail> {
    let mut all = Vec::new();
    files(dir, &mut all)?;
    for p in &all {
        if p.extension().is_some_and(|e| e == "gz" || e == "br") {
            std::fs::remove_file(p).map_err(|e| Fail::new(format!("{}: {e}", p.display())))?;
        }
    }
    let sources: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| {
            !p.extension().is_some_and(|e| e == "gz" || e == "br")
                && p.file_name()
                    .is_some_and(|n| should_compress(&n.to_string_lossy()))
        })
        .collect();
    // The wasm takes most of the time; its two encodings run side by side, and so do the
    // files. A handful of files, so one thread per (file, encoding).
    let results: Vec<Result<Compressed, Fail>> = std::thread::scope(|s| {
        let handles: Vec<_> = sources
            .iter()
            .map(|path| {
                s.spawn(move || -> Result<Compressed, Fail> {
                    let bytes = std::fs::read(path)
                        .map_err(|e| Fail::new(format!("{}: {e}", path.display())))?;
                    let (gz, br) = std::thread::scope(|s| {
                        let gz = s.spawn(|| gzip_zopfli(&bytes));
                        let br = brotli_11(&bytes);
                        (gz.join().expect("zopfli thread"), br)
                    });
                    let write = |ext: &str, data: &[u8]| -> Result<Option<u64>, Fail> {
                        if data.len() >= bytes.len() {
                            return Ok(None);
                        }
                        let mut name = path.as_os_str().to_owned();
                        name.push(ext);
                        std::fs::write(&name, data)
                            .map_err(|e| Fail::new(format!("{}: {e}", path.display())))?;
                        Ok(Some(data.len() as u64))
                    };
                    Ok(Compressed {
                        path: path.clone(),
                        raw: bytes.len() as u64,
                        gzip: write(".gz", &gz)?,
                        brotli: write(".br", &br)?,
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("compression thread"))
            .collect()
    });
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn unbrotli(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::Decompressor::new(data, 4096)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    /// Sizes and times of each encoder on a real file, for README's Size section:
    /// `XTASK_MEASURE=dist/x_bg.wasm cargo test -p xtask --release measure -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn measure() {
        let path = std::env::var("XTASK_MEASURE").expect("XTASK_MEASURE=<file>");
        let bytes = std::fs::read(&path).unwrap();
        let time = |what: &str, f: &dyn Fn() -> Vec<u8>| {
            let t = std::time::Instant::now();
            let n = f().len();
            println!(
                "{what:>22}: {n:>9} B in {:>6.2} s",
                t.elapsed().as_secs_f64()
            );
        };
        println!("{path}: {} B raw", bytes.len());
        time("gzip -9 (flate2)", &|| gzip_9(&bytes));
        for i in [1, 5, 15, 50] {
            time(&format!("zopfli, {i} iterations"), &|| {
                gzip_zopfli_with(&bytes, i)
            });
        }
        time("brotli 11", &|| brotli_11(&bytes));
    }

    #[test]
    fn text_and_wasm_are_compressed_images_and_the_operators_config_are_not() {
        for name in [
            "index.html",
            "a-1f2e.js",
            "a_bg.wasm",
            "main.css",
            "i18n-fr.json",
            "x.svg",
        ] {
            assert!(should_compress(name), "{name}");
        }
        for name in [
            "config.json",
            "staticwebapp.config.json",
            "logo.png",
            "a.wasm.gz",
            "README",
        ] {
            assert!(!should_compress(name), "{name}");
        }
    }

    #[test]
    fn both_encodings_decode_to_the_original_and_zopfli_beats_gzip_9() {
        let text: String = (0..4000)
            .map(|i| format!("<tr data-id=\"{i}\"><td>deliveryFailed</td></tr>\n"))
            .collect();
        let gz = gzip_zopfli(text.as_bytes());
        let br = brotli_11(text.as_bytes());
        assert_eq!(gunzip(&gz), text.as_bytes());
        assert_eq!(unbrotli(&br), text.as_bytes());
        assert!(gz.len() < gzip_9(text.as_bytes()).len());
        assert!(br.len() < gz.len());
    }

    #[test]
    fn variants_are_written_next_to_the_files_and_stale_ones_removed() {
        let dir = std::env::temp_dir().join(format!("xtask-compress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let page = "<!doctype html><title>Access Desk</title>".repeat(50);
        std::fs::write(dir.join("index.html"), &page).unwrap();
        std::fs::write(dir.join("sub/app.js"), "export const a = 1;".repeat(40)).unwrap();
        std::fs::write(dir.join("config.json"), "{\"clientId\": \"x\"}".repeat(20)).unwrap();
        std::fs::write(dir.join("logo.png"), [0u8; 400]).unwrap();
        std::fs::write(dir.join("tiny.js"), "1").unwrap();
        // Left by an earlier build: its source is gone, and config.json must never have one.
        std::fs::write(dir.join("old-1234.js.gz"), "stale").unwrap();
        std::fs::write(dir.join("config.json.gz"), "stale").unwrap();

        let mut out = precompress_quietly(&dir).unwrap();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        let names: Vec<String> = out
            .iter()
            .map(|c| c.path.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["index.html", "sub/app.js", "tiny.js"]);
        assert_eq!(
            gunzip(&std::fs::read(dir.join("index.html.gz")).unwrap()),
            page.as_bytes()
        );
        assert_eq!(
            unbrotli(&std::fs::read(dir.join("index.html.br")).unwrap()),
            page.as_bytes()
        );
        assert!(dir.join("sub/app.js.br").exists());
        // Compression that would not make the file smaller is not written.
        assert_eq!((out[2].gzip, out[2].brotli), (None, None));
        assert!(!dir.join("tiny.js.gz").exists());
        for gone in [
            "old-1234.js.gz",
            "config.json.gz",
            "config.json.br",
            "logo.png.gz",
        ] {
            assert!(!dir.join(gone).exists(), "{gone}");
        }
        // Again: the same files, nothing left over.
        assert_eq!(precompress_quietly(&dir).unwrap().len(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
