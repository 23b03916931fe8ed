//! The start page's overview: how many requests each ready-made view holds, each a link to
//! it, and the last fourteen days' outcomes as a chart with a table beside it.
//!
//! The scan ([`crate::overview`]) reads with documented filters only, shows its progress,
//! can be cancelled, and is kept for the tab's session ("as of 09:14", Refresh). A
//! catalog-scoped manager, whom Graph refuses an unfiltered read (403), gets the same
//! counts read package by package from the catalogs Graph shows them.

use leptos::prelude::*;

use crate::auth::Auth;
use crate::auth::storage::Store;
use crate::components::graph_problem::GraphProblem;
use crate::components::list::{Pager, Refusals, now_utc};
use crate::components::packages::{
    policies_read, timeout_in, use_catalogs, use_timeouts, waiting_packages,
};
use crate::config::Config;
use crate::graph::GraphFailure;
use crate::graph::models::Request;
use crate::graph::plan::{is_filter_refusal, plan, refused_in};
use crate::graph::resources::{Collection, Endpoint, Property};
use crate::i18n::{Msg, t, tf};
use crate::ids::Guid;
use crate::intl;
use crate::labels;
use crate::overview::{CHART_DAYS, COUNTED, KEPT_DAYS, OUTCOMES, Tally, scan_views, tally};
use crate::query::Preset;

const SAVED_KEY: &str = "access-desk.overview";

/// An overview kept for the tab's session, for one account of one tenant on one Graph.
#[derive(Clone, Debug)]
struct Saved {
    owner: String,
    as_of_ms: i64,
    scoped: bool,
    tally: Tally,
}

impl Saved {
    fn to_text(&self) -> String {
        serde_json::json!({
            "owner": self.owner,
            "asOfMs": self.as_of_ms,
            "scoped": self.scoped,
            "tally": self.tally.to_json(),
        })
        .to_string()
    }

    fn from_text(text: &str) -> Option<Saved> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        Some(Saved {
            owner: v["owner"].as_str()?.to_string(),
            as_of_ms: v["asOfMs"].as_i64()?,
            scoped: v["scoped"].as_bool()?,
            tally: Tally::from_json(&v["tally"])?,
        })
    }
}

