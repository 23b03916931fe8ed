//! National clouds: which Graph audience tokens carry, and whether `resume` exists
//! (the US Government and China v1.0 schemas have no resume action; the schemas decide).

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
