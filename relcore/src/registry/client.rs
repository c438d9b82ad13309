//! The OCI registry a release is published to, through the `oci-client` crate (its async API
//! driven by a single-threaded runtime, so that relcore stays synchronous): resolve a tag, push
//! blobs and a manifest, pull by digest (every byte checked against its digest), delete a
//! manifest by digest.

use std::path::{Path, PathBuf};
use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{OciDescriptor, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Reference, RegistryOperation};

use super::auth::{Source, credentials};
use super::{Error, MANIFEST_TYPE};
use crate::config::RegistryConfig;
use crate::http::chain;
use crate::record::{Artifact, listing, same_artifacts};

/// A connection to the configured registry repository (nothing is sent until it is used).
pub struct Registry {
    host: String,
    path: String,
    plain_http: bool,
    client: oci_client::Client,
    auth: RegistryAuth,
    source: Source,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("repository", &self.repository())
            .field("plain_http", &self.plain_http)
            .field("credentials", &self.source)
            .finish_non_exhaustive()
    }
}

/// A blob to push: a file's bytes, or bytes at hand (the empty config).
#[derive(Debug, Clone)]
pub(super) enum Blob {
    File {
        path: PathBuf,
        digest: String,
    },
    Inline {
        bytes: &'static [u8],
        digest: String,
    },
}

impl Blob {
    fn digest(&self) -> &str {
        match self {
            Blob::File { digest, .. } | Blob::Inline { digest, .. } => digest,
        }
    }
}

impl Registry {
    /// The registry `config` names, with the credentials found for its host
    /// (`REL_REGISTRY_TOKEN`, `REL_REGISTRY_USERNAME`/`REL_REGISTRY_PASSWORD`, then podman's
    /// and docker's auth files and credential helpers; see [`Source`]); plain HTTP only where
    /// [`RegistryConfig::plain_http_allowed`].
    ///
    /// # Errors
    /// [`Error::NotConfigured`] without `[registry] repository`; [`Error::Credentials`] when an
    /// auth file or helper for the host cannot be read; [`Error::Runtime`] when no runtime
    /// can start.
    pub fn open(config: &RegistryConfig) -> Result<Self, Error> {
        let (Some(host), Some(path)) = (config.host(), config.path()) else {
            return Err(Error::NotConfigured);
        };
        let (auth, source) = credentials(host)?;
        let plain_http = config.plain_http_allowed();
        let client = oci_client::Client::new(ClientConfig {
            protocol: if plain_http {
                ClientProtocol::Http
            } else {
                ClientProtocol::Https
            },
            use_monolithic_push: true,
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(120)),
            user_agent: concat!("rel/", env!("CARGO_PKG_VERSION")),
            ..ClientConfig::default()
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Runtime(e.to_string()))?;
        Ok(Registry {
            host: host.to_owned(),
            path: path.to_owned(),
            plain_http,
            client,
            auth,
            source,
            runtime,
        })
    }

