//! The project's tools: every version pinned here, installed from the package registries
//! only (crates.io, npm, Debian), idempotently. See ../shared/TOOLCHAIN.md for why each
//! one is installed the way it is.
//!
//! Two sets. [`setup_build`] is what building and serving the app needs (`cargo xtask run`,
//! `cargo xtask dist`): the wasm target and rust-src, trunk, wasm-bindgen-cli, and npm's
//! binaryen and terser. [`setup`] adds what the tests need: Chromium, chromedriver, a CJK font, nginx,
//! and the end-to-end suite's npm packages. Whatever is missing is installed side by side
//! (the two `cargo install`s compile while the downloads run), each step announced with
//! what it is, why it is there and how long it takes on this project's machines, each
//! step's output in `target/setup/<step>.log`.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cmd::{Fail, capture, describe, root};

/// trunk: 0.22 needs a newer rustc than this project's.
pub const TRUNK: &str = "0.21.14";
/// binaryen from npm: Debian's binaryen 108 produces wasm that fails in the browser.
pub const BINARYEN: &str = "132.0.0";
/// terser from npm: minifies the wasm-bindgen loader after trunk (see `minify.rs`).
pub const TERSER: &str = "5.51.2";
/// Debian packages for the browser layers, a CJK font (Chinese names and, later, the
/// Chinese catalog must render in tests and screenshots, not as boxes), and nginx with its
/// brotli_static module for the deployment stage (it serves the precompressed .br files).
pub const APT_PACKAGES: &[&str] = &[
    "chromium",
    "chromium-driver",
    "fonts-noto-cjk",
    "nginx",
    "libnginx-mod-http-brotli-static",
];
/// A file of fonts-noto-cjk: present once the package is.
pub const NOTO_CJK: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
/// Debian's nginx: the end-to-end suite also runs against a dist served by it.
pub const NGINX: &str = "/usr/sbin/nginx";
/// The module of libnginx-mod-http-brotli-static.
pub const NGINX_BROTLI_STATIC: &str = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
// wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock (pinned with `=` in
// Cargo.toml); @playwright/test is pinned in end2end/package.json and its lockfile.

/// trunk's features for this project: none. Its defaults are rustls (TLS for `trunk serve`
/// and for downloading tools, neither used: xtask serves, and builds run `--offline` with
/// the tools installed here) and update_check (asks crates.io for a newer trunk).
const TRUNK_FEATURES: &[&str] = &["--no-default-features"];

/// The build tools' own release profiles (trunk: fat LTO and one codegen unit, one long
/// single-threaded link) traded for build speed: neither tool's speed matters here. trunk
/// spends its time waiting for rustc and wasm-opt (a release build of the app took as long
/// with an opt-level-0 trunk); wasm-bindgen-cli does real work on the wasm, but at
/// opt-level 0 it takes about a second more per build (measured on the app's wasm and on
/// the browser tests' wasm: docs/performance.md) and builds on 123 s of CPU against 323 s
/// at opt-level 1.
const TOOL_PROFILE: &[(&str, &str)] = &[
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0"),
    ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
    ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
];

/// How long each step takes on this project's machines (2 cores), as printed before it
/// starts. From CPU time measured on 2026-12-05 (docs/performance.md) over 2 cores, the
/// builds side by side; a machine busy with other work takes longer.
const ABOUT_TRUNK: &str = "about 5 min on 2 cores, beside the other builds";
const ABOUT_WASM_BINDGEN: &str = "about 2 min on 2 cores, beside the other builds";
const ABOUT_TARGET: &str = "seconds";
const ABOUT_NPM_TOOLS: &str = "about 5 s";
const ABOUT_APT: &str = "a few minutes, mostly downloading";
const ABOUT_E2E_NPM: &str = "about 5 s";

/// Where project-local tools live (binaryen's wasm-opt).
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// PATH with the project's tools first, so trunk finds the right wasm-opt.
pub fn path_env() -> String {
    let mut parts = vec![tools_dir().join("node_modules/.bin").display().to_string()];
    if let Some(home) = cargo_home() {
        parts.push(home.join("bin").display().to_string());
    }
    parts.push(std::env::var("PATH").unwrap_or_default());
    parts.join(":")
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
}

/// `tool --version`'s output, or None when it does not run.
fn version_of(tool: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(tool)
        .args(args)
        .env("PATH", path_env())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The wasm-bindgen version recorded in Cargo.lock.
pub fn locked_wasm_bindgen() -> Result<String, Fail> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| Fail::new(format!("cannot read Cargo.lock: {e}")))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err(Fail::new("Cargo.lock has no wasm-bindgen package"))
}

