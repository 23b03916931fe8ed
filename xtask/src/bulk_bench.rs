//! `cargo xtask bench bulk`: reprocess 1 000 eligible requests with the app's own bulk
//! driver (`access_desk::bulk::drive`: packing, pacing, retry, reconciling) over reqwest,
//! and the same 1 000 one at a time; each checked against the sandbox's operation log
//! (every item acted on exactly once).
//!
//! - Realistic latency, no throttle (150 ms a call): batches against one at a time.
//! - Throttled (200/s burst 100 and 100/s burst 50, 20 ms latency): the run's time against
//!   the throttle-bound optimum `(N − burst) / rate`, as an efficiency.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::{Duration, Instant};

use access_desk::bulk::{BatchAnswer, Before, Ended, Paths, Planned, Run, Transport, drive};
use access_desk::graph::models::{Request, parse_utc};
use access_desk::rules::can_reprocess_request;
use serde_json::Value;

use crate::bench_tenant::{sign_in, start_sandbox};
use crate::cmd::Fail;

const ITEMS: usize = 1_000;

fn err(e: impl std::fmt::Display) -> Fail {
    Fail::new(format!("bulk bench: {e}"))
}

async fn get(c: &reqwest::Client, url: &str, token: Option<&str>) -> Result<Value, Fail> {
    let mut r = c.get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.map_err(err)?.json().await.map_err(err)
}

async fn post(c: &reqwest::Client, url: &str, body: Value) -> Result<(), Fail> {
    let r = c.post(url).json(&body).send().await.map_err(err)?;
    if r.status().is_success() {
        Ok(())
    } else {
        Err(err(format!("{url}: {}", r.status())))
    }
}

/// The requests the app's rules allow reprocessing now (by the sandbox's clock), as the
/// app plans them: one documented query per state.
async fn eligible(c: &reqwest::Client, base: &str, token: &str) -> Result<Vec<Planned>, Fail> {
    let now = get(c, &format!("{base}/sandbox/clock"), None).await?["now"]
        .as_str()
        .and_then(parse_utc)
        .ok_or_else(|| err("no sandbox clock"))?;
    let mut plan = Vec::new();
    for state in ["deliveryFailed", "partiallyDelivered"] {
        let mut next = Some(format!(
            "{base}/v1.0/identityGovernance/entitlementManagement/assignmentRequests?$filter=state eq '{state}'"
        ));
        while let Some(url) = next {
            let page = get(c, &url, Some(token)).await?;
            for json in page["value"].as_array().into_iter().flatten() {
                let r = Request::from_json(json);
                if can_reprocess_request(&r.id, &r.state, r.completed, now).is_ok() {
                    plan.push(Planned {
                        before: Before::of(&r),
                        id: r.id,
                        ..Planned::default()
                    });
                }
            }
            next = page["@odata.nextLink"].as_str().map(str::to_string);
        }
    }
    Ok(plan)
}

/// The app's driver over reqwest: a whole `$batch` is sent again only after a 429 (Graph
/// did not act), anything else that loses the answer is reported lost, as in the browser.
struct Reqwest<'a> {
    client: &'a reqwest::Client,
    url: String,
    token: String,
    started: Instant,
    calls: Cell<usize>,
}

impl Transport for Reqwest<'_> {
    async fn batch(&self, body: String) -> BatchAnswer {
        loop {
            self.calls.set(self.calls.get() + 1);
            let sent = self
                .client
                .post(&self.url)
                .bearer_auth(&self.token)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    return BatchAnswer::Lost {
                        why: e.to_string(),
                        request_id: None,
                    };
                }
            };
            let status = resp.status().as_u16();
            let request_id = resp
                .headers()
                .get("request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if status == 429 {
                let secs = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(1);
                tokio::time::sleep(Duration::from_secs(secs)).await;
                continue;
            }
            let text = resp.text().await.unwrap_or_default();
            return match status {
                200..=299 => match serde_json::from_str(&text) {
                    Ok(body) => BatchAnswer::Reply { body, request_id },
                    Err(e) => BatchAnswer::Lost {
                        why: e.to_string(),
                        request_id,
                    },
                },
                400..=499 => BatchAnswer::Refused {
                    status,
                    code: String::new(),
                    message: text,
                    request_id,
                },
                _ => BatchAnswer::Lost {
                    why: format!("HTTP {status}"),
                    request_id,
                },
            };
        }
    }

    fn token_refused(&self) {}

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

const EM: &str = "identityGovernance/entitlementManagement/assignmentRequests";

/// The whole run as the app does it; its time, its `$batch` calls and its counts.
async fn batched(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    plan: &[Planned],
) -> Result<(Duration, usize), Fail> {
    let transport = Reqwest {
        client: c,
        url: format!("{base}/v1.0/$batch"),
        token: token.to_string(),
        started: Instant::now(),
        calls: Cell::new(0),
    };
    let run = RefCell::new(Run::planned(plan.to_vec()));
    let action = |id: &access_desk::ids::Guid| format!("{EM}/{id}/reprocess");
    let item = |id: &access_desk::ids::Guid| format!("{EM}/{id}");
    let paths = Paths {
        action: &action,
        item: &item,
    };
    let ended = drive(&transport, &run, &paths, &|| false).await;
    let took = transport.started.elapsed();
    let p = run.borrow().progress();
    if ended != Ended::Finished || p.accepted + p.verified != plan.len() {
        return Err(err(format!(
            "the run did not end with every item done: {p:?}"
        )));
    }
    Ok((took, transport.calls.get()))
}

