//! What a check trusts and what it checks: the trust anchors of a check (the work tree's, a
//! protected revision's, or files named by the operator), and the release tags to verify.

use std::path::PathBuf;

use super::{Anchors, Error};
use crate::config::Config;
use crate::history::{Repo, TagRef};

/// Where a check takes rel.toml and the trust anchors from (`rel verify` and `rel check`):
/// by default the work tree's.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Trust {
    /// Take rel.toml and the anchors it names from the tree of this revision (e.g.
    /// `origin/main`), not from the work tree: a checkout of a tag cannot vouch for itself.
    pub anchors_from: Option<String>,
    /// Trust exactly the SSH signers in this file (git's allowed-signers format).
    pub allowed_signers: Option<PathBuf>,
    /// Trust exactly the OpenPGP keys in this folder.
    pub openpgp_keys: Option<PathBuf>,
}

impl Trust {
    /// The configuration and trust anchors of a check. Anchors named here replace the
    /// configured ones entirely (naming only SSH signers trusts no OpenPGP key, and the other
    /// way round); the configuration still comes from the work tree or `anchors_from`.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let mut trust = relcore::signature::Trust::default();
    /// let missing = dir.path().join("signers");
    /// trust.allowed_signers = Some(missing.clone());
    /// let err = trust.load(&repo).expect_err("no such file");
    /// assert_eq!(err.to_string(), format!("--allowed-signers {}: no such file", missing.display()));
    /// std::fs::write(&missing, "")?;
    /// let (_config, anchors) = trust.load(&repo)?;
    /// assert_eq!((anchors.allowed_signers, anchors.openpgp_keys), (Some(missing), None));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NoSuchAnchor`] when a named file or folder does not exist; when rel.toml is
    /// not accepted or its anchors cannot be taken from the revision.
    pub fn load(&self, repo: &Repo) -> Result<(Config, Anchors), Error> {
        let explicit = self.allowed_signers.is_some() || self.openpgp_keys.is_some();
        let (config, anchors) = match &self.anchors_from {
            Some(rev) => Anchors::from_tree(repo, rev)?,
            None => {
                let config = repo.load_config()?;
                let anchors = if explicit {
                    Anchors::from_files(None, None)
                } else {
                    Anchors::from_config(&config, &repo.root())?
                };
                (config, anchors)
            }
        };
        if !explicit {
            return Ok((config, anchors));
        }
        if let Some(file) = &self.allowed_signers
            && !file.is_file()
        {
            return Err(Error::NoSuchAnchor {
                option: "--allowed-signers",
                path: file.clone(),
                expected: "file",
            });
        }
        if let Some(folder) = &self.openpgp_keys
            && !folder.is_dir()
        {
            return Err(Error::NoSuchAnchor {
                option: "--openpgp-keys",
                path: folder.clone(),
                expected: "folder",
            });
        }
        let anchors = Anchors::from_files(self.allowed_signers.clone(), self.openpgp_keys.clone());
        Ok((config, anchors))
    }
}

/// The release tags to verify: those `names` (with or without `refs/tags/`), or when none are
/// named every release tag HEAD contains, oldest version first.
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
/// git(&["tag", "v0.2.0-rc.1"])?;
/// let names = |tags: Vec<relcore::signature::TagRef>| tags.into_iter().map(|t| t.name).collect::<Vec<_>>();
/// assert_eq!(names(signature::select(&repo, "v", &[])?), ["v0.1.0", "v0.2.0-rc.1"]);
/// let err = signature::select(&repo, "v", &["0.1.0".to_owned()]).expect_err("not a tag");
/// assert_eq!(err.to_string(), "`0.1.0` is not a release tag (a tag named v<semver> that exists)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::NotARelease`] when a name is not a release tag of `prefix`; when history cannot be
/// read.
pub fn select(repo: &Repo, prefix: &str, names: &[String]) -> Result<Vec<TagRef>, Error> {
    let all = repo.release_tags(prefix)?;
    if names.is_empty() {
        // One walk answers for all.
        let head = repo.head()?;
        let mut peeled = Vec::new();
        for tag in all.iter().rev() {
            if let Ok(release) = repo.peel(tag)? {
                peeled.push((tag, release.commit));
            }
        }
        let commits: Vec<_> = peeled.iter().map(|(_, c)| *c).collect();
        let contained = repo.contains_all(head.id, &commits)?;
        return Ok(peeled
            .into_iter()
            .zip(contained)
            .filter(|(_, yes)| *yes)
            .map(|((tag, _), _)| tag.clone())
            .collect());
    }
    names
        .iter()
        .map(|name| {
            let bare = name.strip_prefix("refs/tags/").unwrap_or(name);
            all.iter()
                .find(|t| t.name == *bare)
                .cloned()
                .ok_or_else(|| Error::NotARelease {
                    name: name.clone(),
                    prefix: prefix.to_owned(),
                })
        })
        .collect()
}
