//! The last end-to-end stage: `dist/` built for `/access-desk/` by `cargo xtask dist`'s
//! code, served by Debian's nginx with `deploy/nginx.conf` and the generated CSP, against
//! a fresh sandbox; Playwright's `end2end/nginx` specs drive it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd::{Fail, root};
use crate::{csp, dist, stack, toolchain};

const PUBLIC_URL: &str = "/access-desk/";

/// Kills nginx and the sandbox however the stage ends.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> Result<u16, Fail> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| Fail::new(e.to_string()))?;
    Ok(l.local_addr().map_err(|e| Fail::new(e.to_string()))?.port())
}

fn write(path: &Path, text: &str) -> Result<(), Fail> {
    std::fs::write(path, text).map_err(|e| Fail::new(format!("{}: {e}", path.display())))
}

/// Runs the stage; returns Playwright's counts and whether it exited cleanly.
pub fn run(
    playwright: impl Fn(&str, &str, &[String]) -> Result<(crate::cmd::Counts, bool), Fail>,
) -> Result<(crate::cmd::Counts, bool), Fail> {
    let port = free_port()?;
    let origin = format!("http://127.0.0.1:{port}");
    let app_url = format!("{origin}{PUBLIC_URL}");

    dist::build(PUBLIC_URL, None)?;
    let dist_dir = root().join("dist");
    let sandbox_bin = stack::build_sandbox(false)?;
    let (sandbox, sandbox_url) = stack::spawn_sandbox(
        &sandbox_bin,
        &[
            "--addr".into(),
            "127.0.0.1:0".into(),
            "--app-origin".into(),
            origin.clone(),
            "--redirect-uri".into(),
            app_url.clone(),
            "--test-control".into(),
        ],
        false,
    )?;
    let mut processes = Processes(vec![sandbox]);
    let info = stack::sandbox_info(&crate::runtime(), &sandbox_url)?;
    let config = stack::sandbox_config(&info, &sandbox_url, &app_url);
    write(&dist_dir.join("config.json"), &config.to_string())?;

    // The policy for this configuration, in the page and in nginx's header (as `dist`
    // does with --config; here the hosts are known only once the sandbox runs).
    let index_path = dist_dir.join("index.html");
    let index = std::fs::read_to_string(&index_path).map_err(|e| Fail::new(e.to_string()))?;
    let original = dist::without_meta_policy(&index);
    let policy = csp::policy(&original, std::slice::from_ref(&sandbox_url));
    let page = dist::with_meta_policy(&original, &policy);
    write(&index_path, &page)?;
    write(&dist_dir.join("404.html"), &page)?;

    let dir = stack::target_dir().join("nginx");
    for sub in ["logs", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| Fail::new(e.to_string()))?;
    }
    let template = std::fs::read_to_string(root().join("deploy/nginx.conf"))
        .map_err(|e| Fail::new(format!("deploy/nginx.conf: {e}")))?;
    let snippet = dist::nginx_conf(&template, PUBLIC_URL, &dist_dir.to_string_lossy(), &policy);
    write(&dir.join("access-desk.conf"), &snippet)?;
    let d = dir.to_string_lossy();
    let main_conf = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/logs/error.log warn;\n\
         events {{}}\nhttp {{\n  include /etc/nginx/mime.types;\n  access_log off;\n\
         client_body_temp_path {d}/tmp/body; proxy_temp_path {d}/tmp/proxy;\n\
         fastcgi_temp_path {d}/tmp/fcgi; uwsgi_temp_path {d}/tmp/uwsgi; scgi_temp_path {d}/tmp/scgi;\n\
         server {{\n    listen 127.0.0.1:{port};\n    include {d}/access-desk.conf;\n  }}\n}}\n"
    );
    write(&dir.join("nginx.conf"), &main_conf)?;
    let nginx = Command::new(toolchain::NGINX)
        .args(["-c", &format!("{d}/nginx.conf"), "-p", &d])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| Fail::new(format!("cannot start nginx: {e}")))?;
    processes.0.push(nginx);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(10) {
            let log = std::fs::read_to_string(dir.join("logs/error.log")).unwrap_or_default();
            return Err(Fail::new(format!("nginx did not start: {log}")));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let result = playwright(
        &app_url,
        &sandbox_url,
        &["--config".into(), "nginx.config.ts".into()],
    );
    drop(processes);
    result
}
