//! What Microsoft documents for each collection's queries, in one place: the `$filter`
//! clauses (property and operator), the `$expand`s and the nested `$expand`s, per
//! collection, version and kind of read. `--query-support documented` (the default)
//! accepts exactly these; sandbox/QUERY-SUPPORT.md gives the source of every row and says
//! where the strictest reading was taken.

use super::odata::Op;
use super::render::Version;

/// How much of OData the lists accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QuerySupport {
    /// Exactly the documented clauses, joined with `and`; everything else is InvalidFilter.
    Documented,
    /// The permissive parser: and/or/not, ne, every comparison on createdDateTime, status,
    /// requestor/objectId, nested expands (for experiments).
    Extended,
}

impl QuerySupport {
    pub fn name(self) -> &'static str {
        match self {
            QuerySupport::Documented => "documented",
            QuerySupport::Extended => "extended",
        }
    }
}

/// A read of a collection or of one item of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    List,
    Item,
}

/// The documented query options of one read.
#[derive(Clone, Copy, Debug)]
pub struct Documented {
    /// `(property path, operator)`: each conjunct of a `$filter` must be one of these.
    pub filters: &'static [(&'static str, Op)],
    /// Navigation properties `$expand` takes.
    pub expand: &'static [&'static str],
    /// `(navigation property, nested navigation property)` pairs for `name($expand=nested)`.
    pub nested: &'static [(&'static str, &'static str)],
}

const NOTHING: Documented = Documented {
    filters: &[],
    expand: &[],
    nested: &[],
};

const BY_NAME: &[(&str, Op)] = &[("displayName", Op::ContainsLower)];

/// The documented query options of a read of `collection` (the path segment, such as
/// `assignmentRequests` or `accessPackageAssignmentRequests`) in `version`.
pub fn documented(version: Version, collection: &str, read: Read) -> Documented {
    use Op::{ContainsLower, Eq, Gt};
    use Read::{Item, List};
    use Version::{Beta, V1};
    match (version, collection, read) {
        (V1, "assignmentRequests", List) => Documented {
            filters: &[
                ("state", Eq),
                ("createdDateTime", Gt),
                ("accessPackage/id", Eq),
            ],
            expand: &["accessPackage", "requestor", "assignment"],
            nested: &[],
        },
        (V1, "assignmentRequests", Item) => Documented {
            filters: &[],
            expand: &["accessPackage", "requestor", "assignment"],
            nested: &[("assignment", "target")],
        },
        (V1, "assignments", List) => Documented {
            filters: &[
                ("state", Eq),
                ("accessPackage/id", Eq),
                ("target/objectId", Eq),
                ("assignmentPolicy/id", Eq),
            ],
            expand: &["target", "accessPackage"],
            nested: &[],
        },
        (V1, "assignments", Item) => Documented {
            expand: &["accessPackage", "target", "assignmentPolicy"],
            ..NOTHING
        },
        (V1, "accessPackages", List) => Documented {
            filters: BY_NAME,
            expand: &["assignmentPolicies"],
            nested: &[],
        },
        (V1, "accessPackages", Item) => Documented {
            expand: &["assignmentPolicies"],
            ..NOTHING
        },
        (V1, "catalogs", List) => Documented {
            filters: BY_NAME,
            expand: &["accessPackages"],
            nested: &[],
        },
        (V1, "catalogs", Item) => Documented {
            expand: &["accessPackages"],
            ..NOTHING
        },
        (V1, "assignmentPolicies", List) => Documented {
            filters: &[("displayName", Eq), ("accessPackage/id", Eq)],
            ..NOTHING
        },
        (V1, "assignmentPolicies", Item) => Documented {
            filters: &[],
            expand: &["accessPackage", "customExtensionStageSettings"],
            nested: &[("customExtensionStageSettings", "customExtension")],
        },
        (Beta, "assignmentRequests", List) => Documented {
            filters: &[("createdDateTime", Gt), ("accessPackage/id", Eq)],
            expand: &[
                "accessPackage",
                "requestor",
                "assignment",
                "accessPackageAssignment",
            ],
            nested: &[],
        },
        (Beta, "assignmentRequests", Item) => Documented {
            expand: &["accessPackage", "requestor"],
            ..NOTHING
        },
        (Beta, "accessPackageAssignmentRequests", List) => Documented {
            filters: &[("requestState", Eq), ("accessPackage/id", Eq)],
            expand: &["accessPackage", "accessPackageAssignment", "requestor"],
            nested: &[("requestor", "connectedOrganization")],
        },
        (Beta, "accessPackageAssignmentRequests", Item) => Documented {
            filters: &[],
            expand: &["accessPackage", "accessPackageAssignment", "requestor"],
            nested: &[
                ("requestor", "connectedOrganization"),
                ("accessPackageAssignment", "target"),
            ],
        },
        (Beta, "accessPackageAssignments", List) => Documented {
            filters: &[
                ("assignmentState", Eq),
                ("target/objectId", Eq),
                ("accessPackage/id", Eq),
                ("accessPackageAssignmentPolicy/id", Eq),
            ],
            expand: &["target", "accessPackage"],
            nested: &[],
        },
        (Beta, "accessPackageAssignments", Item) => Documented {
            expand: &["target", "accessPackage"],
            ..NOTHING
        },
        (Beta, "accessPackages", List) => Documented {
            filters: BY_NAME,
            expand: &["accessPackageAssignmentPolicies"],
            nested: &[],
        },
        (Beta, "accessPackages", Item) => Documented {
            expand: &["accessPackageAssignmentPolicies"],
            ..NOTHING
        },
        (Beta, "accessPackageCatalogs", List) => Documented {
            filters: &[("displayName", ContainsLower)],
            expand: &["accessPackages"],
            nested: &[],
        },
        (Beta, "accessPackageCatalogs", Item) => Documented {
            expand: &["accessPackages"],
            ..NOTHING
        },
        (Beta, "accessPackageAssignmentPolicies", List) => Documented {
            filters: &[("displayName", Eq)],
            ..NOTHING
        },
        (Beta, "accessPackageAssignmentPolicies", Item) => Documented {
            filters: &[],
            expand: &["customExtensionStageSettings"],
            nested: &[("customExtensionStageSettings", "customExtension")],
        },
        _ => NOTHING,
    }
}

