//! Contract: the Microsoft identity platform v2.0 endpoints, as a single-page app uses them.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::*;
use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, LOCATION, ORIGIN};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde_json::{Value, json};
use sha2::Sha256;

fn claims(jwt: &str) -> Value {
    serde_json::from_slice(&B64.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

fn assert_aad_error(body: &Value, error: &str, code: u64) {
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"][0], code, "{body}");
    let d = body["error_description"].as_str().unwrap();
    assert!(d.starts_with(&format!("AADSTS{code}:")), "{d}");
    for key in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[key].is_string(), "{key} in {body}");
    }
    assert!(
        d.contains("Trace ID:") && d.contains("Correlation ID:"),
        "{d}"
    );
}

#[tokio::test]
async fn tokens_are_rs256_signed_with_the_published_key_and_carry_the_documented_claims() {
    let r = start(&[]).await;
    let tokens = r.sign_in("admin@").await;
    let jwks = fetch_json(&r.http, &format!("{}/discovery/v2.0/keys", r.authority())).await;
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["use"].as_str()),
        (Some("RSA"), Some("sig"))
    );
    // Verify with a key built only from the JWKS, independently of the sandbox's code.
    let n = BigUint::from_bytes_be(&B64.decode(key["n"].as_str().unwrap()).unwrap());
    let e = BigUint::from_bytes_be(&B64.decode(key["e"].as_str().unwrap()).unwrap());
    let verifier = VerifyingKey::<Sha256>::new(RsaPublicKey::new(n, e).unwrap());
    for jwt in [&tokens["access_token"], &tokens["id_token"]] {
        let jwt = jwt.as_str().unwrap();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let sig = Signature::try_from(B64.decode(sig).unwrap().as_slice()).unwrap();
        verifier.verify(input.as_bytes(), &sig).expect("signature");
        let header: Value =
            serde_json::from_slice(&B64.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["kid"], key["kid"]);
    }
    let access = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(access["aud"], "https://graph.microsoft.com");
    assert_eq!(access["tid"], r.tenant_id.as_str());
    assert_eq!(access["iss"], format!("{}/v2.0", r.authority()));
    // Every permission the administrator consented to, as Entra issues Graph tokens.
    assert_eq!(
        access["scp"],
        "EntitlementManagement.Read.All EntitlementManagement.ReadWrite.All User.Read"
    );
    assert!(
        access["oid"].is_string()
            && access["exp"].as_i64().unwrap() > access["iat"].as_i64().unwrap()
    );
    // Each token its own identifier (`uti`): signed in again on the same sandbox clock,
    // the same account gets another access token, not the same bytes (MSAL's forced
    // renewal checks it got a new one).
    let again = claims(r.sign_in("admin@").await["access_token"].as_str().unwrap());
    assert!(access["uti"].is_string());
    assert_eq!(again["iat"], access["iat"]);
    assert_ne!(again["uti"], access["uti"]);
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], r.client_id.as_str());
    assert_eq!(id["nonce"], "no-456");
    assert_eq!(id["preferred_username"], username(&r, "admin@"));
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["refresh_token"].is_string());
    let client_info: Value =
        serde_json::from_slice(&B64.decode(tokens["client_info"].as_str().unwrap()).unwrap())
            .unwrap();
    assert_eq!(client_info["utid"], r.tenant_id.as_str());
}

