//! Contract: the OpenID discovery document (Microsoft identity platform v2.0).

mod common;

#[tokio::test]
async fn discovery_document_names_the_tenant_endpoints_and_s256() {
    let sb = common::start(&[]).await;
    let url = format!(
        "{}/{}/v2.0/.well-known/openid-configuration",
        sb.base, sb.tenant_id
    );
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let doc: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(doc["issuer"], format!("{}/{}/v2.0", sb.base, sb.tenant_id));
    for (key, path) in [
        ("authorization_endpoint", "oauth2/v2.0/authorize"),
        ("token_endpoint", "oauth2/v2.0/token"),
        ("end_session_endpoint", "oauth2/v2.0/logout"),
        ("jwks_uri", "discovery/v2.0/keys"),
    ] {
        assert_eq!(
            doc[key],
            format!("{}/{}/{path}", sb.base, sb.tenant_id),
            "{key}"
        );
    }
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
}

#[tokio::test]
async fn organizations_is_served_and_an_unknown_tenant_is_refused() {
    let sb = common::start(&[]).await;
    let ok = reqwest::get(format!(
        "{}/organizations/v2.0/.well-known/openid-configuration",
        sb.base
    ))
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    let bad = reqwest::get(format!(
        "{}/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration",
        sb.base
    ))
    .await
    .unwrap();
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["error"], "invalid_tenant");
    assert_eq!(body["error_codes"][0], 90002);
}
