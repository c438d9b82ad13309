//! The push policy: ref updates in, violations out. The same rules run in the client's
//! pre-push hook, in a server's pre-receive or update hook, and in CI (`rel check`); only where
//! "what the remote already has" comes from differs, and the caller says that in [`Push`].

use gix::ObjectId;
use serde::Serialize;

use crate::config::{Config, LintScope};
use crate::history::{self, Repo};
use crate::lint;
use crate::signature::{self, Anchors};
use crate::version;

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
/// Ancestry is the objects' own: replace refs and grafts are never honoured (see
/// [`Repo::from_gix`]), so nothing pushed under `refs/replace/` changes what is a fast-forward
/// or which commits are new.
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

    // Every object the push brings must decode; the push that brings one that does not is
    // refused, naming it, and nothing else is judged on objects that cannot be read.
    let decoded = decode_new_objects(repo, push, &known, &mut out)?;
    if !out.is_empty() {
        return Ok(out);
    }

    // Verify the signatures of every new value of a release tag at once (in parallel: each
    // runs a tool), keys judged valid at the time of the push.
    let to_verify: Vec<history::TagRef> = push
        .updates
        .iter()
        .filter(|u| u.new != u.old && (policy.require_annotated_tags || policy.require_signed_tags))
        .filter_map(|u| {
            let tag = u.name.strip_prefix("refs/tags/")?;
            Some(history::TagRef {
                name: tag.to_owned(),
                version: version::parse_tag(tag, &config.version.tag_prefix)?,
                target: u.new?,
            })
        })
        .collect();
    let verdicts = signature::verify_many(repo, &to_verify, anchors, signature::At::Now)?;

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

    let mut pending = Vec::new();
    for update in &push.updates {
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
            if let (true, Some(new)) = (linted(branch), update.new) {
                // New to this branch: not in it before the push, and not in a branch the lint
                // covers. Other refs (feature branches, tags, other namespaces) vouch for nothing.
                let hidden: Vec<ObjectId> = update
                    .old
                    .into_iter()
                    .chain(vouched.iter().copied())
                    .collect();
                lint_new_commits(repo, config, name, new, &hidden, &decoded, &mut out)?;
            }
        } else if let Some(tag) = name.strip_prefix("refs/tags/")
            && let Some(tag_version) = version::parse_tag(tag, &config.version.tag_prefix)
            && let Some(commit) =
                check_release_tag(repo, config, &verdicts, update, tag, &tag_version, &mut out)?
        {
            pending.push((name, tag, commit));
        }
    }
    check_on_release_branch(repo, config, push, &pending, &mut out)?;
    Ok(out)
}

/// A commit the push brings, decoded: what the lint needs of it.
struct Decoded {
    merge: bool,
    message: String,
}

/// Decodes every commit the push brings (reachable from a pushed value, not from anything the
/// remote had) and every tag object it pushes. Those that cannot be decoded become
/// [`Rule::ObjectDecode`] violations on the refs that bring them; the others are returned.
fn decode_new_objects(
    repo: &Repo,
    push: &Push,
    known: &[ObjectId],
    out: &mut Vec<Violation>,
) -> Result<std::collections::HashMap<ObjectId, Decoded>, history::Error> {
    let mut tips = Vec::new();
    let mut bad: Vec<(ObjectId, String)> = Vec::new();
    for update in &push.updates {
        let Some(new) = update.new else { continue };
        if update.old == Some(new) {
            continue;
        }
        match repo.peel_to_commit(new) {
            Ok(Some(commit)) => tips.push((update.name.as_str(), commit)),
            Ok(None) => {}
            Err(history::ObjectProblem { id, reason }) => {
                out.push(decode_violation(&update.name, id, &reason));
            }
        }
    }
    let hidden: Vec<ObjectId> = known
        .iter()
        .copied()
        .chain(push.updates.iter().filter_map(|u| u.old))
        .collect();
    let all: Vec<ObjectId> = tips.iter().map(|(_, c)| *c).collect();
    let mut decoded = std::collections::HashMap::new();
    for id in repo.rev_list(&all, &hidden)? {
        match repo.decode_commit(id) {
            Ok(commit) => {
                decoded.insert(
                    id,
                    Decoded {
                        merge: commit.parents > 1,
                        message: commit.message,
                    },
                );
            }
            Err(reason) => bad.push((id, reason)),
        }
    }
    // Rare: say which refs bring each object that cannot be decoded.
    for (name, tip) in &tips {
        if bad.is_empty() {
            break;
        }
        let brought = repo.rev_list(&[*tip], &hidden)?;
        for (id, reason) in &bad {
            if brought.contains(id) {
                out.push(decode_violation(name, *id, reason));
            }
        }
    }
    Ok(decoded)
}

