//! `rel.toml`: the configuration as a whole, its defaults, and loading with errors that name
//! file, line and key.
//!
//! `[version]` and `[commits]` are defined by the modules they configure ([`VersionConfig`],
//! [`CommitsConfig`]) and re-exported here with the types of their values; the sections of
//! modules that read the whole [`Config`] (`[policy]`, `[release]`, `[changelog]`, `[notes]`,
//! `[roles]`, `[environments]`) are defined here, so that no module both takes the aggregate
//! and is part of it (an import cycle). Values are validated while they are deserialised
//! (globs, regexes, versions, type names), so a bad value is reported with the line it stands
//! on, just like a TOML syntax error.
//!
//! A section's values are checked as they are read:
//!
//! ```
//! use relcore::config::{Config, LintScope};
//! let config = Config::from_toml("[policy]\nlint = \"all\"\n", "rel.toml".as_ref())?;
//! assert_eq!(config.policy.lint, LintScope::All);
//! let err = Config::from_toml("[policy]\nlint = \"some\"\n", "rel.toml".as_ref()).unwrap_err();
//! assert!(err.to_string().starts_with("rel.toml:2:"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod changelog;
mod environments;
mod located;
mod policy;
mod readiness;
mod registry;
mod release;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::history::Repo;

// The sections of the modules below config, which never take the aggregate.
pub use crate::branch::{BranchGlob, BranchPattern};
pub use crate::commit::config::CommitsConfig;
pub use crate::version::config::{VersionConfig, ZeroMajorBreaking};
pub use crate::version_file::{VersionFile, VersionFileKind, VersionPattern};
use located::{invalid, line_col};

pub use changelog::{ChangelogConfig, NON_CONVENTIONAL, NotesConfig, Section};
pub(crate) use environments::item_roles;
pub use environments::{Duration, EnvironmentConfig, RolesConfig, Rollback};
pub use policy::{LintScope, PolicyConfig};
pub use readiness::{
    AnnounceConfig, AudienceConfig, BUILTIN_AUDIENCES, Format, ItemKind, ReadinessConfig,
    ReadinessItem,
};
pub(crate) use registry::repository_problem;
pub use registry::{RegistryConfig, Retention};
pub use release::ReleaseConfig;

/// The name of the configuration file at the root of a work tree (or in `$GIT_DIR` of a bare repository).
pub const FILE_NAME: &str = "rel.toml";

/// The commented default configuration that `rel init` writes. Parsing it gives [`Config::default()`].
pub(crate) const DEFAULT_TOML: &str = include_str!("default.toml");

/// The whole configuration: every key of `rel.toml`, defaults filled in.
///
/// ```
/// let config = relcore::Config::from_toml("[version]\ntag_prefix = \"\"\n", "rel.toml".as_ref())?;
/// assert_eq!(config.version.tag_prefix, "");
/// assert_eq!(config.commits, relcore::Config::default().commits); // the rest: the defaults
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Config {
    /// `[version]`: how release tags are named and how versions advance.
    pub version: VersionConfig,
    /// `[commits]`: the allowed Conventional Commit types and what they bump.
    pub commits: CommitsConfig,
    /// `[policy]`: rules enforced on push (validated now, enforced by the push hooks).
    pub policy: PolicyConfig,
    /// `[changelog]`: where the changelog lives and how its sections are made.
    pub changelog: ChangelogConfig,
    /// `[notes]`: release notes.
    pub notes: NotesConfig,
    /// `[release]`: what `rel release` writes and commits.
    pub release: ReleaseConfig,
    /// `[roles]`: role → the principals holding it.
    pub roles: RolesConfig,
    /// `[environments.<name>]`: the deployment environments and their gates.
    pub environments: std::collections::BTreeMap<String, EnvironmentConfig>,
    /// `[registry]`: the OCI registry a release's artifacts are published to.
    pub registry: RegistryConfig,
    /// `[readiness]`: the go/no-go checklist of `rel ready`.
    pub readiness: ReadinessConfig,
    /// `[announce.<audience>]`: how each audience hears of a release.
    pub announce: AnnounceConfig,
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file exists but could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The configuration file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The path is a symbolic link to nothing: a configuration that was meant to be there
    /// is missing, so rel refuses to run on the defaults.
    #[error(
        "{} is a symbolic link to {}, which does not exist: restore it, or remove the link to use the defaults",
        path.display(),
        target.display()
    )]
    DanglingLink {
        /// The configuration file.
        path: PathBuf,
        /// Where the link points.
        target: PathBuf,
    },
    /// The file is not valid TOML, or a key or value is not accepted.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        /// The configuration file.
        path: PathBuf,
        /// 1-based line of the fault.
        line: usize,
        /// 1-based column of the fault.
        column: usize,
        /// The offending key as `table.key`, when known.
        key: Option<String>,
        /// What is wrong and what is accepted.
        message: String,
    },
}

