//! The bundle-size budget: gzip size of everything a first visit loads.

use std::io::Write;
use std::path::Path;

use flate2::{Compression, write::GzEncoder};

use crate::cmd::Fail;

/// At most this many gzip bytes for a first visit (issue 7: 300 KB).
pub const BUDGET_BYTES: u64 = 300 * 1000;

/// One file of the first visit, with its raw and gzip sizes.
pub struct Entry {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
}

/// Files a first visit loads: the page, its scripts, styles and wasm, and config.json.
pub fn first_visit(dist: &Path) -> Result<Vec<Entry>, Fail> {
    let mut out = Vec::new();
    let dir = std::fs::read_dir(dist).map_err(|e| Fail::new(format!("{}: {e}", dist.display())))?;
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let loaded = name == "index.html"
            || name == "config.json"
            || [".js", ".wasm", ".css"]
                .iter()
                .any(|ext| name.ends_with(ext));
        if !loaded || !entry.path().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| Fail::new(e.to_string()))?;
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&bytes).map_err(|e| Fail::new(e.to_string()))?;
        let gzip = gz.finish().map_err(|e| Fail::new(e.to_string()))?.len() as u64;
        out.push(Entry {
            name,
            raw: bytes.len() as u64,
            gzip,
        });
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.gzip));
    Ok(out)
}

/// Prints the per-file table and returns whether the total fits the budget.
pub fn check(dist: &Path) -> Result<bool, Fail> {
    let entries = first_visit(dist)?;
    if !entries.iter().any(|e| e.name.ends_with(".wasm")) {
        return Err(Fail::new(format!(
            "no .wasm in {}: build the app first",
            dist.display()
        )));
    }
    println!("bundle budget (gzip -9 of everything a first visit loads):");
    let mut total = 0;
    for e in &entries {
        println!("  {:>9} B gzip  {:>9} B raw  {}", e.gzip, e.raw, e.name);
        total += e.gzip;
    }
    let ok = total <= BUDGET_BYTES;
    println!(
        "  {total:>9} B gzip in total, budget {BUDGET_BYTES} B: {}",
        if ok { "within budget" } else { "OVER BUDGET" }
    );
    Ok(ok)
}
