//! entra-sandbox: a local Microsoft Entra ID + Microsoft Graph tenant for entitlement
//! management, built from the documented contract in `shared/reference` (never from the
//! app's types), so that it can catch the app's mistakes.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use clap::Parser;
//! let options = entra_sandbox::Options::parse_from(["entra-sandbox", "--addr", "127.0.0.1:0"]);
//! entra_sandbox::serve(options).await
//! # }
//! ```

pub mod accounts;
pub mod clock;
pub mod cloud;
mod control;
pub mod data;
pub mod graph;
pub mod identity;
pub mod ids;
pub mod keys;
pub mod serve;
mod tls;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router, routing::get};
use clap::Parser;
use serde_json::{Value, json};

use accounts::Account;
use clock::Clock;
use data::{Data, Demo};
use graph::GraphError;
pub use graph::query_table::QuerySupport;
use identity::Registration;
use keys::Keys;

/// Command-line options.
#[derive(Parser, Clone, Debug)]
#[command(name = "entra-sandbox", version, about)]
pub struct Options {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub addr: SocketAddr,
    /// Number of access package assignment requests in the tenant.
    #[arg(long, default_value_t = 500)]
    pub requests: usize,
    /// Seed of the generated tenant: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The national cloud to behave as (scopes, token audience, issuer, and its own Graph
    /// surface: whether resume exists, beta collection names, v1.0 justification).
    #[arg(long, value_enum, default_value_t = cloud::Cloud::Global)]
    pub cloud: cloud::Cloud,
    /// Added latency of every Graph call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Throttle Graph calls with a token bucket: RATE per second, BURST at most.
    #[arg(long, value_name = "RATE/BURST", value_parser = parse_throttle)]
    pub throttle: Option<(f64, f64)>,
    /// Probability (0–1) that a Graph call fails with 503 or 504.
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Probability (0–1) that a POST action (direct or a `$batch` item) is performed and then
    /// answered 504 instead of its real answer.
    #[arg(long, default_value_t = 0.0)]
    pub act_then_fail_rate: f64,
    /// Probability (0–1) that a direct POST action, or a whole `$batch` call, is performed and
    /// then its connection is dropped without any response.
    #[arg(long, default_value_t = 0.0)]
    pub act_then_drop_rate: f64,
    /// Probability (0–1) that a whole `$batch` call is answered 503 before any item runs.
    #[arg(long, default_value_t = 0.0)]
    pub batch_fault_rate: f64,
    /// Probability (0–1) that a whole `$batch` call runs a non-empty prefix of its items and is
    /// then answered 504.
    #[arg(long, default_value_t = 0.0)]
    pub batch_act_then_fail_rate: f64,
    /// How long an accepted action (reprocess, resume) takes to act, in milliseconds, on the
    /// sandbox clock: each action draws a delay uniformly from [0.5·MS, 1.5·MS] (0: at once).
    #[arg(long, value_name = "MS", default_value_t = 3000,
          value_parser = clap::value_parser!(u64).range(0..=MAX_ACTION_DELAY_MS))]
    pub action_delay_ms: u64,
    /// Which list queries are accepted: `documented` (exactly what Microsoft documents, see
    /// sandbox/QUERY-SUPPORT.md) or `extended` (and/or/not, ne, more properties).
    #[arg(long, value_enum, default_value_t = QuerySupport::Documented)]
    pub query_support: QuerySupport,
    /// Origin of a single-page app: `{origin}/` is registered as its redirect URI and the
    /// token endpoint answers it cross-origin (repeatable).
    #[arg(long = "app-origin", default_value = "http://127.0.0.1:8080")]
    pub app_origins: Vec<String>,
    /// A further single-page-application redirect URI (repeatable), e.g. for a sub-path.
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// The Graph permissions the tenant's administrator consented to for the app, for
    /// every user: `read` (EntitlementManagement.Read.All, the least privilege) or
    /// `read-write` (ReadWrite.All too, so every token carries it, as Entra puts every
    /// consented permission in a token). A permission not consented is asked for on the
    /// sign-in page, once per account.
    #[arg(long, value_enum, default_value_t = AdminConsent::Read)]
    pub admin_consent: AdminConsent,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    pub token_lifetime: i64,
    /// Serve HTTPS with a certificate signed by a CA generated at start; the CA's file is
    /// printed (MSAL libraries refuse plain-http authorities).
    #[arg(long)]
    pub tls: bool,
    /// Enable the test-control endpoints under /sandbox/ (reset, clock, faults, log).
    #[arg(long)]
    pub test_control: bool,
    /// Allow an `--addr` that is not loopback (127.0.0.0/8, ::1). The sign-in page is a
    /// password-less account picker for an administrator: anyone who reaches it is one.
    #[arg(long)]
    pub i_know_this_is_public: bool,
}