fn decode_violation(refname: &str, id: ObjectId, reason: &str) -> Violation {
    violation(
        Rule::ObjectDecode,
        refname,
        format!(
            "object {} cannot be decoded ({reason}), so the server cannot check it",
            id.to_hex_with_len(7)
        ),
        "recreate it with git (e.g. git commit --amend --reset-author for a commit); `git fsck` names what is wrong",
    )
}

/// Every release tag's commit must be on a release branch, as the remote has it or as this push
/// leaves it. One walk per release branch answers for all tags at once.
fn check_on_release_branch(
    repo: &Repo,
    config: &Config,
    push: &Push,
    pending: &[(&str, &str, ObjectId)],
    out: &mut Vec<Violation>,
) -> Result<(), history::Error> {
    if pending.is_empty() {
        return Ok(());
    }
    let policy = &config.policy;
    let branches = push
        .remote_refs
        .iter()
        .filter(|(n, _)| !push.updates.iter().any(|u| &u.name == n))
        .map(|(n, id)| (n.as_str(), Some(*id)))
        .chain(push.updates.iter().map(|u| (u.name.as_str(), u.new)));
    let commits: Vec<ObjectId> = pending.iter().map(|(_, _, c)| *c).collect();
    let mut contained = vec![false; pending.len()];
    for (n, id) in branches {
        let (Some(branch), Some(id)) = (n.strip_prefix("refs/heads/"), id) else {
            continue;
        };
        if !policy.release_branches.iter().any(|g| g.is_match(branch)) || !repo.gix().has_object(id)
        {
            continue;
        }
        for (i, yes) in repo.contains_all(id, &commits)?.into_iter().enumerate() {
            contained[i] |= yes;
        }
        if contained.iter().all(|c| *c) {
            break;
        }
    }
    let globs: Vec<&str> = policy.release_branches.iter().map(|g| g.as_str()).collect();
    for ((name, tag, commit), ok) in pending.iter().zip(contained) {
        if !ok {
            out.push(violation(
                Rule::TagOnReleaseBranch,
                name,
                format!(
                    "release tag {tag} points at {}, which no release branch contains",
                    commit.to_hex_with_len(7)
                ),
                format!(
                    "merge it into a release branch ({}) and push that branch too",
                    globs.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn fast_forward(repo: &Repo, old: ObjectId, new: ObjectId) -> Result<bool, history::Error> {
    // A remote id the repository does not have cannot be an ancestor we know of.
    if !repo.gix().has_object(old) {
        return Ok(false);
    }
    repo.is_ancestor(old, new)
}

fn lint_new_commits(
    repo: &Repo,
    config: &Config,
    name: &str,
    new: ObjectId,
    hidden: &[ObjectId],
    decoded: &std::collections::HashMap<ObjectId, Decoded>,
    out: &mut Vec<Violation>,
) -> Result<(), history::Error> {
    for id in repo.rev_list(&[new], hidden)? {
        let fresh;
        let commit = match decoded.get(&id) {
            Some(commit) => commit,
            None => match repo.decode_commit(id) {
                Ok(c) => {
                    fresh = Decoded {
                        merge: c.parents > 1,
                        message: c.message,
                    };
                    &fresh
                }
                Err(reason) => {
                    out.push(decode_violation(name, id, &reason));
                    continue;
                }
            },
        };
        if commit.merge {
            continue;
        }
        let report = lint::lint(&commit.message, &config.commits);
        if let Some(first) = report.diagnostics.first() {
            let rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.id()).collect();
            out.push(violation(
                Rule::CommitLint,
                name,
                format!(
                    "commit {} `{}` breaks the commit rules ({}): {}",
                    id.to_hex_with_len(7),
                    crate::commit::header(&commit.message),
                    rules.join(", "),
                    first.message
                ),
                "reword it (git rebase -i, then `reword`) as `type(scope): description`; `rel lint --range` shows every problem",
            ));
        }
    }
    Ok(())
}

/// Checks one release tag update; returns its commit when it still needs the release-branch
/// check (done for all tags at once by [`check_on_release_branch`]).
fn check_release_tag(
    repo: &Repo,
    config: &Config,
    verdicts: &[signature::Verdict],
    update: &RefUpdate,
    tag: &str,
    tag_version: &semver::Version,
    out: &mut Vec<Violation>,
) -> Result<Option<ObjectId>, signature::Error> {
    let name = update.name.as_str();
    let policy = &config.policy;
    let Some(new) = update.new else {
        if policy.immutable_tags {
            out.push(violation(
                Rule::TagImmutable,
                name,
                format!("release tag {tag} is published and cannot be deleted"),
                "release tags are immutable (policy.immutable_tags); release a new version instead",
            ));
        }
        return Ok(None);
    };
    if let Some(old) = update.old
        && old != new
        && policy.immutable_tags
    {
        out.push(violation(
            Rule::TagImmutable,
            name,
            format!(
                "release tag {tag} is published ({}) and cannot be moved",
                old.to_hex_with_len(7)
            ),
            "release tags are immutable (policy.immutable_tags); release a new version instead",
        ));
        return Ok(None);
    }
    if update.old == Some(new) {
        return Ok(None);
    }
    let tag_ref = history::TagRef {
        name: tag.to_owned(),
        version: tag_version.clone(),
        target: new,
    };
    if let Some(verdict) = verdicts.iter().find(|v| v.tag == tag) {
        match verdict.failed {
            Some(signature::Check::Annotated) => out.push(violation(
                Rule::TagAnnotated,
                name,
                format!("release tag {tag} is a lightweight tag"),
                format!("make it annotated and signed: git tag -d {tag} && git tag -s {tag} (or use rel release)"),
            )),
            Some(check) if policy.require_signed_tags || check == signature::Check::Name => out.push(violation(
                Rule::TagSigned,
                name,
                format!("release tag {tag}: {}", verdict.reason.as_deref().unwrap_or_default()),
                "sign it with a key in the trust anchors (policy.allowed_signers, policy.openpgp_keys): git tag -s",
            )),
            _ => {}
        }
    }
    // The commit it marks: a release tag must mark a commit.
    let release = match repo.peel(&tag_ref)? {
        Ok(release) => release,
        Err(history::Warning::TagNotOnCommit { kind, .. }) => {
            out.push(violation(
                Rule::TagOnReleaseBranch,
                name,
                format!("release tag {tag} points at a {kind}, not a commit"),
                "tag the release commit: git tag -s <tag> <commit>",
            ));
            return Ok(None);
        }
    };
    // Not below a release its commit already contains.
    let tags = repo.release_tags(&config.version.tag_prefix)?;
    let others: Vec<history::TagRef> = tags
        .into_iter()
        .filter(|t| t.name != tag && version::is_stable(&t.version))
        .collect();
    let base = repo.latest_release(&others, release.commit, false)?;
    if let Some(base) = base.tag
        && base.version > *tag_version
    {
        out.push(violation(
            Rule::TagVersion,
            name,
            format!(
                "release tag {tag} is lower than {}, which its commit already contains",
                base.name
            ),
            format!("release a version above {}", base.version),
        ));
    }
    Ok(Some(release.commit))
}
