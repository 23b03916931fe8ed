//! `cargo xtask dist [--public-url /access-desk/] [--config FILE]`: a deployable `dist/`.
//!
//! One build serves any tenant: `config.json` is copied in (or left for the operator),
//! never compiled in. The policy's `connect-src` names the hosts that configuration talks
//! to, so the CSP is generated here, with the build: as a `<meta>` in `index.html` (for
//! hosts that cannot send headers) and as a header in `dist-nginx.conf` (next to `dist/`,
//! from `deploy/nginx.conf`) and in `staticwebapp.config.json` (Azure Static Web Apps).
//! `404.html` is `index.html` again, for hosts without rewrites (GitHub Pages serves it
//! for every unknown path, and the app's router reads the address). Every text and wasm
//! file gets a precompressed `.gz` and `.br` (compress.rs), made last, from the final files.
//!
//! A config.json that points at this machine (the sandbox's) is refused without `--local`:
//! a deployment built with it would send every admin's browser to their own loopback.

use std::path::Path;
use std::process::Command;

use crate::cmd::{Fail, root, run};
use crate::{compress, csp, headers, minify, release_wasm, toolchain};

/// Where the app lives: `/` or `/sub/path/` (always with both slashes).
pub fn normalise_public_url(p: &str) -> Result<String, Fail> {
    let p = p.trim();
    if p.contains("://") || p.contains(['?', '#', ' ', '"']) {
        return Err(Fail::new(format!(
            "--public-url is a path such as /access-desk/, not {p:?}"
        )));
    }
    let inner = p.trim_matches('/');
    Ok(if inner.is_empty() {
        "/".into()
    } else {
        format!("/{inner}/")
    })
}

/// `html` without the policy `<meta>` that [`with_meta_policy`] put in (to put in another).
pub fn without_meta_policy(html: &str) -> String {
    let start = "\n    <meta http-equiv=\"Content-Security-Policy\"";
    match html.find(start) {
        Some(i) => match html[i..].find("/>") {
            Some(end) => format!("{}{}", &html[..i], &html[i + end + 2..]),
            None => html.to_string(),
        },
        None => html.to_string(),
    }
}

/// `index.html` with the policy as a `<meta>` after the charset (before any script).
/// `frame-ancestors` is left out: browsers ignore it in a meta and say so.
pub fn with_meta_policy(html: &str, policy: &str) -> String {
    let meta_policy: Vec<&str> = policy
        .split("; ")
        .filter(|d| !d.starts_with("frame-ancestors"))
        .collect();
    let meta = format!(
        "\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />",
        meta_policy.join("; ")
    );
    // Right after `<meta charset…>`, written by hand or by trunk's HTML minifier.
    let after = html
        .find("<meta charset")
        .and_then(|i| html[i..].find('>').map(|end| i + end + 1))
        .or_else(|| html.find("<head>").map(|i| i + "<head>".len()));
    match after {
        Some(i) => format!("{}{meta}{}", &html[..i], &html[i..]),
        None => html.to_string(),
    }
}

/// What the generated nginx snippet turns on besides the defaults.
#[derive(Clone, Copy, Debug)]
pub struct NginxOptions {
    /// `brotli_static on` (needs the brotli module, see deploy/nginx.conf).
    pub brotli_static: bool,
    /// Strict-Transport-Security (opt-in: see headers::HSTS).
    pub hsts: bool,
}

impl Default for NginxOptions {
    fn default() -> Self {
        NginxOptions {
            brotli_static: true,
            hsts: false,
        }
    }
}

/// The `add_header` lines of every location, each indented like the placeholder.
fn header_lines(indent: &str, policy: &str, hsts: bool) -> String {
    let mut lines: Vec<String> = headers::security_headers(policy)
        .into_iter()
        .map(|(name, value)| {
            assert!(!value.contains('"'), "{name} has a double quote");
            format!("{indent}add_header {name} \"{value}\" always;")
        })
        .collect();
    let (name, value) = headers::HSTS;
    lines.push(if hsts {
        format!("{indent}add_header {name} \"{value}\" always;")
    } else {
        format!(
            "{indent}# add_header {name} \"{value}\" always;  # opt-in, https only: cargo xtask dist --hsts"
        )
    });
    lines.join("\n")
}

