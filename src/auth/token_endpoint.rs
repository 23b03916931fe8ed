//! The identity platform's token endpoint: the authorization code grant with its PKCE
//! verifier (RFC 6749 §4.1.3, RFC 7636 §4.5) and the refresh grant (RFC 6749 §6).
//!
//! The values are oauth2's types and the answer becomes oauth2's `StandardTokenResponse`,
//! but the POST is written here: oauth2's `request_async` goes through the `http` crate and
//! a path-tracking JSON parser instantiated per response type, ~30 KB gzip of wasm for two
//! form posts, and the first-visit gate has to hold every language. The form is the one
//! oauth2 sends for a public client (no secret: `client_id` in the body).

use std::time::Duration;

use oauth2::basic::BasicTokenType;
use oauth2::{AccessToken, AuthorizationCode, ClientId, PkceCodeVerifier, RefreshToken, Scope};
use serde_json::Value;

use super::protocol::{PlatformError, PlatformFields, PlatformTokenResponse};

/// What is exchanged for tokens.
pub enum Grant<'a> {
    /// The code the redirect brought, with the verifier of the attempt that asked for it.
    Code {
        code: &'a AuthorizationCode,
        verifier: &'a PkceCodeVerifier,
        /// Where the platform sent the browser back, as registered (and in the authorize
        /// request).
        redirect_uri: &'a str,
    },
    /// A refresh token, for these scopes.
    Refresh {
        token: &'a RefreshToken,
        scopes: &'a [Scope],
    },
}

/// The `application/x-www-form-urlencoded` body of the token request.
///
/// ```
/// use access_desk::auth::token_endpoint::{Grant, form};
/// use oauth2::{ClientId, RefreshToken, Scope};
///
/// let token = RefreshToken::new("r/1+".into());
/// let scopes = [Scope::new("User.Read".into()), Scope::new("offline_access".into())];
/// assert_eq!(
///     form(&Grant::Refresh { token: &token, scopes: &scopes }, &ClientId::new("app".into())),
///     "grant_type=refresh_token&refresh_token=r%2F1%2B&scope=User.Read+offline_access&client_id=app",
/// );
/// ```
pub fn form(grant: &Grant, client_id: &ClientId) -> String {
    let mut body = form_urlencoded::Serializer::new(String::new());
    match grant {
        Grant::Code {
            code,
            verifier,
            redirect_uri,
        } => {
            body.append_pair("grant_type", "authorization_code")
                .append_pair("code", code.secret())
                .append_pair("code_verifier", verifier.secret())
                .append_pair("redirect_uri", redirect_uri);
        }
        Grant::Refresh { token, scopes } => {
            body.append_pair("grant_type", "refresh_token")
                .append_pair("refresh_token", token.secret());
            if !scopes.is_empty() {
                let joined: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
                body.append_pair("scope", &joined.join(" "));
            }
        }
    }
    body.append_pair("client_id", client_id).finish()
}

/// Why the token endpoint's answer gave no tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The platform's own error (`invalid_grant`, …) with its ids.
    Platform(Box<PlatformError>),
    /// Not a token response nor an error the platform writes (a proxy's page, a token
    /// type other than Bearer): the HTTP status it came with.
    Unexpected(u16),
    /// No answer: the network, or CORS (the app's origin not registered as a SPA
    /// redirect URI).
    Network(String),
}

