//! The three actions of the specification as data: which path, which body. Pure, so the
//! bodies are checked against the seed documents' examples natively.
//!
//! ```
//! use access_desk::actions::{ResumeBody, Stage};
//! let body = ResumeBody::continue_at(Stage::Created, "957d0c50-466b-4840-bb5b-c92cea7141ff", "Contoso.SodCheckProcess", "This user is all verified");
//! assert_eq!(body.to_json()["type"], "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated");
//! ```

use serde_json::{Value, json};

/// The request-level custom extension stages a callback can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Created,
    Approved,
    Granted,
    Removed,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Created,
        Stage::Approved,
        Stage::Granted,
        Stage::Removed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Created => "assignmentRequestCreated",
            Stage::Approved => "assignmentRequestApproved",
            Stage::Granted => "assignmentRequestGranted",
            Stage::Removed => "assignmentRequestRemoved",
        }
    }

    /// Enum members compare without regard to case (the resume page's deny example sends
    /// `AssignmentRequestCreated`).
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL
            .into_iter()
            .find(|st| st.name().eq_ignore_ascii_case(s))
    }

    /// Deny is allowed at these stages only (shared/reference: the documents disagree;
    /// this is the decision).
    pub fn can_deny(self) -> bool {
        matches!(self, Stage::Created | Stage::Approved)
    }
}

pub const STAGE_TYPE_PREFIX: &str = "microsoft.graph.accessPackageCustomExtensionStage.";
pub const CALLBACK_DATA_TYPE: &str = "microsoft.graph.accessPackageAssignmentRequestCallbackData";

/// The body of `resume`, in the shape of the seed documents' examples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResumeBody {
    pub source: String,
    pub stage: Stage,
    pub instance_id: String,
    pub detail: String,
    pub deny: bool,
}

impl ResumeBody {
    pub fn continue_at(stage: Stage, instance_id: &str, source: &str, detail: &str) -> ResumeBody {
        ResumeBody {
            source: source.into(),
            stage,
            instance_id: instance_id.into(),
            detail: detail.into(),
            deny: false,
        }
    }

    pub fn deny_at(stage: Stage, instance_id: &str, source: &str, detail: &str) -> ResumeBody {
        ResumeBody {
            deny: true,
            ..ResumeBody::continue_at(stage, instance_id, source, detail)
        }
    }

    /// The JSON sent to Graph: `type` and `data.stage` always agree.
    pub fn to_json(&self) -> Value {
        let mut data = json!({
            "@odata.type": CALLBACK_DATA_TYPE,
            "stage": self.stage.name(),
            "customExtensionStageInstanceId": self.instance_id,
            "customExtensionStageInstanceDetail": self.detail,
        });
        if self.deny {
            data["state"] = json!("denied");
        }
        json!({
            "source": self.source,
            "type": format!("{STAGE_TYPE_PREFIX}{}", self.stage.name()),
            "data": data,
        })
    }
}

/// Which action, on which collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    ReprocessRequest,
    ResumeRequest,
    ReprocessAssignment,
}

