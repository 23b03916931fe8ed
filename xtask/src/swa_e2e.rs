//! The deployment on Azure Static Web Apps, as far as this machine can tell: a dist built
//! for `/` by `cargo xtask dist`'s code, with the `staticwebapp.config.json` that command
//! writes, served by the Azure Static Web Apps CLI's local emulator (`swa start`, npm
//! `@azure/static-web-apps-cli`, pinned in end2end/swa/package-lock.json) against a
//! sandbox. The stage after nginx drives it with Playwright's `end2end/swa` specs.
//!
//! What the emulator cannot show, the unit tests below check in the file against
//! Microsoft's documented rules instead: it sends its error pages (a 404) without the
//! configured `globalHeaders`, and it maps `.wasm` to `application/wasm` even without the
//! `mimeTypes` rule (it reads the rule: an override changes its answer). It never sends
//! a precompressed `.br`/`.gz` either: compression is the service's, not the file's. The
//! emulator checks the file against Microsoft's schema when it starts (shipped in the npm
//! package) and serves without it if it fails: the stage reads its log and stops.
//!
//! Its dist lives under target/, never in dist/: it carries the sandbox's config.json.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd::{Fail, root, run};
use crate::{dist, stack};

/// Static Web Apps serves an app at the root of its host name (its own, see
/// docs/deploying.md).
pub const PUBLIC_URL: &str = "/";

/// Where the emulator's package.json and lockfile are (and its node_modules, installed
/// with `npm ci --ignore-scripts`: keytar's install script fetches binaries from outside
/// the registry, and `swa start` does not need keytar).
fn emulator_dir() -> PathBuf {
    root().join("end2end/swa")
}

/// The emulator and the sandbox, killed however the stage ends.
pub struct Deployment {
    pub app_url: String,
    pub sandbox_url: String,
    pub dist: PathBuf,
    processes: Vec<Child>,
}

impl Drop for Deployment {
    fn drop(&mut self) {
        for c in &mut self.processes {
            // `swa start` runs its server as a grandchild (through a shell) and leaves it
            // running when it is killed itself: kill the whole tree, found first.
            let tree = descendants(c.id());
            if !tree.is_empty() {
                let _ = Command::new("kill")
                    .arg("-KILL")
                    .args(tree.iter().map(u32::to_string))
                    .stderr(Stdio::null())
                    .status();
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Every process below `pid`, from /proc.
fn descendants(pid: u32) -> Vec<u32> {
    let mut parent_of: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(child) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parent_of.push((child, ppid));
            }
        }
    }
    let mut out = Vec::new();
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        for &(child, parent) in &parent_of {
            if parent == p && !out.contains(&child) {
                out.push(child);
                queue.push(child);
            }
        }
    }
    out
}

/// The (name, version) of every package of an npm lockfile, or None.
fn locked_packages(text: &str) -> Option<Vec<(String, Option<serde_json::Value>)>> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let packages = v.get("packages")?.as_object()?;
    Some(
        packages
            .iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| (k.clone(), v.get("version").cloned()))
            .collect(),
    )
}

/// Installs the emulator from end2end/swa/package-lock.json unless node_modules already
/// holds exactly that.
pub fn install() -> Result<(), Fail> {
    let dir = emulator_dir();
    let read = |p: &Path| std::fs::read_to_string(p).ok();
    let lock = read(&dir.join("package-lock.json"))
        .and_then(|t| locked_packages(&t))
        .ok_or_else(|| Fail::new("end2end/swa/package-lock.json is missing or unreadable"))?;
    let installed =
        read(&dir.join("node_modules/.package-lock.json")).and_then(|t| locked_packages(&t));
    if installed.as_ref() == Some(&lock) && dir.join("node_modules/.bin/swa").exists() {
        return Ok(());
    }
    eprintln!(
        "setup: installing the Azure Static Web Apps CLI (npm ci --ignore-scripts in end2end/swa)…"
    );
    run(Command::new("npm").current_dir(&dir).args([
        "ci",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
    ]))
}

