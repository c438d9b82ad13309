//! Readiness and announcements in the record: `ready` (a readiness review's results and the
//! digests of its evidence), `waive` (a failed required item let pass by a signed decision of
//! a `[readiness] waivers` role, with a reason), `announce` (an announcement delivered to an
//! audience). What the state keeps of them, and their rules.
//!
//! The server cannot re-run a review's commands, but it checks what it can from git and the
//! record alone: the items are exactly the configured checklist; each `file` item said to pass
//! names the blob the tagged tree holds at that path; each `approval` item said to pass is a
//! gate the record satisfies; a `waived` item has a standing waiver by a waivers role; `go` is
//! what the statuses add up to.

use std::collections::BTreeMap;

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::gate::roles_of;
use super::state::{Candidate, ReleaseFacts, Rule, Violation};
use super::{Event, State, Statement};
use crate::config::{Config, ItemKind};

/// A readiness review, as a `ready` entry states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Readiness {
    /// Whether every required item passed or was waived.
    pub go: bool,
    /// Each checklist item, in the configured order.
    pub items: Vec<ItemResult>,
}

/// One checklist item's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ItemResult {
    /// The item's name.
    pub name: String,
    /// `command`, `file`, `defects` or `approval`.
    pub kind: String,
    /// Whether it must pass (or be waived) for a go.
    pub required: bool,
    /// How it came out.
    pub status: ItemStatus,
    /// What was found, for people (`exit 0 in 1.2 s`, `docs/runbook.md is not in the tree`).
    pub evidence: String,
    /// Digests of the evidence (an in-toto digest set): `sha256` of a command's output or of
    /// the defects file, `gitBlob` of a file.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    /// The `waive` entry that lets a failed required item pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
}

impl ItemResult {
    /// A result of item `name` of `kind`.
    pub fn new(
        name: impl Into<String>,
        kind: ItemKind,
        required: bool,
        status: ItemStatus,
        evidence: impl Into<String>,
    ) -> Self {
        ItemResult {
            name: name.into(),
            kind: kind.as_str().to_owned(),
            required,
            status,
            evidence: evidence.into(),
            digest: BTreeMap::new(),
            waiver: None,
        }
    }
}

/// How a checklist item came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ItemStatus {
    /// It passed.
    Passed,
    /// It failed (an advisory item's failure does not stop a go).
    Failed,
    /// A required item failed and a standing waiver lets it pass.
    Waived,
}

impl ItemStatus {
    /// `passed`, `failed` or `waived`.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Passed => "passed",
            ItemStatus::Failed => "failed",
            ItemStatus::Waived => "waived",
        }
    }
}

/// An announcement, as an `announce` entry states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Announcement {
    /// The audience (`dev`, `ops`, `product`, `support`, or a configured one).
    pub audience: String,
    /// `markdown`, `text`, `email` or `json`.
    pub format: String,
    /// How it was delivered: `command` or `webhook` (the command line or address is not
    /// recorded: a webhook address is often a secret).
    pub channel: String,
    /// The sha256 of the message delivered, lowercase hex.
    pub sha256: String,
}

/// The latest readiness review of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Review {
    /// The `ready` entry.
    pub entry: String,
    /// Who ran it.
    pub actor: String,
    /// When (seconds since the epoch).
    pub time: i64,
    /// What it found.
    pub readiness: Readiness,
}

/// A standing waiver of one checklist item of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Waiver {
    /// The `waive` entry.
    pub entry: String,
    /// Who waived it.
    pub actor: String,
    /// The item.
    pub item: String,
    /// Why (shown in the release notes).
    pub reason: String,
    /// When (seconds since the epoch).
    pub time: i64,
}

/// An announcement delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Announced {
    /// The `announce` entry.
    pub entry: String,
    /// Who sent it.
    pub actor: String,
    /// When (seconds since the epoch).
    pub time: i64,
    /// What and how.
    pub announcement: Announcement,
}

pub use crate::config::BUILTIN_AUDIENCES;

impl State {
    /// The latest readiness review of release `tag` (object `tag_object`).
    pub fn review(&self, tag: &str, tag_object: ObjectId) -> Option<&Review> {
        self.releases
            .get(&(tag.to_owned(), tag_object))
            .and_then(|r| r.review.as_ref())
    }

