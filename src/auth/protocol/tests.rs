use super::*;

fn config() -> Config {
    Config::parse(
            r#"{"clientId":"6731de76-14a6-49ae-97bc-6eba6914391e","tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47",
                "redirectUri":"https://admin.contoso.com/access-desk/"}"#,
        )
        .unwrap()
}

fn jwt(claims: serde_json::Value) -> String {
    format!("e30.{}.sig", B64.encode(claims.to_string()))
}

fn good_claims() -> serde_json::Value {
    serde_json::json!({
        "aud": "6731de76-14a6-49ae-97bc-6eba6914391e",
        "iss": "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
        "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "nonce": "n-1",
        "name": "Adele Vance",
        "preferred_username": "adele@contoso.com",
        "oid": "o-1",
    })
}

#[test]
fn pkce_s256_matches_rfc7636_appendix_b() {
    let verifier = PkceCodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
    assert_eq!(
        challenge.as_str(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert_eq!(challenge.method().as_str(), "S256");
}

#[test]
fn the_authorize_request_carries_s256_state_nonce_and_least_privilege_scopes() {
    let cfg = config();
    let a = authorize_request(&cfg, "/requests?state=deliveryFailed", 1000.0, Ask::SignIn).unwrap();
    let url = &a.url;
    assert!(url.starts_with("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize?"));
    for part in [
        "response_type=code",
        "code_challenge_method=S256",
        "response_mode=fragment",
        "client_id=6731de76-14a6-49ae-97bc-6eba6914391e",
        "redirect_uri=https%3A%2F%2Fadmin.contoso.com%2Faccess-desk%2F",
        "scope=https%3A%2F%2Fgraph.microsoft.com%2FEntitlementManagement.Read.All+openid+profile+offline_access&",
    ] {
        assert!(url.contains(part), "{part} in {url}");
    }
    assert!(!url.contains("ReadWrite"), "signing in only reads: {url}");
    assert_eq!(a.pending.for_permission, None);
    assert!(url.contains(&format!("state={}", a.state)));
    assert!(url.contains(&format!("nonce={}", a.pending.nonce)));
    assert!(
        !url.contains(&a.pending.verifier),
        "the verifier never leaves the browser"
    );
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
        a.pending.verifier.clone(),
    ));
    assert!(url.contains(&format!("code_challenge={}", challenge.as_str())));
    assert_eq!(a.pending.return_to, "/requests?state=deliveryFailed");
}

#[test]
fn the_first_actions_consent_asks_for_read_write_for_the_signed_in_account() {
    let cfg = config();
    let a = authorize_request(
        &cfg,
        "/requests/x",
        0.0,
        Ask::Consent {
            permission: Permission::Act,
            login_hint: Some("admin@contoso.com"),
        },
    )
    .unwrap();
    assert!(
            a.url.contains("scope=https%3A%2F%2Fgraph.microsoft.com%2FEntitlementManagement.ReadWrite.All+openid+profile+offline_access&"),
            "{}",
            a.url
        );
    assert!(
        a.url.contains("login_hint=admin%40contoso.com"),
        "{}",
        a.url
    );
    assert!(a.url.contains("code_challenge_method=S256"));
    assert_eq!(a.pending.for_permission, Some(Permission::Act));
    assert_eq!(
        PendingSignIn::from_json(&a.pending.to_json()).map(|p| p.for_permission),
        Some(Some(Permission::Act))
    );
}

#[test]
fn the_first_trails_consent_asks_for_the_audit_log_and_nothing_else() {
    let cfg = config();
    let a = authorize_request(
        &cfg,
        "/requests/x",
        0.0,
        Ask::Consent {
            permission: Permission::Audit,
            login_hint: Some("admin@contoso.com"),
        },
    )
    .unwrap();
    assert!(
            a.url.contains("scope=https%3A%2F%2Fgraph.microsoft.com%2FAuditLog.Read.All+https%3A%2F%2Fgraph.microsoft.com%2FDirectory.Read.All+openid+profile+offline_access&"),
            "{}",
            a.url
        );
    assert!(!a.url.contains("EntitlementManagement"), "{}", a.url);
    assert_eq!(
        PendingSignIn::from_json(&a.pending.to_json()).map(|p| p.for_permission),
        Some(Some(Permission::Audit))
    );
    // An attempt started by an earlier build for the first action still acts.
    let earlier =
        r#"{"verifier":"v","nonce":"n","return_to":"/","started_ms":5.0,"for_actions":true}"#;
    assert_eq!(
        PendingSignIn::from_json(earlier).map(|p| p.for_permission),
        Some(Some(Permission::Act))
    );
}

