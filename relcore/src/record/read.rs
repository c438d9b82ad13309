//! Reading the record: its entries in order, oldest first.

use gix::ObjectId;

use super::{Error, REF, Statement};
use crate::history::Repo;
use crate::signature::{Anchors, At, Signer, verify_commit};

/// One entry of the record.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Entry {
    /// The entry's commit.
    pub id: ObjectId,
    /// The entry before it, if any.
    pub parent: Option<ObjectId>,
    /// The entry's time: its committer time, seconds since the epoch.
    pub time: i64,
    /// What it states, or why its message states nothing rel can read.
    pub statement: Result<Statement, String>,
    /// The raw commit object, for verifying its signature.
    raw: Vec<u8>,
}

impl Entry {
    /// Who signed it, verified against `anchors` with keys valid at `at`: the principal, or
    /// why the entry is not trusted.
    ///
    /// # Errors
    /// When a verification tool cannot run.
    pub(crate) fn signer(
        &self,
        anchors: &Anchors,
        at: At,
    ) -> Result<Result<Signer, String>, crate::signature::Error> {
        verify_commit(&self.raw, anchors, at)
    }
}

/// The entries of the record at `tip` (the value of [`REF`]), oldest first.
///
/// # Errors
/// When an entry cannot be read or has more than one parent.
pub fn read(repo: &Repo, tip: ObjectId) -> Result<Vec<Entry>, Error> {
    read_since(repo, tip, None)
}

/// The entries from `tip` back to (not including) `since`, oldest first; all of them when
/// `since` is `None` or not met.
///
/// # Errors
/// When an entry cannot be read or has more than one parent.
pub fn read_since(
    repo: &Repo,
    tip: ObjectId,
    since: Option<ObjectId>,
) -> Result<Vec<Entry>, Error> {
    let mut entries = Vec::new();
    let mut next = Some(tip);
    while let Some(id) = next {
        if Some(id) == since {
            break;
        }
        let entry = read_entry(repo, id)?;
        next = entry.parent;
        entries.push(entry);
    }
    entries.reverse();
    Ok(entries)
}

/// The entry `id` alone.
///
/// # Errors
/// When it cannot be read or has more than one parent.
pub(crate) fn read_entry(repo: &Repo, id: ObjectId) -> Result<Entry, Error> {
    let read_err = |source: gix::Error| {
        let what = crate::history::ReadSubject::Entry {
            id,
            reference: REF.to_owned(),
        };
        crate::history::Error::read(what, source)
    };
    let object = repo.gix().find_object(id).map_err(read_err)?;
    let commit = gix::objs::CommitRef::from_bytes(&object.data, id.kind())
        .map_err(|e| read_err(gix::Error::from_error(e)))?;
    let parents: Vec<ObjectId> = commit.parents().collect();
    if parents.len() > 1 {
        return Err(Error::NotAChain {
            entry: id,
            parents: parents.len(),
        });
    }
    let time = commit
        .committer()
        .ok()
        .and_then(|c| c.time().ok())
        .map(|t| t.seconds);
    // An entry is its message: git's empty tree, a committer time to judge it by.
    let statement = if commit.tree() != ObjectId::empty_tree(id.kind()) {
        Err(format!(
            "its tree is {}, not the empty tree: an entry carries no files",
            commit.tree()
        ))
    } else if time.is_none() {
        Err("its committer line has no time rel can read".into())
    } else {
        Statement::parse(commit.message)
    };
    Ok(Entry {
        id,
        parent: parents.first().copied(),
        time: time.unwrap_or(0),
        statement,
        raw: object.data.clone(),
    })
}
