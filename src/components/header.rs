//! The page header: app name, the tenant and cloud it points at, and the account.

use leptos::prelude::*;

use leptos::task::spawn_local;

use crate::auth::{Auth, current_view};
use crate::boot::use_language;
use crate::components::sign_in_error::start_sign_in;
use crate::config::Config;
use crate::i18n::{Lang, Msg, lang, t};

/// Counts language switches: the layout is drawn again (in the new language) each time.
/// The app provides it; the picker bumps it.
#[derive(Clone, Copy)]
pub struct LanguageSwitches(pub RwSignal<u32>);

/// The language picker: each language named in itself. Switching reads its file (once a
/// session), draws the page again in it, keeps the address (the view), remembers the
/// choice, and puts the focus back on the picker.
#[component]
fn LanguagePicker() -> impl IntoView {
    let switches = expect_context::<LanguageSwitches>().0;
    let problem = expect_context::<RwSignal<Option<String>>>();
    let current = lang();
    let change = move |ev: leptos::ev::Event| {
        let Some(chosen) = Lang::from_code(&event_target_value(&ev)) else {
            return;
        };
        spawn_local(async move {
            match use_language(chosen, true).await {
                Ok(()) => {
                    problem.set(None);
                    switches.update(|n| *n += 1);
                    // Once the page is drawn again, on the new picker.
                    request_animation_frame(|| {
                        if let Some(el) = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.get_element_by_id("language"))
                            .and_then(|e| {
                                wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()
                            })
                        {
                            let _ = el.focus();
                        }
                    });
                }
                Err(why) => problem.set(Some(why.message())),
            }
        });
    };
    view! {
        <label class="language">
            <span class="visually-hidden">{t(Msg::LanguageLabel)}</span>
            <select id="language" name="language" data-testid="language" on:change=change>
                {Lang::ALL.into_iter().map(|l| view! {
                    <option value=l.code() lang=l.code() selected=l == current>{l.own_name()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The site header. Reads [`Config`] and [`Auth`] from context.
#[component]
pub fn Header() -> impl IntoView {
    let config = expect_context::<Config>();
    let auth = expect_context::<Auth>();
    let account = auth.account;
    let cloud = config.cloud.config_name();
    let sign_in = {
        let auth = auth.clone();
        move |_| start_sign_in(&auth, &current_view())
    };
    let sign_out = move |_| {
        let _ = auth.sign_out();
    };
    view! {
        <header class="site-header">
            <a class="brand" href="./">{t(Msg::AppName)}</a>
            <nav aria-label=t(Msg::MainNavigation)>
                <a href="requests">{t(Msg::NavRequests)}</a>
                <a href="assignments">{t(Msg::NavAssignments)}</a>
            </nav>
            <LanguagePicker />
            <dl class="environment">
                <dt>{t(Msg::CloudLabel)}</dt>
                <dd data-testid="cloud">{cloud}</dd>
                <dt>{t(Msg::TenantLabel)}</dt>
                <dd data-testid="tenant">{config.tenant.clone()}</dd>
            </dl>
            {move || match account.get() {
                Some(a) => view! {
                    <p class="account" data-testid="account">
                        <span class="visually-hidden">{t(Msg::SignedInAs)} " "</span>
                        <strong data-testid="account-name">{a.name}</strong>
                        " "
                        <span data-testid="account-username">{a.username}</span>
                    </p>
                    <button type="button" on:click=sign_out.clone() data-testid="sign-out">{t(Msg::SignOut)}</button>
                }.into_any(),
                None => view! {
                    <button type="button" class="primary" on:click=sign_in.clone() data-testid="sign-in">{t(Msg::SignIn)}</button>
                }.into_any(),
            }}
        </header>
    }
}
