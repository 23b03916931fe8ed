//! Starts a real sandbox on a free loopback port and signs in like a single-page app.

#![allow(dead_code)]

use clap::Parser;
use reqwest::header::{LOCATION, ORIGIN};
use serde_json::{Value, json};

pub const APP_ORIGIN: &str = "http://127.0.0.1:8080";
pub const REDIRECT: &str = "http://127.0.0.1:8080/";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// RFC 7636 appendix B: the S256 challenge of VERIFIER, computed independently.
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/EntitlementManagement.ReadWrite.All";

pub struct Running {
    pub base: String,
    pub tenant_id: String,
    pub client_id: String,
    pub info: Value,
    pub http: reqwest::Client,
}

pub async fn start(extra_args: &[&str]) -> Running {
    let mut args = vec![
        "entra-sandbox",
        "--addr",
        "127.0.0.1:0",
        "--test-control",
        "--requests",
        "300",
    ];
    // Actions act at once unless a test asks for the delay (the default is 3000 ms).
    if !extra_args.contains(&"--action-delay-ms") {
        args.extend_from_slice(&["--action-delay-ms", "0"]);
    }
    // A tenant whose administrator consented to both permissions, unless a test asks.
    if !extra_args.contains(&"--admin-consent") {
        args.extend_from_slice(&["--admin-consent", "read-write"]);
    }
    args.extend_from_slice(extra_args);
    let bound = entra_sandbox::bind(entra_sandbox::Options::parse_from(args))
        .await
        .unwrap();
    let base = bound.origin().to_string();
    tokio::spawn(bound.run_until(std::future::pending()));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let info = fetch_json(&http, &format!("{base}/sandbox/info")).await;
    Running {
        tenant_id: info["tenantId"].as_str().unwrap().into(),
        client_id: info["clientId"].as_str().unwrap().into(),
        base,
        info,
        http,
    }
}

/// The JSON at `url`, fetched without a token (discovery, keys, test control).
pub async fn fetch_json(http: &reqwest::Client, url: &str) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

/// Query or fragment parameters of a redirect location.
pub fn params(location: &str) -> std::collections::HashMap<String, String> {
    let part = location
        .split_once('#')
        .map(|x| x.1)
        .or_else(|| location.split_once('?').map(|x| x.1))
        .unwrap_or("");
    form_urlencoded::parse(part.as_bytes())
        .into_owned()
        .collect()
}

pub fn username(r: &Running, prefix: &str) -> String {
    r.info["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"].as_str().unwrap().starts_with(prefix))
        .unwrap()["username"]
        .as_str()
        .unwrap()
        .to_string()
}

impl Running {
    pub fn authority(&self) -> String {
        format!("{}/{}", self.base, self.tenant_id)
    }

    /// The authorize URL with sensible defaults; `overrides` replace or remove (None) parameters.
    pub fn authorize_url(&self, overrides: &[(&str, Option<&str>)]) -> String {
        let scope = format!("{GRAPH_SCOPE} openid profile offline_access");
        let mut p: Vec<(&str, String)> = vec![
            ("client_id", self.client_id.clone()),
            ("response_type", "code".into()),
            ("redirect_uri", REDIRECT.into()),
            ("scope", scope),
            ("state", "st-123".into()),
            ("nonce", "no-456".into()),
            ("code_challenge", CHALLENGE.into()),
            ("code_challenge_method", "S256".into()),
            ("response_mode", "query".into()),
        ];
        for (k, v) in overrides {
            p.retain(|(pk, _)| pk != k);
            if let Some(v) = v {
                p.push((k, v.to_string()));
            }
        }
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &p {
            ser.append_pair(k, v);
        }
        format!(
            "{}/oauth2/v2.0/authorize?{}",
            self.authority(),
            ser.finish()
        )
    }

