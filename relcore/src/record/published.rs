//! Releases in an OCI registry, as the record has them: `publish` (a release's attested
//! artifacts pushed under its version, by manifest digest) and `prune` (a publication deleted
//! by the retention policy); their rules, and the retention policy itself, which `rel prune`
//! plans with and the server enforces with.

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::state::{Candidate, ReleaseFacts, Rule, Violation};
use super::{Event, Location, State, Statement, listing, same_artifacts, short};
use crate::config::Config;

/// A release published to a registry, and its deletion once pruned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Publication {
    /// The release tag.
    pub tag: String,
    /// Its tag object.
    pub tag_object: String,
    /// Where: repository, registry tag, manifest digest.
    pub location: Location,
    /// The `publish` entry.
    pub entry: String,
    /// Who published it (their principal).
    pub actor: String,
    /// When (seconds since the epoch).
    pub time: i64,
    /// Its deletion, once pruned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pruned: Option<Pruned>,
}

/// A publication's deletion from its registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Pruned {
    /// The `prune` entry.
    pub entry: String,
    /// Who deleted it.
    pub actor: String,
    /// When (seconds since the epoch).
    pub time: i64,
}

impl Publication {
    /// Whether it published release `tag` (object `tag_object`).
    pub fn is(&self, tag: &str, tag_object: ObjectId) -> bool {
        self.tag == tag
            && ObjectId::from_hex(self.tag_object.as_bytes()).is_ok_and(|id| id == tag_object)
    }

    /// Whether it is still in its registry (not pruned).
    pub fn live(&self) -> bool {
        self.pruned.is_none()
    }
}

/// Why the retention policy keeps a publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Keep {
    /// It is one of the newest `keep_last` versions in its repository.
    Newest {
        /// Its rank, 1 for the newest.
        rank: usize,
        /// `keep_last`.
        keep_last: usize,
    },
    /// It was verified in an environment of `keep_environments`.
    Environment {
        /// The environment.
        environment: String,
    },
    /// It was published less than `keep_days` days before.
    Recent {
        /// `keep_days`.
        keep_days: u64,
    },
}

impl std::fmt::Display for Keep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Keep::Newest { rank, keep_last } => {
                write!(f, "newest {keep_last} (#{rank})")
            }
            Keep::Environment { environment } => write!(f, "verified in {environment}"),
            Keep::Recent { keep_days } => write!(f, "published within {keep_days} days"),
        }
    }
}

/// The order of versions in a registry: by semantic version (build metadata written `_`, as
/// OCI tags cannot hold `+`), then by publication time; a tag that is not a version sorts
/// before every version.
fn newest_first(a: &Publication, b: &Publication) -> std::cmp::Ordering {
    let version = |p: &Publication| semver::Version::parse(&p.location.tag.replace('_', "+")).ok();
    (version(b), b.time).cmp(&(version(a), a.time))
}

impl State {
    /// Every publication, oldest first (pruned ones included).
    pub fn publications(&self) -> &[Publication] {
        &self.published
    }

    /// The live publication of release `tag` (object `tag_object`) in `repository`.
    pub fn published_in(
        &self,
        repository: &str,
        tag: &str,
        tag_object: ObjectId,
    ) -> Option<&Publication> {
        self.published
            .iter()
            .rev()
            .find(|p| p.live() && p.location.repository == repository && p.is(tag, tag_object))
    }

    /// The live publications in `repository`, newest version first.
    pub fn live_in(&self, repository: &str) -> Vec<&Publication> {
        let mut live: Vec<&Publication> = self
            .published
            .iter()
            .filter(|p| p.live() && p.location.repository == repository)
            .collect();
        live.sort_by(|a, b| newest_first(a, b));
        live
    }

