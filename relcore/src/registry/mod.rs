//! The artifact registry: a release's attested artifacts published to an OCI registry
//! ([`publish`]) as one OCI artifact under its version, its manifest digest recorded in the
//! release record; promoted from there by that digest ([`promote`]); deleted by the retention
//! policy, never what it keeps ([`prune`]).
//!
//! The artifact is an OCI image manifest with `artifactType` [`ARTIFACT_TYPE`], the empty
//! config (`application/vnd.oci.empty.v1+json`), and one layer per file
//! (`application/octet-stream`, titled with `org.opencontainers.image.title`), sorted by name;
//! its annotations name the version, the release tag, its tag object, the commit and the
//! source (the repository's web address, as the changelog links to it: the same from an SSH
//! or an HTTPS clone). It holds nothing that changes between two publications of the same
//! release, so publishing it again gives the same digest.
//!
//! ```
//! use relcore::record::Artifact;
//! let files = [Artifact::new("app.tar.gz", 5, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")];
//! let about = relcore::registry::About {
//!     version: "1.2.0".into(),
//!     tag: "v1.2.0".into(),
//!     tag_object: "1111111111111111111111111111111111111111".into(),
//!     commit: "2222222222222222222222222222222222222222".into(),
//!     source: Some("https://example.com/team/app.git".into()),
//! };
//! let manifest = relcore::registry::manifest(&files, &about);
//! let json: serde_json::Value = serde_json::from_slice(&manifest)?;
//! assert_eq!(json["artifactType"], relcore::registry::ARTIFACT_TYPE);
//! assert_eq!(json["layers"][0]["annotations"]["org.opencontainers.image.title"], "app.tar.gz");
//! assert_eq!(json["annotations"]["org.opencontainers.image.version"], "1.2.0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod client;
mod locate;
mod prune;
mod publish;
mod pull;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

pub use auth::Source;
pub use client::Registry;
pub use prune::{Planned, Pruning, plan, prune};
pub use publish::{Published, publish};
pub use pull::{Pulled, promote, pull};

use crate::record::Artifact;
pub use crate::record::registry_tag;

/// The media type of the manifest rel pushes (an OCI image manifest).
pub const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// The `artifactType` of a release published by rel.
pub const ARTIFACT_TYPE: &str = "application/vnd.rel.release.v1";
/// The media type of each file's layer.
pub const LAYER_TYPE: &str = "application/octet-stream";
/// The empty config blob (`{}`) and its media type.
const EMPTY_CONFIG: (&str, &[u8]) = ("application/vnd.oci.empty.v1+json", b"{}");

