//! Promotion by digest: the release's artifact pulled from the registry by the digest its
//! `publish` entry recorded, every file checked against the attested sha256, then deployed.

use std::path::{Path, PathBuf};

use super::{Error, Registry};
use crate::config::Config;
use crate::history::Repo;
use crate::record::{
    Deployed, Location, Progress, State, Target, attested_artifacts, listing, release_of,
    same_artifacts,
};

/// The release's files as pulled from the registry.
#[derive(Debug)]
#[non_exhaustive]
pub struct Pulled {
    /// Where they were pulled from.
    pub location: Location,
    /// The files, each an attested artifact.
    pub files: Vec<PathBuf>,
}

/// Pulls release `tag` (as `state` records its publication in `config`'s registry) into
/// `dir`: refuses when the registry's tag points at another digest than the recorded one (it
/// was pushed again), and when what it serves is not exactly the attested files.
///
/// # Errors
/// [`Error::NotPublished`], [`Error::DigestMismatch`], [`Error::Tampered`], or the registry
/// failing.
pub fn pull(
    repo: &Repo,
    config: &Config,
    state: &State,
    tag: &str,
    dir: &Path,
) -> Result<Pulled, Error> {
    let registry = Registry::open(&config.registry)?;
    let repository = registry.repository();
    let (tag_object, _) = release_of(repo, tag)?;
    let location = state
        .published_in(&repository, tag, tag_object)
        .map(|p| p.location.clone())
        .ok_or_else(|| Error::NotPublished {
            tag: tag.to_owned(),
            repository: repository.clone(),
        })?;
    let attested = attested_artifacts(repo, state, tag)?.ok_or_else(|| Error::NotAttested {
        tag: tag.to_owned(),
    })?;
    if let Some(found) = registry.resolve(&location.tag)?
        && found != location.digest
    {
        return Err(Error::DigestMismatch {
            reference: format!("{}:{}", location.repository, location.tag),
            recorded: location.digest,
            found,
        });
    }
    let files = registry.pull(&location.digest, dir, &attested)?;
    // What landed on disk, hashed again: exactly the attested files, whatever was served.
    let landed = files
        .iter()
        .map(|path| crate::record::artifact(path))
        .collect::<Result<Vec<_>, _>>()?;
    if !same_artifacts(&landed, &attested) {
        return Err(Error::Tampered {
            reference: location.reference(),
            what: format!(
                "the files pulled are {}, and {tag} attests {}",
                listing(&landed),
                listing(&attested)
            ),
        });
    }
    Ok(Pulled { location, files })
}

/// Promotes release `tag` to `target.environment` with its artifacts pulled from the registry
/// by their recorded digest ([`pull`]); the files live in a temporary directory for the
/// deployment (`REL_ARTIFACTS` lists them) and are removed after it. A release not published
/// in the configured registry is an error when `required`, else promoted without artifacts
/// (`None`), as [`crate::record::promote()`] does.
///
/// # Errors
/// As [`pull`] and [`crate::record::promote()`].
pub fn promote(
    target: Target<'_>,
    tag: &str,
    required: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Option<Pulled>, Deployed), Error> {
    let tip = crate::record::fetch(target.repo, target.remote)?;
    let state = crate::record::state_at(target.repo, tip)?;
    let (tag_object, _) = release_of(target.repo, tag)?;
    let published = Registry::open(&target.config.registry)
        .ok()
        .is_some_and(|r| {
            state
                .published_in(&r.repository(), tag, tag_object)
                .is_some()
        });
    if !published && !required {
        return Ok((None, crate::record::promote(target, tag, &[], progress)?));
    }
    let dir = tempfile::Builder::new()
        .prefix("rel-pulled-")
        .tempdir()
        .map_err(|source| {
            Error::File(crate::paths::Error::Write {
                path: std::env::temp_dir(),
                source,
            })
        })?;
    let pulled = pull(target.repo, target.config, &state, tag, dir.path())?;
    progress(Progress::Pulled {
        reference: pulled.location.reference(),
        files: pulled.files.clone(),
    });
    let deployed = crate::record::promote(target, tag, &pulled.files, progress)?;
    Ok((Some(pulled), deployed))
}