/// The overview of the signed-in admin.
#[component]
pub fn Overview() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    let refusals = expect_context::<Refusals>();
    let endpoint = Endpoint::of(&config);
    let version = config.graph_version;
    let owner = auth
        .account
        .with_untracked(|a| {
            a.as_ref().map(|a| {
                format!(
                    "{}|{}|{}|{}",
                    config.graph_base,
                    version.path(),
                    a.tenant_id,
                    a.object_id
                )
            })
        })
        .unwrap_or_default();
    let saved = RwSignal::new(
        Store::session()
            .get(SAVED_KEY)
            .and_then(|s| Saved::from_text(&s))
            .filter(|s| s.owner == owner),
    );
    let scoped = RwSignal::new(saved.with_untracked(|s| s.as_ref().is_some_and(|s| s.scoped)));
    let scanning = RwSignal::new(false);
    let no_catalogs = RwSignal::new(false);
    let pager = Pager::new(endpoint.clone());
    let rows = pager.parsed(Request::from_json, |r| r.id.as_str());
    let catalogs = use_catalogs();

    // Every query of the scan, or None while a scoped scan waits for the catalogs.
    let urls = move || -> Option<Vec<String>> {
        let now = now_utc();
        let refused = refusals.of(Collection::Requests, version);
        let packages: Vec<Option<Guid>> = if scoped.get_untracked() {
            let list = catalogs.get_untracked()?.ok()?;
            list.iter()
                .flat_map(|c| c.packages.iter())
                .filter_map(|p| Guid::parse(&p.id))
                .map(Some)
                .collect()
        } else {
            vec![None]
        };
        let mut urls = Vec::new();
        for package in packages {
            let queries: Vec<_> = scan_views(now.date_naive(), package.as_ref())
                .iter()
                .flat_map(|v| plan(v, version, now, &refused).queries)
                .collect();
            // A query with no filter left (a refused clause moved to the browser) reads
            // everything the others would.
            let queries = match queries
                .iter()
                .position(|q| q.iter().all(|c| c.property == Property::AccessPackage))
            {
                Some(i) => vec![queries[i].clone()],
                None => queries,
            };
            for q in queries {
                let url = endpoint.list(Collection::Requests, &q);
                if !urls.contains(&url) {
                    urls.push(url);
                }
            }
        }
        Some(urls)
    };
    let start = {
        let auth = auth.clone();
        move || {
            if let Some(urls) = urls() {
                scanning.set(true);
                pager.start(auth.clone(), urls);
                pager.all(auth.clone());
            }
        }
    };
    // First visit this session: read at once. A scoped scan starts once the catalogs are in.
    let begin = start.clone();
    Effect::new(move |_| {
        if !scoped.get() {
            if saved.with_untracked(Option::is_none) && !scanning.get_untracked() {
                begin();
            }
            return;
        }
        match catalogs.get() {
            None => {}
            // Not even the catalogs: the scan fails with that answer, which the page's
            // catalogs section already explains; the overview says nothing more.
            Some(Err(e)) => {
                scanning.set(true);
                no_catalogs.set(true);
                pager.error.set(Some(e));
            }
            Some(Ok(_)) if saved.with_untracked(Option::is_none) && !scanning.get_untracked() => {
                begin();
            }
            Some(Ok(_)) => {}
        }
    });
    // Graph said no: a 403 means a catalog-scoped role (read per package); a refused
    // filter moves to the browser and the scan starts again.
    let again = start.clone();
    Effect::new(move |_| {
        let Some(GraphFailure::Graph(e)) = pager.error.get() else {
            return;
        };
        if e.status == 403 && !scoped.get_untracked() {
            scanning.set(false);
            scoped.set(true);
            return;
        }
        if is_filter_refusal(e.status, &e.code, &e.message) {
            let sent = [
                Property::State,
                Property::CreatedDateTime,
                Property::AccessPackage,
            ];
            let refused = refused_in(&e.message, &sent, Collection::Requests, version);
            if !refused.is_empty() && refusals.add(Collection::Requests, version, &refused) {
                again();
            }
        }
    });

    let read_all = Memo::new(move |_| {
        scanning.get()
            && !pager.loading.get()
            && !pager.has_more()
            && pager.error.with(Option::is_none)
    });
    let waiting = Memo::new(move |_| {
        if read_all.get() {
            rows.with(|r| waiting_packages(r.iter()))
        } else {
            Vec::new()
        }
    });
    let timeouts = use_timeouts(waiting.into());
    // Everything read, and the policies of packages with waiting callbacks too: count.
    Effect::new(move |_| {
        if !read_all.get() || !waiting.with(|w| policies_read(w)) {
            return;
        }
        let now = now_utc();
        let counted = timeouts.with(|known| {
            rows.with_untracked(|r| {
                tally(r, now, intl::local_offset_minutes(), &|ext| {
                    timeout_in(known, ext)
                })
            })
        });
        let result = Saved {
            owner: owner.clone(),
            as_of_ms: now.timestamp_millis(),
            scoped: scoped.get_untracked(),
            tally: counted,
        };
        Store::session().set(SAVED_KEY, &result.to_text());
        saved.set(Some(result));
        scanning.set(false);
        // The rows were only for counting: let them go.
        pager.items.set(Vec::new());
    });

    let refresh = start.clone();
    let state = move || {
        if scanning.get() {
            if pager.error.with(Option::is_some) {
                "failed"
            } else if !pager.loading_all.get() && !pager.loading.get() && pager.has_more() {
                "cancelled"
            } else {
                "reading"
            }
        } else if saved.with(Option::is_some) {
            "ready"
        } else {
            "reading"
        }
    };
    view! {
        <section class="overview" aria-labelledby="overview-title" data-testid="overview" data-state=state hidden=move || no_catalogs.get()>
            <h2 id="overview-title">{t(Msg::OverviewTitle)}</h2>
            {move || match state() {
                "ready" => saved.get().map(|s| view! { <Counts saved=s refresh=refresh.clone() /> }.into_any()),
                "cancelled" => Some(view! {
                    <p role="status">{tf(Msg::OverviewCancelled, &[("count", &intl::number(pager.items.with(Vec::len)))])}</p>
                    <button type="button" on:click={ let r = refresh.clone(); move |_| r() }>{t(Msg::Refresh)}</button>
                }.into_any()),
                "failed" if no_catalogs.get() => None,
                "failed" => pager.error.get().map(|e| view! {
                    <GraphProblem failure=e />
                    <button type="button" on:click={ let r = refresh.clone(); move |_| r() }>{t(Msg::Refresh)}</button>
                }.into_any()),
                _ => Some(view! {
                    <p role="status" data-testid="overview-progress">
                        {move || tf(Msg::OverviewReading, &[("count", &intl::number(pager.items.with(Vec::len)))])}
                    </p>
                    <progress aria-label=t(Msg::OverviewTitle)></progress>
                    <button type="button" data-testid="overview-cancel" on:click=move |_| pager.cancel()>{t(Msg::Cancel)}</button>
                }.into_any()),
            }}
        </section>
    }
}