    /// The repository, `host/path`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.host, self.path)
    }

    /// Where its credentials come from.
    pub fn credentials(&self) -> &Source {
        &self.source
    }

    fn by_tag(&self, tag: &str) -> Reference {
        Reference::with_tag(self.host.clone(), self.path.clone(), tag.to_owned())
    }

    fn by_digest(&self, digest: &str) -> Reference {
        Reference::with_digest(self.host.clone(), self.path.clone(), digest.to_owned())
    }

    /// What a failed request means, naming the registry.
    fn failed(&self, what: &str, e: OciDistributionError) -> Error {
        let registry = self.host.clone();
        let unauthorized = || Error::Unauthorized {
            registry: self.host.clone(),
            credentials: self.source.to_string(),
        };
        match e {
            OciDistributionError::RequestError(e) if e.is_connect() || e.is_timeout() => {
                Error::Unreachable {
                    registry,
                    reason: chain(&e),
                }
            }
            OciDistributionError::UnauthorizedError { .. }
            | OciDistributionError::AuthenticationFailure(_) => unauthorized(),
            OciDistributionError::ServerError { code: 401, .. } => unauthorized(),
            OciDistributionError::RegistryError { envelope, .. }
                if envelope.errors.iter().any(|e| {
                    matches!(e.code, OciErrorCode::Unauthorized | OciErrorCode::Denied)
                }) =>
            {
                unauthorized()
            }
            OciDistributionError::RequestError(e) => Error::Registry {
                registry,
                what: what.to_owned(),
                reason: chain(&e),
            },
            e => Error::Registry {
                registry,
                what: what.to_owned(),
                reason: e.to_string(),
            },
        }
    }

    /// The digest the registry's `tag` points at now; `None` when it has no such tag.
    ///
    /// # Errors
    /// When the registry cannot be reached, refuses the credentials, or fails.
    pub fn resolve(&self, tag: &str) -> Result<Option<String>, Error> {
        let reference = self.by_tag(tag);
        let result = self.runtime.block_on(async {
            self.client
                .fetch_manifest_digest(&reference, &self.auth)
                .await
        });
        match result {
            Ok(digest) => Ok(Some(digest)),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(self.failed(&format!("resolving tag {tag}"), e)),
        }
    }

    /// Pushes `blobs` (those the registry lacks) and then `manifest` under `tag`; returns the
    /// manifest's digest.
    pub(super) fn push(&self, tag: &str, blobs: &[Blob], manifest: &[u8]) -> Result<String, Error> {
        let reference = self.by_tag(tag);
        let digest = sha256_digest(manifest);
        self.runtime.block_on(async {
            self.client
                .auth(&reference, &self.auth, RegistryOperation::Push)
                .await
                .map_err(|e| self.failed("authenticating", e))?;
            for blob in blobs {
                let digest = blob.digest();
                let exists = self
                    .client
                    .blob_exists(&reference, digest)
                    .await
                    .map_err(|e| self.failed(&format!("checking blob {digest}"), e))?;
                if exists {
                    continue;
                }
                // The registry checks the bytes against the digest (a file changed since it was
                // hashed is refused: DIGEST_INVALID), so they are not hashed again here. A file
                // is streamed from disk in one PUT: memory stays flat whatever its size.
                let pushed = match blob {
                    Blob::Inline { bytes, .. } => {
                        self.client
                            .push_blob(&reference, bytes.to_vec(), digest)
                            .await
                    }
                    Blob::File { path, .. } => {
                        let read_err = |source| {
                            Error::File(crate::paths::Error::Read {
                                path: path.clone(),
                                source,
                            })
                        };
                        let file = std::fs::File::open(path).map_err(read_err)?;
                        let size = file.metadata().map_err(read_err)?.len();
                        self.client
                            .push_blob_stream(&reference, chunks(file), digest, Some(size))
                            .await
                    }
                };
                pushed.map_err(|e| match (&e, blob) {
                    (
                        OciDistributionError::RegistryError { envelope, .. },
                        Blob::File { path, .. },
                    ) if envelope
                        .errors
                        .iter()
                        .any(|e| matches!(e.code, OciErrorCode::DigestInvalid)) =>
                    {
                        Error::Changed { path: path.clone() }
                    }
                    (_, Blob::File { path, .. }) => {
                        self.failed(&format!("pushing {}", path.display()), e)
                    }
                    (_, Blob::Inline { .. }) => self.failed("pushing the config", e),
                })?;
            }
            let content_type = reqwest::header::HeaderValue::from_static(MANIFEST_TYPE);
            self.client
                .push_manifest_raw(&reference, manifest.to_vec(), content_type)
                .await
                .map_err(|e| self.failed(&format!("pushing the manifest of {tag}"), e))?;
            Ok(digest)
        })
    }

    /// Pulls the manifest `digest` and its layers into `dir`, each as the file its
    /// `org.opencontainers.image.title` names; checks every byte against its digest, and the
    /// layers (title, digest, size) against `attested` before pulling any.
    ///
    /// # Errors
    /// When the registry fails, or what it serves is not what the digests say
    /// ([`Error::Tampered`]).
    pub(super) fn pull(
        &self,
        digest: &str,
        dir: &Path,
        attested: &[Artifact],
    ) -> Result<Vec<PathBuf>, Error> {
        let reference = self.by_digest(digest);
        let tampered = |what: String| Error::Tampered {
            reference: format!("{}@{digest}", self.repository()),
            what,
        };
        self.runtime.block_on(async {
            let (bytes, _) = self
                .client
                .pull_manifest_raw(&reference, &self.auth, &[MANIFEST_TYPE])
                .await
                .map_err(|e| self.failed(&format!("pulling manifest {digest}"), e))?;
            if sha256_digest(&bytes) != digest {
                return Err(tampered(format!(
                    "the registry served a manifest whose digest is {}",
                    sha256_digest(&bytes)
                )));
            }
            let manifest: OciImageManifest = serde_json::from_slice(&bytes)
                .map_err(|e| tampered(format!("its manifest is not an image manifest: {e}")))?;
            let mut layers = Vec::new();
            for layer in &manifest.layers {
                let name = title(layer).ok_or_else(|| {
                    tampered(format!(
                        "layer {} has no plain file name as its title",
                        layer.digest
                    ))
                })?;
                let hex = layer
                    .digest
                    .strip_prefix("sha256:")
                    .unwrap_or(&layer.digest);
                let size = u64::try_from(layer.size).unwrap_or(0);
                layers.push(Artifact::new(name, size, hex));
            }
            if !same_artifacts(&layers, attested) {
                return Err(tampered(format!(
                    "it holds {}, and the release attests {}",
                    listing(&layers),
                    listing(attested)
                )));
            }
            let mut files = Vec::new();
            for (layer, Artifact { name, .. }) in manifest.layers.iter().zip(layers) {
                // Straight to disk (memory stays flat); the caller checks each file's sha256
                // against the attestation.
                let path = dir.join(&name);
                let file = tokio::fs::File::create(&path).await.map_err(|source| {
                    Error::File(crate::paths::Error::Write {
                        path: path.clone(),
                        source,
                    })
                })?;
                self.client
                    .pull_blob(&reference, layer, file)
                    .await
                    .map_err(|e| self.failed(&format!("pulling {name}"), e))?;
                files.push(path);
            }
            Ok(files)
        })
    }

    /// Deletes manifest `digest` (and with it every tag pointing at it); `false` when the
    /// registry has no such manifest.
    ///
    /// # Errors
    /// When the registry cannot be reached, refuses, or has deletion disabled.
    pub fn delete(&self, digest: &str) -> Result<bool, Error> {
        let reference = self.by_digest(digest);
        let scheme = if self.plain_http { "http" } else { "https" };
        let url = format!(
            "{scheme}://{}/v2/{}/manifests/{digest}",
            self.host, self.path
        );
        self.runtime.block_on(async {
            // oci-client has no delete: a plain request with the token (or basic credentials)
            // it negotiated for pushing.
            let token = self
                .client
                .auth(&reference, &self.auth, RegistryOperation::Push)
                .await
                .map_err(|e| self.failed("authenticating", e))?;
            let http = crate::http::client(None).map_err(|e| Error::Runtime(chain(&e)))?;
            let mut request = http.delete(&url);
            request = match (&token, &self.auth) {
                (Some(token), _) => request.bearer_auth(token),
                (None, RegistryAuth::Basic(user, password)) => {
                    request.basic_auth(user, Some(password))
                }
                (None, RegistryAuth::Bearer(token)) => request.bearer_auth(token),
                (None, RegistryAuth::Anonymous) => request,
            };
            let response = request.send().await.map_err(|e| {
                self.failed(
                    &format!("deleting {digest}"),
                    OciDistributionError::RequestError(e),
                )
            })?;
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            match status {
                200..=299 => Ok(true),
                404 => Ok(false),
                401 | 403 => Err(Error::Unauthorized {
                    registry: self.host.clone(),
                    credentials: self.source.to_string(),
                }),
                _ => Err(Error::Registry {
                    registry: self.host.clone(),
                    what: format!("deleting {digest}"),
                    reason: format!(
                        "HTTP {status}{}: {}",
                        if status == 405 {
                            " (deletion is disabled in this registry)"
                        } else {
                            ""
                        },
                        body.trim()
                    ),
                }),
            }
        })
    }
}

