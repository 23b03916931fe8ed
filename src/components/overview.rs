//! The start page's operations overview: how many requests each ready-made view holds
//! now, each a link to it, and the requests completed per day over the last 14 days by
//! outcome. Counted by reading the views' own Graph queries to the end
//! ([`crate::overview`]), their pages 20 to a `$batch` call and the long queries per
//! access package ([`crate::overview::reading`]); it shows its progress, can be stopped,
//! and is kept for the tab's session with its time until Refresh.
//!
//! A catalog-scoped manager cannot list requests across packages (Graph answers 403):
//! the overview then counts each access package of their catalogs, one column each.

use std::cell::{Cell, RefCell};

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::auth::Auth;
use crate::auth::storage::Store;
use crate::bulk::batch_body;
use crate::bulk::wire::{header, reply_item};
use crate::clock::now_utc;
use crate::components::graph_problem::GraphProblem;
use crate::config::Config;
use crate::directory::{catalogs_from_json, timeout_in, waiting_packages};
use crate::graph::error::GraphError;
use crate::graph::models::{PackageRef, Request};
use crate::graph::plan::{is_filter_refusal, needs_package_scope, refused_in};
use crate::graph::resources::{Collection, Endpoint, Extras, Property};
use crate::graph::{GraphFailure, Method, get_all, send, sleep_ms};
use crate::i18n::{Msg, t, tf};
use crate::ids::Guid;
use crate::intl::{number, time_of_day};
use crate::overview::reading::{CONCURRENCY, Job, Reading};
use crate::overview::{Tally, markup, queries};
use crate::rows::callback_time_left;
use crate::state::directory::use_timeouts;
use crate::state::list::Refusals;

/// Where the last count is kept for the tab's session: this prefix, then the
/// configuration it was counted for ([`kept_key`]).
const KEPT_PREFIX: &str = "access-desk.overview.";
/// Earlier builds kept one count per tab whatever the configuration: dropped unread.
const LEGACY_KEPT: &str = "access-desk.overview";

/// The key of the count kept for `config`: client, tenant and Graph (origin and version),
/// so two deployments on one origin never show each other's counts and package names.
/// Lower case: hosts, GUIDs and domains are case-insensitive.
fn kept_key(config: &Config) -> String {
    format!(
        "{KEPT_PREFIX}{}|{}|{}/{}",
        config.client_id,
        config.tenant,
        config.graph_base,
        config.graph_version.path()
    )
    .to_ascii_lowercase()
}

/// A count, as shown and kept.
#[derive(Clone, Debug)]
struct Counted {
    tally: Tally,
    /// The columns: None is every access package (the tenant), else one package.
    scopes: Vec<Option<PackageRef>>,
    as_of: DateTime<Utc>,
    /// Graph calls the count took.
    calls: u32,
}

#[derive(Clone, Debug, PartialEq)]
enum CountPhase {
    Counting,
    Ready,
    /// Stopped by the admin: the counts shown are partial.
    Stopped,
    Failed(GraphFailure),
}

impl CountPhase {
    /// Graph refused this account every list of requests (403, also per package): the
    /// catalogs below say which roles it needs, so the overview steps aside.
    fn refused(&self) -> bool {
        matches!(self, CountPhase::Failed(GraphFailure::Graph(e)) if e.status == 403)
    }
}

impl Counted {
    fn to_json(&self, account: &str) -> serde_json::Value {
        use serde_json::Value;
        let scopes = self.scopes.iter().map(|s| match s {
            Some(p) => {
                let mut o = serde_json::Map::new();
                o.insert("id".into(), p.id.as_str().into());
                o.insert("displayName".into(), p.display_name.clone().into());
                Value::Object(o)
            }
            None => Value::Null,
        });
        let mut v = serde_json::Map::new();
        v.insert("account".into(), account.into());
        v.insert("asOf".into(), self.as_of.timestamp_millis().into());
        v.insert("calls".into(), self.calls.into());
        v.insert("scopes".into(), scopes.collect());
        v.insert("tally".into(), self.tally.to_json());
        Value::Object(v)
    }

    /// The count kept for `account` under `key` this session, if any.
    fn kept(key: &str, account: &str) -> Option<Counted> {
        let v: serde_json::Value = serde_json::from_str(&Store::session().get(key)?).ok()?;
        if v["account"].as_str() != Some(account) {
            return None;
        }
        Some(Counted {
            tally: Tally::from_json(&v["tally"])?,
            scopes: v["scopes"]
                .as_array()?
                .iter()
                .map(|s| s.is_object().then(|| PackageRef::from_json(s)))
                .collect(),
            as_of: DateTime::from_timestamp_millis(v["asOf"].as_i64()?)?,
            calls: v["calls"].as_u64()? as u32,
        })
    }
}

