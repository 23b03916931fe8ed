//! The app and the sandbox running together, as `cargo xtask run` and the end-to-end
//! suite need them.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::cmd::{Fail, root};

/// A running sandbox process and the static server of the app.
pub struct Stack {
    pub app_url: String,
    pub sandbox_url: String,
    pub info: serde_json::Value,
    sandbox: Child,
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.sandbox.kill();
        let _ = self.sandbox.wait();
    }
}

/// The sandbox's arguments in every end-to-end stage: test control (reset, clock,
/// settings, log), and a tenant that consented to both permissions, so most specs act as
/// an admin who may act; the least-privilege specs set `adminConsent` back to `read`.
pub const TEST_SANDBOX_ARGS: &[&str] = &["--test-control", "--admin-consent", "read-write"];

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Builds the sandbox binary with the given cargo profile and returns its path.
pub fn build_sandbox(release: bool) -> Result<PathBuf, Fail> {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root())
        .args(["build", "--quiet", "-p", "entra-sandbox"]);
    if release {
        cmd.arg("--release");
    }
    crate::cmd::run(&mut cmd)?;
    Ok(target_dir()
        .join(if release { "release" } else { "debug" })
        .join("entra-sandbox"))
}

/// Starts the sandbox binary and reads the origin it prints first; its further output is
/// echoed (prefixed) or discarded.
pub fn spawn_sandbox(bin: &Path, args: &[String], echo: bool) -> Result<(Child, String), Fail> {
    let mut child = Command::new(bin)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Fail::new(format!("cannot start {}: {e}", bin.display())))?;
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let Some(url) = first
        .strip_prefix("entra-sandbox listening on ")
        .map(str::to_string)
    else {
        let _ = child.kill();
        return Err(Fail::new(format!(
            "entra-sandbox did not start (is the port in use?): {first}"
        )));
    };
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if echo {
                println!("[sandbox] {line}");
            }
        }
    });
    Ok((child, url))
}

/// A free loopback port, for a server that must be told its port rather than handed a
/// listener (nginx, the Static Web Apps emulator).
pub fn free_port() -> Result<u16, Fail> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| Fail::new(e.to_string()))?;
    Ok(l.local_addr().map_err(|e| Fail::new(e.to_string()))?.port())
}

/// A sandbox started for a deployment of the app, and the app's configuration for it.
pub struct DeploymentSandbox {
    pub process: Child,
    pub url: String,
    /// `config.json`'s text and what it parses to, as `dist::build` takes them.
    pub config: (String, access_desk::config::Config),
}

/// Starts `bin` on a free port with `sandbox_args` for the app deployed at `app_url` (on
/// `origin`), and writes the app's `config.json` for it from its `/sandbox/info`. The sandbox is killed again if
/// that fails; afterwards, killing it is the caller's.
pub fn spawn_for_deployment(
    bin: &Path,
    sandbox_args: &[&str],
    origin: &str,
    app_url: &str,
) -> Result<DeploymentSandbox, Fail> {
    let mut args: Vec<String> = vec![
        "--addr".into(),
        "127.0.0.1:0".into(),
        "--app-origin".into(),
        origin.into(),
        "--redirect-uri".into(),
        app_url.into(),
    ];
    args.extend(sandbox_args.iter().map(|a| a.to_string()));
    let (mut process, url) = spawn_sandbox(bin, &args, false)?;
    let configured = sandbox_info(&crate::runtime(), &url).and_then(|info| {
        let text = sandbox_config(&info, &url, app_url).to_string();
        let config = access_desk::config::Config::parse(&text)
            .map_err(|e| Fail::new(format!("the sandbox's config.json: {e:?}")))?;
        Ok((text, config))
    });
    match configured {
        Ok(config) => Ok(DeploymentSandbox {
            process,
            url,
            config,
        }),
        Err(e) => {
            let _ = process.kill();
            let _ = process.wait();
            Err(e)
        }
    }
}

