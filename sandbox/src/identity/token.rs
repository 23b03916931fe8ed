//! The token endpoint: authorization codes redeemed with PKCE, refresh tokens renewed
//! (a permission never consented is refused `consent_required`), tokens issued with every
//! consented permission, CORS for registered single-page apps only.

use super::*;

/// CORS for the token endpoint: only the registered single-page app origins.
fn spa_cors(s: &Shared, headers: &HeaderMap, resp: &mut Response) {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok())
        && s.registrations()
            .iter()
            .any(|r| r.spa && origin_of(&r.uri) == origin)
        && let Ok(v) = HeaderValue::from_str(origin)
    {
        let h = resp.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
}

fn origin_of(uri: &str) -> &str {
    let after_scheme = uri.find("://").map(|i| i + 3).unwrap_or(0);
    match uri[after_scheme..].find('/') {
        Some(i) => &uri[..after_scheme + i],
        None => uri,
    }
}

pub(super) async fn token_preflight(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    spa_cors(&s, &headers, &mut resp);
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        headers
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned()
            .unwrap_or(HeaderValue::from_static("content-type")),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    resp
}

pub(super) async fn token(
    State(s): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let result = if known_tenant(&s, &tenant) {
        redeem(&s, &headers, &f)
    } else {
        Err(tenant_error(&tenant))
    };
    let mut resp = match result {
        Ok(body) => {
            let mut r = Json(body).into_response();
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store, no-cache"),
            );
            r
        }
        Err(e) => (e.status, Json(e.json(&s))).into_response(),
    };
    spa_cors(&s, &headers, &mut resp);
    resp
}

fn redeem(s: &Shared, headers: &HeaderMap, f: &HashMap<String, String>) -> Result<Value, AadError> {
    let now = s.clock.now();
    let client_id = f.get("client_id").map(String::as_str).unwrap_or("");
    if !client_id.eq_ignore_ascii_case(&s.tenant.client_id) {
        return Err(unknown_client(s, client_id));
    }
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    match f.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code_value = f.get("code").map(String::as_str).unwrap_or("");
            let mut store = s.auth.lock().expect("auth");
            let Some(code) = store.codes.get_mut(code_value) else {
                return Err(AadError::new(
                    "invalid_grant",
                    70000,
                    "The provided value for the 'code' parameter is not valid.",
                ));
            };
            if code.used {
                return Err(AadError::new(
                    "invalid_grant",
                    54005,
                    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
                ));
            }
            code.used = true;
            if now - code.issued > Duration::seconds(CODE_LIFETIME_SECS) {
                return Err(AadError::new(
                    "invalid_grant",
                    70008,
                    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
                ));
            }
            let redirect_uri = f.get("redirect_uri").map(String::as_str).unwrap_or("");
            if redirect_uri != code.auth.redirect_uri {
                return Err(AadError::new(
                    "invalid_grant",
                    500117,
                    "The reply uri specified in the request does not match the reply uri used in the authorization request.",
                ));
            }
            let registration = s
                .registrations()
                .into_iter()
                .find(|r| r.uri == redirect_uri);
            match (registration.as_ref().map(|r| r.spa), origin) {
                (Some(false), Some(_)) => {
                    return Err(AadError::new(
                        "invalid_request",
                        9002326,
                        "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '".to_string()
                            + origin.unwrap_or("")
                            + "'.",
                    ));
                }
                (Some(true), None) => {
                    return Err(AadError::new(
                        "invalid_request",
                        9002327,
                        "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
                    ));
                }
                _ => {}
            }
            let Some(verifier) = f.get("code_verifier").filter(|v| !v.is_empty()) else {
                return Err(AadError::new(
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'code_verifier'.",
                ));
            };
            if s256(verifier) != code.auth.challenge {
                return Err(AadError::new(
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                ));
            }
            let (account, grant, nonce) = (
                code.account,
                code.auth.scopes.clone(),
                code.auth.nonce.clone(),
            );
            let refresh = grant.openid.iter().any(|o| o == "offline_access").then(|| {
                let rt = s.new_secret();
                store.refresh.insert(
                    rt.clone(),
                    Refresh {
                        account,
                        scopes: grant.clone(),
                        expires: now
                            + Duration::seconds(
                                s.knobs.lock().expect("knobs").refresh_lifetime_secs,
                            ),
                    },
                );
                rt
            });
            drop(store);
            Ok(issue(s, account, &grant, nonce.as_deref(), refresh, f))
        }
        Some("refresh_token") => {
            let rt_value = f.get("refresh_token").map(String::as_str).unwrap_or("");
            let mut store = s.auth.lock().expect("auth");
            let Some(rt) = store.refresh.get(rt_value).cloned() else {
                return Err(AadError::new(
                    "invalid_grant",
                    9002313,
                    "Invalid request. Request is malformed or invalid: the refresh token is not valid.",
                ));
            };
            if now >= rt.expires {
                return Err(AadError::new(
                    "invalid_grant",
                    700084,
                    "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page.",
                ));
            }
            let grant = match f.get("scope") {
                Some(sc) => parse_scopes(s, sc)?,
                None => rt.scopes.clone(),
            };
            // A permission never consented needs the user at the authorize endpoint.
            if !not_consented(s, &store, rt.account, &grant).is_empty() {
                return Err(AadError {
                    suberror: Some("consent_required"),
                    ..AadError::new(
                        "invalid_grant",
                        65001,
                        format!(
                            "The user or administrator has not consented to use the application with ID '{}'. Send an interactive authorization request for this user and resource.",
                            s.tenant.client_id
                        ),
                    )
                });
            }
            // Non-sliding: the new refresh token keeps the original expiry.
            let new_rt = s.new_secret();
            store.refresh.insert(
                new_rt.clone(),
                Refresh {
                    account: rt.account,
                    scopes: grant.clone(),
                    expires: rt.expires,
                },
            );
            drop(store);
            Ok(issue(s, rt.account, &grant, None, Some(new_rt), f))
        }
        Some(other) => Err(AadError::new(
            "unsupported_grant_type",
            70003,
            format!(
                "The app requested an unsupported grant type '{}'.",
                crate::graph::truncate(other)
            ),
        )),
        None => Err(AadError::new(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        )),
    }
}

