//! Incidents: `incident` opens one in an environment, linked to the deployment it came from (the
//! `promote` entry that put the release there), and `resolve` says service is restored. The
//! metrics count a deployment an incident links to as failed, and its time to restore runs from
//! the opening to the resolution: the link is stated by a person and signed, never guessed from
//! times.

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::gate::roles_of;
use super::state::{Candidate, Rule, Violation};
use super::write::Session;
use super::{Appended, Deployment, Draft, Error, Event, State, Statement, Target, short};
use crate::config::Config;

/// An incident in an environment, as the record has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Incident {
    /// The `incident` entry: the incident's id (any unique prefix of it names it).
    pub entry: String,
    /// The release it is linked to.
    pub tag: String,
    /// Its tag object.
    pub tag_object: String,
    /// The environment.
    pub environment: String,
    /// The `promote` entry of the deployment it came from.
    pub deployment: String,
    /// Who opened it.
    pub actor: String,
    /// When it opened (seconds since the epoch).
    pub time: i64,
    /// What happened, as its opener says.
    pub description: String,
    /// Its resolution, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Resolution>,
}

/// How an incident was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Resolution {
    /// The `resolve` entry.
    pub entry: String,
    /// Who resolved it.
    pub actor: String,
    /// When (seconds since the epoch).
    pub time: i64,
    /// Their note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl State {
    /// Every incident, oldest first.
    pub fn incidents(&self) -> &[Incident] {
        &self.incidents
    }

    /// The incidents whose id (`incident` entry) starts with `prefix` (hex, any case).
    pub fn find_incidents(&self, prefix: &str) -> Vec<&Incident> {
        let prefix = prefix.to_ascii_lowercase();
        self.incidents
            .iter()
            .filter(|i| !prefix.is_empty() && i.entry.starts_with(&prefix))
            .collect()
    }

    /// The deployment an incident in `environment` comes from: the latest `promote` there of
    /// release `tag` (object `tag_object`); with no release named, of what runs there now.
    pub fn incident_source(
        &self,
        environment: &str,
        release: Option<(&str, ObjectId)>,
    ) -> Option<&Deployment> {
        let deployments = self.deployments(environment);
        let (tag, object) = match release {
            Some(release) => release,
            None => {
                let running = deployments.last()?;
                let object = ObjectId::from_hex(running.tag_object.as_bytes()).ok()?;
                (running.tag.as_str(), object)
            }
        };
        deployments
            .iter()
            .rev()
            .find(|d| d.event == Event::Promote && d.deployed() && d.is(tag, object))
    }

    /// Adds an `incident` or `resolve` entry.
    pub(super) fn apply_incident(&mut self, entry: ObjectId, s: &Statement, time: i64) {
        match (s.event, s.deployment, s.incident) {
            (Event::Incident, Some(deployment), _) => self.incidents.push(Incident {
                entry: entry.to_string(),
                tag: s.tag.clone(),
                tag_object: s.tag_object.to_string(),
                environment: s.environment.clone(),
                deployment: deployment.to_string(),
                actor: s.actor.clone(),
                time,
                description: s.note.clone().unwrap_or_default(),
                resolved: None,
            }),
            (Event::Resolve, _, Some(incident)) => {
                let id = incident.to_string();
                if let Some(open) = self
                    .incidents
                    .iter_mut()
                    .find(|i| i.entry == id && i.resolved.is_none())
                {
                    open.resolved = Some(Resolution {
                        entry: entry.to_string(),
                        actor: s.actor.clone(),
                        time,
                        note: s.note.clone(),
                    });
                }
            }
            _ => {}
        }
    }

    /// The rules of `incident` and `resolve` entries: the signer holds one of the
    /// environment's `responders` roles (none configured: any role, or the right to deploy
    /// there: a promoters role, anyone trusted when there are no promoters); an incident names a
    /// configured environment, says what happened, and links to a `promote` of its release
    /// there whose deploy succeeded, dated after it; a resolution names an open incident of
    /// the same release and environment, dated after it.
    pub(super) fn validate_incident(
        &self,
        config: &Config,
        candidate: &Candidate<'_>,
    ) -> Result<(), Violation> {
        let s = candidate.statement;
        let refuse = |rule, message: String| Err(Violation::new(candidate.entry, rule, message));
        let Some(env) = config.environments.get(&s.environment) else {
            return refuse(
                Rule::Environment,
                format!(
                    "environment `{}` is not configured (no [environments.{}] in rel.toml)",
                    s.environment, s.environment
                ),
            );
        };
        let roles = roles_of(config, candidate.signer);
        // Without responders, whoever holds a role, or may deploy there (with no promoters:
        // any trusted signer, as for promotions), reports on it.
        let holds = |list: &[String]| list.iter().any(|r| roles.contains(&r.as_str()));
        let allowed = if env.responders.is_empty() {
            !roles.is_empty() || env.promoters.is_empty() || holds(&env.promoters)
        } else {
            holds(&env.responders)
        };
        if !allowed {
            return refuse(
                Rule::Role,
                format!(
                    "`{}` may not {} incidents in {}: that takes {}",
                    s.actor,
                    if s.event == Event::Resolve {
                        "resolve"
                    } else {
                        "open"
                    },
                    s.environment,
                    if env.responders.is_empty() {
                        format!(
                            "a role in [roles] or one of the roles {} (promoters)",
                            env.promoters.join(", ")
                        )
                    } else {
                        format!(
                            "one of the roles {} (responders)",
                            env.responders.join(", ")
                        )
                    }
                ),
            );
        }
        if s.event == Event::Resolve {
            let Some(id) = s.incident else {
                return refuse(
                    Rule::Incident,
                    "a `resolve` entry names the incident it resolves".into(),
                );
            };
            let id = id.to_string();
            let Some(incident) = self.incidents.iter().find(|i| i.entry == id) else {
                return refuse(
                    Rule::Incident,
                    format!("there is no incident {} to resolve", short(&id)),
                );
            };
            if incident.environment != s.environment
                || incident.tag != s.tag
                || ObjectId::from_hex(incident.tag_object.as_bytes()).ok() != Some(s.tag_object)
            {
                return refuse(
                    Rule::Incident,
                    format!(
                        "incident {} is about {} in {}, not {} in {}",
                        short(&id),
                        incident.tag,
                        incident.environment,
                        s.tag,
                        s.environment
                    ),
                );
            }
            if candidate.time < incident.time {
                return refuse(
                    Rule::Incident,
                    format!(
                        "the resolution is dated {}, before incident {} opened ({})",
                        candidate.time,
                        short(&id),
                        incident.time
                    ),
                );
            }
            if let Some(r) = &incident.resolved {
                return refuse(
                    Rule::Incident,
                    format!(
                        "incident {} was resolved by {} in entry {}",
                        short(&id),
                        r.actor,
                        short(&r.entry)
                    ),
                );
            }
            return Ok(());
        }
        if s.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return refuse(
                Rule::Incident,
                format!(
                    "an incident in {} says what happened (-m TEXT)",
                    s.environment
                ),
            );
        }
        let Some(deployment) = s.deployment else {
            return refuse(
                Rule::Incident,
                "an `incident` entry names the deployment it came from".into(),
            );
        };
        let id = deployment.to_string();
        let linked = self
            .deployments(&s.environment)
            .iter()
            .find(|d| d.entry == id && d.event == Event::Promote && d.is(&s.tag, s.tag_object));
        if let Some(d) = linked
            && (!d.deployed() || candidate.time < d.time)
        {
            return refuse(
                Rule::Incident,
                format!(
                    "the promotion of {} in entry {} {}: an incident follows a deployment",
                    s.tag,
                    short(&id),
                    if d.deployed() {
                        format!(
                            "is dated {}, after the incident ({})",
                            d.time, candidate.time
                        )
                    } else {
                        "never deployed (its deploy command failed or has no result)".to_owned()
                    }
                ),
            );
        }
        if linked.is_none() {
            return refuse(
                Rule::Incident,
                format!(
                    "entry {} is not a promotion of {} to {}: an incident links to the deployment it came from",
                    short(&id),
                    s.tag,
                    s.environment
                ),
            );
        }
        Ok(())
    }
}

