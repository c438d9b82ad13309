//! The state of the record, kept between runs in `$GIT_DIR/rel/record-state.json` beside the
//! tip it is the state of, so that a run reads only the entries that landed since: a record of
//! 10,000 entries takes longer to read than the 50 ms a server hook or `rel status` may spend
//! (git itself needs ~120 ms to print their messages), and it only ever grows.
//!
//! The file is a cache, never an authority: it is used only when its tip is the record's tip or
//! an entry before it; otherwise (missing, unreadable, another format, a record rewritten
//! locally) the whole record is read again. It is written atomically, and a failure to write it
//! is not an error. What it holds is what [`replay`](super::replay) computes: on a server, from
//! entries its hook validated; `rel audit` never uses it.

use std::collections::BTreeMap;
use std::path::Path;

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::state::Release;
use super::{Attested, Decision, Deployment, Error, Publication, State, read_since};
use crate::history::Repo;

/// Where the state is kept, under the repository's (common) git directory.
const FILE: &str = "rel/record-state.json";
/// The file's format: another one is read as no file.
const FORMAT: u32 = 5;
/// How many entries past the kept tip make the state worth writing again.
const RESAVE: usize = 32;

#[derive(Serialize, Deserialize)]
struct Kept {
    format: u32,
    tip: String,
    last_time: Option<i64>,
    releases: Vec<KeptRelease>,
    environments: BTreeMap<String, Vec<Deployment>>,
    published: Vec<Publication>,
    incidents: Vec<super::Incident>,
}

#[derive(Serialize, Deserialize)]
struct KeptRelease {
    tag: String,
    object: String,
    entries: Vec<String>,
    decisions: BTreeMap<String, Vec<Decision>>,
    attested: Option<Attested>,
    #[serde(default)]
    review: Option<super::Review>,
    #[serde(default)]
    waivers: Vec<super::Waiver>,
    #[serde(default)]
    announced: Vec<super::Announced>,
}

/// The state of the record at `tip` (`None`: no record yet): the kept state, brought up to
/// `tip` with the entries since, or the whole record replayed; kept again for the next run.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # std::process::Command::new("git").args(["init", "-q"]).arg(dir.path()).status()?;
/// let repo = relcore::Repo::discover(dir.path())?;
/// let state = relcore::record::state_at(&repo, None)?;
/// assert_eq!(state.releases().count(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// When an entry cannot be read or has more than one parent.
pub fn state_at(repo: &Repo, tip: Option<ObjectId>) -> Result<State, Error> {
    let Some(tip) = tip else {
        return Ok(State::default());
    };
    let path = repo.private_dir().join(FILE);
    let kept = load(&path);
    if let Some((kept_tip, state)) = &kept
        && *kept_tip == tip
    {
        return Ok(state.clone());
    }
    let since = kept.as_ref().map(|(kept_tip, _)| *kept_tip);
    let entries = read_since(repo, tip, since)?;
    // `since` was met when the oldest entry read follows it; else the record was rewritten
    // and `entries` is all of it.
    let mut state = match kept {
        Some((kept_tip, state)) if entries.first().and_then(|e| e.parent) == Some(kept_tip) => {
            state
        }
        _ => State::default(),
    };
    state.replay(&entries);
    // Writing the state costs about what reading a few dozen entries does: keep it again
    // only once that many have landed since (or when there was none).
    if since.is_none() || entries.len() >= RESAVE {
        save(&path, tip, &state);
    }
    Ok(state)
}

/// The kept state and its tip, if there is a readable one of this format.
fn load(path: &Path) -> Option<(ObjectId, State)> {
    let bytes = std::fs::read(path).ok()?;
    let kept: Kept = serde_json::from_slice(&bytes).ok()?;
    if kept.format != FORMAT {
        return None;
    }
    let id = |hex: &str| ObjectId::from_hex(hex.as_bytes()).ok();
    let mut state = State {
        last_time: kept.last_time,
        environments: kept.environments,
        published: kept.published,
        incidents: kept.incidents,
        ..State::default()
    };
    for release in kept.releases {
        let entries = release
            .entries
            .iter()
            .map(|e| id(e))
            .collect::<Option<_>>()?;
        state.releases.insert(
            (release.tag, id(&release.object)?),
            Release {
                entries,
                decisions: release.decisions,
                attested: release.attested,
                review: release.review,
                waivers: release.waivers,
                announced: release.announced,
            },
        );
    }
    Some((id(&kept.tip)?, state))
}

/// Keeps `state` as the state at `tip`; a cache, so a failure is only a slower next run.
fn save(path: &Path, tip: ObjectId, state: &State) {
    let kept = Kept {
        format: FORMAT,
        tip: tip.to_string(),
        last_time: state.last_time,
        releases: state
            .releases
            .iter()
            .map(|((tag, object), release)| KeptRelease {
                tag: tag.clone(),
                object: object.to_string(),
                entries: release.entries.iter().map(ToString::to_string).collect(),
                decisions: release.decisions.clone(),
                attested: release.attested.clone(),
                review: release.review.clone(),
                waivers: release.waivers.clone(),
                announced: release.announced.clone(),
            })
            .collect(),
        environments: state.environments.clone(),
        published: state.published.clone(),
        incidents: state.incidents.clone(),
    };
    store(path, &kept);
}

/// Writes `value` as JSON to `path` (its directory made first), atomically; a cache, so a
/// failure is ignored.
pub(super) fn store(path: &Path, value: &impl Serialize) {
    let Ok(json) = serde_json::to_vec(value) else {
        return;
    };
    if path
        .parent()
        .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
    {
        let _ = crate::paths::write(path, &json);
    }
}
