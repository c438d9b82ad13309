//! The release tag an entry names, as the repository has it: its tag object, the commit it
//! tags, and who made it.

use gix::ObjectId;

use super::Error;
use super::state::ReleaseFacts;
use crate::history::Repo;
use crate::signature::{Anchors, At, parse_tag_object};

/// The facts about release tag `tag` that the rules need: the tag object it points at, and
/// who made it (the tagger's e-mail, and the principal of its signature when it verifies).
///
/// # Errors
/// When a verification tool cannot run.
pub(crate) fn release_facts(
    repo: &Repo,
    config: &crate::config::Config,
    anchors: &Anchors,
    tag: &str,
) -> Result<ReleaseFacts, crate::signature::Error> {
    let Some((id, data)) = tag_object(repo, tag) else {
        return Ok(ReleaseFacts::default());
    };
    let mut taggers = Vec::new();
    if let Ok(tag_ref) = gix::objs::TagRef::from_bytes(&data, id.kind())
        && let Ok(Some(tagger)) = tag_ref.tagger()
    {
        taggers.push(tagger.email.to_string());
    }
    let parsed = parse_tag_object(&data);
    let verdict = crate::signature::verify_parsed(tag, Some(&parsed), anchors, At::Now)?;
    taggers.extend(verdict.signer);
    let attested = tag_message(&data).and_then(super::parse_tag_attestation);
    let mut files = std::collections::BTreeMap::new();
    for item in &config.readiness.items {
        if let crate::config::ItemKind::File(path) = &item.kind
            && let Some(blob) = blob_at(repo, id, path)
        {
            files.insert(path.display().to_string(), blob);
        }
    }
    Ok(ReleaseFacts {
        tag_object: Some(id),
        taggers,
        attested,
        files,
    })
}

/// The blob at `path` in the tree of the commit `tag_object` tags; `None` when there is none
/// (or a tree, or a submodule, is there).
pub(crate) fn blob_at(
    repo: &Repo,
    tag_object: ObjectId,
    path: &std::path::Path,
) -> Option<ObjectId> {
    let commit = repo
        .gix()
        .find_object(tag_object)
        .ok()?
        .peel_to_kind(gix::object::Kind::Commit)
        .ok()?
        .into_commit();
    let tree = commit.tree().ok()?;
    let entry = tree.lookup_entry_by_path(path).ok()??;
    entry.mode().is_blob().then(|| entry.object_id())
}

/// The tag object `refs/tags/<tag>` points at, and its raw bytes; `None` when there is no
/// such annotated tag.
fn tag_object(repo: &Repo, tag: &str) -> Option<(ObjectId, Vec<u8>)> {
    let reference = repo
        .gix()
        .find_reference(format!("refs/tags/{tag}").as_str())
        .ok()?;
    let id = reference.target().try_id()?.to_owned();
    let object = repo.gix().find_object(id).ok()?;
    (object.kind == gix::object::Kind::Tag).then(|| (id, object.data.clone()))
}

/// Release tag `tag`: `(tag object, the commit it tags)`.
///
/// # Errors
/// [`Error::NoSuchRelease`] when `tag` is not an annotated tag of a commit in the repository.
pub fn release_of(repo: &Repo, tag: &str) -> Result<(ObjectId, ObjectId), Error> {
    let missing = || Error::NoSuchRelease {
        tag: tag.to_owned(),
    };
    let (id, _) = tag_object(repo, tag).ok_or_else(missing)?;
    let commit = repo
        .gix()
        .find_object(id)
        .ok()
        .and_then(|o| o.peel_to_kind(gix::object::Kind::Commit).ok())
        .ok_or_else(missing)?
        .id;
    Ok((id, commit))
}

/// The message of a raw tag object: the bytes after its headers.
fn tag_message(data: &[u8]) -> Option<&[u8]> {
    data.windows(2)
        .position(|w| w == b"\n\n")
        .map(|at| &data[at + 2..])
}

/// The artifacts release `tag` attests: in the record (`rel attest`), else in its own signed
/// tag message (`rel release --artifact`).
pub fn attested_artifacts(
    repo: &Repo,
    state: &super::State,
    tag: &str,
) -> Result<Option<Vec<super::Artifact>>, Error> {
    let (tag_object, _) = release_of(repo, tag)?;
    if let Some(attested) = state.attested(tag, tag_object) {
        return Ok(Some(attested.artifacts.clone()));
    }
    Ok(self::tag_object(repo, tag)
        .and_then(|(_, data)| tag_message(&data).and_then(super::parse_tag_attestation)))
}
