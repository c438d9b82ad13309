//! The rules of the record, by id: what a refusal names.

use serde::Serialize;

/// A rule of the record. Its id (`record-role`, ...) is shown to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Rule {
    /// The entry's message is not a statement rel can read.
    #[serde(rename = "record-entry")]
    Entry,
    /// The entry is not signed by a trusted key.
    #[serde(rename = "record-signed")]
    Signed,
    /// The entry names another actor than its signer.
    #[serde(rename = "record-actor")]
    Actor,
    /// The entry is dated before the one it follows, or in the future.
    #[serde(rename = "record-time")]
    Time,
    /// The release tag does not exist, or is another tag object now (re-tagged).
    #[serde(rename = "record-release")]
    Release,
    /// The environment takes no approvals.
    #[serde(rename = "record-environment")]
    Environment,
    /// The signer holds no role the decision needs.
    #[serde(rename = "record-role")]
    Role,
    /// The release's own tagger decides on it.
    #[serde(rename = "record-four-eyes")]
    FourEyes,
    /// A second decision by the same person on the same release and environment.
    #[serde(rename = "record-duplicate")]
    Duplicate,
    /// A revocation of nothing.
    #[serde(rename = "record-revoke")]
    Revoke,
    /// A second attestation of a release, or one without artifacts.
    #[serde(rename = "record-attest")]
    Attest,
    /// A deployment's artifacts are not the attested ones.
    #[serde(rename = "record-artifact")]
    Artifact,
    /// A promotion before the release was verified in the environment it comes after.
    #[serde(rename = "record-after")]
    After,
    /// A promotion before the soak time since that verification has passed.
    #[serde(rename = "record-soak")]
    Soak,
    /// A promotion without the environment's approvals.
    #[serde(rename = "record-approvals")]
    Approvals,
    /// A promotion without the passing readiness review the environment requires, or a
    /// `ready` entry that does not match the checklist, the tagged tree or the record.
    #[serde(rename = "record-ready")]
    Ready,
    /// A waiver of an item the checklist lacks or makes advisory, without a reason.
    #[serde(rename = "record-waive")]
    Waive,
    /// A `verified` or `failed` that follows no deployment awaiting its result.
    #[serde(rename = "record-result")]
    Result,
    /// A rollback without a reason, to a release never verified there, or to what runs there.
    #[serde(rename = "record-rollback")]
    Rollback,
    /// A publication of other artifacts than the attested ones, or of a version published
    /// before with another digest (versions are immutable).
    #[serde(rename = "record-publish")]
    Publish,
    /// A deletion of what is not published, or of what the retention policy keeps.
    #[serde(rename = "record-prune")]
    Prune,
    /// An incident without a description or linked to no deployment of its release there, or
    /// a resolution of no open incident.
    #[serde(rename = "record-incident")]
    Incident,
}

impl Rule {
    /// The rule's id, e.g. `record-role`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Entry => "record-entry",
            Rule::Signed => "record-signed",
            Rule::Actor => "record-actor",
            Rule::Time => "record-time",
            Rule::Release => "record-release",
            Rule::Environment => "record-environment",
            Rule::Role => "record-role",
            Rule::FourEyes => "record-four-eyes",
            Rule::Duplicate => "record-duplicate",
            Rule::Revoke => "record-revoke",
            Rule::Attest => "record-attest",
            Rule::Artifact => "record-artifact",
            Rule::After => "record-after",
            Rule::Soak => "record-soak",
            Rule::Approvals => "record-approvals",
            Rule::Ready => "record-ready",
            Rule::Waive => "record-waive",
            Rule::Result => "record-result",
            Rule::Rollback => "record-rollback",
            Rule::Publish => "record-publish",
            Rule::Prune => "record-prune",
            Rule::Incident => "record-incident",
        }
    }
}
