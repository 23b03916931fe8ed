//! How the shipped wasm is compiled: Rust's standard library rebuilt with the app's
//! release profile and its algorithms chosen for size, and panics without their
//! `file:line`. Together about 15 KB gzip of the first visit (docs/size.md), with no change
//! to the app's code. LLVM also inlines only what is marked or trivially cheap
//! (`inline-threshold=0`): 1.2 KB more, and no slower in `cargo xtask bench browse`.
//!
//! Both are unstable cargo and rustc flags. They are enabled on the project's stable
//! compiler with `RUSTC_BOOTSTRAP=1`, the way the Linux kernel and Firefox build with
//! stable rustc, rather than by pinning a nightly: one toolchain to install, and its flags
//! cannot change under us. Only the release wasm is built this way (trunk, and the build
//! `cargo xtask run` does beside the tools); tests, clippy and the native builds are not.
//! Panics keep their message (`console_error_panic_hook` still prints it), not where in the
//! source they happened.
//!
//! To go back: stop calling [`apply`]; nothing else depends on it.

use std::process::Command;

/// The rustup component the rebuilt standard library is compiled from.
pub const RUST_SRC: &str = "rust-src";

/// Sets the environment that compiles the release wasm on `cmd` (a `cargo build`, `cargo
/// fetch` or `trunk build`).
pub fn apply(cmd: &mut Command) -> &mut Command {
    cmd.env("RUSTC_BOOTSTRAP", "1")
        // `-Zbuild-std=std,panic_abort`: std at opt-level z with fat LTO like the app,
        // instead of the prebuilt one (opt-level 3, unwinding tables).
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        // std's `optimize_for_size`: a smaller sort (still O(n log n)) and the like, 2.3 KB.
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        // This variable replaces `.cargo/config.toml`'s rustflags for the target: repeat
        // them. `-Cllvm-args` is stable; the threshold is LLVM's (225 by default).
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "--cfg erase_components -Zlocation-detail=none -Cllvm-args=-inline-threshold=0",
        )
}
