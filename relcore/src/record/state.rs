//! What the record's entries add up to, the rules each entry must pass, and the gates.

use std::collections::BTreeMap;

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::deploy::{Attested, Deployment};
use super::gate::{covered, matching, roles_of};
pub use super::rule::Rule;
use super::{Entry, Event, SKEW, Statement};
use crate::config::{Config, item_roles};

/// A standing decision of one person on one release for one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Decision {
    /// The entry that made it.
    pub entry: String,
    /// Who decided (their principal).
    pub actor: String,
    /// `approve` or `reject`.
    pub event: Event,
    /// When (seconds since the epoch).
    pub time: i64,
    /// Their note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A rule an entry breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Violation {
    /// The entry, when the violation is about one.
    pub entry: Option<String>,
    /// The rule.
    pub rule: Rule,
    /// What is wrong.
    pub message: String,
}

impl Violation {
    pub(crate) fn new(entry: Option<ObjectId>, rule: Rule, message: String) -> Self {
        Violation {
            entry: entry.map(|e| e.to_string()),
            rule,
            message,
        }
    }
}

/// The facts about a release tag an entry names, as the repository has it now.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReleaseFacts {
    /// The tag object the tag points at now (`None`: no such annotated tag).
    pub(crate) tag_object: Option<ObjectId>,
    /// Who made the release: the tagger's e-mail and the tag signature's principal.
    pub(crate) taggers: Vec<String>,
    /// The artifacts its tag message attests (`rel release --artifact`).
    pub(crate) attested: Option<Vec<super::Artifact>>,
    /// The blobs its tree holds at the paths of the readiness checklist's `file` items.
    pub(crate) files: BTreeMap<String, ObjectId>,
}

/// An entry to be judged: what it states, who signed it (verified), when.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate<'a> {
    /// The entry, once it exists.
    pub(crate) entry: Option<ObjectId>,
    /// What it states.
    pub(crate) statement: &'a Statement,
    /// Its signer's principal, as the signature verifies.
    pub(crate) signer: &'a str,
    /// Its time (seconds since the epoch).
    pub(crate) time: i64,
}

/// What the entries of the record add up to: per release (tag name and tag object), the
/// entries about it and, per environment, the standing decisions.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub(super) releases: BTreeMap<(String, ObjectId), Release>,
    /// Per environment, every deployment to it, oldest first.
    pub(super) environments: BTreeMap<String, Vec<Deployment>>,
    /// Every publication to a registry, oldest first.
    pub(super) published: Vec<super::Publication>,
    /// Every incident, oldest first.
    pub(super) incidents: Vec<super::Incident>,
    pub(super) last_time: Option<i64>,
}

/// One release in the [`State`].
#[derive(Debug, Clone, Default)]
pub(super) struct Release {
    /// Every entry about it, oldest first.
    pub(super) entries: Vec<ObjectId>,
    /// Per environment, the standing decisions.
    pub(super) decisions: BTreeMap<String, Vec<Decision>>,
    /// Its attested artifacts.
    pub(super) attested: Option<Attested>,
    /// Its latest readiness review.
    pub(super) review: Option<super::Review>,
    /// Its waivers, oldest first.
    pub(super) waivers: Vec<super::Waiver>,
    /// Its announcements, oldest first.
    pub(super) announced: Vec<super::Announced>,
}

impl State {
    /// The standing decisions on release `tag` (its object `tag_object`) for `environment`.
    pub fn decisions(&self, tag: &str, tag_object: ObjectId, environment: &str) -> &[Decision] {
        self.releases
            .get(&(tag.to_owned(), tag_object))
            .and_then(|release| release.decisions.get(environment))
            .map_or(&[], Vec::as_slice)
    }

    /// The entries about release `tag` (its object `tag_object`), oldest first.
    pub fn entries(&self, tag: &str, tag_object: ObjectId) -> &[ObjectId] {
        self.releases
            .get(&(tag.to_owned(), tag_object))
            .map_or(&[], |release| release.entries.as_slice())
    }

