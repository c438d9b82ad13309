//! Promoting a release, rolling an environment back, attesting artifacts: the use cases of
//! `rel promote`, `rel rollback` and `rel attest`. Each entry is checked and pushed before the
//! work it announces (a `promote` before its deploy command runs), and the result after it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::write::Session;
use super::{Appended, Artifact, Draft, Error, Event, Outcome, State, append, release_of};
use crate::config::{Config, EnvironmentConfig, Rollback};
use crate::history::Repo;
use crate::signature::Anchors;

/// How long `deploy` and `smoke` may each run unless the environment says (`timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What a promotion or rollback reports as it goes, for the caller to show.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Progress {
    /// An entry was recorded (pushed).
    Recorded {
        /// The event.
        event: Event,
        /// The release.
        tag: String,
        /// The environment.
        environment: String,
        /// The entry.
        entry: gix::ObjectId,
    },
    /// The release's artifacts were pulled from a registry, by digest, and checked.
    Pulled {
        /// The registry reference, with its digest.
        reference: String,
        /// The files, each an attested artifact.
        files: Vec<PathBuf>,
    },
    /// A command starts (its output goes to this process's stdout and stderr).
    Running {
        /// `deploy` or `smoke`.
        step: &'static str,
        /// The command.
        command: String,
        /// The release it deploys or checks.
        tag: String,
    },
}

/// What [`promote`] or [`rollback`] did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Deployed {
    /// The first entry was refused (nothing ran): the rule and what would satisfy it.
    Refused(super::Violation),
    /// The actor's signature does not verify against the trust anchors (nothing ran).
    Untrusted {
        /// Why.
        reason: String,
    },
    /// The commands ran and their result is recorded.
    Ran {
        /// The release deployed.
        tag: String,
        /// Whether the deployment ended verified.
        verified: bool,
        /// How it ended.
        outcome: Outcome,
        /// The automatic rollback that followed a failure (`rollback = "auto"`): the release
        /// deployed back and whether that verified; `None` when there was none.
        rollback: Option<(String, bool)>,
        /// The state of the record at the end.
        state: Box<State>,
    },
}

/// A deployment to run: the release, where, and its files.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The repository.
    pub repo: &'a Repo,
    /// Its configuration.
    pub config: &'a Config,
    /// The trust anchors.
    pub anchors: &'a Anchors,
    /// The remote whose record is read and appended to.
    pub remote: &'a str,
    /// The environment.
    pub environment: &'a str,
}

impl<'a> Target<'a> {
    /// The environment's configuration.
    ///
    /// # Errors
    /// [`Error::NoSuchEnvironment`] when rel.toml has no `[environments.<name>]` for it.
    pub(super) fn environment(&self) -> Result<&'a EnvironmentConfig, Error> {
        self.config
            .environments
            .get(self.environment)
            .ok_or_else(|| Error::NoSuchEnvironment {
                environment: self.environment.to_owned(),
                configured: self.config.environments.keys().cloned().collect(),
            })
    }
}

