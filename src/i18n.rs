//! The message catalog: every user-visible string of the app comes from here, in English
//! (this list), French and Simplified Chinese (`src/i18n/lang-fr.json`,
//! `src/i18n/lang-zh-CN.json`). The build writes each language as a file next to
//! `index.html` (`lang-en.json` from this list), and the app fetches the admin's language
//! at start, beside `config.json`: a visit sends only the language it shows. Messages are
//! whole sentences with `{name}` placeholders, never glued from fragments, so each
//! language puts each value where it belongs.
//!
//! ```
//! use access_desk::i18n::{t, tf, Msg};
//! assert_eq!(t(Msg::AppName), "Access Desk");
//! assert_eq!(tf(Msg::PagerCountsAll, &[("loaded", "3"), ("shown", "2")]), "Loaded: 3 · shown: 2 · all loaded");
//! ```

use std::cell::RefCell;

/// The languages of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Fr,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::ZhCn];

    /// Its BCP 47 tag: `<html lang>`, `Intl`, the catalog's file name.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Its name in itself, for the language picker (never translated).
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::ZhCn => "简体中文",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code))
    }

    /// The language for the browser's preferred languages (`navigator.languages`, in
    /// order): the first Chinese, French or English one; English otherwise.
    ///
    /// ```
    /// use access_desk::i18n::Lang;
    /// assert_eq!(Lang::from_browser(&["de-DE", "fr-CA", "en"]), Lang::Fr);
    /// assert_eq!(Lang::from_browser(&["zh-TW"]), Lang::ZhCn);
    /// assert_eq!(Lang::from_browser(&["de"]), Lang::En);
    /// ```
    pub fn from_browser<S: AsRef<str>>(languages: &[S]) -> Lang {
        languages
            .iter()
            .find_map(|l| {
                let primary = l.as_ref().split(['-', '_']).next()?.to_ascii_lowercase();
                match primary.as_str() {
                    "zh" => Some(Lang::ZhCn),
                    "fr" => Some(Lang::Fr),
                    "en" => Some(Lang::En),
                    _ => None,
                }
            })
            .unwrap_or(Lang::En)
    }
}

/// FNV-1a (32-bit) over every message key in order: the stamp of a language file as
/// it is shipped. A file whose stamp differs (cached from another build) is refused whole,
/// so one message never shows in another's place.
pub const fn catalog_stamp(keys: &[&str]) -> u32 {
    let mut hash = 0x811c_9dc5_u32;
    let mut k = 0;
    while k < keys.len() {
        let bytes = keys[k].as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            hash ^= bytes[i] as u32;
            hash = hash.wrapping_mul(0x0100_0193);
            i += 1;
        }
        // A separator, so that ["ab", "c"] and ["a", "bc"] differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0193);
        k += 1;
    }
    hash
}

/// Declares every message with its English text: the `Msg` enum, its names (the keys of
/// the language files) and the English catalog, from one list.
macro_rules! catalog {
    ($($name:ident => $text:expr,)*) => {
        /// A user-visible message. Add it to the list with its English text; the language
        /// files then need it too (a test says which are missing).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($name,)*
        }

        impl Msg {
            /// Every message, in declaration order.
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];

            /// The stamp of this build's message keys ([`catalog_stamp`]).
            pub const STAMP: u32 = catalog_stamp(&[$(stringify!($name),)*]);

            /// Its key in a language file.
            pub fn name(self) -> &'static str {
                match self {
                    $(Msg::$name => stringify!($name),)*
                }
            }

            /// Its English text: compiled in natively (tests, xtask) and in debug wasm
            /// builds; the release wasm reads English from `lang-en.json` like the other
            /// languages, so no visit sends a language it does not show (about 10 KB).
            #[cfg(any(not(target_arch = "wasm32"), debug_assertions))]
            pub fn english(self) -> &'static str {
                match self {
                    $(Msg::$name => $text,)*
                }
            }
        }
    };
}

