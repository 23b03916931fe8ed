//! The start page's operations overview: how many requests each ready-made view holds
//! now, each a link to it, and the requests completed per day over the last 14 days by
//! outcome. Counted by reading the views' own Graph queries to the end
//! ([`crate::overview`]), their pages 20 to a `$batch` call and the long queries per
//! access package ([`crate::overview::reading`]); it shows its progress, can be stopped,
//! and is kept for the tab's session with its time until Refresh. The count itself (its
//! reads, what is kept) is [`crate::state::overview`]; this file is the page's part.
//!
//! A catalog-scoped manager cannot list requests across packages (Graph answers 403):
//! the overview then counts each access package of their catalogs, one column each.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::auth::Auth;
use crate::auth::storage::Store;
use crate::clock::now_utc;
use crate::components::graph_problem::GraphProblem;
use crate::config::Config;
use crate::directory::{timeout_in, waiting_packages};
use crate::graph::GraphFailure;
use crate::graph::models::Request;
use crate::i18n::{Msg, t, tf};
use crate::intl::{number, time_of_day};
use crate::overview::markup;
use crate::rows::callback_time_left;
use crate::state::directory::use_timeouts;
use crate::state::list::Refusals;
use crate::state::overview::{Counted, LEGACY_KEPT, Reader, kept_key};

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
