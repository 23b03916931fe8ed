//! The token cache entry and its expiry arithmetic (pure, tested natively).

use std::fmt;

use oauth2::TokenResponse;
use serde_json::{Value, json};

use super::protocol::{Account, PlatformTokenResponse, REDACTED};
use crate::config::Config;

/// Renew this long before expiry at most (MSAL.js's default renewal offset).
pub const REFRESH_AHEAD_SECS: f64 = 300.0;

/// Where every build keeps token sets: this prefix, then what the set belongs to.
pub const TOKENS_PREFIX: &str = "access-desk.tokens.";

/// The cache key of the configured app's token set: authority host, tenant and client,
/// so two configurations on one origin (another tenant, another cloud, a sandbox) never
/// read each other's tokens. Lower case: hosts, GUIDs and domains are case-insensitive.
pub fn cache_key(config: &Config) -> String {
    format!(
        "{TOKENS_PREFIX}{}|{}|{}",
        config.authority_host, config.tenant, config.client_id
    )
    .to_ascii_lowercase()
}

/// The key builds before [`cache_key`] used (the client id only). Its entry may belong to
/// any authority or tenant, so it is dropped, never read: whoever was signed in with an
/// earlier build signs in once more.
pub fn legacy_cache_key(config: &Config) -> String {
    format!("{TOKENS_PREFIX}{}", config.client_id)
}

/// What the cache keeps for the signed-in account. Its JSON is written and read by hand
/// (`to_json`, `from_json`): derived serde code would add its own parser instance to the
/// bundle.
#[derive(Clone, PartialEq)]
pub struct TokenSet {
    pub access_token: String,
    /// Seconds since the epoch, by the browser's clock.
    pub issued_at: f64,
    pub expires_at: f64,
    pub refresh_token: Option<String>,
    pub account: Account,
}

/// An access token for the action scopes (ReadWrite.All), obtained at the first action and
/// kept in the page's memory only (`auth`'s `ACTION_TOKEN`).
#[derive(Clone, PartialEq)]
pub struct ActionToken {
    pub access_token: String,
    pub issued_at: f64,
    pub expires_at: f64,
}

impl ActionToken {
    /// From a token response for the action scopes.
    pub fn from_response(resp: &PlatformTokenResponse, now_secs: f64) -> ActionToken {
        let lifetime = resp.expires_in().map(|d| d.as_secs_f64()).unwrap_or(3600.0);
        ActionToken {
            access_token: resp.access_token().secret().clone(),
            issued_at: now_secs,
            expires_at: now_secs + lifetime,
        }
    }

    /// True while it can be used without renewal (the same rule as the read token's).
    pub fn is_fresh(&self, now_secs: f64) -> bool {
        now_secs < renew_at(self.issued_at, self.expires_at)
    }
}

/// When to renew a token: five minutes before expiry, or half-way for short-lived ones.
fn renew_at(issued_at: f64, expires_at: f64) -> f64 {
    let lifetime = (expires_at - issued_at).max(0.0);
    expires_at - REFRESH_AHEAD_SECS.min(lifetime / 2.0)
}

/// Never print a token, even in a debug log.
impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &REDACTED)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| REDACTED),
            )
            .field("account", &self.account.username)
            .finish()
    }
}

impl TokenSet {
    /// The JSON kept in the token cache.
    pub fn to_json(&self) -> String {
        json!({
            "access_token": self.access_token,
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
            "refresh_token": self.refresh_token,
            "account": self.account.to_json(),
        })
        .to_string()
    }

    /// Reads [`TokenSet::to_json`]'s JSON; None when anything is missing or mistyped (the
    /// entry is then ignored and the admin signs in again).
    pub fn from_json(text: &str) -> Option<TokenSet> {
        let v: Value = serde_json::from_str(text).ok()?;
        Some(TokenSet {
            access_token: v["access_token"].as_str()?.to_string(),
            issued_at: v["issued_at"].as_f64()?,
            expires_at: v["expires_at"].as_f64()?,
            refresh_token: match &v["refresh_token"] {
                Value::Null => None,
                Value::String(r) => Some(r.clone()),
                _ => return None,
            },
            account: Account::from_json(&v["account"])?,
        })
    }

    /// From a token response; a refresh response without a new refresh token keeps the old one.
    pub fn from_response(
        resp: &PlatformTokenResponse,
        account: Account,
        previous_refresh: Option<String>,
        now_secs: f64,
    ) -> TokenSet {
        let lifetime = resp.expires_in().map(|d| d.as_secs_f64()).unwrap_or(3600.0);
        TokenSet {
            access_token: resp.access_token().secret().clone(),
            issued_at: now_secs,
            expires_at: now_secs + lifetime,
            refresh_token: resp
                .refresh_token()
                .map(|r| r.secret().clone())
                .or(previous_refresh),
            account,
        }
    }

    /// When to renew: five minutes before expiry, or half-way for short-lived tokens.
    pub fn renew_at(&self) -> f64 {
        renew_at(self.issued_at, self.expires_at)
    }

    /// True while the access token can be used without renewal.
    pub fn is_fresh(&self, now_secs: f64) -> bool {
        now_secs < self.renew_at()
    }

