//! Runtime configuration: `config.json`, fetched next to `index.html` at start-up.
//!
//! One build serves any tenant, so nothing tenant-specific is compiled in. This module is
//! pure (no web-sys) so every rule is unit-tested natively; the browser side only fetches
//! the text and hands it to [`Config::parse`].
//!
//! ```
//! use access_desk::config::{Cloud, Config};
//! let cfg = Config::parse(r#"{
//!     "clientId": "6731de76-14a6-49ae-97bc-6eba6914391e",
//!     "tenantId": "organizations",
//!     "cloud": "global",
//!     "redirectUri": "https://admin.contoso.com/access-desk/"
//! }"#).unwrap();
//! assert_eq!(cfg.cloud, Cloud::Global);
//! assert_eq!(cfg.graph_base, "https://graph.microsoft.com");
//! ```

use std::fmt;

use crate::i18n::Msg;
use crate::ids::is_guid;

/// The national clouds the app knows, plus `custom` for a local or private endpoint
/// (the sandbox uses it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cloud {
    Global,
    UsGovL4,
    UsGovL5Dod,
    China,
}

impl Cloud {
    /// The identity platform host of this cloud.
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGovL4 | Cloud::UsGovL5Dod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The Microsoft Graph host of this cloud; scopes name it too.
    pub fn graph_host(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGovL4 => "https://graph.microsoft.us",
            Cloud::UsGovL5Dod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The name used in `config.json`.
    pub fn config_name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGovL4 => "usgov-l4",
            Cloud::UsGovL5Dod => "usgov-l5-dod",
            Cloud::China => "china",
        }
    }

    fn from_config_name(name: &str) -> Option<Cloud> {
        [
            Cloud::Global,
            Cloud::UsGovL4,
            Cloud::UsGovL5Dod,
            Cloud::China,
        ]
        .into_iter()
        .find(|c| c.config_name() == name)
    }
}

/// Which Graph version the app talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphVersion {
    V1,
    Beta,
}

impl GraphVersion {
    pub fn path(self) -> &'static str {
        match self {
            GraphVersion::V1 => "v1.0",
            GraphVersion::Beta => "beta",
        }
    }
}

/// Where tokens are kept. Session storage by default, as MSAL.js does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenStorage {
    Session,
    Memory,
    Local,
}

/// A permission beyond reading, asked for the first time the admin needs it (incremental
/// consent), never at sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Acting: the `actionScopes`, asked at the first action.
    Act,
    /// Reading the audit log: the `auditScopes`, asked at the first request trail.
    Audit,
}

impl Permission {
    /// Its name in a pending sign-in's JSON.
    pub fn code(self) -> &'static str {
        match self {
            Permission::Act => "act",
            Permission::Audit => "audit",
        }
    }

    pub fn from_code(code: &str) -> Option<Permission> {
        [Permission::Act, Permission::Audit]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// A validated configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub client_id: String,
    /// A tenant GUID, a verified domain, or `organizations`.
    pub tenant: String,
    /// The cloud whose rules apply (for `custom`, the one it stands in for).
    pub cloud: Cloud,
    /// True when the hosts were given explicitly (`"cloud": "custom"`).
    pub custom_hosts: bool,
    /// Identity platform origin, no trailing slash (`https://login.microsoftonline.com`).
    pub authority_host: String,
    /// Graph origin, no trailing slash (`https://graph.microsoft.com`).
    pub graph_base: String,
    pub graph_version: GraphVersion,
    pub redirect_uri: String,
    /// What sign-in asks for: reading (EntitlementManagement.Read.All) by default.
    pub scopes: Vec<String>,
    /// What the first action asks for, once: ReadWrite.All by default.
    pub action_scopes: Vec<String>,
    /// What the first audit trail asks for, once: AuditLog.Read.All and Directory.Read.All.
    pub audit_scopes: Vec<String>,
    /// A deployment that only looks: no action is offered, and the page says why.
    pub read_only: bool,
    pub token_storage: TokenStorage,
}

