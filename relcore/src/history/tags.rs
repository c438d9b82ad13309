//! Release tags: listing them, following them to their commits, and finding the latest
//! release a tip contains.

use gix::ObjectId;

use super::ancestry::Ancestry;
use super::{
    Base, CommitCache, Error, ObjectProblem, ReadSubject, ReleaseTag, Repo, Signature, TagRef,
    Warning, read_err,
};
use crate::version;

impl Repo {
    /// Every tag named `<prefix><semver>`, highest version first. Reads only references, no
    /// objects: a repository with thousands of tags lists them in a few milliseconds.
    ///
    /// # Errors
    /// When references cannot be read.
    pub fn release_tags(&self, prefix: &str) -> Result<Vec<TagRef>, Error> {
        let mut tags: Vec<TagRef> = self
            .tags_starting(prefix)?
            .into_iter()
            .filter_map(|(name, target)| {
                let version = version::parse_tag(&name, prefix)?;
                Some(TagRef {
                    name,
                    version,
                    target,
                })
            })
            .collect();
        tags.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.name.cmp(&b.name)));
        Ok(tags)
    }

    /// Every tag whose name starts with `prefix`, whatever follows, and what it points at.
    ///
    /// # Errors
    /// When references cannot be read.
    pub fn tags_starting(&self, prefix: &str) -> Result<Vec<(String, ObjectId)>, Error> {
        let mut tags = Vec::new();
        let platform = self
            .repo
            .references()
            .map_err(read_err(ReadSubject::References))?;
        for reference in platform.tags().map_err(read_err(ReadSubject::Tags))? {
            let reference = reference.map_err(read_err(ReadSubject::Tags))?;
            let full = reference.name().as_bstr();
            let name = full
                .strip_prefix(b"refs/tags/")
                .and_then(|n| std::str::from_utf8(n).ok());
            if let (Some(name), Some(target)) = (name, reference.try_id())
                && name.starts_with(prefix)
            {
                tags.push((name.to_owned(), target.detach()));
            }
        }
        Ok(tags)
    }

    /// When the tag pointing at `target` was made: its tagger's time (annotated), else its
    /// commit's committer time; `None` when neither can be read.
    pub fn tag_time(&self, target: ObjectId) -> Option<i64> {
        let object = self.repo.find_object(target).ok()?;
        if object.kind == gix::object::Kind::Tag {
            let tag = gix::objs::TagRef::from_bytes(&object.data, self.repo.object_hash()).ok()?;
            if let Some(tagger) = tag.tagger().ok().flatten() {
                return tagger.time().ok().map(|t| t.seconds);
            }
        }
        let commit = object.peel_to_kind(gix::object::Kind::Commit).ok()?;
        let commit =
            gix::objs::CommitRef::from_bytes(&commit.data, self.repo.object_hash()).ok()?;
        commit.committer().ok()?.time().ok().map(|t| t.seconds)
    }

    /// Follows a tag through tag objects to its commit; `Err(Warning)` when it ends at a tree or blob.
    ///
    /// # Errors
    /// When an object cannot be read.
    pub fn peel(&self, tag: &TagRef) -> Result<Result<ReleaseTag, Warning>, Error> {
        let (mut id, mut annotated) = (tag.target, false);
        loop {
            let what = || ReadSubject::Tag(tag.name.clone());
            let header = self
                .repo
                .find_header(id)
                .map_err(|e| self.shallow_or(id, e))?;
            match header.kind() {
                gix::object::Kind::Commit => {
                    return Ok(Ok(ReleaseTag {
                        name: tag.name.clone(),
                        version: tag.version.clone(),
                        commit: id,
                        target: tag.target,
                        annotated,
                    }));
                }
                gix::object::Kind::Tag => {
                    annotated = true;
                    let object = self.repo.find_tag(id).map_err(read_err(what()))?;
                    id = object.target_id().map_err(read_err(what()))?.detach();
                }
                kind => {
                    return Ok(Err(Warning::TagNotOnCommit {
                        tag: tag.name.clone(),
                        kind: kind.to_string(),
                    }));
                }
            }
        }
    }

    /// The base release: the highest stable release tag whose commit is an ancestor of (or is) `head`.
    ///
    /// # Errors
    /// When history cannot be read, or a tag's commit lies beyond a shallow boundary.
    pub fn base(&self, tags: &[TagRef], head: ObjectId) -> Result<Base, Error> {
        self.latest_release(tags, head, false)
    }

    /// The highest release tag among `tags` (sorted highest first) whose commit is an ancestor
    /// of (or is) `head`; pre-releases count when `include_pre`.
    ///
    /// One walk of `head`'s history decides between all the tags, however many of them sit on
    /// branches `head` does not contain (see `history/ancestry.rs`). The warnings are those of
    /// the tags ranked above the release found.
    ///
    /// # Errors
    /// As [`Repo::base`].
    pub fn latest_release(
        &self,
        tags: &[TagRef],
        head: ObjectId,
        include_pre: bool,
    ) -> Result<Base, Error> {
        self.latest_release_cached(&mut CommitCache::default(), tags, head, include_pre)
    }

    /// [`Repo::latest_release`], reading commits through `cache`.
    pub(crate) fn latest_release_cached(
        &self,
        cache: &mut CommitCache,
        tags: &[TagRef],
        head: ObjectId,
        include_pre: bool,
    ) -> Result<Base, Error> {
        self.with_ancestry(cache, |ancestry| {
            self.latest_in(ancestry, tags, head, include_pre)
        })
    }

    /// [`Repo::latest_release`], reading commits through `ancestry`.
    pub(super) fn latest_in(
        &self,
        ancestry: &mut Ancestry<'_, '_, '_>,
        tags: &[TagRef],
        head: ObjectId,
        include_pre: bool,
    ) -> Result<Base, Error> {
        let eligible: Vec<&TagRef> = tags
            .iter()
            .filter(|t| include_pre || version::is_stable(&t.version))
            .collect();
        // Tags are followed to their commits only as far as the search asks, best first.
        let mut peeled = Vec::new();
        let found = ancestry
            .best_contained(
                head,
                eligible.len(),
                |rank| eligible[rank].target,
                |rank| {
                    let release = self.peel(eligible[rank])?;
                    let commit = release.as_ref().ok().map(|r| r.commit);
                    peeled.push(release);
                    Ok(commit)
                },
            )
            .map_err(|stop| self.stopped(stop))?;
        let mut base = Base::default();
        for (rank, release) in peeled.into_iter().enumerate() {
            match release {
                Ok(release) if found == Some(rank) => {
                    base.tag = Some(release);
                    break;
                }
                Ok(_) => {}
                Err(warning) => base.warnings.push(warning),
            }
        }
        Ok(base)
    }

    /// Follows `id` through tag objects: `Some(commit)`, or `None` when it ends at a tree or
    /// blob. Each tag object on the way must decode.
    pub(crate) fn peel_to_commit(
        &self,
        mut id: ObjectId,
    ) -> Result<Option<ObjectId>, ObjectProblem> {
        let hash = self.repo.object_hash();
        loop {
            let object = self.repo.find_object(id).map_err(|e| ObjectProblem {
                id,
                reason: e.to_string(),
            })?;
            match object.kind {
                gix::object::Kind::Commit => return Ok(Some(id)),
                gix::object::Kind::Tag => {
                    let tag = gix::objs::TagRef::from_bytes(&object.data, hash).map_err(|e| {
                        ObjectProblem {
                            id,
                            reason: e.to_string(),
                        }
                    })?;
                    let tagger = tag.tagger().map_err(|e| ObjectProblem {
                        id,
                        reason: format!("bad tagger line: {e}"),
                    })?;
                    if let Some(tagger) = tagger {
                        tagger.time().map_err(|e| ObjectProblem {
                            id,
                            reason: format!("bad tagger date: {e}"),
                        })?;
                    }
                    id = tag.target();
                }
                _ => return Ok(None),
            }
        }
    }

    /// When the release was made: the tagger of an annotated tag, else the committer of its commit.
    ///
    /// # Errors
    /// When the tag or commit object cannot be read.
    pub fn tag_signature(&self, tag: &ReleaseTag) -> Result<Option<Signature>, Error> {
        let what = || ReadSubject::Tag(tag.name.clone());
        if tag.annotated {
            let object = self.repo.find_tag(tag.target).map_err(read_err(what()))?;
            let decoded = object.decode().map_err(read_err(what()))?;
            if let Some(tagger) = decoded.tagger().ok().flatten() {
                return Ok(Signature::from_gix(tagger));
            }
        }
        let commit = self
            .repo
            .find_commit(tag.commit)
            .map_err(read_err(what()))?;
        let committer = commit.committer().map_err(read_err(what()))?;
        Ok(Signature::from_gix(committer))
    }
}