/// The name, size and sha256 of the file at `path`.
///
/// # Errors
/// When it cannot be read.
pub fn artifact(path: &Path) -> Result<Artifact, crate::paths::Error> {
    let read_err = |source| crate::paths::Error::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(read_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    Ok(Artifact::new(
        name,
        size,
        crate::digest::hex(&hasher.finalize()),
    ))
}

/// The name, size and sha256 of each file at `paths`.
///
/// # Errors
/// When one cannot be read.
pub fn artifacts(paths: &[PathBuf]) -> Result<Vec<Artifact>, crate::paths::Error> {
    paths.iter().map(|path| artifact(path)).collect()
}

/// Records the artifacts at `paths` (names, sizes, sha256) for release `tag`.
///
/// # Errors
/// When a file cannot be read, or git or the record fail.
pub fn attest(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    remote: &str,
    tag: &str,
    paths: &[PathBuf],
) -> Result<Appended, Error> {
    let mut draft = Draft::new(Event::Attest, tag, "");
    draft.artifacts = artifacts(paths)?;
    // `rel publish` finds them here later.
    super::remember(repo, paths, &draft.artifacts);
    append(repo, config, anchors, remote, &draft)
}

/// Promotes release `tag` to `target.environment`: records `promote` (every rule of the
/// record checked first, on the client and again by the server), runs the environment's
/// `deploy` then `smoke` commands, records `verified` or `failed`; after a failure with
/// `rollback = "auto"`, deploys the release verified there before back and records that.
///
/// # Errors
/// When a file cannot be read, a command cannot start, or git or the record fail.
pub fn promote(
    target: Target<'_>,
    tag: &str,
    artifacts: &[PathBuf],
    progress: &mut dyn FnMut(Progress),
) -> Result<Deployed, Error> {
    target.environment()?;
    let mut draft = Draft::new(Event::Promote, tag, target.environment);
    draft.artifacts = self::artifacts(artifacts)?;
    deploy(target, draft, artifacts, progress, &mut Session::default())
}

/// Rolls `target.environment` back to `to` (default: the release verified there before the
/// one running now), for `reason`: records `rollback`, runs `deploy` and `smoke`, records the
/// result.
///
/// # Errors
/// As [`promote`]; [`Error::NothingToRollBackTo`] when no other release was verified there.
pub fn rollback(
    target: Target<'_>,
    to: Option<&str>,
    reason: &str,
    artifacts: &[PathBuf],
    progress: &mut dyn FnMut(Progress),
) -> Result<Deployed, Error> {
    target.environment()?;
    let mut session = Session::default();
    let tag = match to {
        Some(tag) => tag.to_owned(),
        None => {
            // The record as fetched here is the one the rollback entry is appended to.
            let state = session.fetch(target.repo, target.remote)?;
            state
                .rollback_target(target.environment)
                .map(|d| d.tag.clone())
                .ok_or_else(|| Error::NothingToRollBackTo {
                    environment: target.environment.to_owned(),
                })?
        }
    };
    let mut draft = Draft::new(Event::Rollback, &tag, target.environment);
    draft.note = Some(reason.to_owned());
    draft.artifacts = self::artifacts(artifacts)?;
    deploy(target, draft, artifacts, progress, &mut session)
}

/// Records `draft` (a `promote` or `rollback`), runs the commands, records the result, and
/// rolls back automatically when that is configured and it failed.
fn deploy(
    target: Target<'_>,
    draft: Draft,
    paths: &[PathBuf],
    progress: &mut dyn FnMut(Progress),
    session: &mut Session,
) -> Result<Deployed, Error> {
    let Target {
        repo,
        config,
        anchors,
        remote,
        environment,
    } = target;
    let env = target.environment()?;
    let state = match session.append(repo, config, anchors, remote, &draft)? {
        Appended::Pushed { entry, state, .. } => {
            progress(Progress::Recorded {
                event: draft.event,
                tag: draft.tag.clone(),
                environment: environment.to_owned(),
                entry,
            });
            state
        }
        Appended::Refused(v) => return Ok(Deployed::Refused(v)),
        Appended::Untrusted { reason } => return Ok(Deployed::Untrusted { reason }),
    };
    let deployments = state.deployments(environment);
    let previous = deployments
        .len()
        .checked_sub(2)
        .and_then(|i| deployments.get(i))
        .map(|d| d.tag.clone())
        .unwrap_or_default();
    let outcome = run_steps(repo, config, env, &draft, paths, &previous, progress)?;
    let verified = outcome.exit_code == Some(0) && !outcome.timed_out;
    let mut result = Draft::new(
        if verified {
            Event::Verified
        } else {
            Event::Failed
        },
        &draft.tag,
        environment,
    );
    result.outcome = Some(outcome.clone());
    let mut state = record(target, &result, progress, session)?;
    let mut rolled_back = None;
    if !verified
        && draft.event == Event::Promote
        && env.rollback == Rollback::Auto
        && let Some(back) = state.rollback_target(environment).map(|d| d.tag.clone())
    {
        let mut draft = Draft::new(Event::Rollback, &back, environment);
        draft.note = Some(format!(
            "automatic: {} failed its {} in {environment}",
            result.tag, outcome.step
        ));
        if let Deployed::Ran {
            verified,
            state: after,
            ..
        } = deploy(target, draft, &[], progress, session)?
        {
            rolled_back = Some((back, verified));
            state = after;
        }
    }
    Ok(Deployed::Ran {
        tag: draft.tag.clone(),
        verified,
        outcome,
        rollback: rolled_back,
        state,
    })
}

/// Appends a result entry, which its actor may always record: an error when it is refused.
fn record(
    target: Target<'_>,
    draft: &Draft,
    progress: &mut dyn FnMut(Progress),
    session: &mut Session,
) -> Result<Box<State>, Error> {
    let Target {
        repo,
        config,
        anchors,
        remote,
        ..
    } = target;
    match session.append(repo, config, anchors, remote, draft)? {
        Appended::Pushed { entry, state, .. } => {
            progress(Progress::Recorded {
                event: draft.event,
                tag: draft.tag.clone(),
                environment: draft.environment.clone(),
                entry,
            });
            Ok(state)
        }
        Appended::Refused(v) => Err(Error::ResultRefused(v)),
        Appended::Untrusted { reason } => Err(Error::ResultRefused(super::Violation::new(
            None,
            super::Rule::Signed,
            reason,
        ))),
    }
}

/// Runs `deploy` then (when it succeeded) `smoke` for `draft`'s release.
fn run_steps(
    repo: &Repo,
    config: &Config,
    env: &EnvironmentConfig,
    draft: &Draft,
    paths: &[PathBuf],
    previous: &str,
    progress: &mut dyn FnMut(Progress),
) -> Result<Outcome, Error> {
    let (_, commit) = release_of(repo, &draft.tag)?;
    let version = crate::version::parse_tag(&draft.tag, &config.version.tag_prefix)
        .map(|v| v.to_string())
        .unwrap_or_default();
    let dir = repo.root().dir().to_owned();
    let listed: Vec<String> = paths
        .iter()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let vars = [
        ("REL_TAG", draft.tag.clone()),
        ("REL_VERSION", version),
        ("REL_COMMIT", commit.to_string()),
        ("REL_ENV", draft.environment.clone()),
        ("REL_ARTIFACTS", listed.join("\n")),
        ("REL_PREVIOUS", previous.to_owned()),
        ("REL_EVENT", draft.event.as_str().to_owned()),
    ];
    let timeout = env
        .timeout
        .map_or(DEFAULT_TIMEOUT, |d| Duration::from_secs(d.seconds()));
    let started = Instant::now();
    let mut outcome = Outcome {
        step: "deploy".into(),
        exit_code: Some(0),
        timed_out: false,
        duration_ms: 0,
    };
    for (step, command) in [("deploy", &env.deploy), ("smoke", &env.smoke)] {
        let Some(command) = command else { continue };
        progress(Progress::Running {
            step,
            command: command.clone(),
            tag: draft.tag.clone(),
        });
        let (exit_code, timed_out) = crate::process::run_shell(command, &dir, &vars, timeout)
            .map_err(|source| Error::Command {
                command: command.clone(),
                source,
            })?;
        outcome.step = step.into();
        outcome.exit_code = exit_code;
        outcome.timed_out = timed_out;
        if exit_code != Some(0) {
            break;
        }
    }
    outcome.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(outcome)
}
