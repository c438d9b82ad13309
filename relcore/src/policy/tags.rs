//! Release tags in a push: immutable once published, signed by a trusted key, on a release
//! branch, and not below a release their commit already contains.

use gix::ObjectId;

use super::{Push, RefUpdate, Rule, Violation, violation};
use crate::config::Config;
use crate::history::{self, Repo};
use crate::signature;
use crate::version;

/// Every release tag's commit must be on a release branch, as the remote has it or as this push
/// leaves it. One walk per release branch answers for all tags at once.
pub(super) fn check_on_release_branch(
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

/// Checks one release tag update; returns its commit when it still needs the release-branch
/// check (done for all tags at once by [`check_on_release_branch`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn check_release_tag(
    repo: &Repo,
    config: &Config,
    verdicts: &[signature::Verdict],
    pushed: &[history::TagRef],
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
    // Not below a release its commit already contains: one the remote has, or one this same
    // push brings (pushed values replace what the remote had under the same name).
    let tags = repo.release_tags(&config.version.tag_prefix)?;
    let mut others: Vec<history::TagRef> = tags
        .into_iter()
        .filter(|t| !pushed.iter().any(|p| p.name == t.name))
        .chain(pushed.iter().cloned())
        .filter(|t| t.name != tag && version::is_stable(&t.version))
        .collect();
    others.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.name.cmp(&b.name)));
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
