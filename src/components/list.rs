//! Pieces shared by the list pages' markup: the signed-in gate, the empty line and the
//! pager's controls. Their state is `state::list`.

use leptos::prelude::*;

use crate::auth::{Auth, current_view};
use crate::components::graph_problem::GraphProblem;
use crate::components::sign_in_error::start_sign_in;
use crate::i18n::{Msg, t, tf};
use crate::state::list::Pager;

/// Shows its children only to a signed-in admin; others get a Sign in prompt that returns
/// to this very view.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let account = auth.account;
    // A memo: the children are built once per sign-in, not again when the account is
    // refreshed.
    let signed_in = Memo::new(move |_| account.with(Option::is_some));
    move || {
        if signed_in.get() {
            return children().into_any();
        }
        let auth = auth.clone();
        view! {
            <div class="notice" data-testid="sign-in-needed">
                <p>{t(Msg::SignInToSee)}</p>
                <button type="button" class="primary" on:click=move |_| start_sign_in(&auth, &current_view())>
                    {t(Msg::SignInToContinue)}
                </button>
            </div>
        }
        .into_any()
    }
}

/// The line a list shows once it has loaded, without error, and nothing is left to show.
pub fn empty_line(pager: Pager, shown: Signal<usize>, text: Msg) -> impl IntoView {
    view! {
        <p class="empty" data-testid="empty"
            hidden=move || pager.loading.get() || pager.error.with(Option::is_some) || shown.get() != 0>
            {t(text)}
        </p>
    }
}

/// Loaded count, load more, load all and cancel, and the loading and error states.
#[component]
pub fn PagerControls(pager: Pager, shown: Signal<usize>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let auth2 = auth.clone();
    view! {
        <div class="pager" data-testid="pager">
            <p role="status" data-testid="loaded-count">
                {move || {
                    let loaded = pager.items.with(Vec::len).to_string();
                    let shown = shown.get().to_string();
                    let msg = if pager.has_more() { Msg::PagerCountsMore } else { Msg::PagerCountsAll };
                    tf(msg, &[("loaded", &loaded), ("shown", &shown)])
                }}
            </p>
            <span hidden=move || !pager.has_more() || pager.loading_all.get()>
                <button type="button" on:click={
                    let auth = auth.clone();
                    move |_| pager.more(auth.clone())
                } disabled=move || pager.loading.get()>{t(Msg::LoadMore)}</button>
                <button type="button" on:click={
                    let auth = auth2.clone();
                    move |_| pager.all(auth.clone())
                } disabled=move || pager.loading.get()>{t(Msg::LoadAll)}</button>
            </span>
            <button type="button" hidden=move || !pager.loading_all.get() on:click=move |_| pager.cancel()>{t(Msg::Cancel)}</button>
            <span class="loading-inline" role="status" hidden=move || !pager.loading.get()>{t(Msg::Loading)}</span>
        </div>
        {move || pager.error.get().map(|e| view! { <GraphProblem failure=e /> })}
    }
}
