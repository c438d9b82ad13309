//! Verifying release tags: annotated, signed, signed by a trusted key, and named for the
//! version they claim.
//!
//! Trust comes only from the anchors in the configuration — an SSH allowed-signers file and a
//! folder of OpenPGP public keys — never from the presence of a signature block, and never from
//! the user's own keyring: OpenPGP signatures are checked in a throwaway GnuPG home holding
//! only the configured keys, SSH signatures with `ssh-keygen -Y verify` against the
//! allowed-signers file, in namespace `git`, at the tagger's time, as git does.
//!
//! Verifying every release tag against no anchors at all:
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
//! #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
//! #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
//! # };
//! # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
//! use relcore::signature::{self, Anchors, Check};
//! let repo = relcore::Repo::discover(dir.path())?;
//! let tags = signature::select(&repo, "v", &[])?;
//! let verdict = signature::verify(&repo, &tags[0], &Anchors::from_files(None, None))?;
//! // v0.1.0 is annotated but not signed.
//! assert_eq!((verdict.tag.as_str(), verdict.failed), ("v0.1.0", Some(Check::Signed)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod anchors;
mod commit;
mod openpgp;
mod select;
mod ssh;
mod tag_object;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config;
use crate::history::{self, ReadSubject, Repo};
use crate::paths;
use crate::process::Tool;

/// A release tag as listed, what [`select`] returns and [`verify`] takes.
pub use crate::history::TagRef;
pub use anchors::Anchors;
pub(crate) use commit::{Signer, verify_commit};
pub use select::{Trust, select};
use tag_object::SIGNATURE_HEADERS;
pub(crate) use tag_object::{TagObject, parse_tag_object};

/// Which check a tag failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Check {
    /// It is a lightweight tag, not a tag object.
    Annotated,
    /// The tag object carries no signature.
    Signed,
    /// The signature does not verify against the trust anchors.
    Trusted,
    /// The tag object's own name differs from the tag's name.
    Name,
}

impl Check {
    /// The check's id, as in JSON output: `annotated`, `signed`, `trusted`, `name`.
    pub fn id(self) -> &'static str {
        match self {
            Check::Annotated => "annotated",
            Check::Signed => "signed",
            Check::Trusted => "trusted",
            Check::Name => "name",
        }
    }
}

/// The signature formats git writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// `-----BEGIN PGP SIGNATURE-----`.
    Openpgp,
    /// `-----BEGIN SSH SIGNATURE-----`.
    Ssh,
    /// `-----BEGIN SIGNED MESSAGE-----` (gitsign and other x509 signers).
    X509,
}

impl Format {
    /// The format of an ASCII-armoured signature, by its first line.
    pub(crate) fn of(signature: &[u8]) -> Self {
        if signature.starts_with(SIGNATURE_HEADERS[3]) {
            Format::Ssh
        } else if signature.starts_with(SIGNATURE_HEADERS[0])
            || signature.starts_with(SIGNATURE_HEADERS[1])
        {
            Format::Openpgp
        } else {
            Format::X509
        }
    }

    /// The format's name, as in JSON output: `openpgp`, `ssh`, `x509`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Openpgp => "openpgp",
            Format::Ssh => "ssh",
            Format::X509 => "x509",
        }
    }
}

/// The verdict on one tag.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Verdict {
    /// The tag's name.
    pub tag: String,
    /// The signature format, when signed.
    pub format: Option<Format>,
    /// Who signed, when the signature verifies: the SSH principal or the OpenPGP key fingerprint.
    pub signer: Option<String>,
    /// The check that failed, if any.
    pub failed: Option<Check>,
    /// Why, in a sentence.
    pub reason: Option<String>,
}

impl Verdict {
    /// Whether every check passed.
    pub fn is_ok(&self) -> bool {
        self.failed.is_none()
    }

    fn fail(mut self, check: Check, reason: impl Into<String>) -> Self {
        self.failed = Some(check);
        self.reason = Some(reason.into());
        self
    }
}

