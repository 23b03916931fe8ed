//! `cargo xtask bench`: measured numbers for README.md. Timings are reported, never
//! asserted; each benchmark is bounded in requests and runs on loopback only.

use std::time::{Duration, Instant};

use crate::bench_tenant::{sign_in, start_sandbox};
use crate::cmd::Fail;
use crate::stack;

/// Latency and throughput of a fixed number of requests.
pub struct LoadStats {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

impl LoadStats {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn print(&self, what: &str) {
        println!(
            "{what}: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
            self.requests,
            self.per_second(),
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.errors
        );
    }
}

/// GETs `url` `total` times from `concurrency` workers.
pub async fn load(
    client: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
    concurrency: usize,
    total: usize,
) -> LoadStats {
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, url, next) = (client.clone(), url.to_string(), next.clone());
        let bearer = bearer.map(str::to_string);
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                let t = Instant::now();
                let mut req = client.get(&url);
                if let Some(b) = &bearer {
                    req = req.bearer_auth(b);
                }
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                    }
                    _ => errors += 1,
                }
                lat.push(t.elapsed());
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::with_capacity(total);
    let mut errors = 0;
    for w in workers {
        let (lat, e) = w.await.expect("worker");
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1];
    LoadStats {
        requests: all.len(),
        errors,
        elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
    }
}

/// `cargo xtask bench [sandbox] [bulk] [browse] [cold]`: the named parts, or all of them.
pub fn bench(args: &[String]) -> Result<(), Fail> {
    let wants = |part: &str| args.is_empty() || args.iter().any(|a| a == part);
    if wants("sandbox") {
        sandbox_bench()?;
    }
    if wants("bulk") {
        crate::bulk_bench::bulk_bench()?;
    }
    if wants("browse") {
        browse_bench()?;
    }
    if wants("cold") {
        crate::cold_bench::cold_bench()?;
    }
    Ok(())
}

/// The app in Chromium against a sandbox with 50 000 requests: a bookmarked filtered view
/// until its first rows show, and a search over 10 000 loaded rows (end2end/bench).
fn browse_bench() -> Result<(), Fail> {
    crate::toolchain::setup()?;
    let dist = crate::build_app()?;
    let sandbox_bin = stack::build_sandbox(true)?;
    let rt = crate::runtime();
    let running = stack::start(
        &rt,
        stack::StackOptions::loopback(
            &dist,
            &sandbox_bin,
            &["--requests", "50000", "--test-control"],
        ),
    )?;
    let e2e = crate::root().join("end2end");
    let out = std::process::Command::new("node")
        .current_dir(&e2e)
        .arg("bench/browse.mjs")
        .env("APP_URL", &running.app_url)
        .env("SANDBOX_URL", &running.sandbox_url)
        .env("CHROMIUM", crate::toolchain::CHROMIUM)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| Fail::new(format!("cannot start node: {e}")))?;
    drop(running);
    if !out.status.success() {
        return Err(Fail::new("the browse benchmark failed"));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = text
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| Fail::new(format!("browse benchmark printed no result: {text}")))?;
    println!(
        "app, 50 000 requests: bookmarked filtered view to first rows visible, signed in: median {} ms over {} page loads ({})",
        v["firstRowsMs"]["median"],
        v["firstRowsMs"]["all"].as_array().map_or(0, Vec::len),
        v["firstRowsMs"]["all"]
    );
    println!(
        "app: load all until {} rows: {} ms; search over {} loaded rows, filtered, redrawn and laid out: median {:.1} ms ({}); to the second animation frame: median {} ms",
        v["loadAll"]["rows"],
        v["loadAll"]["ms"],
        v["searchOverRowsMs"]["rows"],
        v["searchOverRowsMs"]["median"].as_f64().unwrap_or(0.0),
        v["searchOverRowsMs"]["all"],
        v["searchToSecondFrameMs"]["median"]
            .as_f64()
            .unwrap_or(0.0)
            .round(),
    );
    println!(
        "app: start page overview over 50 000 requests, from no cache to counts shown: median {} ms ({})",
        v["overview"]["median"], v["overview"]["runs"]
    );
    println!(
        "app: the same with every Graph call 200 ms late: median {} ms ({})",
        v["overviewAt200ms"]["median"], v["overviewAt200ms"]["runs"]
    );
    for (key, latency) in [
        ("reasonsOfFirst100Failed", "0"),
        ("reasonsOfFirst100FailedAt200ms", "200"),
    ] {
        let r = &v[key];
        println!(
            "audit log, Graph {latency} ms late: last failure reasons of the first {} failed requests, 4 reads at once: {} ms ({} for the token), {} calls, {} with a reason",
            r["requests"], r["ms"], r["tokenMs"], r["calls"], r["withReason"]
        );
    }
    Ok(())
}

/// The sandbox alone, over HTTP.
fn sandbox_bench() -> Result<(), Fail> {
    let sandbox = start_sandbox(&["--requests", "50000"])?;
    let rt = crate::runtime();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let info: serde_json::Value = client
            .get(format!("{}/sandbox/info", sandbox.url))
            .send()
            .await
            .map_err(|e| Fail::new(e.to_string()))?
            .json()
            .await
            .map_err(|e| Fail::new(e.to_string()))?;
        let tenant = info["tenantId"].as_str().unwrap_or_default();
        println!("entra-sandbox (release) with {} requests", info["requests"]);
        let url = format!("{}/{tenant}/v2.0/.well-known/openid-configuration", sandbox.url);
        load(&client, &url, None, 4, 200).await;
        load(&client, &url, None, 8, 20_000)
            .await
            .print("OpenID discovery document (8 connections)");

        let token = sign_in(&sandbox.url, &info, "admin@").await?;
        let em = format!("{}/v1.0/identityGovernance/entitlementManagement", sandbox.url);
        let first_page = format!("{em}/assignmentRequests?$expand=accessPackage,requestor");
        load(&client, &first_page, Some(&token), 2, 50).await;
        load(&client, &first_page, Some(&token), 8, 2_000)
            .await
            .print("list, first page of 100 with $expand=accessPackage,requestor (8 connections)");
        let filtered = format!(
            "{em}/assignmentRequests?$filter=(state eq 'deliveryFailed' or state eq 'partiallyDelivered') and createdDateTime ge 2000-01-01T00:00:00Z&$expand=accessPackage,requestor"
        );
        load(&client, &filtered, Some(&token), 8, 2_000)
            .await
            .print("list, filtered on state and createdDateTime (8 connections)");

        // One client following @odata.nextLink through the whole collection.
        let started = Instant::now();
        let (mut next, mut rows, mut pages) = (Some(first_page.clone()), 0usize, 0usize);
        while let Some(u) = next {
            let page: serde_json::Value = client
                .get(&u)
                .bearer_auth(&token)
                .send()
                .await
                .map_err(|e| Fail::new(e.to_string()))?
                .json()
                .await
                .map_err(|e| Fail::new(e.to_string()))?;
            rows += page["value"].as_array().map_or(0, Vec::len);
            pages += 1;
            next = page["@odata.nextLink"].as_str().map(str::to_string);
        }
        println!(
            "paging through every request: {rows} rows in {pages} pages, {:.2} s ({:.0} rows/s)",
            started.elapsed().as_secs_f64(),
            rows as f64 / started.elapsed().as_secs_f64()
        );
        Ok(())
    })
}