    /// Why `config`'s retention policy keeps `publication` at `now` (seconds since the epoch);
    /// empty: it may be deleted.
    pub fn kept_because(&self, config: &Config, publication: &Publication, now: i64) -> Vec<Keep> {
        let retention = &config.registry.retention;
        let mut keep = Vec::new();
        if retention.keep_last > 0
            && let Some(rank) = self
                .live_in(&publication.location.repository)
                .iter()
                .position(|p| p.entry == publication.entry)
            && rank < retention.keep_last
        {
            keep.push(Keep::Newest {
                rank: rank + 1,
                keep_last: retention.keep_last,
            });
        }
        let object = ObjectId::from_hex(publication.tag_object.as_bytes()).ok();
        for environment in &retention.keep_environments {
            if object.is_some_and(|o| self.verified_in(environment, &publication.tag, o).is_some())
            {
                keep.push(Keep::Environment {
                    environment: environment.clone(),
                });
            }
        }
        let days = i64::try_from(retention.keep_days).unwrap_or(i64::MAX);
        if retention.keep_days > 0
            && publication.time.saturating_add(days.saturating_mul(86_400)) > now
        {
            keep.push(Keep::Recent {
                keep_days: retention.keep_days,
            });
        }
        keep
    }

    /// Adds a `publish` or `prune` entry.
    pub(super) fn apply_registry(&mut self, entry: ObjectId, s: &Statement, time: i64) {
        let Some(location) = &s.registry else {
            return;
        };
        match s.event {
            Event::Publish => self.published.push(Publication {
                tag: s.tag.clone(),
                tag_object: s.tag_object.to_string(),
                location: location.clone(),
                entry: entry.to_string(),
                actor: s.actor.clone(),
                time,
                pruned: None,
            }),
            Event::Prune => {
                if let Some(p) = self
                    .published
                    .iter_mut()
                    .rev()
                    .find(|p| p.live() && p.is(&s.tag, s.tag_object) && p.location == *location)
                {
                    p.pruned = Some(Pruned {
                        entry: entry.to_string(),
                        actor: s.actor.clone(),
                        time,
                    });
                }
            }
            _ => {}
        }
    }

    /// The rules of `publish` and `prune` entries.
    pub(super) fn validate_registry(
        &self,
        config: &Config,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
    ) -> Result<(), Violation> {
        let s = candidate.statement;
        let rule = if s.event == Event::Publish {
            Rule::Publish
        } else {
            Rule::Prune
        };
        let refuse = |rule, message: String| Err(Violation::new(candidate.entry, rule, message));
        let Some(location) = s.registry.as_ref().filter(|_| s.environment.is_empty()) else {
            return refuse(
                Rule::Entry,
                format!(
                    "a `{}` entry names a registry location and no environment",
                    s.event.as_str()
                ),
            );
        };
        if s.outcome.is_some() {
            return refuse(
                Rule::Entry,
                format!("a `{}` entry has no outcome", s.event.as_str()),
            );
        }
        if let Err(what) = well_formed(location) {
            return refuse(rule, what);
        }
        if let Some(configured) = config.registry.repository.as_deref()
            && configured != location.repository
        {
            return refuse(
                rule,
                format!(
                    "the registry is {configured} ([registry] repository in rel.toml), not {}",
                    location.repository
                ),
            );
        }
        let prefix = &config.version.tag_prefix;
        let version = crate::version::parse_tag(&s.tag, prefix);
        if version.as_ref().map(registry_tag).as_deref() != Some(location.tag.as_str()) {
            return refuse(
                rule,
                match version {
                    Some(v) => format!(
                        "{} is published under its version, tag `{}`, not `{}`",
                        s.tag,
                        registry_tag(&v),
                        location.tag
                    ),
                    None => format!(
                        "{} is not a release version (tag prefix `{prefix}`): it has no registry tag",
                        s.tag
                    ),
                },
            );
        }
        // Deleting a manifest deletes every tag on it: one digest, one version, per repository.
        if let Some(other) = self.published.iter().find(|p| {
            p.live()
                && p.location.repository == location.repository
                && p.location.digest == location.digest
                && p.location.tag != location.tag
        }) {
            return refuse(
                rule,
                format!(
                    "{} is {}:{} already (entry {}): one manifest is one version",
                    location.digest,
                    other.location.repository,
                    other.location.tag,
                    short(&other.entry)
                ),
            );
        }
        if let Err(message) = self.may_handle_artifacts(config, candidate, facts) {
            return refuse(Rule::Role, message);
        }
        if s.event == Event::Prune {
            return self.validate_prune(config, candidate, location);
        }
        let Some(attested) = self.attested_set(s, facts) else {
            return refuse(
                Rule::Publish,
                format!(
                    "{} has no attested artifacts: attest them first (rel attest {} PATH...)",
                    s.tag, s.tag
                ),
            );
        };
        if !same_artifacts(attested, &s.artifacts) {
            return refuse(
                Rule::Publish,
                format!(
                    "a publication of {} holds exactly its attested artifacts ({}), not {}",
                    s.tag,
                    listing(attested),
                    listing(&s.artifacts)
                ),
            );
        }
        let same_tag = self.published.iter().rev().find(|p| {
            p.location.repository == location.repository && p.location.tag == location.tag
        });
        match same_tag {
            Some(before) if before.location.digest != location.digest => refuse(
                Rule::Publish,
                format!(
                    "{}:{} was published as {} in entry {}: a published version is immutable",
                    location.repository,
                    location.tag,
                    before.location.digest,
                    short(&before.entry)
                ),
            ),
            Some(before) if before.live() => refuse(
                Rule::Publish,
                format!(
                    "{} is already published (entry {})",
                    location.reference(),
                    short(&before.entry)
                ),
            ),
            _ => Ok(()),
        }
    }

