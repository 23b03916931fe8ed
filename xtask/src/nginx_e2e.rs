//! The deployment as it will be: a dist built for `/access-desk/` by `cargo xtask dist`'s
//! code (precompressed, CSP meta), served by Debian's nginx (with the brotli module) and
//! the generated `deploy/nginx.conf` snippet, against a sandbox. The last end-to-end stage
//! drives it with Playwright's `end2end/nginx` specs; `cargo xtask bench cold` times it.
//!
//! Its dist lives under target/, never in dist/: it carries the sandbox's config.json.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd::{Fail, root};
use crate::{dist, stack, toolchain};

pub const PUBLIC_URL: &str = "/access-desk/";

/// nginx and the sandbox, killed however the stage ends.
pub struct Deployment {
    pub app_url: String,
    pub sandbox_url: String,
    pub dist: PathBuf,
    processes: Vec<Child>,
}

impl Drop for Deployment {
    fn drop(&mut self) {
        for c in &mut self.processes {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The main nginx.conf of the stage: Debian's brotli module, Debian's MIME types, and the
/// generated snippet in a server on `port`.
pub fn main_conf(dir: &str, port: u16) -> String {
    format!(
        "daemon off;\nmaster_process off;\npid {dir}/nginx.pid;\nerror_log {dir}/logs/error.log warn;\n\
         load_module {module};\n\
         events {{}}\nhttp {{\n  include /etc/nginx/mime.types;\n  access_log off;\n\
         client_body_temp_path {dir}/tmp/body; proxy_temp_path {dir}/tmp/proxy;\n\
         fastcgi_temp_path {dir}/tmp/fcgi; uwsgi_temp_path {dir}/tmp/uwsgi; scgi_temp_path {dir}/tmp/scgi;\n\
         server {{\n    listen 127.0.0.1:{port};\n    include {dir}/access-desk.conf;\n  }}\n}}\n",
        module = toolchain::NGINX_BROTLI_STATIC
    )
}

/// Starts a sandbox (`sandbox_bin` with `sandbox_args`), builds a dist for it at
/// `/access-desk/` and serves it with nginx on a free port.
pub fn deploy(sandbox_bin: &Path, sandbox_args: &[&str]) -> Result<Deployment, Fail> {
    let port = stack::free_port()?;
    let origin = format!("http://127.0.0.1:{port}");
    let app_url = format!("{origin}{PUBLIC_URL}");
    let sandbox = stack::spawn_for_deployment(sandbox_bin, sandbox_args, &origin, &app_url)?;
    let mut deployment = Deployment {
        app_url,
        sandbox_url: sandbox.url,
        dist: stack::target_dir().join("nginx/dist"),
        processes: vec![sandbox.process],
    };
    // Built as `cargo xtask dist --local` would, with this sandbox's hosts in the policy.
    let policy = dist::build(PUBLIC_URL, Some(&sandbox.config), &deployment.dist)?;

    let dir = stack::target_dir().join("nginx");
    for sub in ["logs", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| Fail::new(e.to_string()))?;
    }
    let template = std::fs::read_to_string(root().join("deploy/nginx.conf"))
        .map_err(|e| Fail::new(format!("deploy/nginx.conf: {e}")))?;
    let snippet = dist::nginx_conf(
        &template,
        PUBLIC_URL,
        &deployment.dist.to_string_lossy(),
        &policy,
        dist::NginxOptions::default(),
    );
    dist::write(&dir.join("access-desk.conf"), &snippet)?;
    let d = dir.to_string_lossy();
    dist::write(&dir.join("nginx.conf"), &main_conf(&d, port))?;
    let _ = std::fs::remove_file(dir.join("logs/error.log"));
    let nginx = Command::new(toolchain::NGINX)
        .args(["-c", &format!("{d}/nginx.conf"), "-p", &d])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| Fail::new(format!("cannot start nginx: {e}")))?;
    deployment.processes.push(nginx);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(10) {
            let log = std::fs::read_to_string(dir.join("logs/error.log")).unwrap_or_default();
            return Err(Fail::new(format!("nginx did not start: {log}")));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(deployment)
}

/// The deployment the nginx stage tests: a debug sandbox with test control.
pub fn deploy_for_tests() -> Result<Deployment, Fail> {
    let sandbox_bin = stack::build_sandbox(false)?;
    deploy(&sandbox_bin, stack::TEST_SANDBOX_ARGS)
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
            // The specs compare what nginx sends with the files it sends them from.
            ("NGINX_DIST", deployment.dist.to_string_lossy().into_owned()),
        ],
        &["--config".into(), "nginx.config.ts".into()],
    )
}
