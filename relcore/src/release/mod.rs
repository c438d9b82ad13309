//! Cutting a release, all or nothing: [`plan`] checks every precondition and renders every
//! byte first, writing nothing; [`apply`] then makes the release commit and the annotated (and,
//! when asked, signed) tag with git, and leaves the repository exactly as it was if any step fails.
//!
//! The order makes "all or nothing" cheap: the commit is built from a temporary index without
//! touching the branch, the work tree or the index; the tag (where signing can fail) is made
//! next, pointing at that commit; only then does the branch move (compare-and-swap), and git
//! brings the index and work tree along. A failure before the branch moves leaves only
//! unreachable objects; a failure after it is undone by moving the branch and the files back.
//!
//! Cutting the next release of a repository, unsigned:
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
//! #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
//! #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
//! # };
//! # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
//! use relcore::release::{self, CutOptions};
//! git(&["config", "user.name", "A"])?;
//! git(&["config", "user.email", "a@example.com"])?;
//! let repo = relcore::Repo::discover(dir.path())?;
//! let config = relcore::Config::from_toml("[policy]\nrequire_signed_tags = false\n", "rel.toml".as_ref())?;
//! let mut options = CutOptions::default();
//! options.sign = Some(false);
//! let plan = release::plan(&repo, &config, &options)?;
//! let applied = release::apply(&repo, &plan)?;
//! assert_eq!(applied.tag, "v0.1.1");
//! assert_eq!(git(&["describe", "--exact-match"])?, "v0.1.1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod plan;
mod push;
mod recover;

use std::path::PathBuf;

use gix::ObjectId;
use semver::Version;

use crate::history::{self, ReleaseTag, Repo};
use crate::paths::{Root, RootKind};
use crate::{changelog, git, paths, upcoming, version_file};

pub use apply::{apply, apply_unless};
pub use plan::plan;
pub use push::push;
pub use recover::{Recovery, recover};

/// Why a release cannot be cut. Nothing was written when this is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A precondition does not hold.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The repository cannot be read.
    #[error(transparent)]
    History(#[from] history::Error),
    /// Working out the next version failed.
    #[error(transparent)]
    Upcoming(#[from] upcoming::Error),
    /// Rendering the changelog, notes or tag message failed.
    #[error(transparent)]
    Changelog(#[from] changelog::Error),
    /// A version file cannot be updated.
    #[error(transparent)]
    VersionFile(#[from] version_file::Error),
    /// A configured path leaves the work tree, or a file to update is not a regular file.
    #[error(transparent)]
    Path(#[from] paths::Error),
    /// A file cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A git step failed; the repository was put back as it was.
    #[error("{step} failed, so nothing was released (the repository is as it was)")]
    Git {
        /// What was being done.
        step: String,
        /// What git said.
        #[source]
        source: git::Error,
    },
    /// An interrupt arrived before the release became visible; nothing was released.
    #[error("interrupted before {step}: nothing was released (the repository is as it was)")]
    Interrupted {
        /// The step that was about to run.
        step: String,
    },
    /// The release was made locally, but pushing it failed.
    #[error(
        "released {tag} locally, but pushing it to {remote} failed; push it with `git push --atomic {remote} {branch} {tag}`"
    )]
    Push {
        /// The remote.
        remote: String,
        /// The branch.
        branch: String,
        /// The tag.
        tag: String,
        /// What git said.
        #[source]
        source: git::Error,
    },
}

/// A precondition of cutting a release that does not hold, with the facts that break it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The repository has no work tree to write the release files in.
    #[error("rel release needs a work tree; this repository is bare")]
    Bare {
        /// The repository's git directory.
        git_dir: PathBuf,
    },
    /// HEAD is not on a branch.
    #[error("HEAD is detached: check out the release branch first")]
    Detached {
        /// The commit HEAD points at.
        head: ObjectId,
    },
    /// HEAD's branch matches none of `policy.release_branches`.
    #[error(
        "`{branch}` is not a release branch; releases are cut on {} (policy.release_branches)",
        allowed.join(", ")
    )]
    NotReleaseBranch {
        /// The branch HEAD is on.
        branch: String,
        /// The globs of `policy.release_branches`, as written.
        allowed: Vec<String>,
    },
    /// Tracked files have changes that are not committed.
    #[error(
        "the work tree has uncommitted changes; commit or stash them first:\n{}",
        changes.join("\n")
    )]
    Dirty {
        /// The changes, as `git status --porcelain` lists them.
        changes: Vec<String>,
    },
    /// `--no-sign` while the policy requires signed release tags.
    #[error("--no-sign: policy.require_signed_tags is on, so release tags must be signed")]
    SigningRequired,
    /// `--version` is not a semantic version.
    #[error("--version `{given}` is not a semantic version like 1.2.3: {reason}")]
    BadVersion {
        /// The version as given, without the tag prefix.
        given: String,
        /// What the semver parser said.
        reason: semver::Error,
    },
    /// `--version` is not above the last release.
    #[error("--version {version} is not above the last release {last}; release a higher version")]
    NotAbove {
        /// The version asked for.
        version: Version,
        /// The last release's version.
        last: Version,
    },
    /// No commit since the last release bumps the version, and no `--version` was given.
    #[error("nothing to release: {}; use --version to release anyway", match current {
        Some(current) => format!("no commit since {current} bumps the version"),
        None => "no commit bumps the version".to_owned(),
    })]
    NothingToRelease {
        /// The last release's version, if there is one.
        current: Option<Version>,
    },
    /// The release's tag exists already.
    #[error("the tag {tag} already exists")]
    TagExists {
        /// The tag.
        tag: String,
    },
    /// A file of `[[release.files]]` does not exist.
    #[error("{}: no such file ([[release.files]])", path.display())]
    MissingFile {
        /// The file, as configured.
        path: PathBuf,
    },
    /// A file of `[[release.files]]` is not UTF-8 text.
    #[error("{}: not UTF-8 text ([[release.files]])", path.display())]
    NotUtf8 {
        /// The file, as configured.
        path: PathBuf,
    },
}