/// Opens an incident in `target`'s environment, described by `description`, linked to the
/// deployment of `release` there (`None`: of what runs there now), on the record of
/// `target.remote`: fetched, checked, signed, pushed.
///
/// # Errors
/// [`Error::NoSuchEnvironment`], [`Error::NotDeployed`] when the release (or anything) was never
/// promoted there, and when git fails.
pub fn open_incident(
    target: Target<'_>,
    description: &str,
    release: Option<&str>,
) -> Result<Appended, Error> {
    target.environment()?;
    let named = release
        .map(|tag| super::release_of(target.repo, tag).map(|(object, _)| (tag, object)))
        .transpose()?;
    let mut session = Session::default();
    let state = session.fetch(target.repo, target.remote)?;
    let Some(source) = state.incident_source(target.environment, named) else {
        // Name the release that runs there when it is one that never deployed.
        let running = state.running(target.environment).map(|d| d.tag.clone());
        return Err(Error::NotDeployed {
            environment: target.environment.to_owned(),
            tag: release.map(str::to_owned).or(running),
        });
    };
    let mut draft = Draft::new(Event::Incident, &source.tag, target.environment);
    draft.note = Some(description.to_owned());
    draft.deployment = ObjectId::from_hex(source.entry.as_bytes()).ok();
    session.append(
        target.repo,
        target.config,
        target.anchors,
        target.remote,
        &draft,
    )
}

