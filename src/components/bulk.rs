//! Bulk reprocess of requests: the selected rows, or every row of the view. Ineligible
//! rows are skipped with the rules' reason before anything is sent; the rest go out as
//! JSON `$batch` calls of 20, [`CONCURRENCY`] at a time, with the retry and exactly-once
//! bookkeeping of [`crate::bulk::Run`]. A progress bar counts done, failed, retrying and
//! skipped, with cancel; the report stays on screen and downloads as CSV.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::actions::Action;
use crate::auth::Auth;
use crate::bulk::{CONCURRENCY, Outcome, Run, batch_body, read_batch};
use crate::components::list::Pager;
use crate::config::Config;
use crate::graph::models::Request;
use crate::graph::resources::{Endpoint, action_path};
use crate::graph::retry::Backoff;
use crate::graph::{GraphFailure, send, sleep_ms};
use crate::i18n::{Msg, t};
use crate::ids::Guid;
use crate::rules::can_reprocess_request;

/// Sends one batch and reads each item's outcome. A failure of the whole call says
/// nothing about its items if it may have reached Graph: they end as unknown.
async fn send_batch(
    auth: &Auth,
    url: &str,
    ids: &[String],
    config: &Config,
) -> Vec<(String, Outcome)> {
    let version = config.graph_version;
    let body = batch_body(ids, |id| match Guid::parse(id) {
        Some(g) => action_path(Action::ReprocessRequest, version, &g),
        None => String::new(),
    });
    let every = |o: Outcome| ids.iter().map(|id| (id.clone(), o.clone())).collect();
    match send(auth, "POST", url, Some(body.to_string())).await {
        Ok(answer) => match serde_json::from_str(&answer.body) {
            Ok(reply) => read_batch(&reply, ids),
            Err(e) => every(Outcome::Unknown(format!("{}: {e}", t(Msg::BulkUnreadable)))),
        },
        // Refused as a whole (400, 403): nothing in it ran.
        Err(GraphFailure::Graph(e)) if e.status < 500 => every(Outcome::Refused {
            status: e.status,
            code: e.code,
            message: e.message,
            request_id: e.request_id,
        }),
        Err(e) => every(Outcome::Unknown(match e {
            GraphFailure::Graph(g) => format!("HTTP {} {}", g.status, g.code),
            GraphFailure::Network(n) => n,
            GraphFailure::Auth(a) => a.to_string(),
            GraphFailure::ForeignLink(l) => l,
        })),
    }
}

/// Drives `run` to the end (or to cancel), writing its state to the signal as it goes.
/// At most [`CONCURRENCY`] batches are in flight; each records its own answers.
async fn drive(auth: Auth, config: Config, run: RwSignal<Run>, cancel: RwSignal<bool>) {
    let url = Endpoint::of(&config).batch();
    let started = js_sys::Date::now();
    let now = move || (js_sys::Date::now() - started).max(0.0) as u64;
    let in_flight = std::rc::Rc::new(std::cell::Cell::new(0usize));
    loop {
        if cancel.get_untracked() {
            run.update(|r| r.cancel(t(Msg::BulkCancelled)));
        }
        if run.with_untracked(Run::finished) {
            return;
        }
        while in_flight.get() < CONCURRENCY {
            let batch = run.try_update(|r| r.next_batch(now())).unwrap_or_default();
            if batch.is_empty() {
                break;
            }
            in_flight.set(in_flight.get() + 1);
            let (auth, config, url, in_flight) =
                (auth.clone(), config.clone(), url.clone(), in_flight.clone());
            spawn_local(async move {
                let answers = send_batch(&auth, &url, &batch, &config).await;
                if answers.iter().any(|(_, o)| *o == Outcome::Unauthorized) {
                    // The access token expired mid-run: the next batch gets a fresh one.
                    auth.invalidate_access_token();
                }
                run.update(|r| {
                    for (id, outcome) in answers {
                        r.record(&id, outcome, now(), js_sys::Math::random());
                    }
                });
                in_flight.set(in_flight.get() - 1);
            });
        }
        let wait = run
            .with_untracked(Run::next_ready_at)
            .map_or(20, |at| at.saturating_sub(now()));
        sleep_ms(wait.clamp(10, 200)).await;
    }
}

/// Saves `text` as a file the browser downloads.
fn download(name: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(href) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&href);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&href);
}

