//! Contract: every cloud's token issuer. Discovery names the issuer, ID and access tokens
//! carry it, Graph accepts only it. China's issuer is not its sign-in host
//! (`https://login.partner.microsoftonline.cn/{tid}/v2.0`, MSAL's cloud metadata); the
//! global and US Government clouds issue from the sign-in host, here the sandbox itself.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use clap::Parser;
use common::*;
use serde_json::{Value, json};

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap()
}

/// A sandbox of `cloud`, and its state, to sign tokens the sandbox did not issue.
async fn start_cloud(cloud: &str) -> (Running, entra_sandbox::Shared) {
    let bound = entra_sandbox::bind(entra_sandbox::Options::parse_from([
        "entra-sandbox",
        "--addr",
        "127.0.0.1:0",
        "--test-control",
        "--requests",
        "50",
        "--cloud",
        cloud,
        "--admin-consent",
        "read-write",
    ]))
    .await
    .unwrap();
    let state = bound.state.clone();
    let base = bound.origin().to_string();
    tokio::spawn(bound.run_until(std::future::pending()));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let info = fetch_json(&http, &format!("{base}/sandbox/info")).await;
    (
        Running {
            tenant_id: info["tenantId"].as_str().unwrap().into(),
            client_id: info["clientId"].as_str().unwrap().into(),
            base,
            info,
            http,
        },
        state,
    )
}

#[tokio::test]
async fn each_cloud_names_its_issuer_in_discovery_and_tokens_and_graph_accepts_only_it() {
    for (cloud, graph) in [
        ("global", "https://graph.microsoft.com"),
        ("usgov", "https://graph.microsoft.us"),
        ("china", "https://microsoftgraph.chinacloudapi.cn"),
    ] {
        let (r, state) = start_cloud(cloud).await;
        let tid = r.tenant_id.clone();
        let want = match cloud {
            "china" => format!("https://login.partner.microsoftonline.cn/{tid}/v2.0"),
            _ => format!("{}/{tid}/v2.0", r.base),
        };
        let doc = fetch_json(
            &r.http,
            &format!("{}/{tid}/v2.0/.well-known/openid-configuration", r.base),
        )
        .await;
        assert_eq!(doc["issuer"], want.as_str(), "{cloud}");
        // Token requests still go to the sandbox (the sign-in host).
        assert_eq!(
            doc["token_endpoint"],
            format!("{}/{tid}/oauth2/v2.0/token", r.base),
            "{cloud}"
        );
        let orgs = fetch_json(
            &r.http,
            &format!(
                "{}/organizations/v2.0/.well-known/openid-configuration",
                r.base
            ),
        )
        .await;
        assert_eq!(
            orgs["issuer"],
            want.replace(&tid, "{tenantid}").as_str(),
            "{cloud}: organizations shows the template"
        );

        let url = r.authorize_url(&[(
            "scope",
            Some(&format!(
                "{graph}/EntitlementManagement.ReadWrite.All openid profile offline_access"
            )),
        )]);
        let code = params(&r.pick_account(&url, "admin@").await)["code"].clone();
        let (status, tokens) = r.redeem_code(&code).await;
        assert_eq!(status, 200, "{cloud}: {tokens}");
        let access = tokens["access_token"].as_str().unwrap();
        let id = claims(tokens["id_token"].as_str().unwrap());
        let at = claims(access);
        assert_eq!(id["iss"], doc["issuer"], "{cloud}: ID token");
        assert_eq!(at["iss"], doc["issuer"], "{cloud}: access token");
        // Substituting the token's tid into the organizations template gives the issuer.
        assert_eq!(
            orgs["issuer"]
                .as_str()
                .unwrap()
                .replace("{tenantid}", id["tid"].as_str().unwrap()),
            want
        );
        let list = r.em("v1.0", "catalogs");
        let (status, body, _) = r.get(access, &list).await;
        assert_eq!(status, 200, "{cloud}: {body}");

        // The same claims, signed by the same key, from another issuer: refused.
        for other in [
            format!("https://login.microsoftonline.com/{tid}/v2.0"),
            format!("https://login.partner.microsoftonline.cn/{tid}/v2.0"),
            format!("{}/{tid}/v2.0", r.base),
            format!("https://sts.windows.net/{tid}/"),
        ] {
            if other == want {
                continue;
            }
            let mut forged = at.clone();
            forged["iss"] = json!(other);
            let token = state.keys.sign(&forged);
            let (status, body, _) = r.get(&token, &list).await;
            assert_eq!(status, 401, "{cloud} accepted iss {other}");
            assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("issuer"),
                "{cloud}: {body}"
            );
        }
        // And the untouched claims, re-signed, still pass: only the issuer made the difference.
        let (status, _, _) = r.get(&state.keys.sign(&at), &list).await;
        assert_eq!(status, 200, "{cloud}");
    }
}
