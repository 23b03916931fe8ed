//! The message catalog: every user-visible string of the app comes from here, so the app
//! can be translated in one place (the specification itself came in three languages).
//!
//! ```
//! use access_desk::i18n::{t, Msg};
//! assert_eq!(t(Msg::AppName), "Access Desk");
//! ```

/// A user-visible message. Add a variant, then its text in [`t`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    AppName,
    AppTagline,
    SignIn,
    MainNavigation,
    Loading,
    ConfigLoading,
    ConfigErrorTitle,
    ConfigErrorIntro,
    ConfigErrorFetch,
    ConfigErrorHelp,
    ConfigNotJson,
    ConfigMissingField,
    ConfigInvalidValue,
    ConfigExpected,
    ConfigUnknownField,
    NotFoundTitle,
    NotFoundBody,
    NotFoundHome,
    HomeTitle,
    HomeBody,
    CloudLabel,
    TenantLabel,
    GraphLabel,
    SignOut,
    SignedInAs,
    SigningIn,
    AuthUnknownState,
    AuthExpired,
    AuthIdToken,
    AuthNetwork,
    AuthRedirecting,
    AuthBrowser,
    AuthUnexpectedResponse,
    SignInFailedTitle,
    TryAgain,
    ErrorCode,
    TraceId,
    CorrelationId,
    Timestamp,
    AdviceRegisterSpa,
    AdvicePersonalAccount,
    AdviceRedirectMismatch,
    AdviceUnknownClient,
    AdviceDeclined,
    AdviceSignInAgain,
    AdviceTenant,
    CatalogsTitle,
    CatalogsIntro,
    CatalogsEmpty,
    GraphForbidden,
    GraphRequestId,
    GraphDate,
    GraphFailed,
    ResumeUnavailableCloud,
    DaysLeft,
    DayLeft,
    HoursLeft,
    HourLeft,
    UnderAnHourLeft,
    ClosedPrefix,
    DaysAgo,
    DayAgo,
    HoursAgo,
    HourAgo,
    UnderAnHourAgo,
    RuleMalformedId,
    RuleNotFailed,
    RuleNotCompleted,
    RuleWindowClosed,
    RuleNotWaiting,
    RuleInstanceIdNotGuid,
    RuleInstanceMismatch,
    RuleStageMismatch,
    RuleDenyNotAtStage,
    RuleSourceEmpty,
    RuleSourceTooLong,
    RuleNotDelivered,
    SignInToSee,
    SignInToContinue,
    QueryProblemsIntro,
    MoreAvailable,
    AllLoaded,
    Loaded,
    Shown,
    LoadMore,
    LoadAll,
    Cancel,
    RequestsTitle,
    PickPackageFirst,
    NoRequests,
    PresetsLabel,
    PresetAll,
    PresetAttention,
    PresetWaiting,
    PresetFailedOld,
    PresetRecent,
    SearchLabel,
    StateLabel,
    PackageLabel,
    AnyPackage,
    CreatedAfter,
    CreatedBefore,
    FetchPlanTitle,
    FetchPlanServer,
    FetchPlanNone,
    FetchPlanClient,
    ClientWindowOpen,
    ClientWindowClosed,
    SortedBy,
    ColRequestor,
    ColPackage,
    ColType,
    ColState,
    ColStatus,
    ColCreated,
    ColCompleted,
    ColWindow,
    ColCallouts,
    Waiting,
    BackToRequests,
    NotARequestId,
    Schedule,
    Justification,
    Assignment,
    Answers,
    Callouts,
    CalloutDetail,
    Actions,
    ActionReprocess,
    ActionResume,
    ActionApplies,
    NavRequests,
    NavAssignments,
    ReprocessOpen,
    ReprocessConfirmRequest,
    ReprocessConfirmAssignment,
    ReprocessNow,
    Sending,
    ActionAccepted,
    FollowState,
    FollowStatus,
    FollowStopped,
    ResumeInstance,
    ResumeStage,
    ResumeStageFromPolicy,
    ResumeStageChoose,
    ResumeDecision,
    ResumeContinue,
    ResumeDeny,
    ResumeSource,
    ResumeSourceHint,
    ResumeDetail,
    ResumePreview,
    ResumeSend,
    ResumeConfirmDeny,
    DenyNow,
    NavAssignmentsTitle,
    AssignmentTitle,
    BackToAssignments,
    NotAnAssignmentId,
    NoAssignments,
    ColTarget,
    ColPolicy,
    ColExpires,
    ColStarts,
    ActionReprocessAssignment,
    CopyLabel,
    CopiedLabel,
    CopyErrorLabel,
    ActionAppliesAssignment,
    ColumnsLabel,
    BulkCancelled,
    BulkSelected,
    BulkReprocessSelected,
    BulkReprocessView,
    BulkWillReprocess,
    BulkWillSkip,
    BulkDone,
    BulkAccepted,
    BulkFailed,
    BulkRetrying,
    BulkSkippedCount,
    BulkDownloadCsv,
    BulkClose,
    SelectRow,
    BulkGaveUp,
    BulkUnknownOutcome,
    BulkNoAnswer,
    BulkNoStatus,
    BulkUnreadable,
    BulkTokenRefused,
    BulkLoadAllFirst,
    BulkReportLabel,
    // sign-in hardening
    ConfigGraphOfAuthority,
    ConfigAuthorityOfGraph,
    FramedRefused,
    FramedOpen,
}

