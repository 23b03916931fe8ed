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
    }
}