/// Every problem found in a `config.json`, so an operator fixes them in one pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// Not JSON at all, or not an object; carries serde's message (with line and column).
    Syntax(String),
    /// JSON, but not an object.
    NotAnObject,
    Missing(&'static str),
    Invalid {
        field: &'static str,
        value: String,
        /// What the field takes, as the catalog says it.
        expected: crate::i18n::Msg,
    },
    Unknown(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::i18n::{t, tf};
        let text = match self {
            ConfigError::Syntax(e) => tf(Msg::ConfigNotJson, &[("detail", e)]),
            ConfigError::NotAnObject => t(Msg::ConfigNotAnObject).to_string(),
            ConfigError::Missing(field) => tf(Msg::ConfigMissingField, &[("field", field)]),
            ConfigError::Invalid {
                field,
                value,
                expected,
            } => tf(
                Msg::ConfigInvalid,
                &[
                    ("field", field),
                    ("value", &format!("{value:?}")),
                    ("expected", t(*expected)),
                ],
            ),
            ConfigError::Unknown(field) => tf(Msg::ConfigUnknownField, &[("field", field)]),
        };
        f.write_str(&text)
    }
}

const KNOWN_FIELDS: &[&str] = &[
    "clientId",
    "tenantId",
    "cloud",
    "custom",
    "graphVersion",
    "redirectUri",
    "scopes",
    "actionScopes",
    "auditScopes",
    "readOnly",
    "tokenStorage",
];

