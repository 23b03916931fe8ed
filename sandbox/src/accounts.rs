//! The demo accounts of the tenant and what each may do in entitlement management.

use serde_json::{Value, json};

/// An entitlement-management role of a demo account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Identity Governance Administrator: every catalog.
    GovernanceAdmin,
    /// Access Package Assignment Manager, limited to one catalog (by id).
    AssignmentManager { catalog_id: String },
    /// No entitlement-management role: Graph answers 403.
    None,
    /// A personal Microsoft account: the identity platform refuses it for this app.
    Personal,
}

#[derive(Clone, Debug)]
pub struct Account {
    pub oid: String,
    pub username: String,
    pub name: String,
    pub role: Role,
}

impl Account {
    pub fn role_name(&self) -> &'static str {
        match self.role {
            Role::GovernanceAdmin => "Identity Governance Administrator",
            Role::AssignmentManager { .. } => "Access Package Assignment Manager (one catalog)",
            Role::None => "no entitlement-management role (Graph answers 403)",
            Role::Personal => "personal Microsoft account (sign-in is refused)",
        }
    }

    pub fn info(&self) -> Value {
        let mut v = json!({
            "id": self.oid,
            "username": self.username,
            "name": self.name,
            "role": self.role_name(),
        });
        if let Role::AssignmentManager { catalog_id } = &self.role {
            v["catalogId"] = json!(catalog_id);
        }
        v
    }
}

/// The accounts, given the tenant's domain and the catalog the manager is limited to.
pub fn demo_accounts(domain: &str, oids: [String; 4], manager_catalog: &str) -> Vec<Account> {
    let [a, b, c, d] = oids;
    vec![
        Account {
            oid: a,
            username: format!("admin@{domain}"),
            name: "Adele Vance".into(),
            role: Role::GovernanceAdmin,
        },
        Account {
            oid: b,
            username: format!("manager@{domain}"),
            name: "Léa Martin".into(),
            role: Role::AssignmentManager {
                catalog_id: manager_catalog.into(),
            },
        },
        Account {
            oid: c,
            username: format!("user@{domain}"),
            name: "王伟".into(),
            role: Role::None,
        },
        Account {
            oid: d,
            username: "someone@outlook.com".into(),
            name: "Personal Account".into(),
            role: Role::Personal,
        },
    ]
}
