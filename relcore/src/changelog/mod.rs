//! The changelog and release notes: the release/commit context (a documented, stable data
//! model), reading it from history, and rendering it with minijinja templates.
//!
//! A changelog is built release by release, newest first, each release rendered on its own with
//! the changelog template, so memory stays bounded by the largest release however long the
//! history.
//!
//! The whole changelog of a repository, as `rel changelog --all` renders it:
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
//! #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
//! #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
//! # };
//! # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
//! use relcore::changelog::{self, Mode};
//! let repo = relcore::Repo::discover(dir.path())?;
//! let config = repo.load_config()?;
//! let sections = changelog::update(&repo, &config, Mode::All, None)?.sections(|_release| {})?;
//! assert!(sections[0].starts_with("## [Unreleased]") && sections[1].starts_with("## [0.1.0]"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod collect;
mod context;
mod file;
mod links;
mod mentions;
mod render;
mod update;

pub(crate) use collect::build_release;
pub use context::{Counts, Entry, Group, Person, Reference, Release};

pub(crate) use file::{DEFAULT_INTRO, Layout, insert_sections, layout, separator};
pub(crate) use links::Links;
pub(crate) use render::render_source;
pub use render::{TemplateError, TemplateKind, Templates};
pub use update::{Mode, Outcome, Update, update};

use gix::ObjectId;

use crate::config::Config;
use crate::history::{self, CommitCache, ReleaseTag, Repo, TagRef, Warning};
use crate::paths::Root;
use crate::version;

/// Why a changelog or release notes could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the repository failed.
    #[error(transparent)]
    History(#[from] history::Error),
    /// A template failed to load or render.
    #[error("template {name}{}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Template {
        /// The template: a built-in name or the file configured.
        name: String,
        /// The line of the fault, when known.
        line: Option<usize>,
        /// What the template engine said, shown with an excerpt of the template.
        #[source]
        source: TemplateError,
    },
    /// A file (template, known issues) could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A configured path leaves the work tree, or a file is not a regular file.
    #[error(transparent)]
    Path(#[from] crate::paths::Error),
    /// The version asked for has no release tag.
    #[error("no release tag for version {version} (looked for `{tag}`)")]
    NoSuchRelease {
        /// The version as given.
        version: String,
        /// The tag name looked for.
        tag: String,
    },
}

/// The commits of one release: `hidden..tip`, for the release `tag` (`None`: unreleased).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReleaseRange {
    /// The release's tag; `None` for the unreleased commits at HEAD.
    pub tag: Option<ReleaseTag>,
    /// The release before it (the previous stable release for a stable one, the previous
    /// release of any kind for a pre-release or the unreleased commits).
    pub previous: Option<ReleaseTag>,
    /// Where the walk starts.
    pub tip: ObjectId,
    /// For unreleased commits about to be released: the version, tag and date they will get.
    pub planned: Option<Planned>,
}

/// The version, tag and date a release being prepared will get.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Planned {
    /// The version.
    pub version: semver::Version,
    /// Its tag name.
    pub tag: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

impl Planned {
    /// A release of `version` under `prefix`, dated today.
    pub fn today(version: semver::Version, prefix: &str) -> Self {
        Self {
            tag: version::tag_name(&version, prefix),
            version,
            date: today(),
        }
    }
}

/// The releases of HEAD's history, newest first: the unreleased commits (when there are any),
/// then every release tag HEAD contains, each built with the commits it brought.
///
/// A stable release covers everything since the previous *stable* release, so `1.3.0` lists
/// what its release candidates already listed; a pre-release covers what came since the
/// release just before it. Each commit is read about once: the commits read while finding a
/// release's previous one and walking its range are kept for the releases below (up to a bound).
#[derive(Debug)]
pub struct Releases<'r> {
    repo: &'r Repo,
    config: &'r Config,
    links: Option<Links>,
    tags: Vec<TagRef>,
    /// The next release to build: `None` for the unreleased commits at HEAD.
    next: Option<Option<ReleaseTag>>,
    /// Commits read so far, for the releases below.
    cache: CommitCache,
    /// Commits parsed for the pre-releases below (in [`Releases::next_release`]).
    known: collect::Known,
    /// Odd tags met so far.
    pub warnings: Vec<Warning>,
}

