//! Linting a message file as git will record it: the rules of rel.toml and the comment string
//! of the repository the message is edited in.

use std::path::Path;

use super::{Report, cleanup, comment_for, lint};
use crate::config::{self, Config};
use crate::history::{self, Repo};

/// Why the rules of a message could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    History(#[from] history::Error),
    /// rel.toml is not accepted.
    #[error(transparent)]
    Config(#[from] config::Error),
}

/// What an edited commit message is linted with: the configuration, and the comment string
/// git strips (`core.commentString` / `core.commentChar`, `auto` detected per message).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MessageRules {
    /// The configuration whose `[commits]` rules apply.
    pub config: Config,
    comment_setting: Option<String>,
}

impl MessageRules {
    /// The rules of a message edited in `repo`, under `config`.
    pub fn of(repo: &Repo, config: Config) -> Self {
        MessageRules {
            config,
            comment_setting: repo.comment_setting(),
        }
    }

    /// The rules of a message in `dir`: the repository containing it gives rel.toml and the
    /// comment string; outside any repository, `dir/rel.toml` (or the defaults) and `#`.
    ///
    /// # Errors
    /// When the repository cannot be read or rel.toml is not accepted.
    pub fn discover(dir: &Path) -> Result<Self, Error> {
        match Repo::discover(dir) {
            Ok(repo) => {
                let config = repo.load_config()?;
                Ok(Self::of(&repo, config))
            }
            Err(history::Error::NotARepository { .. }) => Ok(MessageRules {
                config: Config::load(&dir.join(config::FILE_NAME))?,
                comment_setting: None,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Lints `raw`, the message file as edited, after git's cleanup of it
    /// ([`cleanup`](super::cleanup)).
    pub fn lint(&self, raw: &str) -> Report {
        let comment = comment_for(self.comment_setting.as_deref(), raw);
        lint(&cleanup(raw, &comment), &self.config.commits)
    }
}
