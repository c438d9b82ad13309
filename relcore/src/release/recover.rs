//! Finishing a release interrupted in its visible step, from the journal it left.

use std::path::{Path, PathBuf};

use super::Error;
use crate::history::Repo;

/// The journal's file name inside a release's scratch directory (`.git/rel-release-*`).
/// The file holding the releasing process's id, in the same directory.
pub(super) const OWNER: &str = "owner";

/// The lock git takes on `index` (`.git/index` → `.git/index.lock`).
pub(super) fn index_lock_path(index: &Path) -> PathBuf {
    let mut name = index.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// What rel writes into the index lock it holds, naming the releasing process.
pub(super) fn index_lock_mark(pid: u32) -> String {
    format!("rel release {pid}\n")
}

/// Removes the index lock a dead release (its scratch directory `dir`) left.
fn remove_index_lock_of(dir: &Path, index: &Path) {
    let Some(pid) = std::fs::read_to_string(dir.join(OWNER))
        .ok()
        .and_then(|pid| pid.trim().parse::<u32>().ok())
    else {
        return;
    };
    let lock = index_lock_path(index);
    if std::fs::read_to_string(&lock).is_ok_and(|text| text == index_lock_mark(pid)) {
        let _ = std::fs::remove_file(lock);
    }
}

/// Whether the release whose scratch directory is `dir` is still running: its process exists
/// (Linux's /proc; elsewhere every release is taken for finished, so interrupting one leaves
/// recovery to a later rel run).
fn still_running(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(OWNER))
        .ok()
        .and_then(|pid| pid.trim().parse::<u32>().ok())
        .is_some_and(|pid| {
            pid != std::process::id() && Path::new("/proc").join(pid.to_string()).exists()
        })
}

pub(super) const JOURNAL: &str = "journal.json";

/// What the visible step of a release does, written before it starts.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct Journal {
    pub(super) branch: String,
    pub(super) head: String,
    pub(super) commit: String,
    pub(super) tag: String,
    pub(super) tag_object: String,
    /// `(staged file name in the scratch directory, target path)`.
    pub(super) files: Vec<(String, String)>,
    pub(super) index: String,
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
    /// The release was made, but its branch has moved on since: its files and index were never
    /// put in place, and later commits may have undone them (check the changelog and the
    /// version files); the leftovers were removed.
    Superseded {
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
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// let repo = relcore::Repo::discover(dir.path())?;
/// // No release was interrupted: nothing to do.
/// assert!(relcore::release::recover(&repo)?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
        if still_running(&dir) {
            continue;
        }
        remove_index_lock_of(&dir, &repo.gix().index_path());
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
            // Interrupted before its visible step: only leftovers (an owner-less one after a
            // while, in case it is a release still under way on a system without /proc).
            if dir.join(OWNER).exists() || age > std::time::Duration::from_secs(600) {
                let _ = std::fs::remove_dir_all(&dir);
            }
            continue;
        };
        // Killed while it held the ref locks (before or right after the commit point): they
        // hold exactly this release's new values, which no other writer would; remove them so
        // git is not blocked.
        let common = gix.common_dir();
        // A lock holds the new value, or (a ref headed for packed-refs) nothing, then it must have
        // been taken right after the journal was written.
        let written = std::fs::metadata(dir.join(JOURNAL))
            .and_then(|m| m.modified())
            .ok();
        let taken_then = |path: &Path| {
            let taken = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            match (written, taken) {
                (Some(written), Some(taken)) => taken
                    .duration_since(written)
                    .is_ok_and(|d| d < std::time::Duration::from_secs(30)),
                _ => false,
            }
        };
        let ours = |path: PathBuf, wanted: &str| {
            std::fs::read_to_string(&path)
                .is_ok_and(|text| {
                    text.lines().any(|l| l.trim_end() == wanted)
                        || (text.is_empty() && taken_then(&path))
                })
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
        let at = |name: &str| {
            gix.try_find_reference(name)
                .ok()
                .flatten()
                .and_then(|r| r.try_id().map(|id| id.detach().to_string()))
        };
        let branch = at(&format!("refs/heads/{}", journal.branch));
        let tag = at(&format!("refs/tags/{}", journal.tag));
        // The tag decides whether the commit point was passed (branch and tag moved together).
        if tag.as_deref() != Some(journal.tag_object.as_str()) {
            let _ = std::fs::remove_dir_all(&dir);
            done.push(Recovery::Discarded { tag: journal.tag });
        } else if branch.as_deref() == Some(journal.commit.as_str()) {
            for (staged, target) in &journal.files {
                let from = dir.join(staged);
                rename_unless_done(&from, Path::new(target))?;
            }
            let index = dir.join("index");
            if index.exists() {
                rename_unless_done(&index, Path::new(&journal.index))?;
            }
            let _ = std::fs::remove_dir_all(&dir);
            done.push(Recovery::Completed { tag: journal.tag });
        } else {
            // Released, but the branch has moved on since: the files are the user's now.
            let _ = std::fs::remove_dir_all(&dir);
            done.push(Recovery::Superseded { tag: journal.tag });
        }
    }
    Ok(done)
}

/// Renames `from` to `to` (copying across file systems); a `from` already gone was moved by a
/// concurrent [`recover`].
pub(super) fn rename_unless_done(from: &Path, to: &Path) -> Result<(), crate::paths::Error> {
    if !from.exists() {
        return Ok(());
    }
    crate::paths::replace(from, to)
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
        // Killed before it let go of the tag's lock.
        sh(
            p,
            "git rev-parse v1.0.0 > .git/refs/tags/v1.0.0.lock && : > .git/refs/heads/main.lock
echo 4194304 > .git/rel-release-test/owner && echo 'rel release 4194304' > .git/index.lock",
        );
        let repo = Repo::discover(p).expect("a repository");
        assert_eq!(
            recover(&repo).expect("recovers"),
            vec![Recovery::Completed {
                tag: "v1.0.0".into()
            }]
        );
        assert_eq!(sh(p, "git status --porcelain --untracked-files=all"), "");
        assert_eq!(sh(p, "cat CHANGELOG.md"), "new");
        assert_eq!(sh(p, "find .git -name '*.lock'"), "");
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
    fn recover_leaves_a_release_whose_branch_moved_on_to_the_user() {
        let dir = interrupted();
        let p = dir.path();
        sh(p, "git commit -q --allow-empty -m 'feat: later'");
        let repo = Repo::discover(p).expect("a repository");
        assert_eq!(
            recover(&repo).expect("recovers"),
            vec![Recovery::Superseded {
                tag: "v1.0.0".into()
            }]
        );
        assert_eq!(sh(p, "cat CHANGELOG.md"), "old");
        assert!(!p.join(".git/rel-release-test").exists());
    }

    #[test]
    fn recover_leaves_a_running_release_alone() {
        let dir = interrupted();
        let p = dir.path();
        let mut running = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep runs");
        std::fs::write(
            p.join(".git/rel-release-test").join(OWNER),
            running.id().to_string(),
        )
        .expect("write owner");
        let repo = Repo::discover(p).expect("a repository");
        let outcome = recover(&repo).expect("recovers");
        let _ = running.kill();
        let _ = running.wait();
        assert_eq!(outcome, vec![]);
        assert!(p.join(".git/rel-release-test/journal.json").exists());
        assert_eq!(sh(p, "cat CHANGELOG.md"), "old");
        // Once it is gone, the next rel finishes it.
        assert_eq!(
            recover(&repo).expect("recovers"),
            vec![Recovery::Completed {
                tag: "v1.0.0".into()
            }]
        );
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
