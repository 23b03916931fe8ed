//! Bulk reprocess of requests, the browser's part: the selected rows or every row of the
//! view are planned (ineligible ones skipped with the rules' reason before anything is
//! sent), then [`crate::bulk::drive`] runs the plan over fetch, and this bar shows it: a
//! progress bar with cancel, and the report on screen and as a CSV download.
//!
//! While a run is in flight the page asks before it is left (`beforeunload`), and a token
//! renewal that needs an interactive sign-in pauses the run instead of leaving the page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::actions::Action;
use crate::auth::{Auth, AuthError, Permission};
use crate::bulk::{BatchAnswer, Before, Ended, Paths, Planned, Run, RunCell, Transport, drive};
use crate::clock::now_utc;
use crate::components::consent::{ConsentForActions, keep_draft, take_draft};
use crate::components::export::download;
use crate::config::Config;
use crate::graph::models::Request;
use crate::graph::resources::{Collection, Endpoint, action_path, item_path};
use crate::graph::{GraphFailure, Method, send, sleep_ms};
use crate::i18n::{Msg, t, tf};
use crate::ids::{Guid, ObjectId};
use crate::rules::can_reprocess_request;
use crate::state::list::{Pager, Shown};

/// Fetch with the app's token handling: a whole `$batch` is sent again only after a 429
/// or a renewed token (Graph did not act); anything else that loses the answer is
/// reported as lost, for the run to reconcile.
struct BrowserTransport {
    auth: Auth,
    url: String,
    started: f64,
}

impl Transport for BrowserTransport {
    async fn batch(&self, body: String) -> BatchAnswer {
        match send(&self.auth, Method::Post, &self.url, Some(body)).await {
            Ok(answer) => match serde_json::from_str(&answer.body) {
                Ok(body) => BatchAnswer::Reply {
                    body,
                    request_id: answer.request_id,
                },
                Err(e) => BatchAnswer::Lost {
                    why: tf(
                        Msg::BulkUnreadableDetail,
                        &[("what", t(Msg::BulkUnreadable)), ("detail", &e.to_string())],
                    ),
                    request_id: answer.request_id,
                },
            },
            Err(GraphFailure::Graph(e)) => BatchAnswer::Refused {
                status: e.status,
                code: e.code,
                message: e.message,
                request_id: e.request_id,
            },
            // Nothing was sent: the run pauses for the admin at Microsoft's page.
            Err(GraphFailure::Auth(
                AuthError::InteractionRequired | AuthError::ConsentNeeded(_),
            )) => BatchAnswer::SignInNeeded,
            Err(GraphFailure::Unsure { detail, request_id }) => BatchAnswer::Lost {
                why: detail,
                request_id,
            },
            Err(e) => BatchAnswer::Lost {
                why: match e {
                    GraphFailure::Network(n) => n,
                    GraphFailure::Auth(a) => a.to_string(),
                    GraphFailure::ForeignLink(l) => l,
                    GraphFailure::Graph(_) | GraphFailure::Unsure { .. } => String::new(),
                },
                request_id: None,
            },
        }
    }

    fn token_refused(&self) {
        self.auth.action_token_refused();
    }

    fn now_ms(&self) -> u64 {
        (js_sys::Date::now() - self.started).max(0.0) as u64
    }

    async fn sleep(&self, ms: u64) {
        sleep_ms(ms).await
    }
}

impl RunCell for RwSignal<Run> {
    fn change<R>(&self, f: impl FnOnce(&mut Run) -> R) -> R {
        self.try_update(f).expect("the bulk bar outlives its run")
    }

    fn look<R>(&self, f: impl FnOnce(&Run) -> R) -> R {
        self.with_untracked(f)
    }
}

/// The report's column names, in the admin's language.
fn csv_header() -> [&'static str; 5] {
    [
        t(Msg::CsvId),
        t(Msg::CsvItem),
        t(Msg::CsvOutcome),
        t(Msg::CsvDetail),
        t(Msg::CsvRequestId),
    ]
}

/// Asks before the page is left while `running`: a run's report lives in this page.
fn guard_unload(running: Signal<bool>) {
    let handler = Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(
        move |ev: web_sys::BeforeUnloadEvent| {
            if running.get_untracked() {
                ev.prevent_default();
                ev.set_return_value("");
            }
        },
    );
    if let Some(w) = web_sys::window() {
        let _ =
            w.add_event_listener_with_callback("beforeunload", handler.as_ref().unchecked_ref());
        let f: js_sys::Function = handler.as_ref().clone().unchecked_into();
        on_cleanup(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.remove_event_listener_with_callback("beforeunload", &f);
            }
        });
    }
    handler.forget();
}

