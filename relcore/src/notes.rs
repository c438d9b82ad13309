//! The release notes of one version: which commits they cover and what the version is called.

use std::path::Path;

use crate::changelog::{self, Planned, Release, TemplateKind, Templates};
use crate::config::Config;
use crate::history::{Repo, Warning};
use crate::paths::Root;
use crate::upcoming::{self, Options};

/// Why release notes could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The release could not be read or rendered.
    #[error(transparent)]
    Changelog(#[from] changelog::Error),
    /// The upcoming version could not be worked out.
    #[error(transparent)]
    Upcoming(#[from] upcoming::Error),
}

/// The release notes of one version, ready to render.
#[derive(Debug)]
#[non_exhaustive]
pub struct Notes {
    /// The release: its commits, grouped, and its version (the planned one when unreleased).
    pub release: Release,
    /// Odd release-named tags met, ignored.
    pub warnings: Vec<Warning>,
    templates: Templates,
    root: Root,
}

impl Notes {
    /// The notes of `version` (a released version, with or without the tag prefix), or with
    /// `None` of the release being prepared: the commits since the last stable release, planned
    /// as the next version today. `template` replaces `[notes] template`.
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
        Ok(Notes {
            release,
            warnings,
            templates,
            root,
        })
    }

    /// The notes rendered, with the `[notes] known_issues` file of `config` when configured.
    ///
    /// # Errors
    /// When the known-issues file cannot be read or the template fails.
    pub fn render(&self, config: &Config) -> Result<String, Error> {
        let known_issues = changelog::known_issues(config, &self.root)?;
        Ok(self
            .templates
            .notes(&self.release, known_issues.as_deref())?)
    }
}
