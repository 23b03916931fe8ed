//! Where tokens live: sessionStorage by default, or memory, or localStorage (config
//! `tokenStorage`). Temporary sign-in entries always live in sessionStorage.
//!
//! ```no_run
//! use access_desk::auth::storage::Store;
//! use access_desk::config::TokenStorage;
//! let store = Store::new(TokenStorage::Session);
//! store.set("k", "v");
//! assert_eq!(store.get("k").as_deref(), Some("v"));
//! ```

use std::cell::RefCell;

use crate::config::TokenStorage;

thread_local! {
    // A handful of entries at most (one token set, a pending sign-in or two): a list,
    // which costs the bundle less than a HashMap with its hasher.
    static MEMORY: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
    /// Set by sign-out: from then on this page writes nothing (see [`seal`]).
    static SEALED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// After sign-out has cleared the stores, the page is leaving for the identity platform:
/// a task still running (a count finishing, a list recording a refused filter) must not
/// write the signed-out account's data back. Every later [`Store::set`] does nothing.
pub fn seal() {
    SEALED.with(|s| s.set(true));
}

/// A key-value store of one of the three kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Store {
    kind: TokenStorage,
}

fn web_storage(kind: TokenStorage) -> Option<web_sys::Storage> {
    let w = web_sys::window()?;
    match kind {
        TokenStorage::Session => w.session_storage().ok().flatten(),
        TokenStorage::Local => w.local_storage().ok().flatten(),
        TokenStorage::Memory => None,
    }
}

impl Store {
    pub fn new(kind: TokenStorage) -> Store {
        Store { kind }
    }

    /// The store for temporary sign-in entries (state, nonce, verifier).
    pub fn session() -> Store {
        Store::new(TokenStorage::Session)
    }

    pub fn get(&self, key: &str) -> Option<String> {
        match self.kind {
            TokenStorage::Memory => MEMORY.with(|m| {
                m.borrow()
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
            }),
            kind => web_storage(kind)?.get_item(key).ok().flatten(),
        }
    }

    pub fn set(&self, key: &str, value: &str) {
        if SEALED.with(|s| s.get()) {
            return;
        }
        match self.kind {
            TokenStorage::Memory => MEMORY.with(|m| {
                let mut m = m.borrow_mut();
                m.retain(|(k, _)| k != key);
                m.push((key.to_string(), value.to_string()));
            }),
            kind => {
                if let Some(s) = web_storage(kind) {
                    let _ = s.set_item(key, value);
                }
            }
        }
    }

    pub fn remove(&self, key: &str) {
        match self.kind {
            TokenStorage::Memory => MEMORY.with(|m| m.borrow_mut().retain(|(k, _)| k != key)),
            kind => {
                if let Some(s) = web_storage(kind) {
                    let _ = s.remove_item(key);
                }
            }
        }
    }

    /// Keys starting with `prefix`.
    pub fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        match self.kind {
            TokenStorage::Memory => MEMORY.with(|m| {
                m.borrow()
                    .iter()
                    .filter(|(k, _)| k.starts_with(prefix))
                    .map(|(k, _)| k.clone())
                    .collect()
            }),
            kind => {
                let Some(s) = web_storage(kind) else {
                    return Vec::new();
                };
                let n = s.length().unwrap_or(0);
                (0..n)
                    .filter_map(|i| s.key(i).ok().flatten())
                    .filter(|k| k.starts_with(prefix))
                    .collect()
            }
        }
    }
}