/// Where the bulk bar is. The plan itself lives in the run: before Start it holds the
/// eligible items and the skipped ones with their reasons, so the confirmation, the
/// progress and the report all read one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BarStage {
    Idle,
    Confirming,
    Running,
}

/// The bulk bar of the requests list: selection count, the two ways to start, the
/// confirmation, the progress bar and the report. One markup tree whose parts are shown
/// by stage (cheaper in the bundle than a view per stage).
#[component]
pub fn BulkBar(
    /// Every row of the current view (after the browser-side filters).
    rows: Shown<Request>,
    /// Ids of the selected rows.
    selected: RwSignal<Vec<ObjectId>>,
    /// The list's pager: "all in this view" waits until every page is loaded, so that it
    /// means the whole view and not the rows that happen to be loaded.
    pager: Pager,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    if config.read_only {
        // A read-only deployment offers no action; the detail pages say why.
        return ().into_any();
    }
    let stage = RwSignal::new(BarStage::Idle);
    // The plan a consent interrupted comes back as the selection, for this view only. The
    // draft is the view's address on its first line, then the ids, one per line.
    let view_now = crate::auth::current_view();
    let restored: Option<Vec<ObjectId>> = take_draft("bulk").and_then(|text| {
        let mut lines = text.lines();
        (lines.next() == Some(view_now.as_str()))
            .then(|| lines.map(ObjectId::parse).collect::<Vec<_>>())
            .filter(|ids| !ids.is_empty())
    });
    let restored = restored.map(|ids| selected.set(ids)).is_some();
    let needs_consent = RwSignal::new(false);
    let run = RwSignal::new(Run::new(Vec::new()));
    // What a consent keeps: the plan on screen, not started, whose eligible items are the
    // ones without a result yet (the skipped ones have theirs).
    let keep_plan = Callback::new(move |()| {
        let mut draft = crate::auth::current_view();
        for (id, _) in run
            .with_untracked(Run::results)
            .into_iter()
            .filter(|(_, f)| f.is_none())
        {
            draft.push('\n');
            draft.push_str(&id);
        }
        keep_draft("bulk", &draft);
    });
    let cancel = RwSignal::new(false);
    let ended = RwSignal::new(None::<Ended>);
    let plan = move |only_selected: bool| {
        let now = now_utc();
        let chosen = selected.get_untracked();
        let plan = rows.with_untracked(|rows| {
            rows.filter(|r| !only_selected || chosen.contains(&r.id))
                .map(|r| Planned {
                    id: r.id.clone(),
                    label: r
                        .requestor
                        .as_ref()
                        .map(|s| s.display_name.clone())
                        .unwrap_or_default(),
                    before: Before::of(r),
                    skip: can_reprocess_request(&r.id, &r.state, r.completed, now)
                        .err()
                        .map(|why| why.message()),
                })
                .collect()
        });
        needs_consent.set(false);
        run.set(Run::planned(plan));
        stage.set(BarStage::Confirming);
    };
    let running = Signal::derive(move || stage.get() == BarStage::Running && ended.get().is_none());
    guard_unload(running);
    let start = move |_| {
        // Running at once (before anything is awaited), so a second click starts nothing.
        if stage.get_untracked() != BarStage::Confirming {
            return;
        }
        cancel.set(false);
        ended.set(None);
        stage.set(BarStage::Running);
        let auth = auth.clone();
        let config = config.clone();
        spawn_local(async move {
            // The token that acts first: if it needs the admin at Microsoft's page, the
            // plan comes back on screen with the reason, and nothing is sent.
            if let Err(AuthError::ConsentNeeded(_)) = auth.acquire_token_for(Permission::Act).await
            {
                needs_consent.set(true);
                stage.set(BarStage::Confirming);
                return;
            }
            let version = config.graph_version;
            let transport = BrowserTransport {
                auth: auth.clone(),
                url: Endpoint::of(&config).batch(),
                started: js_sys::Date::now(),
            };
            let action = move |id: &Guid| action_path(Action::ReprocessRequest, version, id);
            let item = move |id: &Guid| item_path(Collection::Requests, version, id);
            let paths = Paths {
                action: &action,
                item: &item,
            };
            auth.hold_interactive_sign_in(true);
            let how = drive(&transport, &run, &paths, &|| cancel.get_untracked()).await;
            auth.hold_interactive_sign_in(false);
            ended.try_set(Some(how));
        });
    };
    let progress = move || run.with(Run::progress);
    let finished = move || ended.get().is_some();
    let not = move |s: BarStage| move || stage.get() != s;
    let partial = move || pager.has_more() || pager.loading.get();
    let auth_for_sign_in = expect_context::<Auth>();
    view! {
        <div class="bulk" data-testid="bulk">
            <p class="notice" role="status" data-testid="bulk-restored" hidden=!restored>{t(Msg::ActionsDraftRestored)}</p>
            <p hidden=not(BarStage::Idle)>
                <span data-testid="selected-count">{move || tf(Msg::BulkSelectedCount, &[("count", &selected.with(Vec::len).to_string())])}</span>
                " "
                <button type="button" data-testid="bulk-selected" disabled=move || selected.with(Vec::is_empty) on:click=move |_| plan(true)>
                    {t(Msg::BulkReprocessSelected)}
                </button>
                " "
                <button type="button" data-testid="bulk-all" disabled=partial on:click=move |_| plan(false)
                    aria-describedby="bulk-partial">
                    {move || tf(Msg::BulkReprocessViewCount, &[("count", &rows.len().to_string())])}
                </button>
                " "
                <span id="bulk-partial" class="hint" hidden=move || !partial()>{t(Msg::BulkLoadAllFirst)}</span>
            </p>
            <div role="alertdialog" aria-labelledby="bulk-plan" class="confirm" data-testid="bulk-confirm" hidden=not(BarStage::Confirming)>
                <p id="bulk-plan">{move || {
                    let p = progress();
                    tf(Msg::BulkPlan, &[("eligible", &(p.total - p.skipped).to_string()), ("skipped", &p.skipped.to_string())])
                }}</p>
                <p class="hint">{tf(Msg::BulkWillSkip, &[("days", &crate::rules::REPROCESS_WINDOW_DAYS.to_string())])}</p>
                <span hidden data-testid="bulk-eligible">{move || { let p = progress(); p.total - p.skipped }}</span>
                <span hidden data-testid="bulk-skipped">{move || progress().skipped}</span>
                <button type="button" class="primary" data-testid="bulk-start"
                    disabled=move || { let p = progress(); p.total == p.skipped } on:click=start>
                    {t(Msg::ReprocessNow)}
                </button>
                " "
                <button type="button" on:click=move |_| stage.set(BarStage::Idle)>{t(Msg::Cancel)}</button>
                {move || needs_consent.get().then(|| view! { <ConsentForActions keep=keep_plan /> })}
            </div>
            <div data-testid="bulk-progress" hidden=not(BarStage::Running)>
                <progress aria-labelledby="bulk-counts" max=move || progress().total.max(1) value=move || progress().done()></progress>
                <p role="status" id="bulk-counts" data-testid="bulk-counts">{move || {
                    let p = progress();
                    tf(Msg::BulkCounts, &[
                        ("done", &p.done().to_string()),
                        ("total", &p.total.to_string()),
                        ("accepted", &p.accepted.to_string()),
                        ("verified", &p.verified.to_string()),
                        ("lost", &p.answer_lost.to_string()),
                        ("failed", &p.failed.to_string()),
                        ("retrying", &p.retrying.to_string()),
                        ("skipped", &p.skipped.to_string()),
                    ])
                }}</p>
                <p class="notice warn" role="alert" data-testid="bulk-sign-in" hidden=move || ended.get() != Some(Ended::SignInNeeded)>
                    {t(Msg::BulkPausedSignIn)} " "
                    <button type="button" on:click=move |_| {
                        crate::components::sign_in_error::start_sign_in(&auth_for_sign_in, &crate::auth::current_view());
                    }>{t(Msg::SignIn)}</button>
                </p>
                <button type="button" data-testid="bulk-cancel" hidden=finished on:click=move |_| cancel.set(true)>
                    {t(Msg::Cancel)}
                </button>
                <button type="button" data-testid="bulk-csv" hidden=move || !finished()
                    on:click=move |_| download(&tf(Msg::BulkReportFileName, &[("date", &crate::query::format_date(now_utc().date_naive()))]), &run.with(|r| r.report_csv(csv_header())))>
                    {t(Msg::BulkDownloadCsv)}
                </button>
                " "
                <button type="button" hidden=move || !finished() on:click=move |_| { selected.set(Vec::new()); stage.set(BarStage::Idle) }>
                    {t(Msg::BulkClose)}
                </button>
                // The report: what did not go through first, as the CSV has it.
                <pre class="report" data-testid="bulk-report" tabindex="0" aria-label=t(Msg::BulkReportLabel) hidden=move || !finished()>
                    {move || if finished() { run.with(|r| r.report_csv(csv_header())) } else { String::new() }}
                </pre>
            </div>
        </div>
    }
    .into_any()
}
