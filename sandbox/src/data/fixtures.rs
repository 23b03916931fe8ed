//! The seeds' example ids: the sandbox must accept the documents' requests as they are.

/// v1.0 and beta reprocess examples (a request in deliveryFailed).
pub const REPROCESS_REQUEST: &str = "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b";
/// The resume "continue" example: waiting at assignmentRequestCreated.
pub const RESUME_CONTINUE_REQUEST: &str = "0e60f18c-b2a0-4887-9da8-da2e30a39d99";
pub const RESUME_CONTINUE_INSTANCE: &str = "957d0c50-466b-4840-bb5b-c92cea7141ff";
/// The resume "deny" example: waiting at assignmentRequestCreated.
pub const RESUME_DENY_REQUEST: &str = "9e60f18c-b2a0-4887-9da8-da2e30a39d99";
pub const RESUME_DENY_INSTANCE: &str = "857d0c50-466b-4840-bb5b-c92cea7141ff";
/// The beta assignment reprocess example (a delivered assignment).
pub const REPROCESS_ASSIGNMENT: &str = "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b";
/// Not an example of the documents: a request in deliveryFailed that completed
/// [`WINDOW_EDGE_LEFT_SECS`] less than 14 days before the tenant was made, so that
/// moving the clock a few minutes crosses the end of its reprocess window.
pub const WINDOW_EDGE_REQUEST: &str = "a14d7e0d-9e5a-4c3b-8f21-3d6b2c1e0e14";
/// How long the window edge request's reprocess window is open at generation: 5 minutes.
pub const WINDOW_EDGE_LEFT_SECS: i64 = 300;
