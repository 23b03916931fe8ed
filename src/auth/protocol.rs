//! The sign-in protocol, free of the browser: the oauth2 client for the configured
//! authority, the authorize request, what comes back on the redirect, identity-platform
//! errors, and the ID token checks (issuer from the tenant's OpenID discovery document).
//!
//! Nothing here prints a secret: every type holding a code, token, state, verifier or
//! nonce has a hand-written `Debug` that shows `[redacted]` instead.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use oauth2::basic::BasicTokenType;
use oauth2::{
    CsrfToken, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::config::{Config, Permission};
use crate::i18n::{Msg, t};

/// What `Debug` prints in place of a secret.
pub const REDACTED: &str = "[redacted]";

/// `[redacted]` when there is a secret, `None` when there is none.
fn redacted<T>(secret: &Option<T>) -> Option<&'static str> {
    secret.as_ref().map(|_| REDACTED)
}

/// Fields the identity platform adds to a token response.
#[derive(Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct PlatformFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// The ID token is a bearer of the account's identity: never printed (the token
/// response's own `Debug`, which oauth2 derives, prints these fields).
impl fmt::Debug for PlatformFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformFields")
            .field("id_token", &redacted(&self.id_token))
            .finish()
    }
}

impl ExtraTokenFields for PlatformFields {}

pub type PlatformTokenResponse = StandardTokenResponse<PlatformFields, BasicTokenType>;

/// The authority's token endpoint.
pub fn token_url(config: &Config) -> String {
    format!("{}/oauth2/v2.0/token", config.authority())
}

/// What the app keeps (in sessionStorage, keyed by state) while the browser is at the
/// identity platform. The code itself never gets stored.
///
/// Stored as JSON written and read by hand through `serde_json::Value`, like the other
/// cache entries: derived serde code would add its own parser instance to the bundle.
#[derive(Clone, PartialEq)]
pub struct PendingSignIn {
    pub verifier: String,
    pub nonce: String,
    /// Where to go after sign-in: a path and query of this app.
    pub return_to: String,
    /// Milliseconds since the epoch when the attempt started.
    pub started_ms: f64,
    /// The permission it asked consent for, if any (the first action's or the first
    /// trail's), so its token is the one for that permission.
    pub for_permission: Option<Permission>,
}

impl PendingSignIn {
    /// The JSON kept in sessionStorage.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "verifier": self.verifier,
            "nonce": self.nonce,
            "return_to": self.return_to,
            "started_ms": self.started_ms,
            "for": self.for_permission.map(Permission::code),
        })
        .to_string()
    }

    /// Reads [`PendingSignIn::to_json`]'s JSON; None when a field is missing or mistyped.
    pub fn from_json(text: &str) -> Option<PendingSignIn> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let s = |k: &str| v[k].as_str().map(str::to_string);
        Some(PendingSignIn {
            verifier: s("verifier")?,
            nonce: s("nonce")?,
            return_to: s("return_to")?,
            started_ms: v["started_ms"].as_f64()?,
            // Earlier builds wrote `for_actions`; absent in both: a sign-in.
            for_permission: match v["for"].as_str() {
                Some(code) => Some(Permission::from_code(code)?),
                None => v["for_actions"]
                    .as_bool()
                    .unwrap_or(false)
                    .then_some(Permission::Act),
            },
        })
    }
}

impl fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("verifier", &REDACTED)
            .field("nonce", &REDACTED)
            .field("return_to", &self.return_to)
            .field("started_ms", &self.started_ms)
            .finish()
    }
}

/// A started sign-in: where to send the browser, and what to keep. No `Debug`: the URL
/// carries the state and the nonce.
pub struct AuthorizeRequest {
    pub url: String,
    pub state: String,
    pub pending: PendingSignIn,
}

/// How long a sign-in attempt may take before its state is refused (as the platform's
/// codes live ten minutes).
pub const SIGN_IN_TIMEOUT_MS: f64 = 10.0 * 60.0 * 1000.0;