/// `deploy/nginx.conf` filled in.
pub fn nginx_conf(
    template: &str,
    public_url: &str,
    root_dir: &str,
    policy: &str,
    options: NginxOptions,
) -> String {
    let root_dir = format!("{}/", root_dir.trim_end_matches('/'));
    template
        .lines()
        .map(|line| {
            let indent = &line[..line.len() - line.trim_start().len()];
            match line.trim() {
                "@SECURITY_HEADERS@" => header_lines(indent, policy, options.hsts),
                "@BROTLI_STATIC@" if options.brotli_static => format!("{indent}brotli_static on;"),
                "@BROTLI_STATIC@" => format!(
                    "{indent}# brotli_static on;  # left out by --no-brotli-static: .br files are not sent"
                ),
                _ => line
                    .replace("@PUBLIC_URL_NO_SLASH@", public_url.trim_end_matches('/'))
                    .replace("@PUBLIC_URL@", public_url)
                    .replace("@ROOT@", &root_dir),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Azure Static Web Apps' `staticwebapp.config.json`: the app for every path that is not a
/// file (its router reads the address), every security header on every response, and the
/// same caching as nginx. Azure sends a `.br` sibling of a file (the wasm's included) to
/// browsers that accept brotli, and compresses text types itself.
pub fn static_web_app_config(public_url: &str, policy: &str) -> serde_json::Value {
    let mut global = serde_json::Map::new();
    for (name, value) in headers::security_headers(policy) {
        global.insert(name.into(), value.into());
    }
    global.insert("Cache-Control".into(), "no-cache".into());
    serde_json::json!({
        "navigationFallback": {
            "rewrite": format!("{public_url}index.html"),
            // A missing asset or config.json is a 404, not the page (whose HTML would be
            // read as script or JSON).
            "exclude": [
                format!("{public_url}*.{{js,wasm,css,br,gz}}"),
                format!("{public_url}config.json"),
            ],
        },
        "routes": [{
            // Hashed names (trunk): a new build has new names.
            "route": format!("{public_url}*.{{js,wasm,css}}"),
            "headers": { "Cache-Control": "public, max-age=31536000, immutable" },
        }],
        "globalHeaders": global,
        "mimeTypes": { ".wasm": "application/wasm" },
    })
}

/// [`static_web_app_config`] as the file's text, exactly as `cargo xtask dist` writes it.
pub fn static_web_app_config_text(public_url: &str, policy: &str) -> String {
    serde_json::to_string_pretty(&static_web_app_config(public_url, policy)).expect("json") + "\n"
}

/// Hosts of a configuration that only this machine can reach (the sandbox's, as
/// `cargo xtask run` writes them): loopback names and addresses.
pub fn loopback_hosts(cfg: &access_desk::config::Config) -> Vec<String> {
    let mut out = Vec::new();
    for url in [&cfg.authority_host, &cfg.graph_base, &cfg.redirect_uri] {
        let origin = csp::origin(url);
        let host_port = origin.split_once("://").map_or(origin.as_str(), |(_, h)| h);
        let host = if let Some(rest) = host_port.strip_prefix('[') {
            rest.split(']').next().unwrap_or("")
        } else {
            host_port.split(':').next().unwrap_or("")
        }
        .to_ascii_lowercase();
        let loopback = host == "localhost"
            || host.ends_with(".localhost")
            || host == "0.0.0.0"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
        if loopback && !out.contains(&origin) {
            out.push(origin);
        }
    }
    out
}

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// Reads and validates a config.json; refuses one that points at this machine (the
/// sandbox) unless `local` says the build is for this machine.
pub fn read_config(
    path: &Path,
    local: bool,
) -> Result<(String, access_desk::config::Config), Fail> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Fail::new(format!("{}: {e}", path.display())))?;
    let cfg = access_desk::config::Config::parse(&text).map_err(|errors| {
        Fail::new(format!(
            "{} is not a valid configuration: {errors:?}",
            path.display()
        ))
    })?;
    let loopback = loopback_hosts(&cfg);
    if !loopback.is_empty() && !local {
        return Err(Fail::new(format!(
            "{} points at {}: this machine (the local sandbox?), which no admin's browser reaches. \
             Give the tenant's config.json, or add --local to build for this machine only.",
            path.display(),
            loopback.join(", ")
        )));
    }
    Ok((text, cfg))
}

/// How trunk builds the app (see [`trunk_output`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trunk {
    /// `trunk build --release`: wasm-opt -Oz, HTML and CSS minified by trunk, then the
    /// loader by terser. Every dist that is deployed or tested is this.
    Release,
    /// trunk's debug mode on cargo's release profile: the same wasm without the passes that
    /// only buy bytes on the network (`cargo xtask run`, served over loopback; see
    /// run_build.rs).
    Unshrunk,
}

/// trunk's output for `public_url` in `out` (which trunk empties first): `cargo fetch`,
/// `trunk build --offline` as `mode` says, the loader minified (release only) and the
/// language files as the app reads them. Offline, so a missing tool fails fast instead of
/// trunk downloading one. It holds no configuration and no policy yet: see [`finish`].
pub fn trunk_output(mode: Trunk, public_url: &str, out: &Path) -> Result<(), Fail> {
    run(Command::new("cargo")
        .current_dir(root())
        .args(["fetch", "--quiet"]))?;
    // The standard library's own crates (dlmalloc, …), which the release wasm compiles:
    // fetched only for the target and with its flags.
    run(release_wasm::apply(&mut Command::new("cargo"))
        .current_dir(root())
        .args(["fetch", "--quiet", "--target", "wasm32-unknown-unknown"]))?;
    let mut trunk = Command::new("trunk");
    release_wasm::apply(&mut trunk);
    trunk.current_dir(root()).args(["build", "--offline"]);
    match mode {
        Trunk::Release => trunk.arg("--release"),
        Trunk::Unshrunk => trunk.args(["--cargo-profile", "release"]),
    };
    run(trunk
        .args(["--public-url", public_url, "--dist"])
        .arg(out)
        .env("PATH", toolchain::path_env())
        .env("NO_COLOR", "true"))?;
    if mode == Trunk::Release {
        crate::wasm_names::shorten(out)?;
        minify::minify_loader(out)?;
    }
    ship_language_files(out)?;
    // English is the catalog compiled into the app's source; the release wasm reads it
    // from this file like the other languages.
    let english = out.join("lang-en.json");
    std::fs::write(&english, access_desk::i18n::english_catalog())
        .map_err(|e| Fail::new(format!("{}: {e}", english.display())))
}

/// Rewrites each `lang-*.json` trunk copied into `dist` as the app reads it: the texts in
/// the catalog's order behind this build's stamp, without the keys
/// (`access_desk::i18n::shipped_catalog`).
fn ship_language_files(dist: &Path) -> Result<(), Fail> {
    let entries =
        std::fs::read_dir(dist).map_err(|e| Fail::new(format!("{}: {e}", dist.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if !(name.starts_with("lang-") && name.ends_with(".json")) {
            continue;
        }
        let source =
            std::fs::read_to_string(&path).map_err(|e| Fail::new(format!("{name}: {e}")))?;
        let shipped = access_desk::i18n::shipped_catalog(&source)
            .map_err(|e| Fail::new(format!("{name}: {e}")))?;
        std::fs::write(&path, shipped).map_err(|e| Fail::new(format!("{name}: {e}")))?;
    }
    Ok(())
}

/// Whether a file of a dist is one [`finish`] makes (or `cargo xtask dist`, or a deployment
/// stage, writes after it) rather than one of trunk's output.
fn made_after_trunk(name: &str) -> bool {
    name.ends_with(".gz")
        || name.ends_with(".br")
        || ["config.json", "404.html", "staticwebapp.config.json"].contains(&name)
}

/// Copies trunk's output from `from`, a dist whose trunk output [`trunk_output`] made in
/// release mode (finished or precompressed since, or not), into `to`, which it empties
/// first: every file but those made after trunk, which [`finish`] then makes for `to`.
/// [`finish`] on the copy gives what [`build`] gives for the public URL `from` was built
/// for, without running trunk (and wasm-opt) again.
pub fn copy_trunk_output(from: &Path, to: &Path) -> Result<(), Fail> {
    let fail = |p: &Path, e: std::io::Error| Fail::new(format!("{}: {e}", p.display()));
    if to.exists() {
        std::fs::remove_dir_all(to).map_err(|e| fail(to, e))?;
    }
    std::fs::create_dir_all(to).map_err(|e| fail(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| fail(from, e))? {
        let entry = entry.map_err(|e| fail(from, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            copy_trunk_output(&path, &to.join(&name))?;
        } else if !made_after_trunk(&name) {
            std::fs::copy(&path, to.join(&name)).map_err(|e| fail(&path, e))?;
        }
    }
    Ok(())
}

/// Builds the app into `out` for `public_url`: [`trunk_output`] in release mode, then
/// [`finish`]. Returns the policy.
pub fn build(
    public_url: &str,
    config: Option<&(String, access_desk::config::Config)>,
    out: &Path,
) -> Result<String, Fail> {
    toolchain::setup_build()?;
    trunk_output(Trunk::Release, public_url, out)?;
    finish(config, out)
}

/// Makes trunk's release output in `out` a dist: puts in `config` (validated text and
/// configuration, see [`read_config`]) and the policy, computed from `index.html` and the
/// configuration's hosts, as a `<meta>` in `index.html` and `404.html`, then
/// precompresses. Returns the policy.
pub fn finish(
    config: Option<&(String, access_desk::config::Config)>,
    out: &Path,
) -> Result<String, Fail> {
    let mut connect = Vec::new();
    if let Some((text, cfg)) = config {
        connect.push(cfg.authority_host.clone());
        connect.push(cfg.graph_base.clone());
        write(&out.join("config.json"), text)?;
    }
    let index =
        std::fs::read_to_string(out.join("index.html")).map_err(|e| Fail::new(e.to_string()))?;
    let policy = csp::policy(&index, &connect);
    set_page_policy(out, &policy)?;
    compress::precompress(out)?;
    Ok(policy)
}

/// Writes `text` to `path`; an error names the file.
pub fn write(path: &Path, text: &str) -> Result<(), Fail> {
    std::fs::write(path, text).map_err(|e| Fail::new(format!("{}: {e}", path.display())))
}

/// Puts `policy` in `index.html` and `404.html` as a `<meta>` (replacing one already
/// there). Their precompressed copies are then stale: precompress again after.
pub fn set_page_policy(out: &Path, policy: &str) -> Result<(), Fail> {
    let index =
        std::fs::read_to_string(out.join("index.html")).map_err(|e| Fail::new(e.to_string()))?;
    let page = with_meta_policy(&without_meta_policy(&index), policy);
    for name in ["index.html", "404.html"] {
        write(&out.join(name), &page)?;
    }
    Ok(())
}

pub fn dist(args: &[String]) -> Result<(), Fail> {
    let public_url = normalise_public_url(arg(args, "--public-url").unwrap_or("/"))?;
    let local = args.iter().any(|a| a == "--local");
    let options = NginxOptions {
        brotli_static: !args.iter().any(|a| a == "--no-brotli-static"),
        hsts: args.iter().any(|a| a == "--hsts"),
    };
    let config = arg(args, "--config")
        .map(|p| read_config(Path::new(p), local))
        .transpose()?;
    let out = root().join("dist");
    let policy = build(&public_url, config.as_ref(), &out)?;
    let template = std::fs::read_to_string(root().join("deploy/nginx.conf"))
        .map_err(|e| Fail::new(format!("deploy/nginx.conf: {e}")))?;
    write(
        &root().join("dist-nginx.conf"),
        &nginx_conf(
            &template,
            &public_url,
            &out.to_string_lossy(),
            &policy,
            options,
        ),
    )?;
    write(
        &out.join("staticwebapp.config.json"),
        &static_web_app_config_text(&public_url, &policy),
    )?;
    println!(
        "dist/ is ready for {public_url} (with .gz and .br next to each asset, and staticwebapp.config.json)"
    );
    if config.is_none() {
        println!(
            "no --config: the CSP's connect-src names no identity or Graph host; build again with the tenant's --config"
        );
    }
    println!(
        "Content-Security-Policy (also in dist/index.html, dist-nginx.conf, dist/staticwebapp.config.json):\n  {policy}"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_of_trunk_output_leaves_out_what_is_made_after_trunk() {
        let dir = std::env::temp_dir().join(format!("xtask-copy-{}", std::process::id()));
        let (from, to) = (dir.join("from"), dir.join("to"));
        std::fs::create_dir_all(from.join("snippets")).unwrap();
        let trunk = [
            "index.html",
            "access-desk-0123456789abcdef.js",
            "access-desk-0123456789abcdef_bg.wasm",
            "main-0123456789abcdef.css",
            "lang-fr.json",
            "snippets/x.js",
        ];
        let after = [
            "index.html.gz",
            "index.html.br",
            "access-desk-0123456789abcdef_bg.wasm.br",
            "snippets/x.js.gz",
            "config.json",
            "404.html",
            "staticwebapp.config.json",
        ];
        for name in trunk.iter().chain(&after) {
            std::fs::write(from.join(name), name).unwrap();
        }
        // What was there before goes.
        std::fs::create_dir_all(&to).unwrap();
        std::fs::write(to.join("access-desk-fedcba9876543210.js"), "old").unwrap();
        copy_trunk_output(&from, &to).unwrap();
        fn files(dir: &Path, under: &str, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let name = format!("{under}{}", e.file_name().to_string_lossy());
                if e.path().is_dir() {
                    files(&e.path(), &format!("{name}/"), out);
                } else {
                    out.push(name);
                }
            }
        }
        let mut copied = Vec::new();
        files(&to, "", &mut copied);
        copied.sort();
        let mut want: Vec<String> = trunk.iter().map(|n| n.to_string()).collect();
        want.sort();
        assert_eq!(copied, want);
        assert_eq!(
            std::fs::read_to_string(to.join("snippets/x.js")).unwrap(),
            "snippets/x.js"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn public_urls_are_paths_with_both_slashes() {
        assert_eq!(normalise_public_url("/").unwrap(), "/");
        assert_eq!(normalise_public_url("").unwrap(), "/");
        assert_eq!(
            normalise_public_url("access-desk").unwrap(),
            "/access-desk/"
        );
        assert_eq!(
            normalise_public_url("/tools/access-desk").unwrap(),
            "/tools/access-desk/"
        );
        assert!(normalise_public_url("https://x/").is_err());
        assert!(normalise_public_url("/a?b").is_err());
    }

    #[test]
    fn the_meta_policy_comes_first_in_head_without_frame_ancestors() {
        let html = "<html><head><script>x</script></head></html>";
        let out = with_meta_policy(html, "default-src 'none'; frame-ancestors 'none'");
        assert!(out.starts_with("<html><head>\n    <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\" />"));
        assert!(out.find("<meta").unwrap() < out.find("<script").unwrap());
        let with_charset = "<head>\n<meta charset=\"utf-8\" /><script>x</script>";
        let out = with_meta_policy(with_charset, "default-src 'none'");
        assert!(out.find("charset").unwrap() < out.find("Content-Security-Policy").unwrap());
        assert!(out.find("Content-Security-Policy").unwrap() < out.find("<script").unwrap());
        // trunk's HTML minifier leaves no <head> tag and unquoted attributes.
        let minified = "<!doctype html><html lang=en><meta charset=utf-8><title>A</title><script type=module>x</script>";
        let out = with_meta_policy(minified, "default-src 'none'");
        assert!(out.starts_with("<!doctype html><html lang=en><meta charset=utf-8>\n    <meta http-equiv=\"Content-Security-Policy\""));
        assert!(out.find("Content-Security-Policy").unwrap() < out.find("<script").unwrap());
        // Taken out again exactly, minified page included (the nginx stage puts in its own).
        assert_eq!(without_meta_policy(&out), minified);
        assert_eq!(without_meta_policy(&with_meta_policy(html, "a")), html);
    }

    #[test]
    fn the_nginx_template_is_filled_in() {
        let t = "location = @PUBLIC_URL_NO_SLASH@ {}\nlocation @PUBLIC_URL@ {\n    alias @ROOT@;\n    @BROTLI_STATIC@\n    @SECURITY_HEADERS@\n}";
        let out = nginx_conf(
            t,
            "/access-desk/",
            "/srv/dist",
            "default-src 'none'",
            NginxOptions::default(),
        );
        assert!(out.starts_with("location = /access-desk {}\nlocation /access-desk/ {\n    alias /srv/dist/;\n    brotli_static on;\n    add_header Content-Security-Policy \"default-src 'none'\" always;\n    add_header X-Frame-Options \"DENY\" always;\n"), "{out}");
        let real = std::fs::read_to_string(root().join("deploy/nginx.conf")).unwrap();
        let filled = nginx_conf(&real, "/a/", "/d", "p", NginxOptions::default());
        assert!(
            !filled
                .lines()
                .any(|l| !l.trim_start().starts_with('#') && l.contains('@')),
            "{filled}"
        );
        let without = nginx_conf(
            t,
            "/",
            "/d",
            "p",
            NginxOptions {
                brotli_static: false,
                hsts: false,
            },
        );
        assert!(
            !without
                .lines()
                .any(|l| l.trim_start().starts_with("brotli_static"))
        );
    }

    /// The `location` blocks of an nginx config, each with its own direct lines (nested
    /// blocks taken out and returned on their own).
    fn locations(conf: &str) -> Vec<(String, Vec<String>)> {
        let mut stack: Vec<(String, Vec<String>)> = Vec::new();
        let mut done = Vec::new();
        for line in conf.lines().map(str::trim) {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if line.starts_with("location") && line.ends_with('{') {
                stack.push((line.to_string(), Vec::new()));
            } else if line == "}" {
                done.push(stack.pop().expect("balanced braces"));
            } else if let Some(top) = stack.last_mut() {
                top.1.push(line.to_string());
            } else {
                panic!("a directive outside every location: {line}");
            }
        }
        assert!(stack.is_empty());
        done
    }

    #[test]
    fn every_location_sends_every_security_header_itself() {
        // The trap: an add_header in a location drops the inherited ones. So each
        // location, nested ones included, must carry the whole set on its own.
        let template = std::fs::read_to_string(root().join("deploy/nginx.conf")).unwrap();
        let policy = "default-src 'none'; frame-ancestors 'none'";
        let conf = nginx_conf(
            &template,
            "/access-desk/",
            "/srv/dist",
            policy,
            NginxOptions::default(),
        );
        let locs = locations(&conf);
        assert_eq!(locs.len(), 3, "redirect, app, hashed assets: {locs:?}");
        for (name, lines) in &locs {
            for (header, value) in headers::security_headers(policy) {
                let want = format!("add_header {header} \"{value}\" always;");
                assert_eq!(
                    lines.iter().filter(|l| **l == want).count(),
                    1,
                    "{name} lacks or repeats {header}"
                );
            }
            // HSTS stays a comment unless asked for.
            assert!(
                !lines
                    .iter()
                    .any(|l| l.contains("Strict-Transport-Security")),
                "{name}"
            );
        }
        let with_hsts = nginx_conf(
            &template,
            "/",
            "/d",
            policy,
            NginxOptions {
                brotli_static: true,
                hsts: true,
            },
        );
        for (name, lines) in locations(&with_hsts) {
            assert!(
                lines.contains(
                    &"add_header Strict-Transport-Security \"max-age=31536000\" always;"
                        .to_string()
                ),
                "{name}"
            );
        }
        // Precompressed files are served, config.json is not cached, hashed assets are.
        let app = &locs
            .iter()
            .find(|(n, _)| n == "location /access-desk/ {")
            .unwrap()
            .1;
        for d in [
            "gzip_static on;",
            "brotli_static on;",
            "add_header Cache-Control \"no-cache\" always;",
        ] {
            assert!(app.iter().any(|l| l == d), "{d}");
        }
    }

    #[test]
    fn the_static_web_app_config_has_the_fallback_and_every_header() {
        let policy = "default-src 'none'; script-src 'self' 'sha256-abc='";
        let v = static_web_app_config("/access-desk/", policy);
        assert_eq!(
            v["navigationFallback"]["rewrite"],
            "/access-desk/index.html"
        );
        let excluded: Vec<&str> = v["navigationFallback"]["exclude"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        assert!(excluded.contains(&"/access-desk/config.json"));
        assert!(excluded.contains(&"/access-desk/*.{js,wasm,css,br,gz}"));
        for name in headers::names() {
            assert!(v["globalHeaders"][name].is_string(), "{name}");
        }
        assert_eq!(v["globalHeaders"]["Content-Security-Policy"], policy);
        assert_eq!(v["globalHeaders"]["Cache-Control"], "no-cache");
        // Azure's limit for the file is 20 KB.
        assert!(serde_json::to_string_pretty(&v).unwrap().len() < 20_000);
        assert_eq!(
            static_web_app_config("/", policy)["navigationFallback"]["rewrite"],
            "/index.html"
        );
    }

    fn config(authority: &str, redirect: &str) -> access_desk::config::Config {
        access_desk::config::Config::parse(&format!(
            r#"{{"clientId": "00000000-0000-0000-0000-000000000001", "tenantId": "contoso.onmicrosoft.com",
                "cloud": "custom", "custom": {{"authorityHost": "{authority}", "graphHost": "{authority}", "actsAs": "global"}},
                "redirectUri": "{redirect}"}}"#
        ))
        .unwrap()
    }

    #[test]
    fn a_config_for_the_local_sandbox_is_refused_unless_the_build_is_local() {
        let sandbox = config("http://127.0.0.1:8081", "http://127.0.0.1:8080/");
        assert_eq!(
            loopback_hosts(&sandbox),
            ["http://127.0.0.1:8081", "http://127.0.0.1:8080"]
        );
        assert_eq!(
            loopback_hosts(&config(
                "https://login.contoso.com",
                "http://localhost:3000/"
            )),
            ["http://localhost:3000"]
        );
        assert!(
            loopback_hosts(&config(
                "https://login.contoso.com",
                "https://admin.contoso.com/ad/"
            ))
            .is_empty()
        );

        let dir = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.json");
        std::fs::write(
            &path,
            r#"{"clientId": "00000000-0000-0000-0000-000000000001", "tenantId": "t.onmicrosoft.com",
               "cloud": "custom", "custom": {"authorityHost": "http://127.0.0.1:8081", "graphHost": "http://127.0.0.1:8081", "actsAs": "global"},
               "redirectUri": "http://127.0.0.1:8080/"}"#,
        )
        .unwrap();
        let refused = read_config(&path, false).unwrap_err();
        assert!(
            refused.0.contains("http://127.0.0.1:8081") && refused.0.contains("--local"),
            "{refused}"
        );
        assert!(read_config(&path, true).is_ok());
        std::fs::write(
            &path,
            r#"{"clientId": "00000000-0000-0000-0000-000000000001", "tenantId": "contoso.onmicrosoft.com", "redirectUri": "https://admin.contoso.com/access-desk/"}"#,
        )
        .unwrap();
        assert!(read_config(&path, false).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
