//! The commits a push brings: decoded (an object that cannot be is refused, naming it) and
//! linted where the policy asks for it.

use std::collections::HashMap;

use gix::ObjectId;

use super::{Push, RefUpdate, Rule, Violation, violation};
use crate::config::Config;
use crate::history::{self, Repo};
use crate::lint;

/// A commit the push brings, decoded: what the lint needs of it.
pub(super) struct Decoded {
    merge: bool,
    message: String,
}

/// The commits a push brings, decoded, and for each linted branch update the commits new to it.
pub(super) struct NewCommits {
    decoded: HashMap<ObjectId, Decoded>,
    /// `(index of the update, its new commits, newest first)`.
    pub(super) to_lint: Vec<(usize, Vec<ObjectId>)>,
}

/// Decodes every commit the push brings and every tag object it pushes; those that cannot be
/// decoded become [`Rule::ObjectDecode`] violations on the refs that bring them.
///
/// One `git rev-list` per linted branch update (the commits new to that branch: hidden behind
/// `lint_hidden(update)`, a superset of what the server lacks) and one for all other updates
/// (hidden behind everything the remote had): each commit is listed and decoded once.
pub(super) fn decode_new_objects(
    repo: &Repo,
    push: &Push,
    known: &[ObjectId],
    lint_hidden: &dyn Fn(&RefUpdate) -> Option<Vec<ObjectId>>,
    out: &mut Vec<Violation>,
) -> Result<NewCommits, history::Error> {
    let mut new = NewCommits {
        decoded: HashMap::new(),
        to_lint: Vec::new(),
    };
    let decode = |id: ObjectId, new: &mut NewCommits| -> Option<String> {
        if new.decoded.contains_key(&id) {
            return None;
        }
        match repo.decode_commit(id) {
            Ok(commit) => {
                new.decoded.insert(
                    id,
                    Decoded {
                        merge: commit.parents > 1,
                        message: commit.message,
                    },
                );
                None
            }
            Err(reason) => Some(reason),
        }
    };
    let mut others = Vec::new();
    for (i, update) in push.updates.iter().enumerate() {
        let Some(tip) = update.new else { continue };
        // The record's check reads and decodes each of its new entries itself (and refuses
        // every other ref under refs/rel/); walking it against every known ref costs git more
        // than the entries do.
        if update.old == Some(tip) || update.name.starts_with("refs/rel/") {
            continue;
        }
        if let Some(hidden) = lint_hidden(update) {
            let ids = repo.rev_list(&[tip], &hidden)?;
            for id in &ids {
                if let Some(reason) = decode(*id, &mut new) {
                    out.push(decode_violation(&update.name, *id, &reason));
                }
            }
            new.to_lint.push((i, ids));
            continue;
        }
        match repo.peel_to_commit(tip) {
            Ok(Some(commit)) => others.push((update.name.as_str(), commit)),
            Ok(None) => {}
            Err(history::ObjectProblem { id, reason }) => {
                out.push(decode_violation(&update.name, id, &reason));
            }
        }
    }
    if others.is_empty() {
        return Ok(new);
    }
    // Hidden: what the remote had, and the linted branches' new tips (listed and decoded above).
    let linted_tips = new.to_lint.iter().filter_map(|(i, _)| push.updates[*i].new);
    let hidden: Vec<ObjectId> = known
        .iter()
        .copied()
        .chain(push.updates.iter().filter_map(|u| u.old))
        .chain(linted_tips)
        .collect();
    let tips: Vec<ObjectId> = others.iter().map(|(_, c)| *c).collect();
    let mut bad: Vec<(ObjectId, String)> = Vec::new();
    for id in repo.rev_list(&tips, &hidden)? {
        if let Some(reason) = decode(id, &mut new) {
            bad.push((id, reason));
        }
    }
    // Rare: say which refs bring each object that cannot be decoded.
    for (name, tip) in &others {
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
    Ok(new)
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

/// Lints the commits `ids` (new to the branch `name`), all decoded by [`decode_new_objects`].
pub(super) fn lint_new(
    config: &Config,
    name: &str,
    ids: &[ObjectId],
    new: &NewCommits,
    out: &mut Vec<Violation>,
) {
    for id in ids {
        let Some(commit) = new.decoded.get(id) else {
            continue; // Reported as undecodable.
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
}
