//! A detail page's body: one item of a collection, read by id. Shared by the request and
//! the assignment pages, so both check the id, load and report the same way.

use leptos::prelude::*;
use serde_json::Value;

use crate::auth::Auth;
use crate::components::graph_problem::GraphProblem;
use crate::components::load::load;
use crate::config::Config;
use crate::graph::{GraphFailure, em_url, get_json};
use crate::i18n::{Msg, t};
use crate::ids::is_guid;

/// An item as it loads: `None` until the call ends; then `None` for an id that is not a
/// GUID (never sent), or Graph's answer.
pub type Item = Option<Option<Result<Value, GraphFailure>>>;

/// Reads `{collection}/{id}?$expand={expand}` under entitlement management. A malformed
/// id never reaches a URL.
pub fn load_item(collection: &str, id: &str, expand: &str) -> ReadSignal<Item> {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    let url = is_guid(id).then(|| {
        format!(
            "{}?$expand={expand}",
            em_url(&config, &format!("{collection}/{id}"))
        )
    });
    load(async move {
        match url {
            None => None,
            Some(url) => Some(get_json(&auth, &url).await),
        }
    })
}

/// The body for `data`: loading, the malformed-id notice (`not_an_id`, then the id as
/// typed), Graph's failure, or `found` with the item's JSON.
pub fn item_view(
    data: ReadSignal<Item>,
    not_an_id: Msg,
    id: String,
    found: fn(Value) -> AnyView,
) -> impl IntoView {
    move || {
        match data.get() {
        None => view! { <p role="status">{t(Msg::Loading)}</p> }.into_any(),
        Some(None) => view! {
            <p class="notice warn" role="alert" data-testid="bad-id">{t(not_an_id)} " " <code>{id.clone()}</code></p>
        }
        .into_any(),
        Some(Some(Err(e))) => view! { <GraphProblem failure=e /> }.into_any(),
        Some(Some(Ok(json))) => found(json),
    }
    }
}
