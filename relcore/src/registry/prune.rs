//! `rel prune`: the retention policy applied to the registry. Every live publication in the
//! configured repository is kept for each rule of `[registry.retention]` that keeps it
//! (newest N, verified in a kept environment, recent) and deleted by digest otherwise; each
//! deletion is recorded (`prune`), and the server refuses a `prune` of what the policy keeps.

use serde::Serialize;

use super::{Error, Registry};
use crate::config::Config;
use crate::history::Repo;
use crate::record::write::Session;
use crate::record::{Appended, Draft, Event, Keep, Publication, State, Violation};
use crate::signature::Anchors;

/// One live publication and what the retention policy does with it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Planned {
    /// The publication.
    pub publication: Publication,
    /// Why it is kept; empty: it is deleted.
    pub keep: Vec<Keep>,
}

impl Planned {
    /// Whether the policy deletes it.
    pub fn deletes(&self) -> bool {
        self.keep.is_empty()
    }
}

/// What [`prune`] did.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Pruning {
    /// The repository.
    pub repository: String,
    /// Every live publication there, newest version first, with what the policy does.
    pub planned: Vec<Planned>,
    /// Whether nothing was deleted on purpose (`--dry-run`).
    pub dry_run: bool,
    /// The deletions made and recorded: the publication's entry and the `prune` entry.
    pub deleted: Vec<(String, String)>,
    /// A `prune` entry the record refused (pruning stopped there; when `deleted_unrecorded`,
    /// the registry had already deleted it).
    pub refused: Option<Violation>,
    /// Whether the refused deletion was made in the registry before the record refused it.
    pub deleted_unrecorded: bool,
    /// Publications left alone: their release tag was deleted or re-tagged since, so no entry
    /// can name it (the publication's entry, and why).
    pub skipped: Vec<(String, String)>,
    /// The error that stopped pruning part way (the deletions before it are done and recorded).
    pub stopped: Option<String>,
}

/// What `config`'s retention policy does with each live publication in `repository`, newest
/// version first, at `now` (seconds since the epoch).
pub fn plan(state: &State, config: &Config, repository: &str, now: i64) -> Vec<Planned> {
    state
        .live_in(repository)
        .into_iter()
        .map(|p| Planned {
            publication: p.clone(),
            keep: state.kept_because(config, p, now),
        })
        .collect()
}

/// Applies `config`'s retention policy to its registry: deletes each publication no rule keeps
/// (by digest) and records it on `remote`'s record; with `dry_run`, only plans.
///
/// # Errors
/// [`Error::NotConfigured`]; [`Error::NoRetention`] when `[registry.retention]` has no rule
/// (every version would go); the registry or the record failing.
pub fn prune(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    remote: &str,
    dry_run: bool,
) -> Result<Pruning, Error> {
    let registry = Registry::open(&config.registry)?;
    let retention = &config.registry.retention;
    if retention.keep_last == 0
        && retention.keep_days == 0
        && retention.keep_environments.is_empty()
    {
        return Err(Error::NoRetention);
    }
    let repository = registry.repository();
    let mut session = Session::default();
    let state = session.fetch(repo, remote)?.clone();
    let now = now(repo);
    let mut pruning = Pruning {
        repository: repository.clone(),
        planned: plan(&state, config, &repository, now),
        dry_run,
        deleted: Vec::new(),
        refused: None,
        deleted_unrecorded: false,
        skipped: Vec::new(),
        stopped: None,
    };
    if dry_run {
        return Ok(pruning);
    }
    let doomed: Vec<Publication> = pruning
        .planned
        .iter()
        .filter(|p| p.deletes())
        .map(|p| p.publication.clone())
        .collect();
    for publication in doomed {
        let current = crate::record::release_of(repo, &publication.tag)
            .ok()
            .map(|(object, _)| object.to_string());
        if current.as_deref() != Some(publication.tag_object.as_str()) {
            pruning.skipped.push((
                publication.entry.clone(),
                format!(
                    "{} was {} since it was published: delete {} by hand",
                    publication.tag,
                    if current.is_some() {
                        "re-tagged"
                    } else {
                        "deleted"
                    },
                    publication.location.reference()
                ),
            ));
            continue;
        }
        if let Err(e) = prune_one(
            repo,
            config,
            anchors,
            remote,
            &registry,
            &mut session,
            &publication,
            &mut pruning,
        ) {
            if pruning.deleted.is_empty() {
                return Err(e);
            }
            pruning.stopped = Some(e.to_string());
        }
        if pruning.refused.is_some() || pruning.stopped.is_some() {
            break;
        }
    }
    Ok(pruning)
}

/// Deletes one publication and records it; a refusal goes into `pruning`.
#[allow(clippy::too_many_arguments)]
fn prune_one(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    remote: &str,
    registry: &Registry,
    session: &mut Session,
    publication: &Publication,
    pruning: &mut Pruning,
) -> Result<(), Error> {
    {
        let mut draft = Draft::new(Event::Prune, &publication.tag, "");
        draft.registry = Some(publication.location.clone());
        draft.note = Some("no [registry.retention] rule keeps it".into());
        match session.judge(repo, config, anchors, remote, &draft)? {
            None => {}
            Some(Appended::Refused(v)) => {
                pruning.refused = Some(v);
                return Ok(());
            }
            Some(Appended::Untrusted { reason }) => {
                pruning.refused = Some(Violation::new(None, crate::record::Rule::Signed, reason));
                return Ok(());
            }
            Some(Appended::Pushed { .. }) => unreachable!("judging pushes nothing"),
        }
        // Gone already (deleted by hand): the record still learns it is gone.
        registry.delete(&publication.location.digest)?;
        match session.append(repo, config, anchors, remote, &draft)? {
            Appended::Pushed { entry, .. } => {
                pruning
                    .deleted
                    .push((publication.entry.clone(), entry.to_string()));
            }
            Appended::Refused(v) => {
                pruning.refused = Some(v);
                pruning.deleted_unrecorded = true;
            }
            Appended::Untrusted { reason } => {
                pruning.refused = Some(Violation::new(None, crate::record::Rule::Signed, reason));
                pruning.deleted_unrecorded = true;
            }
        }
    }
    Ok(())
}

/// The time an entry made now would have: git's committer time (which honours
/// `GIT_COMMITTER_DATE`), else the clock.
fn now(repo: &Repo) -> i64 {
    repo.git_cli()
        .run(&["var", "GIT_COMMITTER_IDENT"], None)
        .ok()
        .and_then(|ident| {
            let mut fields = ident.trim().rsplitn(3, ' ');
            let _zone = fields.next()?;
            fields.next()?.parse().ok()
        })
        .unwrap_or_else(crate::record::now)
}
