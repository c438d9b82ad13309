//! What `rel status` and `rel audit` report: a release's timeline and gates, and the whole
//! record replayed against the rules.

use gix::ObjectId;
use serde::Serialize;

use super::read::read_entry;
use super::state::{Rule, Violation};
use super::{
    Deployment, Entry, Error, Event, Gate, Publication, State, read, release_facts, release_of,
    state_at,
};
use crate::config::Config;
use crate::history::Repo;
use crate::signature::{self, Anchors, At, parse_tag_object};

/// A release as the record and the repository tell it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Status {
    /// The release tag.
    pub tag: String,
    /// Its tag object.
    pub tag_object: String,
    /// The commit it tags.
    pub commit: String,
    /// The tagger, as the tag object says (`Name <e-mail>`).
    pub tagger: Option<String>,
    /// Who signed the tag, when the signature verifies against the anchors.
    pub signed_by: Option<String>,
    /// The tag signature's format, when signed.
    pub signature: Option<signature::Format>,
    /// Every entry about this release (this tag object), oldest first.
    pub timeline: Vec<Step>,
    /// Each configured environment's gate.
    pub gates: Vec<Gate>,
    /// Its path through the environments: `(environment, deployment)`, oldest first per
    /// environment.
    pub deployments: Vec<(String, Deployment)>,
    /// Where its artifacts were published (registry reference with digest), oldest first;
    /// a pruned one says when it was deleted.
    pub published: Vec<Publication>,
}

/// One entry of a release's timeline.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Step {
    /// The entry.
    pub entry: String,
    /// When (seconds since the epoch).
    pub time: i64,
    /// What.
    pub event: Event,
    /// Where.
    pub environment: String,
    /// Who, as the signature verifies (`None`: it does not).
    pub signer: Option<String>,
    /// The roles the signer holds.
    pub roles: Vec<String>,
    /// Their note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The timeline and gates of release `tag`, from the record at `tip` (`None`: no record yet).
