//! Hooks and state the pages share, without markup: a list page's view, plan, pager and
//! rows (`list`), and the session's directory of catalogs, packages and policies
//! (`directory`).

pub mod directory;
pub mod list;
