//! The identity platform's own pages: the account picker, the consent prompt, errors.
//! Plain HTML forms posting back to the authorize endpoint, every value escaped.

use axum::response::{Html, IntoResponse, Response};

use super::AadError;
use crate::Shared;
use crate::clock::aad_timestamp;

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A page of the sign-in flow. Its icon is empty, so a browser asks for no `/favicon.ico`
/// (a 404 in the console of every sign-in).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title>\
<link rel=\"icon\" href=\"data:,\">\
<style>body{{font-family:system-ui,sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;color:#1b1b1f}}\
button{{display:block;width:100%;text-align:left;margin:.5rem 0;padding:.75rem 1rem;font:inherit;border:1px solid #8a8886;border-radius:4px;background:#fff;cursor:pointer}}\
button:focus-visible{{outline:3px solid #ffb900}}.role{{color:#5b5b66;font-size:.9rem;display:block}}.error{{border-left:4px solid #a4262c;padding-left:1rem}}\
code{{overflow-wrap:anywhere}}</style></head><body><p><strong>entra-sandbox</strong> · local Microsoft identity platform</p>{body}</body></html>",
        t = escape(title)
    )
}

pub(super) fn error_page(s: &Shared, e: &AadError) -> Response {
    let (trace, correlation) = (s.new_guid(), s.new_guid());
    let body = format!(
        "<main class=\"error\" role=\"alert\"><h1>Sign-in error</h1><p data-testid=\"aad-error\">AADSTS{}: {}</p><p>Trace ID: <code>{trace}</code><br>Correlation ID: <code>{correlation}</code><br>Timestamp: {}</p></main>",
        e.code,
        escape(&e.message),
        aad_timestamp(s.clock.now())
    );
    (e.status, Html(page("Sign-in error", &body))).into_response()
}

/// The account picker of a pending sign-in (`txn`) that asks for `scopes`.
pub(super) fn pick_account(s: &Shared, txn: &str, scopes: &str) -> Response {
    let mut buttons = String::new();
    for (i, a) in s.accounts.iter().enumerate() {
        buttons.push_str(&format!(
            "<button type=\"submit\" name=\"account\" value=\"{i}\" data-account=\"{u}\">{n} — {u}<span class=\"role\">{r}</span></button>",
            u = escape(&a.username),
            n = escape(&a.name),
            r = escape(&a.roles_label()),
        ));
    }
    let body = format!(
        "<main><h1>Pick an account</h1><p>The application <code>{client}</code> asks to sign you in to tenant <code>{tenant}</code> with: <code>{scopes}</code></p>\
<form method=\"post\"><input type=\"hidden\" name=\"txn\" value=\"{txn}\">{buttons}\
<button type=\"submit\" name=\"account\" value=\"cancel\">Cancel sign-in</button></form></main>",
        client = escape(&s.tenant.client_id),
        tenant = escape(&s.tenant.domain),
        scopes = escape(scopes),
        txn = escape(txn),
    );
    Html(page("Sign in to your account", &body)).into_response()
}

/// The consent prompt: account `index` is asked to let the app use `missing`, Graph
/// permissions nobody consented to for it yet.
pub(super) fn ask_consent(s: &Shared, txn: &str, index: usize, missing: &[String]) -> Response {
    let a = &s.accounts[index];
    let items: String = missing
        .iter()
        .map(|p| {
            format!(
                "<li><code data-testid=\"consent-permission\">{}</code></li>",
                escape(p)
            )
        })
        .collect();
    let body = format!(
        "<main><h1>Permissions requested</h1><p>Signed in as <strong>{user}</strong>. The application <code>{client}</code> asks for permissions nobody has consented to for it yet:</p>\
<ul>{items}</ul><p>Accepting lets the application use them on your behalf, now and in later sessions.</p>\
<form method=\"post\"><input type=\"hidden\" name=\"txn\" value=\"{txn}\"><input type=\"hidden\" name=\"account\" value=\"{index}\">\
<button type=\"submit\" name=\"consent\" value=\"accept\" data-testid=\"consent-accept\">Accept</button>\
<button type=\"submit\" name=\"consent\" value=\"cancel\" data-testid=\"consent-cancel\">Cancel</button></form></main>",
        user = escape(&a.username),
        client = escape(&s.tenant.client_id),
        txn = escape(txn),
    );
    Html(page("Permissions requested", &body)).into_response()
}