    /// The releases (tag name and tag object) the record has decisions on.
    pub fn releases(&self) -> impl Iterator<Item = (&str, ObjectId)> {
        self.releases
            .keys()
            .map(|(tag, object)| (tag.as_str(), *object))
    }

    /// Whether `statement`, signed by `signer` at `time`, may be appended to the record in this
    /// state: the rules of the record (see the module docs), with `facts` about the release as
    /// the repository has it, and `now` (the server's clock) when entries must not be dated in
    /// the future.
    pub(crate) fn validate(
        &self,
        config: &Config,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
        now: Option<i64>,
    ) -> Result<(), Violation> {
        let Candidate {
            entry,
            statement,
            signer,
            time,
        } = *candidate;
        let refuse = |rule, message: String| Err(Violation::new(entry, rule, message));
        let s = statement;
        if s.actor != signer {
            return refuse(
                Rule::Actor,
                format!(
                    "the entry says its actor is `{}`, but it is signed by `{signer}`",
                    s.actor
                ),
            );
        }
        if let Some(last) = self.last_time
            && time < last - SKEW
        {
            return refuse(
                Rule::Time,
                format!(
                    "the entry is dated {time}, before the entry it follows ({last}) by more than {SKEW} s"
                ),
            );
        }
        if let Some(now) = now
            && time > now + SKEW
        {
            return refuse(
                Rule::Time,
                format!("the entry is dated {time}, in the future (the server's clock says {now})"),
            );
        }
        match facts.tag_object {
            None => {
                return refuse(
                    Rule::Release,
                    format!(
                        "`{}` is not an annotated release tag of this repository",
                        s.tag
                    ),
                );
            }
            Some(current) if current != s.tag_object => {
                return refuse(
                    Rule::Release,
                    format!(
                        "the entry names {} as tag object {}, but the tag is {} now: the release was re-tagged",
                        s.tag, s.tag_object, current
                    ),
                );
            }
            Some(_) => {}
        }
        let registry_event = matches!(s.event, Event::Publish | Event::Prune);
        if s.registry.is_some() && !registry_event {
            return refuse(
                Rule::Entry,
                format!("a `{}` entry names no registry location", s.event.as_str()),
            );
        }
        let carries = [
            (s.item.is_some(), Event::Waive, "item"),
            (s.readiness.is_some(), Event::Ready, "readiness"),
            (s.announcement.is_some(), Event::Announce, "announcement"),
            (s.deployment.is_some(), Event::Incident, "deployment"),
            (s.incident.is_some(), Event::Resolve, "incident"),
        ];
        if let Some((_, _, field)) = carries.iter().find(|(has, e, _)| *has && *e != s.event) {
            return refuse(
                Rule::Entry,
                format!("a `{}` entry carries no `{field}`", s.event.as_str()),
            );
        }
        let ready_event = matches!(s.event, Event::Ready | Event::Waive | Event::Announce);
        let incident_event = matches!(s.event, Event::Incident | Event::Resolve);
        if (ready_event || incident_event)
            && (!s.artifacts.is_empty() || s.outcome.is_some() || s.registry.is_some())
        {
            return refuse(
                Rule::Entry,
                format!(
                    "a `{}` entry lists no artifacts, outcome or registry location",
                    s.event.as_str()
                ),
            );
        }
        if ready_event {
            return self.validate_ready(config, candidate, facts);
        }
        if incident_event {
            return self.validate_incident(config, candidate);
        }
        if registry_event {
            return self.validate_registry(config, candidate, facts);
        }
        if !s.event.is_decision() {
            return self.validate_deploy(config, candidate, facts);
        }
        if !s.artifacts.is_empty() || s.outcome.is_some() {
            return refuse(
                Rule::Entry,
                format!(
                    "a `{}` entry lists no artifacts and no outcome",
                    s.event.as_str()
                ),
            );
        }
        let Some(env) = config
            .environments
            .get(&s.environment)
            .filter(|e| !e.approvals.is_empty())
        else {
            return refuse(
                Rule::Environment,
                format!(
                    "environment `{}` takes no approvals (no environments.{}.approvals in rel.toml)",
                    s.environment, s.environment
                ),
            );
        };
        let decisions = self.decisions(&s.tag, s.tag_object, &s.environment);
        let standing = decisions.iter().find(|d| d.actor == s.actor);
        if s.event == Event::Revoke {
            if standing.is_none() {
                return refuse(
                    Rule::Revoke,
                    format!(
                        "`{}` has no approval or rejection of {} for {} to revoke",
                        s.actor, s.tag, s.environment
                    ),
                );
            }
            return Ok(());
        }
        let roles = roles_of(config, &s.actor);
        let relevant = env
            .approvals
            .iter()
            .any(|item| item_roles(item).any(|r| roles.contains(&r)));
        if !relevant {
            return refuse(
                Rule::Role,
                format!(
                    "`{}` holds no role that approves {} (needs: {})",
                    s.actor,
                    s.environment,
                    env.approvals.join(", ")
                ),
            );
        }
        if facts.taggers.contains(&s.actor) {
            return refuse(
                Rule::FourEyes,
                format!(
                    "`{}` made the release {}: the tagger's own decision never counts",
                    s.actor, s.tag
                ),
            );
        }
        if let Some(d) = standing {
            return refuse(
                Rule::Duplicate,
                format!(
                    "`{}` already decided on {} for {} ({} in {}): one person counts once",
                    s.actor,
                    s.tag,
                    s.environment,
                    d.event.as_str(),
                    d.entry
                ),
            );
        }
        if s.event == Event::Approve {
            let mut approvers: Vec<&str> = decisions
                .iter()
                .filter(|d| d.event == Event::Approve)
                .map(|d| d.actor.as_str())
                .collect();
            let before = covered(&matching(config, &env.approvals, &approvers));
            approvers.push(&s.actor);
            let after = covered(&matching(config, &env.approvals, &approvers));
            if after == before {
                return refuse(
                    Rule::Role,
                    format!(
                        "no item still open for {} is one `{}` can cover (roles: {})",
                        s.environment,
                        s.actor,
                        roles.join(", ")
                    ),
                );
            }
        }
        Ok(())
    }

