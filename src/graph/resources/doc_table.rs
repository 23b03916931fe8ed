/// (version, collection segment, property as written on the wire, operator).
/// `contains(tolower(displayName),…)` on packages and catalogs is a function, not a
/// clause of this shape, and the app does not send it.
pub const FILTERS: &[(&str, &str, &str, &str)] = &[
    // v1.0 resource page accessPackageAssignmentRequest: state "Supports $filter (eq)";
    // list page examples createdDateTime gt and accessPackage/id eq.
    ("v1.0", "assignmentRequests", "state", "eq"),
    ("v1.0", "assignmentRequests", "createdDateTime", "gt"),
    ("v1.0", "assignmentRequests", "accessPackage/id", "eq"),
    // v1.0 entitlementmanagement-list-assignments.
    ("v1.0", "assignments", "state", "eq"),
    ("v1.0", "assignments", "accessPackage/id", "eq"),
    ("v1.0", "assignments", "target/objectId", "eq"),
    ("v1.0", "assignments", "assignmentPolicy/id", "eq"),
    // v1.0 entitlementmanagement-list-assignmentpolicies.
    ("v1.0", "assignmentPolicies", "displayName", "eq"),
    ("v1.0", "assignmentPolicies", "accessPackage/id", "eq"),
    // beta entitlementmanagement-list-assignmentrequests (new path): no state filter.
    ("beta", "assignmentRequests", "createdDateTime", "gt"),
    ("beta", "assignmentRequests", "accessPackage/id", "eq"),
    // beta legacy list: (requestState eq 'PendingApproval').
    (
        "beta",
        "accessPackageAssignmentRequests",
        "requestState",
        "eq",
    ),
    (
        "beta",
        "accessPackageAssignmentRequests",
        "accessPackage/id",
        "eq",
    ),
    // beta entitlementmanagement-list-accesspackageassignments (values: below).
    ("beta", "accessPackageAssignments", "assignmentState", "eq"),
    ("beta", "accessPackageAssignments", "target/objectId", "eq"),
    ("beta", "accessPackageAssignments", "accessPackage/id", "eq"),
    (
        "beta",
        "accessPackageAssignments",
        "accessPackageAssignmentPolicy/id",
        "eq",
    ),
    // beta entitlementmanagement-list-accesspackageassignmentpolicies.
    (
        "beta",
        "accessPackageAssignmentPolicies",
        "displayName",
        "eq",
    ),
];

/// v1.0 CSDL `accessPackageRequestState`, without `unknownFutureValue`.
pub const REQUEST_STATES: [&str; 9] = [
    "submitted",
    "pendingApproval",
    "delivering",
    "delivered",
    "deliveryFailed",
    "denied",
    "scheduled",
    "canceled",
    "partiallyDelivered",
];

/// v1.0 CSDL `accessPackageAssignmentState`, without `unknownFutureValue`.
pub const ASSIGNMENT_STATES: [&str; 5] = [
    "delivering",
    "partiallyDelivered",
    "delivered",
    "expired",
    "deliveryFailed",
];

/// beta resource page accessPackageAssignment: `assignmentState` "Possible values are
/// `Delivering`, `Delivered`, or `Expired`" (a string in the beta schema, not an enum).
pub const BETA_ASSIGNMENT_STATES: [&str; 3] = ["Delivering", "Delivered", "Expired"];
