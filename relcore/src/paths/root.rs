//! The root the paths of rel.toml are relative to, and resolving a path inside it.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::{Error, Escape, RootKind, check};

/// The directory the paths of rel.toml are relative to.
#[derive(Debug, Clone)]
pub struct Root {
    dir: PathBuf,
    kind: RootKind,
    git_dir: Option<PathBuf>,
}

/// The entries of `$GIT_DIR` that are git's own: not for trust anchors or anything else rel reads.
const GIT_FILES: &[&str] = &[
    "objects",
    "refs",
    "logs",
    "hooks",
    "info",
    "worktrees",
    "modules",
    "rr-cache",
    "branches",
    "lfs",
    "HEAD",
    "ORIG_HEAD",
    "FETCH_HEAD",
    "MERGE_HEAD",
    "config",
    "config.worktree",
    "packed-refs",
    "index",
    "shallow",
    "description",
];

impl Root {
    /// A work tree root; `git_dir` is the repository's git directory, refused too when it lies
    /// inside the work tree under another name than `.git` (`core.worktree`, `GIT_DIR`).
    pub fn work_tree(dir: impl Into<PathBuf>, git_dir: Option<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            kind: RootKind::WorkTree,
            git_dir,
        }
    }

    /// `$GIT_DIR` of a bare repository (a server).
    pub fn git_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            kind: RootKind::GitDir,
            git_dir: None,
        }
    }
    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What it is.
    pub fn kind(&self) -> RootKind {
        self.kind
    }

    /// The file `configured` (the value of `key` in rel.toml) names: inside the root, outside
    /// git's own files, with no symlink on the way — every existing component below the root is
    /// looked at with `symlink_metadata`, the last one too. What does not exist yet is fine
    /// (a changelog rel is about to create).
    ///
    /// ```
    /// use relcore::paths::Root;
    /// let dir = tempfile::tempdir()?;
    /// let root = Root::work_tree(dir.path(), None);
    /// assert_eq!(root.resolve("changelog.path", "./docs/CHANGES.md".as_ref())?, dir.path().join("docs/CHANGES.md"));
    /// let err = root.resolve("changelog.path", "/home/x/.bashrc".as_ref()).unwrap_err();
    /// assert!(err.to_string().starts_with(
    ///     "rel.toml: changelog.path = \"/home/x/.bashrc\" is an absolute path: paths in rel.toml are relative to the work tree root"
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Outside`] naming the key, the path and why; [`Error::Read`] when a directory on
    /// the way cannot be looked at.
    pub fn resolve(&self, key: &str, configured: &Path) -> Result<PathBuf, Error> {
        let fail = |reason| Error::Outside {
            key: key.to_owned(),
            path: configured.to_owned(),
            reason,
            root: self.kind,
        };
        check(configured).map_err(fail)?;
        let parts: Vec<&OsStr> = configured
            .components()
            .filter_map(|c| match c {
                Component::Normal(name) => Some(name),
                _ => None,
            })
            .collect();
        let Some(first) = parts.first() else {
            return Err(fail(Escape::Empty));
        };
        if self.kind == RootKind::GitDir && GIT_FILES.iter().any(|g| first.eq_ignore_ascii_case(g))
        {
            return Err(fail(Escape::GitData {
                name: first.to_string_lossy().into_owned(),
            }));
        }
        let mut path = self.dir.clone();
        let mut shown = PathBuf::new();
        for (i, part) in parts.iter().enumerate() {
            path.push(part);
            shown.push(part);
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(fail(Escape::Symlink {
                        at: shown,
                        last: i + 1 == parts.len(),
                    }));
                }
                Ok(_) => {}
                // Nothing further exists: nothing further can be a symlink.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                    ) =>
                {
                    break;
                }
                Err(source) => return Err(Error::Read { path, source }),
            }
        }
        let resolved: PathBuf = parts.iter().fold(self.dir.clone(), |p, c| p.join(c));
        if let Some(git_dir) = &self.git_dir
            && let (Ok(root), Ok(git_dir)) = (self.dir.canonicalize(), git_dir.canonicalize())
            && root.join(&shown).starts_with(&git_dir)
        {
            let name = git_dir
                .strip_prefix(&root)
                .unwrap_or(&git_dir)
                .display()
                .to_string();
            return Err(fail(Escape::GitData { name }));
        }
        Ok(resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::RootKind;

    #[test]
    fn resolve_refuses_symlinks_and_git_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = Root::work_tree(dir.path(), None);
        fs::create_dir(dir.path().join("docs")).expect("mkdir");
        #[cfg(unix)]
        std::os::unix::fs::symlink("..", dir.path().join("up")).expect("symlink");
        let err = root
            .resolve("notes.known_issues", Path::new("up/x.md"))
            .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "rel.toml: notes.known_issues = \"up/x.md\" passes through the symlink up: paths in rel.toml are relative to the work tree root and must stay inside it, out of .git and off symlinks"
        );
        assert!(matches!(
            root.resolve("k", Path::new("up")),
            Err(Error::Outside {
                reason: Escape::Symlink { last: true, .. },
                ..
            })
        ));
        assert!(matches!(
            root.resolve("k", Path::new(".")),
            Err(Error::Outside {
                reason: Escape::Empty,
                ..
            })
        ));
        assert_eq!(
            root.resolve("k", Path::new("docs/new/x.md")).expect("fine"),
            dir.path().join("docs/new/x.md")
        );
        let server = Root::git_dir(dir.path());
        assert!(matches!(
            server.resolve("policy.allowed_signers", Path::new("objects/info/x")),
            Err(Error::Outside {
                reason: Escape::GitData { .. },
                root: RootKind::GitDir,
                ..
            })
        ));
        assert!(server.resolve("k", Path::new("allowed_signers")).is_ok());
        // A git dir inside the work tree under another name.
        fs::create_dir(dir.path().join("repo.git")).expect("mkdir");
        let odd = Root::work_tree(dir.path(), Some(dir.path().join("repo.git")));
        assert!(matches!(
            odd.resolve("k", Path::new("repo.git/hooks/pre-commit")),
            Err(Error::Outside {
                reason: Escape::GitData { .. },
                ..
            })
        ));
    }
}
