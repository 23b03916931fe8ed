//! Reusable views.

pub mod config_error;
pub mod header;