/// The English text of a message.
pub fn t(msg: Msg) -> &'static str {
    use Msg::*;
    match msg {
        AppName => "Access Desk",
        AppTagline => "Find and fix access package requests that went wrong",
        SignIn => "Sign in",
        MainNavigation => "Main navigation",
        Loading => "Loading…",
        ConfigLoading => "Loading configuration…",
        ConfigErrorTitle => "Access Desk is not configured correctly",
        ConfigErrorIntro => "The file config.json next to index.html has problems:",
        ConfigErrorFetch => "config.json could not be loaded",
        ConfigErrorHelp => {
            "Fix config.json on the web server and reload this page. The README's deployment guide shows a config for each cloud."
        }
        ConfigNotJson => "config.json is not a valid JSON object",
        ConfigMissingField => "config.json is missing the required field",
        ConfigInvalidValue => "the value",
        ConfigExpected => "is not accepted; expected",
        ConfigUnknownField => {
            "config.json has a field Access Desk does not know (check its spelling):"
        }
        NotFoundTitle => "Page not found",
        NotFoundBody => "There is nothing at this address in Access Desk.",
        NotFoundHome => "Go to the start page",
        HomeTitle => "Entitlement management, repaired",
        HomeBody => {
            "Sign in with your work account to find access package assignment requests that failed, are partially delivered, or wait for a custom extension, and fix them."
        }
        CloudLabel => "Cloud",
        TenantLabel => "Tenant",
        GraphLabel => "Microsoft Graph",
        SignOut => "Sign out",
        SignedInAs => "Signed in as",
        SigningIn => "Signing in…",
        AuthUnknownState => {
            "This sign-in response does not belong to a sign-in started in this browser tab, or it was already used. It was refused for your safety; start the sign-in again."
        }
        AuthExpired => "The sign-in took more than ten minutes and was refused. Start it again.",
        AuthIdToken => {
            "The identity platform's ID token did not match this sign-in (nonce, audience or issuer)"
        }
        AuthNetwork => "The identity platform could not be reached",
        AuthRedirecting => "Signing in again…",
        AuthBrowser => "The browser refused a step of the sign-in",
        AuthUnexpectedResponse => "the identity platform answered something unexpected",
        SignInFailedTitle => "Sign-in failed",
        TryAgain => "Try again",
        ErrorCode => "Error",
        TraceId => "Trace ID",
        CorrelationId => "Correlation ID",
        Timestamp => "Time",
        AdviceRegisterSpa => {
            "The redirect URI of this app must be registered as a \"Single-page application\" platform in the app registration (Entra admin center > App registrations > Authentication), not as \"Web\"."
        }
        AdvicePersonalAccount => {
            "Personal Microsoft accounts are not supported: entitlement management needs a work or school account of the tenant. Sign in with your work account."
        }
        AdviceRedirectMismatch => {
            "The redirect URI in config.json must be exactly one registered for the app (Single-page application platform)."
        }
        AdviceUnknownClient => {
            "The clientId in config.json is not an app registered in this tenant."
        }
        AdviceDeclined => "The sign-in was cancelled.",
        AdviceSignInAgain => "The session has ended: sign in again.",
        AdviceTenant => {
            "This app is registered in one tenant: set tenantId in config.json to that tenant, not \"common\"."
        }
        CatalogsTitle => "Catalogs you can manage",
        CatalogsIntro => "Microsoft Graph answered for your account:",
        CatalogsEmpty => "No catalog is visible to your account.",
        GraphForbidden => {
            "Microsoft Graph refused: your account needs an entitlement-management role — Access Package Assignment Manager (at least, on a catalog) or Identity Governance Administrator — and the app needs the delegated permission EntitlementManagement.ReadWrite.All."
        }
        GraphRequestId => "request-id",
        GraphDate => "date",
        GraphFailed => "Microsoft Graph answered with an error",
        ResumeUnavailableCloud => {
            "Resuming requests is available in the global cloud only (the US Government and China clouds have no resume action)."
        }
        DaysLeft => "days left",
        DayLeft => "day left",
        HoursLeft => "hours left",
        HourLeft => "hour left",
        UnderAnHourLeft => "less than an hour left",
        ClosedPrefix => "closed",
        DaysAgo => "days ago",
        DayAgo => "day ago",
        HoursAgo => "hours ago",
        HourAgo => "hour ago",
        UnderAnHourAgo => "less than an hour ago",
        RuleMalformedId => "The id is not a GUID, so nothing is sent.",
        RuleNotFailed => {
            "Only requests in the deliveryFailed or partiallyDelivered state can be reprocessed."
        }
        RuleNotCompleted => "The request has not completed, so it cannot be reprocessed yet.",
        RuleWindowClosed => {
            "The request completed more than 14 days ago: it can no longer be reprocessed. Cancel it and ask the user to request access again."
        }
        RuleNotWaiting => "The request is not waiting for a custom extension callback.",
        RuleInstanceIdNotGuid => "The custom extension stage instance id must be a GUID.",
        RuleInstanceMismatch => "This is not the callout instance the request waits on.",
        RuleStageMismatch => "The request waits at another stage:",
        RuleDenyNotAtStage => {
            "A request can be denied only at the assignmentRequestCreated or assignmentRequestApproved stage"
        }
        RuleSourceEmpty => {
            "Say where the decision comes from (source): it is kept for the audit trail."
        }
        RuleSourceTooLong => "The source is too long (at most 256 characters).",
        RuleNotDelivered => "Only delivered assignments can be reprocessed.",
        SignInToSee => "Sign in with your work account to see this view.",
        SignInToContinue => "Sign in to continue",
        QueryProblemsIntro => "Some parameters of this address were not used:",
        MoreAvailable => "more available",
        AllLoaded => "all loaded",
        Loaded => "Loaded:",
        Shown => "shown:",
        LoadMore => "Load more",
        LoadAll => "Load all",
        Cancel => "Cancel",
        RequestsTitle => "Access package assignment requests",
        PickPackageFirst => {
            "Graph lets a catalog-scoped administrator list the requests of one access package at a time: pick an access package of your catalog."
        }
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
        FetchPlanServer => "Sent to Microsoft Graph as $filter:",
        FetchPlanNone => "nothing (all requests)",
        FetchPlanClient => "Done in the browser:",
        ClientWindowOpen => "failed or partially delivered only inside the 14-day reprocess window",
        ClientWindowClosed => {
            "failed or partially delivered only after the 14-day reprocess window closed"
        }
        SortedBy => "sorted by",
        ColRequestor => "Requestor",
        ColPackage => "Access package",
        ColType => "Type",
        ColState => "State",
        ColStatus => "Status",
        ColCreated => "Created",
        ColCompleted => "Completed",
        ColWindow => "Reprocess window",
        ColCallouts => "Callouts",
        Waiting => "waiting",
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
        ActionApplies => "applies to this request",
        NavRequests => "Requests",
        NavAssignments => "Assignments",
        ReprocessOpen => "Reprocess…",
        ReprocessConfirmRequest => {
            "Graph will try again to deliver the access this request asks for, to every resource of the access package. Nothing else about the request changes."
        }
        ReprocessConfirmAssignment => {
            "Graph will evaluate this assignment again and deliver its access to every resource of the access package once more."
        }
        ReprocessNow => "Reprocess now",
        Sending => "Sending…",
        ActionAccepted => "Graph accepted the action.",
        FollowState => "State now:",
        FollowStatus => "Status now:",
        FollowStopped => {
            "Still delivering after a minute: reload the page later to see how it ended."
        }
        ResumeInstance => "Custom extension stage instance id",
        ResumeStage => "Stage",
        ResumeStageFromPolicy => {
            "Read from the assignment policy’s custom extension stage settings."
        }
        ResumeStageChoose => {
            "The assignment policy does not say at which stage this extension runs: choose the stage the request waits at."
        }
        ResumeDecision => "Decision",
        ResumeContinue => "Continue",
        ResumeDeny => "Deny",
        ResumeSource => "Source",
        ResumeSourceHint => "Recorded in the request’s history as who answered the callback.",
        ResumeDetail => "Detail",
        ResumePreview => "The body that will be sent",
        ResumeSend => "Send",
        ResumeConfirmDeny => {
            "Deny ends this request: the requestor does not get the access package. Deny now?"
        }
        DenyNow => "Deny now",
        NavAssignmentsTitle => "Assignments",
        AssignmentTitle => "Assignment",
        BackToAssignments => "← All assignments",
        NotAnAssignmentId => {
            "This is not an assignment id (a GUID), so nothing was asked of Graph:"
        }
        NoAssignments => "No assignment matches this view.",
        ColTarget => "Target",
        ColPolicy => "Policy",
        ColExpires => "Expires",
        ColStarts => "Starts",
        ActionReprocessAssignment => "Reprocess assignment",
        CopyLabel => "Copy",
        CopiedLabel => "Copied",
        CopyErrorLabel => "Copy the error details",
        ActionAppliesAssignment => "applies to this assignment",
        ColumnsLabel => "Columns",
        BulkCancelled => "cancelled before it was sent",
        BulkSelected => "selected",
        BulkReprocessSelected => "Reprocess selected…",
        BulkReprocessView => "Reprocess all in this view…",
        BulkWillReprocess => "will be reprocessed",
        BulkWillSkip => {
            "skipped: not failed, or outside the 14-day window (each reason is in the report)"
        }
        BulkDone => "Done",
        BulkAccepted => "accepted",
        BulkFailed => "failed",
        BulkRetrying => "retrying",
        BulkSkippedCount => "skipped",
        BulkDownloadCsv => "Download the report (CSV)",
        BulkClose => "Close",
        SelectRow => "Select",
        BulkGaveUp => "still throttled or busy, not sent again; answers of this kind",
        BulkUnknownOutcome => {
            "unknown outcome, not sent again (Graph may have acted on it: check the request)"
        }
        BulkNoAnswer => "no answer for this item in the batch reply",
        BulkNoStatus => "the batch reply has an item without a status",
        BulkUnreadable => "unreadable batch reply",
        BulkTokenRefused => "the access token was not accepted, even after renewal",
        BulkReportLabel => "Bulk reprocess report (CSV)",
        BulkLoadAllFirst => {
            "Load all pages first: the whole view, not just the rows loaded so far."
        }
        // sign-in hardening
        ConfigGraphOfAuthority => {
            "the Microsoft Graph host of the cloud of custom.authorityHost (a Microsoft sign-in host, whose tokens are real): https://graph.microsoft.com (global), https://graph.microsoft.us or https://dod-graph.microsoft.us (US Government), https://microsoftgraph.chinacloudapi.cn (China)"
        }
        ConfigAuthorityOfGraph => {
            "the Microsoft sign-in host of the cloud of custom.graphHost (Microsoft Graph): https://login.microsoftonline.com (global), https://login.microsoftonline.us (US Government), https://login.chinacloudapi.cn (China)"
        }
        FramedRefused => {
            "Access Desk does not run inside another page, where a hidden page could trick you into clicking its buttons."
        }
        FramedOpen => "Open Access Desk in its own tab",
    }
}
