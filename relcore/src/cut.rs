//! Cutting a release, all or nothing: [`plan`] checks every precondition and renders every
//! byte first, writing nothing; [`apply`] then makes the release commit and the annotated (and,
//! when asked, signed) tag with git, and leaves the repository exactly as it was if any step fails.
//!
//! The order makes "all or nothing" cheap: the commit is built from a temporary index without
//! touching the branch, the work tree or the index; the tag (where signing can fail) is made
//! next, pointing at that commit; only then does the branch move (compare-and-swap), and git
//! brings the index and work tree along. A failure before the branch moves leaves only
//! unreachable objects; a failure after it is undone by moving the branch and the files back.

use std::path::{Component, Path, PathBuf};

use gix::ObjectId;
use semver::Version;

use crate::changelog::{self, Planned, Templates};
use crate::config::Config;
use crate::git::{self, Git};
use crate::history::{self, ReleaseTag, Repo};
use crate::paths::{self, Root};
use crate::release::{self, Options};
use crate::version;
use crate::version_file;

/// Why a release cannot be cut. Nothing was written when this is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A precondition does not hold.
    #[error("{0}")]
    Refused(String),
    /// The repository cannot be read.
    #[error(transparent)]
    History(#[from] history::Error),
    /// Working out the next version failed.
    #[error(transparent)]
    Release(#[from] release::Error),
    /// Rendering the changelog, notes or tag message failed.
    #[error(transparent)]
    Changelog(#[from] changelog::Error),
    /// A version file cannot be updated.
    #[error(transparent)]
    VersionFile(#[from] version_file::Error),
    /// A configured path leaves the work tree, or a file to update is not a regular file.
    #[error(transparent)]
    Path(#[from] paths::Error),
    /// A file cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A git step failed; the repository was put back as it was.
    #[error("{step} failed, so nothing was released (the repository is as it was)")]
    Git {
        /// What was being done.
        step: String,
        /// What git said.
        #[source]
        source: git::Error,
    },
    /// An interrupt arrived before the release became visible; nothing was released.
    #[error("interrupted before {step}: nothing was released (the repository is as it was)")]
    Interrupted {
        /// The step that was about to run.
        step: String,
    },
    /// The release was made locally, but pushing it failed.
    #[error(
        "released {tag} locally, but pushing it to {remote} failed; push it with `git push --atomic {remote} {branch} {tag}`"
    )]
    Push {
        /// The remote.
        remote: String,
        /// The branch.
        branch: String,
        /// The tag.
        tag: String,
        /// What git said.
        #[source]
        source: git::Error,
    },
}

/// How to cut the release.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CutOptions {
    /// Make a pre-release with this label.
    pub pre: Option<String>,
    /// Release exactly this version instead of the computed one.
    pub version: Option<String>,
    /// `Some(true)`: sign; `Some(false)`: do not (refused when the policy requires signed tags);
    /// `None`: sign when `tag.gpgSign` or `policy.require_signed_tags` asks for it.
    pub sign: Option<bool>,
}

/// A file the release commit changes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FileChange {
    /// Relative to the work tree root, with `/` separators.
    pub path: String,
    /// The bytes before (`None`: the file does not exist yet).
    pub old: Option<Vec<u8>>,
    /// The bytes after.
    pub new: Vec<u8>,
}

/// Everything a release will write, computed before anything is written.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Plan {
    /// The version released.
    pub version: Version,
    /// Its tag.
    pub tag: String,
    /// The release before it.
    pub previous: Option<ReleaseTag>,
    /// The branch the release commit goes on.
    pub branch: String,
    /// HEAD before the release.
    pub head: ObjectId,
    /// The files the release commit changes (the changelog first).
    pub files: Vec<FileChange>,
    /// The release commit's message.
    pub commit_message: String,
    /// The tag's message.
    pub tag_message: String,
    /// The release notes (for `--dry-run` and forges).
    pub notes: String,
    /// Whether the tag is signed.
    pub sign: bool,
}

/// What [`apply`] made.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Applied {
    /// The release commit.
    pub commit: ObjectId,
    /// The tag name.
    pub tag: String,
}

fn refused(message: impl Into<String>) -> Error {
    Error::Refused(message.into())
}