/// A step's work, given its log file.
type Work = Box<dyn FnOnce(&Path) -> Result<(), Fail> + Send>;

/// One step of setup: announced, then run on a thread of its own with its output in a
/// log.
pub struct Step {
    /// "installing", "building".
    verb: &'static str,
    /// What is installed or built, as the announcing line and the result name it.
    what: String,
    /// Why the project needs it.
    why: &'static str,
    /// How long it takes on this project's machines.
    about: &'static str,
    /// The log's file name in target/setup/.
    log: &'static str,
    work: Work,
}

impl Step {
    /// A step of the caller's, run alongside the installs (see [`setup_build_with`]).
    pub fn new(
        verb: &'static str,
        what: impl Into<String>,
        why: &'static str,
        about: &'static str,
        log: &'static str,
        work: impl FnOnce(&Path) -> Result<(), Fail> + Send + 'static,
    ) -> Step {
        Step {
            verb,
            what: what.into(),
            why,
            about,
            log,
            work: Box::new(work),
        }
    }
}

/// Installs what building and serving the app needs (`cargo xtask dist`).
pub fn setup_build() -> Result<(), Fail> {
    setup_build_with(Vec::new)
}

/// Installs what building and serving the app needs, and when anything was missing, runs
/// `alongside`'s steps (which need the wasm target) at the same time as the installs: a
/// fresh machine's `cargo xtask run` compiles the app while the tools compile.
pub fn setup_build_with(alongside: impl FnOnce() -> Vec<Step>) -> Result<(), Fail> {
    let wb = locked_wasm_bindgen()?;
    let mut steps = build_steps(&wb)?;
    if steps.is_empty() {
        println!(
            "setup: nothing to install (trunk {TRUNK}, wasm-bindgen {wb}, wasm-opt {}, terser {TERSER})",
            binaryen_major()
        );
        return Ok(());
    }
    let started = Instant::now();
    // The wasm target first, on its own (seconds): the steps alongside compile for it.
    if let Some(i) = steps.iter().position(|s| s.log == TARGET_LOG) {
        install(vec![steps.remove(i)], None)?;
    }
    steps.extend(alongside());
    install(steps, Some(started))
}

/// Installs whatever is missing of everything: the build tools and what the tests use.
pub fn setup() -> Result<(), Fail> {
    let wb = locked_wasm_bindgen()?;
    let mut steps = build_steps(&wb)?;
    steps.extend(test_steps());
    if steps.is_empty() {
        let chromium = version_of(CHROMIUM, &["--version"]).unwrap_or_default();
        println!(
            "setup: nothing to install (trunk {TRUNK}, wasm-bindgen {wb}, wasm-opt {}, terser {TERSER}, {chromium}, nginx with brotli_static, Playwright from end2end/package-lock.json)",
            binaryen_major()
        );
        return Ok(());
    }
    install(steps, None)
}

fn binaryen_major() -> &'static str {
    BINARYEN.split('.').next().unwrap_or(BINARYEN)
}

const TARGET_LOG: &str = "rustup-target.log";

