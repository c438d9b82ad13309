//! Appending to the record: a decision checked against the record as the remote has it, signed
//! with the actor's git signing setup, pushed, and re-applied on the new tip when another
//! entry landed first.

use gix::ObjectId;

use super::read::read_entry;
use super::state::{Candidate, Violation};
use super::{
    Artifact, Error, Event, Location, Outcome, REF, State, Statement, release_facts, release_of,
    state_at,
};
use crate::config::Config;
use crate::history::Repo;
use crate::signature::{Anchors, At};

/// How many times a decision is re-applied on a record that moved meanwhile.
const ATTEMPTS: usize = 8;

/// What [`append`] did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Appended {
    /// The entry is on the remote's record.
    Pushed {
        /// The new entry.
        entry: ObjectId,
        /// The state of the record with it.
        state: Box<State>,
        /// Who signed it.
        actor: String,
    },
    /// The decision breaks a rule of the record: nothing was pushed.
    Refused(Violation),
    /// The entry does not verify against the trust anchors: nothing was pushed.
    Untrusted {
        /// Why.
        reason: String,
    },
}

/// A statement to append, before its actor is known: the signature tells who that is.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Draft {
    /// The event.
    pub event: Event,
    /// The release tag.
    pub tag: String,
    /// The environment (empty for `attest`).
    pub environment: String,
    /// A note (a rollback's reason).
    pub note: Option<String>,
    /// The artifacts (`attest`; `promote` and `rollback`: those deployed).
    pub artifacts: Vec<Artifact>,
    /// How a deployment ended (`verified`, `failed`).
    pub outcome: Option<Outcome>,
    /// Where in a registry (`publish`, `prune`).
    pub registry: Option<Location>,
    /// The checklist item (`waive`).
    pub item: Option<String>,
    /// The review (`ready`).
    pub readiness: Option<super::Readiness>,
    /// What was announced (`announce`).
    pub announcement: Option<super::Announcement>,
    /// The deployment an incident came from (`incident`): its `promote` entry.
    pub deployment: Option<ObjectId>,
    /// The incident resolved (`resolve`): its `incident` entry.
    pub incident: Option<ObjectId>,
}

impl Draft {
    /// `event` on release `tag` in `environment`, nothing else said.
    pub fn new(event: Event, tag: impl Into<String>, environment: impl Into<String>) -> Self {
        Draft {
            event,
            tag: tag.into(),
            environment: environment.into(),
            note: None,
            artifacts: Vec::new(),
            outcome: None,
            registry: None,
            item: None,
            readiness: None,
            announcement: None,
            deployment: None,
            incident: None,
        }
    }
}

/// A release and the record its entries go to: what the use cases that append about one
/// release (a readiness review, an announcement) work on.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The repository.
    pub repo: &'a Repo,
    /// Its configuration.
    pub config: &'a Config,
    /// The trust anchors.
    pub anchors: &'a Anchors,
    /// The remote whose record is read and appended to (empty: the local record).
    pub remote: &'a str,
    /// The release tag.
    pub tag: &'a str,
}

/// Records `draft` as the user (their git signing setup) on `remote`'s record: fetches it,
/// checks the entry against it with `config` and `anchors`, signs and pushes; when another
/// entry landed first, does it all again on the new tip (a few times).
///
/// # Errors
/// When git fails (fetching, signing, pushing) or the record cannot be read.
pub fn append(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    remote: &str,
    draft: &Draft,
) -> Result<Appended, Error> {
    Session::default().append(repo, config, anchors, remote, draft)
}

/// Appends made one after the other by the same actor (a promotion's `promote`, then its
/// result): after the first, the record's tip and state and the actor are known, so the next
/// one neither fetches nor signs a probe first (a push that is not a fast-forward still
/// fetches and tries again).
#[derive(Debug, Default)]
pub(crate) struct Session {
    known: Option<(Option<ObjectId>, Box<State>)>,
    signer: Option<String>,
}

impl Session {
    /// Fetches `remote`'s record: its state, which the next [`Session::append`] starts from.
    pub(crate) fn fetch(&mut self, repo: &Repo, remote: &str) -> Result<&State, Error> {
        let tip = fetch(repo, remote)?;
        let state = Box::new(state_at(repo, tip)?);
        Ok(&self.known.insert((tip, state)).1)
    }

    /// [`append`], knowing what the appends before it learned.
    pub(crate) fn append(
        &mut self,
        repo: &Repo,
        config: &Config,
        anchors: &Anchors,
        remote: &str,
        draft: &Draft,
    ) -> Result<Appended, Error> {
        let appended = self.sign_and_push(repo, config, anchors, remote, draft, true)?;
        Ok(appended.expect("an append that pushes says what it did"))
    }

    /// Whether `draft` would be appended now (`None`) or why not, without pushing it: for
    /// work that must not start unless its entry can be recorded (a registry push). The
    /// record as fetched, and the signer, are kept for the [`Session::append`] that follows.
    pub(crate) fn judge(
        &mut self,
        repo: &Repo,
        config: &Config,
        anchors: &Anchors,
        remote: &str,
        draft: &Draft,
    ) -> Result<Option<Appended>, Error> {
        self.sign_and_push(repo, config, anchors, remote, draft, false)
    }