/// Checks the preconditions and renders everything the release writes. Writes nothing.
///
/// # Errors
/// [`Error::Refused`] when the work tree is dirty, HEAD is not on a release branch, there is
/// nothing to release, the tag exists, `--version` is not above the last release, or signing is
/// turned off against the policy; [`Error::Path`] when a configured path leaves the work tree
/// or a file to update is not a regular file (a symlink, a FIFO); other variants when reading
/// or rendering fails.
pub fn plan(repo: &Repo, config: &Config, options: &CutOptions) -> Result<Plan, Error> {
    recover(repo)?;
    let root = repo
        .work_dir()
        .ok_or_else(|| refused("rel release needs a work tree; this repository is bare"))?
        .to_owned();
    let git = Git::new(&root);
    let head = repo.head()?;
    let branch = head
        .branch
        .clone()
        .ok_or_else(|| refused("HEAD is detached: check out the release branch first"))?;
    if !config
        .policy
        .release_branches
        .iter()
        .any(|g| g.is_match(&branch))
    {
        let allowed: Vec<&str> = config
            .policy
            .release_branches
            .iter()
            .map(|g| g.as_str())
            .collect();
        return Err(refused(format!(
            "`{branch}` is not a release branch; releases are cut on {} (policy.release_branches)",
            allowed.join(", ")
        )));
    }
    let status = git
        .run(
            &[
                "--no-optional-locks",
                "status",
                "--porcelain",
                "--untracked-files=no",
            ],
            None,
        )
        .map_err(|source| Error::Git {
            step: "reading the work tree status".into(),
            source,
        })?;
    if !status.is_empty() {
        return Err(refused(format!(
            "the work tree has uncommitted changes; commit or stash them first:\n{status}"
        )));
    }
    let sign = match options.sign {
        Some(false) if config.policy.require_signed_tags => {
            return Err(refused(
                "--no-sign: policy.require_signed_tags is on, so release tags must be signed",
            ));
        }
        Some(sign) => sign,
        None => config.policy.require_signed_tags || git_bool(&git, "tag.gpgSign"),
    };

    let upcoming = release::upcoming(
        repo,
        config,
        &Options {
            pre: options.pre.clone(),
        },
    )?;
    let prefix = &config.version.tag_prefix;
    let version = match &options.version {
        Some(text) => {
            let text = text.strip_prefix(prefix.as_str()).unwrap_or(text);
            let v = Version::parse(text)
                .map_err(|e| refused(format!("--version `{text}` is not a semantic version like 1.2.3: {e}")))?;
            if let Some(base) = upcoming.current()
                && v <= *base
            {
                return Err(refused(format!(
                    "--version {v} is not above the last release {base}; release a higher version"
                )));
            }
            v
        }
        None => upcoming.next.clone().ok_or_else(|| {
            refused(match upcoming.current() {
                Some(current) => format!(
                    "nothing to release: no commit since {current} bumps the version; use --version to release anyway"
                ),
                None => "nothing to release: no commit bumps the version; use --version to release anyway".into(),
            })
        })?,
    };
    let tag = version::tag_name(&version, prefix);
    if repo
        .gix()
        .try_find_reference(format!("refs/tags/{tag}").as_str())
        .ok()
        .flatten()
        .is_some()
    {
        return Err(refused(format!("the tag {tag} already exists")));
    }

    // Render everything.
    let tree = Root::of(repo);
    let templates = Templates::new(config, &tree)?;
    let links = changelog::links(repo, config);
    let mut range = changelog::upcoming_range(repo, config, version::is_stable(&version))?;
    range.planned = Some(Planned::today(version.clone(), prefix));
    let previous = range.previous.clone();
    let release = changelog::build_release(repo, config, &range, links.as_ref())?;
    let section = templates.changelog_section(&release)?;
    let known_issues = changelog::known_issues(config, &tree)?;
    let notes = templates.notes(&release, known_issues.as_deref())?;
    let tag_message = templates.tag_message(&release)?;

    let mut files = Vec::new();
    let changelog_path = slash_path(&config.changelog.path);
    let old = paths::read(&tree.resolve("changelog.path", &config.changelog.path)?)?;
    let base = old
        .as_deref()
        .unwrap_or(changelog::DEFAULT_INTRO.as_bytes());
    files.push(FileChange {
        path: changelog_path,
        new: changelog::insert_sections(base, &[section], true),
        old,
    });
    for (i, file) in config.release.files.iter().enumerate() {
        let path = tree.resolve(&format!("release.files[{i}].path"), &file.path)?;
        let bytes = paths::read(&path)?.ok_or_else(|| {
            refused(format!(
                "{}: no such file ([[release.files]])",
                file.path.display()
            ))
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|_| {
            refused(format!(
                "{}: not UTF-8 text ([[release.files]])",
                file.path.display()
            ))
        })?;
        let new = version_file::update(file, &text, &version.to_string())?;
        files.push(FileChange {
            path: slash_path(&file.path),
            old: Some(bytes),
            new: new.into_bytes(),
        });
    }
    let commit_message = config
        .release
        .commit_message
        .replace("{tag}", &tag)
        .replace("{version}", &version.to_string());
    Ok(Plan {
        version,
        tag,
        previous,
        branch,
        head: head.id,
        files,
        commit_message,
        tag_message,
        notes,
        sign,
    })
}

fn git_bool(git: &Git, key: &str) -> bool {
    git.run(&["config", "--type=bool", "--get", key], None)
        .is_ok_and(|v| v == "true")
}

/// A configured path (already checked: only plain names and `.`) as git names it in a tree.
fn slash_path(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Makes the release the plan describes: one commit on the branch, one annotated tag on it.
/// All or nothing: on any failure the branch, index, work tree and files are as before.
///
/// Every object and every file is made first, out of sight: the release commit from a
/// temporary index, the tag object by git (so every signing setup git knows works) in a
/// throwaway git dir that shares the object store but not the refs, the new index and the new
/// file contents in a scratch directory. Then the release becomes visible in one step: one ref
/// transaction moves the branch (only if it is still where the plan found it) and creates the
/// tag, immediately followed by renaming the new files and the new index into place. An
/// interruption before that step leaves only unreachable objects; the step itself is a handful
/// of renames in this process. git children run in their own process group, so a Ctrl-C at the
/// terminal stops rel, not a git command half-way.
///
/// # Errors
/// [`Error::Git`] naming the step that failed (e.g. signing the tag).
pub fn apply(repo: &Repo, plan: &Plan) -> Result<Applied, Error> {
    apply_unless(repo, plan, &std::sync::atomic::AtomicBool::new(false))
}

/// [`apply`], giving up (with nothing written) when `stop` is set before the release becomes
/// visible. A program sets `stop` from its SIGINT/SIGTERM handler: an interrupt then either
/// leaves the repository as it was or, arriving during the final step, lets that step finish.
///
/// # Errors
/// As [`apply`], and [`Error::Interrupted`].
pub fn apply_unless(
    repo: &Repo,
    plan: &Plan,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<Applied, Error> {
    let check = |step: &str| {
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            Err(Error::Interrupted { step: step.into() })
        } else {
            Ok(())
        }
    };
    let root = repo
        .work_dir()
        .ok_or_else(|| refused("rel release needs a work tree; this repository is bare"))?
        .to_owned();
    let git = Git::new(&root).isolated();
    let step = |step: &str| {
        let step = step.to_owned();
        move |source| Error::Git { step, source }
    };
    let head = plan.head.to_string();
    let gix = repo.gix();
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Read { path, source }
    };

    // Scratch space inside the git dir: on the work tree's file system, invisible to git.
    let git_dir = std::path::absolute(gix.git_dir()).map_err(io(gix.git_dir()))?;
    let scratch = tempfile::Builder::new()
        .prefix("rel-release-")
        .tempdir_in(&git_dir)
        .map_err(io(&git_dir))?;

    // 1. The release commit, from a temporary index: branch, index and work tree untouched.
    let index = scratch.path().join("commit-index");
    let temp = git.with_env("GIT_INDEX_FILE", &index);
    temp.run(&["read-tree", &head], None)
        .map_err(step("reading HEAD's tree"))?;
    let mut staged = Vec::new();
    for file in &plan.files {
        let blob = git
            .run(&["hash-object", "-w", "--stdin"], Some(&file.new))
            .map_err(step("writing a blob"))?;
        let mode = git
            .run(
                &["ls-tree", "--format=%(objectmode)", &head, "--", &file.path],
                None,
            )
            .ok()
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "100644".into());
        let entry = format!("{mode},{blob},{}", file.path);
        temp.run(&["update-index", "--add", "--cacheinfo", &entry], None)
            .map_err(step("staging the release files"))?;
        staged.push(entry);
    }
    let tree = temp
        .run(&["write-tree"], None)
        .map_err(step("writing the release tree"))?;
    let commit = git
        .run(
            &["commit-tree", &tree, "-p", &head, "-F", "-"],
            Some(plan.commit_message.as_bytes()),
        )
        .map_err(step("making the release commit"))?;
    let commit_id: ObjectId = commit.parse().expect("git prints a valid commit id");

    // 2. The tag object, signed by git, in a git dir of its own: no ref appears here.
    check("making the tag")?;
    let tag_object = make_tag_object(repo, &git, scratch.path(), plan, &commit)?;

    // 3. The index as it will be: the current one with the release files' new blobs.
    check("preparing the index")?;
    let new_index = scratch.path().join("index");
    let real_index = gix.index_path();
    let old_index = scratch.path().join("index-before");
    if real_index.exists() {
        std::fs::copy(&real_index, &new_index).map_err(io(&real_index))?;
        std::fs::copy(&real_index, &old_index).map_err(io(&real_index))?;
    }
    let next = git.with_env("GIT_INDEX_FILE", &new_index);
    for entry in &staged {
        next.run(&["update-index", "--add", "--cacheinfo", entry], None)
            .map_err(step("preparing the index"))?;
    }

    // 4. The files as they will be, beside the scratch index (same file system as the git dir).
    let mut pending = Vec::new();
    for (i, file) in plan.files.iter().enumerate() {
        let target = root.join(&file.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let staged_file = scratch.path().join(format!("file-{i}"));
        // `File::create` follows the umask, as git does for a new file; an existing file keeps its mode.
        std::fs::write(&staged_file, &file.new).map_err(io(&staged_file))?;
        if let Ok(meta) = std::fs::metadata(&target) {
            std::fs::set_permissions(&staged_file, meta.permissions()).map_err(io(&staged_file))?;
        }
        pending.push((staged_file, target));
    }

    // 5. The visible step: branch and tag in one ref transaction, then files and index.
    check("moving the branch")?;
    // Pack the refs first (no ref changes value): then the transaction below changes
    // packed-refs alone, in one rename.
    git.run(&["pack-refs", "--all"], None)
        .map_err(step("packing the refs"))?;
    use gix::refs::Target;
    use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};
    let message = format!("rel release {}", plan.tag);
    let edit = |name: String, expected: PreviousValue, new: ObjectId| -> Result<RefEdit, Error> {
        Ok(RefEdit {
            change: Change::Update {
                log: LogChange {
                    mode: RefLog::AndReference,
                    force_create_reflog: false,
                    message: message.as_str().into(),
                },
                expected,
                new: Target::Object(new),
            },
            name: name.as_str().try_into().map_err(
                |e: gix::validate::reference::name::Error| Error::Git {
                    step: format!("naming {name}"),
                    source: git::Error::Failed {
                        args: "update-ref".into(),
                        stderr: e.to_string(),
                    },
                },
            )?,
            deref: false,
        })
    };
    let branch_ref = format!("refs/heads/{}", plan.branch);
    let tag_ref = format!("refs/tags/{}", plan.tag);
    let edits = vec![
        edit(
            branch_ref.clone(),
            PreviousValue::MustExistAndMatch(Target::Object(plan.head)),
            commit_id,
        )?,
        edit(tag_ref.clone(), PreviousValue::MustNotExist, tag_object)?,
    ];
    let ref_error = |e: &dyn std::fmt::Display| Error::Git {
        step: format!("moving {} and creating {}", plan.branch, plan.tag),
        source: git::Error::Failed {
            args: "update-ref".into(),
            stderr: e.to_string(),
        },
    };
    // Both refs go into packed-refs, whose rename is the one instant the release appears:
    // two loose ref files cannot change together. (The branch was packed in step 4.)
    let objects = gix.objects.clone().into_arc().map_err(|e| ref_error(&e))?;
    let committer = gix.committer().transpose().map_err(|e| ref_error(&e))?;
    // The journal: what the visible step does, so that an interruption in its middle is
    // finished by the next rel (see [`recover`]). Written before anything is visible.
    let journal = Journal {
        branch: plan.branch.clone(),
        head: plan.head.to_string(),
        commit: commit.clone(),
        tag: plan.tag.clone(),
        tag_object: tag_object.to_string(),
        files: pending
            .iter()
            .map(|(staged, target)| {
                (
                    staged
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    target.to_string_lossy().into_owned(),
                )
            })
            .collect(),
        index: real_index.to_string_lossy().into_owned(),
    };
    let journal_path = scratch.path().join(JOURNAL);
    let journal_text = serde_json::to_vec(&journal).expect("a journal serialises");
    std::fs::write(scratch.path().join("journal.tmp"), journal_text)
        .and_then(|()| std::fs::rename(scratch.path().join("journal.tmp"), &journal_path))
        .map_err(io(&journal_path))?;
    // Locks taken, the new packed-refs written aside, the branch compared: nothing visible yet.
    let prepared = gix
        .refs
        .transaction()
        .packed_refs(
            gix::refs::file::transaction::PackedRefs::DeletionsAndNonSymbolicUpdatesRemoveLooseSourceReference(
                Box::new(objects),
            ),
        )
        .prepare(
            edits,
            gix::lock::acquire::Fail::Immediately,
            gix::lock::acquire::Fail::Immediately,
        )
        .map_err(|e| ref_error(&e))?;
    // The commit point: one rename of packed-refs moves the branch and creates the tag.
    if let Err(e) = prepared.commit(committer) {
        return Err(ref_error(&e));
    }
    // Then, back to back, the files and the index (what `recover` redoes if interrupted).
    let mut moved = Vec::new();
    let mut renamed = pending
        .iter()
        .try_for_each(|(from, to)| {
            rename_unless_done(from, to)?;
            moved.push(to.clone());
            Ok(())
        })
        .and_then(|()| rename_unless_done(&new_index, &real_index));
    if let Err(e) = &renamed
        && e.kind() == std::io::ErrorKind::CrossesDevices
    {
        // EXDEV: the git dir is on another file system; copy the rest in place instead.
        renamed = pending
            .iter()
            .filter(|(_, to)| !moved.contains(to))
            .try_for_each(|(from, to)| replace_file(from, to))
            .and_then(|()| replace_file(&new_index, &real_index));
    }
    if let Err(source) = renamed {
        // Put everything back: the refs, then the files and the index.
        let _ = git.run(
            &[
                "update-ref",
                "-m",
                "rel release: undo",
                &branch_ref,
                &head,
                &commit,
            ],
            None,
        );
        let _ = git.run(
            &["update-ref", "-d", &tag_ref, &tag_object.to_string()],
            None,
        );
        restore(&root, plan);
        if old_index.exists() {
            let _ = std::fs::rename(&old_index, &real_index);
        }
        return Err(Error::Read { path: root, source });
    }
    // The renamed files are new to the index's stat cache; let git look once (optional).
    let _ = git.run(&["update-index", "-q", "--refresh"], None);
    Ok(Applied {
        commit: commit_id,
        tag: plan.tag.clone(),
    })
}

