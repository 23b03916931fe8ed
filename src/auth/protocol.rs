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
mod tests;