/// What a count needs, and how it reports.
#[derive(Clone)]
struct Reader {
    auth: Auth,
    config: Config,
    refusals: Refusals,
    read: RwSignal<u32>,
    /// Whether to stop at the next page (the admin said so, or left the page).
    stop: Signal<bool>,
}

impl Reader {
    /// Counts the tenant, or each package when Graph refuses a tenant-wide list (403, or a
    /// 400 not about the filter),
    /// moving a `$filter` clause Graph refuses to the browser and starting again.
    async fn count(&self) -> Result<Counted, GraphFailure> {
        loop {
            let result = match self.count_scopes(vec![None]).await {
                Err(GraphFailure::Graph(e))
                    if needs_package_scope(e.status, &e.code, &e.message) =>
                {
                    let endpoint = Endpoint::of(&self.config);
                    let catalogs = endpoint.list(Collection::Catalogs, &[], Extras::default());
                    let items = get_all(&self.auth, &endpoint, &catalogs).await?;
                    let packages: Vec<_> = catalogs_from_json(&items)
                        .into_iter()
                        .flat_map(|c| c.packages)
                        .map(Some)
                        .collect();
                    // No package to count: Graph's refusal stands.
                    if packages.is_empty() {
                        Err(GraphFailure::Graph(e))
                    } else {
                        self.count_scopes(packages).await
                    }
                }
                other => other,
            };
            if let Err(GraphFailure::Graph(e)) = &result
                && is_filter_refusal(e.status, &e.code, &e.message)
            {
                let (c, v) = (Collection::Requests, self.config.graph_version);
                let sent = queries(None, v, now_utc(), &self.refusals.of(c, v))
                    .concat()
                    .iter()
                    .map(|clause| clause.property)
                    .collect::<Vec<_>>();
                if self
                    .refusals
                    .add(c, v, &refused_in(&e.message, &sent, c, v))
                {
                    continue;
                }
            }
            return result;
        }
    }

    async fn count_scopes(&self, scopes: Vec<Option<PackageRef>>) -> Result<Counted, GraphFailure> {
        let endpoint = Endpoint::of(&self.config);
        let version = self.config.graph_version;
        let refused = self.refusals.of(Collection::Requests, version);
        let now = now_utc();
        let tally = RefCell::new(Tally::new(
            scopes.len(),
            now,
            crate::intl::local_offset_minutes(),
        ));
        self.read.set(0);
        let mut first = Vec::new();
        for (scope, package) in scopes.iter().enumerate() {
            let id = package.as_ref().and_then(|p| p.id.guid().cloned());
            for q in queries(id.as_ref(), version, now, &refused) {
                first.push((scope, q));
            }
        }
        // The tenant's long queries are read per package (`overview::reading`), unless
        // Graph refused that filter; package by package already otherwise.
        let split = scopes == [None] && !refused.contains(&Property::AccessPackage);
        let pages = endpoint.clone();
        let reading = RefCell::new(Reading::new(
            first,
            split.then(|| endpoint.package_ids()),
            move |q| pages.tally(q),
        ));
        let calls = Cell::new(0u32);
        // A few `$batch` calls at once, each of the next pages queued, then the pages
        // they lead to; until every query is read, the admin stops, or a call fails.
        loop {
            let batches: Vec<Vec<Job>> = (0..CONCURRENCY)
                .map(|_| reading.borrow_mut().take())
                .filter(|jobs| !jobs.is_empty())
                .collect();
            if batches.is_empty() || self.stop.get_untracked() {
                break;
            }
            let sent = batches
                .into_iter()
                .map(|jobs| self.read_batch(jobs, &endpoint, &reading, &tally, &calls));
            let mut wait = 0;
            for answer in futures::future::join_all(sent).await {
                wait = wait.max(answer?);
            }
            if wait > 0 {
                sleep_ms(wait).await;
            }
        }
        Ok(Counted {
            tally: tally.into_inner().finished(),
            scopes,
            as_of: now,
            calls: calls.get(),
        })
    }
}