/// The journal's file name inside a release's scratch directory (`.git/rel-release-*`).
const JOURNAL: &str = "journal.json";

/// What the visible step of a release does, written before it starts.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Journal {
    branch: String,
    head: String,
    commit: String,
    tag: String,
    tag_object: String,
    /// `(staged file name in the scratch directory, target path)`.
    files: Vec<(String, String)>,
    index: String,
}

/// What [`recover`] did with a release that was interrupted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recovery {
    /// The refs had moved: the release's files and index were put in place.
    Completed {
        /// The release's tag.
        tag: String,
    },
    /// The refs had not moved: the leftovers were removed; nothing had been released.
    Discarded {
        /// The release's tag.
        tag: String,
    },
}

/// Finishes a release that was interrupted during its visible step, or clears one interrupted
/// before it. `rel release` moves the branch and creates the tag in one rename, then renames
/// the new files and index into place; an interruption between those leaves a journal in
/// `.git/rel-release-*`, from which this puts the files and index in place (or, if the refs did
/// not move, removes the leftovers). rel runs it before it reads the work tree.
///
/// # Errors
/// When the git dir cannot be read.
pub fn recover(repo: &Repo) -> Result<Vec<Recovery>, Error> {
    let gix = repo.gix();
    let git_dir = gix.git_dir();
    let mut done = Vec::new();
    let entries = match std::fs::read_dir(git_dir) {
        Ok(entries) => entries,
        Err(_) => return Ok(done),
    };
    for entry in entries.filter_map(Result::ok) {
        let dir = entry.path();
        if !entry
            .file_name()
            .to_string_lossy()
            .starts_with("rel-release-")
        {
            continue;
        }
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .unwrap_or_default();
        let Some(journal) = std::fs::read(dir.join(JOURNAL))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Journal>(&bytes).ok())
        else {
            // Interrupted before its visible step: only leftovers (after a while, to spare a
            // release still under way in another process).
            if age > std::time::Duration::from_secs(600) {
                let _ = std::fs::remove_dir_all(&dir);
            }
            continue;
        };
        let at = |name: &str| {
            gix.try_find_reference(name)
                .ok()
                .flatten()
                .and_then(|r| r.try_id().map(|id| id.detach().to_string()))
        };
        let branch = at(&format!("refs/heads/{}", journal.branch));
        let tag = at(&format!("refs/tags/{}", journal.tag));
        if branch.as_deref() == Some(journal.commit.as_str())
            && tag.as_deref() == Some(journal.tag_object.as_str())
        {
            for (staged, target) in &journal.files {
                let from = dir.join(staged);
                if from.exists() {
                    rename_unless_done(&from, Path::new(target))
                        .or_else(|_| replace_file(&from, Path::new(target)))
                        .map_err(|source| Error::Read {
                            path: PathBuf::from(target),
                            source,
                        })?;
                }
            }
            let index = dir.join("index");
            if index.exists() {
                rename_unless_done(&index, Path::new(&journal.index)).map_err(|source| {
                    Error::Read {
                        path: PathBuf::from(&journal.index),
                        source,
                    }
                })?;
            }
            let _ = std::fs::remove_dir_all(&dir);
            done.push(Recovery::Completed { tag: journal.tag });
        } else {
            // Killed while it held the ref locks: they hold exactly this release's new values,
            // which no other writer would; remove them so git is not blocked.
            let common = gix.common_dir();
            let ours = |path: PathBuf, wanted: &str| {
                std::fs::read_to_string(&path)
                    .is_ok_and(|text| text.lines().any(|l| l.trim_end() == wanted))
                    .then_some(path)
            };
            let stale: Vec<PathBuf> = [
                ours(
                    common.join(format!("refs/heads/{}.lock", journal.branch)),
                    &journal.commit,
                ),
                ours(
                    common.join(format!("refs/tags/{}.lock", journal.tag)),
                    &journal.tag_object,
                ),
                ours(
                    common.join("packed-refs.lock"),
                    &format!("{} refs/tags/{}", journal.tag_object, journal.tag),
                ),
            ]
            .into_iter()
            .flatten()
            .collect();
            for lock in &stale {
                let _ = std::fs::remove_file(lock);
            }
            if !stale.is_empty() || age > std::time::Duration::from_secs(60) {
                let _ = std::fs::remove_dir_all(&dir);
                done.push(Recovery::Discarded { tag: journal.tag });
            }
        }
    }
    Ok(done)
}