/// The missing build tools' steps.
fn build_steps(wb: &str) -> Result<Vec<Step>, Fail> {
    let mut steps = Vec::new();

    let targets = capture(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        steps.push(Step::new(
            "installing",
            "the Rust target wasm32-unknown-unknown (rustup)",
            "the app compiles to WebAssembly",
            ABOUT_TARGET,
            TARGET_LOG,
            |log| {
                logged(
                    Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
                    log,
                )
            },
        ));
    }

    let components = capture(Command::new("rustup").args(["component", "list", "--installed"]))?;
    if !components
        .lines()
        .any(|l| l.trim() == crate::release_wasm::RUST_SRC)
    {
        steps.push(Step::new(
            "installing",
            "the Rust component rust-src (rustup)",
            "the release wasm compiles its own standard library (xtask/src/release_wasm.rs)",
            ABOUT_TARGET,
            "rustup-rust-src.log",
            |log| {
                logged(
                    Command::new("rustup").args([
                        "component",
                        "add",
                        crate::release_wasm::RUST_SRC,
                    ]),
                    log,
                )
            },
        ));
    }

    // The two crates.io tools compile side by side, each a `cargo install` of its own.
    let trunk_missing =
        version_of("trunk", &["--version"]).as_deref() != Some(&format!("trunk {TRUNK}"));
    let want_wb = format!("wasm-bindgen {wb}");
    let wb_missing = version_of("wasm-bindgen", &["--version"]).as_deref()
        != Some(want_wb.as_str())
        || version_of("wasm-bindgen-test-runner", &["--version"]).is_none();
    if trunk_missing {
        steps.push(Step::new(
            "installing",
            format!("trunk {TRUNK} (cargo install, built for build speed)"),
            "it makes the app's bundle (cargo, wasm-bindgen, wasm-opt, CSS, HTML)",
            ABOUT_TRUNK,
            "trunk.log",
            |log| {
                let mut args = vec!["install", "trunk", "--version", TRUNK, "--locked"];
                args.extend_from_slice(TRUNK_FEATURES);
                logged(tool_install().args(args), log)
            },
        ));
    }
    if wb_missing {
        let wb = wb.to_string();
        steps.push(Step::new(
            "installing",
            format!("wasm-bindgen-cli {wb} (cargo install, built for build speed)"),
            "the app's JavaScript bindings (the version of Cargo.lock, else trunk \
             downloads one) and the browser tests' runner",
            ABOUT_WASM_BINDGEN,
            "wasm-bindgen-cli.log",
            move |log| {
                // Not --locked: one of its locked dependencies is gone from the registry.
                logged(
                    tool_install().args(["install", "wasm-bindgen-cli", "--version", &wb]),
                    log,
                )
            },
        ));
    }

    // wasm-opt from npm's binaryen and terser, in the project's own tools folder.
    let bin = tools_dir().join("node_modules/.bin");
    let have_opt = version_of(&bin.join("wasm-opt").display().to_string(), &["--version"]);
    let have_terser = version_of(&bin.join("terser").display().to_string(), &["--version"]);
    if !have_opt.is_some_and(|v| v.contains(&format!("version {}", binaryen_major())))
        || have_terser.as_deref() != Some(&format!("terser {TERSER}"))
    {
        steps.push(Step::new(
            "installing",
            format!("wasm-opt (npm binaryen {BINARYEN}) and terser {TERSER} into .tools/"),
            "release builds shrink the wasm and minify the loader with them",
            ABOUT_NPM_TOOLS,
            "npm-tools.log",
            |log| {
                std::fs::create_dir_all(tools_dir()).map_err(|e| Fail::new(e.to_string()))?;
                std::fs::write(
                    tools_dir().join("package.json"),
                    "{\"private\": true, \"description\": \"project-local tools, written by cargo xtask setup\"}\n",
                )
                .map_err(|e| Fail::new(e.to_string()))?;
                logged(
                    Command::new("npm")
                        .current_dir(tools_dir())
                        .args(["install", "--no-audit", "--no-fund", "--save-exact"])
                        .arg(format!("binaryen@{BINARYEN}"))
                        .arg(format!("terser@{TERSER}")),
                    log,
                )
            },
        ));
    }
    Ok(steps)
}

/// The missing test tools' steps.
fn test_steps() -> Vec<Step> {
    let mut steps = Vec::new();
    // Chromium, chromedriver, the CJK font, nginx and its brotli module from Debian.
    if [CHROMIUM, CHROMEDRIVER, NOTO_CJK, NGINX, NGINX_BROTLI_STATIC]
        .iter()
        .any(|p| !Path::new(p).exists())
    {
        steps.push(Step::new(
            "installing",
            format!("Debian packages {} (apt-get)", APT_PACKAGES.join(", ")),
            "the browser and end-to-end tests run in Chromium, the deployment stage \
             under nginx",
            ABOUT_APT,
            "apt-get.log",
            |log| {
                apt_get(&["update"], log)?;
                let mut args = vec!["install", "-y", "--no-install-recommends"];
                args.extend_from_slice(APT_PACKAGES);
                apt_get(&args, log)
            },
        ));
    }

    // Playwright for the end-to-end suite, from the committed lockfile.
    let e2e = root().join("end2end");
    if !e2e_packages_current(&e2e) {
        steps.push(Step::new(
            "installing",
            "the end-to-end suite's npm packages (npm ci in end2end/)",
            "Playwright, axe, the Graph SDK and MSAL.js drive the end-to-end tests",
            ABOUT_E2E_NPM,
            "end2end-npm.log",
            move |log| {
                logged(
                    Command::new("npm")
                        .current_dir(&e2e)
                        .args(["ci", "--no-audit", "--no-fund"])
                        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
                    log,
                )
            },
        ));
    }
    steps
}

/// `cargo install` with the build tools' profile (see [`TOOL_PROFILE`]), outside the
/// project so its `.cargo/config.toml` does not apply.
fn tool_install() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(std::env::temp_dir())
        .envs(TOOL_PROFILE.iter().copied())
        .env("CARGO_TERM_COLOR", "never");
    cmd
}

type Running = JoinHandle<Result<(), Fail>>;