impl Reader {
    /// Reads `jobs` in one `$batch` call into `tally` and `reading`: the milliseconds to
    /// wait before the next call when Graph asked for some pages again later.
    async fn read_batch(
        &self,
        jobs: Vec<Job>,
        endpoint: &Endpoint,
        reading: &RefCell<Reading>,
        tally: &RefCell<Tally>,
        calls: &Cell<u32>,
    ) -> Result<u64, GraphFailure> {
        // Every URL here is this Graph's: built by `Endpoint`, or a next link checked when
        // it came.
        let items: Vec<(&str, String)> = jobs
            .iter()
            .map(|job| match job {
                Job::Packages(url) | Job::Page { url, .. } => {
                    ("GET", endpoint.batch_path(url).unwrap_or(url).to_string())
                }
            })
            .collect();
        let answer = send(
            &self.auth,
            Method::PostReads,
            &endpoint.batch(),
            Some(batch_body(&items).to_string()),
        )
        .await?;
        calls.set(calls.get() + jobs.len() as u32);
        let reply: serde_json::Value =
            serde_json::from_str(&answer.body).map_err(|e| GraphFailure::Network(e.to_string()))?;
        // In order: the package list is first in its call (`Reading` queues it first), so
        // a long query's first page in the same call is split at once.
        let mut wait = 0;
        for (i, job) in jobs.iter().cloned().enumerate() {
            let item = reply_item(&reply, i);
            let status = item.and_then(|r| r["status"].as_u64()).unwrap_or(0) as u16;
            let Some(item) = item.filter(|_| (200..300).contains(&status)) else {
                let again = item.is_none() || matches!(status, 429 | 503 | 504);
                if let Job::Packages(_) = job {
                    // Without the list, the long queries are read as one chain each.
                    reading.borrow_mut().packages_read(None);
                } else if again && reading.borrow_mut().again(job, status == 429) {
                    let after = item.and_then(|r| header(r, "retry-after"));
                    wait = wait.max(after.and_then(|a| a.trim().parse().ok()).unwrap_or(1) * 1000);
                } else {
                    let request_id = item
                        .and_then(|r| header(r, "request-id"))
                        .map(str::to_string);
                    let body = item.map(|r| r["body"].to_string()).unwrap_or_default();
                    return Err(GraphFailure::Graph(GraphError::from_response(
                        status, &body, request_id,
                    )));
                }
                continue;
            };
            let page = &item["body"];
            let next = page["@odata.nextLink"].as_str().map(str::to_string);
            if let Some(link) = next.as_ref().filter(|l| !endpoint.owns(l)) {
                return Err(GraphFailure::ForeignLink(link.clone()));
            }
            let rows = page["value"].as_array().into_iter().flatten();
            match job {
                Job::Packages(_) => {
                    // More than a page of packages is more than a split is worth.
                    let ids = rows.map(|p| p["id"].as_str().and_then(Guid::parse));
                    let ids = next.is_none().then(|| ids.collect::<Option<Vec<_>>>());
                    reading.borrow_mut().packages_read(ids.flatten());
                }
                Job::Page { scope, .. } => {
                    let mut t = tally.borrow_mut();
                    for raw in rows {
                        t.add(scope, &Request::from_json(raw), Some(raw));
                    }
                    self.read.try_set(t.read);
                    reading.borrow_mut().page_read(&jobs[i], next);
                }
            }
        }
        Ok(wait)
    }
}