    /// Signs `draft` on the record's tip, judges it, and (with `push`) pushes it: `None` when
    /// it was judged and not pushed.
    fn sign_and_push(
        &mut self,
        repo: &Repo,
        config: &Config,
        anchors: &Anchors,
        remote: &str,
        draft: &Draft,
        push: bool,
    ) -> Result<Option<Appended>, Error> {
        let git = repo.git_cli();
        let tag = draft.tag.as_str();
        let release = release_of(repo, tag)?;
        let facts = release_facts(repo, config, anchors, tag)?;
        let mut last = None;
        for attempt in 0..ATTEMPTS {
            let (tip, state) = match self.known.take() {
                Some(known) => known,
                None => {
                    let tip = fetch(repo, remote)?;
                    (tip, Box::new(state_at(repo, tip)?))
                }
            };
            // The actor is whoever the signature says: sign first, then judge.
            let statement = |actor: String| {
                let mut s =
                    Statement::new(draft.event, tag, release, draft.environment.clone(), actor);
                s.note.clone_from(&draft.note);
                s.artifacts.clone_from(&draft.artifacts);
                s.outcome.clone_from(&draft.outcome);
                s.registry.clone_from(&draft.registry);
                s.item.clone_from(&draft.item);
                s.readiness.clone_from(&draft.readiness);
                s.announcement.clone_from(&draft.announcement);
                s.deployment = draft.deployment;
                s.incident = draft.incident;
                s
            };
            let signer = match &self.signer {
                Some(signer) => signer.clone(),
                None => {
                    let probe = sign(repo, tip, &statement(String::new()))?;
                    match read_entry(repo, probe)?.signer(anchors, At::Now)? {
                        Ok(signer) => signer.principal,
                        Err(reason) => return Ok(Some(Appended::Untrusted { reason })),
                    }
                }
            };
            let statement = statement(signer.clone());
            let entry = sign(repo, tip, &statement)?;
            let time = read_entry(repo, entry)?.time;
            let candidate = Candidate {
                entry: None,
                statement: &statement,
                signer: &signer,
                time,
            };
            if let Err(violation) = state.validate(config, &candidate, &facts, None) {
                return Ok(Some(Appended::Refused(violation)));
            }
            if !push {
                self.known = Some((tip, state));
                self.signer = Some(signer);
                return Ok(None);
            }
            let refspec = format!("{entry}:{REF}");
            // No remote: the local record is the record (tests, a review kept locally).
            let pushed = if remote.is_empty() {
                let old = tip.map_or_else(|| "0".repeat(40), |t| t.to_string());
                git.run(&["update-ref", REF, &entry.to_string(), &old], None)
                    .map_err(|e| match e {
                        crate::git::Error::Failed { args, stderr } => crate::git::Error::Failed {
                            args,
                            stderr: format!("cannot lock ref: {stderr}"),
                        },
                        other => other,
                    })
            } else {
                git.run(&["push", "--quiet", remote, &refspec], None)
            };
            match pushed {
                Ok(_) => {
                    git.run(&["update-ref", REF, &entry.to_string()], None)?;
                    let mut state = state;
                    state.apply(entry, &statement, time);
                    self.known = Some((Some(entry), state.clone()));
                    self.signer = Some(signer.clone());
                    return Ok(Some(Appended::Pushed {
                        entry,
                        state,
                        actor: signer,
                    }));
                }
                // Another entry landed first: git's own fast-forward check, or the server's ref
                // update losing the race after its hook ran. Wait a little (apart from the other
                // writer) and do it all again on the new tip.
                Err(crate::git::Error::Failed { stderr, .. })
                    if [
                        "fetch first",
                        "non-fast-forward",
                        "cannot lock ref",
                        "failed to update ref",
                    ]
                    .iter()
                    .any(|s| stderr.contains(s)) =>
                {
                    last = Some(stderr);
                    let spread = u64::from(std::process::id() % 97) + 10 * attempt as u64;
                    std::thread::sleep(std::time::Duration::from_millis(spread));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Git(crate::git::Error::Failed {
            args: format!("push {remote} {REF}"),
            stderr: last.unwrap_or_default(),
        }))
    }
}

/// Fetches `remote`'s record into [`REF`] (replacing the local one: the remote is the
/// authority); `None` when the remote has none yet. An empty `remote` is the local record as
/// it is (nothing fetched; appends then update the local ref only).
///
/// # Errors
/// When git cannot reach the remote.
pub fn fetch(repo: &Repo, remote: &str) -> Result<Option<ObjectId>, Error> {
    if remote.is_empty() {
        return Ok(repo.resolve(REF).ok());
    }
    let git = repo.git_cli();
    let fetched = git.run(
        &[
            "fetch",
            "--quiet",
            "--no-tags",
            remote,
            &format!("+{REF}:{REF}"),
        ],
        None,
    );
    match fetched {
        Ok(_) => Ok(Some(repo.resolve(REF)?)),
        // The remote has no record yet.
        Err(crate::git::Error::Failed { stderr, .. })
            if stderr.contains("couldn't find remote ref") =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// A signed entry stating `statement` on top of `parent` (not on any ref yet).
fn sign(repo: &Repo, parent: Option<ObjectId>, statement: &Statement) -> Result<ObjectId, Error> {
    let git = repo.git_cli();
    // git knows the empty tree without it being written.
    let empty_tree = ObjectId::empty_tree(repo.gix().object_hash()).to_string();
    let message = statement.message();
    let mut args = vec!["commit-tree".to_owned(), "-S".to_owned()];
    if let Some(parent) = parent {
        args.extend(["-p".to_owned(), parent.to_string()]);
    }
    args.push(empty_tree);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let id = git.run(&args, Some(message.as_bytes()))?;
    ObjectId::from_hex(id.trim().as_bytes()).map_err(|_| {
        Error::Git(crate::git::Error::Failed {
            args: "commit-tree".into(),
            stderr: format!("printed `{id}`, not an object id"),
        })
    })
}