    /// Adds an entry that passed [`State::validate`] (or, replaying a record the server
    /// validated, one that is taken as it is).
    pub(crate) fn apply(&mut self, entry: ObjectId, statement: &Statement, time: i64) {
        self.last_time = Some(self.last_time.map_or(time, |t| t.max(time)));
        let s = statement;
        if !s.event.is_decision() {
            self.releases
                .entry((s.tag.clone(), s.tag_object))
                .or_default()
                .entries
                .push(entry);
            self.apply_deploy(entry, s, time);
            self.apply_registry(entry, s, time);
            self.apply_ready(entry, s, time);
            self.apply_incident(entry, s, time);
            return;
        }
        let release = self
            .releases
            .entry((s.tag.clone(), s.tag_object))
            .or_default();
        release.entries.push(entry);
        let decisions = release.decisions.entry(s.environment.clone()).or_default();
        decisions.retain(|d| d.actor != s.actor);
        if s.event != Event::Revoke {
            decisions.push(Decision {
                entry: entry.to_string(),
                actor: s.actor.clone(),
                event: s.event,
                time,
                note: s.note.clone(),
            });
        }
    }
}

/// The state of the record's `entries`, replayed as they are (the server validated each).
pub fn replay(entries: &[Entry]) -> State {
    let mut state = State::default();
    state.replay(entries);
    state
}

impl State {
    /// Adds `entries` as they are (the server validated each); unreadable ones add nothing.
    pub(super) fn replay(&mut self, entries: &[Entry]) {
        for entry in entries {
            if let Ok(statement) = &entry.statement {
                self.apply(entry.id, statement, entry.time);
            }
        }
    }
}