/// What the tenant's administrator consented to for the app (`--admin-consent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdminConsent {
    Read,
    ReadWrite,
}

impl AdminConsent {
    /// The consented permissions of Microsoft Graph (User.Read: every registration has it).
    pub fn permissions(self) -> &'static [&'static str] {
        match self {
            AdminConsent::Read => &["EntitlementManagement.Read.All", "User.Read"],
            AdminConsent::ReadWrite => &[
                "EntitlementManagement.ReadWrite.All",
                "EntitlementManagement.Read.All",
                "User.Read",
            ],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AdminConsent::Read => "read",
            AdminConsent::ReadWrite => "read-write",
        }
    }
}

/// The longest action delay that can be set: a day (the sandbox clock can be moved on).
pub const MAX_ACTION_DELAY_MS: u64 = 86_400_000;

/// Whether the sandbox may listen on `addr`: loopback always; anything else only with
/// `--i-know-this-is-public`, and then with a warning to print. The error explains why.
pub fn check_listen_address(
    addr: SocketAddr,
    i_know_this_is_public: bool,
) -> Result<Option<String>, String> {
    let loopback = match addr.ip() {
        std::net::IpAddr::V4(ip) => ip.octets()[0] == 127,
        std::net::IpAddr::V6(ip) => ip == std::net::Ipv6Addr::LOCALHOST,
    };
    if loopback {
        return Ok(None);
    }
    if !i_know_this_is_public {
        return Err(format!(
            "refusing to listen on {addr}: it is not a loopback address (127.0.0.0/8 or ::1). \
             The sandbox's sign-in page is a password-less account picker: anyone who can reach \
             it signs in as the tenant's Identity Governance Administrator, and --test-control \
             lets them reset the tenant. Listen on 127.0.0.1 or ::1, or pass \
             --i-know-this-is-public if every machine that can reach {addr} is yours."
        ));
    }
    Ok(Some(format!(
        "WARNING: listening on {addr}, which is not a loopback address: anyone who can reach \
         it can sign in as an administrator without a password (--i-know-this-is-public)."
    )))
}

fn parse_throttle(s: &str) -> Result<(f64, f64), String> {
    let (r, b) = s
        .split_once('/')
        .ok_or("expected RATE/BURST, such as 50/100")?;
    let rate: f64 = r.parse().map_err(|_| format!("'{r}' is not a rate"))?;
    let burst: f64 = b
        .parse()
        .map_err(|_| format!("'{b}' is not a burst size"))?;
    if rate <= 0.0 || burst < 1.0 {
        return Err("RATE must be positive and BURST at least 1".into());
    }
    Ok((rate, burst))
}

/// What the tenant is: the ids a client needs to be configured.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub tenant_id: String,
    pub client_id: String,
    pub domain: String,
    account_oids: [String; 4],
}

impl Tenant {
    pub fn from_seed(seed: u64) -> Tenant {
        let mut rng = ids::Rng::new(seed);
        Tenant {
            tenant_id: rng.guid(),
            client_id: rng.guid(),
            domain: "contoso-sandbox.onmicrosoft.com".into(),
            account_oids: [rng.guid(), rng.guid(), rng.guid(), rng.guid()],
        }
    }
}