/// Makes the annotated (and, if planned, signed) tag object with `git tag`, run on a throwaway
/// git dir that shares this repository's objects and configuration but not its refs, and
/// returns its id. Nothing in the repository's refs changes.
fn make_tag_object(
    repo: &Repo,
    git: &Git,
    scratch: &Path,
    plan: &Plan,
    commit: &str,
) -> Result<ObjectId, Error> {
    let gix = repo.gix();
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Read { path, source }
    };
    let shadow = scratch.join("tagging");
    std::fs::create_dir_all(shadow.join("refs/tags")).map_err(io(&shadow))?;
    std::fs::create_dir_all(shadow.join("refs/heads")).map_err(io(&shadow))?;
    std::fs::write(
        shadow.join("HEAD"),
        format!("ref: refs/heads/{}\n", plan.branch),
    )
    .map_err(io(&shadow))?;
    let mut config = String::new();
    if gix.object_hash() == gix::hash::Kind::Sha1 {
        config.push_str("[core]\n\trepositoryformatversion = 0\n");
    } else {
        config.push_str(&format!(
            "[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectformat = {}\n",
            gix.object_hash()
        ));
    }
    let real_config =
        std::path::absolute(gix.common_dir().join("config")).map_err(io(gix.common_dir()))?;
    let objects =
        std::path::absolute(gix.objects.store_ref().path()).map_err(io(gix.common_dir()))?;
    config.push_str(&format!(
        "[include]\n\tpath = {}\n",
        real_config
            .display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
    ));
    std::fs::write(shadow.join("config"), config).map_err(io(&shadow))?;
    let message = scratch.join("tag-message");
    std::fs::write(&message, &plan.tag_message).map_err(io(&message))?;
    let message_arg = message.to_string_lossy().into_owned();
    let mut args = vec!["tag", "-a", "--cleanup=verbatim", "-F", &message_arg];
    args.push(if plan.sign { "-s" } else { "--no-sign" });
    args.extend([plan.tag.as_str(), commit]);
    let tagging = git
        .with_env("GIT_DIR", &shadow)
        .with_env("GIT_OBJECT_DIRECTORY", &objects);
    tagging.run(&args, None).map_err(|source| Error::Git {
        step: if plan.sign {
            "signing the tag".into()
        } else {
            "making the tag".into()
        },
        source,
    })?;
    let id = tagging
        .run(
            &["rev-parse", "--verify", &format!("refs/tags/{}", plan.tag)],
            None,
        )
        .map_err(|source| Error::Git {
            step: "reading the new tag".into(),
            source,
        })?;
    Ok(id.parse().expect("git prints a valid object id"))
}