    /// The waivers recorded for release `tag` (object `tag_object`), oldest first, whoever
    /// made them (see [`State::waiver`] for those that count).
    pub fn waivers(&self, tag: &str, tag_object: ObjectId) -> &[Waiver] {
        self.releases
            .get(&(tag.to_owned(), tag_object))
            .map_or(&[], |r| r.waivers.as_slice())
    }

    /// The waiver that lets `item` of release `tag` pass: the oldest one by a principal who
    /// holds a `[readiness] waivers` role under `config`.
    pub fn waiver(
        &self,
        config: &Config,
        tag: &str,
        tag_object: ObjectId,
        item: &str,
    ) -> Option<&Waiver> {
        self.waivers(tag, tag_object)
            .iter()
            .find(|w| w.item == item && may_waive(config, &w.actor))
    }

    /// The waivers that count for release `tag`: those by a principal holding a
    /// `[readiness] waivers` role under `config` (every one, not only the first per item).
    pub fn counted_waivers(&self, config: &Config, tag: &str, tag_object: ObjectId) -> Vec<Waiver> {
        self.waivers(tag, tag_object)
            .iter()
            .filter(|w| may_waive(config, &w.actor))
            .cloned()
            .collect()
    }

    /// The announcements delivered for release `tag` (object `tag_object`), oldest first.
    pub fn announcements(&self, tag: &str, tag_object: ObjectId) -> &[Announced] {
        self.releases
            .get(&(tag.to_owned(), tag_object))
            .map_or(&[], |r| r.announced.as_slice())
    }

    /// Adds a `ready`, `waive` or `announce` entry.
    pub(super) fn apply_ready(&mut self, entry: ObjectId, s: &Statement, time: i64) {
        let release = self
            .releases
            .entry((s.tag.clone(), s.tag_object))
            .or_default();
        match (s.event, &s.readiness, &s.item, &s.announcement) {
            (Event::Ready, Some(readiness), _, _) => {
                release.review = Some(Review {
                    entry: entry.to_string(),
                    actor: s.actor.clone(),
                    time,
                    readiness: readiness.clone(),
                });
            }
            (Event::Waive, _, Some(item), _) => release.waivers.push(Waiver {
                entry: entry.to_string(),
                actor: s.actor.clone(),
                item: item.clone(),
                reason: s.note.clone().unwrap_or_default(),
                time,
            }),
            (Event::Announce, _, _, Some(announcement)) => release.announced.push(Announced {
                entry: entry.to_string(),
                actor: s.actor.clone(),
                time,
                announcement: announcement.clone(),
            }),
            _ => {}
        }
    }

    /// The rules of `ready`, `waive` and `announce` entries.
    pub(super) fn validate_ready(
        &self,
        config: &Config,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
    ) -> Result<(), Violation> {
        let s = candidate.statement;
        let refuse = |rule, message: String| Err(Violation::new(candidate.entry, rule, message));
        if !s.environment.is_empty() {
            return refuse(
                Rule::Entry,
                format!("a `{}` entry names no environment", s.event.as_str()),
            );
        }
        match s.event {
            Event::Waive => self.validate_waive(config, candidate, facts),
            Event::Announce => {
                let Some(a) = &s.announcement else {
                    return refuse(
                        Rule::Entry,
                        "an `announce` entry says what was announced (announcement)".into(),
                    );
                };
                let known = BUILTIN_AUDIENCES.contains(&a.audience.as_str())
                    || config.announce.contains_key(&a.audience);
                let hex = a.sha256.len() == 64
                    && a.sha256
                        .bytes()
                        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
                if !known
                    || !hex
                    || !["command", "webhook"].contains(&a.channel.as_str())
                    || !["markdown", "text", "email", "json"].contains(&a.format.as_str())
                {
                    return refuse(
                        Rule::Entry,
                        format!(
                            "the announcement of {} is not one rel.toml allows (audience `{}`: dev, ops, product, support or an [announce.<audience>]; channel command or webhook; format markdown, text, email or json; a lowercase sha256)",
                            s.tag, a.audience
                        ),
                    );
                }
                Ok(())
            }
            _ => self.validate_review(config, candidate, facts),
        }
    }