/// The stage at which the access package's policies call `extension_id`, read from their
/// `customExtensionStageSettings` (with `customExtension` expanded). None when they do not
/// say, or call the same extension at more than one stage: then the admin chooses.
pub fn stage_for_extension(policies: &[Value], extension_id: &str) -> Option<Stage> {
    let mut stages = policies
        .iter()
        .filter_map(|p| p.get("customExtensionStageSettings")?.as_array())
        .flatten()
        .filter(|s| {
            s["customExtension"]["id"]
                .as_str()
                .is_some_and(|id| id.eq_ignore_ascii_case(extension_id))
        })
        .filter_map(|s| s["stage"].as_str().and_then(Stage::parse));
    let first = stages.next()?;
    stages.all(|s| s == first).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_comes_from_the_policy_when_it_is_unambiguous() {
        let ext = "b7a5b1c8-6c5f-4b0c-9f1e-2d3c4b5a6978";
        let other = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        let policy = [json!({ "customExtensionStageSettings": [
            { "stage": "assignmentRequestApproved", "customExtension": { "id": ext } },
            { "stage": "assignmentRequestGranted", "customExtension": { "id": other } },
        ]})];
        assert_eq!(stage_for_extension(&policy, ext), Some(Stage::Approved));
        assert_eq!(
            stage_for_extension(&policy, &ext.to_uppercase()),
            Some(Stage::Approved)
        );
        assert_eq!(stage_for_extension(&policy, other), Some(Stage::Granted));
        assert_eq!(stage_for_extension(&policy, "nope"), None);
        assert_eq!(stage_for_extension(&[json!({})], ext), None);
        assert_eq!(stage_for_extension(&[], ext), None);
        // Two policies of the package agreeing is still one answer; disagreeing is none.
        let agree = [
            policy[0].clone(),
            json!({ "customExtensionStageSettings": [
            { "stage": "assignmentRequestApproved", "customExtension": { "id": ext } }]}),
        ];
        assert_eq!(stage_for_extension(&agree, ext), Some(Stage::Approved));
        let disagree = [
            policy[0].clone(),
            json!({ "customExtensionStageSettings": [
            { "stage": "assignmentRequestCreated", "customExtension": { "id": ext } }]}),
        ];
        assert_eq!(stage_for_extension(&disagree, ext), None);
        // The same extension at two stages: the policy cannot say which one is waiting.
        let twice = [json!({ "customExtensionStageSettings": [
            { "stage": "assignmentRequestCreated", "customExtension": { "id": ext } },
            { "stage": "assignmentRequestApproved", "customExtension": { "id": ext } },
        ]})];
        assert_eq!(stage_for_extension(&twice, ext), None);
        // Beta's PascalCase is the same stage.
        let beta = [json!({ "customExtensionStageSettings": [
            { "stage": "AssignmentRequestCreated", "customExtension": { "id": ext } },
        ]})];
        assert_eq!(stage_for_extension(&beta, ext), Some(Stage::Created));
    }

    /// Example 1 of the v1.0 resume page (seed 001), verbatim.
    const SEED_CONTINUE: &str = r#"{
        "source": "Contoso.SodCheckProcess",
        "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": "assignmentRequestCreated",
            "customExtensionStageInstanceId": "957d0c50-466b-4840-bb5b-c92cea7141ff",
            "customExtensionStageInstanceDetail": "This user is all verified"
        }
    }"#;

    /// Example 2 (deny), verbatim but for the stage's casing, which we send as the enum has it.
    const SEED_DENY: &str = r#"{
        "source": "Contoso.SodCheckProcess",
        "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": "assignmentRequestCreated",
            "customExtensionStageInstanceId": "857d0c50-466b-4840-bb5b-c92cea7141ff",
            "state": "denied",
            "customExtensionStageInstanceDetail": "Potential risk user based on the SOD check"
        }
    }"#;

    #[test]
    fn the_continue_body_is_the_seed_example() {
        let body = ResumeBody::continue_at(
            Stage::Created,
            "957d0c50-466b-4840-bb5b-c92cea7141ff",
            "Contoso.SodCheckProcess",
            "This user is all verified",
        );
        assert_eq!(
            body.to_json(),
            serde_json::from_str::<Value>(SEED_CONTINUE).unwrap()
        );
    }

    #[test]
    fn the_deny_body_is_the_seed_example() {
        let stage = Stage::parse("AssignmentRequestCreated").expect("the seed's casing parses");
        let body = ResumeBody::deny_at(
            stage,
            "857d0c50-466b-4840-bb5b-c92cea7141ff",
            "Contoso.SodCheckProcess",
            "Potential risk user based on the SOD check",
        );
        assert_eq!(
            body.to_json(),
            serde_json::from_str::<Value>(SEED_DENY).unwrap()
        );
    }

    /// The request stages of `accessPackageCustomExtensionStage` in the v1.0 CSDL
    /// (shared/reference/graph-schema/v1.0-global.xml), members 1 to 4, in their order.
    /// Members 5 and 6 are assignment stages (before expiration), not request stages.
    const CSDL_REQUEST_STAGES: [&str; 4] = [
        "assignmentRequestCreated",
        "assignmentRequestApproved",
        "assignmentRequestGranted",
        "assignmentRequestRemoved",
    ];

    #[test]
    fn type_and_data_stage_agree_at_every_stage() {
        assert_eq!(Stage::ALL.len(), CSDL_REQUEST_STAGES.len());
        for (stage, member) in Stage::ALL.into_iter().zip(CSDL_REQUEST_STAGES) {
            assert_eq!(stage.name(), member);
            assert_eq!(Stage::parse(member), Some(stage));
            let j =
                ResumeBody::continue_at(stage, "957d0c50-466b-4840-bb5b-c92cea7141ff", "s", "d")
                    .to_json();
            assert_eq!(
                j["type"],
                format!("microsoft.graph.accessPackageCustomExtensionStage.{member}"),
                "{member}"
            );
            assert_eq!(j["data"]["stage"], member, "{member}");
            assert!(j["data"].get("state").is_none(), "continue sends no state");
        }
        for not_a_request_stage in [
            "assignmentFourteenDaysBeforeExpiration",
            "assignmentOneDayBeforeExpiration",
            "unknownFutureValue",
        ] {
            assert_eq!(
                Stage::parse(not_a_request_stage),
                None,
                "{not_a_request_stage}"
            );
        }
    }

    #[test]
    fn deny_only_at_created_and_approved() {
        let denies: Vec<bool> = Stage::ALL.iter().map(|s| s.can_deny()).collect();
        assert_eq!(denies, [true, true, false, false]);
    }
}
