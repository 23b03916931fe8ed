//! The single-item actions: reprocess (a request or an assignment) and resume.
//!
//! Each asks [`crate::rules`] before it offers a button, and again just before it sends
//! (the clock may have closed the reprocess window while the page was open). Sending moves
//! the form out of the state that has a send button in the same click, so an action cannot
//! be sent twice. Graph queues the actions (reprocess answers 202): the page says so with
//! Graph's request-id, then follows the item ([`crate::follow`]) until a read shows the
//! action took effect and the item is at rest, or says plainly what it saw after a minute.
//!
//! When the answer is lost (503, 504, no answer), nothing is sent again, ever: the item is
//! read, and a read that shows the action took effect verifies it; a read that shows the
//! item as before proves nothing (Graph's queue may not have run yet), so the page says
//! the answer was lost and offers a read-only "Check again".

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::actions::{Action, ResumeBody, Stage};
use crate::auth::Auth;
use crate::components::consent::{
    ConsentForActions, ReadOnlyNotice, keep_draft, needs_consent, take_draft,
};
use crate::components::graph_problem::GraphProblem;
use crate::config::Config;
use crate::follow::{self, Follow, Seen};
use crate::graph::models::{Assignment, Request};
use crate::graph::resources::{Collection, Endpoint};
use crate::graph::{GraphFailure, get_json, post_action, sleep_ms};
use crate::i18n::{Msg, t, tf};
use crate::ids::Guid;
use crate::ids::is_guid;
use crate::labels;
use crate::rules::{Refusal, Verdict, WaitingCallout, can_resume, instance_differs};

/// Where a single-item action is.
#[derive(Clone, Debug, PartialEq)]
enum ActionPhase {
    Idle,
    Confirming,
    Sending,
    /// Graph accepted it (and queued it); its request-id.
    Sent(Option<String>),
    /// Graph refused it: the answer stands (the admin may fix and try again).
    Failed(GraphFailure),
    /// The answer was lost: the item is being read to find out what happened.
    Checking,
    /// The answer was lost and a read shows the action took effect (its state now).
    Verified(String),
    /// The answer was lost and the last read cannot show that Graph acted: what was lost,
    /// and its request-id. Never sent again; only read again.
    Lost(String, Option<String>),
    Refused(String),
}

/// How long after a lost answer the item is first read (a moment for Graph to show it).
const SETTLE_MS: u64 = 1_500;

/// State and status of a request, in either version's JSON (the models read both).
fn request_fields(json: &Value) -> (String, String) {
    let r = Request::from_json(json);
    (r.state, r.status)
}

/// State and status of an assignment, in either version's JSON.
fn assignment_fields(json: &Value) -> (String, String) {
    let a = Assignment::from_json(json);
    (a.state, a.status)
}

/// How following an item after an action ended, when it did not settle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FollowEnd {
    /// A minute of reads showed the item as before: Graph has not run the action yet.
    NotYet,
    /// Graph ran it, and the item was still delivering after a minute.
    StillRunning,
}

/// The signals an action's send writes to, how its item is read, and when following the
/// item may stop.
#[derive(Clone, Copy)]
struct Sent {
    phase: RwSignal<ActionPhase>,
    shown: RwSignal<Option<(String, String)>>,
    /// Whether a read has shown Graph running the action.
    acted: RwSignal<bool>,
    ended: RwSignal<Option<FollowEnd>>,
    /// The item's state and status in Graph's JSON.
    read: fn(&Value) -> (String, String),
    /// Whether the item is at rest, from its state and status.
    at_rest: fn(&str, &str) -> bool,
    /// Whether the action took effect, judged from a read of the item.
    verdict: Callback<Value, Verdict>,
}

impl Sent {
    /// POSTs to `url` (None: the id was not a GUID, so there is no URL), then follows the
    /// item at `item_url`. Sets Sending before anything is awaited.
    fn send(self, auth: Auth, url: Option<String>, body: Option<Value>, item_url: String) {
        let Some(url) = url else {
            self.phase
                .set(ActionPhase::Refused(Refusal::MalformedId.message()));
            return;
        };
        self.phase.set(ActionPhase::Sending);
        spawn_local(async move {
            match post_action(&auth, &url, body.as_ref()).await {
                Ok(answer) => {
                    self.phase.try_set(ActionPhase::Sent(answer.request_id));
                    self.follow(auth, item_url);
                }
                Err(GraphFailure::Unsure { detail, request_id }) => {
                    self.phase.try_set(ActionPhase::Checking);
                    sleep_ms(SETTLE_MS).await;
                    self.check(auth, item_url, detail, request_id).await;
                }
                Err(e) => {
                    self.phase.try_set(ActionPhase::Failed(e));
                }
            }
        });
    }

