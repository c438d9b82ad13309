//! The readiness review (`rel ready`): the `[readiness]` checklist run against a tagged
//! release, its go/no-go recorded in the release record as a `ready` entry with the evidence's
//! digests; and waivers (`rel ready --waive`), signed decisions of a `[readiness] waivers` role
//! that let a failed required item pass.
//!
//! Each kind of item looks at the release, never at the user's work in progress:
//! - `command`: run with `sh -c` in a clean checkout of the tagged commit (a temporary
//!   `git worktree`, removed after), with `REL_TAG`, `REL_VERSION`, `REL_COMMIT`, `REL_ITEM`;
//!   passes on exit 0. Its output is kept (its sha256 is the evidence) and its last lines are
//!   shown when it fails.
//! - `file`: the path exists as a file in the tagged tree (its blob id is the evidence).
//! - `defects`: no defect of that severity or worse is open at the release's version, in the
//!   work tree's `[notes] defects` file: the latest knowledge, found after tagging included
//!   (its sha256 is the evidence).
//! - `approval`: the environment's gate is satisfied for the release in the record.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gix::ObjectId;

use crate::config::{ItemKind, ReadinessItem};
use crate::history::Repo;
use crate::record::{
    self, Appended, Draft, Event, ItemResult, ItemStatus, Readiness, Scope, State, write::Session,
};

