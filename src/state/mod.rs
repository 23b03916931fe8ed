//! Hooks and state the pages share, without markup: a list page's view, plan, pager and
//! rows (`list`), the session's directory of catalogs, packages and policies
//! (`directory`), the start page's count (`overview`), and a future as a signal (`load`).

pub mod directory;
pub mod list;
pub mod load;
pub mod overview;