/// Reads the token endpoint's answer: a token response on 2xx, the platform's error
/// otherwise (RFC 6749 §5.1 and §5.2).
pub fn read_answer(status: u16, body: &str) -> Result<PlatformTokenResponse, Refusal> {
    let unexpected = Refusal::Unexpected(status);
    let json: Value = serde_json::from_str(body).map_err(|_| unexpected.clone())?;
    if !(200..300).contains(&status) {
        return Err(PlatformError::from_json(&json)
            .map(|p| Refusal::Platform(Box::new(p)))
            .unwrap_or(unexpected));
    }
    let text = |key: &str| json[key].as_str().map(str::to_string);
    let access_token = text("access_token").ok_or_else(|| unexpected.clone())?;
    // Graph takes bearer tokens only; the type is case-insensitive (RFC 6749 §5.1).
    if !json["token_type"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
    {
        return Err(unexpected);
    }
    let mut response = PlatformTokenResponse::new(
        AccessToken::new(access_token),
        BasicTokenType::Bearer,
        PlatformFields {
            id_token: text("id_token"),
        },
    );
    // A number; the platform's older endpoints wrote it as a string of digits.
    let expires_in = json["expires_in"]
        .as_u64()
        .or_else(|| json["expires_in"].as_str()?.parse().ok());
    response.set_expires_in(expires_in.map(Duration::from_secs).as_ref());
    response.set_refresh_token(text("refresh_token").map(RefreshToken::new));
    response.set_scopes(
        text("scope").map(|s| s.split_whitespace().map(|s| Scope::new(s.into())).collect()),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oauth2::TokenResponse;

    #[test]
    fn the_code_grant_sends_the_code_its_verifier_and_the_redirect_uri() {
        let code = AuthorizationCode::new("0.AX&b=c".into());
        let verifier = PkceCodeVerifier::new("v".repeat(43));
        let body = form(
            &Grant::Code {
                code: &code,
                verifier: &verifier,
                redirect_uri: "https://desk.example/app/",
            },
            &ClientId::new("11111111-2222-3333-4444-555555555555".into()),
        );
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("grant_type"), Some("authorization_code"));
        assert_eq!(get("code"), Some("0.AX&b=c"), "the code survives encoding");
        assert_eq!(get("code_verifier"), Some("v".repeat(43).as_str()));
        assert_eq!(get("redirect_uri"), Some("https://desk.example/app/"));
        assert_eq!(
            get("client_id"),
            Some("11111111-2222-3333-4444-555555555555")
        );
        assert_eq!(get("scope"), None, "scopes were granted with the code");
        assert_eq!(pairs.len(), 5);
    }

    #[test]
    fn a_refresh_without_scopes_sends_no_scope() {
        let token = RefreshToken::new("r".into());
        let body = form(
            &Grant::Refresh {
                token: &token,
                scopes: &[],
            },
            &ClientId::new("app".into()),
        );
        assert_eq!(
            body,
            "grant_type=refresh_token&refresh_token=r&client_id=app"
        );
    }

    #[test]
    fn a_token_response_keeps_every_token_and_its_lifetime() {
        let r = read_answer(
            200,
            r#"{"token_type":"Bearer","scope":"User.Read EntitlementManagement.ReadWrite.All",
                "expires_in":4784,"ext_expires_in":4784,"access_token":"at",
                "refresh_token":"rt","id_token":"it"}"#,
        )
        .unwrap();
        assert_eq!(r.access_token().secret(), "at");
        assert_eq!(r.refresh_token().map(|t| t.secret().as_str()), Some("rt"));
        assert_eq!(r.extra_fields().id_token.as_deref(), Some("it"));
        assert_eq!(r.expires_in(), Some(Duration::from_secs(4784)));
        assert_eq!(
            r.scopes().map(|s| s.len()),
            Some(2),
            "the granted scopes, split"
        );
    }

    #[test]
    fn a_refresh_answer_may_leave_out_the_refresh_and_id_tokens() {
        let r = read_answer(
            200,
            r#"{"token_type":"bearer","expires_in":"3599","access_token":"at"}"#,
        )
        .unwrap();
        assert!(r.refresh_token().is_none());
        assert_eq!(r.extra_fields().id_token, None);
        assert_eq!(
            r.expires_in(),
            Some(Duration::from_secs(3599)),
            "a lifetime written as a string"
        );
    }

    #[test]
    fn the_platforms_error_comes_back_with_its_ids() {
        let e = read_answer(
            400,
            r#"{"error":"invalid_grant","error_description":"AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00.\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: 2026-11-30 10:00:00Z",
                "error_codes":[700084],"timestamp":"2026-11-30 10:00:00Z","trace_id":"t","correlation_id":"c"}"#,
        )
        .unwrap_err();
        let Refusal::Platform(p) = e else {
            panic!("{e:?}")
        };
        assert!(p.needs_interaction());
        assert_eq!(p.code(), Some(700084));
        assert_eq!(p.trace_id.as_deref(), Some("t"));
        assert_eq!(p.correlation_id.as_deref(), Some("c"));
    }

    #[test]
    fn anything_else_is_unexpected_with_its_status() {
        assert_eq!(
            read_answer(502, "<html>Bad gateway</html>").unwrap_err(),
            Refusal::Unexpected(502)
        );
        assert_eq!(
            read_answer(500, r#"{"message":"no"}"#).unwrap_err(),
            Refusal::Unexpected(500),
            "JSON without the platform's error field"
        );
        assert_eq!(
            read_answer(200, r#"{"token_type":"pop","access_token":"at"}"#).unwrap_err(),
            Refusal::Unexpected(200),
            "a token Graph would not take as a bearer token"
        );
        assert_eq!(
            read_answer(200, r#"{"token_type":"Bearer"}"#).unwrap_err(),
            Refusal::Unexpected(200),
            "no access token"
        );
    }
}
