//! Reading the repository with gix: release tags, the base release, and the commits since.

use std::path::PathBuf;

use gix::ObjectId;
use semver::Version;

mod ancestry;
mod error;
mod open;
mod revspec;
mod tags;
mod walk;

use error::read_err;
pub use error::{Error, ReadSubject};

/// A tag named `<tag_prefix><semver>`, as listed: not yet followed to what it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TagRef {
    /// The tag's short name, e.g. `v1.2.3`.
    pub name: String,
    /// The version it names.
    pub version: Version,
    /// What the reference points at: a tag object (annotated) or a commit (lightweight).
    pub target: ObjectId,
}

/// A release tag followed to the commit it marks.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// let repo = relcore::Repo::discover(dir.path())?;
/// let listed = repo.release_tags("v")?;
/// let tag = repo.peel(&listed[0])?.expect("v0.1.0 marks a commit");
/// assert_eq!((tag.name.as_str(), tag.version.to_string(), tag.annotated), ("v0.1.0", "0.1.0".into(), true));
/// assert_eq!(tag.commit, repo.resolve("HEAD~1")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReleaseTag {
    /// The tag's short name, e.g. `v1.2.3`.
    pub name: String,
    /// The version it names.
    pub version: Version,
    /// The commit it points at.
    pub commit: ObjectId,
    /// What the reference points at: the tag object when annotated, else the commit.
    pub target: ObjectId,
    /// Whether it is an annotated tag (a tag object) rather than a lightweight one.
    pub annotated: bool,
}

/// Something odd found while reading, that did not stop the reading.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # git(&["init", "-q", "-b", "main"])?;
/// # git(&["commit", "-q", "--allow-empty", "-m", "feat: first"])?;
/// # git(&["tag", "v9.9.9", "HEAD^{tree}"])?;
/// // v9.9.9 names a tree.
/// let repo = relcore::Repo::discover(dir.path())?;
/// let listed = repo.release_tags("v")?;
/// let warning = repo.peel(&listed[0])?.unwrap_err();
/// assert_eq!(
///     warning.to_string(),
///     "tag `v9.9.9` looks like a release but points at a tree, not a commit; ignored"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Warning {
    /// A tag with a release name that points at a tree or blob; it is ignored.
    #[error("tag `{tag}` looks like a release but points at a {kind}, not a commit; ignored")]
    TagNotOnCommit {
        /// The tag's short name.
        tag: String,
        /// `tree` or `blob`.
        kind: String,
    },
}

/// The base release and what was odd about the tags examined to find it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Base {
    /// The highest stable release tag HEAD contains, if any.
    pub tag: Option<ReleaseTag>,
    /// Release-named tags that were examined and ignored.
    pub warnings: Vec<Warning>,
}

/// What HEAD points at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Head {
    /// The commit.
    pub id: ObjectId,
    /// The branch (`main`), or `None` when HEAD is detached.
    pub branch: Option<String>,
}

/// Commits read while finding releases and walking ranges, kept from one search or walk to the
/// next on the same repository (up to a bound), so that a changelog reads each commit about
/// once.
#[derive(Default)]
pub(crate) struct CommitCache {
    store: ancestry::Store,
    /// The commit-graph file, once looked for.
    graph: Option<Option<gix::commitgraph::Graph>>,
    /// The shallow boundary, once read.
    shallow: Option<Vec<ObjectId>>,
}

impl std::fmt::Debug for CommitCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitCache")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// A commit met while walking history.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct WalkedCommit<'a> {
    /// Its id.
    pub id: ObjectId,
    /// Its parents (more than one: a merge).
    pub parent_ids: &'a [ObjectId],
    /// The raw message bytes (perhaps not UTF-8).
    pub message: &'a [u8],
    /// The whole raw commit object, for [`WalkedCommit::author`].
    pub data: &'a [u8],
    hash: gix::hash::Kind,
}

/// An object that cannot be read or decoded, and why.
#[derive(Debug, Clone)]
pub(crate) struct ObjectProblem {
    pub(crate) id: ObjectId,
    pub(crate) reason: String,
}

/// A commit decoded in full: what the push gate needs of it.
#[derive(Debug, Clone)]
pub(crate) struct DecodedCommit {
    pub(crate) parents: usize,
    pub(crate) message: String,
}

/// A person and a moment, from a commit's author line or a tag's tagger line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signature {
    /// The name, lossily decoded.
    pub name: String,
    /// The e-mail address, lossily decoded.
    pub email: String,
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// The time zone offset in seconds east of UTC.
    pub offset: i32,
}

impl Signature {
    fn from_gix(s: gix::actor::SignatureRef<'_>) -> Option<Self> {
        let time = s.time().ok()?;
        Some(Self {
            name: s.name.to_string(),
            email: s.email.to_string(),
            seconds: time.seconds,
            offset: time.offset,
        })
    }

    /// The date in the signer's time zone, `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        gix::date::Time::new(self.seconds, self.offset)
            .format_or_unix(gix::date::time::format::SHORT)
    }
}

impl<'a> WalkedCommit<'a> {
    /// The commit `id` of raw object `data`, as read before.
    pub(crate) fn from_raw(
        id: ObjectId,
        parent_ids: &'a [ObjectId],
        data: &'a [u8],
        hash: gix::hash::Kind,
    ) -> Self {
        WalkedCommit {
            id,
            parent_ids,
            message: message_of(data),
            data,
            hash,
        }
    }

    /// The hash kind of its id.
    pub(crate) fn hash(&self) -> gix::hash::Kind {
        self.hash
    }

    /// Whether it is a merge commit (more than one parent).
    pub fn is_merge(&self) -> bool {
        self.parent_ids.len() > 1
    }

    /// The author, if the commit's author line can be read.
    pub fn author(&self) -> Option<Signature> {
        // Straight to the header line; the full parse when it is not where git writes it.
        let line = self
            .data
            .split(|b| *b == b'\n')
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix(b"author "));
        if let Some(signature) = line.and_then(|l| gix::actor::SignatureRef::from_bytes(l).ok()) {
            return Signature::from_gix(signature);
        }
        let commit = gix::objs::CommitRefIter::from_bytes(self.data, self.hash);
        Signature::from_gix(commit.author().ok()?)
    }
}

/// A git repository, opened for reading release history.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// let repo = relcore::Repo::discover(dir.path())?;
/// assert_eq!(repo.head()?.branch.as_deref(), Some("main"));
/// assert_eq!(repo.release_tags("v")?.len(), 1);
/// assert!(repo.is_ancestor(repo.resolve("v0.1.0")?, repo.resolve("HEAD")?)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Repo {
    repo: gix::Repository,
    /// A throwaway view directory this handle reads through (see [`Repo::open_receiving`]).
    view: Option<std::sync::Arc<tempfile::TempDir>>,
    /// The quarantine of a push being received, for git commands run on this repository.
    quarantine: Option<PathBuf>,
    /// The real git dir behind a receiving view.
    cli_dir: Option<PathBuf>,
}

/// The message of a raw commit object: everything after the headers (as gix's
/// `message_raw_sloppy`).
fn message_of(data: &[u8]) -> &[u8] {
    use gix::bstr::ByteSlice as _;
    data.find(b"\n\n").map_or(&[], |at| &data[at + 2..])
}