    fn validate_waive(
        &self,
        config: &Config,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
    ) -> Result<(), Violation> {
        let s = candidate.statement;
        let refuse = |rule, message: String| Err(Violation::new(candidate.entry, rule, message));
        let item = s.item.as_deref().unwrap_or_default();
        let Some(configured) = config.readiness.items.iter().find(|i| i.name == item) else {
            return refuse(
                Rule::Waive,
                format!(
                    "`{item}` is not an item of the readiness checklist (items: {})",
                    names(config)
                ),
            );
        };
        if !configured.required {
            return refuse(
                Rule::Waive,
                format!(
                    "`{item}` is advisory: its failure never stops a go, so it takes no waiver"
                ),
            );
        }
        if s.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return refuse(
                Rule::Waive,
                format!(
                    "a waiver of `{item}` needs a reason (-m): it is shown in the release notes"
                ),
            );
        }
        if !may_waive(config, candidate.signer) {
            return refuse(
                Rule::Role,
                format!(
                    "`{}` may not waive readiness items: that takes one of the roles {} (readiness.waivers)",
                    s.actor,
                    if config.readiness.waivers.is_empty() {
                        "none: rel.toml names no waivers".to_owned()
                    } else {
                        config.readiness.waivers.join(", ")
                    }
                ),
            );
        }
        if facts.taggers.contains(&s.actor) {
            return refuse(
                Rule::FourEyes,
                format!(
                    "`{}` made the release {}: the tagger never waives its own release's checks",
                    s.actor, s.tag
                ),
            );
        }
        if let Some(before) = self
            .waivers(&s.tag, s.tag_object)
            .iter()
            .find(|w| w.item == item && w.actor == s.actor)
        {
            return refuse(
                Rule::Duplicate,
                format!(
                    "`{}` already waived `{item}` of {} (entry {})",
                    s.actor,
                    s.tag,
                    super::short(&before.entry)
                ),
            );
        }
        Ok(())
    }

    fn validate_review(
        &self,
        config: &Config,
        candidate: &Candidate<'_>,
        facts: &ReleaseFacts,
    ) -> Result<(), Violation> {
        let s = candidate.statement;
        let refuse = |message: String| Err(Violation::new(candidate.entry, Rule::Ready, message));
        let Some(review) = &s.readiness else {
            return refuse("a `ready` entry carries the review's results (readiness)".into());
        };
        let ready = &config.readiness;
        if ready.reviewers.is_empty() {
            // Whoever may handle the release's artifacts (its tagger, a promoter) may review it.
            if let Err(message) = self.may_handle_artifacts(config, candidate, facts) {
                return Err(Violation::new(candidate.entry, Rule::Role, message));
            }
        } else {
            let roles = roles_of(config, candidate.signer);
            if !ready.reviewers.iter().any(|r| roles.contains(&r.as_str())) {
                return Err(Violation::new(
                    candidate.entry,
                    Rule::Role,
                    format!(
                        "`{}` may not record readiness reviews: that takes one of the roles {} (readiness.reviewers)",
                        s.actor,
                        ready.reviewers.join(", ")
                    ),
                ));
            }
        }
        let expected: Vec<(&str, &str, bool)> = ready
            .items
            .iter()
            .map(|i| (i.name.as_str(), i.kind.as_str(), i.required))
            .collect();
        let stated: Vec<(&str, &str, bool)> = review
            .items
            .iter()
            .map(|i| (i.name.as_str(), i.kind.as_str(), i.required))
            .collect();
        if expected.is_empty() {
            return refuse("rel.toml has no [readiness] items: there is nothing to review".into());
        }
        if stated != expected {
            return refuse(format!(
                "the review of {} does not cover the readiness checklist as configured (items: {})",
                s.tag,
                names(config)
            ));
        }
        let mut go = true;
        for (item, configured) in review.items.iter().zip(&ready.items) {
            let digest_key = match configured.kind {
                ItemKind::File(_) => Some("gitBlob"),
                ItemKind::Command(_) | ItemKind::Defects(_) => Some("sha256"),
                ItemKind::Approval(_) => None,
            };
            if item.digest.keys().any(|k| Some(k.as_str()) != digest_key)
                || (item.waiver.is_some() != (item.status == ItemStatus::Waived))
            {
                return refuse(format!(
                    "`{}` carries evidence its kind does not have (digest {}, a waiver only when waived)",
                    item.name,
                    digest_key.unwrap_or("none")
                ));
            }
            match item.status {
                ItemStatus::Passed => {}
                ItemStatus::Failed => go &= !item.required,
                ItemStatus::Waived => {
                    let waiver = self.waiver(config, &s.tag, s.tag_object, &item.name);
                    if !item.required
                        || waiver.is_none()
                        || item.waiver.as_deref() != waiver.map(|w| w.entry.as_str())
                    {
                        return refuse(format!(
                            "`{}` is stated waived, but no standing waiver of it by a waivers role is that entry (rel ready {} --waive '{}' -m REASON)",
                            item.name, s.tag, item.name
                        ));
                    }
                }
            }
            if item.status != ItemStatus::Passed {
                continue;
            }
            match &configured.kind {
                ItemKind::File(path) => {
                    let blob = facts.files.get(&path.display().to_string());
                    let stated = item.digest.get("gitBlob");
                    if blob.is_none() || blob.map(ToString::to_string).as_ref() != stated {
                        return refuse(format!(
                            "`{}` is stated passed, but {} is {} in {}'s tree",
                            item.name,
                            path.display(),
                            blob.map_or("not".to_owned(), |b| format!(
                                "blob {}",
                                b.to_hex_with_len(7)
                            )),
                            s.tag
                        ));
                    }
                }
                ItemKind::Approval(environment) => {
                    let satisfied = self
                        .gate(config, &s.tag, s.tag_object, environment)
                        .is_some_and(|g| g.satisfied);
                    if !satisfied {
                        return refuse(format!(
                            "`{}` is stated passed, but {}'s gate for {} is not satisfied in the record",
                            item.name, environment, s.tag
                        ));
                    }
                }
                _ => {}
            }
        }
        if review.go != go {
            return refuse(format!(
                "the review of {} says {}, but its items add up to {}",
                s.tag,
                if review.go { "go" } else { "no-go" },
                if go { "go" } else { "no-go" }
            ));
        }
        Ok(())
    }

    /// Whether a promotion of `s.tag` may count its readiness: its latest review is a go.
    pub(super) fn ready_for(&self, config: &Config, s: &Statement) -> Result<(), String> {
        match self.review(&s.tag, s.tag_object) {
            Some(r) if r.readiness.go => match self.stale(config, s, &r.readiness) {
                None => Ok(()),
                Some(why) => Err(format!(
                    "{} requires a passing readiness review (require_ready), and {}'s go (entry {}) no longer holds: {why}: rel ready {}",
                    s.environment,
                    s.tag,
                    super::short(&r.entry),
                    s.tag
                )),
            },
            Some(r) => Err(format!(
                "{} requires a passing readiness review (require_ready), and {}'s latest (entry {}) is a no-go: rel ready {}",
                s.environment,
                s.tag,
                super::short(&r.entry),
                s.tag
            )),
            None => Err(format!(
                "{} requires a passing readiness review (require_ready), and {} has none recorded: rel ready {}",
                s.environment, s.tag, s.tag
            )),
        }
    }
}

