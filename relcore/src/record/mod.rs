//! The release record: `refs/rel/record`, a chain of signed commits, one per event (an approval,
//! a rejection, a revocation), each the child of the one before.
//!
//! Each entry's message is a one-line summary, a blank line, and the entry as JSON: an in-toto
//! Statement v1 whose subject is the release tag (digests `gitTag`, the tag object id, and
//! `gitCommit`) and whose predicate (type [`PREDICATE_TYPE`]) holds the event. Its tree is
//! git's empty tree. Each entry is signed with its actor's own git signing setup
//! (`git commit-tree -S`); who the actor is comes from the signature alone, verified against
//! the trust anchors: the SSH allowed-signers principal or the OpenPGP user id's e-mail.
//!
//! [`State`] is what the entries add up to; its `validate` is the one set of rules an
//! entry must pass, run by `rel approve` before it pushes, by the server's pre-receive hook on
//! every new entry, and by `rel audit` over the whole record.

mod gate;
mod kept;
mod read;
mod release;
mod report;
mod state;
mod write;

use gix::ObjectId;
use serde::{Deserialize, Serialize};

pub use gate::Gate;
pub use kept::state_at;
pub use read::{Entry, read, read_since};
pub(crate) use release::release_facts;
pub use release::release_of;
pub use report::{Status, Step, audit, open_gates, status};
pub(crate) use state::Candidate;
pub use state::{Decision, Rule, State, Violation, replay};
pub use write::{Appended, append, fetch};

/// The ref that holds the record.
pub const REF: &str = "refs/rel/record";
/// The in-toto statement type of every entry.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate type of a gate decision.
pub const PREDICATE_TYPE: &str = "https://rel.dev/record/decision/v1";
/// How far entry times may disagree (seconds): with the entry before, and with the server's
/// clock for an entry dated in the future.
pub const SKEW: i64 = 300;

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
}

impl Event {
    /// The event's name: `approve`, `reject`, `revoke`.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Approve => "approve",
            Event::Reject => "reject",
            Event::Revoke => "revoke",
        }
    }
}

/// One event about one release, as its actor states it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statement {
    /// The event.
    pub event: Event,
    /// The release tag's name, e.g. `v1.2.0`.
    pub tag: String,
    /// The tag object the decision is about: a re-tagged release is another release.
    pub tag_object: ObjectId,
    /// The commit the tag points at.
    pub commit: ObjectId,
    /// The environment, e.g. `production`.
    pub environment: String,
    /// Who the actor says they are: the principal their signature must verify as.
    pub actor: String,
    /// The actor's note, if any.
    pub note: Option<String>,
}

/// The in-toto statement an entry's message carries, as written.
#[derive(Debug, Serialize, Deserialize)]
struct InToto {
    #[serde(rename = "_type")]
    type_: String,
    subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    predicate: Predicate,
}

#[derive(Debug, Serialize, Deserialize)]
struct Subject {
    name: String,
    digest: Digest,
}

#[derive(Debug, Serialize, Deserialize)]
struct Digest {
    #[serde(rename = "gitTag")]
    git_tag: String,
    #[serde(rename = "gitCommit")]
    git_commit: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Predicate {
    event: Event,
    environment: String,
    actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Statement {
    /// The commit message of this event: a summary line, a blank line, the statement.
    pub(crate) fn message(&self) -> String {
        let statement = InToto {
            type_: STATEMENT_TYPE.to_owned(),
            subject: vec![Subject {
                name: self.tag.clone(),
                digest: Digest {
                    git_tag: self.tag_object.to_string(),
                    git_commit: self.commit.to_string(),
                },
            }],
            predicate_type: PREDICATE_TYPE.to_owned(),
            predicate: Predicate {
                event: self.event,
                environment: self.environment.clone(),
                actor: self.actor.clone(),
                note: self.note.clone(),
            },
        };
        let json = serde_json::to_string_pretty(&statement).expect("a statement serializes");
        format!(
            "{} {} for {}\n\n{json}\n",
            self.event.as_str(),
            self.tag,
            self.environment
        )
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
        if statement.predicate_type != PREDICATE_TYPE {
            return Err(format!(
                "the predicateType is `{}`, not {PREDICATE_TYPE}",
                statement.predicate_type
            ));
        }
        let [subject] = &statement.subject[..] else {
            return Err("the statement must have exactly one subject (the release tag)".into());
        };
        let id = |hex: &str, what: &str| {
            ObjectId::from_hex(hex.as_bytes())
                .map_err(|_| format!("the subject's {what} digest `{hex}` is not an object id"))
        };
        Ok(Statement {
            event: statement.predicate.event,
            tag: subject.name.clone(),
            tag_object: id(&subject.digest.git_tag, "gitTag")?,
            commit: id(&subject.digest.git_commit, "gitCommit")?,
            environment: statement.predicate.environment,
            actor: statement.predicate.actor,
            note: statement.predicate.note,
        })
    }
}

/// Why the record could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the repository failed.
    #[error(transparent)]
    History(#[from] crate::history::Error),
    /// A verification tool could not run.
    #[error(transparent)]
    Signature(#[from] crate::signature::Error),
    /// git failed (signing, fetching, pushing).
    #[error(transparent)]
    Git(#[from] crate::git::Error),
    /// The record is not a chain: an entry has more than one parent.
    #[error("{} is not a chain: entry {entry} has {parents} parents", REF)]
    NotAChain {
        /// The entry.
        entry: ObjectId,
        /// How many parents it has.
        parents: usize,
    },
    /// The release tag does not exist (as a tag object).
    #[error("`{tag}` is not an annotated release tag of this repository")]
    NoSuchRelease {
        /// The tag's name.
        tag: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_reads_back() {
        let event = Statement {
            event: Event::Approve,
            tag: "v1.2.0".into(),
            tag_object: ObjectId::from_hex(b"1111111111111111111111111111111111111111")
                .expect("hex"),
            commit: ObjectId::from_hex(b"2222222222222222222222222222222222222222").expect("hex"),
            environment: "production".into(),
            actor: "alice@example.com".into(),
            note: Some("looks good".into()),
        };
        let message = event.message();
        assert!(message.starts_with("approve v1.2.0 for production\n\n{"));
        assert_eq!(Statement::parse(message.as_bytes()), Ok(event));
        assert_eq!(
            Statement::parse(b"approve v1 for x\n\n{}"),
            Err("the statement is not valid: missing field `_type` at line 1 column 2".into())
        );
    }
}
