//! What the seed tenant is made of: names, catalogs, packages, custom extensions,
//! questions and justifications, the kinds of request and their weights, and the
//! policies' stage patterns. `generate` draws from these tables.

use super::Stage;

pub(super) const FIRST_EN: &[&str] = &[
    "Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Isla", "Jack", "Karen",
    "Liam", "Maya", "Noah", "Olivia", "Peter",
];
pub(super) const LAST_EN: &[&str] = &[
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Clarke", "O'Brien",
];
pub(super) const NAMES_ZH: &[&str] = &[
    "李娜", "张伟", "王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴霞",
];
pub(super) const NAMES_FR: &[&str] = &[
    "Amélie Dubois",
    "Jérôme Lefèvre",
    "Chloé Moreau",
    "François Girard",
    "Hélène Roux",
    "Benoît Fournier",
    "Zoé Lambert",
    "Gaël Bonnet",
];
/// Names that must render as text, never as markup, and survive any column width.
pub const HOSTILE_NAMES: &[&str] = &[
    "<script>alert('xss')</script>",
    "\"><img src=x onerror=alert(1)>",
    "Robert'); DROP TABLE requests;--",
    "Zoë \"The Admin\" O'Neil & <b>Co</b>",
    "{{constructor.constructor('alert(1)')()}}",
    "\u{202e}gnp.exe",
    // Spreadsheet formula injection, for CSV exports: a cell starting =, +, - or @.
    "=HYPERLINK(\"https://evil.example\",\"Open\")",
    "@SUM(1+1)*cmd|' /C calc'!A0",
];

pub(super) fn long_name() -> String {
    "Très très long nom d'utilisateur pour tester la mise en page ".repeat(5)
}

pub(super) struct PackageSeed {
    pub(super) catalog: usize,
    pub(super) name: &'static str,
    pub(super) description: &'static str,
}

pub(super) const CATALOGS: &[(&str, &str)] = &[
    ("General", "Access for everyone in the organization"),
    ("Finance · 财务", "财务系统和报表的访问权限"),
    (
        "Recherche et développement",
        "Accès aux outils et dépôts de R&D",
    ),
    (
        "<img src=x onerror=alert('catalog')>",
        "A catalog with a hostile name",
    ),
];

pub(super) const PACKAGES: &[PackageSeed] = &[
    PackageSeed {
        catalog: 0,
        name: "Sales team",
        description: "CRM, Teams channel and shared mailbox",
    },
    PackageSeed {
        catalog: 0,
        name: "New employee onboarding",
        description: "Everything a new hire needs on day one",
    },
    PackageSeed {
        catalog: 0,
        name: "Guest collaboration – Contoso partners",
        description: "B2B access for partners",
    },
    PackageSeed {
        catalog: 1,
        name: "财务报表查看者",
        description: "查看季度财务报表",
    },
    PackageSeed {
        catalog: 1,
        name: "Accounts payable",
        description: "SAP AP roles",
    },
    PackageSeed {
        catalog: 1,
        name: "Trésorerie – accès lecture",
        description: "Lecture seule des comptes",
    },
    PackageSeed {
        catalog: 2,
        name: "Laboratoire de données",
        description: "Accès au lac de données et aux notebooks",
    },
    PackageSeed {
        catalog: 2,
        name: "GPU cluster 计算集群",
        description: "Scheduled access to the GPU cluster",
    },
    PackageSeed {
        catalog: 2,
        name: "Source code \"monorepo\" write",
        description: "Write access to the monorepo",
    },
    PackageSeed {
        catalog: 3,
        name: "<script>alert('package')</script>",
        description: "A package with a hostile name",
    },
    PackageSeed {
        catalog: 3,
        name: "Paquet au nom très long : accès temporaire aux ressources partagées du projet international de transformation numérique, phase deux, lot trois, sous-lot quatre",
        description: "Long names must not break layouts",
    },
];

/// The resources each access package hands out, by package index: a group, a SharePoint
/// Online site and an application. The sandbox does not serve them as resources; they name
/// what a failed delivery could not reach in its audit event's result reason
/// (`audit::Reason`). One group name is hostile, as the reasons are shown as text.
pub(super) const PACKAGE_RESOURCES: &[(&str, &str, &str)] = &[
    ("Sales team members", "Sales", "Contoso CRM"),
    ("All new hires", "Onboarding hub", "Workday"),
    (
        "Contoso partners (guests)",
        "Partner extranet",
        "Partner portal",
    ),
    ("财务报表读者", "财务报表", "Power BI 财务"),
    ("AP clerks", "Accounts payable", "SAP S/4HANA"),
    ("Trésorerie – lecteurs", "Trésorerie", "Kyriba"),
    (
        "Labo données – membres",
        "Laboratoire de données",
        "Azure Databricks",
    ),
    ("GPU cluster users", "GPU cluster wiki", "Slurm portal"),
    ("monorepo-writers", "Engineering", "GitHub Enterprise"),
    (
        "<img src=x onerror=alert('group')>",
        "Hostile names",
        "\"><b>app</b>",
    ),
    (
        "Transformation numérique – phase deux",
        "Projet international de transformation numérique",
        "Portail projet",
    ),
];

