//! Microsoft identity platform v2.0 endpoints under `/{tenant}`: discovery, keys,
//! authorize (with a sign-in page listing the demo accounts), token, logout.
//!
//! Errors follow the platform: `error`, `error_description` (AADSTS code, trace and
//! correlation ids, timestamp), `error_codes`, `timestamp`, `trace_id`, `correlation_id`.

mod pages;
mod token;

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::accounts::Role;
use crate::clock::aad_timestamp;
use crate::keys::{b64url, s256};
use crate::{Shared, cloud};
use pages::{error_page, page};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize).post(sign_in),
        )
        .route(
            "/{tenant}/oauth2/v2.0/token",
            axum::routing::post(token::token).options(token::token_preflight),
        )
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
}

/// Codes live 10 minutes; SPA refresh tokens 24 hours, not sliding.
pub const CODE_LIFETIME_SECS: i64 = 600;
pub const SPA_REFRESH_LIFETIME_SECS: i64 = 86_400;

/// A registered redirect URI and its platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub uri: String,
    pub spa: bool,
}

#[derive(Clone, Debug)]
struct AuthRequest {
    redirect_uri: String,
    scopes: Grant,
    state: String,
    nonce: Option<String>,
    challenge: String,
    fragment: bool,
    created: DateTime<Utc>,
}

#[derive(Clone, Debug)]
struct Code {
    account: usize,
    auth: AuthRequest,
    issued: DateTime<Utc>,
    used: bool,
}

#[derive(Clone, Debug)]
struct Refresh {
    account: usize,
    scopes: Grant,
    expires: DateTime<Utc>,
}

/// What was asked for: OpenID scopes and one resource's permissions.
#[derive(Clone, Debug, Default)]
struct Grant {
    openid: Vec<String>,
    resource: String,
    permissions: Vec<String>,
    /// `.default`: whatever has been consented, nothing asked for on top.
    default_scope: bool,
}

impl Grant {
    fn scope_string(&self) -> String {
        let mut v: Vec<String> = self
            .permissions
            .iter()
            .map(|p| format!("{}/{p}", self.resource))
            .collect();
        v.extend(self.openid.iter().cloned());
        v.join(" ")
    }
}

/// Sign-in state: pending sign-ins, codes, refresh tokens, and what each account
/// consented to itself (on top of the administrator's consent, `Knobs::admin_consent`).
#[derive(Default)]
pub struct Store {
    pending: HashMap<String, AuthRequest>,
    codes: HashMap<String, Code>,
    refresh: HashMap<String, Refresh>,
    consents: HashMap<usize, BTreeSet<String>>,
}

impl Store {
    /// A fresh tenant: nobody has consented to anything beyond the administrator.
    pub fn forget_consents(&mut self) {
        self.consents.clear();
    }
}

/// Every Graph permission consented for account `index`: the administrator's for all
/// users, and the account's own. Entra puts all of them in an access token for Graph,
/// whatever the request named.
fn consented(s: &Shared, store: &Store, index: usize) -> BTreeSet<String> {
    let admin = s.knobs.lock().expect("knobs").admin_consent;
    let mut all: BTreeSet<String> = admin.permissions().iter().map(|p| p.to_string()).collect();
    if let Some(own) = store.consents.get(&index) {
        all.extend(own.iter().cloned());
    }
    all
}

/// The permissions `grant` asks for that account `index` has not consented to.
fn not_consented(s: &Shared, store: &Store, index: usize, grant: &Grant) -> Vec<String> {
    let have = consented(s, store, index);
    grant
        .permissions
        .iter()
        .filter(|p| !have.contains(*p))
        .cloned()
        .collect()
}

/// An identity-platform error.
struct AadError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    message: String,
    /// The platform's `suberror` (`consent_required`, …), when it sends one.
    suberror: Option<&'static str>,
}

