//! The push policy: ref updates in, violations out. The same rules run in the client's
//! pre-push hook, in a server's pre-receive or update hook, and in CI (`rel check`); only where
//! "what the remote already has" comes from differs, and the caller says that in [`Push`].
//!
//! The policy on a tag as if it were pushed (`rel check --ref`):
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
//! #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
//! #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
//! # };
//! # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
//! use relcore::policy::{self, Push, Rule};
//! use relcore::signature::Anchors;
//! let repo = relcore::Repo::discover(dir.path())?;
//! let config = repo.load_config()?;
//! // The lightweight tag v0.2.0 as if pushed: release tags must be annotated.
//! git(&["tag", "v0.2.0"])?;
//! let push = Push::from_ref(&repo, "v0.2.0")?;
//! let violations = policy::evaluate(&repo, &config, &Anchors::from_files(None, None), &push)?;
//! assert!(violations.iter().any(|v| v.rule == Rule::TagAnnotated));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod commits;
mod push;
mod record;
mod tags;

use gix::ObjectId;
use serde::Serialize;

use crate::config::Config;
use crate::history::{self, Repo};
use crate::signature::{self, Anchors};
use crate::version;

use crate::config::LintScope;
pub use push::{Error, Receiving};

/// One ref update of a push: `old` is `None` for a new ref, `new` is `None` for a deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefUpdate {
    /// The full ref name on the remote, e.g. `refs/heads/main` or `refs/tags/v1.2.0`.
    pub name: String,
    /// Its value on the remote before the push.
    pub old: Option<ObjectId>,
    /// Its value after the push.
    pub new: Option<ObjectId>,
}

impl RefUpdate {
    /// An update from git's hook lines, where an all-zero id means "none".
    pub fn new(name: impl Into<String>, old: ObjectId, new: ObjectId) -> Self {
        let some = |id: ObjectId| (!id.is_null()).then_some(id);
        Self {
            name: name.into(),
            old: some(old),
            new: some(new),
        }
    }
}

/// A push: the updates, and the refs the remote had before it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Push {
    /// The updates.
    pub updates: Vec<RefUpdate>,
    /// `(full name, id)` of the refs on the remote before the push (branches and tags as far as
    /// they are known: on a server all of them; on a client the remote-tracking branches).
    pub remote_refs: Vec<(String, ObjectId)>,
}

/// A policy rule. Its id is shown to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// A protected branch was force-pushed (not a fast-forward).
    ProtectedForcePush,
    /// A protected branch was deleted.
    ProtectedDelete,
    /// A new branch's name matches none of `policy.branch_names`.
    BranchName,
    /// A release tag is lightweight.
    TagAnnotated,
    /// A release tag is not signed, or not by a trusted key.
    TagSigned,
    /// A release tag already on the remote was moved or deleted.
    TagImmutable,
    /// A release tag points at a commit no release branch contains.
    TagOnReleaseBranch,
    /// A release tag's version is below a release its commit already contains.
    TagVersion,
    /// A pushed commit breaks the commit rules.
    CommitLint,
    /// A pushed object cannot be decoded (a malformed commit or tag).
    ObjectDecode,
    /// A ref under `refs/rel/` other than the record, or the record deleted or rewritten.
    RecordRef,
    /// A new entry of the record cannot be read as one.
    RecordEntry,
    /// A new entry of the record is not signed by a trusted key.
    RecordSigned,
    /// A new entry says another actor than its signer.
    RecordActor,
    /// A new entry is dated before the one it follows, or in the future.
    RecordTime,
    /// A new entry names a release tag that does not exist, or another tag object (re-tagged).
    RecordRelease,
    /// A new entry is about an environment that takes no approvals.
    RecordEnvironment,
    /// The signer holds no role the decision needs.
    RecordRole,
    /// The release's own tagger decides on it.
    RecordFourEyes,
    /// A second decision by the same person on the same release and environment.
    RecordDuplicate,
    /// A revocation of nothing.
    RecordRevoke,
    /// A second attestation of a release, or one without artifacts.
    RecordAttest,
    /// A deployment's artifacts are not the attested ones.
    RecordArtifact,
    /// A promotion before the release was verified in the environment it comes after.
    RecordAfter,
    /// A promotion before the soak time has passed.
    RecordSoak,
    /// A promotion without the environment's approvals.
    RecordApprovals,
    /// A promotion without the readiness review the environment requires.
    RecordReady,
    /// A waiver of an item the checklist lacks or makes advisory, or without a reason.
    RecordWaive,
    /// A `verified` or `failed` entry that follows no deployment awaiting its result.
    RecordResult,
    /// A rollback without a reason, or to a release never verified there.
    RecordRollback,
    /// A publication of other artifacts than the attested ones, or of a published version
    /// again with another digest.
    RecordPublish,
    /// A deletion of what is not published, or of what the retention policy keeps.
    RecordPrune,
    /// An incident without a description or linked to no deployment of its release, or a
    /// resolution of no open incident.
    RecordIncident,
}

