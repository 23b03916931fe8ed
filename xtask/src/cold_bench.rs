//! `cargo xtask bench cold`: a cold first visit of a bookmarked filtered view, as a
//! deployment serves it (nginx, precompressed assets, the generated snippet), against a
//! release sandbox with 50 000 requests, in headless Chromium under network emulation
//! (end2end/bench/cold.mjs). Reported, never asserted.

use crate::cmd::Fail;
use crate::{nginx_e2e, stack};

/// Milliseconds of one column of the table, from the script's medians.
fn ms(v: &serde_json::Value, k: &str) -> String {
    v["median"][k]
        .as_f64()
        .map_or("?".into(), |x| format!("{x:.0}"))
}

/// The table README.md shows, from the script's JSON.
pub fn table(v: &serde_json::Value) -> String {
    let mut out = String::from(
        "| profile | token | first rows (median) | html | js/wasm/css | compile + instantiate | config.json | token | Graph | render | wasm bytes sent |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in v["results"].as_array().into_iter().flatten() {
        let p = &r["profile"];
        out.push_str(&format!(
            "| {} ({} Mbit/s, {} ms) | {} | **{} ms** | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            p["name"].as_str().unwrap_or("?"),
            p["downMbit"],
            p["rttMs"],
            if r["renew"].as_bool() == Some(true) {
                "renewed"
            } else {
                "cached"
            },
            ms(r, "firstRows"),
            ms(r, "html"),
            ms(r, "assets"),
            ms(r, "compile"),
            ms(r, "config"),
            ms(r, "token"),
            ms(r, "graph"),
            ms(r, "render"),
            r["bytes"]["wasm"],
        ));
    }
    out
}

pub fn cold_bench() -> Result<(), Fail> {
    crate::toolchain::setup()?;
    let sandbox_bin = stack::build_sandbox(true)?;
    // Test control: the run sets the sandbox's Graph latency per profile.
    let deployment = nginx_e2e::deploy(&sandbox_bin, &["--requests", "50000", "--test-control"])?;
    let out = std::process::Command::new("node")
        .current_dir(crate::root().join("end2end"))
        .arg("bench/cold.mjs")
        .env("APP_URL", &deployment.app_url)
        .env("SANDBOX_URL", &deployment.sandbox_url)
        .env("CHROMIUM", crate::toolchain::CHROMIUM)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| Fail::new(format!("cannot start node: {e}")))?;
    drop(deployment);
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(Fail::new(format!("the cold benchmark failed: {text}")));
    }
    let v: serde_json::Value = text
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| Fail::new(format!("cold benchmark printed no result: {text}")))?;
    println!(
        "cold first visit of {} (nginx, precompressed; 50 000 requests; {}), median of {} runs each:",
        v["bookmark"].as_str().unwrap_or("?"),
        v["userAgent"].as_str().unwrap_or("?"),
        v["results"][0]["runs"]
    );
    print!("{}", table(&v));
    for r in v["results"].as_array().into_iter().flatten() {
        println!(
            "  {} {}: first rows {} ms; bytes sent {}",
            r["profile"]["name"].as_str().unwrap_or("?"),
            if r["renew"].as_bool() == Some(true) {
                "token renewed"
            } else {
                "token cached"
            },
            r["firstRowsAll"],
            r["bytes"]
        );
    }
    println!(
        "Graph's list page as the sandbox sends it: {}",
        v["graphResponse"]
    );
    println!(
        "goals (issue 29): first rows within 500 ms on the desktop profile, 2.0 s on the constrained one"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_one_row_per_profile_and_token_case() {
        let v = serde_json::json!({"results": [
            {"profile": {"name": "desktop", "downMbit": 10, "rttMs": 40}, "renew": false,
             "median": {"firstRows": 812.4, "html": 90, "assets": 400, "compile": 60, "config": 45, "token": 0, "graph": 150, "render": 20},
             "bytes": {"wasm": 231000}},
            {"profile": {"name": "constrained", "downMbit": 1.6, "rttMs": 150}, "renew": true,
             "median": {"firstRows": 2500, "html": 300, "assets": 1500, "compile": 60, "config": 160, "token": 170, "graph": 300, "render": 20},
             "bytes": {"wasm": 231000}}
        ]});
        let t = table(&v);
        assert_eq!(t.lines().count(), 4);
        assert!(t.contains("| desktop (10 Mbit/s, 40 ms) | cached | **812 ms** | 90 | 400 | 60 | 45 | 0 | 150 | 20 | 231000 |"), "{t}");
        assert!(t.contains("| constrained (1.6 Mbit/s, 150 ms) | renewed | **2500 ms** |"));
    }
}
