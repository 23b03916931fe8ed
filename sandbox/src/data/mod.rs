//! The tenant's entitlement-management data, generated deterministically from a seed, and
//! how it changes (reprocess, resume) on the sandbox clock.
//!
//! The model is version-neutral; `graph::render` turns it into v1.0 or beta JSON with each
//! version's own property names and casing (see shared/reference/graph-schema).
//!
//! One file per concern: `model` (the types), `seed` (the tables a tenant is drawn from),
//! `generate` (the seed tenant, `Data::generate`), `fixtures` (the documents' example ids
//! it holds), `queue` (accepted actions and deliveries settling on the clock), `audit` (the
//! audit log those steps write). This file
//! holds `Data` itself and its id lookups.

use std::collections::HashMap;

pub mod audit;
pub mod fixtures;
mod generate;
mod model;
mod queue;
mod seed;
#[cfg(test)]
mod test_support;

pub use generate::Demo;
pub use model::{
    Answer, AsgState, Assignment, Callout, CalloutStatus, Catalog, Delivery, Extension, Package,
    Policy, ReqState, Request, Stage, StageSetting, Subject, duration_secs,
};
pub use queue::Queued;

/// How long a reprocess or a continued request stays in delivering.
pub const DELIVERY_SECONDS: i64 = 3;

/// The whole tenant.
#[derive(Clone, Debug, Default)]
pub struct Data {
    pub catalogs: Vec<Catalog>,
    pub packages: Vec<Package>,
    pub extensions: Vec<Extension>,
    pub policies: Vec<Policy>,
    pub subjects: Vec<Subject>,
    pub requests: Vec<Request>,
    pub assignments: Vec<Assignment>,
    /// The Entra audit log of entitlement management (see `audit`).
    pub audit: audit::AuditLog,
    request_index: HashMap<String, usize>,
    assignment_index: HashMap<String, usize>,
    /// Requests and assignments with a delivery under way.
    pending_requests: Vec<usize>,
    pending_assignments: Vec<usize>,
    /// Accepted actions waiting for their time (see `queue`).
    queued: Vec<queue::Due>,
    queued_seq: u64,
}

impl Data {
    fn reindex(&mut self) {
        self.request_index = self
            .requests
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        self.assignment_index = self
            .assignments
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
    }

    pub fn request_index(&self, id: &str) -> Option<usize> {
        self.request_index.get(&id.to_ascii_lowercase()).copied()
    }

    pub fn assignment_index(&self, id: &str) -> Option<usize> {
        self.assignment_index.get(&id.to_ascii_lowercase()).copied()
    }
}