fn issue(
    s: &Shared,
    account: usize,
    grant: &Grant,
    nonce: Option<&str>,
    refresh: Option<String>,
    f: &HashMap<String, String>,
) -> Value {
    let now = s.clock.now();
    let a = &s.accounts[account];
    let lifetime = s.knobs.lock().expect("knobs").access_token_secs;
    // Everything consented, not only what was asked for, as Entra issues Graph tokens.
    let mut permissions = consented(s, &s.auth.lock().expect("auth"), account);
    permissions.extend(grant.permissions.iter().cloned());
    let permissions: Vec<String> = permissions.into_iter().collect();
    let granted = Grant {
        permissions: permissions.clone(),
        ..grant.clone()
    };
    let access = s.keys.sign(&json!({
        "aud": grant.resource,
        "iss": s.issuer(),
        "iat": now.timestamp(),
        "nbf": now.timestamp(),
        "exp": now.timestamp() + lifetime,
        "tid": s.tenant.tenant_id,
        "oid": a.oid,
        "sub": a.oid,
        "upn": a.username,
        "name": a.name,
        "appid": s.tenant.client_id,
        "azp": s.tenant.client_id,
        "scp": permissions.join(" "),
        // Entra's per-token identifier (the access token claims reference): two tokens
        // issued in the same second still differ, as MSAL's forced renewal expects.
        "uti": &s.new_secret()[..22],
        "ver": "1.0",
    }));
    let mut body = json!({
        "token_type": "Bearer",
        "scope": granted.scope_string(),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access,
    });
    if grant.openid.iter().any(|o| o == "openid") {
        let mut claims = json!({
            "aud": s.tenant.client_id,
            "iss": s.issuer(),
            "iat": now.timestamp(),
            "nbf": now.timestamp(),
            "exp": now.timestamp() + 3600,
            "name": a.name,
            "preferred_username": a.username,
            "oid": a.oid,
            "sub": a.oid,
            "tid": s.tenant.tenant_id,
            "ver": "2.0",
        });
        if let Some(n) = nonce {
            claims["nonce"] = json!(n);
        }
        body["id_token"] = json!(s.keys.sign(&claims));
    }
    if let Some(rt) = refresh {
        body["refresh_token"] = json!(rt);
        body["refresh_token_expires_in"] = json!(SPA_REFRESH_LIFETIME_SECS);
    }
    if f.get("client_info").map(String::as_str) == Some("1") {
        body["client_info"] = json!(b64url(
            json!({ "uid": a.oid, "utid": s.tenant.tenant_id })
                .to_string()
                .as_bytes()
        ));
    }
    body
}