/// Announces every step, runs them all at once, says how each went and the total (since
/// `since`, when given).
fn install(steps: Vec<Step>, since: Option<Instant>) -> Result<(), Fail> {
    let logs = crate::stack::target_dir().join("setup");
    std::fs::create_dir_all(&logs).map_err(|e| Fail::new(format!("{}: {e}", logs.display())))?;
    let started = since.unwrap_or_else(Instant::now);
    let mut running: Vec<(String, Instant, Running)> = Vec::new();
    for step in steps {
        println!(
            "setup: {} {}: {} ({})",
            step.verb, step.what, step.why, step.about
        );
        let log = logs.join(step.log);
        let _ = std::fs::remove_file(&log);
        let work = step.work;
        running.push((
            step.what,
            Instant::now(),
            std::thread::spawn(move || work(&log)),
        ));
    }
    if running.len() > 1 {
        println!(
            "setup: these {} steps run side by side, each one's output in {}/",
            running.len(),
            relative(&logs)
        );
    }

    let mut failures = Vec::new();
    let mut last_word = Instant::now();
    while !running.is_empty() {
        std::thread::sleep(Duration::from_millis(200));
        let mut i = 0;
        while i < running.len() {
            if !running[i].2.is_finished() {
                i += 1;
                continue;
            }
            let (what, since, handle) = running.remove(i);
            let result = handle
                .join()
                .unwrap_or_else(|_| Err(Fail::new("the install thread panicked")));
            match result {
                Ok(()) => println!("setup: {what}: done in {}", minutes(since.elapsed())),
                Err(e) => {
                    println!("setup: FAILED: {what}");
                    failures.push(e.0);
                }
            }
            last_word = Instant::now();
        }
        if !running.is_empty() && last_word.elapsed() >= Duration::from_secs(60) {
            let names: Vec<&str> = running
                .iter()
                .map(|(w, _, _)| w.split(" (").next().unwrap_or(w))
                .collect();
            println!(
                "setup: still working on {} ({} so far)",
                names.join(", "),
                minutes(started.elapsed())
            );
            last_word = Instant::now();
        }
    }
    if !failures.is_empty() {
        return Err(Fail::new(failures.join("\n")));
    }
    println!("setup: done in {}", minutes(started.elapsed()));
    Ok(())
}

/// `1 min 05 s`, or `42 s`.
fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

fn relative(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// Runs `cmd` with its output appended to `log`; a failure names the command and shows
/// the log's last lines.
pub fn logged(cmd: &mut Command, log: &Path) -> Result<(), Fail> {
    let open = || {
        File::options()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| Fail::new(format!("{}: {e}", log.display())))
    };
    let described = describe(cmd);
    let status = cmd
        .stdin(Stdio::null())
        .stdout(open()?)
        .stderr(open()?)
        .status()
        .map_err(|e| Fail::new(format!("cannot start `{described}`: {e}")))?;
    if status.success() {
        return Ok(());
    }
    let lines: Vec<String> = File::open(log)
        .map(|f| BufReader::new(f).lines().map_while(Result::ok).collect())
        .unwrap_or_default();
    let tail = lines[lines.len().saturating_sub(40)..].join("\n    ");
    Err(Fail::new(format!(
        "`{described}` failed ({status}); the end of {}:\n    {tail}",
        relative(log)
    )))
}

/// True when end2end/node_modules matches the committed lockfile.
fn e2e_packages_current(e2e: &Path) -> bool {
    let (Ok(lock), Ok(installed)) = (
        std::fs::read_to_string(e2e.join("package-lock.json")),
        std::fs::read_to_string(e2e.join("node_modules/.package-lock.json")),
    ) else {
        return false;
    };
    let packages = |text: &str| {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("packages").cloned())
            .and_then(|p| {
                p.as_object().map(|o| {
                    o.iter()
                        .filter(|(k, _)| !k.is_empty())
                        .map(|(k, v)| (k.clone(), v.get("version").cloned()))
                        .collect::<Vec<_>>()
                })
            })
    };
    packages(&lock).is_some() && packages(&lock) == packages(&installed)
}

fn apt_get(args: &[&str], log: &Path) -> Result<(), Fail> {
    let is_root = capture(Command::new("id").arg("-u")).is_ok_and(|u| u.trim() == "0");
    let mut cmd = if is_root {
        Command::new("apt-get")
    } else {
        let mut c = Command::new("sudo");
        c.args(["-n", "apt-get"]);
        c
    };
    cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    logged(&mut cmd, log).map_err(|e| {
        Fail::new(format!(
            "{e}\n  (installing Chromium needs root: run `sudo apt-get install -y {}` once)",
            APT_PACKAGES.join(" ")
        ))
    })
}
