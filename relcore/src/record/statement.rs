//! What an entry states, and its in-toto form: subject = the release tag (digests `gitTag`,
//! `gitCommit`) then any artifacts (digest `sha256`, annotation `size`); the predicate holds
//! the event, its type naming the family: a gate decision, an attestation, a deployment.

use gix::ObjectId;
use serde::{Deserialize, Serialize};

pub use super::ready::{Announcement, ItemResult, ItemStatus, Readiness};
use super::{
    ANNOUNCE_TYPE, ATTEST_TYPE, DEPLOY_TYPE, INCIDENT_TYPE, PREDICATE_TYPE, READY_TYPE,
    REGISTRY_TYPE, STATEMENT_TYPE,
};

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Event {
    /// An approval of a release for an environment.
    Approve,
    /// A rejection: the release may not go there until the rejection is revoked.
    Reject,
    /// Withdraws the actor's own approval or rejection.
    Revoke,
    /// The release's artifacts: names, sizes and sha256 digests. Once per release.
    Attest,
    /// The release is being deployed to an environment (its deploy command runs next).
    Promote,
    /// The deployment's smoke test passed.
    Verified,
    /// The deployment or its smoke test failed.
    Failed,
    /// A release verified in the environment before is deployed back.
    Rollback,
    /// The release's attested artifacts were pushed to an OCI registry (`rel publish`).
    Publish,
    /// A published release was deleted from its registry (`rel prune`).
    Prune,
    /// A readiness review of a release: the checklist's results and evidence (`rel ready`).
    Ready,
    /// A failed required checklist item let pass, for a reason (`rel ready --waive`).
    Waive,
    /// An announcement of a release was delivered to an audience (`rel announce --send`).
    Announce,
    /// An incident opened in an environment, linked to the deployment it came from
    /// (`rel incident open`).
    Incident,
    /// An incident resolved: service is restored (`rel incident resolve`).
    Resolve,
}

impl Event {
    /// The event's name: `approve`, `reject`, `revoke`, `attest`, `promote`, `verified`,
    /// `failed`, `rollback`, `publish`, `prune`, `ready`, `waive`, `announce`, `incident`,
    /// `resolve`.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Approve => "approve",
            Event::Reject => "reject",
            Event::Revoke => "revoke",
            Event::Attest => "attest",
            Event::Promote => "promote",
            Event::Verified => "verified",
            Event::Failed => "failed",
            Event::Rollback => "rollback",
            Event::Publish => "publish",
            Event::Prune => "prune",
            Event::Ready => "ready",
            Event::Waive => "waive",
            Event::Announce => "announce",
            Event::Incident => "incident",
            Event::Resolve => "resolve",
        }
    }

    /// Whether it is a gate decision (`approve`, `reject`, `revoke`).
    pub fn is_decision(self) -> bool {
        matches!(self, Event::Approve | Event::Reject | Event::Revoke)
    }

    /// The predicate type of the event's family.
    fn predicate_type(self) -> &'static str {
        match self {
            Event::Approve | Event::Reject | Event::Revoke => PREDICATE_TYPE,
            Event::Attest => ATTEST_TYPE,
            Event::Promote | Event::Verified | Event::Failed | Event::Rollback => DEPLOY_TYPE,
            Event::Publish | Event::Prune => REGISTRY_TYPE,
            Event::Ready | Event::Waive => READY_TYPE,
            Event::Announce => ANNOUNCE_TYPE,
            Event::Incident | Event::Resolve => INCIDENT_TYPE,
        }
    }
}

/// A file of a release, as attested or offered for deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Artifact {
    /// Its name (the file name when attested).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its sha256 digest, lowercase hex.
    pub sha256: String,
}

impl Artifact {
    /// An artifact from its name, size and lowercase-hex sha256.
    pub fn new(name: impl Into<String>, size: u64, sha256: impl Into<String>) -> Self {
        Artifact {
            name: name.into(),
            size,
            sha256: sha256.into(),
        }
    }
}

/// The artifact of `attested` that `file` is, if any: a file matches by content (its sha256),
/// whatever it is called now.
pub fn find_artifact<'a>(attested: &'a [Artifact], file: &Artifact) -> Option<&'a Artifact> {
    attested.iter().find(|a| a.sha256 == file.sha256)
}

