//! Revision parsing: a revision or a range as the user gives it, to the commits it names.

use gix::ObjectId;

use super::{Error, Repo};

impl Repo {
    /// Resolves a revision (`HEAD`, `v1.2.0`, `main~3`, an id) to the commit it names.
    ///
    /// # Errors
    /// [`Error::BadRevision`] when it names nothing, or something that is not a commit.
    pub fn resolve(&self, spec: &str) -> Result<ObjectId, Error> {
        let bad = |reason: String| Error::BadRevision {
            spec: spec.to_owned(),
            reason,
        };
        let id = self
            .repo
            .rev_parse_single(spec)
            .map_err(|e| bad(e.to_string()))?;
        let object = id.object().map_err(|e| bad(e.to_string()))?;
        let commit = object
            .peel_to_kind(gix::object::Kind::Commit)
            .map_err(|_| bad("it does not lead to a commit".into()))?;
        Ok(commit.id)
    }

    /// Resolves a range to the commit to walk from and the one whose history to leave out:
    /// `A..B`, `A..` (to HEAD), `..B` (from HEAD), or one revision for all of its history.
    ///
    /// # Errors
    /// [`Error::BadRange`] for `A...B` and the like, [`Error::BadRevision`] for a side that names no commit.
    pub fn range(&self, spec: &str) -> Result<(ObjectId, Option<ObjectId>), Error> {
        let side = |s: &str| self.resolve(if s.is_empty() { "HEAD" } else { s });
        match spec.split_once("..") {
            Some((_, to)) if to.starts_with('.') => Err(Error::BadRange { spec: spec.into() }),
            Some((from, to)) => Ok((side(to)?, Some(side(from)?))),
            None if spec.is_empty() => Err(Error::BadRange { spec: spec.into() }),
            None => Ok((side(spec)?, None)),
        }
    }
}
