//! `rel publish`: a release's attested artifacts pushed to the registry as one OCI artifact
//! under its version, and its manifest digest recorded.

use std::path::PathBuf;

use gix::ObjectId;

use super::client::Blob;
use super::locate::locate;
use super::{About, EMPTY_CONFIG, Error, Registry, manifest, registry_tag};
use crate::config::Config;
use crate::history::Repo;
use crate::record::write::Session;
use crate::record::{
    Appended, Artifact, Draft, Event, Location, Violation, attested_artifacts, release_of,
};
use crate::signature::Anchors;

/// What [`publish`] did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Published {
    /// The artifact is in the registry and its `publish` entry on the record.
    Pushed {
        /// Where.
        location: Location,
        /// The `publish` entry.
        entry: ObjectId,
        /// Who signed it.
        actor: String,
        /// The files published, with the attested artifact each is.
        files: Vec<(Artifact, PathBuf)>,
        /// Whether the registry already had this exact manifest under the tag (nothing was
        /// uploaded; only the record was missing it).
        already_there: bool,
    },
    /// The record says it is published there already; the registry agrees (`restored`: the
    /// registry had lost it, and it was pushed again, same digest).
    Already {
        /// Where.
        location: Location,
        /// Whether it had to be pushed again.
        restored: bool,
    },
    /// The `publish` entry breaks a rule of the record: nothing was pushed anywhere.
    Refused(Violation),
    /// The actor's signature does not verify against the trust anchors: nothing was pushed.
    Untrusted {
        /// Why.
        reason: String,
    },
    /// The registry holds the artifact, but the record refused its entry after the push (it
    /// changed in between): publishing again records it.
    Unrecorded {
        /// Where.
        location: Location,
        /// Why the record refused it.
        why: String,
    },
}

/// Publishes release `tag`'s attested artifacts (their files found in `paths`, else where they
/// were attested from, else in the work tree) to `config`'s registry under the release's
/// version, and records the manifest digest on `remote`'s record.
///
/// The record is checked first (nothing is pushed for an entry it would refuse); a registry
/// tag that already points at another manifest is refused (a published version is
/// immutable); the entry is appended only once the registry has the artifact.
///
/// # Errors
/// [`Error::NotConfigured`], [`Error::NotAttested`], [`Error::TagTaken`], a file that is not
/// an attested artifact or cannot be found, or the registry or the record failing.
pub fn publish(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    remote: &str,
    tag: &str,
    paths: &[PathBuf],
) -> Result<Published, Error> {
    let registry = Registry::open(&config.registry)?;
    let repository = registry.repository();
    let prefix = &config.version.tag_prefix;
    let version = crate::version::parse_tag(tag, prefix).ok_or_else(|| Error::NotAVersion {
        tag: tag.to_owned(),
        prefix: prefix.clone(),
    })?;
    let oci_tag = registry_tag(&version);
    let (tag_object, commit) = release_of(repo, tag)?;
    let mut session = Session::default();
    let state = session.fetch(repo, remote)?.clone();
    let attested = attested_artifacts(repo, &state, tag)?.ok_or_else(|| Error::NotAttested {
        tag: tag.to_owned(),
    })?;
    // Files named on the command line must be attested ones, published or not.
    let given: Vec<PathBuf> = paths.iter().filter(|p| !p.is_dir()).cloned().collect();
    if !given.is_empty() {
        locate(repo, tag, &attested, &given).or_else(|e| match e {
            Error::ArtifactsMissing { .. } => Ok(Vec::new()),
            e => Err(e),
        })?;
    }
    let about = About {
        version: oci_tag.clone(),
        tag: tag.to_owned(),
        tag_object: tag_object.to_string(),
        commit: commit.to_string(),
        source: crate::changelog::links(repo, config).map(|l| l.url),
    };
    let bytes = manifest(&attested, &about);
    let digest = super::client::sha256_digest(&bytes);
    let location = Location::new(&repository, &oci_tag, &digest);

    if let Some(published) = state.published_in(&repository, tag, tag_object) {
        let recorded = published.location.clone();
        return match registry.resolve(&recorded.tag)? {
            Some(found) if found == recorded.digest => Ok(Published::Already {
                location: recorded,
                restored: false,
            }),
            Some(found) => Err(Error::DigestMismatch {
                reference: format!("{}:{}", recorded.repository, recorded.tag),
                recorded: recorded.digest,
                found,
            }),
            // The registry lost it: push the same bytes again, when they give the same digest.
            None if recorded.digest == digest => {
                let files = locate(repo, tag, &attested, paths)?;
                registry.push(&recorded.tag, &blobs(&files), &bytes)?;
                Ok(Published::Already {
                    location: recorded,
                    restored: true,
                })
            }
            None => Err(Error::Lost {
                reference: recorded.reference(),
                rebuilt: digest,
            }),
        };
    }

    let files = locate(repo, tag, &attested, paths)?;
    let mut draft = Draft::new(Event::Publish, tag, "");
    draft.artifacts.clone_from(&attested);
    draft.registry = Some(location.clone());
    match session.judge(repo, config, anchors, remote, &draft)? {
        None => {}
        Some(Appended::Refused(v)) => return Ok(Published::Refused(v)),
        Some(Appended::Untrusted { reason }) => return Ok(Published::Untrusted { reason }),
        Some(Appended::Pushed { .. }) => unreachable!("judging pushes nothing"),
    }
    let already_there = match registry.resolve(&oci_tag)? {
        Some(found) if found == digest => true,
        Some(found) => {
            return Err(Error::TagTaken {
                reference: format!("{repository}:{oci_tag}"),
                found,
                ours: digest,
            });
        }
        None => false,
    };
    if !already_there {
        registry.push(&oci_tag, &blobs(&files), &bytes)?;
    }
    match session.append(repo, config, anchors, remote, &draft)? {
        Appended::Pushed { entry, actor, .. } => Ok(Published::Pushed {
            location,
            entry,
            actor,
            files,
            already_there,
        }),
        // The record changed between the check and the append (another writer): the registry
        // holds the artifact, the record does not say so; publishing again records it.
        Appended::Refused(v) => Ok(Published::Unrecorded {
            location,
            why: v.message,
        }),
        Appended::Untrusted { reason } => Ok(Published::Unrecorded {
            location,
            why: reason,
        }),
    }
}

/// The blobs of a publication: the empty config, then each file.
fn blobs(files: &[(Artifact, PathBuf)]) -> Vec<Blob> {
    let mut blobs = vec![Blob::Inline {
        bytes: EMPTY_CONFIG.1,
        digest: super::client::sha256_digest(EMPTY_CONFIG.1),
    }];
    blobs.extend(files.iter().map(|(a, path)| Blob::File {
        path: path.clone(),
        digest: format!("sha256:{}", a.sha256),
    }));
    blobs
}
