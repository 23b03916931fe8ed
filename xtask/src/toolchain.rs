//! The project's tools: every version pinned here, installed from the package registries
//! only (crates.io, npm, Debian), idempotently. See ../shared/TOOLCHAIN.md for why each
//! one is installed the way it is.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::cmd::{Fail, capture, root, run};

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

struct Step {
    what: String,
    seconds: f64,
}

/// Installs whatever is missing; says in one line when nothing was.
pub fn setup() -> Result<(), Fail> {
    let mut installed: Vec<Step> = Vec::new();
    let mut timed = |what: String, f: &mut dyn FnMut() -> Result<(), Fail>| -> Result<(), Fail> {
        eprintln!("setup: installing {what}…");
        let start = Instant::now();
        f()?;
        installed.push(Step {
            what,
            seconds: start.elapsed().as_secs_f64(),
        });
        Ok(())
    };

    // Rust target for the app.
    let targets = capture(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        timed("rust target wasm32-unknown-unknown".into(), &mut || {
            run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
        })?;
    }

    // trunk.
    if version_of("trunk", &["--version"]).as_deref() != Some(&format!("trunk {TRUNK}")) {
        timed(
            format!("trunk {TRUNK} (about 10 minutes on 2 cores)"),
            &mut || {
                run(Command::new("cargo").args([
                    "install",
                    "trunk",
                    "--version",
                    TRUNK,
                    "--locked",
                ]))
            },
        )?;
    }

    // wasm-bindgen-cli, exactly the library's version (else trunk tries to download it).
    let wb = locked_wasm_bindgen()?;
    let have_wb = version_of("wasm-bindgen", &["--version"]);
    let have_runner = version_of("wasm-bindgen-test-runner", &["--version"]);
    let want = format!("wasm-bindgen {wb}");
    if have_wb.as_deref() != Some(want.as_str()) || have_runner.is_none() {
        timed(
            format!("wasm-bindgen-cli {wb} (about 4 minutes)"),
            &mut || {
                // Not --locked: one of its locked dependencies is gone from the registry.
                run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &wb]))
            },
        )?;
    }

    // wasm-opt from npm's binaryen and terser, in the project's own tools folder.
    let major = BINARYEN.split('.').next().unwrap_or(BINARYEN);
    let bin = tools_dir().join("node_modules/.bin");
    let have_opt = version_of(&bin.join("wasm-opt").display().to_string(), &["--version"]);
    let have_terser = version_of(&bin.join("terser").display().to_string(), &["--version"]);
    if !have_opt.is_some_and(|v| v.contains(&format!("version {major}")))
        || have_terser.as_deref() != Some(&format!("terser {TERSER}"))
    {
        timed(
            format!("npm binaryen {BINARYEN}, terser {TERSER}"),
            &mut || {
                std::fs::create_dir_all(tools_dir()).map_err(|e| Fail::new(e.to_string()))?;
                std::fs::write(
                tools_dir().join("package.json"),
                "{\"private\": true, \"description\": \"project-local tools, written by cargo xtask setup\"}\n",
            )
            .map_err(|e| Fail::new(e.to_string()))?;
                run(Command::new("npm")
                    .current_dir(tools_dir())
                    .args(["install", "--no-audit", "--no-fund", "--save-exact"])
                    .arg(format!("binaryen@{BINARYEN}"))
                    .arg(format!("terser@{TERSER}")))
            },
        )?;
    }

    // Chromium, chromedriver, the CJK font, nginx and its brotli module from Debian.
    if [CHROMIUM, CHROMEDRIVER, NOTO_CJK, NGINX, NGINX_BROTLI_STATIC]
        .iter()
        .any(|p| !Path::new(p).exists())
    {
        timed(
            format!("Debian packages {}", APT_PACKAGES.join(", ")),
            &mut || {
                apt_get(&["update"])?;
                let mut args = vec!["install", "-y", "--no-install-recommends"];
                args.extend_from_slice(APT_PACKAGES);
                apt_get(&args)
            },
        )?;
    }

    // Playwright for the end-to-end suite, from the committed lockfile.
    let e2e = root().join("end2end");
    if !e2e_packages_current(&e2e) {
        timed("end2end npm packages (npm ci)".into(), &mut || {
            run(Command::new("npm")
                .current_dir(&e2e)
                .args(["ci", "--no-audit", "--no-fund"])
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
        })?;
    }

    if installed.is_empty() {
        let chromium = version_of(CHROMIUM, &["--version"]).unwrap_or_default();
        println!(
            "setup: nothing to install (trunk {TRUNK}, wasm-bindgen {wb}, wasm-opt {major}, terser {TERSER}, {chromium}, nginx with brotli_static, Playwright from end2end/package-lock.json)"
        );
    } else {
        for s in &installed {
            println!("setup: installed {} in {:.0} s", s.what, s.seconds);
        }
    }
    Ok(())
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

fn apt_get(args: &[&str]) -> Result<(), Fail> {
    let is_root = capture(Command::new("id").arg("-u")).is_ok_and(|u| u.trim() == "0");
    let mut cmd = if is_root {
        Command::new("apt-get")
    } else {
        let mut c = Command::new("sudo");
        c.args(["-n", "apt-get"]);
        c
    };
    cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    run(&mut cmd).map_err(|e| {
        Fail::new(format!(
            "{e}\n  (installing Chromium needs root: run `sudo apt-get install -y {}` once)",
            APT_PACKAGES.join(" ")
        ))
    })
}
