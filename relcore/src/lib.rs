//! relcore: release management inside git.
//!
//! It reads [Conventional Commits](https://www.conventionalcommits.org/en/v1.0.0/) from a
//! repository with [gix], works out the next [semantic version](https://semver.org) from them,
//! renders changelogs and release notes with minijinja, and (in later modules) evaluates push
//! policy. It decides; it never
//! prints or exits, so other tools can embed it. Errors are typed per module.
//!
//! The pieces, one module per domain concept, each owning its `rel.toml` section, its types and
//! its error:
//!
//! - [`Config`]: `rel.toml` as a whole, with defaults and errors naming file, line and key
//!   ([`config`]); each section is defined by the module it configures.
//! - [`Message`]: a commit message parsed as a Conventional Commit, or recognised as one of git's
//!   own, and the [`Bump`] it causes; `[commits]` ([`commit`]).
//! - [`lint`]: the commit-message rules, as structured diagnostics with byte spans, and git's
//!   message cleanup.
//! - [`version`]: the pure version rules: applying a bump, the zero-major rule, pre-release
//!   counters; `[version]`.
//! - [`Repo`]: release tags, the base release and the commits since, read with gix ([`history`]).
//! - [`upcoming()`] and [`log()`]: the next release and the commits that make it ([`mod@upcoming`]).
//! - [`changelog`]: the release context, templates, and updating a changelog file in place.
//! - [`release`]: cutting a release, all or nothing; `[release]`. [`version_file`]: versions in
//!   Cargo.toml & co.
//! - [`signature`]: verifying release tags against the configured trust anchors.
//! - [`policy`]: the push policy, ref updates in, violations out; `[policy]`, with the
//!   branch-name globs and patterns of [`branch`].
//! - [`paths`]: the paths of rel.toml confined to the work tree, and the files rel reads and
//!   writes; [`process`]: running git, ssh-keygen and gpg.
//!
//! # Example
//!
//! The version rules on their own, without a repository:
//!
//! ```
//! use relcore::{Bump, Config, Message, version};
//!
//! let config = Config::from_toml("[version]\nzero_major_breaking = \"major\"\n", "rel.toml".as_ref())?;
//! let messages = ["fix(io): retry on EINTR", "feat!: drop the v1 API", "Merge branch 'topic'"];
//! let bump = messages
//!     .iter()
//!     .map(|m| Message::parse(m).bump(&config.commits))
//!     .max()
//!     .unwrap_or(Bump::None);
//! assert_eq!(bump, Bump::Major);
//!
//! let base = semver::Version::parse("0.4.2")?;
//! let next = version::next_stable(Some(&base), bump, &config.version).expect("something to release");
//! assert_eq!(next.to_string(), "1.0.0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! And from a repository, as `rel next` does it:
//!
//! ```no_run
//! let repo = relcore::Repo::discover(".".as_ref())?;
//! let config = repo.load_config()?;
//! let upcoming = relcore::upcoming(&repo, &config, &relcore::Options::default())?;
//! match &upcoming.next {
//!     Some(next) => println!("next release: {next} ({} bump)", upcoming.bump),
//!     None => println!("nothing to release"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod branch;
pub mod changelog;
pub mod commit;
pub mod config;
pub mod git;
pub mod history;
pub mod lint;
pub mod notes;
pub mod paths;
pub mod policy;
pub mod process;
mod refs;
pub mod release;
pub mod signature;
pub mod upcoming;
pub mod version;
pub mod version_file;

pub use commit::{ConventionalCommit, Kind, Message};
pub use config::Config;
pub use history::{ReleaseTag, Repo};
pub use upcoming::{Options, Upcoming, log, upcoming};
pub use version::{Bump, ZeroMajorBreaking};

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use gix;
/// Re-exported so embedders name the same versions and ids relcore uses.
pub use gix::ObjectId;
pub use semver;
