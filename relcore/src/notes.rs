//! The release notes of one version: which commits they cover and what the version is called.

use std::path::Path;

use crate::changelog::{self, Planned, Release, TemplateKind, Templates};
use crate::config::Config;
use crate::history::{Repo, Warning};
use crate::paths::Root;
use crate::upcoming::{self, Options};

/// Why release notes could not be made.
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
/// let err = relcore::Notes::new(&repo, &config, Some("9.9.9"), None).unwrap_err();
/// assert!(matches!(err, relcore::NotesError::Changelog(relcore::changelog::Error::NoSuchRelease { .. })));
/// assert_eq!(err.to_string(), "no release tag for version 9.9.9 (looked for `v9.9.9`)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The release could not be read or rendered.
    #[error(transparent)]
    Changelog(#[from] changelog::Error),
    /// The upcoming version could not be worked out.
    #[error(transparent)]
    Upcoming(#[from] upcoming::Error),
    /// The defects file (`[notes] defects`) could not be read.
    #[error(transparent)]
    Defects(#[from] crate::defects::Error),
    /// The release record could not be read.
    #[error(transparent)]
    Record(#[from] crate::record::Error),
}

/// The release notes of one version, ready to render.
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
/// let notes = relcore::Notes::new(&repo, &config, Some("0.1.0"), None)?;
/// assert_eq!(notes.release.tag.as_deref(), Some("v0.1.0"));
/// assert!(notes.render(&config)?.contains("first"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Notes {
    /// The release: its commits, grouped, and its version (the planned one when unreleased).
    pub release: Release,
    /// Odd release-named tags met, ignored.
    pub warnings: Vec<Warning>,
    /// The readiness waivers that count for the release (by a `[readiness] waivers` role), as
    /// the local release record has them.
    pub waivers: Vec<crate::record::Waiver>,
    templates: Templates,
    root: Root,
}

impl Notes {
    /// The notes of `version` (a released version, with or without the tag prefix), or with
    /// `None` of the release being prepared: the commits since the last stable release, planned
    /// as the next version today. `template` replaces `[notes] template`.
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
    /// let released = relcore::Notes::new(&repo, &config, Some("v0.1.0"), None)?;
    /// assert_eq!(released.release.version.as_deref(), Some("0.1.0"));
    /// // The release being prepared: planned as the next version.
    /// let upcoming = relcore::Notes::new(&repo, &config, None, None)?;
    /// assert_eq!(upcoming.release.version.as_deref(), Some("0.1.1"));
    /// assert!(upcoming.render(&config)?.contains("retry on EINTR"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`changelog::Error::NoSuchRelease`] when no release tag names `version`; when a
    /// template cannot be loaded or history cannot be read.
    pub fn new(
        repo: &Repo,
        config: &Config,
        version: Option<&str>,
        template: Option<&Path>,
    ) -> Result<Self, Error> {
        let root = repo.root();
        let mut templates = Templates::new(config, &root)?;
        if let Some(template) = template {
            templates.load(TemplateKind::Notes, template)?;
        }
        let mut warnings = Vec::new();
        let range = match version {
            Some(v) => changelog::range_for(repo, config, Some(v))?,
            None => {
                let upcoming = upcoming::upcoming(repo, config, &Options::default())?;
                warnings = upcoming.warnings;
                let mut range = changelog::upcoming_range(repo, config, true)?;
                range.planned = upcoming
                    .next
                    .map(|next| Planned::today(next, &config.version.tag_prefix));
                range
            }
        };
        let links = changelog::links(repo, config);
        let release = changelog::build_release(repo, config, &range, links.as_ref())?;
        let mut waivers = Vec::new();
        if let Some(tag) = release.tag.as_deref()
            && let Ok(tip) = repo.resolve(crate::record::REF)
            && let Ok((tag_object, _)) = crate::record::release_of(repo, tag)
        {
            let state = crate::record::state_at(repo, Some(tip))?;
            waivers = state.counted_waivers(config, tag, tag_object);
        }
        Ok(Notes {
            release,
            warnings,
            waivers,
            templates,
            root,
        })
    }

    /// The notes rendered, with the `[notes] known_issues` file of `config` and the defects
    /// of `[notes] defects` open at the version when configured.
    ///
    /// # Errors
    /// When the known-issues or defects file cannot be read or the template fails.
    pub fn render(&self, config: &Config) -> Result<String, Error> {
        let known_issues = changelog::known_issues(config, &self.root)?;
        let defects = crate::defects::Defects::load(&self.root, &config.notes.defects)?;
        let version = self
            .release
            .version
            .as_deref()
            .and_then(|v| semver::Version::parse(v).ok());
        let outstanding = match (&defects, &version) {
            (Some(d), Some(v)) => Some(d.at(v)),
            (Some(_), None) => Some(crate::defects::Outstanding::default()),
            _ => None,
        };
        Ok(self.templates.notes_with(
            &self.release,
            known_issues.as_deref(),
            outstanding.as_ref(),
            &self.waivers,
        )?)
    }
}
