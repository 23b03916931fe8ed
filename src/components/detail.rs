//! A detail page's body: one item of a collection, read by id. Shared by the request and
//! the assignment pages, so both load and report the same way.

use leptos::prelude::*;
use serde_json::Value;

use crate::auth::Auth;
use crate::components::graph_problem::GraphProblem;
use crate::config::Config;
use crate::graph::resources::{Collection, Endpoint};
use crate::graph::{GraphFailure, get_json};
use crate::i18n::{Msg, t};
use crate::router::RouteId;
use crate::state::load::load;

/// What reading an item by id gave (the signal holds `None` until it ends).
#[derive(Clone, Debug)]
pub enum Item {
    /// The id in the address is not a GUID: nothing was sent.
    NotAnId,
    /// Graph's answer.
    Read(Result<Value, GraphFailure>),
}

/// Reads item `id` of `collection` with its item `$expand`. A malformed id never reaches
/// a URL: it has no [`crate::ids::Guid`].
pub fn load_item(collection: Collection, id: &RouteId) -> ReadSignal<Option<Item>> {
    let auth = expect_context::<Auth>();
    let config = expect_context::<Config>();
    let url = id
        .as_ref()
        .ok()
        .map(|id| Endpoint::of(&config).item(collection, id));
    load(async move {
        match url {
            None => Item::NotAnId,
            Some(url) => Item::Read(get_json(&auth, &url).await),
        }
    })
}

/// The body for `data`: loading, the malformed-id notice (`not_an_id`, then the id as
/// typed), Graph's failure, or `found` with the item's JSON.
pub fn item_view(
    data: ReadSignal<Option<Item>>,
    not_an_id: Msg,
    id: RouteId,
    found: fn(Value) -> AnyView,
) -> impl IntoView {
    let typed = match id {
        Ok(g) => g.to_string(),
        Err(text) => text,
    };
    move || {
        match data.get() {
        None => view! { <p role="status">{t(Msg::Loading)}</p> }.into_any(),
        Some(Item::NotAnId) => view! {
            <p class="notice warn" role="alert" data-testid="bad-id">{t(not_an_id)} " " <code>{typed.clone()}</code></p>
        }
        .into_any(),
        Some(Item::Read(Err(e))) => view! { <GraphProblem failure=e /> }.into_any(),
        Some(Item::Read(Ok(json))) => found(json),
    }
    }
}
