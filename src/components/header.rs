//! The page header: app name, the tenant and cloud it points at, and the account.

use leptos::prelude::*;

use crate::auth::{Auth, current_view};
use crate::config::Config;
use crate::i18n::{Msg, t};

/// The site header. Reads [`Config`] and [`Auth`] from context.
#[component]
pub fn Header() -> impl IntoView {
    let config = expect_context::<Config>();
    let auth = expect_context::<Auth>();
    let account = auth.account;
    let cloud = config.cloud.config_name();
    let sign_in = {
        let auth = auth.clone();
        move |_| {
            let _ = auth.sign_in(&current_view());
        }
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