///
/// # Errors
/// When `tag` is not an annotated tag, or the record or the tag cannot be read.
pub fn status(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    tag: &str,
    tip: Option<ObjectId>,
) -> Result<Status, Error> {
    let (tag_object, commit) = release_of(repo, tag)?;
    let state = state_at(repo, tip)?;
    let object = repo.gix().find_object(tag_object).map_err(|source| {
        crate::history::Error::read(crate::history::ReadSubject::Tag(tag.to_owned()), source)
    })?;
    let parsed = parse_tag_object(&object.data);
    let tagger = gix::objs::TagRef::from_bytes(&object.data, tag_object.kind())
        .ok()
        .and_then(|t| t.tagger().ok().flatten())
        .map(|t| format!("{} <{}>", t.name, t.email));
    let verdict = signature::verify_parsed(tag, Some(&parsed), anchors, At::Tagger)?;
    let mut timeline = Vec::new();
    for id in state.entries(tag, tag_object) {
        let entry = read_entry(repo, *id)?;
        let Ok(s) = &entry.statement else { continue };
        let signer = entry.signer(anchors, At::Tagger)?.ok().map(|s| s.principal);
        let roles = signer
            .as_deref()
            .map(|p| {
                super::gate::roles_of(config, p)
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        timeline.push(Step {
            entry: entry.id.to_string(),
            time: entry.time,
            event: s.event,
            environment: s.environment.clone(),
            signer,
            roles,
            note: s.note.clone(),
        });
    }
    let gates = config
        .environments
        .keys()
        .filter_map(|env| state.gate(config, tag, tag_object, env))
        .collect();
    let deployments = state
        .environments()
        .flat_map(|env| {
            state
                .deployments(env)
                .iter()
                .filter(|d| d.is(tag, tag_object))
                .map(move |d| (env.to_owned(), d.clone()))
        })
        .collect();
    let published = state
        .publications()
        .iter()
        .filter(|p| p.is(tag, tag_object))
        .cloned()
        .collect();
    Ok(Status {
        deployments,
        published,
        tag: tag.to_owned(),
        tag_object: tag_object.to_string(),
        commit: commit.to_string(),
        tagger,
        signed_by: verdict.signer,
        signature: verdict.format,
        timeline,
        gates,
    })
}

/// What runs in each environment, and the gates still open: `rel status` without a release.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Overview {
    /// Each configured environment and its latest deployment (`None`: nothing yet).
    pub environments: Vec<(String, Option<Deployment>)>,
    /// `(tag, gate)`: the releases with a gate still open.
    pub open_gates: Vec<(String, Gate)>,
    /// Every release still in a registry, oldest publication first.
    pub published: Vec<Publication>,
}

/// What runs in each configured environment and the open gates, from the record at `tip`.
///
/// # Errors
/// When the record cannot be read.
pub fn overview(repo: &Repo, config: &Config, tip: Option<ObjectId>) -> Result<Overview, Error> {
    Ok(overview_of(config, &state_at(repo, tip)?))
}

/// [`overview`] of a record already replayed into `state`.
pub fn overview_of(config: &Config, state: &State) -> Overview {
    let environments = config
        .environments
        .keys()
        .map(|env| (env.clone(), state.running(env).cloned()))
        .collect();
    Overview {
        environments,
        open_gates: open_in(state, config),
        published: state
            .publications()
            .iter()
            .filter(|p| p.live())
            .cloned()
            .collect(),
    }
}

/// The releases the record at `tip` has decisions on whose gates are still open.
///
/// # Errors
/// When the record cannot be read.
pub fn open_gates(
    repo: &Repo,
    config: &Config,
    tip: Option<ObjectId>,
) -> Result<Vec<(String, Gate)>, Error> {
    Ok(open_in(&state_at(repo, tip)?, config))
}

fn open_in(state: &State, config: &Config) -> Vec<(String, Gate)> {
    let mut open = Vec::new();
    for (tag, object) in state.releases() {
        for env in config.environments.keys() {
            if let Some(gate) = state.gate(config, tag, object, env)
                && !gate.satisfied
            {
                open.push((tag.to_owned(), gate));
            }
        }
    }
    open
}

/// Replays the whole record at `tip` against the rules, every signature verified (keys valid
/// at each entry's time): the entries that break one. An entry that does is left out of the
/// state the later ones are judged in.
///
/// # Errors
/// When the record cannot be read or a verification tool cannot run.
pub fn audit(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    tip: ObjectId,
) -> Result<(usize, Vec<Violation>), Error> {
    let entries: Vec<Entry> = read(repo, tip)?;
    let mut state = State::default();
    let mut violations = Vec::new();
    let mut facts = std::collections::HashMap::new();
    for entry in &entries {
        let statement = match &entry.statement {
            Ok(s) => s,
            Err(reason) => {
                violations.push(Violation::new(Some(entry.id), Rule::Entry, reason.clone()));
                continue;
            }
        };
        let signer = match entry.signer(anchors, At::Tagger)? {
            Ok(signer) => signer.principal,
            Err(reason) => {
                violations.push(Violation::new(
                    Some(entry.id),
                    Rule::Signed,
                    format!("not signed by a trusted key: {reason}"),
                ));
                continue;
            }
        };
        if !facts.contains_key(&statement.tag) {
            let found = release_facts(repo, config, anchors, &statement.tag)?;
            facts.insert(statement.tag.clone(), found);
        }
        match state.validate(
            config,
            &super::Candidate {
                entry: Some(entry.id),
                statement,
                signer: &signer,
                time: entry.time,
            },
            &facts[&statement.tag],
            None,
        ) {
            Ok(()) => state.apply(entry.id, statement, entry.time),
            Err(v) => violations.push(v),
        }
    }
    Ok((entries.len(), violations))
}
