//! The references of a repository, as names and ids: what a remote has, for a policy push.

use gix::ObjectId;

use crate::history::{Error, Repo};

fn read_err<E: Into<gix::Error>>(what: &str) -> impl FnOnce(E) -> Error + '_ {
    move |source| Error::Read {
        what: what.to_owned(),
        source: source.into(),
    }
}

impl Repo {
    /// Every ref that points at an object directly, `(full name, id)`, under `prefix`
    /// (`""` for all of them); symbolic refs are left out.
    ///
    /// # Errors
    /// When the references cannot be listed.
    pub fn refs(&self, prefix: &str) -> Result<Vec<(String, ObjectId)>, Error> {
        let platform = self
            .gix()
            .references()
            .map_err(read_err("the references"))?;
        let iter = if prefix.is_empty() {
            platform.all()
        } else {
            platform.prefixed(prefix)
        }
        .map_err(read_err("the references"))?;
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
            .map_err(read_err(name))?
            .is_some())
    }

    /// The null id of this repository's hash kind: the old value of a created ref.
    pub fn null_id(&self) -> ObjectId {
        ObjectId::null(self.gix().object_hash())
    }
}