/// The link to ready-made view `p`, of one package when given.
fn view_link(p: Preset, package: Option<&str>) -> String {
    match package {
        Some(id) => format!("requests?view={}&package={id}", p.name()),
        None => format!("requests?view={}", p.name()),
    }
}

#[component]
fn Counts<F: Fn() + Clone + Send + Sync + 'static>(saved: Saved, refresh: F) -> impl IntoView {
    let as_of = chrono::DateTime::from_timestamp_millis(saved.as_of_ms).unwrap_or_default();
    let tally = saved.tally;
    let counts = COUNTED
        .iter()
        .map(|p| {
            let n = tally.count(*p);
            let extra = (*p == Preset::Deadline && tally.under_a_day > 0).then(|| {
                view! {
                    <span class="under-a-day" data-testid="overview-under-a-day">
                        <span aria-hidden="true">"⚠ "</span>
                        {tf(Msg::OverviewUnderADay, &[("count", &intl::number(tally.under_a_day))])}
                    </span>
                }
            });
            view! {
                <li>
                    <a href=view_link(*p, None) data-testid=format!("overview-{}", p.name())>
                        <span class="count" data-value=n>{intl::number(n)}</span>
                        <span class="name">{labels::preset(*p)}</span>
                    </a>
                    {extra}
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="as-of">
            <span data-testid="overview-as-of">
                {tf(Msg::OverviewAsOf, &[("time", &intl::time_of_day(as_of)), ("count", &intl::number(tally.scanned))])}
            </span>
            " "
            <button type="button" data-testid="overview-refresh" on:click=move |_| refresh()>{t(Msg::Refresh)}</button>
        </p>
        {saved.scoped.then(|| view! { <p class="note">{t(Msg::OverviewScoped)}</p> })}
        <ul class="overview-counts">{counts}</ul>
        <OutcomeChart days=tally.days.clone() />
        <p class="note">{tf(Msg::OverviewBound, &[("days", &KEPT_DAYS.to_string())])}</p>
        <ByPackage packages=tally.packages.clone() />
    }
}

/// Bar heights in the chart's own units (the SVG scales to its box).
const CHART_W: u32 = 700;
const CHART_H: u32 = 180;
const BAR_GAP: u32 = 8;

#[component]
fn OutcomeChart(days: Vec<crate::overview::Day>) -> impl IntoView {
    let most = days
        .iter()
        .map(|d| d.outcomes.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let bar_w = CHART_W / CHART_DAYS as u32 - BAR_GAP;
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let x = i as u32 * (bar_w + BAR_GAP) + BAR_GAP / 2;
            let mut y = CHART_H;
            let parts = d
                .outcomes
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(o, n)| {
                    let h = ((*n as u64 * u64::from(CHART_H)) / most as u64).max(1) as u32;
                    y -= h.min(y);
                    let label = tf(
                        Msg::ChartBar,
                        &[("day", &intl::day(d.date)), ("count", &intl::number(*n)), ("outcome", &labels::state(OUTCOMES[o]))],
                    );
                    view! {
                        <rect class=format!("outcome-{o}") x=x y=y width=bar_w height=h><title>{label}</title></rect>
                    }
                })
                .collect_view();
            view! { <g>{parts}</g> }
        })
        .collect_view();
    let first = days.first().map(|d| intl::day(d.date)).unwrap_or_default();
    let last = days.last().map(|d| intl::day(d.date)).unwrap_or_default();
    let rows = days
        .iter()
        .map(|d| {
            let total: usize = d.outcomes.iter().sum();
            view! {
                <tr>
                    <th scope="row">{intl::day(d.date)}</th>
                    {d.outcomes.iter().map(|n| view! { <td>{intl::number(*n)}</td> }).collect_view()}
                    <td>{intl::number(total)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="outcome-chart" data-testid="outcome-chart">
            <figcaption id="chart-title">{tf(Msg::ChartTitle, &[("days", &CHART_DAYS.to_string())])}</figcaption>
            <ul class="legend">
                {OUTCOMES.iter().enumerate().map(|(o, s)| view! {
                    <li><span class=format!("swatch outcome-{o}") aria-hidden="true"></span>{labels::state(s)}</li>
                }).collect_view()}
            </ul>
            <svg viewBox=format!("0 0 {CHART_W} {CHART_H}") role="img" aria-labelledby="chart-title" preserveAspectRatio="none">
                {bars}
            </svg>
            <p class="chart-axis" aria-hidden="true"><span>{first}</span><span>{last}</span></p>
            <details>
                <summary>{t(Msg::ChartAsTable)}</summary>
                <div class="table-scroll" role="region" tabindex="0" aria-labelledby="chart-title">
                    <table data-testid="outcome-table">
                        <thead><tr>
                            <th scope="col">{t(Msg::ChartDay)}</th>
                            {OUTCOMES.iter().map(|s| view! { <th scope="col" data-value=*s>{labels::state(s)}</th> }).collect_view()}
                            <th scope="col">{t(Msg::ChartTotal)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}

/// Packages shown in the per-package table, at most (the rest are counted in one line).
const PACKAGES_SHOWN: usize = 10;

#[component]
fn ByPackage(packages: Vec<crate::overview::PackageCounts>) -> impl IntoView {
    if packages.is_empty() {
        return None;
    }
    let more = packages.len().saturating_sub(PACKAGES_SHOWN);
    let rows = packages
        .into_iter()
        .take(PACKAGES_SHOWN)
        .map(|p| {
            let cells = COUNTED
                .iter()
                .zip(p.views)
                .map(|(preset, n)| {
                    let href = view_link(*preset, Some(&p.id));
                    view! { <td>{(n > 0).then(|| view! { <a href=href>{intl::number(n)}</a> })}{(n == 0).then_some("0")}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{p.name}</th>{cells}</tr> }
        })
        .collect_view();
    Some(view! {
        <section class="by-package" aria-labelledby="by-package-title">
            <h3 id="by-package-title">{t(Msg::ByPackageTitle)}</h3>
            <div class="table-scroll" role="region" tabindex="0" aria-labelledby="by-package-title">
                <table data-testid="by-package">
                    <thead><tr>
                        <th scope="col">{t(Msg::ColPackage)}</th>
                        {COUNTED.iter().map(|p| view! { <th scope="col">{labels::preset(*p)}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {(more > 0).then(|| view! { <p>{tf(Msg::PackagesMore, &[("count", &intl::number(more))])}</p> })}
        </section>
    })
}
