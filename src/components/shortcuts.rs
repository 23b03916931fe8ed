//! Keyboard shortcuts on the list pages, for an admin going through a morning's queue:
//! `/` search, `j`/`k` next and previous row, Enter opens it, `x` ticks it for bulk, `?`
//! this help. None of them acts while the admin types in a field or holds a modifier
//! (Ctrl+K or a screen reader's own keys stay theirs).
//!
//! The current row is the one holding focus: its link is focused, so Enter opens it the
//! way any link does and a screen reader reads the row as the admin moves.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::{Msg, t};
use crate::state::list::ROW_HEIGHT;

/// What a key does on a list page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    Search,
    Next,
    Previous,
    Toggle,
    Help,
}

impl Shortcut {
    /// The shortcut of `key` pressed without Ctrl, Alt or Meta, outside a text field.
    pub fn of(key: &str) -> Option<Shortcut> {
        Some(match key {
            "/" => Shortcut::Search,
            "j" => Shortcut::Next,
            "k" => Shortcut::Previous,
            "x" => Shortcut::Toggle,
            "?" => Shortcut::Help,
            _ => return None,
        })
    }
}

/// Whether `el` takes typed text (where every key is the admin's).
fn is_typing_in(el: &web_sys::Element) -> bool {
    let tag = el.tag_name().to_ascii_lowercase();
    let text_input = tag == "input"
        && !matches!(
            el.get_attribute("type").as_deref(),
            Some("checkbox" | "radio" | "button" | "submit")
        );
    text_input
        || tag == "textarea"
        || tag == "select"
        || el
            .dyn_ref::<web_sys::HtmlElement>()
            .is_some_and(|h| h.is_content_editable())
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// The row (0-based) of the list table that holds focus.
fn focused_row() -> Option<usize> {
    let active = document()?.active_element()?;
    let row = active
        .closest("table[data-list] tbody tr[aria-rowindex]")
        .ok()??;
    row.get_attribute("aria-rowindex")?
        .parse::<usize>()
        .ok()?
        .checked_sub(2)
}

fn row_element(i: usize) -> Option<web_sys::Element> {
    document()?
        .query_selector(&format!(
            "table[data-list] tbody tr[aria-rowindex=\"{}\"]",
            i + 2
        ))
        .ok()?
}

/// Scrolls the table's viewport until row `i` is in view, then focuses its link once the
/// windowed table has drawn it (`target` holds `i` until then, so keys pressed faster
/// than the table draws, as a held key repeats, count from where the admin is going).
fn go_to_row(i: usize, target: StoredValue<Option<usize>>, last: StoredValue<Option<usize>>) {
    target.set_value(Some(i));
    last.set_value(Some(i));
    let Some(viewport) = document()
        .and_then(|d| d.query_selector(".table-viewport").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let header = viewport
        .query_selector("thead")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .map_or(0, |h| h.offset_height());
    let top = (i as f64 * ROW_HEIGHT) as i32;
    let room = viewport.client_height() - header;
    let scrolled = if top < viewport.scroll_top() {
        viewport.set_scroll_top(top);
        true
    } else if top + ROW_HEIGHT as i32 > viewport.scroll_top() + room {
        viewport.set_scroll_top(top + ROW_HEIGHT as i32 - room);
        true
    } else {
        false
    };
    if scrolled {
        // The windowed table redraws on the scroll event, which comes before the next
        // frame: it reuses its row elements for other rows, so focusing now would leave
        // focus on an element that then shows a different request.
        request_animation_frame(move || focus_row_when_drawn(i, 30, target));
    } else {
        focus_row_when_drawn(i, 30, target);
    }
}

fn focus_row_when_drawn(i: usize, tries: u32, target: StoredValue<Option<usize>>) {
    if target.try_get_value().flatten() != Some(i) {
        // A later key moved on.
        return;
    }
    // The row's link (Enter opens it), or its box when the link's column is hidden.
    let link = row_element(i)
        .and_then(|row| {
            row.query_selector("a")
                .ok()
                .flatten()
                .or_else(|| row.query_selector("input").ok().flatten())
        })
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok());
    match link {
        Some(a) => {
            // The table was scrolled to the row already: the browser's own scrolling into
            // view would move it again, under the sticky header.
            let options = web_sys::FocusOptions::new();
            options.set_prevent_scroll(true);
            let _ = a.focus_with_options(&options);
            target.set_value(None);
        }
        None if tries > 0 => {
            request_animation_frame(move || focus_row_when_drawn(i, tries - 1, target));
        }
        None => target.set_value(None),
    }
}

/// Listens for the shortcuts while a list page is open, and offers their help dialog.
/// `rows` is how many rows the table shows; `ticks`, whether its rows have a bulk box.
#[component]
pub fn Shortcuts(rows: Signal<usize>, ticks: bool) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let target = StoredValue::new(None::<usize>);
    // Where j/k last went: the row to count from when the windowed table has redrawn the
    // focused row away (focus falls back to the page).
    let last = StoredValue::new(None::<usize>);
    let open_help = move || {
        if let Some(d) = dialog.get_untracked() {
            let _ = d.show_modal();
        }
    };
    let handle = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        if e.ctrl_key() || e.alt_key() || e.meta_key() || e.default_prevented() {
            return;
        }
        let Some(shortcut) = Shortcut::of(&e.key()) else {
            return;
        };
        let Some(doc) = document() else { return };
        if doc.active_element().is_some_and(|el| is_typing_in(&el))
            || dialog.get_untracked().is_some_and(|d| d.open())
            || doc
                .query_selector("dialog[open], [role=alertdialog]:not([hidden])")
                .ok()
                .flatten()
                .is_some()
        {
            return;
        }
        let n = rows.get_untracked();
        match shortcut {
            Shortcut::Search => {
                if let Some(search) = doc
                    .query_selector("input[name=q]")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    e.prevent_default();
                    let _ = search.focus();
                }
            }
            Shortcut::Next | Shortcut::Previous if n > 0 => {
                let from = target.get_value().or_else(focused_row).or_else(|| {
                    let idle = doc.active_element().is_none_or(|e| e.tag_name() == "BODY");
                    if idle { last.get_value() } else { None }
                });
                let next = match (from, shortcut) {
                    (None, _) => 0,
                    (Some(i), Shortcut::Next) => (i + 1).min(n - 1),
                    (Some(i), _) => i.saturating_sub(1),
                };
                e.prevent_default();
                go_to_row(next, target, last);
            }
            Shortcut::Toggle => {
                if let Some(box_) = target
                    .get_value()
                    .or_else(focused_row)
                    .and_then(row_element)
                    .and_then(|row| row.query_selector("input[type=checkbox]").ok().flatten())
                    .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    e.prevent_default();
                    box_.click();
                }
            }
            Shortcut::Help => {
                e.prevent_default();
                open_help();
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
    let mut keys = vec![
        ("/", Msg::KeySearch),
        ("j", Msg::KeyNext),
        ("k", Msg::KeyPrevious),
        ("Enter", Msg::KeyOpen),
    ];
    if ticks {
        keys.push(("x", Msg::KeyToggle));
    }
    view! {
        <button type="button" class="link-button" data-testid="shortcuts-help"
            aria-keyshortcuts="?" on:click=move |_| open_help()>{t(Msg::KeyboardShortcuts)}</button>
        <dialog node_ref=dialog class="shortcuts" aria-labelledby="shortcuts-title" data-testid="shortcuts-dialog">
            <h2 id="shortcuts-title">{t(Msg::KeyboardShortcuts)}</h2>
            <dl>
                {keys.into_iter().map(|(key, what)| view! { <dt><kbd>{key}</kbd></dt><dd>{t(what)}</dd> }).collect_view()}
                <dt><kbd>"?"</kbd></dt><dd>{t(Msg::KeyHelp)}</dd>
            </dl>
            <p>{t(Msg::KeysNotWhileTyping)}</p>
            <form method="dialog"><button type="submit" autofocus>{t(Msg::Close)}</button></form>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_keys_are_shortcuts() {
        assert_eq!(Shortcut::of("/"), Some(Shortcut::Search));
        assert_eq!(Shortcut::of("j"), Some(Shortcut::Next));
        assert_eq!(Shortcut::of("k"), Some(Shortcut::Previous));
        assert_eq!(Shortcut::of("x"), Some(Shortcut::Toggle));
        assert_eq!(Shortcut::of("?"), Some(Shortcut::Help));
        // Capitals (Shift held) and Enter are not ours: Enter is the focused link's own.
        for key in ["J", "K", "X", "Enter", "Escape", "a"] {
            assert_eq!(Shortcut::of(key), None, "{key}");
        }
    }
}
