//! Contract: `--tls` serves HTTPS with a certificate from a CA it generates and names.

use clap::Parser;

#[tokio::test]
async fn tls_serves_https_that_verifies_against_the_printed_ca_only() {
    let bound = entra_sandbox::bind(entra_sandbox::Options::parse_from([
        "entra-sandbox",
        "--addr",
        "127.0.0.1:0",
        "--tls",
    ]))
    .await
    .unwrap();
    let base = bound.origin().to_string();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let ca = std::fs::read(bound.ca_path().expect("CA path")).unwrap();
    let tenant = bound.state.tenant.tenant_id.clone();
    tokio::spawn(bound.run_until(std::future::pending()));

    let trusting = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let doc: serde_json::Value = trusting
        .get(format!(
            "{base}/{tenant}/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["issuer"], format!("{base}/{tenant}/v2.0"));
    assert!(
        doc["token_endpoint"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    let untrusting = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .build()
        .unwrap();
    assert!(
        untrusting
            .get(format!("{base}/sandbox/info"))
            .send()
            .await
            .is_err()
    );
}
