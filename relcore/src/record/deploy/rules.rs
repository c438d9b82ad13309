//! The rules of SPEC 7 for `attest`, `promote`, `verified`, `failed` and `rollback` entries.

use super::super::gate::roles_of;
use super::super::state::{Candidate, ReleaseFacts, Rule, Violation};
use super::super::{Artifact, Event, State, Statement, find_artifact, listing, short};
use crate::config::{Config, EnvironmentConfig};

impl State {
    /// The rules of `attest`, `promote`, `verified`, `failed` and `rollback` entries.
    pub(in crate::record) fn validate_deploy(
        &self,
        config: &Config,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
    ) -> std::result::Result<(), Violation> {
        let s = candidate.statement;
        let refuse = |rule, message: String| Err(Violation::new(candidate.entry, rule, message));
        if s.event == Event::Attest {
            return self.validate_attest(config, candidate, facts);
        }
        let Some(env) = config.environments.get(&s.environment) else {
            return refuse(
                Rule::Environment,
                format!(
                    "environment `{}` is not configured (no [environments.{}] in rel.toml)",
                    s.environment, s.environment
                ),
            );
        };
        if !s.artifacts.is_empty() && !matches!(s.event, Event::Promote | Event::Rollback) {
            return refuse(
                Rule::Entry,
                format!("a `{}` entry lists no artifacts", s.event.as_str()),
            );
        }
        match s.event {
            Event::Verified | Event::Failed => self.validate_result(candidate),
            Event::Rollback => {
                self.promoter(config, env, candidate)?;
                self.validate_rollback(candidate, facts)
            }
            _ => {
                self.promoter(config, env, candidate)?;
                self.validate_promote(config, env, candidate, facts)
            }
        }
    }

    fn validate_attest(
        &self,
        config: &Config,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
    ) -> std::result::Result<(), Violation> {
        let s = candidate.statement;
        let refuse = |rule, message: String| Err(Violation::new(candidate.entry, rule, message));
        if !s.environment.is_empty() || s.outcome.is_some() {
            return refuse(
                Rule::Entry,
                "an `attest` entry names no environment and no outcome".into(),
            );
        }
        // Whoever attests first decides what every promotion must deploy: the release's
        // tagger, or someone trusted to deploy somewhere, never any trusted signer.
        if let Err(message) = self.may_handle_artifacts(config, candidate, facts) {
            return refuse(Rule::Role, message);
        }
        if s.artifacts.is_empty() {
            return refuse(
                Rule::Attest,
                format!("the attestation of {} lists no artifacts", s.tag),
            );
        }
        let mut names: Vec<&str> = s.artifacts.iter().map(|a| a.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return refuse(
                Rule::Attest,
                format!("the attestation of {} names `{}` twice", s.tag, w[0]),
            );
        }
        if facts.attested.is_some() {
            return refuse(
                Rule::Attest,
                format!(
                    "{}'s artifacts are attested in its signed tag message: a release's artifact set is attested once",
                    s.tag
                ),
            );
        }
        if let Some(before) = self.attested(&s.tag, s.tag_object) {
            return refuse(
                Rule::Attest,
                format!(
                    "{}'s artifacts were attested in entry {}: a release's artifact set is attested once",
                    s.tag,
                    short(&before.entry)
                ),
            );
        }
        Ok(())
    }