catalog! {
    AppName => "Access Desk",
    SignIn => "Sign in",
    MainNavigation => "Main navigation",
    Loading => "Loading…",
    ConfigLoading => "Loading configuration…",
    ConfigErrorTitle => "Access Desk is not configured correctly",
    ConfigErrorIntro => "The file config.json next to index.html has problems:",
    ConfigErrorFetch => "config.json could not be loaded: {detail}",
    ConfigErrorHelp => "Fix config.json on the web server and reload this page. The README's deployment guide shows a config for each cloud.",
    ConfigNotJson => "config.json is not valid JSON: {detail}",
    ConfigMissingField => "config.json is missing the required field \"{field}\".",
    ConfigUnknownField => "config.json has a field Access Desk does not know (check its spelling): \"{field}\".",
    NotFoundTitle => "Page not found",
    NotFoundBody => "There is nothing at this address in Access Desk.",
    NotFoundHome => "Go to the start page",
    HomeTitle => "Entitlement management, repaired",
    HomeBody => "Sign in with your work account to find access package assignment requests that failed, are partially delivered, or wait for a custom extension, and fix them.",
    CloudLabel => "Cloud",
    TenantLabel => "Tenant",
    SignOut => "Sign out",
    SignedInAs => "Signed in as",
    SigningIn => "Signing in…",
    AuthUnknownState => "This sign-in response does not belong to a sign-in started in this browser tab, or it was already used. It was refused for your safety; start the sign-in again.",
    AuthExpired => "The sign-in took more than ten minutes and was refused. Start it again.",
    AuthIdToken => "The identity platform's ID token did not match this sign-in (nonce, audience or issuer)",
    AuthNetwork => "The identity platform could not be reached",
    AuthRedirecting => "Signing in again…",
    AuthBrowser => "The browser refused a step of the sign-in",
    AuthUnexpectedResponse => "the identity platform answered something unexpected",
    AuthUnexpectedStatus => "the identity platform answered something unexpected (HTTP {status})",
    SignInFailedTitle => "Sign-in failed",
    TryAgain => "Try again",
    ErrorCode => "Error",
    TraceId => "Trace ID",
    CorrelationId => "Correlation ID",
    Timestamp => "Time",
    AdviceRegisterSpa => "The redirect URI of this app must be registered as a \"Single-page application\" platform in the app registration (Entra admin center > App registrations > Authentication), not as \"Web\".",
    AdvicePersonalAccount => "Personal Microsoft accounts are not supported: entitlement management needs a work or school account of the tenant. Sign in with your work account.",
    AdviceRedirectMismatch => "The redirect URI in config.json must be exactly one registered for the app (Single-page application platform).",
    AdviceUnknownClient => "The clientId in config.json is not an app registered in this tenant.",
    AdviceDeclined => "The sign-in was cancelled.",
    AdviceSignInAgain => "The session has ended: sign in again.",
    AdviceTenant => "This app is registered in one tenant: set tenantId in config.json to that tenant, not \"common\".",
    CatalogsTitle => "Catalogs you can manage",
    CatalogsIntro => "Microsoft Graph answered for your account:",
    CatalogsEmpty => "No catalog is visible to your account.",
    GraphForbidden => "Microsoft Graph refused: your account needs the entitlement-management role Access Package Assignment Manager (at least on a catalog) or the Microsoft Entra role Identity Governance Administrator, and the app needs the delegated permission EntitlementManagement.ReadWrite.All.",
    GraphRequestId => "request-id",
    GraphDate => "date",
    GraphFailed => "Microsoft Graph answered with an error",
    ResumeUnavailableCloud => "Resuming requests is available in the global service only (the US Government clouds and the China cloud operated by 21Vianet have no resume action).",
    RuleMalformedId => "The id is not a GUID, so nothing is sent.",
    RuleNotFailed => "Only requests in the deliveryFailed or partiallyDelivered state can be reprocessed.",
    RuleNotCompleted => "The request has not completed, so it cannot be reprocessed yet.",
    RuleWindowClosed => "The request completed more than {days} days ago: it can no longer be reprocessed. Cancel it and ask the user to request access again.",
    RuleNotWaiting => "The request is not waiting for a custom extension callback.",
    RuleInstanceIdNotGuid => "The custom extension stage instance id must be a GUID.",
    RuleStageMismatch => "The request waits at another stage: {stage}.",
    RuleDenyNotAtStage => "A request can be denied only at the assignmentRequestCreated or assignmentRequestApproved stage, not at {stage}.",
    RuleSourceEmpty => "Say where the decision comes from (source): it is kept for the audit trail.",
    RuleSourceTooLong => "The source is too long (at most 256 characters).",
    RuleNotDelivered => "Only delivered assignments can be reprocessed.",
    SignInToSee => "Sign in with your work account to see this view.",
    SignInToContinue => "Sign in to continue",
    QueryProblemsIntro => "Some parameters of this address were not used:",
    LoadMore => "Load more",
    LoadAll => "Load all",
    Cancel => "Cancel",
    RequestsTitle => "Access package assignment requests",
    PickPackageFirst => "Graph lets a catalog-scoped administrator list the requests of one access package at a time: pick an access package of your catalog.",
    NoRequests => "No request matches this view.",
    PresetsLabel => "Ready-made views",
    PresetAll => "All",
    PresetAttention => "Needs attention",
    PresetWaiting => "Waiting for callback",
    PresetFailedOld => "Failed outside the window",
    PresetRecent => "Recent",
    SearchLabel => "Search",
    StateLabel => "State",
    PackageLabel => "Access package",
    AnyPackage => "Any access package",
    CreatedAfter => "Created on or after",
    CreatedBefore => "Created before",
    FetchPlanTitle => "How this view is fetched",
    FetchPlanServer => "Microsoft Graph is asked for:",
    FetchPlanNone => "no $filter: everything this account can read",
    FetchPlanClient => "The browser keeps the rows where:",
    ColRequestor => "Requestor",
    ColPackage => "Access package",
    ColType => "Type",
    ColState => "State",
    ColStatus => "Status",
    ColCreated => "Created",
    ColCompleted => "Completed",
    ColWindow => "Reprocess window",
    ColCallouts => "Callouts",
    BackToRequests => "← All requests",
    NotARequestId => "This is not a request id (a GUID); nothing was sent to Graph:",
    Schedule => "Schedule",
    Justification => "Justification",
    Assignment => "Assignment",
    Answers => "Answers",
    Callouts => "Custom extension callouts",
    CalloutDetail => "Detail",
    Actions => "Actions",
    ActionReprocess => "Reprocess",
    ActionResume => "Resume",
    ActionApplies => "Applies to this request.",
    NavRequests => "Requests",
    NavAssignments => "Assignments",
    ReprocessOpen => "Reprocess…",
    ReprocessConfirmRequest => "Graph will try again to deliver the access this request asks for, to every resource of the access package. Nothing else about the request changes.",
    ReprocessConfirmAssignment => "Graph will evaluate this assignment again and deliver its access to every resource of the access package once more.",
    ReprocessNow => "Reprocess now",
    Sending => "Sending…",
    ActionAccepted => "Graph accepted and queued the action; following the item…",
    FollowState => "State now:",
    FollowStatus => "Status now:",
    FollowActed => "Microsoft Graph has run the action.",
    FollowNotYet => "After a minute the item is unchanged: Graph has not run the action yet. Do not send it again; reload later.",
    ActionLostUnchanged => "Graph's answer was lost ({why}; request-id {id}). The item is unchanged so far, and Graph may still run the action: nothing was sent again.",
    ActionCheckAgain => "Check again",
    FollowStopped => "Still delivering after a minute: reload the page later to see how it ended.",
    ResumeInstance => "Custom extension stage instance id",
    ResumeStage => "Stage",
    ResumeStageFromPolicy => "Read from the assignment policy’s custom extension stage settings.",
    ResumeStageChoose => "The assignment policy does not say at which stage this extension runs: choose the stage the request waits at.",
    ResumeDecision => "Decision",
    ResumeContinue => "Continue",
    ResumeDeny => "Deny",
    ResumeSource => "Source",
    ResumeSourceHint => "Recorded in the request’s history as who answered the callback.",
    ResumeDetail => "Detail",
    ResumePreview => "The body that will be sent",
    ResumeConfirmDeny => "Deny ends this request: the requestor does not get the access package. Deny now?",
    DenyNow => "Deny now",
    ResumeInstanceDiffers => "Not the waiting callout's id ({waiting}): you will be asked to confirm.",
    ResumeConfirmInstance => "This instance id is not the waiting callout's ({waiting}); Graph may refuse it. Send anyway?",
    ResumeSendAnyway => "Send anyway",
    ResumeUnknownError => "Graph refused without a reason (UnknownError). Usually: another stage, another instance id, or a callout already resumed or timed out.",
    NavAssignmentsTitle => "Assignments",
    AssignmentTitle => "Assignment",
    BackToAssignments => "← All assignments",
    NotAnAssignmentId => "This is not an assignment id (a GUID), so nothing was asked of Graph:",
    NoAssignments => "No assignment matches this view.",
    ColTarget => "Target",
    ColPolicy => "Policy",
    ColExpires => "Expires",
    ColStarts => "Starts",
    ActionReprocessAssignment => "Reprocess assignment",
    CopyLabel => "Copy",
    CopiedLabel => "Copied",
    CopyErrorLabel => "Copy the error details",
    ActionAppliesAssignment => "Applies to this assignment.",
    ColumnsLabel => "Columns",
    BulkCancelled => "cancelled before it was sent",
    BulkReprocessSelected => "Reprocess selected…",
    BulkWillSkip => "Skipped rows are not failed, or are outside the {days}-day window; each reason is in the report.",
    BulkDownloadCsv => "Download the report (CSV)",
    BulkClose => "Close",
    SelectRow => "Select",
    BulkGaveUp => "still throttled after {count} answers: not sent again",
    BulkAnswerLostUnclear => "answer lost ({why}): the request (state {state}) cannot tell whether Graph acted; not sent again",
    BulkNoAnswer => "no answer for this item in the batch reply",
    BulkNoStatus => "the batch reply has an item without a status",
    BulkUnreadableDetail => "{what}: {detail}",
    BulkUnreadable => "unreadable batch reply",
    BulkTokenRefused => "the access token was not accepted, even after renewal",
    BulkLoadAllFirst => "Load all pages first: the whole view, not just the rows loaded so far.",
    BulkReportLabel => "Bulk reprocess report (CSV)",
    PagerCountsMore => "Loaded: {loaded} · shown: {shown} · more available",
    PagerCountsAll => "Loaded: {loaded} · shown: {shown} · all loaded",
    ProblemUnknownView => "{param} = {value}: not a ready-made view (attention, waiting, failed-old, recent, stuck, deadline)",
    ProblemUnknownState => "{param} = {value}: not a state of this list",
    ProblemBadStatus => "{param} = {value}: a status is one word of letters and digits, such as WaitingForCallback",
    ProblemNotAnId => "{param} = {value}: not an object id (a GUID)",
    ProblemNotADate => "{param} = {value}: not a date such as 2026-11-01",
    ProblemDatesOutOfOrder => "{param} = {value}: must be after created_after",
    ProblemUnknownSort => "{param} = {value}: this list cannot be sorted by that",
    ProblemUnknownColumn => "{param} = {value}: not a column of this list",
    ProblemNotForThisList => "{param} = {value}: not a parameter of this list",
    FetchPlanServerMany => "Microsoft Graph is asked {count} questions, one per state (Graph documents no “or”), and the answers are merged:",
    PlanNoQuery => "nothing: no row can match this combination of view and states",
    PlanStates => "the state is one of {states}",
    PlanStatus => "the status is {status}",
    PlanPackage => "the access package is {id}",
    PlanPerson => "the person is {id}",
    PlanCreatedAfter => "it was created on or after {date}",
    PlanCreatedBefore => "it was created before {date}",
    PlanRecent => "it was created in the last seven days",
    PlanAttention => "it is failed or partially delivered inside the {days}-day reprocess window, or waits for a custom extension callback",
    PlanWaiting => "its status is WaitingForCallback",
    PlanWindowClosed => "it is failed or partially delivered and its {days}-day reprocess window has closed",
    PlanSearch => "its text contains “{text}”",
    PlanGraphOrder => "in the order Graph returns them",
    PlanSortedAscending => "sorted by {column}, ascending",
    PlanSortedDescending => "sorted by {column}, descending",
    PlanRefusedNote => "Microsoft Graph refused to filter this list on {properties}, so the browser does it for the rest of this session. The rows are the same; more of them are transferred.",
    ForeignNextLink => "Microsoft Graph's next-page link points outside the configured Graph, so it was not followed (it would have carried your access token there): {link}",
    BulkVerified => "the answer was lost ({why}); reading the request shows the reprocess took effect (state {state})",
    BulkAnswerLostUnchanged => "answer lost ({why}): unchanged for 16 s, and Graph may still act; not sent again",
    BulkUnreadableAfterLoss => "unknown outcome ({why}): the request could not be read to check it; check its history in the admin center",
    BulkReadFailed => "unknown outcome ({why}): reading the request failed ({detail}); check its history in the admin center",
    BulkSignInNeeded => "not sent: signing in again is needed",
    CsvId => "id",
    CsvItem => "item",
    CsvOutcome => "outcome",
    CsvDetail => "detail",
    CsvRequestId => "request-id",
    AuthInteractionRequired => "Signing in again is needed; it waits until the bulk run in progress has stopped",
    AuthConsentNeeded => "Acting needs a permission this session does not carry yet",
    ActionsNeedConsent => "You signed in to read. Acting needs the permission EntitlementManagement.ReadWrite.All: Microsoft asks you to allow it (or says an administrator must), then brings you back here with what you entered. Nothing has been sent.",
    ActionsConsentContinue => "Continue to Microsoft",
    ActionsDraftRestored => "What you entered is back. Nothing has been sent yet.",
    ReadOnlyDeployment => "This deployment is read-only: it offers no action. Act in the Microsoft Entra admin center, or in a deployment allowed to act.",
    BulkSelectedCount => "{count} selected",
    BulkReprocessViewCount => "Reprocess all in this view ({count})…",
    BulkPlan => "{eligible} will be reprocessed · {skipped} skipped",
    BulkCounts => "Done {done} / {total} · accepted {accepted} · verified by reading {verified} · answer lost {lost} · failed {failed} · checking or retrying {retrying} · skipped {skipped}",
    BulkPausedSignIn => "The run stopped: signing in again is needed. The report below lists what was done; download it before you sign in.",
    BulkReportFileName => "access-desk-reprocess-{date}.csv",
    GraphUnsure => "Microsoft Graph's answer was lost ({detail}; request-id {id}): it may or may not have acted, so nothing was sent again. Reload the item to see where it stands.",
    RuleStageRuledOut => "A request in the {state} state cannot be waiting at {stage}: choose a stage its state allows.",
    ActionChecking => "Microsoft Graph's answer was lost: reading the item to see whether the action took effect…",
    ActionVerified => "Microsoft Graph's answer was lost, but reading the item shows the action took effect (state now {state}).",
    ResumeStageFromState => "The policy does not pin the stage; a request in the {state} state can only be waiting at {stage}.",
    ResumeDenySend => "Deny the request",
    ResumeContinueSend => "Continue the request",
    ConfigGraphOfAuthority => "the Microsoft Graph host of the cloud of custom.authorityHost (a Microsoft sign-in host, whose tokens are real): https://graph.microsoft.com (global), https://graph.microsoft.us or https://dod-graph.microsoft.us (US Government), https://microsoftgraph.chinacloudapi.cn (China operated by 21Vianet)",
    ConfigAuthorityOfGraph => "the Microsoft sign-in host of the cloud of custom.graphHost (Microsoft Graph): https://login.microsoftonline.com (global), https://login.microsoftonline.us (US Government), https://login.chinacloudapi.cn (China operated by 21Vianet)",
    FramedRefused => "Access Desk does not run inside another page, where a hidden page could trick you into clicking its buttons.",
    FramedOpen => "Open Access Desk in its own tab",
    ConfigNotAnObject => "config.json must be a JSON object.",
    ConfigInvalid => "\"{field}\": the value {value} is not accepted; expected {expected}.",
    ConfigGotWebPage => "the server answered with a web page, not JSON (is config.json missing?)",
    ConfigExpectString => "a string",
    ConfigExpectClientId => "the application (client) ID, a GUID",
    ConfigExpectTenant => "a tenant GUID, a verified domain such as contoso.onmicrosoft.com, or \"organizations\" (personal Microsoft accounts are not supported, so not \"common\" or \"consumers\")",
    ConfigExpectCustom => "an object with authorityHost, graphHost and actsAs",
    ConfigExpectActsAs => "global, usgov-l4, usgov-l5-dod or china",
    ConfigExpectCloud => "global, usgov-l4, usgov-l5-dod, china or custom",
    ConfigExpectVersion => "\"v1.0\" or \"beta\"",
    ConfigExpectVersionNational => "\"v1.0\" in this cloud: Microsoft Graph beta outside the global service has no assignmentRequests, assignments or catalogs",
    ConfigExpectStorage => "\"sessionStorage\" (the default), \"memory\" or \"localStorage\"",
    ConfigExpectScopeNoSpaces => "a list of scope strings without spaces",
    ConfigExpectScopes => "a list of scope strings",
    ConfigExpectBool => "true or false",
    ConfigExpectOrigin => "an origin such as https://login.example.com (http only for localhost)",
    ConfigExpectRedirect => "an absolute https URL registered as a single-page application redirect URI (http only for localhost), without a fragment",
    LanguageNotLoaded => "The {language} texts could not be loaded ({detail}); the app stays in the language it was in.",
    LanguageLabel => "Language",
    WindowLeft => "{duration} left",
    WindowClosedAgo => "closed {duration} ago",
    CalloutsWaiting => "{count} · waiting",
    SelectRowNamed => "Select {name}",
    StateSubmitted => "Submitted",
    StatePendingApproval => "Pending approval",
    StateDelivering => "Delivering",
    StateDelivered => "Delivered",
    StateDeliveryFailed => "Delivery failed",
    StateDenied => "Denied",
    StateScheduled => "Scheduled",
    StateCanceled => "Canceled",
    StatePartiallyDelivered => "Partially delivered",
    StateExpired => "Expired",
    StatusWaitingForCallback => "Waiting for callback",
    StatusAccepted => "Accepted",
    TypeUserAdd => "User requests access",
    TypeUserUpdate => "User updates access",
    TypeUserRemove => "User removes access",
    TypeAdminAdd => "Admin assigns access",
    TypeAdminUpdate => "Admin updates access",
    TypeAdminRemove => "Admin removes access",
    TypeSystemAdd => "System assigns access",
    TypeSystemUpdate => "System updates access",
    TypeSystemRemove => "System removes access",
    TypeOnBehalfAdd => "Manager requests access on behalf of a user",
    CalloutSent => "Callout sent",
    CalloutCallbackReceived => "Callback received",
    CalloutFailed => "Callout failed",
    CalloutTimedOut => "Callback timed out",
    StageCreated => "Request is created",
    StageApproved => "Request is approved",
    StageGranted => "Assignment is granted",
    StageRemoved => "Assignment is removed",
    LabelWithCode => "{label} ({code})",
    PresetStuck => "Stuck in delivering",
    PresetDeadline => "Callback deadline",
    ColDeliveringFor => "Delivering for",
    ColTimeLeft => "Callback time left",
    ProblemBadHours => "{param} = {value}: a number of hours from 1 to 720",
    PlanStuck => "it has been delivering for at least {hours} h (counted from its creation or its scheduled start, whichever is later)",
    PlanDeadline => "it waits for a custom extension callback; sorted by the time left before the callback times out, counted from the request's creation (exact before approval, a lower bound after) and the extension's timeout ({days} days when the policy does not say)",
    StuckHoursLabel => "Stuck after (hours delivering)",
    DeadlineNote => "Graph records no start time for a callout, so time left is counted from the request's creation: exact for a request waiting before approval, a lower bound (\"at least\") after it. Where the policy gives no callback timeout, the maximum of {days} days is assumed (marked *).",
    TimeLeftSoon => "{duration}, under 24 hours",
    TimeLeftPast => "past the timeout by {duration}",
    TimeoutAssumed => "the policy gives no timeout: {days} days assumed",
    TimeLeftAtLeast => "at least {duration}",
    TimeLeftUnknown => "unknown",
    TimeLeftUnknownWhy => "The request waits after approval, and Graph records no time for that: the callback's start, and so its deadline, cannot be known.",
    ExportCsv => "Export the rows shown as CSV ({count})",
    ExportAllCsv => "Load all, then export",
    ExportWaitsForAll => "Loading every page, then the CSV file downloads…",
    KeyboardShortcuts => "Keyboard shortcuts",
    KeySearch => "Search this list",
    KeyNext => "Next row",
    KeyPrevious => "Previous row",
    KeyOpen => "Open the row",
    KeyToggle => "Tick or untick the row for bulk reprocess",
    KeyHelp => "Show these shortcuts",
    KeysNotWhileTyping => "Shortcuts do nothing while you type in a field.",
    Close => "Close",
    ListSeparator => ", ",
    OverviewTitle => "Overview",
    OverviewCounting => "Counting… requests read: {read}",
    OverviewStop => "Stop counting",
    OverviewStopped => "Stopped at {time} · requests read: {read} · the counts are partial",
    OverviewAsOf => "As of {time} · requests read: {read}",
    OverviewRefresh => "Refresh",
    OverviewView => "View",
    OverviewAllPackages => "All access packages",
    OverviewUnderADay => "under 24 hours: {count}",
    OverviewCompletions => "Requests completed per day over the last {days} days, by outcome",
    OverviewChartSummary => "Requests completed in the last {days} days: {count}",
    OverviewChartTable => "Show the numbers as a table",
    OverviewDay => "Day",
    OverviewTotal => "Total",
    AuthAuditConsentNeeded => "Reading the audit log needs a permission this session does not carry yet",
    TrailTitle => "History from the audit log",
    TrailNeedsConsent => "The history comes from the Microsoft Entra audit log, which needs the permissions AuditLog.Read.All and Directory.Read.All. Microsoft asks you to allow them (or says an administrator must), then brings you back here.",
    TrailNoRole => "Microsoft Graph refused to read the audit log for your account. It needs the Microsoft Entra role Reports Reader, Security Reader or Security Administrator (or one that includes them, such as Global Reader). Ask an administrator for one, then reload this page.",
    TrailNotInCloud => "Microsoft Graph offers no audit log in this cloud. See the request's history in the Microsoft Entra admin center (Identity Governance > Audit logs).",
    TrailEmpty => "The audit log has no event for this request. It keeps events for 30 days.",
    TrailReadId => "Graph request-id of this read: {id}",
    ColActivity => "Activity",
    ColResult => "Result",
    ColReason => "Reason",
    ColInitiatedBy => "Initiated by",
    ResultSuccess => "Succeeded",
    ResultFailure => "Failed",
    ResultTimeout => "Timed out",
}