/// Custom extensions: name, and the callback timeout (every one waits for a callback, so
/// requests can wait at any of them). Two are shorter than the 14-day maximum.
pub(super) const EXTENSIONS: &[(&str, &str)] = &[
    ("SoD check (Logic App)", "P14D"),
    ("ServiceNow ticket", "P3D"),
    ("Vérification du manager", "PT12H"),
    ("HR system sync 人力资源", "P14D"),
];

pub(super) const QUESTIONS: &[(&str, &[&str])] = &[
    (
        "Which project is this for?",
        &["Apollo", "Contoso migration", "Projet Lumière", "项目甲"],
    ),
    ("Cost centre", &["CC-1001", "CC-2040", "CC-3300"]),
];

pub(super) const JUSTIFICATIONS: &[&str] = &[
    "Need access for the quarterly close",
    "Nouvelle mission dans l'équipe",
    "新项目需要访问权限",
    "Onboarding",
    "",
    "<b>urgent</b> please approve",
];

/// What kind of request to generate, chosen by weight (or by position, see `generate`).
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Delivered,
    FailedRecent,
    FailedOld,
    PartialRecent,
    PartialOld,
    PendingApproval,
    Submitted,
    Delivering,
    /// Delivering for more than 6 hours (created 7 hours to 3 days ago).
    StuckDelivering,
    Denied,
    Canceled,
    Scheduled,
    Waiting(Stage),
    /// Waiting at assignmentRequestCreated, its callback timeout close (created shortly
    /// before `createdDateTime + timeoutDuration`).
    NearTimeout,
}

pub(super) const KINDS: &[(Kind, u64)] = &[
    (Kind::Delivered, 40),
    (Kind::FailedRecent, 8),
    (Kind::FailedOld, 6),
    (Kind::PartialRecent, 5),
    (Kind::PartialOld, 3),
    (Kind::PendingApproval, 7),
    (Kind::Submitted, 3),
    (Kind::Delivering, 3),
    (Kind::Denied, 6),
    (Kind::Canceled, 5),
    (Kind::Scheduled, 3),
    (Kind::Waiting(Stage::Created), 3),
    (Kind::Waiting(Stage::Approved), 3),
    (Kind::Waiting(Stage::Granted), 3),
    (Kind::Waiting(Stage::Removed), 2),
];

/// Out of every `QUOTA_PERIOD` generated requests, the one at position 10 is stuck in
/// delivering and those at 20 and 40 wait at a callback close to its timeout, so every
/// tenant size has them in proportion (500 requests: 10 and 20).
pub(super) const QUOTA_PERIOD: usize = 50;

/// `(stage, extension index)` pairs of a policy's custom-extension stage settings.
pub(super) type StageList = &'static [(Stage, usize)];

/// Custom-extension stage settings of a package's two policies, by package index modulo 4:
/// `(direct-assignment policy, self-service policy)`, each `(stage, extension index)`.
/// Pattern 0 pins every stage to its own extension; 1 uses one extension at two stages of
/// a policy; 2 has the same extensions at different stages in the two policies; 3 sets
/// two stages only. A client that maps a waiting extension to a stage through the policies
/// cannot tell the stage in patterns 1 and 2: it must derive it from the request's state
/// and type (sandbox/README.md, "Stage semantics").
pub(super) const POLICY_PATTERNS: [(StageList, StageList); 4] = [
    (
        &[],
        &[
            (Stage::Created, 0),
            (Stage::Approved, 1),
            (Stage::Granted, 2),
            (Stage::Removed, 3),
        ],
    ),
    (
        &[],
        &[
            (Stage::Created, 1),
            (Stage::Approved, 1),
            (Stage::Granted, 3),
            (Stage::Removed, 3),
        ],
    ),
    (
        &[(Stage::Granted, 0), (Stage::Removed, 2)],
        &[(Stage::Created, 0), (Stage::Approved, 2)],
    ),
    (&[], &[(Stage::Created, 2), (Stage::Granted, 1)]),
];

#[cfg(test)]
mod tests {
    use crate::data::test_support::generated;

    #[test]
    fn names_include_chinese_french_and_hostile_strings() {
        let d = generated(1, 500);
        let names: Vec<&str> = d.subjects.iter().map(|s| s.display_name.as_str()).collect();
        assert!(
            names
                .iter()
                .any(|n| n.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        );
        assert!(names.iter().any(|n| n.contains('é')));
        assert!(names.iter().any(|n| n.contains("<script>")));
        assert!(names.iter().any(|n| n.len() > 250));
    }
}
