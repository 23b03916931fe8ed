//! The page header: app name, where it points, and the account control.

use leptos::prelude::*;

use crate::config::Config;
use crate::i18n::{Msg, t};

/// The site header. Reads the [`Config`] from context.
#[component]
pub fn Header() -> impl IntoView {
    let config = expect_context::<Config>();
    let cloud = config.cloud.config_name();
    view! {
        <header class="site-header">
            <a class="brand" href="./">{t(Msg::AppName)}</a>
            <dl class="environment">
                <dt>{t(Msg::CloudLabel)}</dt>
                <dd data-testid="cloud">{cloud}</dd>
                <dt>{t(Msg::TenantLabel)}</dt>
                <dd data-testid="tenant">{config.tenant.clone()}</dd>
            </dl>
            <button type="button" class="primary" data-testid="sign-in">{t(Msg::SignIn)}</button>
        </header>
    }
}