/// The values a documented clause may compare a property with, where the documents list
/// them: beta `accessPackageAssignments` `assignmentState` is a string whose possible values
/// are `Delivering`, `Delivered` or `Expired` (beta resource page accessPackageAssignment;
/// `Delivering` added by microsoft-graph-docs PR 10620). Compared without regard to case.
/// `None`: any value of the property's type.
pub fn documented_values(
    version: Version,
    collection: &str,
    property: &str,
) -> Option<&'static [&'static str]> {
    match version {
        Version::Beta
            if collection == "accessPackageAssignments"
                && property.eq_ignore_ascii_case("assignmentState") =>
        {
            Some(&["Delivering", "Delivered", "Expired"])
        }
        _ => None,
    }
}

/// True when `path op …` is a documented clause of `d` (property names compare without
/// regard to case, as the documents' own examples write `target/objectid`).
pub fn allows_filter(d: &Documented, path: &str, op: Op) -> bool {
    d.filters
        .iter()
        .any(|(p, o)| p.eq_ignore_ascii_case(path) && *o == op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strictest_readings_are_the_ones_written_down() {
        let v1 = documented(Version::V1, "assignmentRequests", Read::List);
        assert!(allows_filter(&v1, "createdDateTime", Op::Gt));
        assert!(!allows_filter(&v1, "createdDateTime", Op::Ge));
        assert!(!allows_filter(&v1, "status", Op::Eq));
        assert!(!allows_filter(&v1, "requestor/objectId", Op::Eq));
        let beta = documented(Version::Beta, "assignmentRequests", Read::List);
        assert!(!allows_filter(&beta, "requestState", Op::Eq));
        assert!(!allows_filter(&beta, "state", Op::Eq));
        assert!(
            beta.expand.contains(&"assignment") && beta.expand.contains(&"accessPackageAssignment")
        );
        let legacy = documented(Version::Beta, "accessPackageAssignmentRequests", Read::List);
        assert!(allows_filter(&legacy, "requestState", Op::Eq));
        assert!(!legacy.expand.contains(&"assignment"));
        assert!(
            !legacy
                .nested
                .contains(&("accessPackageAssignment", "target"))
        );
        // The documented nested expands of one request; the lists show none.
        let one = documented(Version::V1, "assignmentRequests", Read::Item);
        assert!(one.nested.contains(&("assignment", "target")));
        assert!(v1.nested.is_empty());
        let one = documented(Version::Beta, "accessPackageAssignmentRequests", Read::Item);
        assert!(one.nested.contains(&("accessPackageAssignment", "target")));
        let policies = documented(Version::Beta, "accessPackageAssignmentPolicies", Read::List);
        assert!(!allows_filter(&policies, "accessPackageId", Op::Eq));
        let states =
            documented_values(Version::Beta, "accessPackageAssignments", "assignmentstate");
        assert_eq!(states, Some(&["Delivering", "Delivered", "Expired"][..]));
        assert_eq!(documented_values(Version::V1, "assignments", "state"), None);
        for (v, c) in [
            (Version::V1, "assignmentRequests"),
            (Version::V1, "assignments"),
            (Version::Beta, "accessPackageAssignmentRequests"),
            (Version::Beta, "accessPackageAssignments"),
        ] {
            assert!(
                allows_filter(&documented(v, c, Read::List), "accessPackage/id", Op::Eq),
                "catalog-scoped callers need accessPackage/id on {c}"
            );
        }
    }
}