    /// The artifacts release `s.tag` attests: in the record, else in its signed tag message.
    pub(in crate::record) fn attested_set<'a>(
        &'a self,
        s: &Statement,
        facts: &'a ReleaseFacts,
    ) -> Option<&'a [Artifact]> {
        self.attested(&s.tag, s.tag_object)
            .map(|a| a.artifacts.as_slice())
            .or(facts.attested.as_deref())
    }

    /// The signer may attest, publish or prune the release's artifacts, or record its readiness
    /// review (with no `[readiness] reviewers`): its tagger, or someone trusted to deploy
    /// somewhere (a promoters role: CI that builds after tagging), never any trusted signer.
    pub(in crate::record) fn may_handle_artifacts(
        &self,
        config: &Config,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
    ) -> std::result::Result<(), String> {
        let s = candidate.statement;
        let roles = roles_of(config, candidate.signer);
        let mut promoters: Vec<&str> = config
            .environments
            .values()
            .flat_map(|e| e.promoters.iter().map(String::as_str))
            .collect();
        promoters.sort_unstable();
        promoters.dedup();
        let deployer = promoters.iter().any(|p| roles.contains(p));
        if facts.taggers.iter().any(|t| t == candidate.signer) || deployer {
            return Ok(());
        }
        let what = match s.event {
            Event::Publish => format!("publish {}'s artifacts", s.tag),
            Event::Prune => format!("prune {}'s artifacts", s.tag),
            Event::Ready => format!("record a readiness review of {}", s.tag),
            _ => format!("attest {}'s artifacts", s.tag),
        };
        Err(format!(
            "`{}` may not {what}: that is for its tagger ({}) or a promoter ({})",
            s.actor,
            facts.taggers.join(", "),
            if promoters.is_empty() {
                "no environment names promoters".to_owned()
            } else {
                format!("roles {}", promoters.join(", "))
            }
        ))
    }

    /// The signer may deploy here: holds one of `promoters`, when there are any.
    fn promoter(
        &self,
        config: &Config,
        env: &EnvironmentConfig,
        candidate: &Candidate<'_>,
    ) -> std::result::Result<(), Violation> {
        let s = candidate.statement;
        let roles = roles_of(config, candidate.signer);
        if env.promoters.is_empty() || env.promoters.iter().any(|p| roles.contains(&p.as_str())) {
            return Ok(());
        }
        Err(Violation::new(
            candidate.entry,
            Rule::Role,
            format!(
                "`{}` may not deploy to {}: that takes one of the roles {} (promoters)",
                s.actor,
                s.environment,
                env.promoters.join(", ")
            ),
        ))
    }

    fn validate_promote(
        &self,
        config: &Config,
        env: &EnvironmentConfig,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
    ) -> std::result::Result<(), Violation> {
        let s = candidate.statement;
        let refuse = |rule, message: String| Err(Violation::new(candidate.entry, rule, message));
        if let Some(after) = env.after.as_deref() {
            let Some(verified) = self.verified_in(after, &s.tag, s.tag_object) else {
                return refuse(
                    Rule::After,
                    format!(
                        "{} has not been verified in {after}, which {} comes after: promote it there first (rel promote {} --to {after})",
                        s.tag, s.environment, s.tag
                    ),
                );
            };
            let soak = env.soak.map_or(0, |d| d.seconds());
            let ends = verified.saturating_add(i64::try_from(soak).unwrap_or(i64::MAX));
            if candidate.time < ends {
                return refuse(
                    Rule::Soak,
                    format!(
                        "{} was verified in {after} at {verified}; {}'s soak of {} ends at {ends}, {} s from this entry's time",
                        s.tag,
                        s.environment,
                        env.soak.map(|d| d.to_string()).unwrap_or_default(),
                        ends - candidate.time
                    ),
                );
            }
        }
        if let Some(gate) =
            self.gate_without(config, &s.tag, s.tag_object, &s.environment, &s.actor)
            && !gate.satisfied
        {
            let mut needs = Vec::new();
            if !gate.missing.is_empty() {
                needs.push(format!("still needs: {}", gate.missing.join(", ")));
            }
            if !gate.rejected_by.is_empty() {
                needs.push(format!("rejected by: {}", gate.rejected_by.join(", ")));
            }
            return refuse(
                Rule::Approvals,
                format!(
                    "{} is not approved for {} ({}; the promoter's own approval never counts): rel approve {} --for {}",
                    s.tag,
                    s.environment,
                    needs.join("; "),
                    s.tag,
                    s.environment
                ),
            );
        }
        if env.require_ready
            && let Err(message) = self.ready_for(config, s)
        {
            return refuse(Rule::Ready, message);
        }
        self.artifacts_attested(candidate, facts)
    }

    /// A deployment's artifacts are the attested ones: each offered file's digest is one of
    /// the release's attested digests; a release with attested artifacts deploys them.
    fn artifacts_attested(
        &self,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
    ) -> std::result::Result<(), Violation> {
        let s = candidate.statement;
        let refuse =
            |message: String| Err(Violation::new(candidate.entry, Rule::Artifact, message));
        match (self.attested_set(s, facts), s.artifacts.is_empty()) {
            (None, true) => Ok(()),
            (None, false) => refuse(format!(
                "{} has no attested artifacts: attest them first (rel attest {} PATH...)",
                s.tag, s.tag
            )),
            (Some(_), true) => refuse(format!(
                "{}'s artifacts are attested: deploy them (--artifact PATH), never a rebuilt file",
                s.tag
            )),
            (Some(attested), false) => {
                for offered in &s.artifacts {
                    if find_artifact(attested, offered).is_none() {
                        return refuse(format!(
                            "`{}` (sha256 {}) is not an attested artifact of {} (attested: {})",
                            offered.name,
                            offered.sha256,
                            s.tag,
                            listing(attested)
                        ));
                    }
                }
                Ok(())
            }
        }
    }

    fn validate_result(&self, candidate: &Candidate<'_>) -> std::result::Result<(), Violation> {
        let s = candidate.statement;
        let refuse = |message: String| Err(Violation::new(candidate.entry, Rule::Result, message));
        let Some(last) = self.running(&s.environment) else {
            return refuse(format!(
                "nothing was deployed to {}: a `{}` entry follows a promote or rollback",
                s.environment,
                s.event.as_str()
            ));
        };
        if !last.is(&s.tag, s.tag_object) || last.result.is_some() {
            return refuse(format!(
                "no deployment of {} to {} awaits its result (the latest there is {} in entry {}{})",
                s.tag,
                s.environment,
                last.tag,
                short(&last.entry),
                if last.result.is_some() {
                    ", already ended"
                } else {
                    ""
                }
            ));
        }
        if last.actor != s.actor {
            return refuse(format!(
                "the deployment of {} to {} was run by `{}`: its result is theirs to record",
                s.tag, s.environment, last.actor
            ));
        }
        // The metrics tell a failed deploy from a failed smoke test by the step.
        if !s
            .outcome
            .as_ref()
            .is_some_and(|o| o.step == "deploy" || o.step == "smoke")
        {
            return refuse(format!(
                "a `{}` entry says how the deployment ended: an outcome whose step is `deploy` or `smoke`",
                s.event.as_str()
            ));
        }
        Ok(())
    }

    fn validate_rollback(
        &self,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
    ) -> std::result::Result<(), Violation> {
        let s = candidate.statement;
        let refuse =
            |message: String| Err(Violation::new(candidate.entry, Rule::Rollback, message));
        if s.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return refuse(format!(
                "a rollback of {} needs a reason (-m)",
                s.environment
            ));
        }
        let rejected: Vec<&str> = self
            .decisions(&s.tag, s.tag_object, &s.environment)
            .iter()
            .filter(|d| d.event == Event::Reject)
            .map(|d| d.actor.as_str())
            .collect();
        if !rejected.is_empty() {
            return refuse(format!(
                "{} is rejected for {} by {}: a rollback does not go back to a rejected release",
                s.tag,
                s.environment,
                rejected.join(", ")
            ));
        }
        if self
            .verified_in(&s.environment, &s.tag, s.tag_object)
            .is_none()
        {
            return refuse(format!(
                "{} was never verified in {}: a rollback goes back to a release verified there",
                s.tag, s.environment
            ));
        }
        if self
            .running(&s.environment)
            .is_some_and(|r| r.is(&s.tag, s.tag_object))
        {
            return refuse(format!("{} already runs in {}", s.tag, s.environment));
        }
        self.artifacts_attested(candidate, facts).or_else(|v| {
            if s.artifacts.is_empty() {
                Ok(())
            } else {
                Err(v)
            }
        })
    }
}

#[cfg(test)]
mod tests;
