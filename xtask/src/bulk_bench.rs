//! `cargo xtask bench`, bulk part: reprocess 1 000 eligible requests against a sandbox with
//! 20 ms latency and throttling, as `$batch` calls driven by the app's own `bulk::Run`
//! (the retry and exactly-once bookkeeping), then the same 1 000 one at a time; both
//! checked against the sandbox's operation log: each item accepted exactly once.
//!
//! The transport here is reqwest rather than the browser's fetch; the packing, the
//! reading of replies, the retry decisions and the rules are the app's code.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use access_desk::bulk::{Final, Run, batch_body, read_batch};
use access_desk::graph::models::parse_utc;
use access_desk::graph::retry::Backoff;
use access_desk::rules::can_reprocess_request;
use serde_json::Value;

use crate::bench::{sign_in, start_sandbox};
use crate::cmd::Fail;

const ITEMS: usize = 1_000;
/// `$batch` calls in flight: the app's own setting.
const IN_FLIGHT: usize = access_desk::bulk::CONCURRENCY;
/// Graph's throttle (rate per second / burst): generous, then tighter than what a run
/// keeps in flight (80 items), where pacing matters.
const THROTTLES: [&str; 2] = ["200/100", "100/50"];
const LATENCY_MS: &str = "20";

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

/// Ids of requests the app's rules allow reprocessing now (by the sandbox's clock).
async fn eligible(c: &reqwest::Client, base: &str, token: &str) -> Result<Vec<String>, Fail> {
    let now = get(c, &format!("{base}/sandbox/clock"), None).await?["now"]
        .as_str()
        .and_then(parse_utc)
        .ok_or_else(|| err("no sandbox clock"))?;
    let mut next = Some(format!(
        "{base}/v1.0/identityGovernance/entitlementManagement/assignmentRequests?$filter=state eq 'deliveryFailed' or state eq 'partiallyDelivered'&$select=id,state,completedDateTime"
    ));
    let mut ids = Vec::new();
    while let Some(url) = next {
        let page = get(c, &url, Some(token)).await?;
        for r in page["value"].as_array().into_iter().flatten() {
            let (id, state) = (
                r["id"].as_str().unwrap_or(""),
                r["state"].as_str().unwrap_or(""),
            );
            let completed = r["completedDateTime"].as_str().and_then(parse_utc);
            if can_reprocess_request(id, state, completed, now).is_ok() {
                ids.push(id.to_string());
            }
        }
        next = page["@odata.nextLink"].as_str().map(str::to_string);
    }
    Ok(ids)
}

/// The whole run as the app does it: batches of 20, `IN_FLIGHT` at once.
async fn batched(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    ids: &[String],
) -> Result<(Duration, usize), Fail> {
    let url = format!("{base}/v1.0/$batch");
    let mut run = Run::new(ids.to_vec(), Backoff::default());
    let started = Instant::now();
    let now = || started.elapsed().as_millis() as u64;
    let mut calls = 0;
    while !run.finished() {
        let mut batches = Vec::new();
        for _ in 0..IN_FLIGHT {
            let b = run.next_batch(now());
            if b.is_empty() {
                break;
            }
            batches.push(b);
        }
        if batches.is_empty() {
            let wait = run
                .next_ready_at()
                .map_or(10, |at| at.saturating_sub(now()));
            tokio::time::sleep(Duration::from_millis(wait.max(1))).await;
            continue;
        }
        calls += batches.len();
        // Sent together, as the app does, then read in order.
        let tasks: Vec<_> = batches
            .iter()
            .map(|b| {
                let body = batch_body(b, |id| {
                    format!(
                        "identityGovernance/entitlementManagement/assignmentRequests/{id}/reprocess"
                    )
                });
                let req = c.post(&url).bearer_auth(token).json(&body);
                tokio::spawn(async move { req.send().await.ok()?.json::<Value>().await.ok() })
            })
            .collect();
        let mut replies = Vec::new();
        for t in tasks {
            replies.push(t.await.ok().flatten());
        }
        for (b, reply) in batches.iter().zip(replies) {
            let reply = reply.unwrap_or(Value::Null);
            for (id, outcome) in read_batch(&reply, b) {
                run.record(&id, outcome, now(), rand_unit());
            }
        }
    }
    let failed = run
        .results()
        .iter()
        .filter(|(_, f)| !matches!(f, Some(Final::Accepted { .. })))
        .count();
    if failed > 0 {
        let example = run
            .results()
            .into_iter()
            .find(|(_, f)| !matches!(f, Some(Final::Accepted { .. })));
        return Err(err(format!(
            "{failed} items did not end accepted, e.g. {example:?}"
        )));
    }
    Ok((started.elapsed(), calls))
}