#[test]
fn state_nonce_and_verifier_are_fresh_per_attempt() {
    let cfg = config();
    let a = authorize_request(&cfg, "/", 0.0, Ask::SignIn).unwrap();
    let b = authorize_request(&cfg, "/", 0.0, Ask::SignIn).unwrap();
    assert_ne!(a.state, b.state);
    assert_ne!(a.pending.nonce, b.pending.nonce);
    assert_ne!(a.pending.verifier, b.pending.verifier);
    assert!(a.state.len() >= 16 && a.pending.verifier.len() >= 43);
    // RFC 7636 section 4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
    let v = &a.pending.verifier;
    assert!((43..=128).contains(&v.len()), "{v}");
    assert!(
        v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c)),
        "{v}"
    );
}

#[test]
fn return_targets_stay_inside_the_app() {
    assert_eq!(safe_return_to("/requests?q=a"), "/requests?q=a");
    for bad in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil",
        "javascript:alert(1)",
    ] {
        assert_eq!(safe_return_to(bad), "/", "{bad}");
    }
}

#[test]
fn the_redirect_is_read_from_the_fragment() {
    assert_eq!(
        parse_redirect("code=0.AX%2Bb&state=s1&session_state=x"),
        Redirect::Code {
            code: "0.AX+b".into(),
            state: "s1".into()
        }
    );
    // A view's own fragment (a row anchor) is not a sign-in.
    assert_eq!(parse_redirect("row-3"), Redirect::None);
    assert_eq!(parse_redirect(""), Redirect::None);
    assert_eq!(
        parse_redirect("code=c"),
        Redirect::None,
        "a code without state is not a sign-in"
    );
    assert!(matches!(
        parse_redirect("error=access_denied"),
        Redirect::Error { state: None, .. }
    ));
}

#[test]
fn platform_errors_on_the_redirect_keep_code_trace_and_correlation_ids() {
    let q = "error=invalid_request&error_description=AADSTS50020%3A+User+account+%27x%40outlook.com%27+from+identity+provider+%27live.com%27.%0D%0ATrace+ID%3A+t-1%0D%0ACorrelation+ID%3A+c-2%0D%0ATimestamp%3A+2026-11-23+10%3A00%3A00Z&state=s";
    let Redirect::Error { state, error } = parse_redirect(q) else {
        panic!()
    };
    assert_eq!(state.as_deref(), Some("s"));
    assert_eq!(error.code(), Some(50020));
    assert_eq!(error.trace_id.as_deref(), Some("t-1"));
    assert_eq!(error.correlation_id.as_deref(), Some("c-2"));
    assert_eq!(error.timestamp.as_deref(), Some("2026-11-23 10:00:00Z"));
    assert!(
        error
            .summary()
            .unwrap()
            .starts_with("AADSTS50020: User account 'x@outlook.com'")
    );
    assert!(error.advice().unwrap().contains("work or school"));
}

#[test]
fn aadsts9002326_explains_the_spa_registration() {
    let e = PlatformError::from_json(&serde_json::json!({
            "error": "invalid_request",
            "error_description": "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
            "error_codes": [9002326], "trace_id": "t", "correlation_id": "c", "timestamp": "x",
        }))
        .unwrap();
    assert!(e.advice().unwrap().contains("Single-page application"));
    assert!(!e.needs_interaction());
    let expired = PlatformError {
        error: "invalid_grant".into(),
        error_codes: vec![700084],
        ..Default::default()
    };
    assert!(expired.needs_interaction());
}

/// The global cloud's discovery issuer for the test tenant.
const GLOBAL_ISSUER: &str =
    "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0";

