fn main() {
    access_desk::boot::mark(access_desk::boot::MARK_START);
    // With panic = "abort" in release the hook only helps while developing.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(access_desk::app::App);
}