/// One POST per item, waiting out each 429 (Retry-After is readable outside a browser).
async fn one_at_a_time(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    ids: &[String],
) -> Result<(Duration, usize), Fail> {
    let started = Instant::now();
    let mut calls = 0;
    for id in ids {
        let url = format!(
            "{base}/v1.0/identityGovernance/entitlementManagement/assignmentRequests/{id}/reprocess"
        );
        loop {
            calls += 1;
            let r = c.post(&url).bearer_auth(token).send().await.map_err(err)?;
            match r.status().as_u16() {
                200..=299 => break,
                429 | 503 | 504 => {
                    let secs = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(1);
                    tokio::time::sleep(Duration::from_secs(secs)).await;
                }
                s => return Err(err(format!("{id}: HTTP {s}"))),
            }
        }
    }
    Ok((started.elapsed(), calls))
}

/// Accepted reprocess operations per request, from the sandbox's log.
async fn accepted_per_item(
    c: &reqwest::Client,
    base: &str,
) -> Result<HashMap<String, usize>, Fail> {
    let log = get(c, &format!("{base}/sandbox/log"), None).await?;
    let mut out = HashMap::new();
    for op in log["value"].as_array().into_iter().flatten() {
        if op["action"] == "reprocess" && op["outcome"] == "accepted" {
            *out.entry(op["target"].as_str().unwrap_or("").to_string())
                .or_insert(0) += 1;
        }
    }
    Ok(out)
}

fn exactly_once(counts: &HashMap<String, usize>, ids: &[String]) -> Result<(), Fail> {
    let wrong: Vec<_> = ids
        .iter()
        .filter(|id| counts.get(*id) != Some(&1))
        .collect();
    if !wrong.is_empty() || counts.len() != ids.len() {
        return Err(err(format!(
            "not exactly once: {} of {} items, {} targets in the log",
            wrong.len(),
            ids.len(),
            counts.len()
        )));
    }
    Ok(())
}

fn rand_unit() -> f64 {
    // Jitter only spreads retries; the clock's nanoseconds are random enough for that.
    f64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
            % 1_000,
    ) / 1_000.0
}

/// A fresh tenant (reset keeps the seed: same requests, same ids) throttled at `throttle`.
async fn fresh(c: &reqwest::Client, base: &str, throttle: &str) -> Result<(), Fail> {
    for (path, body) in [
        ("reset", serde_json::json!({})),
        ("settings", serde_json::json!({ "throttle": throttle })),
    ] {
        let r = c
            .post(format!("{base}/sandbox/{path}"))
            .json(&body)
            .send()
            .await
            .map_err(err)?;
        if !r.status().is_success() {
            return Err(err(format!("/sandbox/{path}: {}", r.status())));
        }
    }
    Ok(())
}

pub fn bulk_bench() -> Result<(), Fail> {
    let sandbox = start_sandbox(&[
        "--requests",
        "20000",
        "--latency-ms",
        LATENCY_MS,
        "--test-control",
    ])?;
    let base = sandbox.url.clone();
    crate::runtime().block_on(async {
        let c = reqwest::Client::new();
        let info = get(&c, &format!("{base}/sandbox/info"), None).await?;
        for throttle in THROTTLES {
            fresh(&c, &base, throttle).await?;
            let token = sign_in(&base, &info, "admin@").await?;
            let mut ids = eligible(&c, &base, &token).await?;
            if ids.len() < ITEMS {
                return Err(err(format!("only {} eligible requests", ids.len())));
            }
            ids.truncate(ITEMS);
            let (batch_time, batch_calls) = batched(&c, &base, &token, &ids).await?;
            exactly_once(&accepted_per_item(&c, &base).await?, &ids)?;

            fresh(&c, &base, throttle).await?;
            let token = sign_in(&base, &info, "admin@").await?;
            let (single_time, single_calls) = one_at_a_time(&c, &base, &token, &ids).await?;
            exactly_once(&accepted_per_item(&c, &base).await?, &ids)?;
            println!(
                "bulk reprocess of {ITEMS} eligible requests, {LATENCY_MS} ms latency, throttle {throttle}/s: \
                 $batch of 20 x {IN_FLIGHT} in flight {:.2} s ({batch_calls} batch calls); one at a time {:.2} s ({single_calls} calls); \
                 {:.1}x faster; each item accepted exactly once in both (operation log)",
                batch_time.as_secs_f64(),
                single_time.as_secs_f64(),
                single_time.as_secs_f64() / batch_time.as_secs_f64()
            );
        }
        Ok(())
    })
}
