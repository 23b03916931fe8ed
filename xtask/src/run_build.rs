//! `cargo xtask run`'s build of the app, made to be ready soon: it is served over loopback
//! only, so what buys bytes on the network is left out (wasm-opt -Oz, terser, zopfli and
//! brotli), but the wasm is cargo's release build, the one `dist`, the tests and the
//! deployment stages use. Measured (docs/performance.md): a profile built for compile speed
//! (opt-level 1, no LTO, 16 codegen units) took more CPU time than the size profile, and
//! the dev profile as much, so neither saves a newcomer time, and the size profile's build
//! is then already done when `cargo xtask test` builds the release app.
//!
//! On a fresh machine the app (and entra-sandbox) compile while trunk and wasm-bindgen-cli
//! do, so the fat-LTO link of the app, one thread long, runs beside the tools' builds.
//! The build goes to `target/run-dist/`, never to `dist/`, which only holds size builds.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{Fail, root};
use crate::toolchain::{self, Step};
use crate::{dist, release_wasm, stack};

/// How long the app's and the sandbox's first build take beside the tools' on this
/// project's machines (docs/performance.md).
const ABOUT_APP: &str = "about 5 min on 2 cores, beside the tools' builds";

/// Where `run`'s build goes.
pub fn out_dir() -> PathBuf {
    stack::target_dir().join("run-dist")
}

/// Installs what is missing (compiling the app alongside), then builds the app with trunk
/// in its debug mode (no wasm-opt, no minifier) on cargo's release profile, into
/// [`out_dir`] (`dist::Trunk::Unshrunk`).
pub fn build() -> Result<PathBuf, Fail> {
    toolchain::setup_build_with(|| {
        vec![Step::new(
            "building",
            "the app (release profile) and entra-sandbox (cargo build)",
            "`cargo xtask run` serves them; compiled while the tools compile",
            ABOUT_APP,
            "app-build.log",
            compile_app_and_sandbox,
        )]
    })?;
    let out = out_dir();
    dist::trunk_output(dist::Trunk::Unshrunk, "/", &out)?;
    Ok(out)
}

/// The cargo builds trunk and `run` then find done: the wasm exactly as trunk asks for it
/// (`--profile release --bin access-desk`), and the sandbox as `stack::build_sandbox`.
fn compile_app_and_sandbox(log: &Path) -> Result<(), Fail> {
    toolchain::logged(
        release_wasm::apply(&mut Command::new("cargo"))
            .current_dir(root())
            .args([
                "build",
                "--target=wasm32-unknown-unknown",
                "--profile",
                "release",
                "--bin",
                "access-desk",
            ]),
        log,
    )?;
    toolchain::logged(
        Command::new("cargo")
            .current_dir(root())
            .args(["build", "-p", "entra-sandbox"]),
        log,
    )
}
