//! Least privilege in the page: the app signs in to read, and the first action asks the
//! identity platform for the action scopes. When that needs the admin at Microsoft's page
//! (consent, or a spent session), [`ConsentForActions`] says why and goes there, after the
//! caller kept what the admin entered as a draft for the tab's session ([`keep_draft`],
//! [`take_draft`]): the page comes back to the same view with it, and nothing was sent.
//! A read-only deployment offers no action at all ([`ReadOnlyNotice`]).

use leptos::prelude::*;

use crate::auth::storage::Store;
use crate::auth::{Auth, AuthError, Permission, current_view};
use crate::i18n::{Msg, t};

/// Where drafts are kept: under the app's prefix, so sign-out clears them with the rest.
const DRAFT_PREFIX: &str = "access-desk.draft.";

/// Keeps `value` as the draft named `name` (such as `resume.<id>`) for this tab.
pub fn keep_draft(name: &str, value: &str) {
    Store::session().set(&format!("{DRAFT_PREFIX}{name}"), value);
}

/// The draft named `name`, taken: it is gone once read, so it comes back only once.
pub fn take_draft(name: &str) -> Option<String> {
    let store = Store::session();
    let key = format!("{DRAFT_PREFIX}{name}");
    let value = store.get(&key);
    store.remove(&key);
    value
}

/// Why acting (or reading the audit log) needs Microsoft's page, and the button that goes
/// there. `keep` runs first, to keep what the admin entered.
#[component]
pub fn ConsentForActions(
    /// Keeps the form or the plan as a draft before the page is left.
    keep: Callback<()>,
    /// The permission asked for: acting unless said.
    #[prop(default = Permission::Act)]
    permission: Permission,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let go = move |_| {
        keep.run(());
        if let Err(error) = auth.consent_for(permission, &current_view())
            && error != AuthError::Redirecting
            && let Some(problem) = use_context::<RwSignal<Option<String>>>()
        {
            problem.set(Some(error.to_string()));
        }
    };
    let (why, test_id) = match permission {
        Permission::Act => (Msg::ActionsNeedConsent, "consent-needed"),
        Permission::Audit => (Msg::TrailNeedsConsent, "trail-consent-needed"),
    };
    view! {
        <div class="notice" role="alert" data-testid=test_id>
            <p>{t(why)}</p>
            <button type="button" class="primary" data-testid="consent-continue" on:click=go>
                {t(Msg::ActionsConsentContinue)}
            </button>
        </div>
    }
}

/// Said where an action would be, in a deployment configured `"readOnly": true`.
#[component]
pub fn ReadOnlyNotice() -> impl IntoView {
    view! { <p class="notice" data-testid="read-only">{t(Msg::ReadOnlyDeployment)}</p> }
}

/// Whether a failure is the one that needs [`ConsentForActions`].
pub fn needs_consent(failure: &crate::graph::GraphFailure) -> bool {
    matches!(
        failure,
        crate::graph::GraphFailure::Auth(AuthError::ConsentNeeded(Permission::Act))
    )
}
