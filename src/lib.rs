//! Access Desk: a browser admin app for Microsoft Entra entitlement management.
//!
//! Pure logic (configuration, identifiers, messages) has no web-sys dependency and is
//! unit-tested natively; the browser parts (`app`, `routes`, `components`, `boot`) are
//! tested with wasm-bindgen-test in headless Chromium and end to end with Playwright.

pub mod actions;
pub mod app;
pub mod auth;
pub mod boot;
pub mod bulk;
pub mod clock;
pub mod components;
pub mod config;
pub mod export;
pub mod follow;
pub mod graph;
pub mod i18n;
pub mod ids;
pub mod intl;
pub mod labels;
pub mod overview;
pub mod query;
pub mod router;
pub mod routes;
pub mod rows;
pub mod rules;
pub mod sort;
