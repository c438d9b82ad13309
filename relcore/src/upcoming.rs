//! The release in the making: its base, the commits since, and the next version (`rel next`,
//! `rel log`).

use gix::ObjectId;
use semver::Version;

use crate::commit::{self, Kind, Message};
use crate::config::Config;
use crate::history::{self, ReleaseTag, Repo, Warning};
use crate::version::{self, Bump, InvalidLabel};

/// Why the next release could not be worked out.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # git(&["init", "-q", "-b", "main"])?;
/// use relcore::{HistoryError, Options, UpcomingError};
/// // A repository without commits yet.
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = relcore::Config::default();
/// let err = relcore::upcoming(&repo, &config, &Options::default()).unwrap_err();
/// assert!(matches!(err, UpcomingError::History(HistoryError::UnbornHead { .. })));
/// let err = relcore::upcoming(&repo, &config, &Options::pre("release candidate")).unwrap_err();
/// assert!(matches!(err, UpcomingError::Label(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the repository failed.
    #[error(transparent)]
    History(#[from] history::Error),
    /// The `--pre` label is not usable.
    #[error(transparent)]
    Label(#[from] InvalidLabel),
}

/// Tunables of [`upcoming`].
///
/// ```
/// use relcore::Options;
/// assert_eq!(Options::default().pre, None); // a stable release
/// assert_eq!(Options::pre("rc").pre.as_deref(), Some("rc"));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// Make a pre-release with this label (`rc` gives `1.3.0-rc.1`, then `1.3.0-rc.2`, ...).
    pub pre: Option<String>,
}

impl Options {
    /// Options for a pre-release labelled `label`.
    pub fn pre(label: impl Into<String>) -> Self {
        Self {
            pre: Some(label.into()),
        }
    }
}

/// The upcoming release, as `rel next` reports it.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// let repo = relcore::Repo::discover(dir.path())?;
/// let upcoming = relcore::upcoming(&repo, &repo.load_config()?, &relcore::Options::default())?;
/// assert_eq!(upcoming.base.map(|tag| tag.name).as_deref(), Some("v0.1.0"));
/// assert_eq!((upcoming.commits, upcoming.conventional), (1, 1));
/// assert_eq!(upcoming.tag.as_deref(), Some("v0.1.1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Upcoming {
    /// The base release: the highest stable release tag that HEAD contains.
    pub base: Option<ReleaseTag>,
    /// The largest bump among the commits since the base, as applied (the zero-major rule turns
    /// a breaking change on `0.x` into a minor bump unless `zero_major_breaking = "major"`).
    pub bump: Bump,
    /// The next version; `None` when there is nothing to release.
    pub next: Option<Version>,
    /// The tag the next version gets.
    pub tag: Option<String>,
    /// Commits since the base (`base..HEAD`, merges included).
    pub commits: usize,
    /// How many of them are Conventional Commits.
    pub conventional: usize,
    /// Odd tags met on the way.
    pub warnings: Vec<Warning>,
}

impl Upcoming {
    /// The current version: the base release's.
    pub fn current(&self) -> Option<&Version> {
        self.base.as_ref().map(|b| &b.version)
    }
}