impl Rule {
    /// The push rule of a record rule.
    fn from_record(rule: crate::record::Rule) -> Self {
        use crate::record::Rule as R;
        match rule {
            R::Signed => Rule::RecordSigned,
            R::Actor => Rule::RecordActor,
            R::Time => Rule::RecordTime,
            R::Release => Rule::RecordRelease,
            R::Environment => Rule::RecordEnvironment,
            R::Role => Rule::RecordRole,
            R::FourEyes => Rule::RecordFourEyes,
            R::Duplicate => Rule::RecordDuplicate,
            R::Revoke => Rule::RecordRevoke,
            R::Entry => Rule::RecordEntry,
            R::Attest => Rule::RecordAttest,
            R::Artifact => Rule::RecordArtifact,
            R::After => Rule::RecordAfter,
            R::Soak => Rule::RecordSoak,
            R::Approvals => Rule::RecordApprovals,
            R::Ready => Rule::RecordReady,
            R::Waive => Rule::RecordWaive,
            R::Result => Rule::RecordResult,
            R::Rollback => Rule::RecordRollback,
            R::Publish => Rule::RecordPublish,
            R::Prune => Rule::RecordPrune,
            R::Incident => Rule::RecordIncident,
        }
    }
}

impl Rule {
    /// The rule's id, e.g. `tag-immutable`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::ProtectedForcePush => "protected-force-push",
            Rule::ProtectedDelete => "protected-delete",
            Rule::BranchName => "branch-name",
            Rule::TagAnnotated => "tag-annotated",
            Rule::TagSigned => "tag-signed",
            Rule::TagImmutable => "tag-immutable",
            Rule::TagOnReleaseBranch => "tag-on-release-branch",
            Rule::TagVersion => "tag-version",
            Rule::CommitLint => "commit-lint",
            Rule::ObjectDecode => "object-decode",
            Rule::RecordRef => "record-ref",
            Rule::RecordEntry => "record-entry",
            Rule::RecordSigned => "record-signed",
            Rule::RecordActor => "record-actor",
            Rule::RecordTime => "record-time",
            Rule::RecordRelease => "record-release",
            Rule::RecordEnvironment => "record-environment",
            Rule::RecordRole => "record-role",
            Rule::RecordFourEyes => "record-four-eyes",
            Rule::RecordDuplicate => "record-duplicate",
            Rule::RecordRevoke => "record-revoke",
            Rule::RecordAttest => "record-attest",
            Rule::RecordArtifact => "record-artifact",
            Rule::RecordAfter => "record-after",
            Rule::RecordSoak => "record-soak",
            Rule::RecordApprovals => "record-approvals",
            Rule::RecordReady => "record-ready",
            Rule::RecordWaive => "record-waive",
            Rule::RecordResult => "record-result",
            Rule::RecordRollback => "record-rollback",
            Rule::RecordPublish => "record-publish",
            Rule::RecordPrune => "record-prune",
            Rule::RecordIncident => "record-incident",
        }
    }
}

/// One violation: the ref, the rule, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// The ref it concerns.
    #[serde(rename = "ref")]
    pub refname: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

fn violation(rule: Rule, refname: &str, message: String, hint: impl Into<String>) -> Violation {
    Violation {
        rule,
        refname: refname.to_owned(),
        message,
        hint: hint.into(),
    }
}

