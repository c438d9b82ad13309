//! The references of a repository, as names and ids: what a remote has, for a policy push.

use gix::ObjectId;

use crate::history::{Error, ReadSubject, Repo};

fn read_err<E: Into<gix::Error>>(what: ReadSubject) -> impl FnOnce(E) -> Error {
    move |source| Error::read(what, source.into())
}

impl Repo {
    /// Every ref that points at an object directly, `(full name, id)`, under `prefix`
    /// (`""` for all of them); symbolic refs are left out.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let tags = repo.refs("refs/tags/")?;
    /// assert_eq!(tags.len(), 1);
    /// assert_eq!(tags[0].0, "refs/tags/v0.1.0");
    /// assert!(repo.has_ref("refs/heads/main")? && !repo.has_ref("refs/heads/topic")?);
    /// assert!(repo.null_id().is_null());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// When the references cannot be listed.
    pub fn refs(&self, prefix: &str) -> Result<Vec<(String, ObjectId)>, Error> {
        let platform = self
            .gix()
            .references()
            .map_err(read_err(ReadSubject::References))?;
        let iter = if prefix.is_empty() {
            platform.all()
        } else {
            platform.prefixed(prefix)
        }
        .map_err(read_err(ReadSubject::References))?;
        Ok(iter
            .filter_map(Result::ok)
            .filter_map(|r| Some((r.name().as_bstr().to_string(), r.try_id()?.detach())))
            .collect())
    }

    /// Whether the ref `name` (a full name) exists.
    ///
    /// # Errors
    /// When the references cannot be read.
    pub fn has_ref(&self, name: &str) -> Result<bool, Error> {
        Ok(self
            .gix()
            .try_find_reference(name)
            .map_err(read_err(ReadSubject::Reference(name.to_owned())))?
            .is_some())
    }

    /// The null id of this repository's hash kind: the old value of a created ref.
    pub fn null_id(&self) -> ObjectId {
        ObjectId::null(self.gix().object_hash())
    }
}