/// Why publishing, pulling or pruning failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// rel.toml has no `[registry] repository`.
    #[error(
        "no registry is configured: set [registry] repository = \"host/path\" in rel.toml (e.g. registry.example.com/team/app)"
    )]
    NotConfigured,
    /// The registry could not be reached.
    #[error("registry {registry} cannot be reached: {reason}")]
    Unreachable {
        /// The registry host.
        registry: String,
        /// Why.
        reason: String,
    },
    /// The registry refused the credentials (or their absence).
    #[error("registry {registry} refused the credentials from {credentials}")]
    Unauthorized {
        /// The registry host.
        registry: String,
        /// Where they came from.
        credentials: String,
    },
    /// The registry failed a request.
    #[error("registry {registry} failed {what}: {reason}")]
    Registry {
        /// The registry host.
        registry: String,
        /// The request.
        what: String,
        /// What it said.
        reason: String,
    },
    /// An auth file or credential helper for the registry could not be read.
    #[error("cannot read the credentials for {host} from {source_name}: {reason}")]
    Credentials {
        /// The registry host.
        host: String,
        /// The file or helper.
        source_name: String,
        /// Why.
        reason: String,
    },
    /// The async runtime or HTTP client could not start.
    #[error("cannot start the registry client: {0}")]
    Runtime(String),
    /// The registry's tag already points at another manifest: versions are immutable.
    #[error(
        "{reference} already exists with digest {found}, not {ours}: a published version is immutable"
    )]
    TagTaken {
        /// The repository and tag.
        reference: String,
        /// The digest the tag points at.
        found: String,
        /// The digest of what rel would publish.
        ours: String,
    },
    /// The registry's tag no longer points at the recorded digest: someone pushed it again.
    #[error(
        "{reference} points at {found}, but the record published it as {recorded}: the tag was pushed again, and rel deploys only the recorded digest"
    )]
    DigestMismatch {
        /// The repository and tag.
        reference: String,
        /// The digest in the record.
        recorded: String,
        /// The digest the tag points at now.
        found: String,
    },
    /// What the registry served under a digest is not what the digest (or the attestation)
    /// says.
    #[error("{reference} is not what was published: {what}")]
    Tampered {
        /// The reference pulled.
        reference: String,
        /// What differs.
        what: String,
    },
    /// The release has no attested artifacts to publish.
    #[error("{tag} has no attested artifacts: attest them first (rel attest {tag} PATH...)")]
    NotAttested {
        /// The release tag.
        tag: String,
    },
    /// The release tag is not a version.
    #[error(
        "{tag} is not a release version (tag prefix `{prefix}`): it has no version to publish under"
    )]
    NotAVersion {
        /// The release tag.
        tag: String,
        /// The configured tag prefix.
        prefix: String,
    },
    /// A file given to publish is not one of the release's attested artifacts.
    #[error("{} (sha256 {sha256}) is not an attested artifact of {tag}", path.display())]
    NotAnArtifact {
        /// The file.
        path: PathBuf,
        /// Its digest.
        sha256: String,
        /// The release tag.
        tag: String,
    },
    /// Attested artifacts with no file found for them.
    #[error("no file found for {tag}'s attested {}: give their paths (rel publish {tag} PATH...)", .missing.iter().map(|(n, d)| format!("{n} (sha256 {d})")).collect::<Vec<_>>().join(", "))]
    ArtifactsMissing {
        /// The release tag.
        tag: String,
        /// Name and sha256 of each artifact not found.
        missing: Vec<(String, String)>,
    },
    /// A file changed between being hashed and being pushed.
    #[error("{} changed while it was being published", path.display())]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// The registry lost a published release, and the manifest rel builds now differs from the
    /// recorded one (another source URL in rel.toml or the remote).
    #[error(
        "the registry no longer has {reference}, and the manifest rel builds now has digest {rebuilt}: push the recorded manifest back, or publish from a clone with the same [changelog] links"
    )]
    Lost {
        /// The recorded reference.
        reference: String,
        /// The digest of the manifest rel builds now.
        rebuilt: String,
    },
    /// The release is not published in the configured repository.
    #[error("{tag} is not published in {repository}: publish it first (rel publish {tag})")]
    NotPublished {
        /// The release tag.
        tag: String,
        /// The repository.
        repository: String,
    },
    /// `rel prune` with no retention rule: it would delete every version.
    #[error(
        "no [registry.retention] rule is configured (keep_last, keep_environments, keep_days): pruning would delete every published version"
    )]
    NoRetention,
    /// The record could not be read or written.
    #[error(transparent)]
    Record(#[from] crate::record::Error),
    /// A file could not be read or written.
    #[error(transparent)]
    File(#[from] crate::paths::Error),
}

impl Error {
    /// Whether this is a check that failed (exit 1: a taken tag, a digest that does not
    /// match, nothing attested or published), not a usage, configuration or environment
    /// error (exit 2).
    pub fn is_check_failure(&self) -> bool {
        matches!(
            self,
            Error::TagTaken { .. }
                | Error::DigestMismatch { .. }
                | Error::Tampered { .. }
                | Error::NotAttested { .. }
                | Error::NotAnArtifact { .. }
                | Error::NotPublished { .. }
        )
    }
}

/// What the manifest says about the release it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct About {
    /// The version, e.g. `1.2.0` (the registry tag, `+` written `_`).
    pub version: String,
    /// The release tag, e.g. `v1.2.0`.
    pub tag: String,
    /// Its tag object.
    pub tag_object: String,
    /// The commit it tags.
    pub commit: String,
    /// Where the source lives (the remote's URL without credentials), if known.
    pub source: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest<'a> {
    schema_version: u32,
    media_type: &'a str,
    artifact_type: &'a str,
    config: Descriptor<'a>,
    layers: Vec<Descriptor<'a>>,
    annotations: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    media_type: &'a str,
    digest: String,
    size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<BTreeMap<&'a str, &'a str>>,
}

/// The manifest of release `about` holding `files` (as they are attested): its exact bytes,
/// the same for the same release and files.
pub fn manifest(files: &[Artifact], about: &About) -> Vec<u8> {
    let mut files: Vec<&Artifact> = files.iter().collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let layers = files
        .iter()
        .map(|a| Descriptor {
            media_type: LAYER_TYPE,
            digest: format!("sha256:{}", a.sha256),
            size: a.size,
            annotations: Some(BTreeMap::from([(
                "org.opencontainers.image.title",
                a.name.as_str(),
            )])),
        })
        .collect();
    let mut annotations = BTreeMap::from([
        ("org.opencontainers.image.version", about.version.as_str()),
        ("org.opencontainers.image.revision", about.commit.as_str()),
        ("dev.rel.tag", about.tag.as_str()),
        ("dev.rel.tag-object", about.tag_object.as_str()),
    ]);
    if let Some(source) = &about.source {
        annotations.insert("org.opencontainers.image.source", source.as_str());
    }
    let manifest = Manifest {
        schema_version: 2,
        media_type: MANIFEST_TYPE,
        artifact_type: ARTIFACT_TYPE,
        config: Descriptor {
            media_type: EMPTY_CONFIG.0,
            digest: client::sha256_digest(EMPTY_CONFIG.1),
            size: EMPTY_CONFIG.1.len() as u64,
            annotations: None,
        },
        layers,
        annotations,
    };
    serde_json::to_vec(&manifest).expect("a manifest serializes")
}