/// A documented `$filter` property refused at run time through test control, to test a
/// client's fallback.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RefusedFilter {
    /// `v1.0` or `beta`.
    pub version: String,
    /// The collection's path segment, such as `assignmentRequests`.
    pub collection: String,
    /// The property, such as `state` or `accessPackage/id`.
    pub property: String,
}

impl RefusedFilter {
    pub fn matches(&self, version: &str, collection: &str, property: &str) -> bool {
        self.version == version
            && self.collection.eq_ignore_ascii_case(collection)
            && self.property.eq_ignore_ascii_case(property)
    }
}

/// Run-time knobs: settable at start and through test control.
#[derive(Clone, Debug)]
pub struct Knobs {
    pub latency_ms: u64,
    pub throttle: Option<(f64, f64)>,
    pub fault_rate: f64,
    pub act_then_fail_rate: f64,
    pub act_then_drop_rate: f64,
    pub batch_fault_rate: f64,
    pub batch_act_then_fail_rate: f64,
    pub query_support: QuerySupport,
    /// The action delay around which each accepted action's delay is drawn (0: at once).
    pub action_delay_ms: u64,
    pub refuse_filters: Vec<RefusedFilter>,
    /// Page size by collection name as in the URL (`catalogs`, `assignmentRequests`, …);
    /// a collection not named pages by `PAGE_SIZE` (100).
    pub page_sizes: std::collections::BTreeMap<String, usize>,
    /// The status of the refusal a catalog-scoped caller gets for a list of requests or
    /// assignments not narrowed to its packages: 403 (the default) or 400 (test control's
    /// `scopedListRefusal`).
    pub scoped_list_refusal: u16,
    pub access_token_secs: i64,
    pub refresh_lifetime_secs: i64,
    pub admin_consent: AdminConsent,
    /// The seed of the fault generator set through test control (`faultSeed`); `None`: the
    /// tenant's seed.
    pub fault_seed: Option<u64>,
    /// The seed the tenant was generated from (the start option, or the last reset's).
    pub tenant_seed: u64,
    bucket_tokens: f64,
    bucket_at: Instant,
}

impl Knobs {
    fn from_options(o: &Options) -> Knobs {
        Knobs {
            latency_ms: o.latency_ms,
            throttle: o.throttle,
            fault_rate: o.fault_rate.clamp(0.0, 1.0),
            act_then_fail_rate: o.act_then_fail_rate.clamp(0.0, 1.0),
            act_then_drop_rate: o.act_then_drop_rate.clamp(0.0, 1.0),
            batch_fault_rate: o.batch_fault_rate.clamp(0.0, 1.0),
            batch_act_then_fail_rate: o.batch_act_then_fail_rate.clamp(0.0, 1.0),
            query_support: o.query_support,
            action_delay_ms: o.action_delay_ms,
            refuse_filters: Vec::new(),
            page_sizes: Default::default(),
            scoped_list_refusal: 403,
            access_token_secs: o.token_lifetime.max(1),
            refresh_lifetime_secs: identity::SPA_REFRESH_LIFETIME_SECS,
            admin_consent: o.admin_consent,
            fault_seed: None,
            tenant_seed: o.seed,
            bucket_tokens: o.throttle.map(|t| t.1).unwrap_or(0.0),
            bucket_at: Instant::now(),
        }
    }
}

/// Shared state of a running sandbox.
pub struct Sandbox {
    pub options: Options,
    pub tenant: Tenant,
    /// The origin clients reach this sandbox at (`http://127.0.0.1:8081`).
    pub issuer_origin: String,
    pub clock: Clock,
    pub keys: Keys,
    pub accounts: Vec<Account>,
    pub data: RwLock<Data>,
    pub knobs: Mutex<Knobs>,
    pub auth: Mutex<identity::Store>,
    extra_registrations: Mutex<Option<Vec<Registration>>>,
    fault_rng: Mutex<ids::Rng>,
    log: Mutex<Vec<Value>>,
}