/// Where a release's artifacts live in an OCI registry: what a `publish` entry records and a
/// `prune` entry deletes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Location {
    /// The repository, `host[:port]/path`.
    pub repository: String,
    /// The registry tag (the version).
    pub tag: String,
    /// The manifest's digest, `sha256:` and 64 lowercase hex digits.
    pub digest: String,
}

impl Location {
    /// `repository`, `tag` and manifest `digest`.
    pub fn new(
        repository: impl Into<String>,
        tag: impl Into<String>,
        digest: impl Into<String>,
    ) -> Self {
        Location {
            repository: repository.into(),
            tag: tag.into(),
            digest: digest.into(),
        }
    }

    /// The reference by tag and digest, e.g. `registry.example.com/app:1.2.0@sha256:...`.
    pub fn reference(&self) -> String {
        format!("{}:{}@{}", self.repository, self.tag, self.digest)
    }
}

/// Whether `a` and `b` are the same set of artifacts (names, sizes, digests), in any order.
pub(crate) fn same_artifacts(a: &[Artifact], b: &[Artifact]) -> bool {
    fn key(list: &[Artifact]) -> Vec<(&str, &str, u64)> {
        let mut keys: Vec<_> = list
            .iter()
            .map(|x| (x.sha256.as_str(), x.name.as_str(), x.size))
            .collect();
        keys.sort_unstable();
        keys
    }
    key(a) == key(b)
}

/// `name sha256 digest, ...` of `artifacts`, or `none`.
pub(crate) fn listing(artifacts: &[Artifact]) -> String {
    if artifacts.is_empty() {
        return "none".into();
    }
    artifacts
        .iter()
        .map(|a| format!("{} sha256 {}", a.name, a.sha256))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first 7 characters of an object id in hex (all of it when shorter: ids in a kept
/// state file are not trusted to be whole).
pub(crate) fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// How a deployment ended, as a `verified` or `failed` entry records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The step that decided it: `deploy` or `smoke` (the last one run).
    pub step: String,
    /// Its exit status (`None`: killed, or timed out).
    #[serde(rename = "exitCode")]
    pub exit_code: Option<i32>,
    /// Whether it ran out of time.
    #[serde(rename = "timedOut", default)]
    pub timed_out: bool,
    /// How long deploy and smoke took together, in milliseconds.
    #[serde(rename = "durationMs")]
    pub duration_ms: u64,
}

/// One event about one release, as its actor states it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statement {
    /// The event.
    pub event: Event,
    /// The release tag's name, e.g. `v1.2.0`.
    pub tag: String,
    /// The tag object the event is about: a re-tagged release is another release.
    pub tag_object: ObjectId,
    /// The commit the tag points at.
    pub commit: ObjectId,
    /// The environment (empty for `attest`).
    pub environment: String,
    /// Who the actor says they are: the principal their signature must verify as.
    pub actor: String,
    /// The actor's note, if any (a rollback's reason).
    pub note: Option<String>,
    /// `attest`: the release's artifacts; `promote`, `rollback`: the artifacts deployed.
    pub artifacts: Vec<Artifact>,
    /// `verified`, `failed`: how the deployment ended.
    pub outcome: Option<Outcome>,
    /// `publish`, `prune`: where in a registry.
    pub registry: Option<Location>,
    /// `waive`: the checklist item waived.
    pub item: Option<String>,
    /// `ready`: the review's results and evidence.
    pub readiness: Option<Readiness>,
    /// `announce`: what was delivered to whom.
    pub announcement: Option<Announcement>,
    /// `incident`: the `promote` entry of the deployment the incident came from.
    pub deployment: Option<ObjectId>,
    /// `resolve`: the `incident` entry it resolves.
    pub incident: Option<ObjectId>,
}

impl Statement {
    /// A statement of `event` on release `tag` (object `tag_object`, commit `commit`) in
    /// `environment` by `actor`, with no note, artifacts or outcome.
    pub fn new(
        event: Event,
        tag: impl Into<String>,
        (tag_object, commit): (ObjectId, ObjectId),
        environment: impl Into<String>,
        actor: impl Into<String>,
    ) -> Self {
        Statement {
            event,
            tag: tag.into(),
            tag_object,
            commit,
            environment: environment.into(),
            actor: actor.into(),
            note: None,
            artifacts: Vec::new(),
            outcome: None,
            registry: None,
            item: None,
            readiness: None,
            announcement: None,
            deployment: None,
            incident: None,
        }
    }
}