/// `bytes` from the platform's CSPRNG (crypto.getRandomValues in a browser), base64url.
/// oauth2's own `new_random` draws from rand's ChaCha generator instead, which would add
/// ~5 KB of wasm for the same guarantee. 32 bytes give a 43-character PKCE verifier, as
/// RFC 7636 section 4.1 recommends.
pub fn random_token(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    // The error's code, not its text: getrandom's descriptions (every platform's, and
    // std's I/O errors behind them) would ship for a failure only a broken browser has.
    getrandom::getrandom(&mut buf)
        .map_err(|e| format!("no secure random numbers (getrandom error {})", e.code()))?;
    Ok(B64.encode(buf))
}

/// A new attempt: fresh random state, nonce and PKCE S256 verifier.
pub fn authorize_request(
    config: &Config,
    return_to: &str,
    now_ms: f64,
    ask: Ask<'_>,
) -> Result<AuthorizeRequest, String> {
    let verifier = PkceCodeVerifier::new(random_token(32)?);
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
    let nonce = CsrfToken::new(random_token(32)?);
    let state = CsrfToken::new(random_token(32)?);
    // The authorization request of RFC 6749 §4.1.1 with PKCE (RFC 7636 §4.3), as MSAL.js
    // sends it; the values come from oauth2's types.
    let scope = match ask {
        Ask::SignIn => config.scopes.join(" "),
        // As MSAL.js's acquireTokenRedirect: the scopes wanted plus the OpenID ones.
        Ask::Consent { permission, .. } => {
            let mut all = config.scopes_for(permission).to_vec();
            all.extend(["openid", "profile", "offline_access"].map(String::from));
            all.join(" ")
        }
    };
    let mut url =
        form_urlencoded::Serializer::new(format!("{}/oauth2/v2.0/authorize?", config.authority()));
    url.append_pair("response_type", "code")
        .append_pair("client_id", &config.client_id)
        .append_pair("state", state.secret())
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", challenge.method())
        .append_pair("redirect_uri", &config.redirect_uri)
        .append_pair("scope", &scope)
        .append_pair("nonce", nonce.secret())
        // As MSAL.js: the code comes back in the fragment, which browsers never send to a
        // server, so it stays out of access logs, proxies and the Referer.
        .append_pair("response_mode", "fragment");
    if let Ask::Consent {
        login_hint: Some(hint),
        ..
    } = ask
    {
        // The account already signed in, so the platform does not ask which one.
        url.append_pair("login_hint", hint);
    }
    let url = url.finish();
    Ok(AuthorizeRequest {
        url,
        state: state.secret().clone(),
        pending: PendingSignIn {
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
            return_to: safe_return_to(return_to),
            started_ms: now_ms,
            for_permission: match ask {
                Ask::SignIn => None,
                Ask::Consent { permission, .. } => Some(permission),
            },
        },
    })
}

/// What an authorize request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask<'a> {
    /// Signing in: the configured `scopes` (reading).
    SignIn,
    /// Consent for a permission at its first use (the `actionScopes` or the
    /// `auditScopes`), for the account already signed in.
    Consent {
        permission: Permission,
        login_hint: Option<&'a str>,
    },
}

/// Only a path of this app can be a return target (no open redirect through the state).
pub fn safe_return_to(candidate: &str) -> String {
    if candidate.starts_with('/') && !candidate.starts_with("//") && !candidate.contains('\\') {
        candidate.to_string()
    } else {
        "/".to_string()
    }
}

/// An error from the identity platform, with what support asks for. Read from the token
/// endpoint's JSON by [`PlatformError::from_json`], from a redirect by
/// [`PlatformError::from_redirect`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformError {
    pub error: String,
    pub error_description: Option<String>,
    pub error_codes: Vec<u32>,
    pub timestamp: Option<String>,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
}

