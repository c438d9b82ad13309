//! The commits a push brings: decoded (an object that cannot be is refused, naming it) and
//! linted where the policy asks for it.

use std::collections::HashMap;

use gix::ObjectId;

use super::{Push, Rule, Violation, violation};
use crate::config::Config;
use crate::history::{self, Repo};
use crate::lint;

/// A commit the push brings, decoded: what the lint needs of it.
pub(super) struct Decoded {
    merge: bool,
    message: String,
}

/// Decodes every commit the push brings (reachable from a pushed value, not from anything the
/// remote had) and every tag object it pushes. Those that cannot be decoded become
/// [`Rule::ObjectDecode`] violations on the refs that bring them; the others are returned.
pub(super) fn decode_new_objects(
    repo: &Repo,
    push: &Push,
    known: &[ObjectId],
    out: &mut Vec<Violation>,
) -> Result<HashMap<ObjectId, Decoded>, history::Error> {
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
    let mut decoded = HashMap::new();
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

pub(super) fn lint_new(
    repo: &Repo,
    config: &Config,
    name: &str,
    new: ObjectId,
    hidden: &[ObjectId],
    decoded: &HashMap<ObjectId, Decoded>,
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
