//! `cargo xtask dist [--public-url /access-desk/] [--config FILE]`: a deployable `dist/`.
//!
//! One build serves any tenant: `config.json` is copied in (or left for the operator),
//! never compiled in. The policy's `connect-src` names the hosts that configuration talks
//! to, so the CSP is generated here, with the build: as a `<meta>` in `index.html` (for
//! hosts that cannot send headers) and as a header in `dist-nginx.conf` (next to `dist/`,
//! from `deploy/nginx.conf`). `404.html` is `index.html` again, for hosts without
//! rewrites (GitHub Pages serves it for every unknown path, and the app's router reads
//! the address).

use std::path::Path;
use std::process::Command;

use crate::cmd::{Fail, root, run};
use crate::{csp, toolchain};

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

/// `index.html` with the policy as a `<meta>` after the charset (before any script).
/// `frame-ancestors` is left out: browsers ignore it in a meta and say so.
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

/// `deploy/nginx.conf` filled in.
pub fn nginx_conf(template: &str, public_url: &str, root_dir: &str, policy: &str) -> String {
    let root_dir = format!("{}/", root_dir.trim_end_matches('/'));
    template
        .replace("@PUBLIC_URL_NO_SLASH@", public_url.trim_end_matches('/'))
        .replace("@PUBLIC_URL@", public_url)
        .replace("@ROOT@", &root_dir)
        .replace("@CSP@", policy)
}

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// Builds `dist/` for `public_url`; returns the policy.
pub fn build(public_url: &str, config: Option<&Path>) -> Result<String, Fail> {
    toolchain::setup()?;
    run(Command::new("cargo")
        .current_dir(root())
        .args(["fetch", "--quiet"]))?;
    run(Command::new("trunk")
        .current_dir(root())
        .args([
            "build",
            "--release",
            "--offline",
            "--public-url",
            public_url,
        ])
        .env("PATH", toolchain::path_env())
        .env("NO_COLOR", "true"))?;
    let dist = root().join("dist");
    crate::minify::minify_loader(&dist)?;
    let mut connect = Vec::new();
    if let Some(path) = config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Fail::new(format!("{}: {e}", path.display())))?;
        let cfg = access_desk::config::Config::parse(&text).map_err(|errors| {
            Fail::new(format!(
                "{} is not a valid configuration: {errors:?}",
                path.display()
            ))
        })?;
        connect.push(cfg.authority_host.clone());
        connect.push(cfg.graph_base.clone());
        std::fs::write(dist.join("config.json"), text).map_err(|e| Fail::new(e.to_string()))?;
    }
    let index_path = dist.join("index.html");
    let index = std::fs::read_to_string(&index_path).map_err(|e| Fail::new(e.to_string()))?;
    let policy = csp::policy(&index, &connect);
    let with_meta = with_meta_policy(&index, &policy);
    for name in ["index.html", "404.html"] {
        std::fs::write(dist.join(name), &with_meta).map_err(|e| Fail::new(e.to_string()))?;
    }
    let template = std::fs::read_to_string(root().join("deploy/nginx.conf"))
        .map_err(|e| Fail::new(format!("deploy/nginx.conf: {e}")))?;
    std::fs::write(
        root().join("dist-nginx.conf"),
        nginx_conf(&template, public_url, &dist.to_string_lossy(), &policy),
    )
    .map_err(|e| Fail::new(e.to_string()))?;
    Ok(policy)
}

pub fn dist(args: &[String]) -> Result<(), Fail> {
    let public_url = normalise_public_url(arg(args, "--public-url").unwrap_or("/"))?;
    let config = arg(args, "--config").map(Path::new);
    let policy = build(&public_url, config)?;
    println!("dist/ is ready for {public_url}");
    if config.is_none() {
        println!(
            "no --config: put the tenant's config.json in dist/ and run again with --config to name its hosts in connect-src"
        );
    }
    println!("Content-Security-Policy (also in dist/index.html and dist-nginx.conf):\n  {policy}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let t = "location = @PUBLIC_URL_NO_SLASH@ {} location @PUBLIC_URL@ { alias @ROOT@; try_files $uri @PUBLIC_URL@index.html; add_header Content-Security-Policy \"@CSP@\"; }";
        let out = nginx_conf(t, "/access-desk/", "/srv/dist", "default-src 'none'");
        assert_eq!(
            out,
            "location = /access-desk {} location /access-desk/ { alias /srv/dist/; try_files $uri /access-desk/index.html; add_header Content-Security-Policy \"default-src 'none'\"; }"
        );
        assert!(
            !nginx_conf(
                &std::fs::read_to_string(root().join("deploy/nginx.conf")).unwrap(),
                "/a/",
                "/d",
                "p"
            )
            .contains('@')
        );
    }
}
