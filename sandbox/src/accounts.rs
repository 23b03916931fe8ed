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

/// The Microsoft Entra roles that may read the audit log through Graph
/// (`/auditLogs/directoryAudits`): the three least-privileged ones the reference pages list
/// (microsoft-graph-docs-contrib, `includes/rbac-for-apis/rbac-directoryaudit-apis.md`:
/// Reports Reader, Security Administrator, Security Reader), and Global Reader and Global
/// Administrator, which read everything those can. Identity Governance Administrator is not
/// among them: the admin center shows it entitlement management's audit logs, but the Graph
/// API's list does not name it, and the sandbox follows the API's list.
pub const AUDIT_LOG_ROLES: &[&str] = &[
    "Reports Reader",
    "Security Reader",
    "Security Administrator",
    "Global Reader",
    "Global Administrator",
];

#[derive(Clone, Debug)]
pub struct Account {
    pub oid: String,
    pub username: String,
    pub name: String,
    pub role: Role,
    /// Microsoft Entra roles beside the entitlement-management one, such as Reports Reader.
    pub directory_roles: Vec<&'static str>,
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

    /// The account can read the audit log (holds one of [`AUDIT_LOG_ROLES`]).
    pub fn can_read_audit_log(&self) -> bool {
        self.directory_roles
            .iter()
            .any(|r| AUDIT_LOG_ROLES.contains(r))
    }

    /// Every role, as the sign-in page lists it: the entitlement-management role, then the
    /// other Entra roles.
    pub fn roles_label(&self) -> String {
        std::iter::once(self.role_name())
            .chain(self.directory_roles.iter().copied())
            .collect::<Vec<_>>()
            .join(" · ")
    }

    pub fn info(&self) -> Value {
        let mut v = json!({
            "id": self.oid,
            "username": self.username,
            "name": self.name,
            "role": self.role_name(),
            "directoryRoles": self.directory_roles,
            "canReadAuditLog": self.can_read_audit_log(),
        });
        if let Role::AssignmentManager { catalog_id } = &self.role {
            v["catalogId"] = json!(catalog_id);
        }
        v
    }
}

/// The accounts, given the tenant's domain and the catalog the manager is limited to. The
/// administrator is also a Reports Reader, so that the app shows audit trails; the manager
/// and the user hold no role that reads the audit log (Graph answers them 403).
pub fn demo_accounts(domain: &str, oids: [String; 4], manager_catalog: &str) -> Vec<Account> {
    let [a, b, c, d] = oids;
    vec![
        Account {
            oid: a,
            username: format!("admin@{domain}"),
            name: "Adele Vance".into(),
            role: Role::GovernanceAdmin,
            directory_roles: vec!["Reports Reader"],
        },
        Account {
            oid: b,
            username: format!("manager@{domain}"),
            name: "Léa Martin".into(),
            role: Role::AssignmentManager {
                catalog_id: manager_catalog.into(),
            },
            directory_roles: Vec::new(),
        },
        Account {
            oid: c,
            username: format!("user@{domain}"),
            name: "王伟".into(),
            role: Role::None,
            directory_roles: Vec::new(),
        },
        Account {
            oid: d,
            username: "someone@outlook.com".into(),
            name: "Personal Account".into(),
            role: Role::Personal,
            directory_roles: Vec::new(),
        },
    ]
}