impl AadError {
    fn new(error: &'static str, code: u32, message: impl Into<String>) -> AadError {
        AadError {
            status: StatusCode::BAD_REQUEST,
            error,
            code,
            message: message.into(),
            suberror: None,
        }
    }

    /// The description as the platform writes it, with trace and correlation ids.
    fn describe(&self, s: &Shared, trace: &str, correlation: &str) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {}",
            self.code,
            self.message,
            aad_timestamp(s.clock.now())
        )
    }

    fn json(&self, s: &Shared) -> Value {
        let (trace, correlation) = (s.new_guid(), s.new_guid());
        let mut body = json!({
            "error": self.error,
            "error_description": self.describe(s, &trace, &correlation),
            "error_codes": [self.code],
            "timestamp": aad_timestamp(s.clock.now()),
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": format!("{}/error?code={}", s.issuer_origin, self.code),
        });
        if let Some(sub) = self.suberror {
            body["suberror"] = json!(sub);
        }
        body
    }
}

fn known_tenant(s: &Shared, tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case(&s.tenant.tenant_id)
        || tenant.eq_ignore_ascii_case(&s.tenant.domain)
        || tenant == "organizations"
        || tenant == "common"
}

/// AADSTS700016: a client id that is not this tenant's app, at authorize or token.
fn unknown_client(s: &Shared, client_id: &str) -> AadError {
    AadError::new(
        "unauthorized_client",
        700016,
        format!(
            "Application with identifier '{}' was not found in the directory '{}'.",
            crate::graph::truncate(client_id),
            s.tenant.domain
        ),
    )
}

fn tenant_error(tenant: &str) -> AadError {
    AadError::new(
        "invalid_tenant",
        90002,
        format!(
            "Tenant '{}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
            crate::graph::truncate(tenant)
        ),
    )
}