impl<'r> Releases<'r> {
    /// Starts at HEAD.
    ///
    /// # Errors
    /// When HEAD or the tags cannot be read.
    pub fn new(repo: &'r Repo, config: &'r Config) -> Result<Self, Error> {
        let tags = repo.release_tags(&config.version.tag_prefix)?;
        Ok(Releases {
            repo,
            config,
            links: links(repo, config),
            tags,
            next: Some(None),
            cache: CommitCache::default(),
            known: collect::Known::default(),
            warnings: Vec::new(),
        })
    }

    /// What [`Releases::next_release`] builds next, without building it: `None` at the end,
    /// `Some(None)` for the unreleased commits, else the release's tag. (The unreleased commits
    /// may turn out to be none, when HEAD is a release.)
    pub fn peek(&self) -> Option<Option<&ReleaseTag>> {
        self.next.as_ref().map(Option::as_ref)
    }

    /// The next release, newest first, with its range; `None` after the oldest.
    ///
    /// # Errors
    /// When history cannot be read or a template value cannot be built.
    pub fn next_release(&mut self) -> Result<Option<(ReleaseRange, Release)>, Error> {
        let Some((range, read)) = self.next_read()? else {
            return Ok(None);
        };
        let release = read.assemble(self.config, self.links.as_ref(), &range, &mut self.known);
        Ok(Some((range, release)))
    }

    /// The repository's links (for [`Unassembled::assemble`]).
    pub(crate) fn links(&self) -> Option<&Links> {
        self.links.as_ref()
    }

    /// The configuration (for [`Unassembled::assemble`]).
    pub(crate) fn config(&self) -> &'r Config {
        self.config
    }

    /// [`Releases::next_release`] read from history, not assembled yet.
    pub(crate) fn next_read(&mut self) -> Result<Option<(ReleaseRange, Unassembled)>, Error> {
        let Some(current) = self.next.take() else {
            return Ok(None);
        };
        let (tip, below, include_pre) = match &current {
            None => (self.repo.head()?.id, 0, true),
            Some(tag) => (
                tag.commit,
                self.tags.partition_point(|t| t.version >= tag.version),
                !version::is_stable(&tag.version),
            ),
        };
        let (found, read) = self.repo.walk_since_release_cached(
            &mut self.cache,
            tip,
            &self.tags[below..],
            include_pre,
            collect::Read::default,
            |read, c| read.push(c),
        )?;
        self.warnings.extend(found.warnings);
        let previous = found.tag;
        // HEAD exactly on a release: no unreleased section, start with that release.
        if current.is_none()
            && read.is_empty()
            && previous.as_ref().is_some_and(|p| p.commit == tip)
        {
            self.next = Some(previous);
            return self.next_read();
        }
        // What follows a stable release is the highest release of any kind below it.
        let following = match (&current, &previous) {
            (Some(tag), Some(prev)) if version::is_stable(&tag.version) => {
                let between: Vec<TagRef> = self.tags[below..]
                    .iter()
                    .take_while(|t| t.version > prev.version)
                    .cloned()
                    .collect();
                let pre = self
                    .repo
                    .latest_release_cached(&mut self.cache, &between, tip, true)?;
                self.warnings.extend(pre.warnings);
                pre.tag.or(previous.clone())
            }
            _ => previous.clone(),
        };
        // The pre-releases of a stable release list its commits again: they are parsed once.
        let is_pre = |t: &ReleaseTag| !version::is_stable(&t.version);
        let keep = match (&current, &following) {
            (_, None) => collect::Keep::Nothing,
            (_, Some(next)) if !is_pre(next) => collect::Keep::Nothing,
            (Some(tag), Some(_)) if !is_pre(tag) => collect::Keep::Mine,
            _ => collect::Keep::Same,
        };
        self.next = following.map(Some);
        let range = ReleaseRange {
            tag: current,
            previous,
            tip,
            planned: None,
        };
        let date = collect::release_date(self.repo, &range)?;
        Ok(Some((range, Unassembled { read, date, keep })))
    }
}

/// A release read from history whose context is not built yet: that needs no repository, so
/// it may be done on another thread.
#[derive(Debug)]
pub(crate) struct Unassembled {
    read: collect::Read,
    date: Option<String>,
    keep: collect::Keep,
}