#[test]
fn id_token_claims_are_checked() {
    let cfg = config();
    let check = |claims: serde_json::Value, nonce: &str| {
        check_id_token(&jwt(claims), &cfg, nonce, GLOBAL_ISSUER)
    };
    let account = check(good_claims(), "n-1").unwrap();
    assert_eq!(account.username, "adele@contoso.com");
    assert_eq!(check(good_claims(), "other"), Err(IdTokenProblem::Nonce));
    assert_eq!(check(good_claims(), ""), Err(IdTokenProblem::Nonce));
    for (claim, value, problem) in [
        (
            "aud",
            "00000000-0000-0000-0000-000000000000",
            IdTokenProblem::Audience,
        ),
        (
            "tid",
            "00000000-0000-0000-0000-000000000000",
            IdTokenProblem::Tenant,
        ),
        ("tid", "", IdTokenProblem::Tenant),
        (
            "iss",
            "https://login.evil.example/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
            IdTokenProblem::Issuer,
        ),
    ] {
        let mut c = good_claims();
        c[claim] = value.into();
        assert_eq!(check(c, "n-1"), Err(problem), "{claim}");
    }
    assert_eq!(
        check_id_token("not-a-jwt", &cfg, "n-1", GLOBAL_ISSUER),
        Err(IdTokenProblem::Malformed)
    );
}

/// A config for `cloud` and `tenant`.
fn cloud_case(cloud: &str, tenant: &str) -> Config {
    Config::parse(
        &serde_json::json!({
            "clientId": "6731de76-14a6-49ae-97bc-6eba6914391e",
            "tenantId": tenant,
            "cloud": cloud,
            "redirectUri": "https://admin.contoso.com/access-desk/"
        })
        .to_string(),
    )
    .unwrap()
}

/// A token of tenant `tid` issued as `iss`.
fn token_of(tid: &str, iss: &str) -> String {
    let mut c = good_claims();
    c["tid"] = tid.into();
    c["iss"] = iss.into();
    jwt(c)
}

#[test]
fn the_issuer_is_the_discovery_documents_in_every_cloud_for_a_tenant_or_organizations() {
    const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const OTHER: &str = "0e60f18c-b2a0-4887-9da8-da2e30a39d99";
    // (cloud, the issuer host its discovery documents publish): China signs in at
    // login.chinacloudapi.cn but issues as login.partner.microsoftonline.cn.
    for (cloud, issuer_host) in [
        ("global", "https://login.microsoftonline.com"),
        ("usgov-l4", "https://login.microsoftonline.us"),
        ("usgov-l5-dod", "https://login.microsoftonline.us"),
        ("china", "https://login.partner.microsoftonline.cn"),
    ] {
        let issuer = format!("{issuer_host}/{TID}/v2.0");
        // A tenant-specific authority publishes the tenant's issuer; `organizations`
        // publishes a template.
        for (tenant, template) in [
            (TID.to_string(), issuer.clone()),
            ("contoso.com".to_string(), issuer.clone()),
            (
                "organizations".to_string(),
                format!("{issuer_host}/{{tenantid}}/v2.0"),
            ),
        ] {
            let cfg = cloud_case(cloud, &tenant);
            let case = format!("{cloud} {tenant}");
            let ok = check_id_token(&token_of(TID, &issuer), &cfg, "n-1", &template);
            assert_eq!(ok.map(|a| a.tenant_id), Ok(TID.to_string()), "{case}");
            // The sign-in host is not the issuer where the document says otherwise.
            let signin_host = format!("{}/{TID}/v2.0", cfg.authority_host);
            if signin_host != issuer {
                assert_eq!(
                    check_id_token(&token_of(TID, &signin_host), &cfg, "n-1", &template),
                    Err(IdTokenProblem::Issuer),
                    "{case}"
                );
            }
            // Another cloud's issuer, or the right host with another tenant's id.
            for wrong in [
                format!("https://login.microsoftonline.de/{TID}/v2.0"),
                format!("{issuer_host}/{OTHER}/v2.0"),
                format!("{issuer_host}/{TID}/v2.0/"),
                format!("{issuer_host}/{{tenantid}}/v2.0"),
            ] {
                assert_eq!(
                    check_id_token(&token_of(TID, &wrong), &cfg, "n-1", &template),
                    Err(IdTokenProblem::Issuer),
                    "{case}: {wrong}"
                );
            }
        }
        // organizations: any tenant, but the issuer must name the token's own tenant.
        let cfg = cloud_case(cloud, "organizations");
        let template = format!("{issuer_host}/{{tenantid}}/v2.0");
        let other_issuer = format!("{issuer_host}/{OTHER}/v2.0");
        assert!(check_id_token(&token_of(OTHER, &other_issuer), &cfg, "n-1", &template).is_ok());
        assert_eq!(
            check_id_token(&token_of(OTHER, &issuer), &cfg, "n-1", &template),
            Err(IdTokenProblem::Issuer),
            "{cloud}"
        );
    }
}