/// Resolves the open incident `id` (a unique prefix of its entry) on the record of `remote`,
/// with an optional `note`.
///
/// # Errors
/// [`Error::NoSuchIncident`] when no open incident has that id (or several do), and when git
/// fails.
pub fn resolve_incident(
    repo: &crate::history::Repo,
    config: &Config,
    anchors: &crate::signature::Anchors,
    remote: &str,
    (id, note): (&str, Option<&str>),
) -> Result<Appended, Error> {
    let mut session = Session::default();
    let state = session.fetch(repo, remote)?;
    let found = state.find_incidents(id);
    let [incident] = found.as_slice() else {
        return Err(Error::NoSuchIncident {
            id: id.to_owned(),
            matches: found.iter().map(|i| i.entry.clone()).collect(),
            open: state
                .incidents()
                .iter()
                .filter(|i| i.resolved.is_none())
                .map(|i| i.entry.clone())
                .collect(),
        });
    };
    let mut draft = Draft::new(Event::Resolve, &incident.tag, &incident.environment);
    draft.note = note.map(str::to_owned);
    draft.incident = ObjectId::from_hex(incident.entry.as_bytes()).ok();
    session.append(repo, config, anchors, remote, &draft)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::state::ReleaseFacts;
    use crate::record::{Outcome, Rule};

    fn id(c: u8) -> ObjectId {
        ObjectId::from_hex(&[c; 40]).expect("hex")
    }

    fn config(extra: &str) -> Config {
        Config::from_toml(
            &format!(
                "[roles]\nsre = [\"carol@example.com\"]\nci = [\"ci@example.com\"]\n\n[environments.production]\n{extra}"
            ),
            "rel.toml".as_ref(),
        )
        .expect("config")
    }

    fn statement(event: Event, actor: &str) -> Statement {
        Statement::new(event, "v1.0.0", (id(b'a'), id(b'b')), "production", actor)
    }

    /// Production ran v1.0.0 (promote entry `1`, at 1000), verified at 1100.
    fn deployed() -> State {
        let mut state = State::default();
        state.apply(id(b'1'), &statement(Event::Promote, "ci@example.com"), 1000);
        let mut verified = statement(Event::Verified, "ci@example.com");
        verified.outcome = Some(Outcome {
            step: "smoke".into(),
            exit_code: Some(0),
            timed_out: false,
            duration_ms: 5,
        });
        state.apply(id(b'2'), &verified, 1100);
        state
    }

    fn judge(state: &State, config: &Config, s: &Statement, time: i64) -> Option<Rule> {
        let facts = ReleaseFacts {
            tag_object: Some(id(b'a')),
            ..ReleaseFacts::default()
        };
        let candidate = Candidate {
            entry: None,
            statement: s,
            signer: &s.actor,
            time,
        };
        state
            .validate(config, &candidate, &facts, None)
            .err()
            .map(|v| v.rule)
    }

    fn incident(actor: &str) -> Statement {
        let mut s = statement(Event::Incident, actor);
        s.note = Some("errors".into());
        s.deployment = Some(id(b'1'));
        s
    }

    #[test]
    fn who_may_report_an_incident() {
        let state = deployed();
        // No responders, no promoters: any trusted signer, as for promotions.
        let open = config("");
        assert_eq!(
            judge(&state, &open, &incident("dave@example.com"), 1200),
            None
        );
        // Promoters: they, or anyone holding a role.
        let promoters = config("promoters = [\"ci\"]\n");
        assert_eq!(
            judge(&state, &promoters, &incident("dave@example.com"), 1200),
            Some(Rule::Role)
        );
        assert_eq!(
            judge(&state, &promoters, &incident("carol@example.com"), 1200),
            None
        );
        // Responders: only they.
        let responders = config("promoters = [\"ci\"]\nresponders = [\"sre\"]\n");
        assert_eq!(
            judge(&state, &responders, &incident("ci@example.com"), 1200),
            Some(Rule::Role)
        );
        assert_eq!(
            judge(&state, &responders, &incident("carol@example.com"), 1200),
            None
        );
    }

    #[test]
    fn an_incident_follows_its_deployment_and_a_resolution_its_incident() {
        let config = config("");
        let mut state = deployed();
        // Dated before the promotion it links to (within the record's skew): no.
        assert_eq!(
            judge(&state, &config, &incident("carol@example.com"), 999),
            Some(Rule::Incident)
        );
        // A promotion still without a result never deployed: no incident links to it.
        let mut pending = deployed();
        pending.apply(id(b'3'), &statement(Event::Promote, "ci@example.com"), 1150);
        let mut to_pending = incident("carol@example.com");
        to_pending.deployment = Some(id(b'3'));
        assert_eq!(
            judge(&pending, &config, &to_pending, 1200),
            Some(Rule::Incident)
        );
        let opened = incident("carol@example.com");
        assert_eq!(judge(&state, &config, &opened, 2000), None);
        state.apply(id(b'4'), &opened, 2000);
        let mut resolve = statement(Event::Resolve, "carol@example.com");
        resolve.incident = Some(id(b'4'));
        // Before the opening: no; after: once.
        assert_eq!(judge(&state, &config, &resolve, 1900), Some(Rule::Incident));
        assert_eq!(judge(&state, &config, &resolve, 2100), None);
        state.apply(id(b'5'), &resolve, 2100);
        assert_eq!(judge(&state, &config, &resolve, 2200), Some(Rule::Incident));
        let found = state.find_incidents("4444");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resolved.as_ref().map(|r| r.time), Some(2100));
        assert!(state.find_incidents("").is_empty());
    }
}