/// Works out the next release from HEAD, per the version rules.
///
/// Streams the history once: memory stays flat however many commits there are.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = repo.load_config()?;
/// let upcoming = relcore::upcoming(&repo, &config, &relcore::Options::default())?;
/// assert_eq!(upcoming.current().map(ToString::to_string).as_deref(), Some("0.1.0"));
/// assert_eq!((upcoming.bump, upcoming.commits), (relcore::Bump::Patch, 1));
/// assert_eq!(upcoming.next.map(|v| v.to_string()).as_deref(), Some("0.1.1"));
/// let rc = relcore::upcoming(&repo, &config, &relcore::Options::pre("rc"))?;
/// assert_eq!(rc.tag.as_deref(), Some("v0.1.1-rc.1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// When the repository cannot be read (no commits, shallow history) or the label is invalid.
pub fn upcoming(repo: &Repo, config: &Config, options: &Options) -> Result<Upcoming, Error> {
    if let Some(label) = &options.pre {
        // Reject a bad label before any work.
        version::next_prerelease(&Version::new(0, 0, 0), label, [])?;
    }
    let head = repo.head()?;
    let tags = repo.release_tags(&config.version.tag_prefix)?;
    let (
        history::Base {
            tag: base,
            warnings,
        },
        (raw_bump, commits, conventional),
    ) = repo.walk_since_release(
        head.id,
        &tags,
        false,
        || (Bump::None, 0usize, 0usize),
        |(bump, commits, conventional), c| {
            *commits += 1;
            if c.is_merge() {
                return;
            }
            let (kind, b) = commit::classify(&commit::lossy_text(c.message), &config.commits);
            *conventional += usize::from(kind == Kind::Conventional);
            *bump = (*bump).max(b);
        },
    )?;

    let vc = &config.version;
    let major = base.as_ref().map_or(vc.initial.major, |b| b.version.major);
    let bump = raw_bump.effective(major, vc.zero_major_breaking);
    let mut next = version::next_stable(base.as_ref().map(|b| &b.version), bump, vc);
    if let (Some(stable), Some(label)) = (&next, &options.pre) {
        next = Some(version::next_prerelease(
            stable,
            label,
            tags.iter().map(|t| &t.version),
        )?);
    }
    let tag = next.as_ref().map(|v| version::tag_name(v, &vc.tag_prefix));
    Ok(Upcoming {
        base,
        bump,
        next,
        tag,
        commits,
        conventional,
        warnings,
    })
}

/// One commit of a log, parsed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoggedCommit {
    /// Its id.
    pub id: ObjectId,
    /// Its first line.
    pub summary: String,
    /// The parsed message (a commit with several parents is always a merge).
    pub message: Message,
    /// The bump it causes.
    pub bump: Bump,
}

impl LoggedCommit {
    /// What kind of message it has.
    pub fn kind(&self) -> Kind {
        self.message.kind()
    }
}

/// The commits of a log and the range they came from.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// let repo = relcore::Repo::discover(dir.path())?;
/// let log = relcore::log(&repo, &repo.load_config()?, Some("v0.1.0..HEAD"))?;
/// assert_eq!(log.range, "v0.1.0..HEAD");
/// assert_eq!(log.commits[0].kind(), relcore::Kind::Conventional);
/// assert!(log.warnings.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Log {
    /// The range walked, e.g. `v1.2.0..HEAD`.
    pub range: String,
    /// The commits, newest first.
    pub commits: Vec<LoggedCommit>,
    /// Odd tags met on the way.
    pub warnings: Vec<Warning>,
}

/// The commits of `range` (`A..B`, `A..`, `..B`, or one revision meaning all its history), or by
/// default those since the base release, each parsed with the bump it causes.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = repo.load_config()?;
/// let log = relcore::log(&repo, &config, None)?;
/// assert_eq!(log.commits.len(), 1);
/// assert_eq!(log.commits[0].summary, "fix(io): retry on EINTR");
/// assert_eq!(log.commits[0].bump, relcore::Bump::Patch);
/// let all = relcore::log(&repo, &config, Some("HEAD"))?;
/// assert_eq!(all.commits.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// When a revision does not resolve or history cannot be read.
pub fn log(repo: &Repo, config: &Config, range: Option<&str>) -> Result<Log, Error> {
    let (range, tip, hidden, warnings) = match range {
        Some(spec) => {
            let (tip, hidden) = repo.range(spec)?;
            (spec.to_owned(), tip, hidden, Vec::new())
        }
        None => {
            let head = repo.head()?;
            let tags = repo.release_tags(&config.version.tag_prefix)?;
            let base = repo.base(&tags, head.id)?;
            let range = match &base.tag {
                Some(b) => format!("{}..HEAD", b.name),
                None => "HEAD".to_owned(),
            };
            (range, head.id, base.tag.map(|b| b.commit), base.warnings)
        }
    };
    let mut commits = Vec::new();
    repo.walk(tip, hidden, |c| {
        let text = commit::lossy_text(c.message);
        let message = if c.is_merge() {
            Message::Git(Kind::Merge)
        } else {
            Message::parse(&text)
        };
        commits.push(LoggedCommit {
            id: c.id,
            summary: commit::header(&text).to_owned(),
            bump: message.bump(&config.commits),
            message,
        });
    })?;
    Ok(Log {
        range,
        commits,
        warnings,
    })
}