thread_local! {
    /// The language in use and its texts (indexed by `Msg as usize`; English has none).
    static ACTIVE: RefCell<(Lang, Option<&'static [&'static str]>)> = const { RefCell::new((Lang::En, None)) };
    /// Catalogs read this session, kept so switching back and forth reads each once.
    static LOADED: RefCell<Vec<(Lang, &'static [&'static str])>> = const { RefCell::new(Vec::new()) };
}

/// The language in use.
pub fn lang() -> Lang {
    ACTIVE.with(|a| a.borrow().0)
}

/// The text of a message in the language in use (English where a catalog lacks it).
pub fn t(msg: Msg) -> &'static str {
    ACTIVE.with(|a| {
        a.borrow()
            .1
            .and_then(|texts| texts.get(msg as usize).copied())
            .filter(|text| !text.is_empty())
            .unwrap_or_else(|| builtin(msg))
    })
}

/// The compiled-in English text of `msg`, where there is one (see [`Msg::english`]).
#[cfg(any(not(target_arch = "wasm32"), debug_assertions))]
fn builtin(msg: Msg) -> &'static str {
    msg.english()
}

/// The release wasm has no English compiled in: until `lang-en.json` is read, a text is
/// empty (the app reads a language file before it draws anything).
#[cfg(all(target_arch = "wasm32", not(debug_assertions)))]
fn builtin(_: Msg) -> &'static str {
    ""
}

