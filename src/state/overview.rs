//! The start page's count, without its markup: the queries read ([`Reader`], through
//! [`crate::overview::reading`]), and the count kept for the tab's session ([`Counted`],
//! under [`kept_key`]). The page is `components::overview`.

use std::cell::{Cell, RefCell};

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::auth::Auth;
use crate::auth::storage::Store;
use crate::bulk::batch_body;
use crate::bulk::wire::{header, reply_item};
use crate::clock::now_utc;
use crate::config::Config;
use crate::directory::catalogs_from_json;
use crate::graph::error::GraphError;
use crate::graph::models::{PackageRef, Request};
use crate::graph::plan::{is_filter_refusal, needs_package_scope, refused_in};
use crate::graph::resources::{Collection, Endpoint, Extras, Property};
use crate::graph::{GraphFailure, Method, get_all, send, sleep_ms};
use crate::ids::Guid;
use crate::overview::reading::{CONCURRENCY, Job, Reading};
use crate::overview::{Tally, queries};
use crate::state::list::Refusals;
/// Where the last count is kept for the tab's session: this prefix, then the
/// configuration it was counted for ([`kept_key`]).
const KEPT_PREFIX: &str = "access-desk.overview.";
/// Earlier builds kept one count per tab whatever the configuration: dropped unread.
pub(crate) const LEGACY_KEPT: &str = "access-desk.overview";

/// The key of the count kept for `config`: client, tenant and Graph (origin and version),
/// so two deployments on one origin never show each other's counts and package names.
/// Lower case: hosts, GUIDs and domains are case-insensitive.
pub(crate) fn kept_key(config: &Config) -> String {
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
pub(crate) struct Counted {
    pub tally: Tally,
    /// The columns: None is every access package (the tenant), else one package.
    pub scopes: Vec<Option<PackageRef>>,
    pub as_of: DateTime<Utc>,
    /// Graph calls the count took.
    pub calls: u32,
}

impl Counted {
    pub(crate) fn to_json(&self, account: &str) -> serde_json::Value {
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
    pub(crate) fn kept(key: &str, account: &str) -> Option<Counted> {
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
pub(crate) struct Reader {
    pub auth: Auth,
    pub config: Config,
    pub refusals: Refusals,
    /// Requests read so far, for the progress line.
    pub read: RwSignal<u32>,
    /// Whether to stop at the next call (the admin said so, or left the page).
    pub stop: Signal<bool>,
}

impl Reader {
    /// Counts the tenant, or each package when Graph refuses a tenant-wide list (403, or a
    /// 400 not about the filter),
    /// moving a `$filter` clause Graph refuses to the browser and starting again.
    pub(crate) async fn count(&self) -> Result<Counted, GraphFailure> {
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
        for (i, job) in jobs.iter().enumerate() {
            let item = reply_item(&reply, i);
            let status = item.and_then(|r| r["status"].as_u64()).unwrap_or(0) as u16;
            let Some(item) = item.filter(|_| (200..300).contains(&status)) else {
                let again = item.is_none() || matches!(status, 429 | 503 | 504);
                if let Job::Packages(_) = job {
                    // Without the list, the long queries are read as one chain each.
                    reading.borrow_mut().packages_read(None);
                } else if again && reading.borrow_mut().again(job.clone(), status == 429) {
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
                        t.add(*scope, &Request::from_json(raw), Some(raw));
                    }
                    self.read.try_set(t.read);
                    reading.borrow_mut().page_read(job, next);
                }
            }
        }
        Ok(wait)
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