/// Renames `from` to `to`; a `from` already gone was moved by a concurrent [`recover`].
fn rename_unless_done(from: &Path, to: &Path) -> std::io::Result<()> {
    match std::fs::rename(from, to) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !from.exists() => Ok(()),
        other => other,
    }
}

/// Replaces `to` with the contents of `from` through a temporary file beside `to` and a rename.
fn replace_file(from: &Path, to: &Path) -> std::io::Result<()> {
    let parent = to.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(parent)?;
    std::fs::copy(from, tmp.path())?;
    tmp.persist(to).map_err(|e| e.error)?;
    Ok(())
}

/// Puts the plan's files back as they were (used when undoing a half-made release).
fn restore(root: &Path, plan: &Plan) {
    for file in &plan.files {
        let path = root.join(&file.path);
        let _ = match &file.old {
            Some(bytes) => paths::write(&path, bytes).map_err(|_| ()),
            None => std::fs::remove_file(&path).map_err(|_| ()),
        };
    }
}

/// Pushes the branch and the tag together (`git push --atomic`): both or neither.
///
/// # Errors
/// [`Error::Git`] when the push fails; the local release stays.
pub fn push(repo: &Repo, plan: &Plan) -> Result<String, Error> {
    let root = repo.work_dir().expect("a work tree");
    let git = Git::new(root);
    let remote = git
        .run(
            &["config", "--get", &format!("branch.{}.remote", plan.branch)],
            None,
        )
        .unwrap_or_else(|_| "origin".into());
    git.run(
        &[
            "push",
            "--atomic",
            &remote,
            &format!("refs/heads/{0}:refs/heads/{0}", plan.branch),
            &format!("refs/tags/{0}:refs/tags/{0}", plan.tag),
        ],
        None,
    )
    .map_err(|source| Error::Push {
        remote: remote.clone(),
        branch: plan.branch.clone(),
        tag: plan.tag.clone(),
        source,
    })?;
    Ok(remote)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(dir: &Path, script: &str) -> String {
        let out = std::process::Command::new("bash")
            .args(["-ec", script])
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "C")
            .env("GIT_COMMITTER_EMAIL", "c@example.com")
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// The state an interruption right after the refs moved leaves: branch and tag at the
    /// release, the old CHANGELOG in the work tree and the index, and the journal.
    fn interrupted() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path();
        sh(
            p,
            "git init -q -b main . && echo old > CHANGELOG.md && git add . && git commit -qm 'feat: a'
mkdir .git/rel-release-test && echo new > .git/rel-release-test/file-0
blob=$(git hash-object -w .git/rel-release-test/file-0)
GIT_INDEX_FILE=.git/rel-release-test/index git read-tree HEAD
GIT_INDEX_FILE=.git/rel-release-test/index git update-index --cacheinfo 100644,$blob,CHANGELOG.md
tree=$(GIT_INDEX_FILE=.git/rel-release-test/index git write-tree)
head=$(git rev-parse HEAD) && commit=$(git commit-tree $tree -p $head -m 'chore(release): v1.0.0')
git update-ref refs/heads/main $commit && git tag -a -m v1.0.0 v1.0.0 $commit
printf '{\"branch\":\"main\",\"head\":\"%s\",\"commit\":\"%s\",\"tag\":\"v1.0.0\",\"tag_object\":\"%s\",\"files\":[[\"file-0\",\"%s\"]],\"index\":\"%s\"}' \
  $head $commit $(git rev-parse v1.0.0) \"$PWD/CHANGELOG.md\" \"$PWD/.git/index\" > .git/rel-release-test/journal.json",
        );
        dir
    }

    #[test]
    fn recover_finishes_a_release_whose_refs_moved() {
        let dir = interrupted();
        let p = dir.path();
        assert_eq!(sh(p, "git status --porcelain"), "M  CHANGELOG.md");
        let repo = Repo::discover(p).expect("a repository");
        assert_eq!(
            recover(&repo).expect("recovers"),
            vec![Recovery::Completed {
                tag: "v1.0.0".into()
            }]
        );
        assert_eq!(sh(p, "git status --porcelain --untracked-files=all"), "");
        assert_eq!(sh(p, "cat CHANGELOG.md"), "new");
        assert!(!p.join(".git/rel-release-test").exists());
        assert_eq!(recover(&repo).expect("nothing left"), vec![]);
    }

    #[test]
    fn recover_removes_the_locks_a_killed_release_held() {
        let dir = interrupted();
        let p = dir.path();
        sh(
            p,
            "commit=$(git rev-parse main) && tag=$(git rev-parse v1.0.0)
git update-ref refs/heads/main HEAD~1 && git tag -d v1.0.0 >/dev/null && git read-tree HEAD
echo $commit > .git/refs/heads/main.lock && echo $tag > .git/refs/tags/v1.0.0.lock
printf '# pack-refs with: peeled fully-peeled sorted\n%s refs/tags/v1.0.0\n' $tag > .git/packed-refs.lock
echo someone-else > .git/refs/heads/other.lock",
        );
        let repo = Repo::discover(p).expect("a repository");
        assert_eq!(
            recover(&repo).expect("recovers"),
            vec![Recovery::Discarded {
                tag: "v1.0.0".into()
            }]
        );
        assert_eq!(
            sh(p, "find .git -name '*.lock' | sort"),
            ".git/refs/heads/other.lock"
        );
        assert_eq!(sh(p, "git status --porcelain --untracked-files=all"), "");
        assert_eq!(sh(p, "cat CHANGELOG.md"), "old");
    }

    #[test]
    fn recover_discards_a_release_whose_refs_did_not_move() {
        let dir = interrupted();
        let p = dir.path();
        sh(
            p,
            "git update-ref refs/heads/main HEAD~1 && git tag -d v1.0.0 >/dev/null && git read-tree HEAD
touch -d '2 hours ago' .git/rel-release-test",
        );
        let repo = Repo::discover(p).expect("a repository");
        assert_eq!(
            recover(&repo).expect("recovers"),
            vec![Recovery::Discarded {
                tag: "v1.0.0".into()
            }]
        );
        assert_eq!(sh(p, "cat CHANGELOG.md"), "old");
        assert_eq!(sh(p, "git status --porcelain --untracked-files=all"), "");
        assert!(!p.join(".git/rel-release-test").exists());
    }
}