/// Whether this build has English compiled in.
const ENGLISH_BUILT_IN: bool = cfg!(any(not(target_arch = "wasm32"), debug_assertions));

/// A message with its `{name}` placeholders filled in by `args` (`("name", value)`).
pub fn tf(msg: Msg, args: &[(&str, &str)]) -> String {
    fill(t(msg), args)
}

/// `text` with each `{name}` replaced by its value in `args`.
pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of a text, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

/// A language file as the source keeps it (`{"AppName": "…", …}`, keyed, for translators)
/// made into the file the app is sent: `[stamp, "text of Msg::ALL[0]", …]`. Keys the
/// catalog does not know are dropped and messages the file lacks are empty (English is
/// used). The key names stay out of both the file and the wasm (about 3.5 KB gzip of a
/// first visit); the build (`cargo xtask`) writes it next to `index.html`.
pub fn shipped_catalog(source_json: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(source_json).map_err(|e| e.to_string())?;
    let obj = value
        .as_object()
        .ok_or_else(|| "a language file is a JSON object".to_string())?;
    Ok(shipped_from(|m| {
        obj.get(m.name())
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
    }))
}

/// The English catalog as the app is sent it (`lang-en.json`, [`shipped_catalog`]'s
/// form), made from the texts compiled into this list by the build (`cargo xtask`).
#[cfg(any(not(target_arch = "wasm32"), debug_assertions))]
pub fn english_catalog() -> String {
    shipped_from(Msg::english)
}