/// `file` as a stream of 1 MiB chunks, read as the upload asks for them.
fn chunks(
    mut file: std::fs::File,
) -> impl futures_util::Stream<Item = Result<bytes::Bytes, OciDistributionError>> + Send + 'static {
    use std::io::Read;
    futures_util::stream::iter(std::iter::from_fn(move || {
        let mut buf = vec![0u8; 1 << 20];
        match file.read(&mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some(Ok(bytes::Bytes::from(buf)))
            }
            Err(e) => Some(Err(OciDistributionError::IoError(e))),
        }
    }))
}

/// Whether `e` says the manifest or repository does not exist.
fn not_found(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::ServerError { code: 404, .. }
        | OciDistributionError::ImageManifestNotFoundError(_) => true,
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                OciErrorCode::ManifestUnknown | OciErrorCode::NameUnknown | OciErrorCode::NotFound
            )
        }),
        _ => false,
    }
}

/// A layer's title, when it is a plain file name (no directory, not `.` or `..`).
fn title(layer: &OciDescriptor) -> Option<String> {
    let name = layer
        .annotations
        .as_ref()?
        .get(oci_client::annotations::ORG_OPENCONTAINERS_IMAGE_TITLE)?;
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0', ':'])
        && name.len() <= 255;
    plain.then(|| name.clone())
}

/// `sha256:` and the hex digest of `bytes`.
pub(super) fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", crate::digest::sha256_hex(bytes))
}