impl Config {
    /// Parses and validates the text of `config.json`, reporting every problem found.
    pub fn parse(text: &str) -> Result<Config, Vec<ConfigError>> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| vec![ConfigError::Syntax(e.to_string())])?;
        let Some(obj) = value.as_object() else {
            return Err(vec![ConfigError::NotAnObject]);
        };
        let mut errors = Vec::new();
        for key in obj.keys() {
            if !KNOWN_FIELDS.contains(&key.as_str()) {
                errors.push(ConfigError::Unknown(key.clone()));
            }
        }
        let string = |field: &'static str, errors: &mut Vec<ConfigError>| -> Option<String> {
            match obj.get(field) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(s.trim().to_string()),
                Some(other) => {
                    errors.push(ConfigError::Invalid {
                        field,
                        value: other.to_string(),
                        expected: Msg::ConfigExpectString,
                    });
                    None
                }
            }
        };
        let required = |field: &'static str, errors: &mut Vec<ConfigError>| -> Option<String> {
            let v = string(field, errors);
            if v.is_none() && !matches!(obj.get(field), Some(x) if !x.is_null()) {
                errors.push(ConfigError::Missing(field));
            }
            v
        };

        let client_id = required("clientId", &mut errors);
        if let Some(id) = &client_id
            && !is_guid(id)
        {
            errors.push(ConfigError::Invalid {
                field: "clientId",
                value: id.clone(),
                expected: Msg::ConfigExpectClientId,
            });
        }

        let tenant = required("tenantId", &mut errors);
        if let Some(t) = &tenant
            && !is_valid_tenant(t)
        {
            errors.push(ConfigError::Invalid {
                field: "tenantId",
                value: t.clone(),
                expected: Msg::ConfigExpectTenant,
            });
        }

        let cloud_name = string("cloud", &mut errors).unwrap_or_else(|| "global".into());
        let mut custom_hosts = false;
        let mut hosts: Option<(String, String)> = None;
        let cloud = if cloud_name == "custom" {
            custom_hosts = true;
            match obj.get("custom") {
                None => {
                    errors.push(ConfigError::Missing("custom"));
                    None
                }
                Some(v) => match v.as_object() {
                    None => {
                        errors.push(ConfigError::Invalid {
                            field: "custom",
                            value: v.to_string(),
                            expected: Msg::ConfigExpectCustom,
                        });
                        None
                    }
                    Some(custom) => {
                        // Read by hand, as the top level is: a derived deserializer would
                        // add its own serde instance to the bundle. A value that is not a
                        // string is checked as its JSON text, so the error shows it.
                        let text = |key: &str| match custom.get(key) {
                            None | Some(serde_json::Value::Null) => None,
                            Some(serde_json::Value::String(s)) => Some(s.clone()),
                            Some(other) => Some(other.to_string()),
                        };
                        let authority_host = text("authorityHost");
                        let graph_host = text("graphHost");
                        let acts_as = text("actsAs");
                        let authority =
                            check_origin("custom.authorityHost", authority_host, &mut errors);
                        let graph = check_origin("custom.graphHost", graph_host, &mut errors);
                        if let (Some(a), Some(g)) = (authority, graph) {
                            check_microsoft_pairing(&a, &g, &mut errors);
                            hosts = Some((a, g));
                        }
                        match acts_as.as_deref().map(Cloud::from_config_name) {
                            Some(Some(c)) => Some(c),
                            None => {
                                errors.push(ConfigError::Missing("custom.actsAs"));
                                None
                            }
                            Some(None) => {
                                errors.push(ConfigError::Invalid {
                                    field: "custom.actsAs",
                                    value: acts_as.unwrap_or_default(),
                                    expected: Msg::ConfigExpectActsAs,
                                });
                                None
                            }
                        }
                    }
                },
            }
        } else {
            match Cloud::from_config_name(&cloud_name) {
                Some(c) => Some(c),
                None => {
                    errors.push(ConfigError::Invalid {
                        field: "cloud",
                        value: cloud_name.clone(),
                        expected: Msg::ConfigExpectCloud,
                    });
                    None
                }
            }
        };

        let graph_version = match string("graphVersion", &mut errors).as_deref() {
            None | Some("v1.0") => Some(GraphVersion::V1),
            Some("beta") => Some(GraphVersion::Beta),
            Some(other) => {
                errors.push(ConfigError::Invalid {
                    field: "graphVersion",
                    value: other.into(),
                    expected: Msg::ConfigExpectVersion,
                });
                None
            }
        };

        let redirect_uri = required("redirectUri", &mut errors);
        if let Some(uri) = &redirect_uri
            && let Err(expected) = check_redirect_uri(uri)
        {
            errors.push(ConfigError::Invalid {
                field: "redirectUri",
                value: uri.clone(),
                expected,
            });
        }

        let token_storage = match string("tokenStorage", &mut errors).as_deref() {
            None | Some("sessionStorage") => Some(TokenStorage::Session),
            Some("memory") => Some(TokenStorage::Memory),
            Some("localStorage") => Some(TokenStorage::Local),
            Some(other) => {
                errors.push(ConfigError::Invalid {
                    field: "tokenStorage",
                    value: other.into(),
                    expected: Msg::ConfigExpectStorage,
                });
                None
            }
        };

        let scopes = scope_list(obj.get("scopes"), "scopes", &mut errors);
        let action_scopes = scope_list(obj.get("actionScopes"), "actionScopes", &mut errors);
        let audit_scopes = scope_list(obj.get("auditScopes"), "auditScopes", &mut errors);
        let read_only = match obj.get("readOnly") {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(other) => {
                errors.push(ConfigError::Invalid {
                    field: "readOnly",
                    value: other.to_string(),
                    expected: Msg::ConfigExpectBool,
                });
                false
            }
        };

        // Microsoft's beta metadata for national clouds has only the legacy
        // `accessPackage…` collections, not the assignmentRequests, assignments and
        // catalogs the app reads (shared/reference/graph-metadata.md).
        if let (Some(c), Some(GraphVersion::Beta)) = (cloud, graph_version)
            && c != Cloud::Global
        {
            errors.push(ConfigError::Invalid {
                field: "graphVersion",
                value: "beta".into(),
                expected: Msg::ConfigExpectVersionNational,
            });
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        // Every Option below is Some: each None pushed an error above.
        let cloud = cloud.expect("validated");
        let (authority_host, graph_base) = hosts.unwrap_or_else(|| {
            (
                cloud.authority_host().to_string(),
                cloud.graph_host().to_string(),
            )
        });
        let scopes = scopes.unwrap_or_else(|| default_scopes(cloud));
        let action_scopes = action_scopes.unwrap_or_else(|| default_action_scopes(cloud));
        let audit_scopes = audit_scopes.unwrap_or_else(|| default_audit_scopes(cloud));
        Ok(Config {
            client_id: client_id.expect("validated").to_ascii_lowercase(),
            tenant: tenant.expect("validated"),
            cloud,
            custom_hosts,
            authority_host,
            graph_base,
            graph_version: graph_version.expect("validated"),
            redirect_uri: redirect_uri.expect("validated"),
            scopes,
            action_scopes,
            audit_scopes,
            read_only,
            token_storage: token_storage.expect("validated"),
        })
    }

    /// The authority URL MSAL would use: `{host}/{tenant}`.
    pub fn authority(&self) -> String {
        format!("{}/{}", self.authority_host, self.tenant)
    }

    /// The scopes that `permission` asks for.
    pub fn scopes_for(&self, permission: Permission) -> &[String] {
        match permission {
            Permission::Act => &self.action_scopes,
            Permission::Audit => &self.audit_scopes,
        }
    }

    /// The OpenID discovery document of the configured authority.
    pub fn discovery_url(&self) -> String {
        format!("{}/v2.0/.well-known/openid-configuration", self.authority())
    }
}