/// Why a review could not be run or recorded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The record, the release or git failed.
    #[error(transparent)]
    Record(#[from] record::Error),
    /// The defects file could not be read.
    #[error(transparent)]
    Defects(#[from] crate::defects::Error),
    /// rel.toml has no checklist.
    #[error("rel.toml has no [readiness] items: there is nothing to review")]
    NoItems,
    /// The clean checkout of the tag could not be made.
    #[error("cannot check out {tag} for the readiness commands: {reason}")]
    Checkout {
        /// The release.
        tag: String,
        /// What went wrong.
        reason: String,
    },
    /// A command item could not be started.
    #[error("cannot run `{command}` (readiness item `{item}`)")]
    Command {
        /// The item.
        item: String,
        /// The command.
        command: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// What a review reports as it goes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Progress {
    /// A command item starts.
    Running {
        /// The item.
        item: String,
        /// The command.
        command: String,
    },
    /// An item is decided.
    Checked {
        /// Its result.
        result: ItemResult,
        /// The last lines of a failed command's output.
        output: Option<String>,
    },
}

/// What [`review`] did: the checklist's results, and whether its `ready` entry was recorded
/// ([`Appended::Pushed`]) or not, and why.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reviewed {
    /// The results.
    pub readiness: Readiness,
    /// What became of the entry.
    pub appended: Appended,
}

/// Runs the `[readiness]` checklist against release `at.tag` and records the outcome (a
/// `ready` entry, go or no-go) on `at.remote`'s record.
///
/// # Errors
/// [`Error::NoItems`] without a checklist; when the checkout, a command, the defects file, git
/// or the record fail.
pub fn review(at: Scope<'_>, progress: &mut dyn FnMut(Progress)) -> Result<Reviewed, Error> {
    if at.config.readiness.items.is_empty() {
        return Err(Error::NoItems);
    }
    let mut session = Session::default();
    let state = session.fetch(at.repo, at.remote)?.clone();
    let readiness = evaluate(at, &state, progress)?;
    let mut draft = Draft::new(Event::Ready, at.tag, "");
    draft.readiness = Some(readiness.clone());
    let appended = session.append(at.repo, at.config, at.anchors, at.remote, &draft)?;
    Ok(Reviewed {
        readiness,
        appended,
    })
}

/// Records a waiver of checklist item `item` of release `at.tag`, for `reason`.
///
/// # Errors
/// When git or the record fail.
pub fn waive(at: Scope<'_>, item: &str, reason: &str) -> Result<Appended, record::Error> {
    let mut draft = Draft::new(Event::Waive, at.tag, "");
    draft.item = Some(item.to_owned());
    draft.note = Some(reason.to_owned());
    record::append(at.repo, at.config, at.anchors, at.remote, &draft)
}

/// The checklist's results for release `at.tag` in record `state`, without recording them.
///
/// # Errors
/// As [`review`].
pub fn evaluate(
    at: Scope<'_>,
    state: &State,
    progress: &mut dyn FnMut(Progress),
) -> Result<Readiness, Error> {
    let (tag_object, commit) = record::release_of(at.repo, at.tag)?;
    let mut checkout: Option<Checkout> = None;
    let mut items = Vec::new();
    for item in &at.config.readiness.items {
        let (mut result, output) = match &item.kind {
            ItemKind::Command(command) => {
                let dir = match &checkout {
                    Some(c) => c.dir.clone(),
                    None => checkout
                        .insert(Checkout::new(at.repo, at.tag, commit)?)
                        .dir
                        .clone(),
                };
                progress(Progress::Running {
                    item: item.name.clone(),
                    command: command.clone(),
                });
                run(at, item, command, &dir, commit)?
            }
            ItemKind::File(path) => (file(at, item, path, tag_object), None),
            ItemKind::Defects(threshold) => (defects(at, item, *threshold)?, None),
            ItemKind::Approval(environment) => {
                (approval(at, state, item, environment, tag_object), None)
            }
        };
        if result.status == ItemStatus::Failed
            && item.required
            && let Some(w) = state.waiver(at.config, at.tag, tag_object, &item.name)
        {
            result.status = ItemStatus::Waived;
            result.waiver = Some(w.entry.clone());
            result.evidence = format!("{}; waived by {}: {}", result.evidence, w.actor, w.reason);
        }
        progress(Progress::Checked {
            result: result.clone(),
            output: output.filter(|_| result.status != ItemStatus::Passed),
        });
        items.push(result);
    }
    let go = items
        .iter()
        .all(|i| !i.required || i.status != ItemStatus::Failed);
    Ok(Readiness { go, items })
}

fn result(item: &ReadinessItem, passed: bool, evidence: String) -> ItemResult {
    let status = if passed {
        ItemStatus::Passed
    } else {
        ItemStatus::Failed
    };
    ItemResult::new(
        &item.name,
        item.kind.clone(),
        item.required,
        status,
        evidence,
    )
}

/// How many lines of a failed command's output are shown.
const TAIL: usize = 20;

fn run(
    at: Scope<'_>,
    item: &ReadinessItem,
    command: &str,
    dir: &Path,
    commit: ObjectId,
) -> Result<(ItemResult, Option<String>), Error> {
    let failed = |source| Error::Command {
        item: item.name.clone(),
        command: command.to_owned(),
        source,
    };
    let version = crate::version::parse_tag(at.tag, &at.config.version.tag_prefix)
        .map(|v| v.to_string())
        .unwrap_or_default();
    let vars = [
        ("REL_TAG", at.tag.to_owned()),
        ("REL_VERSION", version),
        ("REL_COMMIT", commit.to_string()),
        ("REL_ITEM", item.name.clone()),
    ];
    let timeout = at
        .config
        .readiness
        .timeout
        .map_or(record::DEFAULT_TIMEOUT, |d| {
            Duration::from_secs(d.seconds())
        });
    let mut log = tempfile::tempfile().map_err(failed)?;
    let started = Instant::now();
    let (code, timed_out) = crate::process::run_shell_with(
        command,
        dir,
        &vars,
        timeout,
        &crate::process::Shell {
            input: None,
            output: Some(&log),
            unset: &["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX"],
        },
    )
    .map_err(failed)?;
    let seconds = started.elapsed().as_secs_f64();
    let mut output = Vec::new();
    log.rewind().map_err(failed)?;
    log.read_to_end(&mut output).map_err(failed)?;
    let evidence = match (code, timed_out) {
        (_, true) => format!("timed out after {seconds:.1} s"),
        (Some(code), _) => format!("exit {code} in {seconds:.1} s"),
        (None, _) => format!("killed after {seconds:.1} s"),
    };
    let mut result = result(item, code == Some(0) && !timed_out, evidence);
    result
        .digest
        .insert("sha256".into(), crate::digest::sha256_hex(&output));
    let text = String::from_utf8_lossy(&output);
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(TAIL)..].join("\n");
    Ok((result, (!tail.is_empty()).then_some(tail)))
}