/// `[stamp, text of Msg::ALL[0], …]`.
fn shipped_from<'a>(text: impl Fn(Msg) -> &'a str) -> String {
    let mut out = vec![serde_json::Value::from(Msg::STAMP)];
    out.extend(Msg::ALL.iter().map(|m| serde_json::Value::from(text(*m))));
    serde_json::Value::Array(out).to_string()
}

/// Reads a shipped language file ([`shipped_catalog`]) into texts indexed like
/// [`Msg::ALL`]. A file of another build (its stamp differs) is refused whole.
pub fn parse_catalog(json: &str) -> Result<Vec<String>, String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let items = value
        .as_array()
        .ok_or_else(|| "a language file is a JSON array".to_string())?;
    if items.first().and_then(serde_json::Value::as_u64) != Some(u64::from(Msg::STAMP)) {
        return Err("the language file belongs to another version of the app".into());
    }
    Ok((1..=Msg::ALL.len())
        .map(|i| {
            items
                .get(i)
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_string()
        })
        .collect())
}

/// Makes `lang` the language in use, with the texts of its file (`json`; none when read
/// before, or for English compiled in). The texts live for the rest of the session.
pub fn install(lang: Lang, json: Option<&str>) -> Result<(), String> {
    let texts = match (lang, json) {
        (Lang::En, _) if ENGLISH_BUILT_IN => None,
        (_, None) => LOADED.with(|l| l.borrow().iter().find(|(x, _)| *x == lang).map(|(_, t)| *t)),
        (_, Some(json)) => {
            let texts: Vec<&'static str> = parse_catalog(json)?
                .into_iter()
                .map(|s| &*Box::leak(s.into_boxed_str()))
                .collect();
            let texts: &'static [&'static str] = Box::leak(texts.into_boxed_slice());
            LOADED.with(|l| l.borrow_mut().push((lang, texts)));
            Some(texts)
        }
    };
    ACTIVE.with(|a| *a.borrow_mut() = (lang, texts));
    Ok(())
}

