//! relcore: release management inside git.
//!
//! It reads [Conventional Commits](https://www.conventionalcommits.org/en/v1.0.0/) from a
//! repository, works out the next [semantic version](https://semver.org) from them, updates
//! changelogs and renders release notes with minijinja, cuts releases, verifies release tags
//! and evaluates push policy. It decides; it never prints or exits, so other tools can embed
//! it for what the `rel` binary does. Errors are typed, with the facts as fields.
//!
//! What an embedder needs:
//!
//! - [`Repo`] (a repository, its release tags and history) and [`Config`] (`rel.toml`, with
//!   defaults and errors naming file, line and key; its sections and their errors in
//!   [`config`]).
//! - [`upcoming()`] and [`log()`]: the next release ([`Upcoming`], [`Options`]) and the commits
//!   that make it ([`Log`]); a [`Message`] parsed as a Conventional Commit and the [`Bump`] it
//!   causes.
//! - [`lint`]: the commit-message rules ([`lint::lint`], [`lint::MessageRules`] for an edited
//!   message file, [`lint::lint_range`]), as a [`lint::Report`] of diagnostics.
//! - [`changelog`]: updating a changelog file as `rel changelog` does ([`changelog::update`]);
//!   [`Notes`]: the release notes of one version.
//! - [`release`]: cutting a release, all or nothing ([`release::plan`], [`release::apply`],
//!   [`release::recover`]).
//! - [`signature`]: verifying release tags against trust anchors ([`signature::verify`],
//!   [`signature::select`], [`signature::Trust`]).
//! - [`policy`]: the push policy ([`policy::evaluate`]) on a [`policy::Push`] built from a hook's
//!   input or a range.
//! - [`metrics`]: DORA metrics and the coverage figures from the release record and the
//!   history ([`metrics::measure`]), and the dashboard ([`metrics::dashboard`],
//!   [`metrics::html::render`]); incidents are record entries ([`record::open_incident`],
//!   [`record::resolve_incident`]).
//! - [`paths`]: the files rel reads and writes, atomically.
//!
//! # Example
//!
//! The next version of a repository, as `rel next` prints it:
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! # let git = |args: &[&str]| -> Result<(), Box<dyn std::error::Error>> {
//! #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args)
//! #         .env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", "/dev/null")
//! #         .env("GIT_AUTHOR_NAME", "A").env("GIT_AUTHOR_EMAIL", "a@example.com")
//! #         .env("GIT_COMMITTER_NAME", "A").env("GIT_COMMITTER_EMAIL", "a@example.com")
//! #         .output()?;
//! #     if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
//! # };
//! # git(&["init", "-q", "-b", "main"])?;
//! # git(&["commit", "-q", "--allow-empty", "-m", "feat: first"])?;
//! # git(&["tag", "-a", "v0.1.0", "-m", "v0.1.0"])?;
//! # git(&["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"])?;
//! // A repository with v0.1.0 and a fix since.
//! let repo = relcore::Repo::discover(dir.path())?;
//! let config = repo.load_config()?;
//! let upcoming = relcore::upcoming(&repo, &config, &relcore::Options::default())?;
//! assert_eq!(upcoming.bump, relcore::Bump::Patch);
//! assert_eq!(upcoming.next.map(|v| v.to_string()).as_deref(), Some("0.1.1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! And the bump of single messages, without a repository:
//!
//! ```
//! use relcore::{Bump, Config, Message};
//!
//! let config = Config::from_toml("[commits]\nscopes = [\"io\"]\n", "rel.toml".as_ref())?;
//! let bump = ["fix(io): retry on EINTR", "feat!: drop the v1 API", "Merge branch 'topic'"]
//!     .iter()
//!     .map(|m| Message::parse(m).bump(&config.commits))
//!     .max();
//! assert_eq!(bump, Some(Bump::Major));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod announce;
mod branch;
pub mod changelog;
mod commit;
pub mod config;
pub mod defects;
mod digest;
mod git;
mod history;
mod http;
pub mod lint;
pub mod metrics;
mod notes;
pub mod paths;
pub mod policy;
mod process;
pub mod readiness;
pub mod record;
mod refs;
pub mod registry;
pub mod release;
pub mod signature;
mod upcoming;
mod version;
mod version_file;

pub use commit::{Kind, Message};
#[doc(inline)]
pub use config::Config;
pub use history::{Error as HistoryError, ReadSubject, ReleaseTag, Repo, Warning};
pub use notes::{Error as NotesError, Notes};
pub use upcoming::{Error as UpcomingError, Log, Options, Upcoming, log, upcoming};
pub use version::Bump;

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The id of a git object (a commit, a tag), as relcore reads and returns them.
///
/// ```
/// let id: relcore::ObjectId = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d".parse()?;
/// assert_eq!(id.to_hex_with_len(7).to_string(), "1a2b3c4");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub use gix::ObjectId;
/// Re-exported so embedders name the same versions relcore uses.
///
/// ```
/// use relcore::semver::Version;
/// assert_eq!(relcore::Config::default().version.initial, Version::new(0, 1, 0));
/// ```
#[doc(inline)]
pub use semver;