/// Least privilege at sign-in: reading is all browsing needs (Microsoft documents
/// EntitlementManagement.Read.All as the least-privileged permission of every read the
/// app makes), named on the cloud's own Graph host (tokens are not interchangeable
/// between clouds), plus OpenID scopes.
pub fn default_scopes(cloud: Cloud) -> Vec<String> {
    vec![
        format!("{}/EntitlementManagement.Read.All", cloud.graph_host()),
        "openid".into(),
        "profile".into(),
        "offline_access".into(),
    ]
}

/// What acting needs, asked for at the first action: ReadWrite.All on the same host.
pub fn default_action_scopes(cloud: Cloud) -> Vec<String> {
    vec![format!(
        "{}/EntitlementManagement.ReadWrite.All",
        cloud.graph_host()
    )]
}

/// What reading the audit log needs, asked for when the admin first opens a request's
/// trail: Microsoft's list of directoryAudits names both permissions as its least
/// privilege (delegated), on the cloud's Graph host.
pub fn default_audit_scopes(cloud: Cloud) -> Vec<String> {
    ["AuditLog.Read.All", "Directory.Read.All"]
        .map(|p| format!("{}/{p}", cloud.graph_host()))
        .to_vec()
}

/// A list of scope strings (`scopes`, `actionScopes`, `auditScopes`); None when absent or invalid (the
/// error is pushed).
fn scope_list(
    value: Option<&serde_json::Value>,
    field: &'static str,
    errors: &mut Vec<ConfigError>,
) -> Option<Vec<String>> {
    match value {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(s) if !s.trim().is_empty() && !s.contains(char::is_whitespace) => {
                        out.push(s.to_string())
                    }
                    _ => errors.push(ConfigError::Invalid {
                        field,
                        value: item.to_string(),
                        expected: Msg::ConfigExpectScopeNoSpaces,
                    }),
                }
            }
            Some(out)
        }
        Some(other) => {
            errors.push(ConfigError::Invalid {
                field,
                value: other.to_string(),
                expected: Msg::ConfigExpectScopes,
            });
            None
        }
    }
}