impl Unassembled {
    /// Parses the commits read (those not `known`) and builds the release's context. The
    /// releases of one [`Releases`] are assembled in order with the same `known`.
    pub(crate) fn assemble(
        self,
        config: &Config,
        links: Option<&Links>,
        range: &ReleaseRange,
        known: &mut collect::Known,
    ) -> Release {
        self.read
            .assemble(config, range, links, self.date, (known, self.keep))
    }
}

/// The commits of the release being prepared at HEAD: since the latest stable release when
/// `stable`, else since the latest release of any kind (a pre-release follows the one before it).
///
/// # Errors
/// When history cannot be read.
pub fn upcoming_range(repo: &Repo, config: &Config, stable: bool) -> Result<ReleaseRange, Error> {
    let head = repo.head()?;
    let tags = repo.release_tags(&config.version.tag_prefix)?;
    let previous = repo.latest_release(&tags, head.id, !stable)?.tag;
    Ok(ReleaseRange {
        tag: None,
        previous,
        tip: head.id,
        planned: None,
    })
}

/// Today's date, `YYYY-MM-DD`: in the local time zone (UTC when unknown), or, for
/// reproducible output, the UTC date of `SOURCE_DATE_EPOCH` when that is set.
pub fn today() -> String {
    let time = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map_or_else(gix::date::Time::now_local_or_utc, |seconds| {
            gix::date::Time::new(seconds, 0)
        });
    time.format_or_unix(gix::date::time::format::SHORT)
}

/// The release range of `version` (with or without the tag prefix), or the unreleased
/// commits when `None`.
///
/// # Errors
/// [`Error::NoSuchRelease`] when no release tag names that version.
pub fn range_for(
    repo: &Repo,
    config: &Config,
    version: Option<&str>,
) -> Result<ReleaseRange, Error> {
    let prefix = &config.version.tag_prefix;
    let head = repo.head()?;
    let tags = repo.release_tags(prefix)?;
    let Some(wanted) = version else {
        let previous = repo.latest_release(&tags, head.id, true)?.tag;
        return Ok(ReleaseRange {
            tag: None,
            previous,
            tip: head.id,
            planned: None,
        });
    };
    let bare = wanted.strip_prefix(prefix.as_str()).unwrap_or(wanted);
    let tag_name = format!("{prefix}{bare}");
    let not_found = || Error::NoSuchRelease {
        version: wanted.to_owned(),
        tag: tag_name.clone(),
    };
    let tag_ref = tags
        .iter()
        .find(|t| t.name == tag_name)
        .ok_or_else(not_found)?;
    let tag = repo.peel(tag_ref)?.map_err(|_| not_found())?;
    let pre = !version::is_stable(&tag.version);
    let start = tags.partition_point(|t| t.version >= tag.version);
    let previous = repo.latest_release(&tags[start..], tag.commit, pre)?.tag;
    Ok(ReleaseRange {
        tip: tag.commit,
        previous,
        tag: Some(tag),
        planned: None,
    })
}

/// The Markdown of `[notes] known_issues` (inside `root`), or `None` when not configured.
///
/// # Errors
/// [`Error::Path`] when the configured path leaves the root or is not a regular file,
/// [`Error::Read`] when the file is missing or not UTF-8.
pub fn known_issues(config: &Config, root: &Root) -> Result<Option<String>, Error> {
    let configured = &config.notes.known_issues;
    if configured.as_os_str().is_empty() {
        return Ok(None);
    }
    let path = root.resolve("notes.known_issues", configured)?;
    read_text(path).map(Some)
}

/// The UTF-8 text of the regular file at `path` (resolved from rel.toml), which must exist.
pub(crate) fn read_text(path: std::path::PathBuf) -> Result<String, Error> {
    let bytes = crate::paths::read(&path)?.ok_or_else(|| Error::Read {
        path: path.clone(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
    })?;
    String::from_utf8(bytes).map_err(|e| Error::Read {
        path,
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

/// The repository's links: `[changelog] repo_url`, else derived from `remote.origin.url`.
pub fn links(repo: &Repo, config: &Config) -> Option<Links> {
    let configured = config.changelog.repo_url.trim();
    if configured.is_empty() {
        repo.remote_url("origin").and_then(|u| Links::from_url(&u))
    } else {
        Links::from_url(configured)
    }
}
