//! National clouds: which Graph audience tokens carry, whether `resume` exists (the US
//! Government and China v1.0 schemas have no resume action; the schemas decide), and the
//! rest of each cloud's own surface (shared/reference/graph-metadata.md).

use clap::ValueEnum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Cloud {
    Global,
    Usgov,
    China,
}

impl Cloud {
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::Usgov => "usgov",
            Cloud::China => "china",
        }
    }
}

/// Graph resource hosts of the cloud: scopes name them and tokens carry them as `aud`.
pub fn graph_audiences(c: Cloud) -> &'static [&'static str] {
    match c {
        Cloud::Global => &["https://graph.microsoft.com"],
        Cloud::Usgov => &[
            "https://graph.microsoft.us",
            "https://dod-graph.microsoft.us",
        ],
        Cloud::China => &["https://microsoftgraph.chinacloudapi.cn"],
    }
}

pub fn has_resume(c: Cloud) -> bool {
    c == Cloud::Global
}

/// Whether Graph serves the audit log (`/auditLogs/directoryAudits`): the list page's
/// national-cloud table (microsoft-graph-docs-contrib `api-reference/includes/global-us.md`)
/// marks the global service and US Government L4 and L5, and not China operated by 21Vianet.
pub fn has_audit_log(c: Cloud) -> bool {
    c != Cloud::China
}

/// Whether beta serves the new collection names (`assignmentRequests`; beta never serves
/// `assignments`, `catalogs`, `assignmentPolicies`). The beta reference page of
/// `assignmentRequests` is global-only, and the one national-cloud beta CSDL (beta-USNat)
/// has only the `accessPackage…` names: outside the global cloud, beta serves only those.
pub fn beta_has_new_names(c: Cloud) -> bool {
    c == Cloud::Global
}

/// Whether `accessPackageAssignmentRequest` has `justification` in `beta` or v1.0: the
/// v1.0 CSDLs of US Government (Fairfax) and China (Mooncake) lack it; v1.0 global and
/// beta have it. (A flag, not the graph module's `Version`: the cloud's rules sit below
/// the Graph surface that asks them.)
pub fn request_has_justification(c: Cloud, beta: bool) -> bool {
    c == Cloud::Global || beta
}

/// The host of the cloud's token issuer when it is not the host tokens are requested from.
/// China's tokens say `https://login.partner.microsoftonline.cn/{tid}/v2.0` (MSAL's cloud
/// metadata) although its sign-in host is `login.chinacloudapi.cn`; the global and US
/// Government clouds issue from their sign-in host, which the sandbox plays itself.
pub fn issuer_host(c: Cloud) -> Option<&'static str> {
    match c {
        Cloud::China => Some("https://login.partner.microsoftonline.cn"),
        Cloud::Global | Cloud::Usgov => None,
    }
}
