//! entra-sandbox: a local Microsoft Entra ID + Microsoft Graph tenant for entitlement
//! management, built from the documented contract in `shared/reference`.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use clap::Parser;
//! let options = entra_sandbox::Options::parse_from(["entra-sandbox", "--addr", "127.0.0.1:0"]);
//! entra_sandbox::serve(options).await
//! # }
//! ```

pub mod identity;
pub mod ids;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::{Json, Router, routing::get};
use clap::Parser;
use serde_json::json;

/// Command-line options.
#[derive(Parser, Clone, Debug)]
#[command(name = "entra-sandbox", version, about)]
pub struct Options {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub addr: SocketAddr,
    /// Seed of the generated tenant: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Origin of the single-page app allowed to sign in and call Graph (repeatable).
    #[arg(long = "app-origin", default_value = "http://127.0.0.1:8080")]
    pub app_origins: Vec<String>,
    /// Enable the test-control endpoints under /sandbox/ (reset, clock, faults, log).
    #[arg(long)]
    pub test_control: bool,
}

/// What the tenant is: ids a client needs to be configured.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub tenant_id: String,
    pub client_id: String,
}

impl Tenant {
    pub fn from_seed(seed: u64) -> Tenant {
        let mut rng = ids::Rng::new(seed);
        Tenant {
            tenant_id: rng.guid(),
            client_id: rng.guid(),
        }
    }
}

/// Shared state of a running sandbox.
pub struct Sandbox {
    pub options: Options,
    pub tenant: Tenant,
    /// The origin clients reach this sandbox at (`http://127.0.0.1:8081`).
    pub issuer_origin: String,
}

pub type Shared = Arc<Sandbox>;

/// The HTTP routes of the sandbox.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/sandbox/info", get(info))
        .merge(identity::routes())
        .with_state(state)
}

async fn info(axum::extract::State(s): axum::extract::State<Shared>) -> Json<serde_json::Value> {
    Json(json!({
        "tenantId": s.tenant.tenant_id,
        "clientId": s.tenant.client_id,
        "authority": format!("{}/{}", s.issuer_origin, s.tenant.tenant_id),
        "graph": s.issuer_origin,
        "appOrigins": s.options.app_origins,
    }))
}

/// A sandbox bound to its address, not yet serving.
pub struct Bound {
    listener: tokio::net::TcpListener,
    pub state: Shared,
}

impl Bound {
    /// The origin clients use, such as `http://127.0.0.1:8081`.
    pub fn origin(&self) -> &str {
        &self.state.issuer_origin
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, router(self.state))
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// Binds the listening socket and builds the tenant (port 0 picks a free port).
pub async fn bind(options: Options) -> std::io::Result<Bound> {
    let listener = tokio::net::TcpListener::bind(options.addr).await?;
    let addr = listener.local_addr()?;
    let tenant = Tenant::from_seed(options.seed);
    let state = Arc::new(Sandbox {
        issuer_origin: format!("http://{addr}"),
        tenant,
        options,
    });
    Ok(Bound { listener, state })
}

/// Binds, prints what a client needs, and serves until Ctrl-C or SIGTERM.
pub async fn serve(options: Options) -> std::io::Result<()> {
    let bound = bind(options).await?;
    let s = &bound.state;
    println!("entra-sandbox listening on {}", s.issuer_origin);
    println!("  tenant id: {}", s.tenant.tenant_id);
    println!("  client id: {}", s.tenant.client_id);
    bound.run_until(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