fn is_valid_tenant(t: &str) -> bool {
    if is_guid(t) || t == "organizations" {
        return true;
    }
    // A verified domain: labels of letters, digits and hyphens, at least one dot.
    let labels: Vec<&str> = t.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Microsoft's identity platform hosts, by cloud (every alias of MSAL's cloud instance
/// metadata), with the Microsoft Graph hosts of that cloud.
const MICROSOFT_CLOUDS: [(&[&str], &[&str]); 3] = [
    (
        &[
            "login.microsoftonline.com",
            "login.microsoft.com",
            "login.windows.net",
            "sts.windows.net",
        ],
        &["graph.microsoft.com"],
    ),
    (
        &[
            "login.microsoftonline.us",
            "login.usgovcloudapi.net",
            "login-us.microsoftonline.com",
        ],
        &["graph.microsoft.us", "dod-graph.microsoft.us"],
    ),
    (
        &["login.chinacloudapi.cn", "login.partner.microsoftonline.cn"],
        &["microsoftgraph.chinacloudapi.cn"],
    ),
];

/// A `custom` block must not pair a real identity platform with another Graph (its real
/// tokens would go there), nor real Graph with another identity platform. Origins are
/// already validated; hosts compare without case.
fn check_microsoft_pairing(authority: &str, graph: &str, errors: &mut Vec<ConfigError>) {
    let host = |origin: &str| {
        split_http_url(origin)
            .map(|u| u.host.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let (a, g) = (host(authority), host(graph));
    let cloud = MICROSOFT_CLOUDS
        .iter()
        .find(|(logins, _)| logins.contains(&a.as_str()));
    let microsoft_graph = MICROSOFT_CLOUDS
        .iter()
        .any(|(_, graphs)| graphs.contains(&g.as_str()));
    match cloud {
        Some((_, graphs)) if !graphs.contains(&g.as_str()) => errors.push(ConfigError::Invalid {
            field: "custom.graphHost",
            value: graph.to_string(),
            expected: Msg::ConfigGraphOfAuthority,
        }),
        None if microsoft_graph => errors.push(ConfigError::Invalid {
            field: "custom.authorityHost",
            value: authority.to_string(),
            expected: Msg::ConfigAuthorityOfGraph,
        }),
        _ => {}
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost" || host == "127.0.0.1" || host == "[::1]"
}

/// The parts of an absolute http(s) URL that validation needs.
#[derive(Debug, PartialEq, Eq)]
struct HttpUrl<'a> {
    secure: bool,
    host: &'a str,
    path: &'a str,
    has_query: bool,
    has_fragment: bool,
}

/// Splits an absolute `http(s)://host[:port][/path][?query][#fragment]` URL, strictly:
/// no user info, a host of letters, digits, dots and hyphens (or a bracketed IPv6
/// literal), a numeric port. Kept here rather than pulling a URL crate (and its Unicode
/// tables) into the wasm.
fn split_http_url(s: &str) -> Option<HttpUrl<'_>> {
    let (secure, rest) = if let Some(r) = s.strip_prefix("https://") {
        (true, r)
    } else {
        (false, s.strip_prefix("http://")?)
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (inner, after) = v6.split_once(']')?;
            if inner.is_empty() || !inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
                return None;
            }
            (&authority[..inner.len() + 2], after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let host_ok = host.starts_with('[')
        || (!host.is_empty()
            && host.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }));
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()));
    if !host_ok || !port_ok {
        return None;
    }
    let (before_fragment, fragment) = match tail.split_once('#') {
        Some((b, _)) => (b, true),
        None => (tail, false),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, _)) => (p, true),
        None => (before_fragment, false),
    };
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some(HttpUrl {
        secure,
        host,
        path,
        has_query: query,
        has_fragment: fragment,
    })
}

/// https, or http to this machine.
fn is_secure_enough(u: &HttpUrl<'_>) -> bool {
    u.secure || is_loopback_host(u.host)
}

/// An origin (`scheme://host[:port]`), https unless it is on this machine.
fn check_origin(
    field: &'static str,
    value: Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<String> {
    let Some(value) = value else {
        errors.push(ConfigError::Missing(field));
        return None;
    };
    let trimmed = value.trim_end_matches('/').to_string();
    let ok = split_http_url(&trimmed).is_some_and(|u| {
        is_secure_enough(&u) && u.path.is_empty() && !u.has_query && !u.has_fragment
    });
    if ok {
        Some(trimmed)
    } else {
        errors.push(ConfigError::Invalid {
            field,
            value,
            expected: Msg::ConfigExpectOrigin,
        });
        None
    }
}

/// The identity platform accepts https redirect URIs, and http only for localhost.
fn check_redirect_uri(uri: &str) -> Result<(), Msg> {
    match split_http_url(uri) {
        Some(u) if is_secure_enough(&u) && !u.has_fragment => Ok(()),
        _ => Err(Msg::ConfigExpectRedirect),
    }
}

#[cfg(test)]
mod tests;
