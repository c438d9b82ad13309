//! The release record: `refs/rel/record`, a chain of signed commits, one per event (an approval,
//! a rejection, a revocation, an attestation, a deployment and its result), each the child of
//! the one before.
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
//!
//! Deployments are entries too: `attest` binds a release to its artifacts' sha256 digests,
//! `promote`/`rollback` and `verified`/`failed` record what ran where ([`promote()`],
//! [`rollback()`], [`attest()`]). A downloaded file is checked against the attested set by its
//! digest:
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! # std::process::Command::new("git").args(["init", "-q"]).arg(dir.path()).status()?;
//! let file = dir.path().join("app.tar.gz");
//! std::fs::write(&file, b"hello")?;
//! let artifact = relcore::record::artifact(&file)?;
//! assert_eq!(
//!     artifact.sha256,
//!     "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
//! );
//! // A repository without a record: nothing attested, nothing deployed.
//! let repo = relcore::Repo::discover(dir.path())?;
//! let state = relcore::record::state_at(&repo, repo.resolve(relcore::record::REF).ok())?;
//! assert!(state.running("production").is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod deploy;
mod gate;
mod incident;
mod kept;
mod promote;
mod published;
mod read;
mod ready;
mod release;
mod report;
mod rule;
mod seen;
mod state;
mod statement;
mod tagged;
pub(crate) mod write;

use gix::ObjectId;

pub use deploy::{Attested, Deployment, Result as DeploymentResult};
pub use gate::Gate;
pub use incident::{Incident, Resolution, open_incident, resolve_incident};
pub use kept::state_at;
pub use promote::{
    DEFAULT_TIMEOUT, Deployed, Progress, Target, artifact, artifacts, attest, promote, rollback,
};
pub use published::{Keep, Pruned, Publication, registry_tag};
pub use read::{Entry, read, read_since};
pub use ready::{Announced, BUILTIN_AUDIENCES, Review, Waiver};
pub use release::{attested_artifacts, release_of};
pub(crate) use release::{blob_at, release_facts};
pub use report::{Overview, Status, Step, audit, open_gates, overview, overview_of, status};
pub(crate) use seen::{remember, remembered};
pub(crate) use state::Candidate;
pub use state::{Decision, Rule, State, Violation, replay};
pub use statement::{
    Announcement, Artifact, Event, ItemResult, ItemStatus, Location, Outcome, Readiness, Statement,
    find_artifact,
};
pub(crate) use statement::{listing, same_artifacts, short};
pub(crate) use tagged::{parse_tag_attestation, tag_attestation};
pub use write::{Appended, Draft, Scope, append, fetch};

/// The ref that holds the record.
pub const REF: &str = "refs/rel/record";
/// The in-toto statement type of every entry.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate type of a gate decision (`approve`, `reject`, `revoke`).
pub const PREDICATE_TYPE: &str = "https://rel.dev/record/decision/v1";
/// The predicate type of an artifact attestation (`attest`).
pub const ATTEST_TYPE: &str = "https://rel.dev/record/attest/v1";
/// The predicate type of a deployment event (`promote`, `verified`, `failed`, `rollback`).
pub const DEPLOY_TYPE: &str = "https://rel.dev/record/deploy/v1";
/// The predicate type of a registry event (`publish`, `prune`).
pub const REGISTRY_TYPE: &str = "https://rel.dev/record/registry/v1";
/// The predicate type of a readiness review or a waiver (`ready`, `waive`).
pub const READY_TYPE: &str = "https://rel.dev/record/ready/v1";
/// The predicate type of an announcement (`announce`).
pub const ANNOUNCE_TYPE: &str = "https://rel.dev/record/announce/v1";
/// The predicate type of an incident and its resolution (`incident`, `resolve`).
pub const INCIDENT_TYPE: &str = "https://rel.dev/record/incident/v1";
/// How far entry times may disagree (seconds): with the entry before, and with the server's
/// clock for an entry dated in the future.
pub const SKEW: i64 = 300;

fn incident_lookup(id: &str, matches: &[String], open: &[String]) -> String {
    let list = |ids: &[String]| {
        ids.iter()
            .map(|i| short(i).to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if matches.len() > 1 {
        return format!(
            "incident id `{id}` is ambiguous: it starts {} (give more of it)",
            list(matches)
        );
    }
    format!(
        "no incident has id `{id}` (open incidents: {})",
        if open.is_empty() {
            "none".to_owned()
        } else {
            list(open)
        }
    )
}

/// The clock, in seconds since the epoch (the server's "now" for entry times, and what a
/// window that ends now ends at).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
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
    /// A file (an artifact) could not be read.
    #[error(transparent)]
    File(#[from] crate::paths::Error),
    /// A deploy or smoke command could not be started.
    #[error("cannot run `{command}`")]
    Command {
        /// The command.
        command: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A deployment to an environment rel.toml does not configure.
    #[error("environment `{environment}` is not configured (environments in rel.toml: {})", if .configured.is_empty() { "none".to_owned() } else { .configured.join(", ") })]
    NoSuchEnvironment {
        /// The environment named.
        environment: String,
        /// The environments rel.toml configures.
        configured: Vec<String>,
    },
    /// A rollback with no release verified in the environment to go back to.
    #[error(
        "no release other than the one running in {environment} was verified there: nothing to roll back to"
    )]
    NothingToRollBackTo {
        /// The environment.
        environment: String,
    },
    /// The result of a deployment that ran could not be recorded.
    #[error("the deployment ran, but its result was refused [{}]: {}", .0.rule.id(), .0.message)]
    ResultRefused(Violation),
    /// An incident about an environment where nothing (or not the release named) was promoted.
    #[error("{}: an incident links to the deployment it came from", match .tag { Some(tag) => format!("{tag} was never promoted to {environment}"), None => format!("nothing was ever promoted to {environment}") })]
    NotDeployed {
        /// The environment.
        environment: String,
        /// The release named, if one was.
        tag: Option<String>,
    },
    /// A resolution of an incident id that names no incident, or several.
    #[error("{}", incident_lookup(.id, .matches, .open))]
    NoSuchIncident {
        /// The id given.
        id: String,
        /// The incidents whose id starts with it (more than one: ambiguous).
        matches: Vec<String>,
        /// The open incidents.
        open: Vec<String>,
    },
    /// The release tag does not exist (as a tag object).
    #[error("`{tag}` is not an annotated release tag of this repository")]
    NoSuchRelease {
        /// The tag's name.
        tag: String,
    },
}
