//! Sign-in like MSAL.js: authorization code with PKCE (on the oauth2 crate), full-page
//! redirects, a token cache, silent renewal with the refresh token, sign-out.
//!
//! - [`Auth::sign_in`] starts an attempt: fresh state, nonce and PKCE verifier, kept in
//!   sessionStorage under the state, then the browser goes to the identity platform.
//! - [`Auth::handle_redirect`] runs at start-up: the response comes back in the fragment
//!   (`response_mode=fragment`) and leaves the address bar first, the state must be one
//!   this tab started (once), the code is redeemed while the authority's OpenID discovery
//!   document is read, the ID token's nonce, audience, tenant and issuer (the document's)
//!   are checked, then the app goes back to the saved view.
//! - [`Auth::acquire_token_silent`]: the cached access token, else one refresh shared by
//!   every caller, else an interactive sign-in.
//! - [`Auth::sign_out`]: clear the cache and the tab's session entries, then the identity
//!   platform's logout.

pub mod protocol;
pub mod storage;
pub mod token_endpoint;
pub mod tokens;

use std::cell::RefCell;
use std::fmt;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use leptos::prelude::*;
use oauth2::{AuthorizationCode, ClientId, PkceCodeVerifier, RefreshToken, Scope, TokenResponse};

use crate::config::Config;
pub use crate::config::Permission;
use crate::i18n::{Msg, t, tf};
use protocol::{
    Account, IdTokenProblem, PendingSignIn, PlatformError, PlatformTokenResponse, Redirect,
};
use storage::Store;
use token_endpoint::{Grant, Refusal};
use tokens::TokenSet;

const PENDING_PREFIX: &str = "access-desk.signin.";
/// Every key the app writes starts with this.
const APP_PREFIX: &str = "access-desk.";

/// Why signing in or getting a token did not work. Never carries a token or a code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// The identity platform said no; its ids are what support asks for.
    Platform(Box<PlatformError>),
    /// The redirect's state is not one this browser started, or it was used already.
    UnknownState,
    /// The sign-in attempt took longer than ten minutes.
    Expired,
    IdToken(IdTokenProblem),
    Network(String),
    /// An interactive sign-in has started: the page is leaving.
    Redirecting,
    /// Signing in again needs the admin, and the page asked not to leave (a bulk run is
    /// in flight, see [`Auth::hold_interactive_sign_in`]).
    InteractionRequired,
    /// Acting (or reading the audit log) needs that permission's scopes, which the
    /// platform will grant only with the admin at its page (consent, or a sign-in):
    /// nothing was sent. See [`Auth::consent_for`].
    ConsentNeeded(Permission),
    Browser(String),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Platform(e) => write!(f, "{}", e.summary().unwrap_or(&e.error)),
            AuthError::UnknownState => f.write_str(t(Msg::AuthUnknownState)),
            AuthError::Expired => f.write_str(t(Msg::AuthExpired)),
            AuthError::IdToken(p) => write!(f, "{} ({p:?})", t(Msg::AuthIdToken)),
            AuthError::Network(e) => write!(f, "{}: {e}", t(Msg::AuthNetwork)),
            AuthError::Redirecting => f.write_str(t(Msg::AuthRedirecting)),
            AuthError::InteractionRequired => f.write_str(t(Msg::AuthInteractionRequired)),
            AuthError::ConsentNeeded(Permission::Act) => f.write_str(t(Msg::AuthConsentNeeded)),
            AuthError::ConsentNeeded(Permission::Audit) => {
                f.write_str(t(Msg::AuthAuditConsentNeeded))
            }
            AuthError::Browser(e) => write!(f, "{}: {e}", t(Msg::AuthBrowser)),
        }
    }
}

/// A sign-in that failed on return, with the view to try again from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInFailure {
    pub error: AuthError,
    pub return_to: String,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn browser(e: impl fmt::Debug) -> AuthError {
    AuthError::Browser(format!("{e:?}"))
}

fn from_refusal(refusal: Refusal) -> AuthError {
    match refusal {
        Refusal::Platform(p) => AuthError::Platform(p),
        Refusal::Unexpected(status) => AuthError::Network(tf(
            Msg::AuthUnexpectedStatus,
            &[("status", &status.to_string())],
        )),
        Refusal::Network(e) => AuthError::Network(e),
    }
}

