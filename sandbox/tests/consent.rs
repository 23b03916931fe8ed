//! Consent as the identity platform handles it: an access token for Graph carries every
//! permission consented for the user, whatever the request named; a permission nobody
//! consented to is asked for on the sign-in page (once), and a refresh that names it is
//! refused with `consent_required`; Graph refuses an action made with a token that can
//! only read.

mod common;

use common::{Running, params, start};
use serde_json::{Value, json};

const READ: &str = "https://graph.microsoft.com/EntitlementManagement.Read.All";
const WRITE: &str = "https://graph.microsoft.com/EntitlementManagement.ReadWrite.All";

/// The `scp` claim of an access token (its payload, unverified: the test only reads it).
fn scp(token: &str) -> Vec<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: Value = serde_json::from_slice(&bytes).unwrap();
    let mut v: Vec<String> = claims["scp"]
        .as_str()
        .unwrap()
        .split(' ')
        .map(String::from)
        .collect();
    v.sort();
    v
}

/// The sign-in page for `scope`, then account `who`; returns the next page's status and
/// its body or location.
async fn pick(r: &Running, scope: &str, who: &str, consent: Option<&str>) -> (u16, String) {
    let url = r.authorize_url(&[("scope", Some(scope))]);
    let html = r.http.get(&url).send().await.unwrap().text().await.unwrap();
    let txn = field(&html, "txn");
    let index = r.info["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .position(|a| a["username"].as_str().unwrap().starts_with(who))
        .unwrap()
        .to_string();
    let post = |form: Vec<(&'static str, String)>| {
        r.http
            .post(format!("{}/oauth2/v2.0/authorize", r.authority()))
            .form(&form)
            .send()
    };
    let resp = post(vec![("txn", txn), ("account", index.clone())])
        .await
        .unwrap();
    if resp.status() == 302 {
        return (302, location(&resp));
    }
    let html = resp.text().await.unwrap();
    let Some(answer) = consent else {
        return (200, html);
    };
    assert!(html.contains("Permissions requested"), "{html}");
    let resp = post(vec![
        ("txn", field(&html, "txn")),
        ("account", index),
        ("consent", answer.into()),
    ])
    .await
    .unwrap();
    assert_eq!(resp.status(), 302);
    (302, location(&resp))
}

fn field(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("{name} in {html}"))
        .to_string()
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

async fn tokens(r: &Running, location: &str) -> Value {
    let (status, body) = r.redeem_code(&params(location)["code"]).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn refresh(r: &Running, refresh_token: &str, scope: &str) -> (u16, Value) {
    let client_id = r.client_id.clone();
    r.redeem(
        &[
            ("client_id", client_id.as_str()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("scope", scope),
        ],
        Some(common::APP_ORIGIN),
    )
    .await
}

#[tokio::test]
async fn a_read_consent_gives_tokens_that_read_and_graph_refuses_their_actions() {
    let r = start(&["--admin-consent", "read"]).await;
    let (status, loc) = pick(
        &r,
        &format!("{READ} openid profile offline_access"),
        "admin@",
        None,
    )
    .await;
    assert_eq!(
        status, 302,
        "nothing to consent to: straight back to the app"
    );
    let t = tokens(&r, &loc).await;
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(scp(access), ["EntitlementManagement.Read.All", "User.Read"]);
    let (all, _) = r
        .all(
            access,
            &r.em(
                "v1.0",
                "assignmentRequests?$filter=state%20eq%20'deliveryFailed'",
            ),
        )
        .await;
    assert!(!all.is_empty(), "a read token reads");
    let id = all[0]["id"].as_str().unwrap();
    let (acted, body, _) = r
        .post(
            access,
            &r.em("v1.0", &format!("assignmentRequests/{id}/reprocess")),
            None,
        )
        .await;
    assert_eq!(acted, 403, "{body}");
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");

    // Renewing for ReadWrite.All: not consented, so the platform wants the user.
    let (status, refused) = refresh(
        &r,
        t["refresh_token"].as_str().unwrap(),
        &format!("{WRITE} openid offline_access"),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"], "invalid_grant");
    assert_eq!(refused["error_codes"], json!([65001]));
    assert_eq!(refused["suberror"], "consent_required");
}

#[tokio::test]
async fn consent_is_asked_once_remembered_and_then_in_every_token() {
    let r = start(&["--admin-consent", "read"]).await;
    let write = format!("{WRITE} openid profile offline_access");
    // Declined: the app gets access_denied on its redirect URI, with its state.
    let (_, declined) = pick(&r, &write, "admin@", Some("cancel")).await;
    let p = params(&declined);
    assert_eq!(p["error"], "access_denied");
    assert_eq!(p["state"], "st-123");
    assert!(p["error_description"].starts_with("AADSTS65004"));
    // The prompt names what is missing and only that.
    let (status, prompt) = pick(&r, &write, "admin@", None).await;
    assert_eq!(status, 200);
    assert!(
        prompt.contains("data-testid=\"consent-permission\">EntitlementManagement.ReadWrite.All<")
    );
    assert!(!prompt.contains(">EntitlementManagement.Read.All<"));
    // Accepted: a token that can act.
    let (_, loc) = pick(&r, &write, "admin@", Some("accept")).await;
    let t = tokens(&r, &loc).await;
    assert!(
        scp(t["access_token"].as_str().unwrap())
            .contains(&"EntitlementManagement.ReadWrite.All".to_string())
    );
    // Remembered: no prompt next time, and a sign-in asking only to read gets a token
    // carrying ReadWrite.All too (Entra issues every consented permission).
    let (status, loc) = pick(
        &r,
        &format!("{READ} openid profile offline_access"),
        "admin@",
        None,
    )
    .await;
    assert_eq!(status, 302);
    let read = tokens(&r, &loc).await;
    assert_eq!(
        scp(read["access_token"].as_str().unwrap()),
        [
            "EntitlementManagement.Read.All",
            "EntitlementManagement.ReadWrite.All",
            "User.Read"
        ]
    );
    let (status, renewed) = refresh(
        &r,
        read["refresh_token"].as_str().unwrap(),
        &format!("{WRITE} offline_access"),
    )
    .await;
    assert_eq!(status, 200, "{renewed}");
    // Per account: another account is still asked.
    let (status, _) = pick(&r, &write, "manager@", None).await;
    assert_eq!(status, 200);
    // A reset forgets what users consented to.
    r.control("reset", json!({})).await;
    let (status, _) = pick(&r, &write, "admin@", None).await;
    assert_eq!(status, 200, "asked again after a reset");
}

#[tokio::test]
async fn a_read_write_consent_puts_read_write_in_a_token_that_asked_only_to_read() {
    let r = start(&["--admin-consent", "read-write"]).await;
    let (status, loc) = pick(
        &r,
        &format!("{READ} openid profile offline_access"),
        "admin@",
        None,
    )
    .await;
    assert_eq!(status, 302);
    let t = tokens(&r, &loc).await;
    assert_eq!(
        scp(t["access_token"].as_str().unwrap()),
        [
            "EntitlementManagement.Read.All",
            "EntitlementManagement.ReadWrite.All",
            "User.Read"
        ]
    );
    // Test control can take the tenant back to a read consent.
    let settings = r
        .control("settings", json!({ "adminConsent": "read" }))
        .await;
    assert_eq!(settings["adminConsent"], "read");
    let (status, _) = pick(&r, &format!("{WRITE} openid"), "admin@", None).await;
    assert_eq!(status, 200, "now asked");
}

/// The audit log's two permissions (directoryaudit-list: "AuditLog.Read.All and
/// Directory.Read.All") follow the same model: no administrator consented to them, so the
/// first sign-in that names them asks for both on the consent page, a refresh that names
/// them before is refused `consent_required`, and once accepted every token carries them.
#[tokio::test]
async fn the_audit_permissions_are_asked_for_on_first_use_and_then_in_every_token() {
    for (cloud, graph) in [
        ("global", "https://graph.microsoft.com"),
        ("usgov", "https://graph.microsoft.us"),
        ("usgov", "https://dod-graph.microsoft.us"),
    ] {
        let r = start(&["--admin-consent", "read-write", "--cloud", cloud]).await;
        let write =
            format!("{graph}/EntitlementManagement.ReadWrite.All openid profile offline_access");
        let audit = format!(
            "{graph}/AuditLog.Read.All {graph}/Directory.Read.All openid profile offline_access"
        );
        // Signed in for entitlement management only: no prompt, no audit permission.
        let (status, loc) = pick(&r, &write, "admin@", None).await;
        assert_eq!(status, 302, "{cloud}");
        let t = tokens(&r, &loc).await;
        let first = scp(t["access_token"].as_str().unwrap());
        assert!(
            !first.contains(&"AuditLog.Read.All".to_string()),
            "{first:?}"
        );
        // Renewing for the audit scopes: nobody consented, the user must come back.
        let (status, refused) = refresh(&r, t["refresh_token"].as_str().unwrap(), &audit).await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(refused["suberror"], "consent_required");
        // The sign-in that names them asks for both, and only them.
        let (status, prompt) = pick(&r, &audit, "admin@", None).await;
        assert_eq!(status, 200);
        for p in ["AuditLog.Read.All", "Directory.Read.All"] {
            assert!(
                prompt.contains(&format!("data-testid=\"consent-permission\">{p}<")),
                "{prompt}"
            );
        }
        assert!(!prompt.contains(">EntitlementManagement.ReadWrite.All<"));
        let (_, loc) = pick(&r, &audit, "admin@", Some("accept")).await;
        let t = tokens(&r, &loc).await;
        assert_eq!(
            scp(t["access_token"].as_str().unwrap()),
            [
                "AuditLog.Read.All",
                "Directory.Read.All",
                "EntitlementManagement.Read.All",
                "EntitlementManagement.ReadWrite.All",
                "User.Read"
            ]
        );
        // Remembered: the entitlement-management sign-in now carries them too.
        let (status, loc) = pick(&r, &write, "admin@", None).await;
        assert_eq!(status, 302);
        let again = scp(tokens(&r, &loc).await["access_token"].as_str().unwrap());
        assert!(
            again.contains(&"Directory.Read.All".to_string()),
            "{again:?}"
        );
        // Another account is asked for itself.
        let (status, _) = pick(&r, &audit, "manager@", None).await;
        assert_eq!(status, 200, "{cloud}: the manager is asked");
    }
}

#[tokio::test]
async fn the_sign_in_page_lists_each_accounts_roles_and_info_says_who_reads_the_audit_log() {
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
    assert!(
        html.contains("Identity Governance Administrator · Reports Reader"),
        "{html}"
    );
    let accounts = r.info["accounts"].as_array().unwrap();
    let who = |prefix: &str| {
        accounts
            .iter()
            .find(|a| a["username"].as_str().unwrap().starts_with(prefix))
            .unwrap()
            .clone()
    };
    assert_eq!(who("admin@")["directoryRoles"], json!(["Reports Reader"]));
    assert_eq!(who("admin@")["canReadAuditLog"], true);
    assert_eq!(who("admin@")["role"], "Identity Governance Administrator");
    assert_eq!(who("manager@")["canReadAuditLog"], false);
    assert_eq!(who("manager@")["directoryRoles"], json!([]));
    assert_eq!(who("user@")["canReadAuditLog"], false);
}
