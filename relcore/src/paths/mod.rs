//! The files rel is pointed at by rel.toml, and the files it reads and writes.
//!
//! Every path in rel.toml is relative to a [`Root`] — the work tree, or `$GIT_DIR` on a server —
//! and stays inside it: [`Root::resolve`] refuses an absolute path, `..`, git's own files (`.git`
//! in a work tree; `objects`, `refs`, `hooks`, ... in `$GIT_DIR`) and a symlink anywhere on the
//! way, naming the key. A committed rel.toml therefore cannot make rel write, read or trust a
//! file elsewhere.
//!
//! rel reads and writes only regular files: [`read`] refuses a symlink, FIFO, device or
//! directory before opening it (so a FIFO cannot make rel wait forever), and [`write()`] /
//! [`write_with`] refuse them before writing, then replace the file atomically through a
//! temporary file and a rename; [`replace`] puts a file staged elsewhere in place the same way
//! (one rename, or a copy beside the target when they lie on different file systems). A new file
//! gets the permissions the umask leaves of `0666` (`0777` for executables), an existing one
//! keeps its own.
//!
//! A configured path is resolved inside its root, and written and read back as a regular file:
//!
//! ```
//! use relcore::paths::{self, Root};
//! let dir = tempfile::tempdir()?;
//! let root = Root::work_tree(dir.path(), None);
//! let changelog = root.resolve("changelog.path", "CHANGELOG.md".as_ref())?;
//! paths::write(&changelog, b"# Changelog\n")?;
//! assert_eq!(paths::read(&changelog)?.as_deref(), Some(&b"# Changelog\n"[..]));
//! assert!(root.resolve("changelog.path", "../CHANGELOG.md".as_ref()).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod file;
mod root;

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Deserializer};

pub use file::{FileKind, read, replace, write, write_with};
pub use root::Root;

/// What a root is, for the rules that differ and for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RootKind {
    /// The work tree: `.git` is off limits.
    WorkTree,
    /// `$GIT_DIR` of a bare repository (a server): git's own files are off limits.
    GitDir,
}

/// Why a configured path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Escape {
    /// The path is empty (or only `.`).
    Empty,
    /// An absolute path.
    Absolute,
    /// It has a `..` component.
    Parent,
    /// It names git's own files: `.git`, or in `$GIT_DIR` one of `objects`, `refs`, `hooks`, ...
    GitData {
        /// The offending part, as written.
        name: String,
    },
    /// A symlink is on the way (or is the file itself).
    Symlink {
        /// The symlink, relative to the root.
        at: PathBuf,
        /// Whether the symlink is the file itself rather than a directory on the way.
        last: bool,
    },
}

impl fmt::Display for Escape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Escape::Empty => f.write_str("is empty"),
            Escape::Absolute => f.write_str("is an absolute path"),
            Escape::Parent => f.write_str("goes up with `..`"),
            Escape::GitData { name } => write!(f, "is inside git's own files (`{name}`)"),
            Escape::Symlink { last: true, .. } => f.write_str("is a symlink"),
            Escape::Symlink { at, .. } => write!(f, "passes through the symlink {}", at.display()),
        }
    }
}

/// Why a path was refused or a file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path in rel.toml leaves its root, reaches git's own files or passes through a symlink.
    #[error("rel.toml: {key} = \"{}\" {reason}: {}", path.display(), rule(Some(*root)))]
    Outside {
        /// The key, e.g. `changelog.path` or `release.files[1].path`.
        key: String,
        /// The path as configured.
        path: PathBuf,
        /// What is wrong with it.
        reason: Escape,
        /// What it is relative to.
        root: RootKind,
    },
    /// The file exists and is not a regular file.
    #[error("{} is {kind}, not a regular file: rel reads and writes only regular files", path.display())]
    NotRegularFile {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        kind: FileKind,
    },
    /// The file (or a directory on its way) could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The file could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
}

/// The rule a refused path broke, for messages; `None` when the root is not known yet.
fn rule(root: Option<RootKind>) -> &'static str {
    match root {
        Some(RootKind::WorkTree) => {
            "paths in rel.toml are relative to the work tree root and must stay inside it, out of .git and off symlinks"
        }
        Some(RootKind::GitDir) => {
            "paths in rel.toml are relative to $GIT_DIR and must stay inside it, out of git's own files and off symlinks"
        }
        None => {
            "paths in rel.toml are relative to the work tree root ($GIT_DIR on a server) and must stay inside it"
        }
    }
}

/// The checks that need no file system: not absolute, no `..`, no `.git` component.
///
/// ```
/// use relcore::paths::{Escape, check};
/// assert_eq!(check("docs/CHANGELOG.md".as_ref()), Ok(()));
/// assert_eq!(check("/etc/passwd".as_ref()), Err(Escape::Absolute));
/// assert_eq!(check("a/../../b".as_ref()), Err(Escape::Parent));
/// assert_eq!(check(".git/hooks/pre-commit".as_ref()), Err(Escape::GitData { name: ".git".into() }));
/// ```
///
/// # Errors
/// The first [`Escape`] found.
pub fn check(path: &Path) -> Result<(), Escape> {
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => return Err(Escape::Absolute),
            Component::ParentDir => return Err(Escape::Parent),
            Component::CurDir => {}
            Component::Normal(name) if is_dot_git(name) => {
                return Err(Escape::GitData {
                    name: name.to_string_lossy().into_owned(),
                });
            }
            Component::Normal(_) => {}
        }
    }
    Ok(())
}

/// The message of [`check`]'s refusal while rel.toml is read, before the root is known.
pub(crate) fn check_message(path: &Path, reason: &Escape) -> String {
    format!("\"{}\" {reason}: {}", path.display(), rule(None))
}

fn is_dot_git(name: &OsStr) -> bool {
    name.eq_ignore_ascii_case(".git")
}

/// A path of rel.toml, read: refused here, with its line, when absolute, going up with `..` or
/// into `.git`; the rest (symlinks) is checked where it is resolved ([`Root::resolve`]).
pub(crate) fn confined<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    let path = PathBuf::deserialize(d)?;
    check(&path).map_err(|reason| serde::de::Error::custom(check_message(&path, &reason)))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_checks() {
        assert_eq!(check(Path::new("a/./b")), Ok(()));
        assert_eq!(check(Path::new("a/.github/x")), Ok(()));
        assert_eq!(
            check(Path::new("docs/.GIT/x")),
            Err(Escape::GitData {
                name: ".GIT".into()
            })
        );
        assert_eq!(check(Path::new("a/..")), Err(Escape::Parent));
    }
}
