//! Why the repository could not be read, and what was being read.

use std::fmt;
use std::path::PathBuf;

use gix::ObjectId;

/// An error of the git library underneath, kept as a source without naming its type.
type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why the repository could not be read.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # git(&["init", "-q", "-b", "main"])?;
/// // A repository without commits yet.
/// let repo = relcore::Repo::discover(dir.path())?;
/// let err = repo.head().unwrap_err();
/// assert!(matches!(&err, relcore::HistoryError::UnbornHead { branch } if branch == "main"));
/// assert!(err.to_string().starts_with("the repository has no commits yet (HEAD is `main`"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No git repository at or above the directory.
    #[error("not a git repository (or any parent up to the filesystem root): {}", path.display())]
    NotARepository {
        /// The directory searched from.
        path: PathBuf,
        /// What the git library said.
        #[source]
        source: Source,
    },
    /// The repository has no commits yet.
    #[error(
        "the repository has no commits yet (HEAD is `{branch}`, which does not exist): make a first commit"
    )]
    UnbornHead {
        /// The branch HEAD names.
        branch: String,
    },
    /// The history is cut off by a shallow clone before the walk could finish.
    #[error(
        "the history is shallow: commit {commit} has parents this clone does not have, so the commits since the last release cannot be counted; fetch the full history with `git fetch --unshallow --tags`"
    )]
    Shallow {
        /// The commit at the shallow boundary.
        commit: ObjectId,
    },
    /// A revision given by the user does not name a commit.
    #[error("`{spec}` does not name a commit: {reason}")]
    BadRevision {
        /// The revision as given.
        spec: String,
        /// Why not.
        reason: String,
    },
    /// A range was not of the form `A..B`, `A..`, `..B` or a single revision.
    #[error(
        "`{spec}` is not a range: use `A..B` (commits in B not in A), `A..`, `..B` or a single revision"
    )]
    BadRange {
        /// The range as given.
        spec: String,
    },
    /// A git command run to read the repository failed.
    #[error(transparent)]
    Git(#[from] crate::git::Error),
    /// Reading an object or reference failed.
    #[error("cannot read {what}")]
    Read {
        /// What was being read.
        what: ReadSubject,
        /// What the git library said.
        #[source]
        source: Source,
    },
}

/// What was being read when reading the repository failed ([`Error::Read`]).
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// use relcore::{HistoryError, ReadSubject};
/// let repo = relcore::Repo::discover(dir.path())?;
/// let tag = repo.peel(&repo.release_tags("v")?[0])?.expect("v0.1.0 marks a commit");
/// // The tag object goes missing.
/// let hex = tag.target.to_string();
/// std::fs::remove_file(dir.path().join(".git/objects").join(&hex[..2]).join(&hex[2..]))?;
/// let err = relcore::Repo::discover(dir.path())?.tag_signature(&tag).unwrap_err();
/// assert!(matches!(&err, HistoryError::Read { what: ReadSubject::Tag(name), .. } if name == "v0.1.0"));
/// assert_eq!(err.to_string(), "cannot read tag v0.1.0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadSubject {
    /// `HEAD`.
    Head,
    /// The list of references.
    References,
    /// The list of tags.
    Tags,
    /// The reference of this full name, e.g. `refs/heads/main`.
    Reference(String),
    /// The release tag of this short name, e.g. `v1.2.0`: its tag object or its commit.
    Tag(String),
    /// The shallow boundary of a shallow clone (`$GIT_DIR/shallow`).
    ShallowFile,
    /// The history reachable from this commit.
    History(ObjectId),
    /// This commit.
    Commit(ObjectId),
    /// The tree of the commit this revision names.
    Tree(String),
    /// The object at `path` in the tree of the commit `rev` names.
    TreeEntry {
        /// The revision, as given.
        rev: String,
        /// The path in its tree.
        path: PathBuf,
    },
    /// An entry of the release record: the commit `id` on the ref `reference`.
    Entry {
        /// The entry's commit.
        id: ObjectId,
        /// The record's ref.
        reference: String,
    },
}

impl fmt::Display for ReadSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadSubject::Head => f.write_str("HEAD"),
            ReadSubject::References => f.write_str("the references"),
            ReadSubject::Tags => f.write_str("the tags"),
            ReadSubject::Reference(name) => f.write_str(name),
            ReadSubject::Tag(name) => write!(f, "tag {name}"),
            ReadSubject::ShallowFile => f.write_str("the shallow file"),
            ReadSubject::History(id) => write!(f, "the history of {}", id.to_hex_with_len(7)),
            ReadSubject::Commit(id) => write!(f, "commit {id}"),
            ReadSubject::Tree(rev) => write!(f, "the tree of {rev}"),
            ReadSubject::TreeEntry { rev, path } => write!(f, "{rev}:{}", path.display()),
            ReadSubject::Entry { id, reference } => write!(f, "entry {id} of {reference}"),
        }
    }
}

impl Error {
    /// A failed read of `what`, for what the git library said.
    pub(crate) fn read(
        what: ReadSubject,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Read {
            what,
            source: Box::new(source),
        }
    }

    /// No repository at `path`, for what the git library said.
    pub(crate) fn not_a_repository(
        path: PathBuf,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::NotARepository {
            path,
            source: Box::new(source),
        }
    }
}

/// [`Error::read`] of `what`, for `map_err`.
pub(super) fn read_err<E: std::error::Error + Send + Sync + 'static>(
    what: ReadSubject,
) -> impl FnOnce(E) -> Error {
    move |source| Error::read(what, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_read_names_what_was_being_read() {
        let id: ObjectId = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
            .parse()
            .expect("an id");
        let cases = [
            (ReadSubject::Head, "cannot read HEAD"),
            (ReadSubject::References, "cannot read the references"),
            (ReadSubject::Tags, "cannot read the tags"),
            (
                ReadSubject::Reference("refs/heads/main".into()),
                "cannot read refs/heads/main",
            ),
            (ReadSubject::Tag("v1.2.0".into()), "cannot read tag v1.2.0"),
            (ReadSubject::ShallowFile, "cannot read the shallow file"),
            (
                ReadSubject::History(id),
                "cannot read the history of 1a2b3c4",
            ),
            (
                ReadSubject::Commit(id),
                "cannot read commit 1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
            ),
            (
                ReadSubject::Tree("main~1".into()),
                "cannot read the tree of main~1",
            ),
            (
                ReadSubject::TreeEntry {
                    rev: "main".into(),
                    path: "keys/ops.asc".into(),
                },
                "cannot read main:keys/ops.asc",
            ),
            (
                ReadSubject::Entry {
                    id,
                    reference: "refs/rel/record".into(),
                },
                "cannot read entry 1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d of refs/rel/record",
            ),
        ];
        for (what, expected) in cases {
            let err = Error::read(what, std::io::Error::other("disk on fire"));
            assert_eq!(err.to_string(), expected);
            let source = std::error::Error::source(&err).expect("the source is kept");
            assert_eq!(source.to_string(), "disk on fire");
        }
    }
}