async fn discovery(State(s): State<Shared>, Path(tenant): Path<String>) -> Response {
    if !known_tenant(&s, &tenant) {
        return unknown_tenant(&s, &tenant);
    }
    let base = format!("{}/{}", s.issuer_origin, tenant);
    let graph_host = cloud::graph_audiences(s.options.cloud)[0].trim_start_matches("https://");
    public(
        Json(json!({
            "token_endpoint": format!("{base}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{base}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": discovery_issuer(&s, &tenant),
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": format!("{}/oidc/userinfo", s.issuer_origin),
            "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "preferred_username", "oid", "tid", "ver"],
            "kerberos_endpoint": format!("{base}/kerberos"),
            "tenant_region_scope": "WW",
            "cloud_instance_name": match s.options.cloud {
                cloud::Cloud::Global => "microsoftonline.com",
                cloud::Cloud::Usgov => "microsoftonline.us",
                cloud::Cloud::China => "partner.microsoftonline.cn",
            },
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": graph_host,
            "rbac_url": "https://pas.windows.net",
            "code_challenge_methods_supported": ["S256"],
        }))
        .into_response(),
    )
}

/// The answer to a public document of a tenant this sandbox does not have.
fn unknown_tenant(s: &Shared, tenant: &str) -> Response {
    public((StatusCode::BAD_REQUEST, Json(tenant_error(tenant).json(s))).into_response())
}

/// Discovery and keys are public documents any origin may read.
fn public(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    resp
}

async fn keys(State(s): State<Shared>, Path(tenant): Path<String>) -> Response {
    if !known_tenant(&s, &tenant) {
        return unknown_tenant(&s, &tenant);
    }
    public(Json(s.keys.jwks(&discovery_issuer(&s, &tenant))).into_response())
}

/// The issuer a tenant's discovery document names: the tenant's own for its id or domain,
/// the `{tenantid}` template for `organizations` (clients substitute the token's `tid`).
fn discovery_issuer(s: &Shared, tenant: &str) -> String {
    if tenant == "organizations" || tenant == "common" {
        s.issuer_for("{tenantid}")
    } else {
        s.issuer()
    }
}

/// Sends an error back to the app's (validated) redirect URI.
fn error_redirect(
    s: &Shared,
    redirect_uri: &str,
    fragment: bool,
    state: Option<&str>,
    e: &AadError,
) -> Response {
    let (trace, correlation) = (s.new_guid(), s.new_guid());
    let mut ser = form_urlencoded::Serializer::new(String::new());
    ser.append_pair("error", e.error);
    ser.append_pair("error_description", &e.describe(s, &trace, &correlation));
    ser.append_pair(
        "error_uri",
        &format!("{}/error?code={}", s.issuer_origin, e.code),
    );
    if let Some(st) = state {
        ser.append_pair("state", st);
    }
    found(&join(redirect_uri, fragment, &ser.finish()))
}

/// 302 Found, as the identity platform redirects.
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::FOUND, [(header::LOCATION, v)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

fn join(uri: &str, fragment: bool, params: &str) -> String {
    if fragment {
        format!("{uri}#{params}")
    } else if uri.contains('?') {
        format!("{uri}&{params}")
    } else {
        format!("{uri}?{params}")
    }
}

const OPENID_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// The delegated Graph permissions the app may ask for, on the cloud's Graph host(s): the
/// entitlement-management ones, and the two the audit log needs together (directoryaudit-list
/// and directoryaudit-get: "AuditLog.Read.All and Directory.Read.All"). None but the
/// administrator's `--admin-consent` ones is consented in advance, so the audit permissions
/// are asked for on the sign-in page the first time a sign-in names them.
const PERMISSIONS: [&str; 5] = [
    "EntitlementManagement.ReadWrite.All",
    "EntitlementManagement.Read.All",
    "User.Read",
    "AuditLog.Read.All",
    "Directory.Read.All",
];

/// Parses a scope string: OpenID scopes plus permissions of one resource of this cloud.
fn parse_scopes(s: &Shared, scope: &str) -> Result<Grant, AadError> {
    let mut g = Grant::default();
    let audiences = cloud::graph_audiences(s.options.cloud);
    for sc in scope.split_whitespace() {
        if OPENID_SCOPES.contains(&sc) {
            g.openid.push(sc.to_string());
            continue;
        }
        let (resource, perm) = match sc.rsplit_once('/') {
            Some((r, p)) if r.starts_with("https://") => (r.to_string(), p.to_string()),
            Some(_) => {
                return Err(AadError::new(
                    "invalid_scope",
                    70011,
                    format!(
                        "The provided value for the input parameter 'scope' is not valid. The scope {} is not valid.",
                        crate::graph::truncate(sc)
                    ),
                ));
            }
            None => (audiences[0].to_string(), sc.to_string()),
        };
        if !audiences.contains(&resource.as_str()) {
            return Err(AadError::new(
                "invalid_resource",
                500011,
                format!(
                    "The resource principal named {} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant (or cloud).",
                    crate::graph::truncate(&resource),
                    s.tenant.tenant_id
                ),
            ));
        }
        if !g.resource.is_empty() && g.resource != resource {
            return Err(AadError::new(
                "invalid_request",
                28000,
                "Provided value for the input parameter scope is not valid because it contains more than one resource.",
            ));
        }
        g.resource = resource;
        if perm == ".default" {
            g.default_scope = true;
        } else if PERMISSIONS.contains(&perm.as_str()) {
            g.permissions.push(perm);
        } else {
            return Err(AadError::new(
                "invalid_scope",
                650053,
                format!(
                    "The application asked for scope '{}' that doesn't exist on the resource.",
                    crate::graph::truncate(&perm)
                ),
            ));
        }
    }
    if g.resource.is_empty() {
        // Only OpenID scopes: the access token is for Graph with no permission that matters here.
        g.resource = audiences[0].to_string();
        g.permissions.push("User.Read".into());
    }
    Ok(g)
}

async fn authorize(
    State(s): State<Shared>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    start_sign_in(&s, &tenant, &q)
}

fn start_sign_in(s: &Shared, tenant: &str, q: &HashMap<String, String>) -> Response {
    if !known_tenant(s, tenant) {
        return error_page(s, &tenant_error(tenant));
    }
    if tenant == "common" {
        return error_page(
            s,
            &AadError::new(
                "invalid_request",
                50194,
                format!(
                    "Application '{}' is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications. Use a tenant-specific endpoint or configure the application to be multi-tenant.",
                    s.tenant.client_id
                ),
            ),
        );
    }
    let client_id = q.get("client_id").map(String::as_str).unwrap_or("");
    if !client_id.eq_ignore_ascii_case(&s.tenant.client_id) {
        return error_page(s, &unknown_client(s, client_id));
    }
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    if !s.registrations().iter().any(|r| r.uri == redirect_uri) {
        return error_page(
            s,
            &AadError::new(
                "invalid_request",
                50011,
                format!(
                    "The redirect URI '{}' specified in the request does not match the redirect URIs configured for the application '{}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.",
                    crate::graph::truncate(&redirect_uri),
                    s.tenant.client_id
                ),
            ),
        );
    }
    let state = q.get("state").cloned();
    let fragment = match q.get("response_mode").map(String::as_str) {
        None | Some("query") => false,
        Some("fragment") => true,
        Some(other) => {
            return error_redirect(
                s,
                &redirect_uri,
                false,
                state.as_deref(),
                &AadError::new(
                    "invalid_request",
                    900144,
                    format!(
                        "response_mode '{}' is not supported for single-page applications; use query or fragment.",
                        crate::graph::truncate(other)
                    ),
                ),
            );
        }
    };
    let fail = |e: AadError| error_redirect(s, &redirect_uri, fragment, state.as_deref(), &e);
    if q.get("response_type").map(String::as_str) != Some("code") {
        return fail(AadError::new(
            "unsupported_response_type",
            700054,
            "response_type must be 'code': single-page applications use the authorization code flow with PKCE.",
        ));
    }
    let Some(state) = state.clone().filter(|st| !st.is_empty()) else {
        return fail(AadError::new(
            "invalid_request",
            900144,
            "The request must contain the parameter 'state' (this sandbox requires it: an app that does not check state is open to cross-site request forgery).",
        ));
    };
    let scope = q.get("scope").map(String::as_str).unwrap_or("");
    if scope.trim().is_empty() {
        return fail(AadError::new(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        ));
    }
    let scopes = match parse_scopes(s, scope) {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    let challenge = q.get("code_challenge").cloned().unwrap_or_default();
    if challenge.is_empty() {
        return fail(AadError::new(
            "invalid_request",
            9002325,
            "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
        ));
    }
    if q.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return fail(AadError::new(
            "invalid_request",
            9002325,
            "Proof Key for Code Exchange with code_challenge_method S256 is required for single-page applications; 'plain' (the default when the method is omitted) is refused.",
        ));
    }
    if challenge.len() != 43
        || !challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return fail(AadError::new(
            "invalid_request",
            9002325,
            "code_challenge must be the base64url SHA-256 of the code verifier (43 characters).",
        ));
    }
    if q.get("prompt").map(String::as_str) == Some("none") {
        return fail(AadError::new(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        ));
    }
    let auth = AuthRequest {
        redirect_uri,
        scopes,
        state,
        nonce: q.get("nonce").cloned(),
        challenge,
        fragment,
        created: s.clock.now(),
    };
    let txn = s.new_secret();
    let requested = auth.scopes.scope_string();
    s.auth
        .lock()
        .expect("auth")
        .pending
        .insert(txn.clone(), auth);
    pages::pick_account(s, &txn, &requested)
}

/// The sign-in or the consent was cancelled: `access_denied` to the app, as Entra sends it.
fn declined(s: &Shared, auth: &AuthRequest) -> Response {
    error_redirect(
        s,
        &auth.redirect_uri,
        auth.fragment,
        Some(&auth.state),
        &AadError::new(
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        ),
    )
}

#[derive(serde::Deserialize)]
struct SignInForm {
    txn: String,
    account: String,
    /// The consent prompt's answer: `accept` or `cancel`.
    consent: Option<String>,
}

async fn sign_in(
    State(s): State<Shared>,
    Path(_tenant): Path<String>,
    Form(f): Form<SignInForm>,
) -> Response {
    let now = s.clock.now();
    let auth = s.auth.lock().expect("auth").pending.remove(&f.txn);
    let Some(auth) = auth.filter(|a| now - a.created <= Duration::seconds(CODE_LIFETIME_SECS))
    else {
        return error_page(
            &s,
            &AadError::new(
                "invalid_request",
                50196,
                "This sign-in page has expired or was already used. Start again from the application.",
            ),
        );
    };
    if f.account == "cancel" {
        return declined(&s, &auth);
    }
    let Some(index) = f
        .account
        .parse::<usize>()
        .ok()
        .filter(|i| *i < s.accounts.len())
    else {
        return error_page(
            &s,
            &AadError::new(
                "invalid_request",
                50034,
                "The user account does not exist in this directory.",
            ),
        );
    };
    let account = &s.accounts[index];
    if account.role == Role::Personal {
        return error_redirect(
            &s,
            &auth.redirect_uri,
            auth.fragment,
            Some(&auth.state),
            &AadError::new(
                "invalid_request",
                50020,
                format!(
                    "User account '{}' from identity provider 'live.com' does not exist in tenant '{}' and cannot access the application '{}' in that tenant. Personal Microsoft accounts are not supported: sign in with a work or school account.",
                    account.username, s.tenant.domain, s.tenant.client_id
                ),
            ),
        );
    }
    // Permissions nobody consented to for this account: asked for once, and remembered.
    let missing = not_consented(&s, &s.auth.lock().expect("auth"), index, &auth.scopes);
    if !missing.is_empty() {
        match f.consent.as_deref() {
            None => {
                let txn = s.new_secret();
                s.auth
                    .lock()
                    .expect("auth")
                    .pending
                    .insert(txn.clone(), auth);
                return pages::ask_consent(&s, &txn, index, &missing);
            }
            Some("accept") => {
                s.auth
                    .lock()
                    .expect("auth")
                    .consents
                    .entry(index)
                    .or_default()
                    .extend(missing);
            }
            Some(_) => {
                return declined(&s, &auth);
            }
        }
    }
    let code = s.new_secret();
    let (redirect_uri, fragment, state) =
        (auth.redirect_uri.clone(), auth.fragment, auth.state.clone());
    s.auth.lock().expect("auth").codes.insert(
        code.clone(),
        Code {
            account: index,
            auth,
            issued: now,
            used: false,
        },
    );
    let mut ser = form_urlencoded::Serializer::new(String::new());
    ser.append_pair("code", &code);
    ser.append_pair("state", &state);
    ser.append_pair("session_state", &s.new_guid());
    found(&join(&redirect_uri, fragment, &ser.finish()))
}

async fn logout(
    State(s): State<Shared>,
    Path(_tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(uri) = q.get("post_logout_redirect_uri") {
        if s.registrations().iter().any(|r| &r.uri == uri) {
            let target = match q.get("state") {
                Some(st) => join(
                    uri,
                    false,
                    &form_urlencoded::Serializer::new(String::new())
                        .append_pair("state", st)
                        .finish(),
                ),
                None => uri.clone(),
            };
            return found(&target);
        }
        return error_page(
            &s,
            &AadError::new(
                "invalid_request",
                50011,
                format!(
                    "The post_logout_redirect_uri '{}' is not registered for the application.",
                    crate::graph::truncate(uri)
                ),
            ),
        );
    }
    Html(page("Signed out", "<main><h1>You signed out of your account</h1><p>It's a good idea to close all browser windows.</p></main>")).into_response()
}