pub type Shared = Arc<Sandbox>;

impl Sandbox {
    fn new(options: Options, issuer_origin: String) -> Sandbox {
        let tenant = Tenant::from_seed(options.seed);
        let clock = Clock::default();
        let (data, accounts) = build_tenant(&tenant, options.seed, options.requests, clock.now());
        Sandbox {
            knobs: Mutex::new(Knobs::from_options(&options)),
            fault_rng: Mutex::new(fault_generator(options.seed)),
            keys: Keys::generate(),
            data: RwLock::new(data),
            accounts,
            issuer_origin,
            clock,
            tenant,
            options,
            auth: Mutex::new(identity::Store::default()),
            extra_registrations: Mutex::new(None),
            log: Mutex::new(Vec::new()),
        }
    }

    /// The token issuer: `{origin}/{tenant id}/v2.0`, where the origin is the cloud's issuer
    /// host (China: `https://login.partner.microsoftonline.cn`) or else this sandbox's own.
    pub fn issuer(&self) -> String {
        self.issuer_for(&self.tenant.tenant_id)
    }

    /// The issuer with `tenant` in the tenant's place; discovery of `organizations` shows
    /// the template `{tenantid}`, as the real service does.
    pub fn issuer_for(&self, tenant: &str) -> String {
        let host = cloud::issuer_host(self.options.cloud).unwrap_or(&self.issuer_origin);
        format!("{host}/{tenant}/v2.0")
    }

    /// Redirect URIs registered for the app.
    pub fn registrations(&self) -> Vec<Registration> {
        if let Some(r) = self
            .extra_registrations
            .lock()
            .expect("registrations")
            .clone()
        {
            return r;
        }
        self.options
            .app_origins
            .iter()
            .map(|o| format!("{}/", o.trim_end_matches('/')))
            .chain(self.options.redirect_uris.iter().cloned())
            .map(|uri| Registration { uri, spa: true })
            .collect()
    }

    /// A random GUID (request ids, trace ids).
    pub fn new_guid(&self) -> String {
        let mut bytes = [0u8; 16];
        rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
        ids::Rng::new(
            u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"))
                ^ u64::from_le_bytes(bytes[8..].try_into().expect("8 bytes")),
        )
        .guid()
    }

    /// An unguessable token (codes, refresh tokens, sign-in transactions).
    pub fn new_secret(&self) -> String {
        let mut bytes = [0u8; 32];
        rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
        keys::b64url(&bytes)
    }