    fn validate_prune(
        &self,
        config: &Config,
        candidate: &Candidate<'_>,
        location: &Location,
    ) -> Result<(), Violation> {
        let s = candidate.statement;
        let refuse = |message: String| Err(Violation::new(candidate.entry, Rule::Prune, message));
        if !s.artifacts.is_empty() {
            return refuse("a `prune` entry lists no artifacts".into());
        }
        let Some(publication) = self
            .published
            .iter()
            .rev()
            .find(|p| p.live() && p.is(&s.tag, s.tag_object) && p.location == *location)
        else {
            return refuse(format!(
                "{} is not a live publication of {} in the record",
                location.reference(),
                s.tag
            ));
        };
        let keep = self.kept_because(config, publication, candidate.time);
        if !keep.is_empty() {
            return refuse(format!(
                "the retention policy keeps {} ({}): [registry.retention] in rel.toml",
                location.reference(),
                keep.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(())
    }
}

/// The registry tag of `version`: OCI tags cannot hold `+`, so build metadata is written `_`
/// (as Helm does).
pub fn registry_tag(version: &semver::Version) -> String {
    version.to_string().replace('+', "_")
}

/// Whether `location` is one: a repository `host/path` as rel.toml takes it, in lower case, a
/// valid OCI tag, a sha256 digest.
fn well_formed(location: &Location) -> Result<(), String> {
    let tag = location.tag.as_bytes();
    let tag_ok = !tag.is_empty()
        && tag.len() <= 128
        && (tag[0].is_ascii_alphanumeric() || tag[0] == b'_')
        && tag
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if !tag_ok {
        return Err(format!(
            "`{}` is not an OCI tag ([A-Za-z0-9_][A-Za-z0-9._-], at most 128)",
            location.tag
        ));
    }
    if !is_sha256_digest(&location.digest) {
        return Err(format!(
            "`{}` is not a manifest digest (sha256: and 64 lowercase hex digits)",
            location.digest
        ));
    }
    // One spelling per repository: a host in capitals would be another repository to the
    // immutability rule, and the same one to the registry.
    let host = location.repository.split('/').next().unwrap_or_default();
    let problem = crate::config::repository_problem(&location.repository)
        .or_else(|| (host.to_ascii_lowercase() != host).then_some("the host is in capitals"));
    if let Some(why) = problem {
        return Err(format!(
            "`{}` is not a registry repository in lower case, host/path ({why})",
            location.repository
        ));
    }
    Ok(())
}

/// Whether `digest` is `sha256:` and 64 lowercase hex digits.
fn is_sha256_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}