/// Evaluates every rule on every update of `push`; all violations, not just the first.
///
/// Ancestry is the objects' own: replace refs and grafts are never honoured (a [`Repo`] is
/// opened without them), so nothing pushed under `refs/replace/` changes what is a
/// fast-forward or which commits are new.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// use relcore::policy::{self, Push, RefUpdate, Rule};
/// use relcore::signature::Anchors;
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = repo.load_config()?;
/// // Deleting main, a protected branch.
/// let head = repo.resolve("HEAD")?;
/// let mut push = Push::default();
/// push.updates.push(RefUpdate::new("refs/heads/main", head, repo.null_id()));
/// push.remote_refs.push(("refs/heads/main".to_owned(), head));
/// let violations = policy::evaluate(&repo, &config, &Anchors::from_files(None, None), &push)?;
/// assert_eq!(violations.len(), 1);
/// assert_eq!(violations[0].rule, Rule::ProtectedDelete);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// When the repository cannot be read or a verification tool cannot run.
pub fn evaluate(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    push: &Push,
) -> Result<Vec<Violation>, signature::Error> {
    let policy = &config.policy;
    let mut out = Vec::new();
    let known: Vec<ObjectId> = push.remote_refs.iter().map(|(_, id)| *id).collect();

    // What the lint already vouches for: the branches it covers, as the remote has them.
    let linted = |branch: &str| match policy.lint {
        LintScope::All => true,
        LintScope::Protected => policy.protected_branches.iter().any(|g| g.is_match(branch)),
        LintScope::Off => false,
    };
    let vouched: Vec<ObjectId> = push
        .remote_refs
        .iter()
        .filter(|(n, _)| n.strip_prefix("refs/heads/").is_some_and(linted))
        .map(|(_, id)| *id)
        .collect();

    // Every object the push brings must decode; the push that brings one that does not is
    // refused, naming it, and nothing else is judged on objects that cannot be read.
    // New to a linted branch: not in it before the push, and not in a branch the lint covers.
    // Other refs (feature branches, tags, other namespaces) vouch for nothing.
    let lint_hidden = |update: &RefUpdate| {
        let branch = update.name.strip_prefix("refs/heads/")?;
        linted(branch).then(|| {
            update
                .old
                .into_iter()
                .chain(vouched.iter().copied())
                .collect()
        })
    };
    let new = commits::decode_new_objects(repo, push, &known, &lint_hidden, &mut out)?;
    if !out.is_empty() {
        return Ok(out);
    }

    // Every release tag this push creates or moves, as it will be.
    let release_tag = |u: &RefUpdate| {
        let tag = u.name.strip_prefix("refs/tags/")?;
        Some(history::TagRef {
            name: tag.to_owned(),
            version: version::parse_tag(tag, &config.version.tag_prefix)?,
            target: u.new?,
        })
    };
    let pushed_tags: Vec<history::TagRef> = push.updates.iter().filter_map(release_tag).collect();

    // Verify the signatures of every new value of a release tag at once (in parallel: each
    // runs a tool), keys judged valid at the time of the push.
    let to_verify: Vec<history::TagRef> = push
        .updates
        .iter()
        .filter(|u| u.new != u.old && (policy.require_annotated_tags || policy.require_signed_tags))
        .filter_map(release_tag)
        .collect();
    let verdicts = signature::verify_many(repo, &to_verify, anchors, signature::At::Now)?;

    let mut pending = Vec::new();
    for (index, update) in push.updates.iter().enumerate() {
        let name = update.name.as_str();
        if let Some(branch) = name.strip_prefix("refs/heads/") {
            let protected = policy.protected_branches.iter().any(|g| g.is_match(branch));
            match (update.old, update.new) {
                (Some(_), None) if protected => out.push(violation(
                    Rule::ProtectedDelete,
                    name,
                    format!("`{branch}` is a protected branch and cannot be deleted"),
                    "protected branches are listed in policy.protected_branches",
                )),
                (Some(old), Some(new)) if protected && !fast_forward(repo, old, new)? => out.push(violation(
                    Rule::ProtectedForcePush,
                    name,
                    format!("`{branch}` is a protected branch: this push rewrites its history (not a fast-forward from {})", old.to_hex_with_len(7)),
                    format!("fetch and merge or rebase onto the remote `{branch}`, then push without --force"),
                )),
                (None, Some(_)) if !policy.branch_names.is_empty() && !policy.branch_names.iter().any(|p| p.is_match(branch)) => {
                    let allowed: Vec<&str> = policy.branch_names.iter().map(|p| p.as_str()).collect();
                    out.push(violation(
                        Rule::BranchName,
                        name,
                        format!("the new branch name `{branch}` matches none of policy.branch_names"),
                        format!("name it to match one of: {}", allowed.join(", ")),
                    ));
                }
                _ => {}
            }
            if let Some((_, ids)) = new.to_lint.iter().find(|(i, _)| *i == index) {
                commits::lint_new(config, name, ids, &new, &mut out);
            }
        } else if name.starts_with("refs/rel/") {
            record::check(repo, config, anchors, update, &mut out)?;
        } else if let Some(tag) = name.strip_prefix("refs/tags/")
            && let Some(tag_version) = version::parse_tag(tag, &config.version.tag_prefix)
            && let Some(commit) = tags::check_release_tag(
                repo,
                config,
                &verdicts,
                &pushed_tags,
                update,
                tag,
                &tag_version,
                &mut out,
            )?
        {
            pending.push((name, tag, commit));
        }
    }
    tags::check_on_release_branch(repo, config, push, &pending, &mut out)?;
    Ok(out)
}

fn fast_forward(repo: &Repo, old: ObjectId, new: ObjectId) -> Result<bool, history::Error> {
    // A remote id the repository does not have cannot be an ancestor we know of.
    if !repo.gix().has_object(old) {
        return Ok(false);
    }
    repo.is_ancestor(old, new)
}