    /// Throttling and injected faults, before a Graph call runs.
    pub fn admit(&self) -> Result<(), GraphError> {
        let mut k = self.knobs.lock().expect("knobs");
        if let Some((rate, burst)) = k.throttle {
            let now = Instant::now();
            let elapsed = now.duration_since(k.bucket_at).as_secs_f64();
            k.bucket_tokens = (k.bucket_tokens + elapsed * rate).min(burst);
            k.bucket_at = now;
            if k.bucket_tokens < 1.0 {
                let wait = ((1.0 - k.bucket_tokens) / rate).ceil().max(1.0) as u64;
                return Err(GraphError {
                    retry_after: Some(wait),
                    ..GraphError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "TooManyRequests",
                        "Too many requests. Retry after the interval in the Retry-After header.",
                    )
                });
            }
            k.bucket_tokens -= 1.0;
        }
        if k.fault_rate > 0.0 {
            let mut rng = self.fault_rng.lock().expect("rng");
            let draw = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            if draw < k.fault_rate {
                return Err(if rng.below(2) == 0 {
                    GraphError {
                        retry_after: Some(1),
                        ..GraphError::new(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "ServiceUnavailable",
                            "The service is temporarily unavailable. Retry later.",
                        )
                    }
                } else {
                    GraphError::new(
                        StatusCode::GATEWAY_TIMEOUT,
                        "GatewayTimeout",
                        "The gateway timed out.",
                    )
                });
            }
        }
        Ok(())
    }

    /// Starts the fault generator again from `seed`: the same seed and the same calls, in
    /// the same order, give the same faults (and action delays).
    pub fn reseed_faults(&self, seed: u64) {
        *self.fault_rng.lock().expect("rng") = fault_generator(seed);
    }

    /// True with probability `p` (the fault generator, seeded from the tenant's seed).
    pub fn roll(&self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        let mut rng = self.fault_rng.lock().expect("rng");
        ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// The delay of an action accepted now, in milliseconds: uniform in [0.5·MS, 1.5·MS]
    /// around `actionDelayMs`, drawn from the fault generator (so a seeded run repeats); 0,
    /// without a draw, when the setting is 0.
    pub fn action_delay_ms(&self) -> i64 {
        let ms = self.knobs.lock().expect("knobs").action_delay_ms;
        if ms == 0 {
            return 0;
        }
        let mut rng = self.fault_rng.lock().expect("rng");
        let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        (ms as f64 * (0.5 + unit)).round() as i64
    }

    /// Uniform in `0..n` from the fault generator (n > 0).
    pub fn fault_below(&self, n: u64) -> u64 {
        self.fault_rng.lock().expect("rng").below(n)
    }

    /// Records a write in the operation log.
    pub fn log_write(&self, entry: Value) {
        self.log.lock().expect("log").push(entry);
    }

    fn info(&self) -> Value {
        json!({
            "tenantId": self.tenant.tenant_id,
            "tenantDomain": self.tenant.domain,
            "clientId": self.tenant.client_id,
            "cloud": self.options.cloud.name(),
            "authority": format!("{}/{}", self.issuer_origin, self.tenant.tenant_id),
            "issuer": self.issuer(),
            "graph": self.issuer_origin,
            "graphScope": format!("{}/EntitlementManagement.ReadWrite.All", cloud::graph_audiences(self.options.cloud)[0]),
            "accounts": self.accounts.iter().map(Account::info).collect::<Vec<_>>(),
            "redirectUris": self.registrations().iter().map(|r| json!({ "uri": r.uri, "platform": if r.spa { "spa" } else { "web" } })).collect::<Vec<_>>(),
            "requests": self.data.read().expect("data").requests.len(),
            "testControl": self.options.test_control,
        })
    }
}

/// The fault generator of a seed (the tenant's seed unless test control sets `faultSeed`).
fn fault_generator(seed: u64) -> ids::Rng {
    ids::Rng::new(seed ^ 0xFA17)
}

