use super::*;

const CLIENT: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";

fn parse(json: serde_json::Value) -> Result<Config, Vec<ConfigError>> {
    Config::parse(&json.to_string())
}

fn minimal() -> serde_json::Value {
    serde_json::json!({
        "clientId": CLIENT,
        "tenantId": "contoso.onmicrosoft.com",
        "redirectUri": "https://admin.contoso.com/access-desk/"
    })
}

#[test]
fn minimal_config_defaults_to_global_v1_session_storage_and_least_privilege() {
    let cfg = parse(minimal()).unwrap();
    assert_eq!(cfg.cloud, Cloud::Global);
    assert_eq!(cfg.graph_version, GraphVersion::V1);
    assert_eq!(cfg.token_storage, TokenStorage::Session);
    assert_eq!(
        cfg.authority(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com"
    );
    // Sign-in reads; acting asks for ReadWrite.All later (Microsoft's permission
    // reference: Read.All is the least privilege of every read the app makes).
    assert_eq!(
        cfg.scopes,
        [
            "https://graph.microsoft.com/EntitlementManagement.Read.All",
            "openid",
            "profile",
            "offline_access"
        ]
    );
    assert_eq!(
        cfg.action_scopes,
        ["https://graph.microsoft.com/EntitlementManagement.ReadWrite.All"]
    );
    // The audit log's permissions are not asked at sign-in, nor with acting.
    assert_eq!(
        cfg.audit_scopes,
        [
            "https://graph.microsoft.com/AuditLog.Read.All",
            "https://graph.microsoft.com/Directory.Read.All"
        ]
    );
    assert!(!cfg.scopes.iter().any(|s| s.contains("AuditLog")));
    assert!(!cfg.read_only);
}

#[test]
fn a_deployment_can_be_read_only_and_name_its_action_scopes() {
    let mut json = minimal();
    json["readOnly"] = serde_json::json!(true);
    json["actionScopes"] = serde_json::json!(["api://x/Act"]);
    let cfg = parse(json).unwrap();
    assert!(cfg.read_only);
    assert_eq!(cfg.action_scopes, ["api://x/Act"]);
    let mut json = minimal();
    json["readOnly"] = serde_json::json!("yes");
    json["actionScopes"] = serde_json::json!("x y");
    let errors = parse(json).unwrap_err();
    assert!(errors.contains(&ConfigError::Invalid {
        field: "readOnly",
        value: "\"yes\"".into(),
        expected: Msg::ConfigExpectBool
    }));
    assert!(errors.iter().any(|e| matches!(
        e,
        ConfigError::Invalid {
            field: "actionScopes",
            ..
        }
    )));
}

#[test]
fn each_national_cloud_uses_its_own_hosts_and_scope_host() {
    for (name, login, graph) in [
        (
            "usgov-l4",
            "https://login.microsoftonline.us",
            "https://graph.microsoft.us",
        ),
        (
            "usgov-l5-dod",
            "https://login.microsoftonline.us",
            "https://dod-graph.microsoft.us",
        ),
        (
            "china",
            "https://login.chinacloudapi.cn",
            "https://microsoftgraph.chinacloudapi.cn",
        ),
    ] {
        let mut json = minimal();
        json["cloud"] = name.into();
        let cfg = parse(json).unwrap();
        assert_eq!(cfg.authority_host, login, "{name}");
        assert_eq!(cfg.graph_base, graph, "{name}");
        assert!(cfg.scopes[0].starts_with(graph), "{name}: {:?}", cfg.scopes);
    }
}

#[test]
fn custom_cloud_takes_explicit_hosts_and_the_rules_of_the_cloud_it_acts_as() {
    let mut json = minimal();
    json["cloud"] = "custom".into();
    json["custom"] = serde_json::json!({
        "authorityHost": "http://127.0.0.1:8081/",
        "graphHost": "http://127.0.0.1:8081",
        "actsAs": "global"
    });
    json["redirectUri"] = "http://127.0.0.1:8080/".into();
    let cfg = parse(json).unwrap();
    assert_eq!(cfg.cloud, Cloud::Global);
    assert!(cfg.custom_hosts);
    assert_eq!(cfg.authority_host, "http://127.0.0.1:8081");
    assert_eq!(
        cfg.discovery_url(),
        "http://127.0.0.1:8081/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
    );
}

#[test]
fn a_custom_block_of_the_wrong_shape_names_the_field_and_shows_the_value() {
    let mut json = minimal();
    json["cloud"] = "custom".into();
    json["custom"] = serde_json::json!(["https://login.example.com"]);
    let errors = parse(json.clone()).unwrap_err();
    assert!(
        matches!(
            &errors[..],
            [ConfigError::Invalid {
                field: "custom",
                ..
            }]
        ),
        "{errors:?}"
    );
    json["custom"] = serde_json::json!({
        "authorityHost": 42,
        "graphHost": "https://graph.example.com",
        "actsAs": true
    });
    let errors = parse(json).unwrap_err();
    let shown: Vec<(String, String)> = errors
        .iter()
        .filter_map(|e| match e {
            ConfigError::Invalid { field, value, .. } => Some((field.to_string(), value.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("custom.authorityHost".to_string(), "42".to_string()),
            ("custom.actsAs".to_string(), "true".to_string())
        ],
        "{errors:?}"
    );
}

#[test]
fn custom_cloud_refuses_plain_http_to_a_remote_host() {
    let mut json = minimal();
    json["cloud"] = "custom".into();
    json["custom"] = serde_json::json!({
        "authorityHost": "http://login.example.com",
        "graphHost": "https://graph.example.com/v1.0",
        "actsAs": "mars"
    });
    let errors = parse(json).unwrap_err();
    let fields: Vec<String> = errors
        .iter()
        .map(|e| match e {
            ConfigError::Invalid { field, .. } => field.to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        fields,
        ["custom.authorityHost", "custom.graphHost", "custom.actsAs"]
    );
}

fn custom(authority: &str, graph: &str) -> Result<Config, Vec<ConfigError>> {
    let mut json = minimal();
    json["cloud"] = "custom".into();
    json["custom"] = serde_json::json!({
        "authorityHost": authority,
        "graphHost": graph,
        "actsAs": "global"
    });
    parse(json)
}

#[test]
fn a_microsoft_sign_in_host_goes_only_with_its_clouds_graph() {
    for (login, graph) in [
        (
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com",
        ),
        (
            "https://login.microsoft.com/",
            "https://GRAPH.microsoft.com",
        ),
        (
            "https://login.microsoftonline.us",
            "https://graph.microsoft.us",
        ),
        (
            "https://login.microsoftonline.us",
            "https://dod-graph.microsoft.us",
        ),
        (
            "https://login.chinacloudapi.cn",
            "https://microsoftgraph.chinacloudapi.cn",
        ),
        (
            "https://login.partner.microsoftonline.cn",
            "https://microsoftgraph.chinacloudapi.cn",
        ),
        // Neither is Microsoft's: a private endpoint, or the sandbox on this machine.
        ("https://login.example.com", "https://graph.example.com"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081"),
        ("http://localhost:8081", "http://127.0.0.1:9000"),
    ] {
        assert!(custom(login, graph).is_ok(), "{login} with {graph}");
    }
    for (login, graph) in [
        ("https://login.microsoftonline.com", "http://127.0.0.1:8081"),
        (
            "https://login.microsoftonline.com",
            "https://graph.example.com",
        ),
        (
            "https://login.microsoftonline.com",
            "https://graph.microsoft.us",
        ),
        (
            "https://Login.MicrosoftOnline.com",
            "https://microsoftgraph.chinacloudapi.cn",
        ),
        ("https://login.windows.net", "https://graph.evil.example"),
        (
            "https://login.microsoftonline.us",
            "https://graph.microsoft.com",
        ),
        (
            "https://login.chinacloudapi.cn",
            "https://graph.microsoft.com",
        ),
        (
            "https://login.partner.microsoftonline.cn",
            "http://localhost:8081",
        ),
    ] {
        let errors = custom(login, graph).unwrap_err();
        assert_eq!(
            errors,
            vec![ConfigError::Invalid {
                field: "custom.graphHost",
                value: graph.trim_end_matches('/').to_string(),
                expected: Msg::ConfigGraphOfAuthority,
            }],
            "{login} with {graph}"
        );
        let text = errors[0].to_string();
        assert!(
            text.contains("custom.graphHost") && text.contains("https://graph.microsoft.com"),
            "{text}"
        );
    }
}

#[test]
fn microsoft_graph_goes_only_with_a_microsoft_sign_in_host() {
    for (login, graph) in [
        ("http://127.0.0.1:8081", "https://graph.microsoft.com"),
        ("https://login.example.com", "https://graph.microsoft.us"),
        (
            "https://login.microsoftonline.com.evil.example",
            "https://graph.microsoft.com",
        ),
        (
            "http://localhost:8081",
            "https://microsoftgraph.chinacloudapi.cn",
        ),
        (
            "https://login.microsoftonline.de",
            "https://dod-graph.microsoft.us",
        ),
    ] {
        let errors = custom(login, graph).unwrap_err();
        assert_eq!(
            errors,
            vec![ConfigError::Invalid {
                field: "custom.authorityHost",
                value: login.to_string(),
                expected: Msg::ConfigAuthorityOfGraph,
            }],
            "{login} with {graph}"
        );
        let text = errors[0].to_string();
        assert!(
            text.contains("custom.authorityHost")
                && text.contains("https://login.microsoftonline.com"),
            "{text}"
        );
    }
}

#[test]
fn missing_fields_are_all_reported_at_once() {
    let errors = Config::parse("{}").unwrap_err();
    assert_eq!(
        errors,
        vec![
            ConfigError::Missing("clientId"),
            ConfigError::Missing("tenantId"),
            ConfigError::Missing("redirectUri"),
        ]
    );
}

#[test]
fn not_json_is_a_syntax_error_with_position() {
    let errors = Config::parse("{\"clientId\": ").unwrap_err();
    assert!(
        matches!(&errors[0], ConfigError::Syntax(m) if m.contains("line 1")),
        "{errors:?}"
    );
    assert_eq!(Config::parse("[]").unwrap_err(), [ConfigError::NotAnObject]);
}

#[test]
fn personal_account_tenants_are_refused() {
    for tenant in ["common", "consumers", "not a tenant", "-bad.com", "x"] {
        let mut json = minimal();
        json["tenantId"] = tenant.into();
        let errors = parse(json).unwrap_err();
        assert!(
            matches!(
                &errors[0],
                ConfigError::Invalid {
                    field: "tenantId",
                    ..
                }
            ),
            "{tenant}: {errors:?}"
        );
    }
    for tenant in [
        "organizations",
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "contoso.com",
    ] {
        let mut json = minimal();
        json["tenantId"] = tenant.into();
        assert!(parse(json).is_ok(), "{tenant}");
    }
}

#[test]
fn client_id_must_be_a_guid() {
    let mut json = minimal();
    json["clientId"] = "my-app".into();
    assert!(matches!(
        &parse(json).unwrap_err()[0],
        ConfigError::Invalid {
            field: "clientId",
            ..
        }
    ));
}

#[test]
fn redirect_uri_must_be_https_except_on_localhost() {
    for bad in [
        "http://admin.contoso.com/",
        "/relative",
        "https://a.com/#frag",
        "javascript:alert(1)",
    ] {
        let mut json = minimal();
        json["redirectUri"] = bad.into();
        assert!(parse(json).is_err(), "{bad}");
    }
    for good in [
        "http://localhost:8080/",
        "http://127.0.0.1:8080/app/",
        "https://a.com/x",
    ] {
        let mut json = minimal();
        json["redirectUri"] = good.into();
        assert!(parse(json).is_ok(), "{good}");
    }
}

#[test]
fn the_url_splitter_is_strict_about_what_it_accepts() {
    let u = split_http_url("https://admin.contoso.com:8443/access-desk/?x=1#f").unwrap();
    assert_eq!(
        (u.secure, u.host, u.path, u.has_query, u.has_fragment),
        (true, "admin.contoso.com", "/access-desk/", true, true)
    );
    assert_eq!(split_http_url("http://[::1]:8080/").unwrap().host, "[::1]");
    for bad in [
        "ftp://a.com/",
        "https://",
        "https://user@a.com/",
        "https://a..com/",
        "https://a.com:port/",
        "https://a.com:123456/",
        "https://a com/",
        "https://a.com/pa th",
        "https://[zz]/",
        "//a.com/",
    ] {
        assert_eq!(split_http_url(bad), None, "{bad}");
    }
}

#[test]
fn unknown_fields_and_bad_enums_are_reported_not_ignored() {
    let mut json = minimal();
    json["clientID"] = CLIENT.into();
    json["graphVersion"] = "v2".into();
    json["tokenStorage"] = "cookies".into();
    json["cloud"] = "azure".into();
    let errors = parse(json).unwrap_err();
    assert!(errors.contains(&ConfigError::Unknown("clientID".into())));
    for field in ["graphVersion", "tokenStorage", "cloud"] {
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, ConfigError::Invalid { field: f, .. } if *f == field)),
            "{field}: {errors:?}"
        );
    }
}

#[test]
fn beta_is_refused_outside_the_global_cloud() {
    // graph-metadata.md: beta-USNat's entitlementManagement has only the accessPackage…
    // collections, none of assignmentRequests, assignments, catalogs.
    for cloud in ["usgov-l4", "usgov-l5-dod", "china"] {
        let mut json = minimal();
        json["cloud"] = cloud.into();
        json["graphVersion"] = "beta".into();
        let errors = parse(json).unwrap_err();
        assert_eq!(errors.len(), 1, "{cloud}: {errors:?}");
        let text = errors[0].to_string();
        assert!(
            text.contains("graphVersion") && text.contains("v1.0") && text.contains("catalogs"),
            "{cloud}: {text}"
        );
    }
    // A custom endpoint acting as a national cloud is held to the same surface.
    let mut json = minimal();
    json["cloud"] = "custom".into();
    json["graphVersion"] = "beta".into();
    json["custom"] = serde_json::json!({
        "authorityHost": "http://127.0.0.1:8081/",
        "graphHost": "http://127.0.0.1:8081/",
        "actsAs": "china",
    });
    assert!(parse(json.clone()).is_err());
    json["custom"]["actsAs"] = "global".into();
    assert_eq!(parse(json).unwrap().graph_version, GraphVersion::Beta);
    let mut global = minimal();
    global["graphVersion"] = "beta".into();
    assert!(parse(global).is_ok());
}

#[test]
fn error_messages_name_the_field_and_the_expectation() {
    let mut json = minimal();
    json["graphVersion"] = "v2".into();
    let text = parse(json).unwrap_err()[0].to_string();
    assert!(
        text.contains("graphVersion") && text.contains("\"v2\"") && text.contains("beta"),
        "{text}"
    );
}
