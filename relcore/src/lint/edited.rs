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
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// git(&["config", "core.commentChar", ";"])?;
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let rules = relcore::lint::MessageRules::of(&repo, repo.load_config()?);
    /// assert!(rules.lint("; a comment, stripped\nfeat: x\n").is_ok());
    /// assert!(!rules.lint("# not a comment here\nfeat: x\n").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of(repo: &Repo, config: Config) -> Self {
        MessageRules {
            config,
            comment_setting: repo.comment_setting(),
        }
    }

    /// The rules of a message in `dir`: the repository containing it gives rel.toml and the
    /// comment string; outside any repository, `dir/rel.toml` (or the defaults) and `#`.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// std::fs::write(dir.path().join("rel.toml"), "[commits]\nscopes = [\"io\"]\n")?;
    /// let rules = relcore::lint::MessageRules::discover(dir.path())?;
    /// // As edited: git's comment lines are not part of the message.
    /// assert!(rules.lint("fix(io): retry\n# Please enter the commit message\n").is_ok());
    /// assert!(!rules.lint("fix(net): retry\n").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