/// The in-toto statement an entry's message carries, as written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InToto {
    #[serde(rename = "_type")]
    type_: String,
    subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    predicate: Predicate,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Subject {
    name: String,
    digest: Digest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    annotations: Option<Annotations>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Digest {
    #[serde(rename = "gitTag", default, skip_serializing_if = "Option::is_none")]
    git_tag: Option<String>,
    #[serde(rename = "gitCommit", default, skip_serializing_if = "Option::is_none")]
    git_commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Annotations {
    size: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Predicate {
    event: Event,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    environment: String,
    actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    registry: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    readiness: Option<Readiness>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    announcement: Option<Announcement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deployment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    incident: Option<String>,
}

impl Statement {
    /// The commit message of this event: a summary line, a blank line, the statement.
    pub(crate) fn message(&self) -> String {
        let mut subject = vec![Subject {
            name: self.tag.clone(),
            digest: Digest {
                git_tag: Some(self.tag_object.to_string()),
                git_commit: Some(self.commit.to_string()),
                sha256: None,
            },
            annotations: None,
        }];
        subject.extend(self.artifacts.iter().map(artifact_subject));
        let statement = InToto {
            type_: STATEMENT_TYPE.to_owned(),
            subject,
            predicate_type: self.event.predicate_type().to_owned(),
            predicate: Predicate {
                event: self.event,
                environment: self.environment.clone(),
                actor: self.actor.clone(),
                note: self.note.clone(),
                outcome: self.outcome.clone(),
                registry: self.registry.clone(),
                item: self.item.clone(),
                readiness: self.readiness.clone(),
                announcement: self.announcement.clone(),
                deployment: self.deployment.map(|id| id.to_string()),
                incident: self.incident.map(|id| id.to_string()),
            },
        };
        let json = serde_json::to_string_pretty(&statement).expect("a statement serializes");
        let summary = if let Some(r) = &self.readiness {
            format!("ready {}: {}", self.tag, if r.go { "go" } else { "no-go" })
        } else if let Some(item) = &self.item {
            format!("waive {} for {}", item, self.tag)
        } else if let Some(a) = &self.announcement {
            format!("announce {} to {}", self.tag, a.audience)
        } else if let Some(incident) = self.incident {
            format!(
                "resolve incident {} ({} in {})",
                incident.to_hex_with_len(7),
                self.tag,
                self.environment
            )
        } else if self.environment.is_empty() {
            format!("{} {}", self.event.as_str(), self.tag)
        } else {
            let to = if self.event.is_decision() {
                "for"
            } else {
                "in"
            };
            format!(
                "{} {} {to} {}",
                self.event.as_str(),
                self.tag,
                self.environment
            )
        };
        format!("{summary}\n\n{json}\n")
    }

    /// The event an entry's message carries, or why it carries none.
    pub(crate) fn parse(message: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(message).map_err(|_| "the message is not UTF-8")?;
        let json = text
            .split_once("\n\n")
            .map(|(_, rest)| rest)
            .ok_or("the message has no statement after its summary line")?;
        let statement: InToto =
            serde_json::from_str(json).map_err(|e| format!("the statement is not valid: {e}"))?;
        if statement.type_ != STATEMENT_TYPE {
            return Err(format!(
                "the statement's _type is `{}`, not {STATEMENT_TYPE}",
                statement.type_
            ));
        }
        let event = statement.predicate.event;
        if statement.predicate_type != event.predicate_type() {
            return Err(format!(
                "the predicateType of a `{}` entry is {}, not `{}`",
                event.as_str(),
                event.predicate_type(),
                statement.predicate_type
            ));
        }
        let Some((release, artifacts)) = statement.subject.split_first() else {
            return Err("the statement has no subject (the release tag comes first)".into());
        };
        let id = |hex: &Option<String>, what: &str| {
            let hex = hex.as_deref().unwrap_or_default();
            ObjectId::from_hex(hex.as_bytes()).map_err(|_| {
                format!("the first subject's {what} digest `{hex}` is not an object id")
            })
        };
        let artifacts = artifacts
            .iter()
            .map(|s| {
                subject_artifact(s).ok_or_else(|| {
                    format!(
                        "subject `{}` is not an artifact (a lowercase sha256 digest and a size annotation)",
                        s.name
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let p = statement.predicate;
        let entry_id = |hex: Option<String>, what: &str| {
            hex.map(|hex| {
                ObjectId::from_hex(hex.as_bytes())
                    .map_err(|_| format!("the predicate's {what} `{hex}` is not an entry id"))
            })
            .transpose()
        };
        Ok(Statement {
            event,
            tag: release.name.clone(),
            tag_object: id(&release.digest.git_tag, "gitTag")?,
            commit: id(&release.digest.git_commit, "gitCommit")?,
            environment: p.environment,
            actor: p.actor,
            note: p.note,
            artifacts,
            outcome: p.outcome,
            registry: p.registry,
            item: p.item,
            readiness: p.readiness,
            announcement: p.announcement,
            deployment: entry_id(p.deployment, "deployment")?,
            incident: entry_id(p.incident, "incident")?,
        })
    }
}

pub(super) fn artifact_subject(a: &Artifact) -> Subject {
    Subject {
        name: a.name.clone(),
        digest: Digest {
            sha256: Some(a.sha256.clone()),
            ..Digest::default()
        },
        annotations: Some(Annotations { size: a.size }),
    }
}

pub(super) fn subject_artifact(s: &Subject) -> Option<Artifact> {
    let sha256 = s.digest.sha256.clone()?;
    let is_hex = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    match (&s.digest.git_tag, &s.annotations, is_hex) {
        (None, Some(a), true) => Some(Artifact::new(s.name.clone(), a.size, sha256)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(c: u8) -> ObjectId {
        ObjectId::from_hex(&[c; 40]).expect("hex")
    }

    #[test]
    fn a_message_reads_back() {
        let mut event = Statement::new(
            Event::Approve,
            "v1.2.0",
            (id(b'1'), id(b'2')),
            "production",
            "alice@example.com",
        );
        event.note = Some("looks good".into());
        let message = event.message();
        assert!(message.starts_with("approve v1.2.0 for production\n\n{"));
        assert_eq!(Statement::parse(message.as_bytes()), Ok(event));
        assert_eq!(
            Statement::parse(b"approve v1 for x\n\n{}"),
            Err("the statement is not valid: missing field `_type` at line 1 column 2".into())
        );
    }

    #[test]
    fn artifacts_and_outcomes_read_back() {
        let mut attest = Statement::new(
            Event::Attest,
            "v1.0.0",
            (id(b'1'), id(b'2')),
            "",
            "rm@example.com",
        );
        attest.artifacts = vec![Artifact::new("app.tar.gz", 12, "ab".repeat(32))];
        let message = attest.message();
        assert!(message.starts_with("attest v1.0.0\n\n{"), "{message}");
        assert!(message.contains("\"sha256\": \"abab"), "{message}");
        assert_eq!(Statement::parse(message.as_bytes()), Ok(attest.clone()));
        let mut failed = Statement::new(
            Event::Failed,
            "v1.0.0",
            (id(b'1'), id(b'2')),
            "production",
            "ci@example.com",
        );
        failed.outcome = Some(Outcome {
            step: "smoke".into(),
            exit_code: Some(3),
            timed_out: false,
            duration_ms: 1200,
        });
        let message = failed.message();
        assert!(message.starts_with("failed v1.0.0 in production\n\n"));
        assert_eq!(Statement::parse(message.as_bytes()), Ok(failed));
        // A decision's predicate type on an attestation is refused.
        let forged = attest.message().replace(ATTEST_TYPE, PREDICATE_TYPE);
        assert_eq!(
            Statement::parse(forged.as_bytes()),
            Err(format!(
                "the predicateType of a `attest` entry is {ATTEST_TYPE}, not `{PREDICATE_TYPE}`"
            ))
        );
        // An artifact digest in upper case is not one.
        let upper = attest.message().replace(&"ab".repeat(32), &"AB".repeat(32));
        assert!(Statement::parse(upper.as_bytes()).is_err());
    }
}
