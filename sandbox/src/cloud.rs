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
