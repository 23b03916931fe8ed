//! One module per page.

pub mod assignment;
pub mod assignments;
pub mod home;
pub mod not_found;
pub mod request;
pub mod requests;