impl fmt::Display for PlatformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        if let Some(d) = self.summary() {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl PlatformError {
    /// Reads an error the token endpoint answered; None without an `error` code.
    pub fn from_json(v: &serde_json::Value) -> Option<PlatformError> {
        let text = |k: &str| v[k].as_str().map(str::to_string);
        Some(PlatformError {
            error: text("error")?,
            error_description: text("error_description"),
            error_codes: v["error_codes"]
                .as_array()
                .map(|codes| {
                    codes
                        .iter()
                        .filter_map(|c| c.as_u64()?.try_into().ok())
                        .collect()
                })
                .unwrap_or_default(),
            timestamp: text("timestamp"),
            trace_id: text("trace_id"),
            correlation_id: text("correlation_id"),
        })
    }

    /// Reads an error the platform sent back on the redirect. Its ids travel inside
    /// `error_description` ("…\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …").
    pub fn from_redirect(error: &str, description: Option<&str>) -> PlatformError {
        let d = description.unwrap_or("");
        let line = |label: &str| {
            d.lines()
                .find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_string()))
        };
        let code = d
            .strip_prefix("AADSTS")
            .and_then(|r| r.split(':').next())
            .and_then(|n| n.parse().ok());
        PlatformError {
            error: error.to_string(),
            error_description: description.map(str::to_string),
            error_codes: code.into_iter().collect(),
            timestamp: line("Timestamp:"),
            trace_id: line("Trace ID:"),
            correlation_id: line("Correlation ID:"),
        }
    }

    /// The first line of the description: the AADSTS code and its message.
    pub fn summary(&self) -> Option<&str> {
        self.error_description
            .as_deref()
            .and_then(|d| d.lines().next())
    }

    pub fn code(&self) -> Option<u32> {
        self.error_codes.first().copied()
    }

    /// What to do about it, for the codes an admin of this app meets.
    pub fn advice(&self) -> Option<&'static str> {
        Some(match self.code()? {
            9002326 => t(Msg::AdviceRegisterSpa),
            9002327 => t(Msg::AdviceRegisterSpa),
            50020 => t(Msg::AdvicePersonalAccount),
            50011 | 500117 => t(Msg::AdviceRedirectMismatch),
            700016 => t(Msg::AdviceUnknownClient),
            65004 => t(Msg::AdviceDeclined),
            700084 | 70008 => t(Msg::AdviceSignInAgain),
            50194 => t(Msg::AdviceTenant),
            _ => return None,
        })
    }

    /// invalid_grant: the refresh token can no longer be used; sign in interactively.
    pub fn needs_interaction(&self) -> bool {
        matches!(
            self.error.as_str(),
            "invalid_grant" | "interaction_required" | "login_required"
        )
    }
}

/// What the address bar carried back from the identity platform.
#[derive(Clone, PartialEq, Eq)]
pub enum Redirect {
    /// An ordinary visit.
    None,
    Code {
        code: String,
        state: String,
    },
    Error {
        state: Option<String>,
        error: PlatformError,
    },
}

/// The code and the state are never printed.
impl fmt::Debug for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Redirect::None => f.write_str("None"),
            Redirect::Code { .. } => f
                .debug_struct("Code")
                .field("code", &REDACTED)
                .field("state", &REDACTED)
                .finish(),
            Redirect::Error { state, error } => f
                .debug_struct("Error")
                .field("state", &redacted(state))
                .field("error", error)
                .finish(),
        }
    }
}

/// Reads the response parameters: the fragment of the address, without `#`
/// (`response_mode=fragment`). Anything else in a fragment is an ordinary view.
pub fn parse_redirect(fragment: &str) -> Redirect {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in form_urlencoded::parse(fragment.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "code" => code = Some(v),
            "state" => state = Some(v),
            "error" => error = Some(v),
            "error_description" => description = Some(v),
            _ => {}
        }
    }
    match (error, code, state) {
        (Some(e), _, state) => Redirect::Error {
            state,
            error: PlatformError::from_redirect(&e, description.as_deref()),
        },
        (None, Some(code), Some(state)) => Redirect::Code { code, state },
        _ => Redirect::None,
    }
}

/// The signed-in account, from the ID token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub username: String,
    pub tenant_id: String,
    pub object_id: String,
}