    /// Reads the item after a lost answer and says what the read shows. Never sends: a
    /// read showing the item as before may have been taken before Graph's queue ran.
    async fn check(self, auth: Auth, item_url: String, lost: String, request_id: Option<String>) {
        let phase = match get_json(&auth, &item_url).await {
            Ok(json) => match self.verdict.run(json.clone()) {
                Verdict::Acted => ActionPhase::Verified((self.read)(&json).0),
                Verdict::Untouched | Verdict::Unclear => ActionPhase::Lost(lost, request_id),
            },
            Err(_) => ActionPhase::Lost(lost, request_id),
        };
        let followed = matches!(phase, ActionPhase::Verified(_));
        self.phase.try_set(phase);
        if followed {
            self.follow(auth, item_url);
        }
    }

    /// Reads the item every [`follow::EVERY_MS`] until a read shows the action took effect
    /// and the item is at rest, showing its state and status as it goes; after
    /// [`follow::TIMES`] reads, says what it saw.
    fn follow(self, auth: Auth, url: String) {
        spawn_local(async move {
            let mut seen = Follow::default();
            for _ in 0..follow::TIMES {
                sleep_ms(follow::EVERY_MS).await;
                let Ok(json) = get_json(&auth, &url).await else {
                    continue;
                };
                let (state, status) = (self.read)(&json);
                let now = seen.read(self.verdict.run(json), (self.at_rest)(&state, &status));
                if self.shown.try_set(Some((state, status))).is_some() {
                    // The page was left.
                    return;
                }
                self.acted.set(seen.acted());
                if now == Seen::Settled {
                    return;
                }
            }
            self.ended.try_set(Some(if seen.acted() {
                FollowEnd::StillRunning
            } else {
                FollowEnd::NotYet
            }));
        });
    }
}

fn not_delivering(state: &str, _status: &str) -> bool {
    follow::at_rest_after_reprocess(state)
}

/// A resume is done once the callout it answered no longer waits (the verdict).
fn any_state(_state: &str, _status: &str) -> bool {
    true
}

/// The item's state and status as they are followed after an action, and how following
/// ended.
#[component]
fn Followed(
    shown: RwSignal<Option<(String, String)>>,
    acted: RwSignal<bool>,
    ended: RwSignal<Option<FollowEnd>>,
) -> impl IntoView {
    view! {
        {move || shown.get().map(|(state, status)| view! {
            <p role="status" data-testid="followed">
                {t(Msg::FollowState)} " " <strong data-testid="followed-state" data-value=state.clone() title=state.clone()>{labels::state(&state)}</strong>
                " · " {t(Msg::FollowStatus)} " " <strong data-testid="followed-status" data-value=status.clone() title=status.clone()>{labels::status(&status)}</strong>
            </p>
        })}
        <p class="accepted" data-testid="follow-acted" hidden=move || !acted.get()>{t(Msg::FollowActed)}</p>
        {move || ended.get().map(|end| {
            let (id, text) = match end {
                FollowEnd::NotYet => ("follow-not-yet", t(Msg::FollowNotYet)),
                FollowEnd::StillRunning => ("follow-still-running", t(Msg::FollowStopped)),
            };
            view! { <p class="notice" role="status" data-testid=id>{text}</p> }
        })}
    }
}

/// What a form shows once its action has left: sending, Graph's answer, what a read after
/// a lost answer showed (with a read-only "Check again"), or the refusal.
fn after_send(phase: ActionPhase, check_again: Callback<()>) -> AnyView {
    match phase {
        ActionPhase::Sending => {
            view! { <button type="button" disabled=true>{t(Msg::Sending)}</button> }.into_any()
        }
        ActionPhase::Sent(request_id) => view! {
            <p role="status" class="accepted" data-testid="action-accepted">
                {t(Msg::ActionAccepted)} " " {t(Msg::GraphRequestId)} ": "
                <code data-testid="action-request-id">{request_id.unwrap_or_default()}</code>
            </p>
        }
        .into_any(),
        ActionPhase::Failed(e) => view! { <GraphProblem failure=e /> }.into_any(),
        ActionPhase::Checking => {
            view! { <p role="status" data-testid="action-checking">{t(Msg::ActionChecking)}</p> }
                .into_any()
        }
        ActionPhase::Verified(state) => view! {
            <p role="status" class="accepted" data-testid="action-verified">{tf(Msg::ActionVerified, &[("state", &labels::state(&state))])}</p>
        }
        .into_any(),
        ActionPhase::Lost(lost, request_id) => view! {
            <p role="alert" data-testid="action-lost">
                {tf(Msg::ActionLostUnchanged, &[("why", &lost), ("id", &request_id.unwrap_or_default())])}
            </p>
            <button type="button" data-testid="action-check-again" on:click=move |_| check_again.run(())>
                {t(Msg::ActionCheckAgain)}
            </button>
        }
        .into_any(),
        ActionPhase::Refused(why) => {
            view! { <p role="alert" data-testid="action-refused">{why}</p> }.into_any()
        }
        ActionPhase::Idle | ActionPhase::Confirming => ().into_any(),
    }
}

