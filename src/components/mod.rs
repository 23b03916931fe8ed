//! Reusable views.

pub mod actions;
pub mod bulk;
pub mod config_error;
pub mod consent;
pub mod detail;
pub mod export;
pub mod filters;
pub mod graph_problem;
pub mod header;
pub mod list;
pub mod overview;
pub mod packages;
pub mod shortcuts;
pub mod sign_in_error;
pub mod trail;