impl Account {
    /// As kept in the token cache.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "username": self.username,
            "tenant_id": self.tenant_id,
            "object_id": self.object_id,
        })
    }

    /// Reads [`Account::to_json`]'s JSON; None when a field is missing or mistyped.
    pub fn from_json(v: &serde_json::Value) -> Option<Account> {
        let s = |k: &str| v[k].as_str().map(str::to_string);
        Some(Account {
            name: s("name")?,
            username: s("username")?,
            tenant_id: s("tenant_id")?,
            object_id: s("object_id")?,
        })
    }
}

/// Why an ID token was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdTokenProblem {
    Malformed,
    Nonce,
    Audience,
    Issuer,
    Tenant,
}

/// The `issuer` of an OpenID discovery document, as published: for a multi-tenant
/// authority (`organizations`) a template with `{tenantid}`, else the tenant's own issuer.
pub fn discovery_issuer(document: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(document).ok()?;
    Some(v.get("issuer")?.as_str()?.to_string())
}

/// The issuer a token of tenant `tid` must carry, from the discovery document's issuer
/// (`{tenantid}` replaced by `tid`). None unless `tid` is a tenant GUID and the result
/// names that tenant as its path segment: the identity platform's v2.0 issuers are
/// `https://{issuer host}/{tid}/v2.0`, and the host is the document's to say (China signs
/// in at login.chinacloudapi.cn and issues as login.partner.microsoftonline.cn).
pub fn expected_issuer(template: &str, tid: &str) -> Option<String> {
    if !crate::ids::is_guid(tid) {
        return None;
    }
    let issuer = template.replace("{tenantid}", tid);
    issuer.contains(&format!("/{tid}/")).then_some(issuer)
}