impl State {
    /// Why a go no longer holds, if it does not: the checklist changed since, a gate it found
    /// satisfied is not any more, a waiver it used no longer counts.
    fn stale(&self, config: &Config, s: &Statement, review: &Readiness) -> Option<String> {
        let items = &config.readiness.items;
        let same = review.items.len() == items.len()
            && review.items.iter().zip(items).all(|(r, i)| {
                r.name == i.name && r.kind == i.kind.as_str() && r.required == i.required
            });
        if !same {
            return Some("the readiness checklist changed since".into());
        }
        for (result, item) in review.items.iter().zip(items) {
            if let ItemKind::Approval(env) = &item.kind
                && result.status == ItemStatus::Passed
                && !self
                    .gate(config, &s.tag, s.tag_object, env)
                    .is_some_and(|g| g.satisfied)
            {
                return Some(format!("{env}'s gate is not satisfied any more"));
            }
            if result.status == ItemStatus::Waived
                && self
                    .waiver(config, &s.tag, s.tag_object, &result.name)
                    .map(|w| &w.entry)
                    != result.waiver.as_ref()
            {
                return Some(format!("the waiver of `{}` no longer counts", result.name));
            }
        }
        None
    }
}

/// Whether `principal` holds a `[readiness] waivers` role.
fn may_waive(config: &Config, principal: &str) -> bool {
    let roles = roles_of(config, principal);
    config
        .readiness
        .waivers
        .iter()
        .any(|r| roles.contains(&r.as_str()))
}