/// The overview of the signed-in admin's requests (see the module's comment).
#[component]
pub fn Overview() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let account = auth
        .account
        .with_untracked(|a| a.as_ref().map(|a| a.object_id.clone()))
        .unwrap_or_default();
    let config = expect_context::<Config>();
    let key = kept_key(&config);
    Store::session().remove(LEGACY_KEPT);
    let shown = RwSignal::new(Counted::kept(&key, &account));
    let phase = RwSignal::new(CountPhase::Ready);
    let read = RwSignal::new(0u32);
    let stopped = RwSignal::new(false);
    let reader = Reader {
        auth,
        config,
        refusals: expect_context::<Refusals>(),
        read,
        // Disposed with the page: leaving it stops the count.
        stop: Signal::derive(move || stopped.try_get().unwrap_or(true)),
    };
    let start = Callback::new(move |()| {
        if phase.get_untracked() == CountPhase::Counting {
            return;
        }
        stopped.set(false);
        phase.set(CountPhase::Counting);
        let (reader, account, key) = (reader.clone(), account.clone(), key.clone());
        spawn_local(async move {
            let result = reader.count().await;
            let stop = reader.stop.get_untracked();
            match result {
                Ok(counted) => {
                    if !stop {
                        Store::session().set(&key, &counted.to_json(&account).to_string());
                    }
                    shown.try_set(Some(counted));
                    phase.try_set(if stop {
                        CountPhase::Stopped
                    } else {
                        CountPhase::Ready
                    });
                }
                Err(e) => {
                    phase.try_set(CountPhase::Failed(e));
                }
            }
        });
    });
    if shown.with_untracked(Option::is_none) {
        start.run(());
    }
    let state = move || match phase.get() {
        CountPhase::Counting => "counting",
        CountPhase::Ready => "ready",
        CountPhase::Stopped => "stopped",
        CountPhase::Failed(_) => "failed",
    };
    let counting = move || phase.with(|p| *p == CountPhase::Counting);
    // One status line for every phase, and both buttons always there, shown by phase:
    // markup swapped per phase would be a view type each.
    let status = move || match phase.get() {
        CountPhase::Counting => tf(
            Msg::OverviewCounting,
            &[("read", &number(read.get() as usize))],
        ),
        other => shown.with(|c| {
            c.as_ref().map_or_else(String::new, |c| {
                let msg = if other == CountPhase::Stopped {
                    Msg::OverviewStopped
                } else {
                    Msg::OverviewAsOf
                };
                tf(
                    msg,
                    &[
                        ("time", &time_of_day(c.as_of)),
                        ("read", &number(c.tally.read as usize)),
                    ],
                )
            })
        }),
    };
    let read_so_far = move || match phase.get() {
        CountPhase::Counting => read.get(),
        _ => shown.with(|c| c.as_ref().map_or(0, |c| c.tally.read)),
    };
    let failure = move || match phase.get() {
        refused if refused.refused() => None,
        CountPhase::Failed(failure) => Some(view! { <GraphProblem failure=failure /> }),
        _ => None,
    };
    // The requests waiting for a callback, and the timeouts of their extensions.
    let waiting = Memo::new(move |_| {
        shown.with(|c| {
            c.as_ref().map_or_else(Vec::new, |c| {
                c.tally
                    .waiting
                    .iter()
                    .map(|(scope, raw)| (*scope, Request::from_json(raw)))
                    .collect::<Vec<_>>()
            })
        })
    });
    let timeouts = use_timeouts(Signal::derive(move || {
        waiting.with(|w| waiting_packages(w.iter().map(|(_, r)| r)))
    }));
    let counts = move || {
        let (known, now) = (timeouts.get(), now_utc());
        let timeout_of = |ext: &str| timeout_in(&known, ext);
        shown.with(|c| {
            let Some(c) = c else { return String::new() };
            let under_a_day: Vec<usize> = waiting.with(|w| {
                (0..c.scopes.len())
                    .map(|scope| {
                        w.iter()
                            .filter(|(s, r)| {
                                *s == scope
                                    && callback_time_left(r, now, &timeout_of)
                                        .is_some_and(|l| l.under_a_day())
                            })
                            .count()
                    })
                    .collect()
            });
            markup::counts(&c.tally, &c.scopes, &under_a_day)
        })
    };
    let completions = move || {
        shown.with(|c| {
            c.as_ref()
                .map_or_else(String::new, |c| markup::completions(&c.tally))
        })
    };
    view! {
        <section class="overview" data-testid="overview" data-state=state aria-labelledby="overview-title" hidden=move || phase.with(CountPhase::refused)>
            <h2 id="overview-title">{t(Msg::OverviewTitle)}</h2>
            <div class="overview-status">
                <p role="status" data-testid="overview-status" data-read=read_so_far>{status}</p>
                <button type="button" hidden=move || !counting() on:click=move |_| stopped.set(true)>{t(Msg::OverviewStop)}</button>
                <button type="button" data-testid="overview-refresh" hidden=counting on:click=move |_| start.run(())>{t(Msg::OverviewRefresh)}</button>
            </div>
            {failure}
            <div inner_html=counts></div>
            <div inner_html=completions></div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(client: &str, tenant: &str, graph: &str, version: &str) -> Config {
        Config::parse(
            &serde_json::json!({
                "clientId": client,
                "tenantId": tenant,
                "cloud": "custom",
                "custom": { "authorityHost": "http://127.0.0.1:8081", "graphHost": graph, "actsAs": "global" },
                "graphVersion": version,
                "redirectUri": "http://127.0.0.1:8080/"
            })
            .to_string(),
        )
        .unwrap()
    }

    #[test]
    fn the_kept_count_belongs_to_one_client_tenant_and_graph() {
        const CLIENT: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";
        const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        let base = config(CLIENT, TENANT, "http://127.0.0.1:8081", "v1.0");
        assert_eq!(
            kept_key(&base),
            format!("access-desk.overview.{CLIENT}|{TENANT}|http://127.0.0.1:8081/v1.0")
        );
        for other in [
            config(
                "0e60f18c-b2a0-4887-9da8-da2e30a39d99",
                TENANT,
                "http://127.0.0.1:8081",
                "v1.0",
            ),
            config(CLIENT, "organizations", "http://127.0.0.1:8081", "v1.0"),
            config(CLIENT, TENANT, "http://127.0.0.1:9091", "v1.0"),
            config(CLIENT, TENANT, "http://127.0.0.1:8081", "beta"),
        ] {
            assert_ne!(kept_key(&other), kept_key(&base), "{other:?}");
        }
        // Not the key earlier builds shared between configurations.
        assert_ne!(kept_key(&base), LEGACY_KEPT);
        assert_eq!(
            kept_key(&config(
                CLIENT,
                "Contoso.onmicrosoft.com",
                "http://127.0.0.1:8081",
                "v1.0"
            )),
            kept_key(&config(
                CLIENT,
                "contoso.onmicrosoft.com",
                "http://127.0.0.1:8081",
                "v1.0"
            ))
        );
    }
}