/// Starts a sandbox (`sandbox_bin` with `sandbox_args`), makes a dist for it at `/` with
/// its `staticwebapp.config.json`, and serves it with `swa start` on a free port. The
/// dist is built with trunk, or with `trunk_output` (a dist whose trunk output
/// `dist::trunk_output` made in release mode for `/`), finished from a copy of that.
pub fn deploy(
    sandbox_bin: &Path,
    sandbox_args: &[&str],
    trunk_output: Option<&Path>,
) -> Result<Deployment, Fail> {
    install()?;
    let port = stack::free_port()?;
    let origin = format!("http://127.0.0.1:{port}");
    let app_url = format!("{origin}{PUBLIC_URL}");
    let sandbox = stack::spawn_for_deployment(sandbox_bin, sandbox_args, &origin, &app_url)?;
    let dir = stack::target_dir().join("swa");
    let mut deployment = Deployment {
        app_url: app_url.clone(),
        sandbox_url: sandbox.url,
        dist: dir.join("dist"),
        processes: vec![sandbox.process],
    };
    // Built as `cargo xtask dist --local` would, with this sandbox's hosts in the policy.
    let _ = std::fs::remove_dir_all(&deployment.dist);
    let started = Instant::now();
    let (policy, how) = match trunk_output {
        Some(from) => {
            dist::copy_trunk_output(from, &deployment.dist)?;
            let policy = dist::finish(Some(&sandbox.config), &deployment.dist)?;
            (
                policy,
                format!("trunk's output copied from {}", from.display()),
            )
        }
        None => {
            let policy = dist::build(PUBLIC_URL, Some(&sandbox.config), &deployment.dist)?;
            (policy, "built with trunk".to_string())
        }
    };
    println!(
        "the stage's dist: {how} and finished in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let swa_config = deployment.dist.join("staticwebapp.config.json");
    dist::write(
        &swa_config,
        &dist::static_web_app_config_text(PUBLIC_URL, &policy),
    )?;

    // Run from an empty folder: `swa start` takes its working directory as the app's
    // source and would read a swa-cli.config.json or workflow there. The configuration
    // is read from the dist, where Azure finds it when the dist is deployed as it is.
    let log_path = dir.join("swa.log");
    let log = std::fs::File::create(&log_path).map_err(|e| Fail::new(e.to_string()))?;
    let cwd = dir.join("cwd");
    std::fs::create_dir_all(&cwd).map_err(|e| Fail::new(e.to_string()))?;
    let d = deployment.dist.to_string_lossy().into_owned();
    let swa = Command::new(emulator_dir().join("node_modules/.bin/swa"))
        .current_dir(&cwd)
        .args([
            "start",
            &d,
            "--port",
            &port.to_string(),
            "--host",
            "127.0.0.1",
        ])
        .args(["--swa-config-location", &d])
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0")
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| Fail::new(e.to_string()))?)
        .stderr(log)
        .spawn()
        .map_err(|e| Fail::new(format!("cannot start swa (end2end/swa): {e}")))?;
    deployment.processes.push(swa);
    let started = Instant::now();
    let log_text = || std::fs::read_to_string(&log_path).unwrap_or_default();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = deployment
            .processes
            .last_mut()
            .and_then(|c| c.try_wait().ok().flatten());
        if exited.is_some() || started.elapsed() > Duration::from_secs(90) {
            return Err(Fail::new(format!(
                "the Static Web Apps emulator did not start: {}",
                log_text()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // It serves without a configuration it cannot read or that fails Microsoft's schema,
    // saying so only in its output.
    check_log(&log_text(), &swa_config.to_string_lossy())?;
    println!(
        "the Static Web Apps emulator serves {d} at {app_url} ({:.0} s to start)",
        started.elapsed().as_secs_f64()
    );
    Ok(deployment)
}

/// The emulator's start-up output says it read `config_path` and found nothing wrong.
fn check_log(log: &str, config_path: &str) -> Result<(), Fail> {
    let found = log
        .split("Found configuration file:")
        .nth(1)
        .is_some_and(|rest| rest.trim_start().starts_with(config_path));
    if !found || log.contains("Failed to validate") || log.contains("WARNING: Failed to read") {
        return Err(Fail::new(format!(
            "the Static Web Apps emulator did not take {config_path}:\n{log}"
        )));
    }
    Ok(())
}

/// The deployment the stage tests: a debug sandbox with test control.
///
/// With `e2e_dist`, the end-to-end layer's `dist/` that `build_app` has just built from
/// the same tree, the stage does not run trunk again (about 30 s, mostly wasm-opt, on a
/// fresh machine's `cargo xtask test`: issue 26). It copies that trunk output and finishes
/// it as `cargo xtask dist` does (`dist::copy_trunk_output`, `dist::finish`). That is still
/// the dist as `cargo xtask dist` makes it for `/`: `build_app` makes its trunk output with
/// the same `dist::trunk_output` (`trunk build --release --offline`, the loader minified,
/// the language files shipped) for the same public URL (`crate::APP_PUBLIC_URL`, checked
/// below against [`PUBLIC_URL`]). Only `cargo xtask test` passes it: on its own
/// (`cargo xtask e2e-swa`) the stage cannot know that `dist/` is fresh, and builds its own.
pub fn deploy_for_tests(e2e_dist: Option<&Path>) -> Result<Deployment, Fail> {
    let sandbox_bin = stack::build_sandbox(false)?;
    deploy(&sandbox_bin, stack::TEST_SANDBOX_ARGS, e2e_dist)
}

/// Runs the stage's specs against `deployment`; returns Playwright's counts and whether it
/// exited cleanly.
pub fn playwright(
    deployment: &Deployment,
    run: impl Fn(&[(&str, String)], &[String]) -> Result<(crate::cmd::Counts, bool), Fail>,
) -> Result<(crate::cmd::Counts, bool), Fail> {
    run(
        &[
            ("APP_URL", deployment.app_url.clone()),
            ("SANDBOX_URL", deployment.sandbox_url.clone()),
            // The specs compare what the emulator sends with the files and the
            // configuration it serves.
            ("SWA_DIST", deployment.dist.to_string_lossy().into_owned()),
        ],
        &["--config".into(), "swa.config.ts".into()],
    )
}

#[cfg(test)]
mod tests {
    //! The parts of `staticwebapp.config.json` the emulator cannot show, checked against
    //! Microsoft's documentation of the file ("Configure Azure Static Web Apps",
    //! learn.microsoft.com/azure/static-web-apps/configuration): routes and exclusions are
    //! an exact path or a wildcard at the end of it, optionally filtered by extension
    //! (`*.html`, `*.{png,jpg,gif}`); a route's headers are added to the global ones (the
    //! union), overriding a global header of the same name; an empty value removes a
    //! header; `globalHeaders` apply to each response; `mimeTypes` keys are extensions
    //! with their dot; the file is at most 20 KB.

    use super::*;
    use crate::headers;

    const POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='; connect-src 'self' https://login.microsoftonline.com https://graph.microsoft.com; frame-ancestors 'none'";

    fn generated() -> serde_json::Value {
        serde_json::from_str(&dist::static_web_app_config_text(PUBLIC_URL, POLICY)).unwrap()
    }

    /// A route pattern as documented: `/`, then a path whose last segment may hold one
    /// `*` at its end, filtered by one extension or a brace list of them.
    fn documented_pattern(p: &str) -> bool {
        let Some(path) = p.strip_prefix('/') else {
            return false;
        };
        let (dirs, last) = path.rsplit_once('/').unwrap_or(("", path));
        if dirs.contains(['*', '{', '}']) {
            return false;
        }
        match last.split_once('*') {
            None => !last.contains(['{', '}']),
            Some((before, "")) => !before.contains(['{', '}']),
            Some((before, filter)) => {
                let Some(ext) = filter.strip_prefix('.') else {
                    return false;
                };
                let ok = |e: &str| !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric());
                !before.contains(['{', '}'])
                    && match ext.strip_prefix('{').and_then(|e| e.strip_suffix('}')) {
                        Some(list) => list.split(',').all(ok),
                        None => ok(ext),
                    }
            }
        }
    }

    /// Whether `path` (no query) matches a documented pattern.
    fn matches(pattern: &str, path: &str) -> bool {
        match pattern.split_once('*') {
            None => pattern == path,
            Some((prefix, filter)) => {
                let Some(rest) = path.strip_prefix(prefix) else {
                    return false;
                };
                let Some(ext) = filter.strip_prefix('.') else {
                    return true;
                };
                let exts: Vec<&str> = match ext.strip_prefix('{').and_then(|e| e.strip_suffix('}'))
                {
                    Some(list) => list.split(',').collect(),
                    None => vec![ext],
                };
                exts.iter().any(|e| rest.ends_with(&format!(".{e}")))
            }
        }
    }

    /// The headers Azure would send for a file at `path`: the first matching route's
    /// headers over the global ones.
    fn headers_for(
        config: &serde_json::Value,
        path: &str,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut out = config["globalHeaders"].as_object().unwrap().clone();
        let route = config["routes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| matches(r["route"].as_str().unwrap(), path));
        if let Some(r) = route {
            for (k, v) in r["headers"].as_object().into_iter().flatten() {
                out.retain(|name, _| !name.eq_ignore_ascii_case(k));
                if v != "" {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        out
    }

    #[test]
    fn the_end_to_end_dist_is_built_for_this_stage_public_url() {
        // deploy_for_tests finishes a copy of build_app's trunk output.
        assert_eq!(crate::APP_PUBLIC_URL, PUBLIC_URL);
    }

    #[test]
    fn the_patterns_are_the_documented_kinds() {
        for ok in [
            "/index.html",
            "/calendar*",
            "/images/*",
            "/articles/*.html",
            "/images/thumbnails/*.{png,jpg,gif}",
        ] {
            assert!(documented_pattern(ok), "{ok}");
        }
        for bad in [
            "index.html",
            "/*/x",
            "/a*b",
            "/*.{png",
            "/{a,b}/*",
            "/*.",
            "/**",
        ] {
            assert!(!documented_pattern(bad), "{bad}");
        }
        let c = generated();
        let mut patterns: Vec<&str> = c["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["route"].as_str().unwrap())
            .collect();
        patterns.extend(
            c["navigationFallback"]["exclude"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap()),
        );
        assert!(patterns.len() >= 3);
        for p in patterns {
            assert!(documented_pattern(p), "{p}");
        }
        // The fallback is a file of the app, from the root.
        assert_eq!(c["navigationFallback"]["rewrite"], "/index.html");
    }

    #[test]
    fn only_documented_sections_and_within_the_size_limit() {
        let text = dist::static_web_app_config_text(PUBLIC_URL, POLICY);
        assert!(text.len() < 20 * 1024);
        let c = generated();
        for key in c.as_object().unwrap().keys() {
            assert!(
                [
                    "routes",
                    "navigationFallback",
                    "responseOverrides",
                    "globalHeaders",
                    "mimeTypes"
                ]
                .contains(&key.as_str()),
                "{key}"
            );
        }
        for (ext, mime) in c["mimeTypes"].as_object().unwrap() {
            assert!(ext.starts_with('.') && ext.len() > 1, "{ext}");
            assert!(mime.as_str().is_some_and(|m| m.contains('/')), "{mime}");
        }
        assert_eq!(c["mimeTypes"][".wasm"], "application/wasm");
        // Route rules only add headers: no rewrite, redirect, status or roles that would
        // change what a path serves.
        for r in c["routes"].as_array().unwrap() {
            let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
            assert_eq!(keys.len(), 2, "{r}");
            assert!(r["headers"].is_object(), "{r}");
        }
    }

    #[test]
    fn every_response_carries_every_security_header_and_the_right_cache() {
        let c = generated();
        let long = "public, max-age=31536000, immutable";
        // The files of a build, then what the fallback serves: every response is a file.
        for (path, cache) in [
            ("/index.html", "no-cache"),
            ("/404.html", "no-cache"),
            ("/config.json", "no-cache"),
            ("/lang-fr.json", "no-cache"),
            ("/access-desk-b25db133a4761946.js", long),
            ("/access-desk-b25db133a4761946_bg.wasm", long),
            ("/main-9e6faa3e31f94b59.css", long),
            // A missing asset's 404 (the emulator sends it bare; Azure applies
            // globalHeaders to each response).
            ("/gone-0123456789abcdef_bg.wasm", long),
        ] {
            let h = headers_for(&c, path);
            for (name, value) in headers::security_headers(POLICY) {
                let sent: Vec<_> = h
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .collect();
                assert_eq!(sent.len(), 1, "{path}: {name}");
                assert_eq!(sent[0].1, &value, "{path}: {name}");
            }
            assert_eq!(h["Cache-Control"], cache, "{path}");
            // No header is configured empty, which would remove it.
            assert!(
                h.values()
                    .all(|v| v.as_str().is_some_and(|s| !s.is_empty())),
                "{path}"
            );
        }
        // HSTS is the operator's choice for the whole host (headers::HSTS), not the file's.
        assert!(
            headers_for(&c, "/index.html")
                .keys()
                .all(|k| !k.eq_ignore_ascii_case(headers::HSTS.0))
        );
    }

    #[test]
    fn the_fallback_serves_the_app_for_views_and_a_404_for_a_missing_asset() {
        let c = generated();
        let excluded = |path: &str| {
            c["navigationFallback"]["exclude"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| matches(e.as_str().unwrap(), path))
        };
        for view in [
            "/",
            "/requests",
            "/requests/d82eb508-acc4-43cc-bcf1-7c1c4a2c073b",
            "/assignments",
            "/no-such-page",
        ] {
            assert!(!excluded(view), "{view}");
        }
        // Whose HTML would otherwise be read as script, wasm, style or configuration.
        for asset in [
            "/gone-0123456789abcdef_bg.wasm",
            "/gone-0123456789abcdef.js",
            "/gone.css",
            "/config.json",
            "/x.js.br",
            "/x.wasm.gz",
        ] {
            assert!(excluded(asset), "{asset}");
        }
    }

    #[test]
    fn the_emulator_log_must_name_the_configuration() {
        let path = "/t/swa/dist/staticwebapp.config.json";
        let good =
            format!("Welcome\n\nFound configuration file:\n  {path}\n\nServing static content:\n");
        assert!(check_log(&good, path).is_ok());
        assert!(check_log("Welcome\nServing static content:\n", path).is_err());
        let invalid = format!(
            "✖ Failed to validate staticwebapp.config.json schema.\nFound configuration file:\n  {path}\n"
        );
        assert!(check_log(&invalid, path).is_err());
    }

    #[test]
    fn lockfile_packages_are_compared_by_name_and_version() {
        let a = r#"{"packages": {"": {"name": "x"}, "node_modules/a": {"version": "1.0.0"}}}"#;
        let b = r#"{"packages": {"node_modules/a": {"version": "1.0.0", "dev": true}}}"#;
        let c = r#"{"packages": {"node_modules/a": {"version": "1.0.1"}}}"#;
        assert_eq!(locked_packages(a), locked_packages(b));
        assert_ne!(locked_packages(a), locked_packages(c));
        assert_eq!(locked_packages("not json"), None);
    }
}