    /// Opens the sign-in page and picks the account whose username starts with `who`;
    /// returns the redirect location.
    pub async fn pick_account(&self, url: &str, who: &str) -> String {
        let page = self.http.get(url).send().await.unwrap();
        assert_eq!(page.status(), 200, "sign-in page");
        let html = page.text().await.unwrap();
        let txn = html
            .split("name=\"txn\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("txn in the sign-in page")
            .to_string();
        let index = self.info["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .position(|a| a["username"].as_str().unwrap().starts_with(who))
            .expect("account")
            .to_string();
        let resp = self
            .http
            .post(format!("{}/oauth2/v2.0/authorize", self.authority()))
            .form(&[("txn", txn.as_str()), ("account", index.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 302, "sign-in redirects");
        resp.headers()[LOCATION].to_str().unwrap().to_string()
    }

    /// Signs in as `who` and returns the code.
    pub async fn code_for(&self, who: &str) -> String {
        let loc = self.pick_account(&self.authorize_url(&[]), who).await;
        let p = params(&loc);
        assert_eq!(p.get("state").map(String::as_str), Some("st-123"));
        p["code"].clone()
    }

    pub async fn redeem(&self, form: &[(&str, &str)], origin: Option<&str>) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}/oauth2/v2.0/token", self.authority()))
            .form(form);
        if let Some(o) = origin {
            req = req.header(ORIGIN, o);
        }
        let resp = req.send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    pub async fn redeem_code(&self, code: &str) -> (u16, Value) {
        let client_id = self.client_id.clone();
        self.redeem(
            &[
                ("client_id", client_id.as_str()),
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
                ("client_info", "1"),
            ],
            Some(APP_ORIGIN),
        )
        .await
    }

    /// A full sign-in as `who`; returns the token response.
    pub async fn sign_in(&self, who: &str) -> Value {
        let code = self.code_for(who).await;
        let (status, body) = self.redeem_code(&code).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub async fn token(&self, who: &str) -> String {
        self.sign_in(who).await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// An access token for `who` whose Graph scope names `graph` (a national cloud's host,
    /// such as `https://graph.microsoft.us`).
    pub async fn token_for(&self, who: &str, graph: &str) -> String {
        let scope =
            format!("{graph}/EntitlementManagement.ReadWrite.All openid profile offline_access");
        let url = self.authorize_url(&[("scope", Some(&scope))]);
        let code = params(&self.pick_account(&url, who).await)["code"].clone();
        let (status, tokens) = self.redeem_code(&code).await;
        assert_eq!(status, 200, "{tokens}");
        tokens["access_token"].as_str().unwrap().to_string()
    }

    /// An access token for `who` from a sign-in that names `scope` (space-separated), with
    /// the consent page accepted if the sign-in shows it.
    pub async fn token_with(&self, who: &str, scope: &str) -> String {
        let url = self.authorize_url(&[("scope", Some(scope))]);
        let html = self
            .http
            .get(&url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let field = |html: &str, name: &str| {
            html.split(&format!("name=\"{name}\" value=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_else(|| panic!("{name} in {html}"))
                .to_string()
        };
        let index = self.info["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .position(|a| a["username"].as_str().unwrap().starts_with(who))
            .expect("account")
            .to_string();
        let post = |form: Vec<(&'static str, String)>| {
            self.http
                .post(format!("{}/oauth2/v2.0/authorize", self.authority()))
                .form(&form)
                .send()
        };
        let mut resp = post(vec![
            ("txn", field(&html, "txn")),
            ("account", index.clone()),
        ])
        .await
        .unwrap();
        if resp.status() == 200 {
            let prompt = resp.text().await.unwrap();
            assert!(prompt.contains("Permissions requested"), "{prompt}");
            resp = post(vec![
                ("txn", field(&prompt, "txn")),
                ("account", index),
                ("consent", "accept".into()),
            ])
            .await
            .unwrap();
        }
        assert_eq!(resp.status(), 302, "sign-in redirects");
        let loc = resp.headers()[LOCATION].to_str().unwrap().to_string();
        let (status, tokens) = self.redeem_code(&params(&loc)["code"]).await;
        assert_eq!(status, 200, "{tokens}");
        tokens["access_token"].as_str().unwrap().to_string()
    }

    /// An access token for `who` that reads the audit log on `graph` (the cloud's host):
    /// both audit permissions, consented on the sign-in page.
    pub async fn audit_token(&self, who: &str, graph: &str) -> String {
        self.token_with(
            who,
            &format!(
                "{graph}/AuditLog.Read.All {graph}/Directory.Read.All openid profile offline_access"
            ),
        )
        .await
    }

    /// `/{version}/auditLogs/directoryAudits{rest}`.
    pub fn audit(&self, version: &str, rest: &str) -> String {
        format!("{}/{version}/auditLogs/directoryAudits{rest}", self.base)
    }

    pub fn em(&self, version: &str, rest: &str) -> String {
        format!(
            "{}/{version}/identityGovernance/entitlementManagement/{rest}",
            self.base
        )
    }

    pub async fn get(&self, token: &str, url: &str) -> (u16, Value, reqwest::header::HeaderMap) {
        let resp = self.http.get(url).bearer_auth(token).send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        (status, resp.json().await.unwrap_or(Value::Null), headers)
    }

    pub async fn post(
        &self,
        token: &str,
        url: &str,
        body: Option<Value>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut req = self.http.post(url).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
        )
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}/sandbox/{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            resp.status().is_success(),
            "control {path}: {}",
            resp.status()
        );
        resp.json().await.unwrap()
    }

    pub async fn advance(&self, seconds: i64) {
        self.control("clock", serde_json::json!({ "seconds": seconds }))
            .await;
    }

    /// Every item of a list, following @odata.nextLink; returns the items and the page count.
    pub async fn all(&self, token: &str, url: &str) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut next = Some(url.to_string());
        let mut pages = 0;
        while let Some(u) = next {
            let (status, body, _) = self.get(token, &u).await;
            assert_eq!(status, 200, "{u}: {body}");
            items.extend(body["value"].as_array().unwrap().iter().cloned());
            next = body["@odata.nextLink"].as_str().map(str::to_string);
            pages += 1;
            assert!(pages < 1000, "paging does not end");
        }
        (items, pages)
    }
}

/// A Graph error answer: its status, its code, and the innerError Graph always sends.
pub fn assert_graph_error(status: u16, body: &Value, want_status: u16, code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    let inner = &body["error"]["innerError"];
    for k in ["date", "request-id", "client-request-id"] {
        assert!(inner[k].is_string(), "{k} in {body}");
    }
}

/// The request the seed pages' reprocess examples name (seeded by the sandbox).
pub const REPROCESS_REQUEST: &str = "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b";
/// The assignment the seed pages' reprocess example names (seeded by the sandbox).
pub const REPROCESS_ASSIGNMENT: &str = "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b";

/// Example 1 of the v1.0 resume page, verbatim.
pub fn seed_continue() -> Value {
    json!({
        "source": "Contoso.SodCheckProcess",
        "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": "assignmentRequestCreated",
            "customExtensionStageInstanceId": "957d0c50-466b-4840-bb5b-c92cea7141ff",
            "customExtensionStageInstanceDetail": "This user is all verified"
        }
    })
}

/// Example 2 of the v1.0 resume page (deny), verbatim, PascalCase stage included.
pub fn seed_deny() -> Value {
    json!({
        "source": "Contoso.SodCheckProcess",
        "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": "AssignmentRequestCreated",
            "customExtensionStageInstanceId": "857d0c50-466b-4840-bb5b-c92cea7141ff",
            "state": "denied",
            "customExtensionStageInstanceDetail": "Potential risk user based on the SOD check"
        }
    })
}