/// Graph's answer to a resume it could not match (docs-contrib issue 8687): `UnknownError`
/// with an empty message, which says nothing of the cause.
fn is_opaque_resume_failure(f: &GraphFailure) -> bool {
    matches!(f, GraphFailure::Graph(e)
        if e.code.eq_ignore_ascii_case("UnknownError") && e.message.trim().is_empty())
}

/// The read-only "Check again" of a lost answer: reads the item at `item_url` once more.
fn check_again(sent: Sent, auth: Auth, item_url: String) -> Callback<()> {
    Callback::new(move |()| {
        let ActionPhase::Lost(lost, request_id) = sent.phase.get_untracked() else {
            return;
        };
        sent.phase.set(ActionPhase::Checking);
        let (auth, item_url) = (auth.clone(), item_url.clone());
        spawn_local(sent.check(auth, item_url, lost, request_id));
    })
}

/// Reprocess one request or assignment. Shown only when the rules allow it; `recheck` is
/// asked again just before sending.
#[component]
pub fn ReprocessAction(
    /// `Action::ReprocessRequest` or `Action::ReprocessAssignment`.
    action: Action,
    /// The item's id.
    id: Guid,
    /// The rules for this item, asked again at send time (with the clock of that moment).
    recheck: Callback<(), Result<(), Refusal>>,
    /// Whether the action took effect, from the item read after a lost answer.
    verdict: Callback<Value, Verdict>,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    if config.read_only {
        return view! { <ReadOnlyNotice /> }.into_any();
    }
    // Nothing typed to keep: back from Microsoft's consent page, the admin presses
    // Reprocess again.
    let keep = Callback::new(|()| {});
    let phase = RwSignal::new(ActionPhase::Idle);
    let shown = RwSignal::new(None::<(String, String)>);
    let acted = RwSignal::new(false);
    let ended = RwSignal::new(None::<FollowEnd>);
    let explain = match action {
        Action::ReprocessAssignment => t(Msg::ReprocessConfirmAssignment),
        _ => t(Msg::ReprocessConfirmRequest),
    };
    let graph = Endpoint::of(&config);
    let collection = match action {
        Action::ReprocessAssignment => Collection::Assignments,
        _ => Collection::Requests,
    };
    let item_url = graph.item_state(collection, &id);
    let action_url = graph.action(action, &id);
    let sent = Sent {
        phase,
        shown,
        acted,
        ended,
        read: match action {
            Action::ReprocessAssignment => assignment_fields,
            _ => request_fields,
        },
        at_rest: not_delivering,
        verdict,
    };
    let check_lost = check_again(sent, auth.clone(), item_url.clone());
    let send = move || {
        // The one place a click can send: only from Confirming, and Sending is set before
        // anything is awaited.
        if phase.get_untracked() != ActionPhase::Confirming {
            return;
        }
        if let Err(refusal) = recheck.run(()) {
            phase.set(ActionPhase::Refused(refusal.message()));
            return;
        }
        sent.send(
            auth.clone(),
            Some(action_url.clone()),
            None,
            item_url.clone(),
        );
    };
    view! {
        <div class="action-form" data-testid="reprocess-form">
            {move || match phase.get() {
                ActionPhase::Idle => view! {
                    <button type="button" data-testid="reprocess" on:click=move |_| phase.set(ActionPhase::Confirming)>
                        {t(Msg::ReprocessOpen)}
                    </button>
                }.into_any(),
                ActionPhase::Confirming => {
                    let send = send.clone();
                    view! {
                        <div role="alertdialog" aria-labelledby="reprocess-explain" class="confirm" data-testid="reprocess-confirm">
                            <p id="reprocess-explain">{explain}</p>
                            <button type="button" class="primary" data-testid="reprocess-now" on:click=move |_| send()>{t(Msg::ReprocessNow)}</button>
                            " "
                            <button type="button" on:click=move |_| phase.set(ActionPhase::Idle)>{t(Msg::Cancel)}</button>
                        </div>
                    }.into_any()
                }
                ActionPhase::Failed(e) if needs_consent(&e) => view! { <ConsentForActions keep=keep /> }.into_any(),
                other => after_send(other, check_lost),
            }}
            <Followed shown=shown acted=acted ended=ended />
        </div>
    }
    .into_any()
}

