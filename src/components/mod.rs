//! Reusable views.

pub mod config_error;
pub mod header;
pub mod sign_in_error;
