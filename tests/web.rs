//! Browser tests: run in headless Chromium by wasm-bindgen-test-runner
//! (`cargo xtask test`, or `cargo test --target wasm32-unknown-unknown --test web`).

#![cfg(target_arch = "wasm32")]

use access_desk::boot::{BootError, load_config};
use access_desk::components::config_error::ConfigErrorPage;
use access_desk::config::{ConfigError, GraphVersion};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn data_url(json: &str) -> String {
    format!("data:application/json,{}", js_sys_encode(json))
}

fn js_sys_encode(s: &str) -> String {
    String::from(web_sys::js_sys::encode_uri_component(s))
}

#[wasm_bindgen_test]
async fn a_valid_config_json_is_fetched_and_validated() {
    let url = data_url(
        r#"{"clientId":"6731de76-14a6-49ae-97bc-6eba6914391e","tenantId":"organizations",
            "graphVersion":"beta","redirectUri":"https://admin.contoso.com/"}"#,
    );
    let cfg = load_config(url).await.expect("valid config");
    assert_eq!(cfg.graph_version, GraphVersion::Beta);
    assert_eq!(
        cfg.authority(),
        "https://login.microsoftonline.com/organizations"
    );
}

#[wasm_bindgen_test]
async fn a_missing_config_json_is_a_load_error_with_its_status() {
    let url = "/this/does/not/exist/config.json".to_string();
    match load_config(url).await {
        Err(BootError::Load {
            detail: access_desk::boot::LoadProblem::Status(404, _),
            ..
        }) => {}
        other => panic!("expected a load error, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn an_invalid_config_lists_every_problem() {
    match load_config(data_url(r#"{"tenantId":"common"}"#)).await {
        Err(BootError::Invalid { errors, .. }) => {
            assert!(errors.contains(&ConfigError::Missing("clientId")));
            assert!(errors.contains(&ConfigError::Missing("redirectUri")));
            assert!(errors.iter().any(|e| matches!(
                e,
                ConfigError::Invalid {
                    field: "tenantId",
                    ..
                }
            )));
        }
        other => panic!("expected validation errors, got {other:?}"),
    }
}

#[wasm_bindgen_test]
fn the_config_error_page_renders_hostile_values_as_text() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let error = BootError::Invalid {
        url: "https://example.test/config.json".into(),
        errors: vec![ConfigError::Invalid {
            field: "clientId",
            value: "<img src=x onerror=alert(1)>".into(),
            expected: access_desk::i18n::Msg::ConfigExpectClientId,
        }],
    };
    let handle = leptos::mount::mount_to(
        host.clone().dyn_into().unwrap(),
        move || view! { <ConfigErrorPage error=error /> },
    );
    assert!(
        host.query_selector("img").unwrap().is_none(),
        "markup must not be interpreted"
    );
    let text = host.text_content().unwrap();
    assert!(text.contains("<img src=x onerror=alert(1)>"), "{text}");
    assert!(text.contains("https://example.test/config.json"), "{text}");
    assert_eq!(
        host.query_selector("[role=alert]")
            .unwrap()
            .map(|e| e.tag_name()),
        Some("MAIN".to_string())
    );
    drop(handle);
}

mod token_cache {
    use access_desk::auth::storage::Store;
    use access_desk::config::TokenStorage;
    use wasm_bindgen_test::*;

    fn web(local: bool) -> web_sys::Storage {
        let w = web_sys::window().unwrap();
        if local {
            w.local_storage()
        } else {
            w.session_storage()
        }
        .unwrap()
        .unwrap()
    }

    fn clean() {
        web(true).clear().unwrap();
        web(false).clear().unwrap();
    }

    #[wasm_bindgen_test]
    fn session_mode_keeps_tokens_in_session_storage_only() {
        clean();
        let s = Store::new(TokenStorage::Session);
        s.set("access-desk.tokens.x", "t1");
        assert_eq!(
            web(false)
                .get_item("access-desk.tokens.x")
                .unwrap()
                .as_deref(),
            Some("t1")
        );
        assert_eq!(web(true).length().unwrap(), 0, "nothing in localStorage");
        assert_eq!(
            s.keys_with_prefix("access-desk.tokens."),
            vec!["access-desk.tokens.x".to_string()]
        );
        s.remove("access-desk.tokens.x");
        assert_eq!(s.get("access-desk.tokens.x"), None);
    }

    #[wasm_bindgen_test]
    fn local_mode_survives_in_local_storage() {
        clean();
        let s = Store::new(TokenStorage::Local);
        s.set("k", "v");
        assert_eq!(web(true).get_item("k").unwrap().as_deref(), Some("v"));
        assert_eq!(web(false).length().unwrap(), 0);
        s.remove("k");
        assert_eq!(web(true).length().unwrap(), 0);
    }

    #[wasm_bindgen_test]
    fn memory_mode_touches_no_web_storage() {
        clean();
        let s = Store::new(TokenStorage::Memory);
        s.set("k", "v");
        assert_eq!(s.get("k").as_deref(), Some("v"));
        assert_eq!(
            web(true).length().unwrap() + web(false).length().unwrap(),
            0
        );
        assert_eq!(
            Store::new(TokenStorage::Session).get("k"),
            None,
            "modes do not share"
        );
        s.remove("k");
        assert_eq!(s.get("k"), None);
    }

    #[wasm_bindgen_test]
    fn tokens_are_read_for_their_own_authority_tenant_and_client_only() {
        use access_desk::auth::Auth;
        use access_desk::auth::protocol::Account;
        use access_desk::auth::tokens::TokenSet;
        use access_desk::config::Config;
        use leptos::prelude::*;

        clean();
        let config = |tenant: &str| {
            Config::parse(&format!(
                r#"{{"clientId":"6731de76-14a6-49ae-97bc-6eba6914391e","tenantId":"{tenant}",
                    "redirectUri":"https://admin.contoso.com/"}}"#
            ))
            .unwrap()
        };
        let ours = config("72f988bf-86f1-41af-91ab-2d7cd011db47");
        let entry = TokenSet {
            access_token: "at".into(),
            issued_at: 0.0,
            expires_at: 1.0,
            refresh_token: None,
            account: Account {
                name: "Adele Vance".into(),
                username: "adele@contoso.com".into(),
                tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
                object_id: "o".into(),
            },
        }
        .to_json();
        // The keys are written out, not made by the app's key functions (the functions
        // under test): an earlier build's key is the client id only, today's names the
        // authority host, the tenant and the client.
        let legacy = "access-desk.tokens.6731de76-14a6-49ae-97bc-6eba6914391e";
        let key = "access-desk.tokens.https://login.microsoftonline.com|\
                   72f988bf-86f1-41af-91ab-2d7cd011db47|6731de76-14a6-49ae-97bc-6eba6914391e";
        // An earlier build's entry (client id only) may be any tenant's: dropped unread.
        web(false).set_item(legacy, &entry).unwrap();
        assert_eq!(Auth::new(ours.clone()).account.get_untracked(), None);
        assert_eq!(web(false).get_item(legacy).unwrap(), None);
        // Its own entry is read; another tenant's config on this origin does not see it.
        web(false).set_item(key, &entry).unwrap();
        assert_eq!(
            Auth::new(ours).account.get_untracked().map(|a| a.username),
            Some("adele@contoso.com".to_string())
        );
        assert_eq!(
            Auth::new(config("organizations")).account.get_untracked(),
            None
        );
        clean();
    }
}

/// Search and sort lower-case by the browser's tables (intl::lowercase): they must agree
/// with Unicode's default case mapping as Rust implements it, so a search finds the same
/// rows in the app as in the native tests.
#[wasm_bindgen_test]
fn the_browser_lowercases_as_rust_does() {
    for s in [
        "Ada LOVELACE",
        "ÉLODIE Béranger",
        "ΟΔΟΣ Σ ΣΑ",
        "İstanbul IŞIK",
        "ǅemal ǄUNIĆ",
        "张伟 Wang",
        "ẞ Straße",
        "𐐀𐐁 Deseret",
    ] {
        assert_eq!(access_desk::intl::lowercase(s), s.to_lowercase(), "{s}");
    }
}