/// Data and demo accounts of a tenant (the manager is limited to the second catalog).
fn build_tenant(
    tenant: &Tenant,
    seed: u64,
    requests: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> (Data, Vec<Account>) {
    let provisional = accounts::demo_accounts(&tenant.domain, tenant.account_oids.clone(), "");
    let people: Vec<(String, String, String)> = provisional
        .iter()
        .filter(|a| a.role != accounts::Role::Personal)
        .map(|a| (a.oid.clone(), a.name.clone(), a.username.clone()))
        .collect();
    let data = Data::generate(
        seed,
        requests,
        now,
        &tenant.domain,
        Demo { people: &people },
    );
    let catalog = data.catalogs[1].id.clone();
    (
        data,
        accounts::demo_accounts(&tenant.domain, tenant.account_oids.clone(), &catalog),
    )
}

/// The HTTP routes of the sandbox.
pub fn router(state: Shared) -> Router {
    let mut r = Router::new()
        .route("/sandbox/info", get(info))
        .merge(identity::routes())
        .merge(graph::routes());
    if state.options.test_control {
        r = r.merge(control::routes());
    }
    r.with_state(state)
}

async fn info(State(s): State<Shared>) -> Json<Value> {
    Json(s.info())
}

/// A sandbox bound to its address, not yet serving.
pub struct Bound {
    listener: tokio::net::TcpListener,
    tls: Option<tls::Tls>,
    pub state: Shared,
}

impl Bound {
    /// The origin clients use, such as `http://127.0.0.1:8081`.
    pub fn origin(&self) -> &str {
        &self.state.issuer_origin
    }

    /// Where the CA certificate of `--tls` was written.
    pub fn ca_path(&self) -> Option<&std::path::Path> {
        self.tls.as_ref().map(|t| t.ca_path.as_path())
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let acceptor = self.tls.map(|t| t.acceptor);
        serve::serve(self.listener, acceptor, router(self.state), shutdown).await
    }
}

/// Binds the listening socket and builds the tenant (port 0 picks a free port). A
/// non-loopback address needs `--i-know-this-is-public` (see [`check_listen_address`]).
pub async fn bind(options: Options) -> std::io::Result<Bound> {
    check_listen_address(options.addr, options.i_know_this_is_public)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = tokio::net::TcpListener::bind(options.addr).await?;
    let addr = listener.local_addr()?;
    let (scheme, tls) = if options.tls {
        let dir = std::env::temp_dir().join(format!("entra-sandbox-{}", addr.port()));
        ("https", Some(tls::setup(dir)?))
    } else {
        ("http", None)
    };
    let state = Arc::new(Sandbox::new(options, format!("{scheme}://{addr}")));
    Ok(Bound {
        listener,
        tls,
        state,
    })
}

/// Binds, prints what a client needs, and serves until Ctrl-C or SIGTERM.
pub async fn serve(options: Options) -> std::io::Result<()> {
    let warning = check_listen_address(options.addr, options.i_know_this_is_public)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let bound = bind(options).await?;
    let s = &bound.state;
    if let Some(w) = warning {
        eprintln!("{w}");
    }
    println!("entra-sandbox listening on {}", s.issuer_origin);
    if let Some(ca) = bound.ca_path() {
        println!("  TLS: trust the CA certificate at {}", ca.display());
        println!(
            "       (for example NODE_EXTRA_CA_CERTS={} or REQUESTS_CA_BUNDLE=…)",
            ca.display()
        );
    }
    println!("  tenant id: {} ({})", s.tenant.tenant_id, s.tenant.domain);
    println!("  client id: {}", s.tenant.client_id);
    println!("  cloud: {}", s.options.cloud.name());
    println!(
        "  requests: {}",
        s.data.read().expect("data").requests.len()
    );
    println!(
        "  action delay: {} ms ± 50% (reprocess and resume act after it; --action-delay-ms)",
        s.options.action_delay_ms
    );
    for a in &s.accounts {
        println!("  account: {:<40} {}", a.username, a.roles_label());
    }
    if s.options.test_control {
        println!(
            "  test control: on (/sandbox/reset, /sandbox/clock, /sandbox/settings, /sandbox/log)"
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_listens_without_the_public_flag() {
        for ok in [
            "127.0.0.1:8081",
            "127.8.9.10:1",
            "[::1]:8081",
            "127.0.0.1:0",
        ] {
            let addr: SocketAddr = ok.parse().unwrap();
            assert_eq!(check_listen_address(addr, false), Ok(None), "{ok}");
            assert_eq!(check_listen_address(addr, true), Ok(None), "{ok}");
        }
        for public in [
            "0.0.0.0:8081",
            "192.168.1.20:8081",
            "10.0.0.1:80",
            "[::]:8081",
            "[fe80::1]:8081",
            "[::ffff:10.0.0.1]:8081",
            "128.0.0.1:8081",
        ] {
            let addr: SocketAddr = public.parse().unwrap();
            let err = check_listen_address(addr, false).unwrap_err();
            assert!(err.contains("--i-know-this-is-public"), "{err}");
            assert!(err.contains("password-less"), "{err}");
            let warning = check_listen_address(addr, true).unwrap().unwrap();
            assert!(warning.starts_with("WARNING"), "{warning}");
        }
    }

    #[tokio::test]
    async fn bind_refuses_a_public_address_before_opening_a_socket() {
        let options = Options::parse_from(["entra-sandbox", "--addr", "0.0.0.0:0"]);
        let err = bind(options).await.err().expect("refused");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}