/// One POST per item, waiting out each 429 (Retry-After is readable outside a browser).
async fn one_at_a_time(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    plan: &[Planned],
) -> Result<(Duration, usize), Fail> {
    let started = Instant::now();
    let mut calls = 0;
    for p in plan {
        let url = format!("{base}/v1.0/{EM}/{}/reprocess", p.id);
        loop {
            calls += 1;
            let r = c.post(&url).bearer_auth(token).send().await.map_err(err)?;
            match r.status().as_u16() {
                200..=299 => break,
                429 => {
                    let secs = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(1);
                    tokio::time::sleep(Duration::from_secs(secs)).await;
                }
                s => return Err(err(format!("{}: HTTP {s}", p.id))),
            }
        }
    }
    Ok((started.elapsed(), calls))
}

/// Each item acted on exactly once, by the sandbox's operation log.
async fn exactly_once(c: &reqwest::Client, base: &str, plan: &[Planned]) -> Result<(), Fail> {
    let log = get(c, &format!("{base}/sandbox/log"), None).await?;
    let mut acted: HashMap<String, usize> = HashMap::new();
    for op in log["value"].as_array().into_iter().flatten() {
        if op["kind"] == "action" && op["action"] == "reprocess" && op["acted"] == true {
            *acted
                .entry(op["target"].as_str().unwrap_or("").to_string())
                .or_insert(0) += 1;
        }
    }
    let wrong = plan
        .iter()
        .filter(|p| acted.get(p.id.as_str()) != Some(&1))
        .count();
    if wrong > 0 || acted.len() != plan.len() {
        return Err(err(format!(
            "not exactly once: {wrong} of {} items, {} targets acted on in the log",
            plan.len(),
            acted.len()
        )));
    }
    Ok(())
}

/// A fresh tenant (reset keeps the seed: same requests, same ids) with `settings`.
async fn fresh(c: &reqwest::Client, base: &str, settings: Value) -> Result<(), Fail> {
    post(c, &format!("{base}/sandbox/reset"), serde_json::json!({})).await?;
    post(c, &format!("{base}/sandbox/settings"), settings).await
}

pub fn bulk_bench() -> Result<(), Fail> {
    let sandbox = start_sandbox(&["--requests", "20000", "--test-control"])?;
    let base = sandbox.url.clone();
    crate::runtime().block_on(async {
        let c = reqwest::Client::new();
        let info = get(&c, &format!("{base}/sandbox/info"), None).await?;
        let plan_for = |c: &reqwest::Client, token: &str| {
            let (c, base, token) = (c.clone(), base.clone(), token.to_string());
            async move {
                let mut plan = eligible(&c, &base, &token).await?;
                if plan.len() < ITEMS {
                    return Err(err(format!("only {} eligible requests", plan.len())));
                }
                plan.truncate(ITEMS);
                Ok::<_, Fail>(plan)
            }
        };

        // Realistic latency, no throttle.
        let latency = serde_json::json!({ "latencyMs": 150, "throttle": null });
        fresh(&c, &base, latency.clone()).await?;
        let token = sign_in(&base, &info, "admin@").await?;
        let plan = plan_for(&c, &token).await?;
        fresh(&c, &base, latency.clone()).await?;
        let (batch_time, batch_calls) = batched(&c, &base, &token, &plan).await?;
        exactly_once(&c, &base, &plan).await?;
        fresh(&c, &base, latency).await?;
        let (single_time, single_calls) = one_at_a_time(&c, &base, &token, &plan).await?;
        exactly_once(&c, &base, &plan).await?;
        println!(
            "bulk reprocess of {ITEMS} requests, 150 ms latency, no throttle: the app's driver {:.2} s ({batch_calls} $batch calls); \
             one at a time {:.2} s ({single_calls} calls); {:.1}x faster; each item acted on exactly once (operation log)",
            batch_time.as_secs_f64(),
            single_time.as_secs_f64(),
            single_time.as_secs_f64() / batch_time.as_secs_f64()
        );

        // Throttled: against the throttle-bound optimum.
        for (rate, burst) in [(200.0, 100.0), (100.0, 50.0)] {
            let settings = serde_json::json!({ "latencyMs": 20, "throttle": format!("{rate}/{burst}") });
            fresh(&c, &base, settings).await?;
            let token = sign_in(&base, &info, "admin@").await?;
            // Let the bucket refill after the plan's reads.
            tokio::time::sleep(Duration::from_secs(2)).await;
            let (took, calls) = batched(&c, &base, &token, &plan).await?;
            exactly_once(&c, &base, &plan).await?;
            let optimum = (ITEMS as f64 - burst) / rate;
            println!(
                "bulk reprocess of {ITEMS} requests, 20 ms latency, throttle {rate}/s burst {burst}: {:.2} s ({calls} $batch calls); \
                 optimum (N - burst) / rate = {optimum:.2} s; efficiency {:.2}; each item acted on exactly once (operation log)",
                took.as_secs_f64(),
                optimum / took.as_secs_f64()
            );
        }
        Ok(())
    })
}
