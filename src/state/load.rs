//! Asynchronous loads as plain signals.
//!
//! `LocalResource` + `<Suspense>` would do the same, but every resource type instantiates
//! Leptos's async-derived machinery again: with five of them the wasm carried ~48 KB of it
//! (~20 KB gzip), a tenth of the first-visit budget. A signal that starts as `None` and is
//! set when the future ends costs a fraction of that.
//!
//! ```ignore
//! let catalogs = load(get_json(&auth, &url));
//! view! { {move || match catalogs.get() { None => "Loading…".into_any(), Some(r) => … }} }
//! ```

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

/// The answer of `future`: `None` until it ends.
pub fn load<T, F>(future: F) -> ReadSignal<Option<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = T> + 'static,
{
    let (answer, set_answer) = signal(None);
    spawn_local(async move {
        let value = future.await;
        // The page may have been left while the call ran: then there is no one to tell.
        set_answer.try_set(Some(value));
    });
    answer
}
