//! The typed Microsoft Graph client: URLs for the configured cloud and version, bearer
//! tokens from [`crate::auth::Auth`], and Graph errors.

pub mod error;
pub mod filter;
pub mod models;

use gloo_net::http::Request;

use crate::auth::{Auth, AuthError};
use crate::config::{Config, GraphVersion};
pub use error::GraphError;

/// Why a Graph call did not give an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphFailure {
    Auth(AuthError),
    Graph(GraphError),
    Network(String),
}

/// `{graph}/{version}/identityGovernance/entitlementManagement/{path}`.
pub fn em_url(config: &Config, path: &str) -> String {
    format!(
        "{}/{}/identityGovernance/entitlementManagement/{path}",
        config.graph_base,
        config.graph_version.path()
    )
}

/// The catalogs collection's name in each version.
pub fn catalogs_path(v: GraphVersion) -> &'static str {
    match v {
        GraphVersion::V1 => "catalogs",
        GraphVersion::Beta => "accessPackageCatalogs",
    }
}

/// GETs JSON with a bearer token. A 401 means the cached token is no longer accepted:
/// it is renewed once and the call repeated.
pub async fn get_json(auth: &Auth, url: &str) -> Result<serde_json::Value, GraphFailure> {
    let mut renewed = false;
    loop {
        let token = auth
            .acquire_token_silent()
            .await
            .map_err(GraphFailure::Auth)?;
        let resp = Request::get(url)
            .header("Authorization", &format!("Bearer {token}"))
            .send()
            .await
            .map_err(|e| GraphFailure::Network(e.to_string()))?;
        let status = resp.status();
        if status == 401 && !renewed {
            auth.invalidate_access_token();
            renewed = true;
            continue;
        }
        let request_id = resp.headers().get("request-id");
        let text = resp
            .text()
            .await
            .map_err(|e| GraphFailure::Network(e.to_string()))?;
        if (200..300).contains(&status) {
            return serde_json::from_str(&text).map_err(|e| GraphFailure::Network(e.to_string()));
        }
        return Err(GraphFailure::Graph(GraphError::from_response(
            status, &text, request_id,
        )));
    }
}
