//! Applying a plan: every object and file made out of sight, then the release made visible in
//! one step, or nothing at all.

use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::recover::{JOURNAL, Journal, OWNER, rename_unless_done};
use super::{Applied, Error, Plan, work_tree};
use crate::git::{self, Git};
use crate::history::Repo;
use crate::paths;

mod tag;

use tag::make_tag_object;

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
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// use relcore::release::{self, CutOptions};
/// git(&["config", "user.name", "A"])?;
/// git(&["config", "user.email", "a@example.com"])?;
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = relcore::Config::from_toml("[policy]\nrequire_signed_tags = false\n", "rel.toml".as_ref())?;
/// let mut options = CutOptions::default();
/// options.sign = Some(false);
/// let plan = release::plan(&repo, &config, &options)?;
/// let applied = release::apply(&repo, &plan)?;
/// assert_eq!(git(&["describe"])?, "v0.1.1");
/// assert_eq!(git(&["rev-parse", "HEAD"])?, applied.commit.to_string());
/// assert!(std::fs::read_to_string(dir.path().join("CHANGELOG.md"))?.contains("## [0.1.1]"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// use relcore::release::{self, CutOptions};
/// git(&["config", "user.name", "A"])?;
/// git(&["config", "user.email", "a@example.com"])?;
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = relcore::Config::from_toml("[policy]\nrequire_signed_tags = false\n", "rel.toml".as_ref())?;
/// let mut options = CutOptions::default();
/// options.sign = Some(false);
/// let plan = release::plan(&repo, &config, &options)?;
/// let stop = std::sync::atomic::AtomicBool::new(true); // as a signal handler would set it
/// let err = release::apply_unless(&repo, &plan, &stop).expect_err("stopped");
/// assert!(matches!(err, release::Error::Interrupted { .. }));
/// assert_eq!(git(&["tag"])?, "v0.1.0"); // nothing was written
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    let root = work_tree(repo)?.dir().to_owned();
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
    // Whose it is: `recover` leaves the scratch space of a live release alone.
    let owner = scratch.path().join(OWNER);
    std::fs::write(&owner, std::process::id().to_string()).map_err(io(&owner))?;

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
    // Held, as git holds it, from reading the index until the new one is in place: no git
    // command can write the index meanwhile (and have its write lost). Marked as rel's, so that
    // `recover` can remove it should rel be killed while it holds it.
    let index_lock = IndexLock::take(&real_index, scratch.path())?;
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
    // two loose ref files cannot change together. (The branch was packed just before.)
    let objects = gix.objects.clone().into_arc().map_err(|e| ref_error(&e))?;
    let committer = gix.committer().transpose().map_err(|e| ref_error(&e))?;
    // The journal: what the visible step does, so that an interruption in its middle is
    // finished by the next rel (see [`recover`](super::recover)). Written before anything is visible.
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
    // Then, back to back, the files and the index (what `recover` redoes if interrupted). Each
    // replaces its target in one rename (a copy beside it when the git dir is on another file
    // system); one already gone was moved by a concurrent `recover`.
    let renamed = pending
        .iter()
        .try_for_each(|(from, to)| rename_unless_done(from, to))
        .and_then(|()| rename_unless_done(&new_index, &real_index));
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
        return Err(Error::Path(source));
    }
    // (The renamed files are new to the index's stat cache: git's next `status` refreshes it.)
    drop(index_lock);
    Ok(Applied {
        commit: commit_id,
        tag: plan.tag.clone(),
    })
}

/// git's `index.lock`, taken by rel for the final steps of a release; removed when dropped.
#[derive(Debug)]
struct IndexLock(PathBuf);

impl IndexLock {
    /// Creates the lock already holding rel's mark: written beside it first, then hard-linked
    /// into place (which fails if the lock exists), so no instant sees an unmarked lock.
    fn take(index: &Path, scratch: &Path) -> Result<Self, Error> {
        let path = super::recover::index_lock_path(index);
        let mark = scratch.join("index-lock-mark");
        std::fs::write(&mark, super::recover::index_lock_mark(std::process::id())).map_err(
            |source| Error::Read {
                path: mark.clone(),
                source,
            },
        )?;
        std::fs::hard_link(&mark, &path).map_err(|source| Error::Git {
            step: "locking the index".into(),
            source: git::Error::Failed {
                args: format!("(create {})", path.display()),
                stderr: format!(
                    "{source}: another git process seems to be running in this repository; if none is, remove {}",
                    path.display()
                ),
            },
        })?;
        Ok(Self(path))
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
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
