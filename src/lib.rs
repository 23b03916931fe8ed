//! Access Desk: a browser admin app for Microsoft Entra entitlement management.
//!
//! Pure logic (configuration, identifiers, messages) has no web-sys dependency and is
//! unit-tested natively; the browser parts (`app`, `routes`, `components`, `boot`) are
//! tested with wasm-bindgen-test in headless Chromium and end to end with Playwright.

pub mod actions;
#[cfg(feature = "browser")]
pub mod app;
pub mod audit;
#[cfg(feature = "browser")]
pub mod auth;
#[cfg(feature = "browser")]
pub mod boot;
pub mod bulk;
#[cfg(feature = "browser")]
pub mod clock;
#[cfg(feature = "browser")]
pub mod components;
pub mod config;
pub mod directory;
pub mod export;
pub mod follow;
#[cfg(feature = "browser")]
pub mod graph;
/// Without the browser feature, Graph's pure half only: no client, no `Auth`.
#[cfg(not(feature = "browser"))]
pub mod graph {
    pub mod error;
    pub mod models;
    pub mod plan;
    pub mod resources;
    pub mod retry;
    pub use error::GraphError;
}
pub mod i18n;
pub mod ids;
pub mod intl;
pub mod labels;
pub mod overview;
pub mod query;
#[cfg(feature = "browser")]
pub mod router;
#[cfg(feature = "browser")]
pub mod routes;
pub mod rows;
pub mod rules;
pub mod sort;
#[cfg(feature = "browser")]
pub mod state;
