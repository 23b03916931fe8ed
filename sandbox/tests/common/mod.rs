//! Starts a real sandbox on a free loopback port for a contract test.

#![allow(dead_code)]

use clap::Parser;

pub struct Running {
    pub base: String,
    pub tenant_id: String,
    pub client_id: String,
}

pub async fn start(extra_args: &[&str]) -> Running {
    let mut args = vec!["entra-sandbox", "--addr", "127.0.0.1:0"];
    args.extend_from_slice(extra_args);
    let bound = entra_sandbox::bind(entra_sandbox::Options::parse_from(args))
        .await
        .unwrap();
    let running = Running {
        base: bound.origin().to_string(),
        tenant_id: bound.state.tenant.tenant_id.clone(),
        client_id: bound.state.tenant.client_id.clone(),
    };
    tokio::spawn(bound.run_until(std::future::pending()));
    running
}
