//! Artifacts and deployments in the record: `attest` (a release's artifact set, once),
//! `promote` and `rollback` (a release deployed to an environment), `verified` and `failed`
//! (how that deployment ended): what the state keeps of them. Their rules are in `rules`.

mod rules;

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::{Artifact, Event, Outcome, State, Statement};

/// A release deployed to an environment (by `promote` or `rollback`), and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Deployment {
    /// The release tag.
    pub tag: String,
    /// Its tag object.
    pub tag_object: String,
    /// `promote` or `rollback`.
    pub event: Event,
    /// The entry that started it.
    pub entry: String,
    /// Who ran it (their principal).
    pub actor: String,
    /// When it started (seconds since the epoch).
    pub time: i64,
    /// The artifacts deployed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
    /// `verified` or `failed`, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Result>,
}

/// How a deployment ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Result {
    /// Whether its smoke test passed.
    pub verified: bool,
    /// The entry that says so.
    pub entry: String,
    /// When (seconds since the epoch).
    pub time: i64,
    /// The step, exit status and duration.
    pub outcome: Option<Outcome>,
}

/// A release's attested artifacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attested {
    /// The `attest` entry.
    pub entry: String,
    /// The artifacts.
    pub artifacts: Vec<Artifact>,
}

impl Deployment {
    /// Whether it deployed release `tag` (object `tag_object`).
    pub fn is(&self, tag: &str, tag_object: ObjectId) -> bool {
        self.tag == tag
            && ObjectId::from_hex(self.tag_object.as_bytes()).is_ok_and(|id| id == tag_object)
    }

    /// Whether it ended verified.
    pub fn verified(&self) -> bool {
        self.result.as_ref().is_some_and(|r| r.verified)
    }

    /// Whether its deploy command succeeded: it ended verified, or failed in its smoke test
    /// (what the metrics count as a deployment, when it is a `promote`).
    pub fn deployed(&self) -> bool {
        match &self.result {
            Some(r) if r.verified => true,
            Some(r) => r.outcome.as_ref().is_some_and(|o| o.step == "smoke"),
            None => false,
        }
    }
}

impl State {
    /// Every deployment to `environment`, oldest first.
    pub fn deployments(&self, environment: &str) -> &[Deployment] {
        self.environments
            .get(environment)
            .map_or(&[], Vec::as_slice)
    }

    /// What runs in `environment`: its latest deployment.
    pub fn running(&self, environment: &str) -> Option<&Deployment> {
        self.deployments(environment).last()
    }

    /// The environments that have seen a deployment.
    pub fn environments(&self) -> impl Iterator<Item = &str> {
        self.environments.keys().map(String::as_str)
    }

    /// When release `tag` (object `tag_object`) was last verified in `environment`.
    pub fn verified_in(&self, environment: &str, tag: &str, tag_object: ObjectId) -> Option<i64> {
        self.deployments(environment)
            .iter()
            .filter(|d| d.is(tag, tag_object))
            .filter_map(|d| d.result.as_ref().filter(|r| r.verified).map(|r| r.time))
            .max()
    }

    /// The artifacts attested for release `tag` (object `tag_object`).
    pub fn attested(&self, tag: &str, tag_object: ObjectId) -> Option<&Attested> {
        self.releases
            .get(&(tag.to_owned(), tag_object))
            .and_then(|r| r.attested.as_ref())
    }

    /// The release a rollback of `environment` goes back to: the latest one verified there
    /// that is not what runs there now.
    pub fn rollback_target(&self, environment: &str) -> Option<&Deployment> {
        let running = self.running(environment);
        self.deployments(environment).iter().rev().find(|d| {
            d.verified() && running.is_none_or(|r| r.tag != d.tag || r.tag_object != d.tag_object)
        })
    }

    /// Adds an `attest`, `promote`, `verified`, `failed` or `rollback` entry.
    pub(super) fn apply_deploy(&mut self, entry: ObjectId, s: &Statement, time: i64) {
        match s.event {
            Event::Attest => {
                let release = self
                    .releases
                    .entry((s.tag.clone(), s.tag_object))
                    .or_default();
                release.attested.get_or_insert_with(|| Attested {
                    entry: entry.to_string(),
                    artifacts: s.artifacts.clone(),
                });
            }
            Event::Promote | Event::Rollback => {
                self.environments
                    .entry(s.environment.clone())
                    .or_default()
                    .push(Deployment {
                        tag: s.tag.clone(),
                        tag_object: s.tag_object.to_string(),
                        event: s.event,
                        entry: entry.to_string(),
                        actor: s.actor.clone(),
                        time,
                        artifacts: s.artifacts.clone(),
                        result: None,
                    });
            }
            Event::Verified | Event::Failed => {
                if let Some(last) = self
                    .environments
                    .get_mut(&s.environment)
                    .and_then(|d| d.last_mut())
                    .filter(|d| d.is(&s.tag, s.tag_object) && d.result.is_none())
                {
                    last.result = Some(Result {
                        verified: s.event == Event::Verified,
                        entry: entry.to_string(),
                        time,
                        outcome: s.outcome.clone(),
                    });
                }
            }
            _ => {}
        }
    }
}