impl Config {
    /// The name of the configuration file at the root of a work tree (or in `$GIT_DIR` of a
    /// bare repository).
    pub const FILE_NAME: &str = FILE_NAME;

    /// The commented default configuration that `rel init` writes; parsing it gives
    /// [`Config::default()`].
    ///
    /// ```
    /// use relcore::Config;
    /// let parsed = Config::from_toml(Config::DEFAULT_TOML, Config::FILE_NAME.as_ref())?;
    /// assert_eq!(parsed, Config::default());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const DEFAULT_TOML: &str = DEFAULT_TOML;

    /// Parses configuration text; `path` is only used in errors.
    ///
    /// ```
    /// let config = relcore::Config::from_toml("[version]\ntag_prefix = \"release-\"\n", "rel.toml".as_ref())?;
    /// assert_eq!(config.version.tag_prefix, "release-");
    /// assert_eq!(config.version.initial.to_string(), "0.1.0");
    ///
    /// let err = relcore::Config::from_toml("[version]\nprefix = \"v\"\n", "rel.toml".as_ref()).unwrap_err();
    /// assert!(err.to_string().starts_with("rel.toml:2:1: unknown key `version.prefix`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the line, column and key of the first fault.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, Error> {
        let config: Self = toml::from_str(text).map_err(|e| invalid(text, path, &e))?;
        config.check_roles(text, path)?;
        Ok(config)
    }

    /// Every name that refers to another part of rel.toml is defined there: the roles an
    /// environment names (in `approvals` and `promoters`), its `after` environment, and the
    /// environments retention keeps.
    fn check_roles(&self, text: &str, path: &Path) -> Result<(), Error> {
        let invalid = |offset: usize, key: String, fault: String| {
            let (line, column) = line_col(text, offset);
            Error::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: format!("`{key}`: {fault}"),
                key: Some(key),
            }
        };
        let environments = listed(self.environments.keys());
        let kept = &self.registry.retention.keep_environments;
        if let Some((i, env)) = kept
            .iter()
            .enumerate()
            .find(|(_, e)| !self.environments.contains_key(*e))
        {
            let offset = text
                .find("keep_environments")
                .and_then(|at| text[at..].find(&format!("\"{env}\"")).map(|o| at + o + 1))
                .unwrap_or(0);
            return Err(invalid(
                offset,
                format!("registry.retention.keep_environments[{i}]"),
                format!("`{env}` is not an environment (environments: {environments})"),
            ));
        }
        let roles = listed(self.roles.keys());
        self.check_readiness(text, &invalid, &roles, &environments)?;
        for (name, env) in &self.environments {
            // Offsets are searched from the environment's table on.
            let table = text.find(&format!("[environments.{name}]")).unwrap_or(0);
            if let Some(after) = env.after.as_deref()
                && (after == name || !self.environments.contains_key(after))
            {
                let offset = text[table..].find("after").map_or(table, |at| table + at);
                return Err(invalid(
                    offset,
                    format!("environments.{name}.after"),
                    format!("`{after}` is not another environment (environments: {environments})"),
                ));
            }
            let approvals = env.approvals.iter().enumerate();
            let promoters = env.promoters.iter().enumerate();
            let responders = env.responders.iter().enumerate();
            let items = approvals
                .map(|(i, item)| (format!("environments.{name}.approvals[{i}]"), item))
                .chain(promoters.map(|(i, r)| (format!("environments.{name}.promoters[{i}]"), r)))
                .chain(
                    responders.map(|(i, r)| (format!("environments.{name}.responders[{i}]"), r)),
                );
            for (key, item) in items {
                let fault = match item_roles(item).find(|r| !self.roles.contains_key(*r)) {
                    _ if item_roles(item).next().is_none() => "it names no role".to_owned(),
                    Some(role) => {
                        format!("unknown role `{role}` (roles defined in [roles]: {roles})")
                    }
                    None => continue,
                };
                let offset = text[table..]
                    .find(&format!("\"{item}\""))
                    .map_or(table, |at| table + at + 1);
                return Err(invalid(offset, key, fault));
            }
        }
        Ok(())
    }

    /// `[readiness]` and `[announce]` name defined roles and environments, and what their
    /// items need is configured.
    fn check_readiness(
        &self,
        text: &str,
        invalid: &dyn Fn(usize, String, String) -> Error,
        roles: &str,
        environments: &str,
    ) -> Result<(), Error> {
        let at = |needle: &str| text.find(needle).map_or(0, |o| o + 1);
        let ready = &self.readiness;
        let listed_roles = ready
            .waivers
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("readiness.waivers[{i}]"), r))
            .chain(
                ready
                    .reviewers
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (format!("readiness.reviewers[{i}]"), r)),
            );
        for (key, role) in listed_roles {
            if !self.roles.contains_key(role) {
                return Err(invalid(
                    at(&format!("\"{role}\"")),
                    key,
                    format!("unknown role `{role}` (roles defined in [roles]: {roles})"),
                ));
            }
        }
        if ready.items.is_empty()
            && let Some((name, _)) = self.environments.iter().find(|(_, e)| e.require_ready)
        {
            let offset = text
                .find(&format!("[environments.{name}]"))
                .and_then(|t| text[t..].find("require_ready").map(|o| t + o))
                .unwrap_or(0);
            return Err(invalid(
                offset,
                format!("environments.{name}.require_ready"),
                "a readiness review needs a checklist: set [readiness] items".into(),
            ));
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, item) in ready.items.iter().enumerate() {
            let key = format!("readiness.items[{i}]");
            let offset = at(&format!("\"{}\"", item.name));
            if !names.insert(item.name.as_str()) {
                return Err(invalid(
                    offset,
                    key,
                    format!("two items are named `{}`; each name is unique", item.name),
                ));
            }
            match &item.kind {
                ItemKind::Approval(env)
                    if self
                        .environments
                        .get(env)
                        .is_none_or(|e| e.approvals.is_empty()) =>
                {
                    return Err(invalid(
                        offset,
                        format!("{key}.approval"),
                        format!(
                            "`{env}` is not an environment with approvals (environments: {environments})"
                        ),
                    ));
                }
                ItemKind::Defects(_) if self.notes.defects.as_os_str().is_empty() => {
                    return Err(invalid(
                        offset,
                        format!("{key}.defects"),
                        "a defects item reads the defects file: set [notes] defects (e.g. \"DEFECTS.toml\")".into(),
                    ));
                }
                _ => {}
            }
        }
        for (audience, section) in &self.announce {
            let key = format!("announce.{audience}");
            let offset = at(&format!("[announce.{audience}]"));
            let builtin = BUILTIN_AUDIENCES.contains(&audience.as_str());
            if !builtin && section.template.as_os_str().is_empty() {
                return Err(invalid(
                    offset,
                    format!("{key}.template"),
                    format!(
                        "`{audience}` has no built-in template (dev, ops, product and support do): set template"
                    ),
                ));
            }
            if section.format == Format::Email && section.to.is_empty() {
                return Err(invalid(
                    offset,
                    format!("{key}.to"),
                    "the email format needs recipients: set to = [\"...\"]".into(),
                ));
            }
            let webhook = section.webhook.trim();
            if !(webhook.is_empty()
                || webhook.starts_with("http://")
                || webhook.starts_with("https://"))
            {
                return Err(invalid(
                    offset,
                    format!("{key}.webhook"),
                    format!("`{webhook}` is not an http:// or https:// address"),
                ));
            }
            if !webhook.is_empty() && !section.command.trim().is_empty() {
                return Err(invalid(
                    offset,
                    format!("{key}.command"),
                    "an audience is sent through a command or a webhook, not both".into(),
                ));
            }
        }
        Ok(())
    }

    /// Loads `path`; a missing file gives the defaults (but a symbolic link to a missing file
    /// is an error, as is a directory or an unreadable file).
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// let path = dir.path().join(relcore::Config::FILE_NAME);
    /// assert_eq!(relcore::Config::load(&path)?, relcore::Config::default()); // no file: defaults
    /// std::fs::write(&path, "[version]\ntag_prefix = \"release-\"\n")?;
    /// assert_eq!(relcore::Config::load(&path)?.version.tag_prefix, "release-");
    /// std::fs::write(&path, "[version]\ntag_prefx = \"\"\n")?;
    /// assert!(relcore::Config::load(&path).is_err()); // an unknown key, named with its line
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Read`] when the file exists but cannot be read, [`Error::DanglingLink`] when it
    /// is a symbolic link to nothing, [`Error::Invalid`] when it is not accepted.
    pub fn load(path: &Path) -> Result<Self, Error> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|e| Error::Invalid {
                    path: path.to_owned(),
                    line: line_col(
                        &String::from_utf8_lossy(e.as_bytes()),
                        e.utf8_error().valid_up_to(),
                    )
                    .0,
                    column: 1,
                    key: None,
                    message: "the file is not valid UTF-8".into(),
                })?;
                Self::from_toml(&text, path)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match std::fs::read_link(path) {
                Ok(target) => Err(Error::DanglingLink {
                    path: path.to_owned(),
                    target,
                }),
                Err(_) => Ok(Self::default()),
            },
            Err(source) => Err(Error::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }
}

impl Repo {
    /// Where `rel.toml` lives: the work tree root, or `$GIT_DIR` for a bare repository.
    pub fn config_path(&self) -> PathBuf {
        self.work_dir()
            .unwrap_or_else(|| self.gix().git_dir())
            .join(FILE_NAME)
    }

    /// Loads `rel.toml` (defaults when it does not exist).
    ///
    /// # Errors
    /// See [`Config::load`].
    pub fn load_config(&self) -> Result<Config, Error> {
        Config::load(&self.config_path())
    }
}

/// `names` as a list for a message: `a, b`, or `none`.
fn listed<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}