/// The current view of this app: path, query and fragment.
pub fn current_view() -> String {
    web_sys::window()
        .map(|w| {
            let l = w.location();
            format!(
                "{}{}{}",
                l.pathname().unwrap_or_default(),
                l.search().unwrap_or_default(),
                l.hash().unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "/".into())
}

fn replace_url(url: &str) -> Result<(), AuthError> {
    web_sys::window()
        .ok_or_else(|| browser("no window"))?
        .history()
        .map_err(browser)?
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
        .map_err(browser)
}

/// The `issuer` of the configured authority's OpenID discovery document (read only while
/// finishing a redirect; `connect-src` has the authority's origin). No fallback when it
/// cannot be read: the sign-in fails, closed, with the address and the reason.
async fn discovery_issuer(config: &Config) -> Result<String, AuthError> {
    let url = config.discovery_url();
    let unreadable = |why: String| AuthError::Network(format!("{url}: {why}"));
    let resp = gloo_net::http::Request::get(&url)
        .send()
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    if !resp.ok() {
        return Err(unreadable(format!("HTTP {}", resp.status())));
    }
    let text = resp.text().await.map_err(|e| unreadable(e.to_string()))?;
    protocol::discovery_issuer(&text)
        .ok_or_else(|| unreadable(t(Msg::AuthUnexpectedResponse).into()))
}

/// Exchanges `grant` at the configured authority's token endpoint. The body holds the code
/// or the refresh token: no error here ever includes it.
async fn redeem(config: &Config, grant: Grant<'_>) -> Result<PlatformTokenResponse, Refusal> {
    let url = protocol::token_url(config);
    let body = token_endpoint::form(&grant, &ClientId::new(config.client_id.clone()));
    let unreachable = |e: gloo_net::Error| Refusal::Network(e.to_string());
    let resp = gloo_net::http::Request::post(&url)
        .header("Accept", "application/json")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .map_err(unreachable)?
        .send()
        .await
        .map_err(unreachable)?;
    let text = resp.text().await.map_err(unreachable)?;
    token_endpoint::read_answer(resp.status(), &text)
}

/// Keeps (or with None forgets) `permission`'s token.
fn keep_token(permission: Permission, token: Option<tokens::ActionToken>) {
    EXTRA_TOKENS.with(|a| a.borrow_mut()[permission as usize] = token);
}

type RefreshFuture = Shared<LocalBoxFuture<'static, Result<String, AuthError>>>;

thread_local! {
    /// The refresh under way, shared by every caller that needs a token meanwhile.
    static IN_FLIGHT: RefCell<Option<RefreshFuture>> = const { RefCell::new(None) };
    /// The tokens of the permissions beyond reading, by [`Permission`]: the one that acts
    /// (the action scopes) and the one that reads the audit log, once their first use
    /// obtained them. Kept in the page's memory only, whatever `tokenStorage` says: a token
    /// that can change requests is never written to storage, and a new page renews them
    /// silently.
    static EXTRA_TOKENS: RefCell<[Option<tokens::ActionToken>; 2]> = const { RefCell::new([None, None]) };
    /// The permissions the platform would grant only with the admin at its page.
    static CONSENT_REFUSED: std::cell::Cell<[bool; 2]> = const { std::cell::Cell::new([false; 2]) };
    /// While set, a token that needs an interactive sign-in is an error, not a redirect.
    static HOLD_INTERACTIVE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// An interactive sign-in is leaving this page.
    static REDIRECTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The MSAL-like sign-in layer. Cheap to clone; provided as a Leptos context.
#[derive(Clone)]
pub struct Auth {
    config: Config,
    /// The signed-in account, or None.
    pub account: RwSignal<Option<Account>>,
}

impl Auth {
    pub fn new(config: Config) -> Auth {
        let store = Store::new(config.token_storage);
        // Earlier builds keyed tokens by client id alone: such an entry may be another
        // authority's or tenant's, so it goes unread.
        store.remove(&tokens::legacy_cache_key(&config));
        let account = store
            .get(&tokens::cache_key(&config))
            .and_then(|s| TokenSet::from_json(&s))
            .map(|t| t.account);
        if account.is_none() {
            // No one is signed in here (another tab signed out, the page held the tokens
            // in memory, a renewal gave up): what an account left in this tab's session,
            // its overview counts among them, is not for whoever signs in next. Sign-ins
            // under way and other configurations' tokens stay.
            let session = Store::session();
            for key in session.keys_with_prefix(APP_PREFIX) {
                if !key.starts_with(PENDING_PREFIX) && !key.starts_with(tokens::TOKENS_PREFIX) {
                    session.remove(&key);
                }
            }
        }
        Auth {
            account: RwSignal::new(account),
            config,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn tokens_key(&self) -> String {
        tokens::cache_key(&self.config)
    }

    fn store(&self) -> Store {
        Store::new(self.config.token_storage)
    }

    fn load(&self) -> Option<TokenSet> {
        self.store()
            .get(&self.tokens_key())
            .and_then(|s| TokenSet::from_json(&s))
    }

    fn save(&self, set: &TokenSet) {
        self.store().set(&self.tokens_key(), &set.to_json());
        self.account.set(Some(set.account.clone()));
    }

    fn clear(&self) {
        self.store().remove(&self.tokens_key());
        self.account.set(None);
    }

    /// Starts an interactive sign-in that comes back to `return_to` (a view of this app).
    pub fn sign_in(&self, return_to: &str) -> Result<(), AuthError> {
        self.authorize(return_to, protocol::Ask::SignIn)
    }

    /// Goes to the identity platform for `permission`'s scopes (consent, or a sign-in if
    /// the session is spent), for the account signed in, and comes back to `return_to`.
    /// The caller keeps what the admin entered first: the page is left.
    pub fn consent_for(&self, permission: Permission, return_to: &str) -> Result<(), AuthError> {
        let hint = self.account.get_untracked().map(|a| a.username);
        self.authorize(
            return_to,
            protocol::Ask::Consent {
                permission,
                login_hint: hint.as_deref(),
            },
        )
    }

    fn authorize(&self, return_to: &str, ask: protocol::Ask<'_>) -> Result<(), AuthError> {
        let session = Store::session();
        // Attempts abandoned earlier are dropped, so old states cannot be replayed.
        for key in session.keys_with_prefix(PENDING_PREFIX) {
            let stale = session
                .get(&key)
                .and_then(|s| PendingSignIn::from_json(&s))
                .is_none_or(|p| now_ms() - p.started_ms > protocol::SIGN_IN_TIMEOUT_MS);
            if stale {
                session.remove(&key);
            }
        }
        let req = protocol::authorize_request(&self.config, return_to, now_ms(), ask)
            .map_err(AuthError::Browser)?;
        session.set(
            &format!("{PENDING_PREFIX}{}", req.state),
            &req.pending.to_json(),
        );
        web_sys::window()
            .ok_or_else(|| browser("no window"))?
            .location()
            .assign(&req.url)
            .map_err(browser)
    }

    /// Handles a return from the identity platform, if this page load is one. Returns the
    /// view to show (already in the address bar), or None for an ordinary visit.
    pub async fn handle_redirect(&self) -> Result<Option<String>, SignInFailure> {
        let window = web_sys::window().ok_or_else(|| SignInFailure {
            error: browser("no window"),
            return_to: "/".into(),
        })?;
        let location = window.location();
        let hash = location.hash().unwrap_or_default();
        let redirect = protocol::parse_redirect(hash.trim_start_matches('#'));
        if redirect == Redirect::None {
            return Ok(None);
        }
        // The response (the whole fragment) leaves the address bar before anything else.
        let clean = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let fail = |error: AuthError, return_to: &str| SignInFailure {
            error,
            return_to: return_to.to_string(),
        };
        replace_url(&clean).map_err(|e| fail(e, "/"))?;
        let session = Store::session();
        let mut take = |state: &str| {
            let key = format!("{PENDING_PREFIX}{state}");
            let pending = session.get(&key).and_then(|s| PendingSignIn::from_json(&s));
            session.remove(&key);
            pending
        };
        match redirect {
            Redirect::None => Ok(None),
            Redirect::Error { state, error } => match state.as_deref().and_then(&mut take) {
                Some(pending) => Err(fail(
                    AuthError::Platform(Box::new(error)),
                    &pending.return_to,
                )),
                // Anyone can craft a link to this page with an error and a description of
                // their choosing: only an attempt this tab started gets its details shown.
                None => Err(fail(AuthError::UnknownState, &clean)),
            },
            Redirect::Code { code, state } => {
                let pending = take(&state).ok_or_else(|| fail(AuthError::UnknownState, &clean))?;
                let back = pending.return_to.as_str();
                if now_ms() - pending.started_ms > protocol::SIGN_IN_TIMEOUT_MS {
                    return Err(fail(AuthError::Expired, back));
                }
                let code = AuthorizationCode::new(code);
                let verifier = PkceCodeVerifier::new(pending.verifier.clone());
                let grant = Grant::Code {
                    code: &code,
                    verifier: &verifier,
                    redirect_uri: &self.config.redirect_uri,
                };
                // Both at once: the issuer to expect comes from the discovery document.
                let (issuer, resp) = futures::future::join(
                    discovery_issuer(&self.config),
                    redeem(&self.config, grant),
                )
                .await;
                let resp = resp.map_err(|e| fail(from_refusal(e), back))?;
                let issuer = issuer.map_err(|e| fail(e, back))?;
                let id_token = resp
                    .extra_fields()
                    .id_token
                    .as_deref()
                    .ok_or_else(|| fail(AuthError::IdToken(IdTokenProblem::Malformed), back))?;
                let account =
                    protocol::check_id_token(id_token, &self.config, &pending.nonce, &issuer)
                        .map_err(|p| fail(AuthError::IdToken(p), back))?;
                let now = now_ms() / 1000.0;
                let mut set = TokenSet::from_response(&resp, account, None, now);
                if let Some(permission) = pending.for_permission {
                    // The consent of a first use: its token is that permission's. Reads go
                    // on with the token they had, if it is the same account's.
                    let granted = tokens::ActionToken::from_response(&resp, now);
                    keep_token(permission, Some(granted));
                    if let Some(mut before) = self.load()
                        && before.account == set.account
                    {
                        before.refresh_token = set.refresh_token.take().or(before.refresh_token);
                        set = before;
                    }
                }
                self.save(&set);
                replace_url(back).map_err(|e| fail(e, back))?;
                Ok(Some(pending.return_to))
            }
        }
    }

    /// An access token for Graph: cached, else renewed with the refresh token (one renewal
    /// shared by all callers), else an interactive sign-in (the page leaves).
    pub async fn acquire_token_silent(&self) -> Result<String, AuthError> {
        if let Some(set) = self.load()
            && set.is_fresh(now_ms() / 1000.0)
        {
            return Ok(set.access_token);
        }
        let running = IN_FLIGHT.with(|f| f.borrow().clone());
        let fut = match running {
            Some(f) => f,
            None => {
                let this = self.clone();
                let f = async move {
                    let r = this.renew(None).await;
                    IN_FLIGHT.with(|x| *x.borrow_mut() = None);
                    r
                }
                .boxed_local()
                .shared();
                IN_FLIGHT.with(|x| *x.borrow_mut() = Some(f.clone()));
                f
            }
        };
        fut.await
    }

    /// An access token for `permission`'s scopes: cached, else renewed with the refresh
    /// token; [`AuthError::ConsentNeeded`] when the platform wants the admin for it (the
    /// caller explains, keeps the form, and calls [`Auth::consent_for`]). Never leaves the
    /// page by itself. Once refused, it is not asked again until the admin consents (the
    /// page comes back new): a list reading many trails asks the platform once.
    pub async fn acquire_token_for(&self, permission: Permission) -> Result<String, AuthError> {
        let cached = EXTRA_TOKENS.with(|a| {
            a.borrow()[permission as usize]
                .as_ref()
                .filter(|a| a.is_fresh(now_ms() / 1000.0))
                .map(|a| a.access_token.clone())
        });
        if let Some(token) = cached {
            return Ok(token);
        }
        if CONSENT_REFUSED.with(|r| r.get()[permission as usize]) {
            return Err(AuthError::ConsentNeeded(permission));
        }
        // Not shared like the reading token's renewal: actions go one at a time, and a bulk
        // run takes its token before it starts. Two renewals at once (a run outliving its
        // token, trails read together) cost one refresh more, nothing else: a refresh token
        // stays valid when used.
        self.renew(Some(permission)).await
    }

    /// Whether the platform refused `permission` without the admin at its page, in this
    /// page's life.
    pub fn consent_refused(&self, permission: Permission) -> bool {
        CONSENT_REFUSED.with(|r| r.get()[permission as usize])
    }

    /// While `hold` is set, renewing a token that needs the admin to sign in again answers
    /// [`AuthError::InteractionRequired`] instead of leaving the page: a bulk run in flight
    /// pauses and keeps its report rather than losing it to a redirect.
    pub fn hold_interactive_sign_in(&self, hold: bool) {
        HOLD_INTERACTIVE.with(|h| h.set(hold));
    }

    /// An interactive sign-in that comes back to this view, unless it is held.
    fn interactive(&self) -> Result<String, AuthError> {
        if HOLD_INTERACTIVE.with(|h| h.get()) {
            return Err(AuthError::InteractionRequired);
        }
        // Once per page: a call that finds the tokens gone after the shared renewal gave up
        // (the overview and the catalogs start together) would start a second redirect and
        // abandon the first one's navigation.
        if !REDIRECTING.with(|r| r.get()) {
            self.sign_in(&current_view())?;
            REDIRECTING.with(|r| r.set(true));
        }
        Err(AuthError::Redirecting)
    }

    /// Renews the token that reads, or `permission`'s, with the refresh token. When the
    /// platform wants the admin: for reading, an interactive sign-in; for a permission,
    /// [`AuthError::ConsentNeeded`], and the reading session stays as it is.
    async fn renew(&self, permission: Option<Permission>) -> Result<String, AuthError> {
        let Some(set) = self.load() else {
            return self.interactive();
        };
        let Some(refresh) = set.refresh_token.clone() else {
            return match permission {
                Some(p) => Err(AuthError::ConsentNeeded(p)),
                None => self.interactive(),
            };
        };
        let refresh_token = RefreshToken::new(refresh.clone());
        let scopes: Vec<Scope> = match permission {
            Some(p) => self
                .config
                .scopes_for(p)
                .iter()
                .map(String::as_str)
                .chain(["offline_access"])
                .map(|s| Scope::new(s.to_string()))
                .collect(),
            None => self.config.scopes.iter().cloned().map(Scope::new).collect(),
        };
        let grant = Grant::Refresh {
            token: &refresh_token,
            scopes: &scopes,
        };
        match redeem(&self.config, grant).await {
            Ok(resp) => {
                let now = now_ms() / 1000.0;
                if let Some(permission) = permission {
                    let granted = tokens::ActionToken::from_response(&resp, now);
                    let token = granted.access_token.clone();
                    keep_token(permission, Some(granted));
                    // The reading token stays; a new refresh token is kept.
                    let mut set = self.load().unwrap_or(set);
                    if let Some(rt) = resp.refresh_token() {
                        set.refresh_token = Some(rt.secret().clone());
                    }
                    self.save(&set);
                    return Ok(token);
                }
                let renewed = TokenSet::from_response(&resp, set.account, Some(refresh), now);
                self.save(&renewed);
                Ok(renewed.access_token)
            }
            // Not consented (AADSTS65001) for a permission; for any, a spent session (SPA
            // refresh tokens last 24 hours).
            Err(Refusal::Platform(e)) if e.needs_interaction() => {
                if let Some(p) = permission {
                    CONSENT_REFUSED.with(|r| {
                        let mut refused = r.get();
                        refused[p as usize] = true;
                        r.set(refused);
                    });
                    return Err(AuthError::ConsentNeeded(p));
                }
                if !HOLD_INTERACTIVE.with(|h| h.get()) {
                    self.clear();
                }
                self.interactive()
            }
            Err(e) => Err(from_refusal(e)),
        }
    }

    /// Graph refused items of a `$batch` call 401: the token that acts (which every
    /// `$batch` carries) is renewed on the next call. The reading token stays.
    pub fn action_token_refused(&self) {
        keep_token(Permission::Act, None);
    }

    /// Graph refused access token `refused` (401), the reading or the acting one. Expired
    /// only if the cache still holds it: calls sent together with the same token are all
    /// refused, and the first one's renewal must not be thrown away by the others (each
    /// would spend a refresh).
    pub fn access_token_refused(&self, refused: &str) {
        EXTRA_TOKENS.with(|a| {
            for t in a.borrow_mut().iter_mut() {
                if t.as_ref().is_some_and(|t| t.access_token == refused) {
                    *t = None;
                }
            }
        });
        if let Some(mut set) = self.load()
            && set.access_token == refused
        {
            set.expire();
            self.store().set(&self.tokens_key(), &set.to_json());
        }
    }

    /// Clears the cache and the tab's session entries, then signs out at the identity
    /// platform and comes back here.
    pub fn sign_out(&self) -> Result<(), AuthError> {
        // The page is leaving for the logout endpoint: a Graph call still in flight (a
        // list loading its pages) must not find the cache empty and start a sign-in that
        // overrides the sign-out.
        self.hold_interactive_sign_in(true);
        self.clear();
        // Whatever else this tab kept for the session leaves with the account, so the next
        // one to sign in here sees none of it: sign-ins under way, the overview's counts
        // and package names, the refused filters, any configuration's tokens. The language
        // choice is the browser's, in localStorage: it stays.
        let session = Store::session();
        for key in session.keys_with_prefix(APP_PREFIX) {
            session.remove(&key);
        }
        // Until the page is gone, nothing still running (a count finishing, a list
        // recording a refused filter) writes any of it back.
        storage::seal();
        let url = format!(
            "{}/oauth2/v2.0/logout?post_logout_redirect_uri={}",
            self.config.authority(),
            form_urlencoded::byte_serialize(self.config.redirect_uri.as_bytes())
                .collect::<String>()
        );
        web_sys::window()
            .ok_or_else(|| browser("no window"))?
            .location()
            .assign(&url)
            .map_err(browser)
    }
}
