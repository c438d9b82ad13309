//! Appending to the record: a decision checked against the record as the remote has it, signed
//! with the actor's git signing setup, pushed, and re-applied on the new tip when another
//! entry landed first.

use gix::ObjectId;

use super::state::{Candidate, ReleaseFacts, Violation};
use super::{Entry, Error, Event, REF, State, Statement, read};
use crate::config::Config;
use crate::history::Repo;
use crate::signature::{Anchors, At, parse_tag_object};

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

/// The state of the record's `entries`, replayed as they are (the server validated each).
pub fn replay(entries: &[Entry]) -> State {
    let mut state = State::default();
    for entry in entries {
        if let Ok(statement) = &entry.statement {
            state.apply(entry.id, statement, entry.time);
        }
    }
    state
}

/// The facts about release tag `tag` that the rules need: the tag object it points at, and
/// who made it (the tagger's e-mail, and the principal of its signature when it verifies).
pub(crate) fn release_facts(
    repo: &Repo,
    anchors: &Anchors,
    tag: &str,
) -> Result<ReleaseFacts, Error> {
    let Ok(reference) = repo
        .gix()
        .find_reference(format!("refs/tags/{tag}").as_str())
    else {
        return Ok(ReleaseFacts::default());
    };
    let Some(id) = reference.target().try_id().map(|id| id.to_owned()) else {
        return Ok(ReleaseFacts::default());
    };
    let Ok(object) = repo.gix().find_object(id) else {
        return Ok(ReleaseFacts::default());
    };
    if object.kind != gix::object::Kind::Tag {
        return Ok(ReleaseFacts::default());
    }
    let parsed = parse_tag_object(&object.data);
    let mut taggers = Vec::new();
    if let Ok(tag_ref) = gix::objs::TagRef::from_bytes(&object.data, id.kind())
        && let Ok(Some(tagger)) = tag_ref.tagger()
    {
        taggers.push(tagger.email.to_string());
    }
    let verdict = crate::signature::verify_parsed(tag, Some(&parsed), anchors, At::Now)?;
    if let Some(signer) = verdict.signer {
        taggers.push(signer);
    }
    Ok(ReleaseFacts {
        tag_object: Some(id),
        taggers,
    })
}

/// The commit of release tag `tag`'s tag object: `(tag object, commit)`.
///
/// # Errors
/// [`Error::NoSuchRelease`] when `tag` is not an annotated tag of the repository.
pub fn release_of(repo: &Repo, tag: &str) -> Result<(ObjectId, ObjectId), Error> {
    let missing = || Error::NoSuchRelease {
        tag: tag.to_owned(),
    };
    let reference = repo
        .gix()
        .find_reference(format!("refs/tags/{tag}").as_str())
        .map_err(|_| missing())?;
    let id = reference
        .target()
        .try_id()
        .map(|id| id.to_owned())
        .ok_or_else(missing)?;
    let object = repo.gix().find_object(id).map_err(|_| missing())?;
    if object.kind != gix::object::Kind::Tag {
        return Err(missing());
    }
    let commit = object
        .peel_to_kind(gix::object::Kind::Commit)
        .map_err(|_| missing())?
        .id;
    Ok((id, commit))
}

/// Records `event` on release `tag` for `environment` as the user (their git signing setup),
/// on `remote`'s record: fetches it, checks the decision against it with `config` and
/// `anchors`, signs and pushes; when another entry landed first, does it all again on the new
/// tip (a few times).
///
/// # Errors
/// When git fails (fetching, signing, pushing) or the record cannot be read.
#[allow(clippy::too_many_arguments)]
pub fn append(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    remote: &str,
    tag: &str,
    event: Event,
    environment: &str,
    note: Option<&str>,
) -> Result<Appended, Error> {
    let git = repo.git_cli();
    let (tag_object, commit) = release_of(repo, tag)?;
    let facts = release_facts(repo, anchors, tag)?;
    let mut last = None;
    for attempt in 0..ATTEMPTS {
        let tip = fetch(repo, remote)?;
        let entries = match tip {
            Some(tip) => read(repo, tip)?,
            None => Vec::new(),
        };
        let state = replay(&entries);
        // The actor is whoever the signature says: sign first, then judge.
        let statement = |actor: String| Statement {
            event,
            tag: tag.to_owned(),
            tag_object,
            commit,
            environment: environment.to_owned(),
            actor,
            note: note.map(str::to_owned),
        };
        let probe = sign(repo, tip, &statement(String::new()))?;
        let signer = match read_one(repo, probe)?.signer(anchors, At::Now)? {
            Ok(signer) => signer.principal,
            Err(reason) => return Ok(Appended::Untrusted { reason }),
        };
        let statement = statement(signer.clone());
        let entry = sign(repo, tip, &statement)?;
        let time = read_one(repo, entry)?.time;
        let candidate = Candidate {
            entry: None,
            statement: &statement,
            signer: &signer,
            time,
        };
        if let Err(violation) = state.validate(config, &candidate, &facts, None) {
            return Ok(Appended::Refused(violation));
        }
        let refspec = format!("{entry}:{REF}");
        match git.run(&["push", "--quiet", remote, &refspec], None) {
            Ok(_) => {
                git.run(&["update-ref", REF, &entry.to_string()], None)?;
                let mut state = state;
                state.apply(entry, &statement, time);
                return Ok(Appended::Pushed {
                    entry,
                    state: Box::new(state),
                    actor: signer,
                });
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

/// Fetches `remote`'s record into [`REF`] (replacing the local one: the remote is the
/// authority); `None` when the remote has none yet.
///
/// # Errors
/// When git cannot reach the remote.
pub fn fetch(repo: &Repo, remote: &str) -> Result<Option<ObjectId>, Error> {
    let git = repo.git_cli();
    let listed = git.run(&["ls-remote", remote, REF], None)?;
    if listed.trim().is_empty() {
        return Ok(None);
    }
    git.run(
        &[
            "fetch",
            "--quiet",
            "--no-tags",
            remote,
            &format!("+{REF}:{REF}"),
        ],
        None,
    )?;
    Ok(Some(repo.resolve(REF)?))
}

/// A signed entry stating `statement` on top of `parent` (not on any ref yet).
fn sign(repo: &Repo, parent: Option<ObjectId>, statement: &Statement) -> Result<ObjectId, Error> {
    let git = repo.git_cli();
    let empty_tree = git.run(&["hash-object", "-t", "tree", "-w", "--stdin"], Some(b""))?;
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

fn read_one(repo: &Repo, id: ObjectId) -> Result<Entry, Error> {
    super::read::read_entry(repo, id)
}