/// Why verification could not run at all (as opposed to a tag failing it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the repository failed.
    #[error(transparent)]
    History(#[from] history::Error),
    /// A tool (`ssh-keygen`, `gpg`) or a temporary file was not available.
    #[error("cannot run {what}")]
    Tool {
        /// What was being run.
        what: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The rel.toml of the revision the anchors are taken from is not accepted.
    #[error(transparent)]
    Config(#[from] config::Error),
    /// An anchor path in the rel.toml of `rev` leaves its tree or passes through a symlink.
    #[error("cannot take the trust anchors from {rev}")]
    Anchors {
        /// The revision, as given.
        rev: String,
        /// What is wrong with the path.
        #[source]
        source: paths::Error,
    },
    /// An anchor path in the rel.toml of `rev` names nothing of the right kind in its tree.
    #[error("{rev}:rel.toml: {key} = \"{}\" names no {expected} in the tree of {rev}", path.display())]
    NotInTree {
        /// The revision, as given.
        rev: String,
        /// The key, `policy.allowed_signers` or `policy.openpgp_keys`.
        key: String,
        /// The path as configured.
        path: PathBuf,
        /// `file` or `folder`.
        expected: &'static str,
    },
    /// A configured anchor path leaves the work tree or is not of the right kind.
    #[error(transparent)]
    Path(#[from] paths::Error),
    /// An anchor named by the operator does not exist.
    #[error("{option} {}: no such {expected}", path.display())]
    NoSuchAnchor {
        /// How it was named: `--allowed-signers` or `--openpgp-keys`.
        option: &'static str,
        /// The path as given.
        path: PathBuf,
        /// `file` or `folder`.
        expected: &'static str,
    },
    /// A tag asked for is not a release tag.
    #[error("`{name}` is not a release tag (a tag named {prefix}<semver> that exists)")]
    NotARelease {
        /// The name as given.
        name: String,
        /// The release tag prefix.
        prefix: String,
    },
}

/// The moment at which a signing key must be valid (SSH `valid-after` / `valid-before`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub(crate) enum At {
    /// The tagger's date, as `git verify-tag` does: an audit of history (`rel verify`), where a
    /// key retired since still vouches for what it signed while it was valid.
    #[default]
    Tagger,
    /// Now: a gate deciding on a push (the hooks, `rel check`). The tagger date is the pusher's
    /// to write, so a retired key cannot get a release through by backdating it.
    Now,
}

/// Verifies one release tag.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// use relcore::signature::{self, Anchors, Check};
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = repo.load_config()?;
/// let tags = signature::select(&repo, &config.version.tag_prefix, &["v0.1.0".to_owned()])?;
/// let verdict = signature::verify(&repo, &tags[0], &Anchors::from_files(None, None))?;
/// assert_eq!((verdict.tag.as_str(), verdict.failed), ("v0.1.0", Some(Check::Signed)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// When the tag cannot be read or a verification tool cannot run.
pub fn verify(repo: &Repo, tag: &TagRef, anchors: &Anchors) -> Result<Verdict, Error> {
    let object = read_tag(repo, tag)?;
    verify_parsed(&tag.name, object.as_ref(), anchors, At::Tagger)
}

/// Verifies many release tags, the signature checks spread over the machine's cores (each
/// check runs `ssh-keygen` or `gpg`, so they wait on processes, not on each other).
///
/// # Errors
/// When a tag cannot be read or a verification tool cannot run.
pub(crate) fn verify_many(
    repo: &Repo,
    tags: &[TagRef],
    anchors: &Anchors,
    at: At,
) -> Result<Vec<Verdict>, Error> {
    let objects = tags
        .iter()
        .map(|t| read_tag(repo, t))
        .collect::<Result<Vec<_>, _>>()?;
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let chunk = tags.len().div_ceil(workers).max(1);
    let results: Vec<Result<Vec<Verdict>, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = tags
            .chunks(chunk)
            .zip(objects.chunks(chunk))
            .map(|(tags, objects)| {
                scope.spawn(move || {
                    tags.iter()
                        .zip(objects)
                        .map(|(t, o)| verify_parsed(&t.name, o.as_ref(), anchors, at))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a verification thread does not panic"))
            .collect()
    });
    let mut out = Vec::with_capacity(tags.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

/// The tag object a release tag points at; `None` for a lightweight tag.
///
/// # Errors
/// When it cannot be read.
pub(crate) fn read_tag(repo: &Repo, tag: &TagRef) -> Result<Option<TagObject>, Error> {
    let object = repo
        .gix()
        .find_object(tag.target)
        .map_err(|source| history::Error::read(ReadSubject::Tag(tag.name.clone()), source))?;
    Ok((object.kind == gix::object::Kind::Tag).then(|| parse_tag_object(&object.data)))
}

/// Verifies a tag named `name` whose object is `object` (`None`: lightweight), with keys valid
/// [`At`] the given moment.
///
/// # Errors
/// When a verification tool cannot run.
pub(crate) fn verify_parsed(
    name: &str,
    object: Option<&TagObject>,
    anchors: &Anchors,
    at: At,
) -> Result<Verdict, Error> {
    let verdict = Verdict {
        tag: name.to_owned(),
        format: None,
        signer: None,
        failed: None,
        reason: None,
    };
    match object {
        None => Ok(verdict.fail(
            Check::Annotated,
            "a lightweight tag: release tags must be annotated (git tag -a)",
        )),
        Some(parsed) => verify_object(parsed, name, anchors, at, verdict),
    }
}

fn verify_object(
    parsed: &TagObject,
    name: &str,
    anchors: &Anchors,
    at: At,
    mut verdict: Verdict,
) -> Result<Verdict, Error> {
    if parsed.name != name {
        return Ok(verdict.fail(
            Check::Name,
            format!(
                "the tag object is named `{}`, not `{name}`: it was made for another version",
                parsed.name
            ),
        ));
    }
    let Some(signature) = &parsed.signature else {
        return Ok(verdict.fail(Check::Signed, "not signed (git tag -s)"));
    };
    let format = Format::of(signature);
    verdict.format = Some(format);
    let outcome = match format {
        Format::Ssh => ssh::verify(parsed, signature, anchors, at)?,
        Format::Openpgp => openpgp::verify(parsed, signature, anchors)?,
        Format::X509 => Err("x509 signatures cannot be checked against rel's trust anchors (SSH allowed signers, OpenPGP keys)".to_owned()),
    };
    Ok(match outcome {
        Ok(signer) => {
            verdict.signer = Some(signer);
            verdict
        }
        Err(reason) => verdict.fail(Check::Trusted, reason),
    })
}

pub(super) fn tool_error(what: &str) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Tool {
        what: what.to_owned(),
        source,
    }
}

/// Runs `program args` with `stdin`; (success, stdout, stderr).
pub(super) fn run(
    program: &str,
    args: &[&str],
    stdin: &[u8],
    env: &[(&str, &Path)],
) -> Result<(bool, String, String), Error> {
    let tool = env
        .iter()
        .fold(Tool::new(program), |tool, (k, v)| tool.with_env(k, *v));
    let out = tool
        .run(args, Some(stdin))
        .map_err(|e| tool_error(program)(e.source))?;
    Ok((out.success, out.stdout, out.stderr))
}