    /// Marks the access token unusable (Graph answered 401), keeping the refresh token.
    pub fn expire(&mut self) {
        self.issued_at = 0.0;
        self.expires_at = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(issued: f64, lifetime: f64) -> TokenSet {
        TokenSet {
            access_token: "secret-access".into(),
            issued_at: issued,
            expires_at: issued + lifetime,
            refresh_token: Some("secret-refresh".into()),
            account: Account {
                name: "A".into(),
                username: "a@contoso.com".into(),
                tenant_id: "t".into(),
                object_id: "o".into(),
            },
        }
    }

    #[test]
    fn an_hour_token_is_renewed_five_minutes_before_expiry() {
        let s = set(1000.0, 3600.0);
        assert!(s.is_fresh(1000.0));
        assert!(s.is_fresh(1000.0 + 3600.0 - 300.0 - 0.001));
        assert!(!s.is_fresh(1000.0 + 3600.0 - 300.0));
        assert!(!s.is_fresh(1000.0 + 3600.0 + 1.0));
    }

    #[test]
    fn a_short_lived_token_is_renewed_half_way() {
        let s = set(0.0, 60.0);
        assert!(s.is_fresh(29.9));
        assert!(!s.is_fresh(30.0));
    }

    #[test]
    fn expire_forces_renewal_and_keeps_the_refresh_token() {
        let mut s = set(0.0, 3600.0);
        s.expire();
        assert!(!s.is_fresh(1.0));
        assert!(s.refresh_token.is_some());
    }

    #[test]
    fn debug_output_never_contains_a_token() {
        let text = format!("{:?}", set(0.0, 10.0));
        assert!(
            !text.contains("secret-access") && !text.contains("secret-refresh"),
            "{text}"
        );
        assert!(text.contains("[redacted]"), "{text}");
    }

    fn config(authority: &str, tenant: &str, client: &str) -> Config {
        Config::parse(
            &json!({
                "clientId": client,
                "tenantId": tenant,
                "cloud": "custom",
                "custom": { "authorityHost": authority, "graphHost": authority, "actsAs": "global" },
                "redirectUri": "http://127.0.0.1:8080/"
            })
            .to_string(),
        )
        .unwrap()
    }

    #[test]
    fn the_cache_key_names_authority_tenant_and_client() {
        const CLIENT: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";
        const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        let base = config("http://127.0.0.1:8081", TENANT, CLIENT);
        let key = cache_key(&base);
        assert_eq!(
            key,
            format!("access-desk.tokens.http://127.0.0.1:8081|{TENANT}|{CLIENT}")
        );
        for other in [
            config("http://127.0.0.1:9091", TENANT, CLIENT),
            config("http://127.0.0.1:8081", "organizations", CLIENT),
            config(
                "http://127.0.0.1:8081",
                TENANT,
                "0e60f18c-b2a0-4887-9da8-da2e30a39d99",
            ),
        ] {
            assert_ne!(cache_key(&other), key, "{other:?}");
        }
        // The same configuration written with other letter cases shares its tokens.
        assert_eq!(
            cache_key(&config(
                "https://Login.Contoso.com",
                "Contoso.onmicrosoft.com",
                CLIENT
            )),
            cache_key(&config(
                "https://login.contoso.com",
                "contoso.onmicrosoft.com",
                CLIENT
            ))
        );
        // Earlier builds' key is another key, never read as this one.
        assert_eq!(
            legacy_cache_key(&base),
            format!("access-desk.tokens.{CLIENT}")
        );
        assert_ne!(legacy_cache_key(&base), key);
        assert!(key.starts_with(TOKENS_PREFIX));
    }

    #[test]
    fn the_cache_entry_round_trips_and_reads_what_earlier_builds_stored() {
        let mut original = set(1_700_000_000.5, 3600.0);
        assert_eq!(
            TokenSet::from_json(&original.to_json()),
            Some(original.clone())
        );
        original.refresh_token = None;
        assert_eq!(TokenSet::from_json(&original.to_json()), Some(original));
        // Written by the serde-derived code of earlier builds: a signed-in admin stays
        // signed in across the upgrade.
        let earlier = r#"{"access_token":"at","issued_at":10.0,"expires_at":3610.0,"refresh_token":"rt","account":{"name":"N","username":"u@x","tenant_id":"t","object_id":"o"}}"#;
        let read = TokenSet::from_json(earlier).expect("earlier entry");
        assert_eq!(
            (read.access_token.as_str(), read.expires_at),
            ("at", 3610.0)
        );
        assert_eq!(read.refresh_token.as_deref(), Some("rt"));
        assert_eq!(read.account.username, "u@x");
    }

    #[test]
    fn a_damaged_cache_entry_is_ignored_not_half_read() {
        for bad in [
            "",
            "not json",
            r#"{"access_token":"at","issued_at":10,"expires_at":20,"account":{}}"#,
            r#"{"access_token":1,"issued_at":10,"expires_at":20,"account":{"name":"N","username":"u","tenant_id":"t","object_id":"o"}}"#,
            r#"{"access_token":"at","issued_at":"10","expires_at":20,"account":{"name":"N","username":"u","tenant_id":"t","object_id":"o"}}"#,
            r#"{"access_token":"at","issued_at":10,"expires_at":20,"refresh_token":5,"account":{"name":"N","username":"u","tenant_id":"t","object_id":"o"}}"#,
        ] {
            assert_eq!(TokenSet::from_json(bad), None, "{bad}");
        }
    }
}