/// Which field a refusal belongs next to.
fn field_of(r: &Refusal) -> &'static str {
    match r {
        Refusal::InstanceIdNotGuid => "instance",
        Refusal::StageMismatch { .. }
        | Refusal::StageRuledOut { .. }
        | Refusal::DenyNotAtStage(_) => "stage",
        Refusal::SourceEmpty | Refusal::SourceTooLong => "source",
        _ => "form",
    }
}

/// Resume a request that waits for a custom extension callback: continue, or deny where
/// denying is allowed. Pre-filled from the waiting callout, with the stage the policy pins
/// or, when it does not, the one the request's state allows; every field is checked by
/// the rules as it is typed, and the exact body is shown before it is sent. Deny asks
/// again, and what it sends is the body shown in that confirmation: any edit meanwhile
/// cancels the confirmation.
#[component]
pub fn ResumeForm(
    /// The request's id.
    id: Guid,
    /// The request's status, as read with the page.
    status: String,
    /// The callout it waits on, with the request's state and the policy's stage.
    waiting: WaitingCallout,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    if config.read_only {
        return view! { <ReadOnlyNotice /> }.into_any();
    }
    let cloud = config.cloud;
    let stage_hint = if waiting.stage.is_some() {
        t(Msg::ResumeStageFromPolicy).to_string()
    } else if waiting.stage_is_certain() {
        tf(
            Msg::ResumeStageFromState,
            &[
                ("state", &labels::state_with_code(&waiting.state)),
                ("stage", waiting.likely_stage().name()),
            ],
        )
    } else {
        t(Msg::ResumeStageChoose).to_string()
    };
    let instance = RwSignal::new(waiting.instance_id.clone());
    let stage = RwSignal::new(waiting.likely_stage());
    let deny = RwSignal::new(false);
    let source = RwSignal::new(t(Msg::AppName).to_string());
    let detail = RwSignal::new(String::new());
    let phase = RwSignal::new(ActionPhase::Idle);
    // The body a confirmation (deny, or another instance id) shows: what its button sends,
    // whatever happens to the fields meanwhile.
    let confirmed = RwSignal::new(None::<ResumeBody>);
    // Back from Microsoft's consent page: the fields as the admin left them, one per line
    // (the detail last: it may hold line breaks).
    let draft = format!("resume.{id}");
    let restored = take_draft(&draft)
        .map(|text| {
            let mut f = text.splitn(5, '\n');
            let mut next = || f.next().unwrap_or_default().to_string();
            instance.set(next());
            if let Some(s) = Stage::parse(&next()) {
                stage.set(s);
            }
            source.set(next());
            deny.set(next() == "deny");
            detail.set(next());
        })
        .is_some();
    let keep = Callback::new(move |()| {
        let fields = [
            instance.get_untracked(),
            stage.get_untracked().name().to_string(),
            source.get_untracked(),
            if deny.get_untracked() {
                "deny"
            } else {
                "continue"
            }
            .to_string(),
            detail.get_untracked(),
        ];
        keep_draft(&draft, &fields.join("\n"));
    });
    let shown = RwSignal::new(None::<(String, String)>);
    let acted = RwSignal::new(false);
    let ended = RwSignal::new(None::<FollowEnd>);

    let body = Memo::new(move |_| ResumeBody {
        source: source.get(),
        stage: stage.get(),
        instance_id: instance.get(),
        detail: detail.get(),
        deny: deny.get(),
    });
    let id_text = id.to_string();
    let (status_check, waiting_check) = (status.clone(), waiting.clone());
    let check = move |b: &ResumeBody| {
        can_resume(cloud, &id_text, &status_check, Some(&waiting_check), b)
            .err()
            .unwrap_or_default()
    };
    let check_now = check.clone();
    let problems = Memo::new(move |_| body.with(|b| check_now(b)));
    let errors_for = move |field: &'static str| {
        move || {
            problems.with(|ps| {
                ps.iter()
                    .filter(|p| field_of(p) == field)
                    .map(Refusal::message)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        }
    };
    // Editing any field while deny waits for its confirmation cancels the confirmation.
    let edited = move || {
        if phase.get_untracked() == ActionPhase::Confirming {
            phase.set(ActionPhase::Idle);
            confirmed.set(None);
        }
    };
    let preview = move || {
        let b = confirmed.get().unwrap_or_else(|| body.get());
        serde_json::to_string_pretty(&b.to_json()).unwrap_or_default()
    };
    let graph = Endpoint::of(&config);
    let item_url = graph.item_state(Collection::Requests, &id);
    let action_url = graph.action(Action::ResumeRequest, &id);
    let instance_id = waiting.instance_id.clone();
    let sent = Sent {
        phase,
        shown,
        acted,
        ended,
        read: request_fields,
        at_rest: any_state,
        verdict: Callback::new(move |json: Value| {
            crate::rules::resume_took_effect(&instance_id, &Request::from_json(&json))
        }),
    };
    let check_lost = check_again(sent, auth.clone(), item_url.clone());
    let waiting_now = waiting.clone();
    let send = move || {
        let state = phase.get_untracked();
        if !matches!(
            state,
            ActionPhase::Idle | ActionPhase::Confirming | ActionPhase::Failed(_)
        ) {
            return;
        }
        // The body that goes: the confirmed one for a deny, the form's otherwise; asked of
        // the rules again, exactly as it will be sent.
        let b = match (state == ActionPhase::Confirming, confirmed.get_untracked()) {
            (true, Some(frozen)) => frozen,
            (true, None) => return,
            (false, _) => body.get_untracked(),
        };
        if !check(&b).is_empty() {
            return;
        }
        if (b.deny || instance_differs(&waiting_now, &b)) && state != ActionPhase::Confirming {
            confirmed.set(Some(b));
            phase.set(ActionPhase::Confirming);
            return;
        }
        confirmed.set(None);
        sent.send(
            auth.clone(),
            Some(action_url.clone()),
            Some(b.to_json()),
            item_url.clone(),
        );
    };
    let send2 = send.clone();
    let (waiting_id, waiting_warn) = (waiting.instance_id.clone(), waiting.clone());
    let differs =
        move || body.with(|b| is_guid(&b.instance_id) && instance_differs(&waiting_warn, b));
    view! {
        <form class="resume-form" data-testid="resume-form" on:submit=move |ev| { ev.prevent_default(); send(); }>
            <p class="notice" role="status" data-testid="draft-restored" hidden=!restored>{t(Msg::ActionsDraftRestored)}</p>
            <label>
                {t(Msg::ResumeInstance)}
                <input type="text" name="instance" spellcheck="false" autocomplete="off"
                    prop:value=move || instance.get()
                    on:input=move |ev| { edited(); instance.set(event_target_value(&ev)) }
                    aria-invalid=move || (!errors_for("instance")().is_empty()).to_string()
                    aria-describedby="resume-instance-error" />
            </label>
            <p class="field-error" id="resume-instance-error" data-testid="error-instance">{errors_for("instance")}</p>
            <p class="hint warn" data-testid="warn-instance" hidden=move || !differs()>
                {tf(Msg::ResumeInstanceDiffers, &[("waiting", &waiting_id)])}
            </p>
            <label>
                {t(Msg::ResumeStage)}
                <select name="stage" on:change=move |ev| {
                    edited();
                    if let Some(s) = Stage::parse(&event_target_value(&ev)) { stage.set(s) }
                } aria-describedby="resume-stage-hint resume-stage-error">
                    {Stage::ALL.into_iter().map(|s| view! {
                        <option value=s.name() prop:selected=move || stage.get() == s>
                            {tf(Msg::LabelWithCode, &[("label", labels::stage(s)), ("code", s.name())])}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <p class="hint" id="resume-stage-hint" data-testid="stage-hint">{stage_hint}</p>
            <p class="field-error" id="resume-stage-error" data-testid="error-stage">{errors_for("stage")}</p>
            <fieldset>
                <legend>{t(Msg::ResumeDecision)}</legend>
                <label><input type="radio" name="decision" value="continue" prop:checked=move || !deny.get() on:change=move |_| { edited(); deny.set(false) } />{t(Msg::ResumeContinue)}</label>
                <label><input type="radio" name="decision" value="deny" prop:checked=move || deny.get() on:change=move |_| { edited(); deny.set(true) } />{t(Msg::ResumeDeny)}</label>
            </fieldset>
            <label>
                {t(Msg::ResumeSource)}
                <input type="text" name="source" prop:value=move || source.get()
                    on:input=move |ev| { edited(); source.set(event_target_value(&ev)) }
                    aria-describedby="resume-source-error resume-source-hint" />
            </label>
            <p class="hint" id="resume-source-hint">{t(Msg::ResumeSourceHint)}</p>
            <p class="field-error" id="resume-source-error" data-testid="error-source">{errors_for("source")}</p>
            <label>
                {t(Msg::ResumeDetail)}
                <textarea name="detail" rows="2" prop:value=move || detail.get()
                    on:input=move |ev| { edited(); detail.set(event_target_value(&ev)) }></textarea>
            </label>
            <p class="field-error" data-testid="error-form">{errors_for("form")}</p>
            <details open=true>
                <summary>{t(Msg::ResumePreview)}</summary>
                <pre data-testid="resume-preview">{preview}</pre>
            </details>
            {move || match phase.get() {
                ActionPhase::Idle | ActionPhase::Failed(_) => view! {
                    <button type="submit" class="primary" data-testid="resume-send" disabled=move || !problems.with(Vec::is_empty)>
                        {move || if deny.get() { t(Msg::ResumeDenySend) } else { t(Msg::ResumeContinueSend) }}
                    </button>
                }.into_any(),
                ActionPhase::Confirming => {
                    let send = send2.clone();
                    let frozen = confirmed.get_untracked();
                    let denies = frozen.as_ref().is_some_and(|b| b.deny);
                    let other_instance = frozen.as_ref().is_some_and(|b| instance_differs(&waiting, b));
                    // One paragraph: what a deny does, and a warning on the instance id, as
                    // they apply.
                    let mut explain = Vec::new();
                    if other_instance {
                        explain.push(tf(Msg::ResumeConfirmInstance, &[("waiting", &waiting.instance_id)]));
                    }
                    if denies {
                        explain.push(t(Msg::ResumeConfirmDeny).to_string());
                    }
                    let (test_id, explain_id, button) = if denies {
                        ("deny-now", "deny-confirm", t(Msg::DenyNow))
                    } else {
                        ("resume-send-anyway", "confirm-instance", t(Msg::ResumeSendAnyway))
                    };
                    view! {
                        <div role="alertdialog" aria-labelledby="confirm-explain" class="confirm" data-testid="resume-confirm">
                            <p id="confirm-explain" data-testid=explain_id>{explain.join(" ")}</p>
                            <button type="button" class="primary" class:danger=denies data-testid=test_id on:click=move |_| send()>{button}</button>
                            " "
                            <button type="button" on:click=move |_| { phase.set(ActionPhase::Idle); confirmed.set(None) }>{t(Msg::Cancel)}</button>
                        </div>
                    }.into_any()
                }
                other => after_send(other, check_lost),
            }}
            {move || match phase.get() {
                ActionPhase::Failed(e) if needs_consent(&e) => Some(view! { <ConsentForActions keep=keep /> }.into_any()),
                ActionPhase::Failed(e) => Some(view! { <GraphProblem failure=e.clone() /> {is_opaque_resume_failure(&e).then(|| view! { <p class="notice" data-testid="resume-unknown-error">{t(Msg::ResumeUnknownError)}</p> })} }.into_any()),
                _ => None,
            }}
            <Followed shown=shown acted=acted ended=ended />
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::GraphError;

    fn graph(status: u16, code: &str, message: &str) -> GraphFailure {
        GraphFailure::Graph(GraphError {
            status,
            code: code.into(),
            message: message.into(),
            request_id: None,
            date: None,
        })
    }

    #[test]
    fn only_an_unknown_error_without_a_message_gets_the_usual_causes() {
        assert!(is_opaque_resume_failure(&graph(400, "UnknownError", "")));
        assert!(is_opaque_resume_failure(&graph(500, "unknownError", "  ")));
        assert!(!is_opaque_resume_failure(&graph(
            400,
            "UnknownError",
            "Stage mismatch."
        )));
        assert!(!is_opaque_resume_failure(&graph(400, "BadRequest", "")));
        assert!(!is_opaque_resume_failure(&GraphFailure::Network(
            "reset".into()
        )));
    }
}