/// Where the bulk bar is. The plan itself lives in the run: before Start it holds the
/// eligible items and the skipped ones with their reasons, so the confirmation, the
/// progress and the report all read one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
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
    rows: Memo<Vec<Request>>,
    /// Ids of the selected rows.
    selected: RwSignal<Vec<String>>,
    /// The list's pager: "all in this view" waits until every page is loaded, so that it
    /// means the whole view and not the rows that happen to be loaded.
    pager: Pager,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    let stage = RwSignal::new(Stage::Idle);
    let run = RwSignal::new(Run::new(Vec::new(), Backoff::default()));
    let cancel = RwSignal::new(false);
    let plan = move |only_selected: bool| {
        let now = crate::components::list::now_utc();
        let chosen = selected.get_untracked();
        let plan = rows.with_untracked(|rows| {
            rows.iter()
                .filter(|r| !only_selected || chosen.contains(&r.id))
                .map(|r| {
                    let label = r.requestor.as_ref().map(|s| s.display_name.clone());
                    let skip = can_reprocess_request(&r.id, &r.state, r.completed, now)
                        .err()
                        .map(|why| why.message());
                    (r.id.clone(), label.unwrap_or_default(), skip)
                })
                .collect()
        });
        run.set(Run::planned(plan, Backoff::default()));
        stage.set(Stage::Confirming);
    };
    let start = move |_| {
        cancel.set(false);
        stage.set(Stage::Running);
        spawn_local(drive(auth.clone(), config.clone(), run, cancel));
    };
    let progress = move || run.with(Run::progress);
    let finished = move || run.with(Run::finished);
    let not = move |s: Stage| move || stage.get() != s;
    let partial = move || pager.has_more() || pager.loading.get();
    view! {
        <div class="bulk" data-testid="bulk">
            <p hidden=not(Stage::Idle)>
                <span data-testid="selected-count">{move || selected.with(Vec::len)} " " {t(Msg::BulkSelected)}</span>
                " "
                <button type="button" data-testid="bulk-selected" disabled=move || selected.with(Vec::is_empty) on:click=move |_| plan(true)>
                    {t(Msg::BulkReprocessSelected)}
                </button>
                " "
                <button type="button" data-testid="bulk-all" disabled=partial on:click=move |_| plan(false)
                    aria-describedby="bulk-partial">
                    {t(Msg::BulkReprocessView)} " (" {move || rows.with(Vec::len)} ")"
                </button>
                " "
                <span id="bulk-partial" class="hint" hidden=move || !partial()>{t(Msg::BulkLoadAllFirst)}</span>
            </p>
            <div role="alertdialog" aria-labelledby="bulk-plan" class="confirm" data-testid="bulk-confirm" hidden=not(Stage::Confirming)>
                <p id="bulk-plan">
                    <strong data-testid="bulk-eligible">{move || { let p = progress(); p.total - p.skipped }}</strong>
                    " " {t(Msg::BulkWillReprocess)} " · "
                    <strong data-testid="bulk-skipped">{move || progress().skipped}</strong>
                    " " {t(Msg::BulkWillSkip)}
                </p>
                <button type="button" class="primary" data-testid="bulk-start"
                    disabled=move || { let p = progress(); p.total == p.skipped } on:click=start>
                    {t(Msg::ReprocessNow)}
                </button>
                " "
                <button type="button" on:click=move |_| stage.set(Stage::Idle)>{t(Msg::Cancel)}</button>
            </div>
            <div data-testid="bulk-progress" hidden=not(Stage::Running)>
                <progress aria-labelledby="bulk-counts" max=move || progress().total.max(1) value=move || progress().done()></progress>
                <p role="status" id="bulk-counts" data-testid="bulk-counts">{move || {
                    let p = progress();
                    format!(
                        "{} {} / {} · {} {} · {} {} · {} {} · {} {}",
                        t(Msg::BulkDone), p.done(), p.total,
                        t(Msg::BulkAccepted), p.accepted,
                        t(Msg::BulkFailed), p.failed,
                        t(Msg::BulkRetrying), p.retrying,
                        t(Msg::BulkSkippedCount), p.skipped,
                    )
                }}</p>
                <button type="button" data-testid="bulk-cancel" hidden=finished on:click=move |_| cancel.set(true)>
                    {t(Msg::Cancel)}
                </button>
                <button type="button" data-testid="bulk-csv" hidden=move || !finished()
                    on:click=move |_| download("access-desk-reprocess.csv", &run.with(Run::report_csv))>
                    {t(Msg::BulkDownloadCsv)}
                </button>
                " "
                <button type="button" hidden=move || !finished() on:click=move |_| { selected.set(Vec::new()); stage.set(Stage::Idle) }>
                    {t(Msg::BulkClose)}
                </button>
                // The report: what did not go through first, as the CSV has it.
                <pre class="report" data-testid="bulk-report" tabindex="0" aria-label=t(Msg::BulkReportLabel) hidden=move || !finished()>
                    {move || if finished() { run.with(Run::report_csv) } else { String::new() }}
                </pre>
            </div>
        </div>
    }
}
