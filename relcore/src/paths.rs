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
//! temporary file and a rename. A new file gets the permissions the umask leaves of `0666`
//! (`0777` for executables), an existing one keeps its own.

use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, Metadata};
use std::io::{self, Read as _, Write};
use std::path::{Component, Path, PathBuf};

use crate::history::Repo;

/// What a root is, for the rules that differ and for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RootKind {
    /// The work tree: `.git` is off limits.
    WorkTree,
    /// `$GIT_DIR` of a bare repository (a server): git's own files are off limits.
    GitDir,
}

/// The directory the paths of rel.toml are relative to.
#[derive(Debug, Clone)]
pub struct Root {
    dir: PathBuf,
    kind: RootKind,
    git_dir: Option<PathBuf>,
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

/// What a file that is not a regular file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A symbolic link.
    Symlink,
    /// A directory.
    Directory,
    /// A named pipe.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// Anything else.
    Other,
}

impl FileKind {
    fn of(meta: &Metadata) -> Option<FileKind> {
        let ty = meta.file_type();
        if ty.is_file() {
            return None;
        }
        if ty.is_symlink() {
            return Some(FileKind::Symlink);
        }
        if ty.is_dir() {
            return Some(FileKind::Directory);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if ty.is_fifo() {
                return Some(FileKind::Fifo);
            }
            if ty.is_socket() {
                return Some(FileKind::Socket);
            }
            if ty.is_char_device() {
                return Some(FileKind::CharDevice);
            }
            if ty.is_block_device() {
                return Some(FileKind::BlockDevice);
            }
        }
        Some(FileKind::Other)
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Symlink => "a symlink",
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a FIFO",
            FileKind::Socket => "a socket",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Other => "a special file",
        })
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

    /// The root of `repo`: [`Repo::root`].
    pub fn of(repo: &Repo) -> Self {
        repo.root()
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

/// Refuses anything but a regular file.
fn regular(path: &Path, meta: &Metadata) -> Result<(), Error> {
    match FileKind::of(meta) {
        None => Ok(()),
        Some(kind) => Err(Error::NotRegularFile {
            path: path.to_owned(),
            kind,
        }),
    }
}

/// The bytes of the regular file at `path`; `None` when nothing is there. A symlink, FIFO,
/// device or directory is refused before it is opened.
///
/// # Errors
/// [`Error::NotRegularFile`], or [`Error::Read`] when reading fails.
pub fn read(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    let read_err = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(read_err(source)),
    };
    regular(path, &meta)?;
    let mut file = fs::File::open(path).map_err(read_err)?;
    // The file opened must be the one looked at, not something swapped in since.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let opened = file.metadata().map_err(read_err)?;
        if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
            return Err(Error::NotRegularFile {
                path: path.to_owned(),
                kind: FileKind::of(&opened).unwrap_or(FileKind::Other),
            });
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(read_err)?;
    Ok(Some(bytes))
}

/// Replaces (or creates) the regular file at `path` with `bytes`, atomically.
///
/// # Errors
/// As [`write_with`].
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_with(path, false, |out| {
        out.write_all(bytes).map_err(|source| Error::Write {
            path: path.to_owned(),
            source,
        })
    })
}

/// Replaces (or creates) the regular file at `path` with what `fill` writes: into a temporary
/// file beside it, renamed over it at the end, so the file is never half-written and nothing
/// is written through a symlink. `executable` makes a new file `0777` less the umask instead of
/// `0666`, and gives an existing one execute permission where it has read permission.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("CHANGELOG.md");
/// relcore::paths::write(&path, b"# Changelog\n")?;
/// assert_eq!(relcore::paths::read(&path)?.as_deref(), Some(&b"# Changelog\n"[..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::NotRegularFile`] before anything is written when something other than a regular
/// file is at `path`; [`Error::Write`] when the file cannot be written; `fill`'s own error.
pub fn write_with<E: From<Error>>(
    path: &Path,
    executable: bool,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Write { path, source }
    };
    let existing = match fs::symlink_metadata(path) {
        Ok(meta) => {
            regular(path, &meta)?;
            Some(meta.permissions())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => return Err(write_err(path)(source).into()),
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".rel-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Created with this mode, the OS takes the umask off, as for any new file.
        builder.permissions(fs::Permissions::from_mode(if executable {
            0o777
        } else {
            0o666
        }));
    }
    let mut tmp = builder.tempfile_in(parent).map_err(write_err(path))?;
    {
        let mut out = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut out)?;
        out.flush().map_err(write_err(path))?;
    }
    if let Some(mut permissions) = existing {
        #[cfg(unix)]
        if executable {
            use std::os::unix::fs::PermissionsExt;
            let mode = permissions.mode();
            permissions.set_mode(mode | ((mode & 0o444) >> 2));
        }
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(write_err(path))?;
    }
    tmp.persist(path).map_err(|e| write_err(path)(e.error))?;
    Ok(())
}

/// Moves the file `staged` (written out of sight, e.g. in a scratch directory) over `target` in
/// one rename, so `target` is never half-written. When the two lie on different file systems,
/// `target` is replaced through a temporary file beside it instead ([`write_with`]), still in
/// one rename, keeping `target`'s permissions.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let (staged, target) = (dir.path().join("next"), dir.path().join("CHANGELOG.md"));
/// std::fs::write(&staged, "# Changelog\n")?;
/// relcore::paths::replace(&staged, &target)?;
/// assert_eq!(std::fs::read_to_string(&target)?, "# Changelog\n");
/// assert!(!staged.exists());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::Write`] when `target` cannot be replaced; [`Error::NotRegularFile`] when the copy
/// across file systems meets something other than a regular file at `target`; [`Error::Read`]
/// when `staged` cannot be read for that copy.
pub fn replace(staged: &Path, target: &Path) -> Result<(), Error> {
    match fs::rename(staged, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
            let mut from = fs::File::open(staged).map_err(|source| Error::Read {
                path: staged.to_owned(),
                source,
            })?;
            write_with(target, false, |out| {
                io::copy(&mut from, out)
                    .map(drop)
                    .map_err(|source| Error::Write {
                        path: target.to_owned(),
                        source,
                    })
            })?;
            // The copy is in place; the staged file is left for its scratch directory's cleanup.
            Ok(())
        }
        Err(source) => Err(Error::Write {
            path: target.to_owned(),
            source,
        }),
    }
}

impl Repo {
    /// The root the paths of its rel.toml are relative to: its work tree, else (bare) its git
    /// directory.
    pub fn root(&self) -> Root {
        let git_dir = self.gix().git_dir().to_owned();
        match self.work_dir() {
            Some(work) => Root::work_tree(work, Some(git_dir)),
            None => Root::git_dir(git_dir),
        }
    }
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

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read_or_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("target");
        fs::write(&target, "kept").expect("write");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        assert!(matches!(
            read(&link),
            Err(Error::NotRegularFile {
                kind: FileKind::Symlink,
                ..
            })
        ));
        assert!(matches!(
            write(&link, b"x"),
            Err(Error::NotRegularFile { .. })
        ));
        assert!(matches!(
            write(dir.path(), b"x"),
            Err(Error::NotRegularFile {
                kind: FileKind::Directory,
                ..
            })
        ));
        assert_eq!(fs::read(&target).expect("read"), b"kept");
        assert_eq!(read(&dir.path().join("none")).expect("fine"), None);
    }
}