#[tokio::test]
async fn authorize_refuses_unknown_clients_and_unregistered_redirects_on_a_page() {
    let r = start(&[]).await;
    let resp = r
        .http
        .get(r.authorize_url(&[("client_id", Some("00000000-0000-0000-0000-000000000001"))]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("AADSTS700016"));
    let resp = r
        .http
        .get(r.authorize_url(&[("redirect_uri", Some("https://evil.example/"))]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "no redirect to an unregistered URI");
    assert!(resp.headers().get(LOCATION).is_none());
    assert!(resp.text().await.unwrap().contains("AADSTS50011"));
}

#[tokio::test]
async fn authorize_errors_go_back_to_the_app_with_state_in_the_requested_mode() {
    let r = start(&[]).await;
    type Overrides<'a> = Vec<(&'a str, Option<&'a str>)>;
    let cases: Vec<(Overrides, &str, &str)> = vec![
        (
            vec![("code_challenge", None)],
            "invalid_request",
            "AADSTS9002325",
        ),
        (
            vec![("code_challenge_method", Some("plain"))],
            "invalid_request",
            "AADSTS9002325",
        ),
        (
            vec![("code_challenge_method", None)],
            "invalid_request",
            "AADSTS9002325",
        ),
        (
            vec![("response_type", Some("token"))],
            "unsupported_response_type",
            "AADSTS700054",
        ),
        (vec![("scope", None)], "invalid_request", "AADSTS900144"),
        (
            vec![(
                "scope",
                Some("https://graph.microsoft.us/EntitlementManagement.ReadWrite.All"),
            )],
            "invalid_resource",
            "AADSTS500011",
        ),
        (
            vec![("prompt", Some("none"))],
            "login_required",
            "AADSTS50058",
        ),
    ];
    for (overrides, error, code) in cases {
        let resp = r
            .http
            .get(r.authorize_url(&overrides))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 302, "{overrides:?}");
        let loc = resp.headers()[LOCATION].to_str().unwrap().to_string();
        assert!(loc.starts_with(REDIRECT), "{loc}");
        let p = params(&loc);
        assert_eq!(p["error"], error, "{overrides:?}");
        assert!(
            p["error_description"].starts_with(code),
            "{overrides:?}: {}",
            p["error_description"]
        );
        assert_eq!(p["state"], "st-123");
    }
    let resp = r
        .http
        .get(r.authorize_url(&[
            ("response_mode", Some("fragment")),
            ("code_challenge", None),
        ]))
        .send()
        .await
        .unwrap();
    let loc = resp.headers()[LOCATION].to_str().unwrap();
    assert!(loc.starts_with(&format!("{REDIRECT}#error=")), "{loc}");
    let resp = r
        .http
        .get(r.authorize_url(&[("state", None)]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        params(resp.headers()[LOCATION].to_str().unwrap())["error"],
        "invalid_request"
    );
}

#[tokio::test]
async fn the_sign_in_page_lists_every_demo_account_and_returns_code_and_state() {
    let r = start(&[]).await;
    let html = r
        .http
        .get(r.authorize_url(&[]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for a in r.info["accounts"].as_array().unwrap() {
        assert!(html.contains(a["username"].as_str().unwrap()), "{a}");
    }
    let loc = r
        .pick_account(
            &r.authorize_url(&[("response_mode", Some("fragment"))]),
            "manager@",
        )
        .await;
    assert!(loc.starts_with(&format!("{REDIRECT}#code=")), "{loc}");
    assert_eq!(params(&loc)["state"], "st-123");
}

#[tokio::test]
async fn a_personal_account_and_a_cancelled_sign_in_come_back_as_errors() {
    let r = start(&[]).await;
    let loc = r
        .pick_account(&r.authorize_url(&[]), "someone@outlook")
        .await;
    let p = params(&loc);
    assert!(p["error_description"].starts_with("AADSTS50020"), "{p:?}");
    assert!(!p.contains_key("code"));

    let html = r
        .http
        .get(r.authorize_url(&[]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let txn = html
        .split("name=\"txn\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let resp = r
        .http
        .post(format!("{}/oauth2/v2.0/authorize", r.authority()))
        .form(&[("txn", txn.as_str()), ("account", "cancel")])
        .send()
        .await
        .unwrap();
    let p = params(resp.headers()[LOCATION].to_str().unwrap());
    assert_eq!(p["error"], "access_denied");
    assert_eq!(p["state"], "st-123");
    // A sign-in page can be used once.
    let again = r
        .http
        .post(format!("{}/oauth2/v2.0/authorize", r.authority()))
        .form(&[("txn", txn.as_str()), ("account", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
}

#[tokio::test]
async fn code_redemption_checks_pkce_single_use_expiry_redirect_and_origin() {
    let r = start(&[]).await;
    let cid = r.client_id.clone();
    // Wrong verifier.
    let code = r.code_for("admin@").await;
    let (status, body) = r
        .redeem(
            &[
                ("client_id", &cid),
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                (
                    "code_verifier",
                    "a-wrong-verifier-a-wrong-verifier-a-wrong-verifier",
                ),
            ],
            Some(APP_ORIGIN),
        )
        .await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "invalid_grant", 501481);

    // Single use.
    let code = r.code_for("admin@").await;
    assert_eq!(r.redeem_code(&code).await.0, 200);
    let (status, body) = r.redeem_code(&code).await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "invalid_grant", 54005);

    // Ten-minute life.
    let code = r.code_for("admin@").await;
    r.advance(601).await;
    let (_, body) = r.redeem_code(&code).await;
    assert_aad_error(&body, "invalid_grant", 70008);

    // redirect_uri must match the one the code was issued to.
    let code = r.code_for("admin@").await;
    let (_, body) = r
        .redeem(
            &[
                ("client_id", &cid),
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://127.0.0.1:8080/other"),
                ("code_verifier", VERIFIER),
            ],
            Some(APP_ORIGIN),
        )
        .await;
    assert_aad_error(&body, "invalid_grant", 500117);

    // A single-page app's code is redeemed cross-origin only.
    let code = r.code_for("admin@").await;
    let (_, body) = r
        .redeem(
            &[
                ("client_id", &cid),
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
            None,
        )
        .await;
    assert_aad_error(&body, "invalid_request", 9002327);
}

#[tokio::test]
async fn a_redirect_uri_registered_as_web_gives_aadsts9002326() {
    let r = start(&[]).await;
    let code = r.code_for("admin@").await;
    r.control(
        "registrations",
        json!({ "redirectUris": [{ "uri": REDIRECT, "platform": "web" }] }),
    )
    .await;
    let (status, body) = r.redeem_code(&code).await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "invalid_request", 9002326);
}

#[tokio::test]
async fn the_token_endpoint_answers_cors_only_for_registered_spa_origins() {
    let r = start(&[]).await;
    let url = format!("{}/oauth2/v2.0/token", r.authority());
    for (origin, allowed) in [(APP_ORIGIN, true), ("https://evil.example", false)] {
        let resp = r
            .http
            .post(&url)
            .header(ORIGIN, origin)
            .form(&[("grant_type", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_some(),
            allowed,
            "{origin}"
        );
        let pre = r
            .http
            .request(reqwest::Method::OPTIONS, &url)
            .header(ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert_eq!(
            pre.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_some(),
            allowed,
            "preflight {origin}"
        );
    }
}

#[tokio::test]
async fn spa_refresh_tokens_last_24_hours_and_do_not_slide() {
    let r = start(&[]).await;
    let cid = r.client_id.clone();
    let first = r.sign_in("admin@").await;
    r.advance(20 * 3600).await;
    let rt = first["refresh_token"].as_str().unwrap().to_string();
    let (status, renewed) = r
        .redeem(
            &[
                ("client_id", &cid),
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("scope", GRAPH_SCOPE),
            ],
            Some(APP_ORIGIN),
        )
        .await;
    assert_eq!(status, 200, "{renewed}");
    assert_eq!(
        claims(renewed["access_token"].as_str().unwrap())["scp"],
        "EntitlementManagement.Read.All EntitlementManagement.ReadWrite.All User.Read"
    );
    // The new refresh token keeps the original 24-hour limit.
    r.advance(5 * 3600).await;
    let rt2 = renewed["refresh_token"].as_str().unwrap().to_string();
    let (status, body) = r
        .redeem(
            &[
                ("client_id", &cid),
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt2),
            ],
            Some(APP_ORIGIN),
        )
        .await;
    assert_eq!(status, 400);
    assert_aad_error(&body, "invalid_grant", 700084);
}

#[tokio::test]
async fn logout_returns_only_to_a_registered_uri() {
    let r = start(&[]).await;
    let ok = r
        .http
        .get(format!(
            "{}/oauth2/v2.0/logout?post_logout_redirect_uri={REDIRECT}&state=bye",
            r.authority()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 302);
    assert_eq!(ok.headers()[LOCATION], format!("{REDIRECT}?state=bye"));
    let bad = r
        .http
        .get(format!(
            "{}/oauth2/v2.0/logout?post_logout_redirect_uri=https://evil.example/",
            r.authority()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.headers().get(LOCATION).is_none());
}

#[tokio::test]
async fn the_common_endpoint_is_refused_for_this_single_tenant_app() {
    let r = start(&[]).await;
    let url = r
        .authorize_url(&[])
        .replace(&format!("/{}/", r.tenant_id), "/common/");
    let resp = r.http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("AADSTS50194"));
}
