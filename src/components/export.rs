//! Export a list view as CSV: the rows loaded now, or every page first ("Load all, then
//! export"). The text comes from [`crate::export`]; this only offers and downloads it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::auth::Auth;
use crate::clock::now_utc;
use crate::export::file_name;
use crate::i18n::{Msg, t, tf};
use crate::state::list::ListPage;

/// Saves `text` as a UTF-8 file named `name` that the browser downloads. The text gets a
/// byte-order mark: without one, Excel reads a UTF-8 CSV as the system code page, and
/// names such as 张伟 or Zoë come out garbled.
pub fn download(name: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&format!("\u{feff}{text}")));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(href) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&href);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&href);
}

/// "Export CSV" for the rows shown (`shown` of them), and, while Graph has pages left,
/// "Load all, then export", which downloads once every page has arrived (not after a
/// cancel or an error: a partial file named as the whole view would mislead).
/// `csv` gives the text of the rows shown at the time it is called.
#[component]
pub fn ExportCsv(list: ListPage, shown: Signal<usize>, csv: Callback<(), String>) -> impl IntoView {
    let pager = list.pager;
    let view = list.view;
    let save = move || {
        let name = file_name(&view.get_untracked(), now_utc().date_naive());
        download(&name, &csv.run(()));
    };
    let waiting = RwSignal::new(false);
    // The second button's download, once "load all" has ended.
    Effect::new(move |_| {
        if !waiting.get() || pager.loading_all.get() || pager.loading.get() {
            return;
        }
        waiting.set(false);
        if pager.error.with_untracked(Option::is_none) && !pager.has_more() {
            save();
        }
    });
    let auth = expect_context::<Auth>();
    view! {
        <div class="export" data-testid="export">
            <button type="button" data-testid="export-csv" disabled=move || shown.get() == 0
                on:click=move |_| save()>
                {move || tf(Msg::ExportCsv, &[("count", &crate::intl::number(shown.get()))])}
            </button>
            <button type="button" data-testid="export-all-csv"
                hidden=move || !pager.has_more() || waiting.get()
                disabled=move || pager.loading.get()
                on:click=move |_| {
                    waiting.set(true);
                    pager.all(auth.clone());
                }>
                {t(Msg::ExportAllCsv)}
            </button>
            <span role="status" hidden=move || !waiting.get()>{t(Msg::ExportWaitsForAll)}</span>
        </div>
    }
}