/// Where the stack listens and what the sandbox gets on its command line.
pub struct StackOptions<'a> {
    pub dist: &'a Path,
    pub app_addr: SocketAddr,
    pub sandbox_addr: SocketAddr,
    pub sandbox_bin: &'a Path,
    pub sandbox_args: Vec<String>,
    /// Forward the sandbox's output to ours (for `run`); otherwise it is discarded.
    pub echo_sandbox: bool,
}

impl<'a> StackOptions<'a> {
    /// App and sandbox on free loopback ports, the sandbox's output discarded: the
    /// stacks the tests and benchmarks start.
    pub fn loopback(dist: &'a Path, sandbox_bin: &'a Path, sandbox_args: &[&str]) -> Self {
        StackOptions {
            dist,
            app_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            sandbox_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            sandbox_bin,
            sandbox_args: sandbox_args.iter().map(|a| a.to_string()).collect(),
            echo_sandbox: false,
        }
    }
}

/// The sandbox's `GET /sandbox/info`: tenant, client id, accounts.
pub fn sandbox_info(
    rt: &tokio::runtime::Runtime,
    sandbox_url: &str,
) -> Result<serde_json::Value, Fail> {
    rt.block_on(async {
        reqwest::get(format!("{sandbox_url}/sandbox/info"))
            .await?
            .error_for_status()?
            .json()
            .await
    })
    .map_err(|e| Fail::new(format!("sandbox /sandbox/info: {e}")))
}

/// The app's `config.json` for the sandbox at `sandbox_url`, signing in back to
/// `redirect_uri`.
pub fn sandbox_config(
    info: &serde_json::Value,
    sandbox_url: &str,
    redirect_uri: &str,
) -> serde_json::Value {
    serde_json::json!({
        "clientId": info["clientId"],
        "tenantId": info["tenantId"],
        "cloud": "custom",
        "custom": {
            "authorityHost": sandbox_url,
            "graphHost": sandbox_url,
            "actsAs": info.get("cloud").and_then(|c| c.as_str()).unwrap_or("global"),
        },
        "graphVersion": "v1.0",
        "redirectUri": redirect_uri,
    })
}

/// Starts the static server on `rt` and the sandbox, serving the app a `config.json`
/// pointing it at the sandbox (one build, any tenant). The configuration is served from
/// memory: dist/ stays the deployable build, with no sandbox address in it.
pub fn start(rt: &tokio::runtime::Runtime, o: StackOptions<'_>) -> Result<Stack, Fail> {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(o.app_addr))
        .map_err(|e| Fail::new(format!("cannot listen on {} for the app: {e}", o.app_addr)))?;
    let app_addr = listener
        .local_addr()
        .map_err(|e| Fail::new(e.to_string()))?;
    let app_url = format!("http://{app_addr}");

    let mut args = vec![
        "--addr".to_string(),
        o.sandbox_addr.to_string(),
        "--app-origin".into(),
        app_url.clone(),
    ];
    args.extend(o.sandbox_args.iter().cloned());
    let (sandbox, sandbox_url) = spawn_sandbox(o.sandbox_bin, &args, o.echo_sandbox)?;

    let info = sandbox_info(rt, &sandbox_url)?;
    let config =
        serde_json::to_string_pretty(&sandbox_config(&info, &sandbox_url, &format!("{app_url}/")))
            .expect("json")
            + "\n";

    // The app runs under the same strict policy a deployment gets (every test too).
    let index = std::fs::read_to_string(o.dist.join("index.html"))
        .map_err(|e| Fail::new(format!("dist/index.html: {e}")))?;
    let csp = crate::csp::policy(&index, std::slice::from_ref(&sandbox_url));
    let dist = o.dist.to_path_buf();
    rt.spawn(async move { crate::serve::serve(listener, &dist, csp, config).await });
    Ok(Stack {
        app_url,
        sandbox_url,
        info,
        sandbox,
    })
}