fn file(at: Scope<'_>, item: &ReadinessItem, path: &Path, tag_object: ObjectId) -> ItemResult {
    match record::blob_at(at.repo, tag_object, path) {
        Some(blob) => {
            let mut r = result(
                item,
                true,
                format!("{} (blob {})", path.display(), blob.to_hex_with_len(7)),
            );
            r.digest.insert("gitBlob".into(), blob.to_string());
            r
        }
        None => result(
            item,
            false,
            format!("{} is not in {}'s tree", path.display(), at.tag),
        ),
    }
}

fn defects(
    at: Scope<'_>,
    item: &ReadinessItem,
    threshold: crate::defects::Severity,
) -> Result<ItemResult, Error> {
    let root = at.repo.root();
    let Some(defects) = crate::defects::Defects::load(&root, &at.config.notes.defects)? else {
        // rel.toml's own check makes a defects item need the file; a missing one is an error.
        return Ok(result(item, false, "no defects file is configured".into()));
    };
    let version = crate::version::parse_tag(at.tag, &at.config.version.tag_prefix);
    let Some(version) = version else {
        return Ok(result(
            item,
            false,
            format!("{} is not a version tag", at.tag),
        ));
    };
    let worst = defects.worst(&version, threshold);
    let evidence = if worst.is_empty() {
        format!(
            "no {} or worse defect open at {version} ({})",
            threshold.as_str(),
            defects.path.display()
        )
    } else {
        format!(
            "open at {version}: {}",
            worst
                .iter()
                .map(|d| format!("{} ({})", d.id, d.severity.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut r = result(item, worst.is_empty(), evidence);
    r.digest.insert("sha256".into(), defects.sha256.clone());
    Ok(r)
}

fn approval(
    at: Scope<'_>,
    state: &State,
    item: &ReadinessItem,
    environment: &str,
    tag_object: ObjectId,
) -> ItemResult {
    let Some(gate) = state.gate(at.config, at.tag, tag_object, environment) else {
        return result(item, false, format!("{environment} takes no approvals"));
    };
    if gate.satisfied {
        let who: Vec<String> = gate
            .approvals
            .iter()
            .map(|(item, actor)| format!("{actor} ({item})"))
            .collect();
        return result(
            item,
            true,
            format!("approved for {environment} by {}", who.join(", ")),
        );
    }
    let mut needs = Vec::new();
    if !gate.missing.is_empty() {
        needs.push(format!("still needs {}", gate.missing.join(", ")));
    }
    if !gate.rejected_by.is_empty() {
        needs.push(format!("rejected by {}", gate.rejected_by.join(", ")));
    }
    result(
        item,
        false,
        format!("not approved for {environment}: {}", needs.join("; ")),
    )
}

/// A clean checkout of the tagged commit: a detached `git worktree` in a temporary
/// directory, removed (with git's record of it) when dropped.
struct Checkout {
    repo: Repo,
    dir: PathBuf,
    _temp: tempfile::TempDir,
}

impl Checkout {
    fn new(repo: &Repo, tag: &str, commit: ObjectId) -> Result<Self, Error> {
        let checkout_err = |reason: String| Error::Checkout {
            tag: tag.to_owned(),
            reason,
        };
        let temp = tempfile::Builder::new()
            .prefix("rel-ready-")
            .tempdir()
            .map_err(|e| checkout_err(e.to_string()))?;
        let dir = temp.path().join(tag.replace('/', "-"));
        let path = dir.to_string_lossy().into_owned();
        // No hooks: a post-checkout hook is the user's, not part of the review.
        repo.git_cli()
            .run(
                &[
                    "-c",
                    "core.hooksPath=/dev/null",
                    "worktree",
                    "add",
                    "--quiet",
                    "--detach",
                    &path,
                    &commit.to_string(),
                ],
                None,
            )
            .map_err(|e| checkout_err(e.to_string()))?;
        Ok(Checkout {
            repo: repo.clone(),
            dir,
            _temp: temp,
        })
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let path = self.dir.to_string_lossy().into_owned();
        // Only this checkout: never `git worktree prune`, which forgets the user's worktrees
        // that are merely out of reach (an unmounted disk).
        let _ = self
            .repo
            .git_cli()
            .run(&["worktree", "remove", "--force", "--force", &path], None);
    }
}
