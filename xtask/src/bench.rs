//! `cargo xtask bench`: measured numbers for README.md. Timings are reported, never
//! asserted; each benchmark is bounded in requests and runs on loopback only.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// A release sandbox on a free port, killed on drop.
pub struct SandboxProcess {
    pub url: String,
    child: Child,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_sandbox(args: &[&str]) -> Result<SandboxProcess, Fail> {
    use std::io::{BufRead, BufReader};
    let bin = stack::build_sandbox(true)?;
    let mut child = Command::new(&bin)
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Fail::new(format!("cannot start {}: {e}", bin.display())))?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let url = first
        .strip_prefix("entra-sandbox listening on ")
        .ok_or_else(|| Fail::new(format!("sandbox did not start: {first}")))?
        .to_string();
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    Ok(SandboxProcess { url, child })
}

pub fn bench(_args: &[String]) -> Result<(), Fail> {
    let sandbox = start_sandbox(&[])?;
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
        let url = format!(
            "{}/{tenant}/v2.0/.well-known/openid-configuration",
            sandbox.url
        );
        // Warm up, then measure.
        load(&client, &url, None, 4, 200).await;
        load(&client, &url, None, 8, 20_000)
            .await
            .print("sandbox OpenID discovery document (8 connections)");
        Ok(())
    })
}
