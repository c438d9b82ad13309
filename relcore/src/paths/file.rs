//! Reading and writing the files rel is pointed at: regular files only, replaced atomically.

use std::fmt;
use std::fs::{self, Metadata};
use std::io::{self, Read as _, Write};
use std::path::Path;

use super::Error;

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

#[cfg(test)]
mod tests {
    use super::*;

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