/// Whether the texts of `lang` were read already this session.
pub fn is_loaded(lang: Lang) -> bool {
    (lang == Lang::En && ENGLISH_BUILT_IN)
        || LOADED.with(|l| l.borrow().iter().any(|(x, _)| *x == lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The language files as they ship.
    const FILES: [(Lang, &str); 2] = [
        (Lang::Fr, include_str!("i18n/lang-fr.json")),
        (Lang::ZhCn, include_str!("i18n/lang-zh-CN.json")),
    ];

    #[test]
    fn the_english_file_the_build_writes_reads_back_as_the_catalog() {
        let texts = parse_catalog(&english_catalog()).unwrap();
        assert_eq!(texts.len(), Msg::ALL.len());
        for (m, text) in Msg::ALL.iter().zip(&texts) {
            assert_eq!(text, m.english(), "{}", m.name());
        }
    }

    #[test]
    fn every_catalog_has_every_message_with_its_placeholders() {
        for (lang, file) in FILES {
            let value: serde_json::Value = serde_json::from_str(file).expect("valid JSON");
            let obj = value.as_object().expect("an object");
            for m in Msg::ALL {
                let text = obj
                    .get(m.name())
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_else(|| panic!("{lang:?} lacks {}", m.name()));
                assert!(!text.trim().is_empty(), "{lang:?} {} is empty", m.name());
                let mut want = placeholders(m.english());
                let mut got = placeholders(text);
                want.sort_unstable();
                got.sort_unstable();
                assert_eq!(got, want, "{lang:?} {}: placeholders", m.name());
            }
            for key in obj.keys() {
                assert!(
                    Msg::ALL.iter().any(|m| m.name() == key),
                    "{lang:?} has {key}, which the app does not know"
                );
            }
        }
    }

    #[test]
    fn names_are_unique_and_english_texts_are_not_empty() {
        for (i, a) in Msg::ALL.iter().enumerate() {
            assert_eq!(*a as usize, i);
            assert!(!a.english().trim().is_empty(), "{}", a.name());
            assert!(Msg::ALL[i + 1..].iter().all(|b| b.name() != a.name()));
        }
    }

    #[test]
    fn a_language_file_fills_what_it_has_and_english_the_rest() {
        let shipped = shipped_catalog(r#"{"AppName": "Bureau d'accès", "Unknown": "x"}"#).unwrap();
        // No key name is sent: a stamp, then the texts in the catalog's order.
        assert!(!shipped.contains("AppName") && !shipped.contains("Unknown"));
        install(Lang::Fr, Some(&shipped)).unwrap();
        assert_eq!(t(Msg::AppName), "Bureau d'accès");
        assert_eq!(t(Msg::SignIn), "Sign in");
        assert_eq!(lang(), Lang::Fr);
        install(Lang::En, None).unwrap();
        assert_eq!(t(Msg::AppName), "Access Desk");
        install(Lang::Fr, None).unwrap();
        assert_eq!(t(Msg::AppName), "Bureau d'accès", "read once, kept");
        install(Lang::En, None).unwrap();
        assert!(parse_catalog("[1]").is_err());
        // A file of another build is refused whole, never read one message off.
        let other = shipped.replacen(&Msg::STAMP.to_string(), "7", 1);
        assert!(parse_catalog(&other).is_err());
        assert!(parse_catalog(r#"{"AppName": "x"}"#).is_err());
        // The stamp changes with any key, or their order.
        assert_ne!(catalog_stamp(&["ab", "c"]), catalog_stamp(&["a", "bc"]));
        assert_ne!(catalog_stamp(&["a", "b"]), catalog_stamp(&["b", "a"]));
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        assert_eq!(
            fill("{a} and {b} and {c}", &[("a", "1"), ("b", "2")]),
            "1 and 2 and {c}"
        );
        assert_eq!(placeholders("{x} {y} {x}"), ["x", "y", "x"]);
        assert_eq!(fill("no {", &[]), "no {");
    }
}