/// The names of the configured checklist items, or `none`.
fn names(config: &Config) -> String {
    if config.readiness.items.is_empty() {
        return "none".into();
    }
    config
        .readiness
        .items
        .iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Statement;

    fn id(c: u8) -> ObjectId {
        ObjectId::from_hex(&[c; 40]).expect("hex")
    }

    const CONFIG: &str = r#"
[roles]
tech-lead = ["alice@example.com"]
product-owner = ["bob@example.com", "rm@example.com"]
security = ["sam@example.com"]

[readiness]
waivers = ["product-owner"]
items = [
  { name = "tests", command = "true" },
  { name = "security", approval = "security" },
]

[environments.security]
approvals = ["security"]

[environments.production]
approvals = ["tech-lead"]
require_ready = true
"#;

    fn statement(event: Event, env: &str, actor: &str) -> Statement {
        Statement::new(event, "v1.0.0", (id(b'a'), id(b'b')), env, actor)
    }

    /// The rule `s`, signed by its actor, breaks in `state` (rm tagged the release).
    fn judge(state: &State, config: &Config, s: &Statement) -> Option<Rule> {
        let facts = ReleaseFacts {
            tag_object: Some(id(b'a')),
            taggers: vec!["rm@example.com".into()],
            ..ReleaseFacts::default()
        };
        let candidate = Candidate {
            entry: None,
            statement: s,
            signer: &s.actor,
            time: 100,
        };
        state
            .validate(config, &candidate, &facts, None)
            .err()
            .map(|v| v.rule)
    }

    fn waive(actor: &str, item: &str, reason: Option<&str>) -> Statement {
        let mut s = statement(Event::Waive, "", actor);
        s.item = Some(item.into());
        s.note = reason.map(Into::into);
        s
    }

    fn review(tests: ItemStatus, security: ItemStatus, waiver: Option<&str>) -> Statement {
        let mut s = statement(Event::Ready, "", "rm@example.com");
        let mut tests = ItemResult::new(
            "tests",
            ItemKind::Command("true".into()),
            true,
            tests,
            "exit 0",
        );
        tests.waiver = waiver.map(Into::into);
        let security = ItemResult::new(
            "security",
            ItemKind::Approval("security".into()),
            true,
            security,
            "approved",
        );
        s.readiness = Some(Readiness {
            go: true,
            items: vec![tests, security],
        });
        s
    }

    #[test]
    fn a_waiver_is_a_waivers_role_holders_with_a_reason_never_the_taggers() {
        let config = Config::from_toml(CONFIG, "rel.toml".as_ref()).expect("config");
        let state = State::default();
        let reason = Some("known flake");
        assert_eq!(
            judge(
                &state,
                &config,
                &waive("alice@example.com", "tests", reason)
            ),
            Some(Rule::Role)
        );
        // rm holds product-owner, but tagged the release: four eyes.
        assert_eq!(
            judge(&state, &config, &waive("rm@example.com", "tests", reason)),
            Some(Rule::FourEyes)
        );
        assert_eq!(
            judge(&state, &config, &waive("bob@example.com", "tests", None)),
            Some(Rule::Waive)
        );
        assert_eq!(
            judge(&state, &config, &waive("bob@example.com", "lint", reason)),
            Some(Rule::Waive)
        );
        let bob = waive("bob@example.com", "tests", reason);
        assert_eq!(judge(&state, &config, &bob), None);
        let mut state = state;
        state.apply(id(b'1'), &bob, 100);
        assert_eq!(judge(&state, &config, &bob), Some(Rule::Duplicate));
        // A waiver carries nothing of another event.
        let mut carrying = waive("bob@example.com", "tests", reason);
        carrying.readiness = review(ItemStatus::Passed, ItemStatus::Passed, None).readiness;
        assert_eq!(
            judge(&State::default(), &config, &carrying),
            Some(Rule::Entry)
        );
    }

    #[test]
    fn a_go_stops_counting_when_what_it_found_is_withdrawn() {
        let config = Config::from_toml(CONFIG, "rel.toml".as_ref()).expect("config");
        let mut state = State::default();
        let promote = statement(Event::Promote, "production", "ci@example.com");
        state.apply(
            id(b'1'),
            &statement(Event::Approve, "production", "alice@example.com"),
            100,
        );
        // Said passed, the security gate is not satisfied: refused.
        let go = review(ItemStatus::Passed, ItemStatus::Passed, None);
        assert_eq!(judge(&state, &config, &go), Some(Rule::Ready));
        state.apply(
            id(b'2'),
            &statement(Event::Approve, "security", "sam@example.com"),
            100,
        );
        assert_eq!(judge(&state, &config, &go), None);
        assert_eq!(judge(&state, &config, &promote), Some(Rule::Ready));
        state.apply(id(b'3'), &go, 100);
        assert_eq!(judge(&state, &config, &promote), None);
        // The security officer withdraws: the go no longer holds.
        state.apply(
            id(b'4'),
            &statement(Event::Revoke, "security", "sam@example.com"),
            100,
        );
        assert_eq!(judge(&state, &config, &promote), Some(Rule::Ready));
        state.apply(
            id(b'5'),
            &statement(Event::Approve, "security", "sam@example.com"),
            100,
        );
        assert_eq!(judge(&state, &config, &promote), None);
        // Nor after the checklist changed.
        let longer = CONFIG.replace(
            "{ name = \"tests\", command = \"true\" },",
            "{ name = \"tests\", command = \"true\" },\n  { name = \"runbook\", file = \"./docs/runbook.md\" },",
        );
        let longer = Config::from_toml(&longer, "rel.toml".as_ref()).expect("config");
        assert_eq!(judge(&state, &longer, &promote), Some(Rule::Ready));
        // `./docs/runbook.md` is the tree's `docs/runbook.md`.
        assert_eq!(
            longer.readiness.items[1].kind,
            ItemKind::File("docs/runbook.md".into())
        );
    }

    #[test]
    fn a_waived_item_names_the_standing_waiver_and_a_waiver_only_when_waived() {
        let config = Config::from_toml(CONFIG, "rel.toml".as_ref()).expect("config");
        let mut state = State::default();
        state.apply(
            id(b'1'),
            &statement(Event::Approve, "security", "sam@example.com"),
            100,
        );
        let waived = |entry: &str| review(ItemStatus::Waived, ItemStatus::Passed, Some(entry));
        let bob_waiver = id(b'2').to_string();
        assert_eq!(
            judge(&state, &config, &waived(&bob_waiver)),
            Some(Rule::Ready)
        );
        state.apply(
            id(b'2'),
            &waive("bob@example.com", "tests", Some("flake")),
            100,
        );
        assert_eq!(judge(&state, &config, &waived(&bob_waiver)), None);
        assert_eq!(
            judge(&state, &config, &waived(&id(b'9').to_string())),
            Some(Rule::Ready)
        );
        // A passed item naming a waiver: evidence it cannot have.
        let passed = review(ItemStatus::Passed, ItemStatus::Passed, Some(&bob_waiver));
        assert_eq!(judge(&state, &config, &passed), Some(Rule::Ready));
    }

    #[test]
    fn require_ready_without_a_checklist_is_a_configuration_error() {
        let err = Config::from_toml(
            "[environments.production]\nrequire_ready = true\n",
            "rel.toml".as_ref(),
        )
        .expect_err("no items");
        assert!(
            err.to_string().contains(
                "`environments.production.require_ready`: a readiness review needs a checklist"
            ),
            "{err}"
        );
    }
}