/// Checks the ID token's claims (the signature is the token endpoint's, reached over TLS):
/// nonce, audience, the tenant for a tenant-specific config, and the issuer against
/// `issuer_template`, the `issuer` of the authority's discovery document (see
/// [`expected_issuer`]).
pub fn check_id_token(
    id_token: &str,
    config: &Config,
    nonce: &str,
    issuer_template: &str,
) -> Result<Account, IdTokenProblem> {
    let payload = id_token
        .split('.')
        .nth(1)
        .ok_or(IdTokenProblem::Malformed)?;
    let claims: serde_json::Value = B64
        .decode(payload)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        // from_str, as everywhere else: from_slice would be a second parser instance.
        .and_then(|s| serde_json::from_str(&s).ok())
        .ok_or(IdTokenProblem::Malformed)?;
    let s = |k: &str| claims.get(k).and_then(|v| v.as_str()).unwrap_or("");
    if s("nonce") != nonce || nonce.is_empty() {
        return Err(IdTokenProblem::Nonce);
    }
    if !s("aud").eq_ignore_ascii_case(&config.client_id) {
        return Err(IdTokenProblem::Audience);
    }
    let tid = s("tid");
    if !crate::ids::is_guid(tid)
        || crate::ids::is_guid(&config.tenant) && !tid.eq_ignore_ascii_case(&config.tenant)
    {
        return Err(IdTokenProblem::Tenant);
    }
    if expected_issuer(issuer_template, tid).as_deref() != Some(s("iss")) {
        return Err(IdTokenProblem::Issuer);
    }
    Ok(Account {
        name: s("name").to_string(),
        username: s("preferred_username").to_string(),
        tenant_id: tid.to_string(),
        object_id: s("oid").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            r#"{"clientId":"6731de76-14a6-49ae-97bc-6eba6914391e","tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47",
                "redirectUri":"https://admin.contoso.com/access-desk/"}"#,
        )
        .unwrap()
    }

    fn jwt(claims: serde_json::Value) -> String {
        format!("e30.{}.sig", B64.encode(claims.to_string()))
    }

    fn good_claims() -> serde_json::Value {
        serde_json::json!({
            "aud": "6731de76-14a6-49ae-97bc-6eba6914391e",
            "iss": "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
            "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "nonce": "n-1",
            "name": "Adele Vance",
            "preferred_username": "adele@contoso.com",
            "oid": "o-1",
        })
    }

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        let verifier = PkceCodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
        assert_eq!(
            challenge.as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(challenge.method().as_str(), "S256");
    }

    #[test]
    fn the_authorize_request_carries_s256_state_nonce_and_least_privilege_scopes() {
        let cfg = config();
        let a =
            authorize_request(&cfg, "/requests?state=deliveryFailed", 1000.0, Ask::SignIn).unwrap();
        let url = &a.url;
        assert!(url.starts_with("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize?"));
        for part in [
            "response_type=code",
            "code_challenge_method=S256",
            "response_mode=fragment",
            "client_id=6731de76-14a6-49ae-97bc-6eba6914391e",
            "redirect_uri=https%3A%2F%2Fadmin.contoso.com%2Faccess-desk%2F",
            "scope=https%3A%2F%2Fgraph.microsoft.com%2FEntitlementManagement.Read.All+openid+profile+offline_access&",
        ] {
            assert!(url.contains(part), "{part} in {url}");
        }
        assert!(!url.contains("ReadWrite"), "signing in only reads: {url}");
        assert_eq!(a.pending.for_permission, None);
        assert!(url.contains(&format!("state={}", a.state)));
        assert!(url.contains(&format!("nonce={}", a.pending.nonce)));
        assert!(
            !url.contains(&a.pending.verifier),
            "the verifier never leaves the browser"
        );
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            a.pending.verifier.clone(),
        ));
        assert!(url.contains(&format!("code_challenge={}", challenge.as_str())));
        assert_eq!(a.pending.return_to, "/requests?state=deliveryFailed");
    }

    #[test]
    fn the_first_actions_consent_asks_for_read_write_for_the_signed_in_account() {
        let cfg = config();
        let a = authorize_request(
            &cfg,
            "/requests/x",
            0.0,
            Ask::Consent {
                permission: Permission::Act,
                login_hint: Some("admin@contoso.com"),
            },
        )
        .unwrap();
        assert!(
            a.url.contains("scope=https%3A%2F%2Fgraph.microsoft.com%2FEntitlementManagement.ReadWrite.All+openid+profile+offline_access&"),
            "{}",
            a.url
        );
        assert!(
            a.url.contains("login_hint=admin%40contoso.com"),
            "{}",
            a.url
        );
        assert!(a.url.contains("code_challenge_method=S256"));
        assert_eq!(a.pending.for_permission, Some(Permission::Act));
        assert_eq!(
            PendingSignIn::from_json(&a.pending.to_json()).map(|p| p.for_permission),
            Some(Some(Permission::Act))
        );
    }

    #[test]
    fn the_first_trails_consent_asks_for_the_audit_log_and_nothing_else() {
        let cfg = config();
        let a = authorize_request(
            &cfg,
            "/requests/x",
            0.0,
            Ask::Consent {
                permission: Permission::Audit,
                login_hint: Some("admin@contoso.com"),
            },
        )
        .unwrap();
        assert!(
            a.url.contains("scope=https%3A%2F%2Fgraph.microsoft.com%2FAuditLog.Read.All+https%3A%2F%2Fgraph.microsoft.com%2FDirectory.Read.All+openid+profile+offline_access&"),
            "{}",
            a.url
        );
        assert!(!a.url.contains("EntitlementManagement"), "{}", a.url);
        assert_eq!(
            PendingSignIn::from_json(&a.pending.to_json()).map(|p| p.for_permission),
            Some(Some(Permission::Audit))
        );
        // An attempt started by an earlier build for the first action still acts.
        let earlier =
            r#"{"verifier":"v","nonce":"n","return_to":"/","started_ms":5.0,"for_actions":true}"#;
        assert_eq!(
            PendingSignIn::from_json(earlier).map(|p| p.for_permission),
            Some(Some(Permission::Act))
        );
    }

    #[test]
    fn state_nonce_and_verifier_are_fresh_per_attempt() {
        let cfg = config();
        let a = authorize_request(&cfg, "/", 0.0, Ask::SignIn).unwrap();
        let b = authorize_request(&cfg, "/", 0.0, Ask::SignIn).unwrap();
        assert_ne!(a.state, b.state);
        assert_ne!(a.pending.nonce, b.pending.nonce);
        assert_ne!(a.pending.verifier, b.pending.verifier);
        assert!(a.state.len() >= 16 && a.pending.verifier.len() >= 43);
        // RFC 7636 section 4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
        let v = &a.pending.verifier;
        assert!((43..=128).contains(&v.len()), "{v}");
        assert!(
            v.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c)),
            "{v}"
        );
    }

    #[test]
    fn return_targets_stay_inside_the_app() {
        assert_eq!(safe_return_to("/requests?q=a"), "/requests?q=a");
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_return_to(bad), "/", "{bad}");
        }
    }

    #[test]
    fn the_redirect_is_read_from_the_fragment() {
        assert_eq!(
            parse_redirect("code=0.AX%2Bb&state=s1&session_state=x"),
            Redirect::Code {
                code: "0.AX+b".into(),
                state: "s1".into()
            }
        );
        // A view's own fragment (a row anchor) is not a sign-in.
        assert_eq!(parse_redirect("row-3"), Redirect::None);
        assert_eq!(parse_redirect(""), Redirect::None);
        assert_eq!(
            parse_redirect("code=c"),
            Redirect::None,
            "a code without state is not a sign-in"
        );
        assert!(matches!(
            parse_redirect("error=access_denied"),
            Redirect::Error { state: None, .. }
        ));
    }

    #[test]
    fn platform_errors_on_the_redirect_keep_code_trace_and_correlation_ids() {
        let q = "error=invalid_request&error_description=AADSTS50020%3A+User+account+%27x%40outlook.com%27+from+identity+provider+%27live.com%27.%0D%0ATrace+ID%3A+t-1%0D%0ACorrelation+ID%3A+c-2%0D%0ATimestamp%3A+2026-11-23+10%3A00%3A00Z&state=s";
        let Redirect::Error { state, error } = parse_redirect(q) else {
            panic!()
        };
        assert_eq!(state.as_deref(), Some("s"));
        assert_eq!(error.code(), Some(50020));
        assert_eq!(error.trace_id.as_deref(), Some("t-1"));
        assert_eq!(error.correlation_id.as_deref(), Some("c-2"));
        assert_eq!(error.timestamp.as_deref(), Some("2026-11-23 10:00:00Z"));
        assert!(
            error
                .summary()
                .unwrap()
                .starts_with("AADSTS50020: User account 'x@outlook.com'")
        );
        assert!(error.advice().unwrap().contains("work or school"));
    }

    #[test]
    fn aadsts9002326_explains_the_spa_registration() {
        let e = PlatformError::from_json(&serde_json::json!({
            "error": "invalid_request",
            "error_description": "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
            "error_codes": [9002326], "trace_id": "t", "correlation_id": "c", "timestamp": "x",
        }))
        .unwrap();
        assert!(e.advice().unwrap().contains("Single-page application"));
        assert!(!e.needs_interaction());
        let expired = PlatformError {
            error: "invalid_grant".into(),
            error_codes: vec![700084],
            ..Default::default()
        };
        assert!(expired.needs_interaction());
    }

    /// The global cloud's discovery issuer for the test tenant.
    const GLOBAL_ISSUER: &str =
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0";

    #[test]
    fn id_token_claims_are_checked() {
        let cfg = config();
        let check = |claims: serde_json::Value, nonce: &str| {
            check_id_token(&jwt(claims), &cfg, nonce, GLOBAL_ISSUER)
        };
        let account = check(good_claims(), "n-1").unwrap();
        assert_eq!(account.username, "adele@contoso.com");
        assert_eq!(check(good_claims(), "other"), Err(IdTokenProblem::Nonce));
        assert_eq!(check(good_claims(), ""), Err(IdTokenProblem::Nonce));
        for (claim, value, problem) in [
            (
                "aud",
                "00000000-0000-0000-0000-000000000000",
                IdTokenProblem::Audience,
            ),
            (
                "tid",
                "00000000-0000-0000-0000-000000000000",
                IdTokenProblem::Tenant,
            ),
            ("tid", "", IdTokenProblem::Tenant),
            (
                "iss",
                "https://login.evil.example/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
                IdTokenProblem::Issuer,
            ),
        ] {
            let mut c = good_claims();
            c[claim] = value.into();
            assert_eq!(check(c, "n-1"), Err(problem), "{claim}");
        }
        assert_eq!(
            check_id_token("not-a-jwt", &cfg, "n-1", GLOBAL_ISSUER),
            Err(IdTokenProblem::Malformed)
        );
    }

    /// A config for `cloud` and `tenant`.
    fn cloud_case(cloud: &str, tenant: &str) -> Config {
        Config::parse(
            &serde_json::json!({
                "clientId": "6731de76-14a6-49ae-97bc-6eba6914391e",
                "tenantId": tenant,
                "cloud": cloud,
                "redirectUri": "https://admin.contoso.com/access-desk/"
            })
            .to_string(),
        )
        .unwrap()
    }

    /// A token of tenant `tid` issued as `iss`.
    fn token_of(tid: &str, iss: &str) -> String {
        let mut c = good_claims();
        c["tid"] = tid.into();
        c["iss"] = iss.into();
        jwt(c)
    }

    #[test]
    fn the_issuer_is_the_discovery_documents_in_every_cloud_for_a_tenant_or_organizations() {
        const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        const OTHER: &str = "0e60f18c-b2a0-4887-9da8-da2e30a39d99";
        // (cloud, the issuer host its discovery documents publish): China signs in at
        // login.chinacloudapi.cn but issues as login.partner.microsoftonline.cn.
        for (cloud, issuer_host) in [
            ("global", "https://login.microsoftonline.com"),
            ("usgov-l4", "https://login.microsoftonline.us"),
            ("usgov-l5-dod", "https://login.microsoftonline.us"),
            ("china", "https://login.partner.microsoftonline.cn"),
        ] {
            let issuer = format!("{issuer_host}/{TID}/v2.0");
            // A tenant-specific authority publishes the tenant's issuer; `organizations`
            // publishes a template.
            for (tenant, template) in [
                (TID.to_string(), issuer.clone()),
                ("contoso.com".to_string(), issuer.clone()),
                (
                    "organizations".to_string(),
                    format!("{issuer_host}/{{tenantid}}/v2.0"),
                ),
            ] {
                let cfg = cloud_case(cloud, &tenant);
                let case = format!("{cloud} {tenant}");
                let ok = check_id_token(&token_of(TID, &issuer), &cfg, "n-1", &template);
                assert_eq!(ok.map(|a| a.tenant_id), Ok(TID.to_string()), "{case}");
                // The sign-in host is not the issuer where the document says otherwise.
                let signin_host = format!("{}/{TID}/v2.0", cfg.authority_host);
                if signin_host != issuer {
                    assert_eq!(
                        check_id_token(&token_of(TID, &signin_host), &cfg, "n-1", &template),
                        Err(IdTokenProblem::Issuer),
                        "{case}"
                    );
                }
                // Another cloud's issuer, or the right host with another tenant's id.
                for wrong in [
                    format!("https://login.microsoftonline.de/{TID}/v2.0"),
                    format!("{issuer_host}/{OTHER}/v2.0"),
                    format!("{issuer_host}/{TID}/v2.0/"),
                    format!("{issuer_host}/{{tenantid}}/v2.0"),
                ] {
                    assert_eq!(
                        check_id_token(&token_of(TID, &wrong), &cfg, "n-1", &template),
                        Err(IdTokenProblem::Issuer),
                        "{case}: {wrong}"
                    );
                }
            }
            // organizations: any tenant, but the issuer must name the token's own tenant.
            let cfg = cloud_case(cloud, "organizations");
            let template = format!("{issuer_host}/{{tenantid}}/v2.0");
            let other_issuer = format!("{issuer_host}/{OTHER}/v2.0");
            assert!(
                check_id_token(&token_of(OTHER, &other_issuer), &cfg, "n-1", &template).is_ok()
            );
            assert_eq!(
                check_id_token(&token_of(OTHER, &issuer), &cfg, "n-1", &template),
                Err(IdTokenProblem::Issuer),
                "{cloud}"
            );
        }
    }

    #[test]
    fn an_issuer_template_names_the_tokens_tenant_or_nothing_is_expected() {
        const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        assert_eq!(
            expected_issuer(
                "https://login.partner.microsoftonline.cn/{tenantid}/v2.0",
                TID
            )
            .as_deref(),
            Some(
                "https://login.partner.microsoftonline.cn/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
            )
        );
        // Not a tenant GUID (nothing to substitute safely), or a document whose issuer
        // names no tenant at all: nothing can match.
        for (template, tid) in [
            ("https://login.microsoftonline.com/{tenantid}/v2.0", ""),
            ("https://login.microsoftonline.com/{tenantid}/v2.0", "a/b"),
            ("https://login.microsoftonline.com/common/v2.0", TID),
            ("", TID),
        ] {
            assert_eq!(expected_issuer(template, tid), None, "{template} {tid}");
        }
    }

    #[test]
    fn the_discovery_document_gives_its_issuer() {
        let doc = r#"{"token_endpoint":"https://login.chinacloudapi.cn/organizations/oauth2/v2.0/token",
            "issuer":"https://login.partner.microsoftonline.cn/{tenantid}/v2.0","msgraph_host":"microsoftgraph.chinacloudapi.cn"}"#;
        assert_eq!(
            discovery_issuer(doc).as_deref(),
            Some("https://login.partner.microsoftonline.cn/{tenantid}/v2.0")
        );
        for bad in ["", "<html>", "[]", r#"{"issuer":5}"#, r#"{"jwks_uri":"x"}"#] {
            assert_eq!(discovery_issuer(bad), None, "{bad}");
        }
    }

    #[test]
    fn no_debug_output_shows_a_code_state_verifier_nonce_or_token() {
        let secrets = [
            "code-0.AXsecret",
            "state-secret",
            "verifier-secret",
            "nonce-secret",
            "id-token-secret",
            "access-secret",
            "refresh-secret",
        ];
        let pending = PendingSignIn {
            verifier: "verifier-secret".into(),
            nonce: "nonce-secret".into(),
            return_to: "/requests".into(),
            started_ms: 1.0,
            for_permission: None,
        };
        let response: PlatformTokenResponse = serde_json::from_str(
            r#"{"access_token":"access-secret","token_type":"Bearer","expires_in":3600,
                "refresh_token":"refresh-secret","id_token":"id-token-secret"}"#,
        )
        .unwrap();
        let texts = [
            format!("{pending:?}"),
            format!("{:?}", response.extra_fields()),
            format!("{response:?}"),
            format!(
                "{:?}",
                parse_redirect("code=code-0.AXsecret&state=state-secret")
            ),
            format!(
                "{:?}",
                parse_redirect("error=access_denied&state=state-secret")
            ),
        ];
        for text in &texts {
            assert!(text.contains(REDACTED), "{text}");
            for secret in secrets {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
        assert!(texts[0].contains("/requests"), "the rest still shows");
    }

    #[test]
    fn a_pending_sign_in_round_trips_and_a_damaged_one_is_dropped() {
        let p = PendingSignIn {
            verifier: "v".repeat(43),
            nonce: "n".into(),
            return_to: "/requests?view=failed&q=\"x\"".into(),
            started_ms: 1_700_000_000_123.0,
            for_permission: Some(Permission::Audit),
        };
        assert_eq!(PendingSignIn::from_json(&p.to_json()), Some(p));
        let earlier = r#"{"verifier":"v","nonce":"n","return_to":"/","started_ms":5.0}"#;
        assert_eq!(
            PendingSignIn::from_json(earlier).map(|p| p.started_ms),
            Some(5.0)
        );
        assert_eq!(
            PendingSignIn::from_json(r#"{"verifier":"v","nonce":"n"}"#),
            None
        );
    }
}
