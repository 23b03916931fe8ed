//! `cargo xtask <command>`: the project's automation. See README.md.

mod bench;
mod bench_tenant;
mod budget;
mod bulk_bench;
mod cmd;
mod cold_bench;
mod compress;
mod csp;
mod dist;
mod headers;
mod minify;
mod nginx_e2e;
mod release_wasm;
mod run_build;
mod serve;
mod stack;
mod swa_e2e;
mod test;
mod toolchain;
mod wasm_names;

use std::net::SocketAddr;
use std::process::ExitCode;

use cmd::{Fail, root};

const USAGE: &str = "\
usage: cargo xtask <command>

  setup                install what is missing for every command (idempotent)
  run  [--app-port P] [--sandbox-port P] [-- sandbox options]
                       build the app (release, without the size passes: it is
                       served over loopback only), start entra-sandbox and serve
                       the app on http://127.0.0.1:8080 configured for it; Ctrl-C
                       stops both. Installs only what building needs (the tests'
                       tools come with `test`)
  test                 every check and test layer, failing fast; ends with
                       `N passed, N failed`
  e2e [playwright args]
                       only the end-to-end layer (e.g. `cargo xtask e2e -g links`)
  e2e-nginx [playwright args]
                       only the nginx stage (a dist at /access-desk/ served by nginx)
  e2e-swa [playwright args]
                       only the Azure Static Web Apps stage (a dist at / with its
                       staticwebapp.config.json, served by the SWA CLI's emulator)
  dist [--public-url /access-desk/] [--config config.json] [--local] [--hsts]
       [--no-brotli-static]
                       a deployable dist/ (404.html, CSP meta, .gz/.br of each asset,
                       staticwebapp.config.json) and dist-nginx.conf; --local accepts a
                       config.json that points at this machine (the sandbox)
  bench [sandbox] [bulk] [browse] [cold]
                       the benchmarks, with numbers to put in README.md
  budget [dir]         print the first-visit budget of dist/ (or dir)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => toolchain::setup(),
        Some("run") => run_stack(&args[1..]),
        Some("test") => return test::test(),
        Some("e2e") => {
            let extra: Vec<String> = args[1..].iter().filter(|a| *a != "--").cloned().collect();
            return test::e2e(&extra);
        }
        Some("e2e-nginx") => {
            let extra: Vec<String> = args[1..].iter().filter(|a| *a != "--").cloned().collect();
            return test::e2e_nginx(&extra);
        }
        Some("e2e-swa") => {
            let extra: Vec<String> = args[1..].iter().filter(|a| *a != "--").cloned().collect();
            return test::e2e_swa(&extra);
        }
        Some("bench") => bench::bench(&args[1..]),
        Some("dist") => dist::dist(&args[1..]),
        Some("budget") => budget::check_dist(
            &args
                .get(1)
                .map_or_else(|| root().join("dist"), std::path::PathBuf::from),
        )
        .and_then(|ok| {
            ok.then_some(())
                .ok_or_else(|| Fail::new("over the bundle budget"))
        }),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(Fail::new(USAGE)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Where `build_app`'s `dist/` is served: the root of the static server's origin.
pub const APP_PUBLIC_URL: &str = "/";

/// Builds the app into `dist/` for the end-to-end layer and the browse benchmark:
/// `dist::trunk_output` in release mode for [`APP_PUBLIC_URL`], exactly the trunk output
/// `cargo xtask dist` makes for `/` before it puts in a configuration and the policy,
/// then precompressed as a deployment is. The static server adds the configuration and
/// the policy itself (stack.rs). `cargo xtask test`'s SWA stage finishes a copy of this
/// trunk output as its dist (`swa_e2e::deploy_for_tests`): keep it the same kind.
pub fn build_app() -> Result<std::path::PathBuf, Fail> {
    let dist = root().join("dist");
    dist::trunk_output(dist::Trunk::Release, APP_PUBLIC_URL, &dist)?;
    compress::precompress(&dist)?;
    Ok(dist)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn port_arg(args: &[String], name: &str, default: u16) -> Result<u16, Fail> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| Fail::new(format!("{name} needs a port number"))),
    }
}

fn run_stack(args: &[String]) -> Result<(), Fail> {
    let (own, sandbox_args) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], args[i + 1..].to_vec()),
        None => (args, Vec::new()),
    };
    let app_port = port_arg(own, "--app-port", 8080)?;
    let sandbox_port = port_arg(own, "--sandbox-port", 8081)?;
    let started = std::time::Instant::now();
    let dist = run_build::build()?;
    let sandbox_bin = stack::build_sandbox(false)?;
    let rt = runtime();
    let running = stack::start(
        &rt,
        stack::StackOptions {
            dist: &dist,
            app_addr: SocketAddr::from(([127, 0, 0, 1], app_port)),
            sandbox_addr: SocketAddr::from(([127, 0, 0, 1], sandbox_port)),
            sandbox_bin: &sandbox_bin,
            sandbox_args,
            echo_sandbox: true,
        },
    )?;
    println!(
        "run: setup, build and start took {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!();
    println!("Access Desk is running: {}/", running.app_url);
    println!(
        "  entra-sandbox (the local tenant): {}",
        running.sandbox_url
    );
    println!(
        "  tenant id: {}",
        running.info["tenantId"].as_str().unwrap_or("?")
    );
    if let Some(accounts) = running.info["accounts"].as_array() {
        println!("  demo accounts (pick one on the sandbox's sign-in page):");
        for a in accounts {
            println!(
                "    {:<40} {}",
                a["username"].as_str().unwrap_or("?"),
                a["role"].as_str().unwrap_or("")
            );
        }
    }
    println!("Press Ctrl-C to stop both.");
    rt.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    println!("stopping…");
    drop(running);
    Ok(())
}
