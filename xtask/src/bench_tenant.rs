//! A sandbox tenant for the benchmarks: a release entra-sandbox on a free port, and a
//! signed-in admin's access token (the way a single-page app gets one).

use std::process::Child;

use crate::cmd::Fail;
use crate::stack;

/// A release sandbox on a free port, killed on drop.
pub struct SandboxProcess {
    pub url: String,
    child: Child,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_sandbox(args: &[&str]) -> Result<SandboxProcess, Fail> {
    let bin = stack::build_sandbox(true)?;
    // The benchmarks act as an admin of a tenant that consented to both permissions.
    let mut all: Vec<String> = ["--addr", "127.0.0.1:0", "--admin-consent", "read-write"]
        .map(String::from)
        .to_vec();
    all.extend(args.iter().map(|a| a.to_string()));
    let (child, url) = stack::spawn_sandbox(&bin, &all, false)?;
    Ok(SandboxProcess { url, child })
}

/// Signs in to the sandbox as `who` the way a single-page app does (authorization code
/// with PKCE) and returns the access token. The verifier and challenge are RFC 7636's
/// appendix B pair.
pub async fn sign_in(base: &str, info: &serde_json::Value, who: &str) -> Result<String, Fail> {
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let e = |e: reqwest::Error| Fail::new(format!("bench sign-in: {e}"));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(e)?;
    let tenant = info["tenantId"].as_str().unwrap_or_default();
    let client_id = info["clientId"].as_str().unwrap_or_default();
    let redirect = info["redirectUris"][0]["uri"].as_str().unwrap_or_default();
    let origin = redirect.trim_end_matches('/');
    let authority = format!("{base}/{tenant}");
    let html = client
        .get(format!("{authority}/oauth2/v2.0/authorize"))
        .query(&[
            ("client_id", client_id),
            ("response_type", "code"),
            ("redirect_uri", redirect),
            ("scope", "https://graph.microsoft.com/EntitlementManagement.ReadWrite.All openid offline_access"),
            ("state", "bench"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .map_err(e)?
        .text()
        .await
        .map_err(e)?;
    let txn = html
        .split("name=\"txn\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .ok_or_else(|| Fail::new("bench sign-in: no sign-in page"))?;
    let index = info["accounts"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .position(|x| x["username"].as_str().is_some_and(|u| u.starts_with(who)))
        })
        .ok_or_else(|| Fail::new(format!("bench sign-in: no account {who}")))?
        .to_string();
    let resp = client
        .post(format!("{authority}/oauth2/v2.0/authorize"))
        .form(&[("txn", txn), ("account", index.as_str())])
        .send()
        .await
        .map_err(e)?;
    let location = resp
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .ok_or_else(|| Fail::new(format!("bench sign-in: no code in {location}")))?;
    let tokens: serde_json::Value = client
        .post(format!("{authority}/oauth2/v2.0/token"))
        .header("origin", origin)
        .form(&[
            ("client_id", client_id),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .map_err(e)?
        .json()
        .await
        .map_err(e)?;
    tokens["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| Fail::new(format!("bench sign-in: {tokens}")))
}
