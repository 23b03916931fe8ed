//! One module per page.

pub mod home;
pub mod not_found;
pub mod packages;
pub mod request;
pub mod requests;
