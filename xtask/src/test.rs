//! `cargo xtask test`: every check and every test layer, failing fast, ending with one
//! `N passed, N failed` line summed over the layers.

use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::cmd::{Counts, Fail, root, run, run_counting};
use crate::{budget, stack, toolchain};

struct Tally {
    total: Counts,
    started: Instant,
}

impl Tally {
    fn add(&mut self, layer: &str, c: Counts) {
        println!("==> {layer}: {} passed, {} failed", c.passed, c.failed);
        self.total.passed += c.passed;
        self.total.failed += c.failed;
    }

    fn finish(&self, error: Option<&Fail>) -> ExitCode {
        if let Some(e) = error {
            eprintln!("xtask test: {e}");
        }
        println!("(took {:.0} s)", self.started.elapsed().as_secs_f64());
        let failed = self.total.failed + u64::from(error.is_some() && self.total.failed == 0);
        println!("{} passed, {} failed", self.total.passed, failed);
        if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

fn step(name: &str) {
    println!("\n==> {name}");
}

pub fn test() -> ExitCode {
    let mut tally = Tally {
        total: Counts::default(),
        started: Instant::now(),
    };
    let result = layers(&mut tally);
    tally.finish(result.err().as_ref())
}

fn cargo() -> Command {
    let mut c = Command::new("cargo");
    c.current_dir(root()).env("PATH", toolchain::path_env());
    c
}

/// Counts of a test layer; a layer that fails with nothing counted still counts one failure.
fn counted(tally: &mut Tally, layer: &str, (counts, ok): (Counts, bool)) -> Result<(), Fail> {
    tally.add(layer, counts);
    if ok && counts.failed == 0 {
        Ok(())
    } else if counts.failed == 0 {
        tally.total.failed += 1;
        Err(Fail::new(format!("{layer} failed")))
    } else {
        Err(Fail::new(format!("{layer}: {} failed", counts.failed)))
    }
}

fn layers(tally: &mut Tally) -> Result<(), Fail> {
    step("setup");
    toolchain::setup()?;

    step("cargo fmt --check");
    run(cargo().args(["fmt", "--all", "--check"]))?;

    step("cargo clippy (native crates, warnings are errors)");
    run(cargo().args([
        "clippy",
        "--quiet",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("cargo clippy (the app on wasm32, warnings are errors)");
    run(cargo().args([
        "clippy",
        "--quiet",
        "-p",
        "access-desk",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("tsc --noEmit (the end-to-end specs are TypeScript; Playwright only strips types)");
    let e2e = root().join("end2end");
    run(Command::new(e2e.join("node_modules/.bin/tsc"))
        .current_dir(&e2e)
        .args(["--noEmit", "-p", "."]))?;

    step("unit tests (cargo test --workspace)");
    let unit = run_counting(cargo().args(["test", "--workspace"]))?;
    counted(tally, "unit", unit)?;

    step("browser tests (wasm-bindgen-test in headless Chromium)");
    let browser = run_counting(
        cargo()
            .args([
                "test",
                "-p",
                "access-desk",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "web",
            ])
            .env("CHROMEDRIVER", toolchain::CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )?;
    counted(tally, "browser", browser)?;

    step("end-to-end (Playwright, release build on a static server, fresh sandbox)");
    let app = crate::build_app()?;
    let e2e = end_to_end(&app, &[])?;
    counted(tally, "end-to-end", e2e)?;

    step("the deployment: a dist at /access-desk/ as `cargo xtask dist` makes it, under nginx");
    let deployment = crate::nginx_e2e::deploy_for_tests()?;

    // Counted on that dist: the page with its CSP meta and the config.json it is served,
    // exactly the files nginx sends.
    step("first-visit budget (bytes sent: the precompressed .gz, brotli beside it)");
    let ok = budget::check_dist(&deployment.dist)?;
    tally.add(
        "budget",
        Counts {
            passed: u64::from(ok),
            failed: u64::from(!ok),
        },
    );
    if !ok {
        return Err(Fail::new("the first visit is over the bundle budget"));
    }

    step("end-to-end under nginx (every header on every response, precompressed files, sub-path)");
    let under_nginx = crate::nginx_e2e::playwright(&deployment, run_playwright);
    drop(deployment);
    let under_nginx = under_nginx?;
    counted(tally, "end-to-end under nginx", under_nginx)?;

    step("end-to-end under Azure Static Web Apps' emulator (a dist at /, its config file)");
    // On a copy of the end-to-end layer's trunk output (same public URL, same tree).
    let under_swa = crate::swa_e2e::deploy_for_tests(Some(&app))
        .and_then(|deployment| crate::swa_e2e::playwright(&deployment, run_playwright))?;
    counted(tally, "end-to-end under the SWA emulator", under_swa)?;
    Ok(())
}

/// `cargo xtask e2e [playwright args]`: only the end-to-end layer, for working on one
/// spec (`cargo xtask e2e -g "back and forward"`, `cargo xtask e2e tests/browse.spec.ts`).
pub fn e2e(extra: &[String]) -> ExitCode {
    let mut tally = Tally {
        total: Counts::default(),
        started: Instant::now(),
    };
    let result = toolchain::setup()
        .and_then(|()| crate::build_app())
        .and_then(|dist| end_to_end(&dist, extra))
        .and_then(|counts| counted(&mut tally, "end-to-end", counts));
    tally.finish(result.err().as_ref())
}

/// `cargo xtask e2e-nginx [playwright args]`: only the nginx stage.
pub fn e2e_nginx(extra: &[String]) -> ExitCode {
    let mut tally = Tally {
        total: Counts::default(),
        started: Instant::now(),
    };
    let result = toolchain::setup()
        .and_then(|()| crate::nginx_e2e::deploy_for_tests())
        .and_then(|deployment| {
            crate::nginx_e2e::playwright(&deployment, |env, args| {
                let all: Vec<String> = args.iter().chain(extra).cloned().collect();
                run_playwright(env, &all)
            })
        })
        .and_then(|counts| counted(&mut tally, "end-to-end under nginx", counts));
    tally.finish(result.err().as_ref())
}

/// `cargo xtask e2e-swa [playwright args]`: only the Azure Static Web Apps stage.
pub fn e2e_swa(extra: &[String]) -> ExitCode {
    let mut tally = Tally {
        total: Counts::default(),
        started: Instant::now(),
    };
    let result = toolchain::setup()
        .and_then(|()| crate::swa_e2e::deploy_for_tests(None))
        .and_then(|deployment| {
            crate::swa_e2e::playwright(&deployment, |env, args| {
                let all: Vec<String> = args.iter().chain(extra).cloned().collect();
                run_playwright(env, &all)
            })
        })
        .and_then(|counts| counted(&mut tally, "end-to-end under the SWA emulator", counts));
    tally.finish(result.err().as_ref())
}

/// Builds the sandbox, starts it and the static server of `dist` (`build_app`'s), and runs
/// Playwright; gives its counts.
fn end_to_end(dist: &std::path::Path, extra: &[String]) -> Result<(Counts, bool), Fail> {
    let sandbox_bin = stack::build_sandbox(false)?;
    let rt = crate::runtime();
    let running = stack::start(
        &rt,
        stack::StackOptions::loopback(dist, &sandbox_bin, stack::TEST_SANDBOX_ARGS),
    )?;
    let e2e = playwright(&running, &sandbox_bin, extra)?;
    drop(running);
    Ok(e2e)
}

/// Runs the Playwright suite against a running stack and reads its JSON report.
fn playwright(
    running: &stack::Stack,
    sandbox_bin: &std::path::Path,
    extra: &[String],
) -> Result<(Counts, bool), Fail> {
    let env = [
        ("APP_URL", running.app_url.clone()),
        ("SANDBOX_URL", running.sandbox_url.clone()),
        (
            "TENANT_ID",
            running.info["tenantId"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
        (
            "CLIENT_ID",
            running.info["clientId"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
        ("SANDBOX_BIN", sandbox_bin.to_string_lossy().into_owned()),
    ];
    run_playwright(&env, extra)
}

/// `playwright test` in end2end/ with `env` and `extra` arguments; its counts from the
/// JSON report, and whether it exited cleanly.
pub fn run_playwright(env: &[(&str, String)], extra: &[String]) -> Result<(Counts, bool), Fail> {
    let e2e = root().join("end2end");
    let report = stack::target_dir().join("playwright-report.json");
    let _ = std::fs::remove_file(&report);
    let mut cmd = Command::new(e2e.join("node_modules/.bin/playwright"));
    cmd.current_dir(&e2e)
        .args(["test", "--reporter=list,json"])
        .args(extra)
        .env("PLAYWRIGHT_JSON_OUTPUT_NAME", &report)
        .env("CHROMIUM", toolchain::CHROMIUM);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let status = cmd
        .status()
        .map_err(|e| Fail::new(format!("cannot start Playwright: {e}")))?;
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let stats = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .map(|v| v["stats"].clone())
        .unwrap_or_default();
    let n = |k: &str| stats[k].as_u64().unwrap_or(0);
    Ok((
        Counts {
            passed: n("expected") + n("flaky"),
            failed: n("unexpected"),
        },
        status.success(),
    ))
}
