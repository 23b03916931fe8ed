//! Microsoft identity platform v2.0 endpoints under `/{tenant}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use serde_json::json;

use crate::Shared;

pub fn routes() -> Router<Shared> {
    Router::new().route(
        "/{tenant}/v2.0/.well-known/openid-configuration",
        get(discovery),
    )
}

/// Tenants this sandbox answers for: its GUID and `organizations`, like a work-account app.
fn known_tenant(s: &Shared, tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case(&s.tenant.tenant_id) || tenant == "organizations"
}

async fn discovery(State(s): State<Shared>, Path(tenant): Path<String>) -> Response {
    if !known_tenant(&s, &tenant) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "error": "invalid_tenant",
                "error_description": format!("AADSTS90002: Tenant '{tenant}' not found."),
                "error_codes": [90002],
            })),
        )
            .into_response();
    }
    let base = format!("{}/{}", s.issuer_origin, tenant);
    let issuer = format!("{}/{}/v2.0", s.issuer_origin, s.tenant.tenant_id);
    let mut resp = Json(json!({
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
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
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
        "code_challenge_methods_supported": ["S256"],
    }))
    .into_response();
    // The discovery document is public; any origin may read it (as the real one allows).
    resp.headers_mut().insert(
        "access-control-allow-origin",
        "*".parse().expect("static header"),
    );
    resp
}