#[test]
fn an_issuer_template_names_the_tokens_tenant_or_nothing_is_expected() {
    const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    assert_eq!(
        expected_issuer(
            "https://login.partner.microsoftonline.cn/{tenantid}/v2.0",
            TID
        )
        .as_deref(),
        Some("https://login.partner.microsoftonline.cn/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0")
    );
    // Not a tenant GUID (nothing to substitute safely), or a document whose issuer
    // names no tenant at all: nothing can match.
    for (template, tid) in [
        ("https://login.microsoftonline.com/{tenantid}/v2.0", ""),
        ("https://login.microsoftonline.com/{tenantid}/v2.0", "a/b"),
        ("https://login.microsoftonline.com/common/v2.0", TID),
        ("", TID),
    ] {
        assert_eq!(expected_issuer(template, tid), None, "{template} {tid}");
    }
}

#[test]
fn the_discovery_document_gives_its_issuer() {
    let doc = r#"{"token_endpoint":"https://login.chinacloudapi.cn/organizations/oauth2/v2.0/token",
            "issuer":"https://login.partner.microsoftonline.cn/{tenantid}/v2.0","msgraph_host":"microsoftgraph.chinacloudapi.cn"}"#;
    assert_eq!(
        discovery_issuer(doc).as_deref(),
        Some("https://login.partner.microsoftonline.cn/{tenantid}/v2.0")
    );
    for bad in ["", "<html>", "[]", r#"{"issuer":5}"#, r#"{"jwks_uri":"x"}"#] {
        assert_eq!(discovery_issuer(bad), None, "{bad}");
    }
}

#[test]
fn no_debug_output_shows_a_code_state_verifier_nonce_or_token() {
    let secrets = [
        "code-0.AXsecret",
        "state-secret",
        "verifier-secret",
        "nonce-secret",
        "id-token-secret",
        "access-secret",
        "refresh-secret",
    ];
    let pending = PendingSignIn {
        verifier: "verifier-secret".into(),
        nonce: "nonce-secret".into(),
        return_to: "/requests".into(),
        started_ms: 1.0,
        for_permission: None,
    };
    let response: PlatformTokenResponse = serde_json::from_str(
        r#"{"access_token":"access-secret","token_type":"Bearer","expires_in":3600,
                "refresh_token":"refresh-secret","id_token":"id-token-secret"}"#,
    )
    .unwrap();
    let texts = [
        format!("{pending:?}"),
        format!("{:?}", response.extra_fields()),
        format!("{response:?}"),
        format!(
            "{:?}",
            parse_redirect("code=code-0.AXsecret&state=state-secret")
        ),
        format!(
            "{:?}",
            parse_redirect("error=access_denied&state=state-secret")
        ),
    ];
    for text in &texts {
        assert!(text.contains(REDACTED), "{text}");
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    assert!(texts[0].contains("/requests"), "the rest still shows");
}

#[test]
fn a_pending_sign_in_round_trips_and_a_damaged_one_is_dropped() {
    let p = PendingSignIn {
        verifier: "v".repeat(43),
        nonce: "n".into(),
        return_to: "/requests?view=failed&q=\"x\"".into(),
        started_ms: 1_700_000_000_123.0,
        for_permission: Some(Permission::Audit),
    };
    assert_eq!(PendingSignIn::from_json(&p.to_json()), Some(p));
    let earlier = r#"{"verifier":"v","nonce":"n","return_to":"/","started_ms":5.0}"#;
    assert_eq!(
        PendingSignIn::from_json(earlier).map(|p| p.started_ms),
        Some(5.0)
    );
    assert_eq!(
        PendingSignIn::from_json(r#"{"verifier":"v","nonce":"n"}"#),
        None
    );
}