/// How to cut the release.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CutOptions {
    /// Make a pre-release with this label.
    pub pre: Option<String>,
    /// Release exactly this version instead of the computed one.
    pub version: Option<String>,
    /// `Some(true)`: sign; `Some(false)`: do not (refused when the policy requires signed tags);
    /// `None`: sign when `tag.gpgSign` or `policy.require_signed_tags` asks for it.
    pub sign: Option<bool>,
    /// Files built before tagging: their names, sizes and sha256 digests go into the tag
    /// message as an in-toto statement, attested by the tag's own signature (SPEC 7; the
    /// record's `rel attest` does the same after tagging).
    pub artifacts: Vec<std::path::PathBuf>,
}

/// A file the release commit changes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FileChange {
    /// Relative to the work tree root, with `/` separators.
    pub path: String,
    /// The bytes before (`None`: the file does not exist yet).
    pub old: Option<Vec<u8>>,
    /// The bytes after.
    pub new: Vec<u8>,
}

/// Everything a release will write, computed before anything is written.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Plan {
    /// The version released.
    pub version: Version,
    /// Its tag.
    pub tag: String,
    /// The release before it.
    pub previous: Option<ReleaseTag>,
    /// The branch the release commit goes on.
    pub branch: String,
    /// HEAD before the release.
    pub head: ObjectId,
    /// The files the release commit changes (the changelog first).
    pub files: Vec<FileChange>,
    /// The release commit's message.
    pub commit_message: String,
    /// The tag's message.
    pub tag_message: String,
    /// The release notes (for `--dry-run` and forges).
    pub notes: String,
    /// Whether the tag is signed.
    pub sign: bool,
}

/// What [`apply`] made.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Applied {
    /// The release commit.
    pub commit: ObjectId,
    /// The tag name.
    pub tag: String,
}

/// The work tree a release is cut in; a bare repository has none.
fn work_tree(repo: &Repo) -> Result<Root, Refusal> {
    let root = repo.root();
    match root.kind() {
        RootKind::WorkTree => Ok(root),
        _ => Err(Refusal::Bare {
            git_dir: root.dir().to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn says(refusal: Refusal, expected: &str) {
        assert_eq!(refusal.to_string(), expected);
        assert_eq!(Error::from(refusal).to_string(), expected);
    }

    #[test]
    fn refusals_say_what_is_wrong_and_what_to_do() {
        let v = |s| Version::parse(s).expect("valid version");
        says(
            Refusal::Bare {
                git_dir: "/srv/x.git".into(),
            },
            "rel release needs a work tree; this repository is bare",
        );
        says(
            Refusal::Detached {
                head: ObjectId::null(gix::hash::Kind::Sha1),
            },
            "HEAD is detached: check out the release branch first",
        );
        says(
            Refusal::NotReleaseBranch {
                branch: "topic".into(),
                allowed: vec!["main".into(), "release/*".into()],
            },
            "`topic` is not a release branch; releases are cut on main, release/* (policy.release_branches)",
        );
        says(
            Refusal::Dirty {
                changes: vec![" M Cargo.toml".into(), "M  src/lib.rs".into()],
            },
            "the work tree has uncommitted changes; commit or stash them first:\n M Cargo.toml\nM  src/lib.rs",
        );
        says(
            Refusal::SigningRequired,
            "--no-sign: policy.require_signed_tags is on, so release tags must be signed",
        );
        says(
            Refusal::BadVersion {
                given: "1.2".into(),
                reason: Version::parse("1.2").expect_err("not semver"),
            },
            "--version `1.2` is not a semantic version like 1.2.3: unexpected end of input while parsing minor version number",
        );
        says(
            Refusal::NotAbove {
                version: v("0.9.0"),
                last: v("1.0.0"),
            },
            "--version 0.9.0 is not above the last release 1.0.0; release a higher version",
        );
        says(
            Refusal::NothingToRelease {
                current: Some(v("1.0.0")),
            },
            "nothing to release: no commit since 1.0.0 bumps the version; use --version to release anyway",
        );
        says(
            Refusal::NothingToRelease { current: None },
            "nothing to release: no commit bumps the version; use --version to release anyway",
        );
        says(
            Refusal::TagExists {
                tag: "v1.1.0".into(),
            },
            "the tag v1.1.0 already exists",
        );
        says(
            Refusal::MissingFile {
                path: "pkg/Cargo.toml".into(),
            },
            "pkg/Cargo.toml: no such file ([[release.files]])",
        );
        says(
            Refusal::NotUtf8 {
                path: "VERSION".into(),
            },
            "VERSION: not UTF-8 text ([[release.files]])",
        );
    }
}
