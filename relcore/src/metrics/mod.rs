//! DORA metrics and the seeds' coverage figures, from the release record and the history
//! alone (SPEC 10): what `rel metrics` prints, and what [`html`] draws.
//!
//! For one environment and a [`Window`]:
//! - a **deployment** is a `promote` there whose deploy command succeeded (it ended `verified`,
//!   or `failed` in its smoke step), dated by its `promote` entry; a rollback is not one, nor is
//!   a promotion without a result yet;
//! - a deployment **failed** when a `failed` (smoke) result, a `rollback` away from it (the next
//!   deployment there is a rollback), or an `incident` linked to it follows; each counts once;
//! - the **lead time** of a commit runs from its committer time to the `verified` entry of the
//!   first deployment that carried it to the environment and verified (git decides what a
//!   release carries: `git rev-list`); median and p90 by nearest rank;
//! - the **time to restore** of a failed deployment runs from its first failure signal (the
//!   `failed` entry, the rollback, or the incident's opening) to the next `verified` entry in
//!   the environment (smoke failure, rollback) or the incident's resolution (incident);
//!   median by nearest rank over the failures restored;
//! - coverage (each with its counts, and the seeds' target): release tags (`<prefix><digit>...`
//!   dated in the window) that are semver and signed by a trusted key; semver releases whose
//!   changelog at the tag has their section; promotions whose gate (the environment's
//!   `approvals`) was satisfied when they were made; releases deployed that were announced.
//!
//! The record is read as the server validated it (like `rel status`); tag signatures are
//! verified against the trust anchors.

pub mod html;

use std::collections::{BTreeMap, BTreeSet};

use gix::ObjectId;
use serde::Serialize;

use crate::config::Config;
use crate::history::Repo;
use crate::record::{self, Deployment, Event, State};
use crate::signature::{Anchors, At};

/// Seconds in a day and in a week.
const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;

/// Why the metrics could not be computed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The record could not be read.
    #[error(transparent)]
    Record(#[from] record::Error),
    /// The history could not be read.
    #[error(transparent)]
    History(#[from] crate::history::Error),
    /// A tag signature could not be checked.
    #[error(transparent)]
    Signature(#[from] crate::signature::Error),
    /// A window that ends before it starts (or where it starts).
    #[error("the window ends ({to}) before it starts ({from})")]
    EmptyWindow {
        /// Its start.
        from: String,
        /// Its end.
        to: String,
    },
}

/// The span of time measured: `from` (inclusive) to `to` (exclusive), seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Its start.
    pub from: i64,
    /// Its end.
    pub to: i64,
}

impl Window {
    /// The `seconds` before `now`.
    pub fn since(seconds: u64, now: i64) -> Self {
        Window {
            from: now.saturating_sub(i64::try_from(seconds).unwrap_or(i64::MAX)),
            to: now,
        }
    }

    /// Whether `time` falls in it.
    pub fn contains(self, time: i64) -> bool {
        self.from <= time && time < self.to
    }

    fn days(self) -> f64 {
        (self.to - self.from) as f64 / DAY as f64
    }
}

/// `time` (seconds since the epoch) as `YYYY-MM-DDTHH:MM:SS+00:00`.
pub fn timestamp(time: i64) -> String {
    gix::date::Time::new(time, 0).format_or_unix(gix::date::time::format::ISO8601_STRICT)
}

/// A date as `rel metrics --from/--to` take it: `YYYY-MM-DD` (midnight UTC; as an end, the day
/// is included), `YYYY-MM-DD HH:MM:SS +ZZZZ`, `YYYY-MM-DDTHH:MM:SS+ZZ:ZZ` or `@SECONDS`.
pub fn parse_date(text: &str, end: bool) -> Option<i64> {
    let time = gix::date::parse(text.trim(), None).ok()?;
    let date_only = text.trim().len() == 10 && text.trim().as_bytes()[4] == b'-';
    Some(if date_only && end {
        time.seconds + DAY
    } else {
        time.seconds
    })
}

/// The metrics of one environment over one window.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Metrics {
    /// The environment.
    pub environment: String,
    /// The window's start, `YYYY-MM-DDTHH:MM:SS+00:00`.
    pub from: String,
    /// The window's end (exclusive).
    pub to: String,
    /// The window, in seconds.
    #[serde(skip)]
    pub window: Window,
    /// Deployment frequency.
    pub deployments: Frequency,
    /// Lead time for changes.
    pub lead_time_seconds: LeadTime,
    /// Change failure rate.
    pub change_failure_rate: FailureRate,
    /// Time to restore service.
    pub time_to_restore_seconds: Restore,
    /// The seeds' coverage figures.
    pub coverage: Coverage,
}

/// Deployment frequency, and every deployment counted.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Frequency {
    /// Deployments in the window.
    pub count: usize,
    /// Per day of the window.
    pub per_day: f64,
    /// Per week of the window.
    pub per_week: f64,
    /// The DORA band: `elite` (daily or more), `high` (weekly or more), `medium` (monthly or
    /// more), `low`.
    pub band: &'static str,
    /// Each deployment, oldest first.
    pub list: Vec<Deployed>,
}

/// One deployment counted by the metrics.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Deployed {
    /// The release.
    pub tag: String,
    /// Its `promote` entry.
    pub entry: String,
    /// Who promoted it.
    pub actor: String,
    /// When (the `promote` entry).
    pub time: i64,
    /// When it verified (`None`: its smoke test failed).
    pub verified: Option<i64>,
    /// The commits it carried to the environment first (lead times counted).
    pub commits: usize,
    /// The distinct approvers whose approvals satisfied its gate when it was promoted (0 when
    /// it was not satisfied, or the environment takes no approvals).
    pub approvers: usize,
    /// Whether the release was announced.
    pub announced: bool,
    /// Its failure, if it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// Why and when a deployment failed, and when service came back.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Failure {
    /// What said so first: `smoke`, `rollback` or `incident`.
    pub cause: &'static str,
    /// When (that entry's time).
    pub at: i64,
    /// When service was restored (`None`: not yet).
    pub restored: Option<i64>,
    /// The incident, when the cause is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// What happened, as the incident's opener says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Lead time for changes.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct LeadTime {
    /// Median (nearest rank), seconds; `None` without commits.
    pub median: Option<i64>,
    /// 90th percentile (nearest rank), seconds.
    pub p90: Option<i64>,
    /// The commits measured.
    pub commits: usize,
    /// The DORA band of the median: `elite` (< 1 hour), `high` (< 1 week), `medium`
    /// (< 6 months), `low`; `None` without commits.
    pub band: Option<&'static str>,
    /// How many commits fall in each bucket: `le` is the bucket's upper bound in seconds
    /// (`None`: the last, unbounded one).
    pub histogram: Vec<Bucket>,
}

/// A histogram bucket.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Bucket {
    /// Its label, e.g. `< 1 day`.
    pub label: &'static str,
    /// Its upper bound (exclusive), seconds; `None`: unbounded.
    pub le: Option<i64>,
    /// How many values fall in it.
    pub count: usize,
}

/// Change failure rate.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct FailureRate {
    /// Failed deployments.
    pub failed: usize,
    /// All deployments.
    pub deployments: usize,
    /// `failed / deployments`; `None` without deployments.
    pub rate: Option<f64>,
    /// Failed deployments by their first cause: `smoke`, `rollback`, `incident`.
    pub causes: BTreeMap<&'static str, usize>,
}

/// Time to restore service.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Restore {
    /// Median (nearest rank), seconds; `None` when no failure was restored.
    pub median: Option<i64>,
    /// The failures restored (measured).
    pub failures: usize,
    /// The failures not restored yet.
    pub unrestored: usize,
    /// The DORA band of the median: `elite` (< 1 hour), `high` (< 1 day), `medium`
    /// (< 1 week), `low`.
    pub band: Option<&'static str>,
}

/// The seeds' coverage figures.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Coverage {
    /// Release tags dated in the window that are semver and signed by a trusted key.
    pub semver_signed: Share,
    /// Semver releases dated in the window whose changelog, at the tag, has their section.
    pub changelog: Share,
    /// Promotions (deployed or not) whose gate was satisfied when they were made, of all
    /// promotions to an environment that takes approvals (`approvals` in rel.toml, e.g. two
    /// distinct approvers for production); none when it takes none.
    pub approvals: Share,
    /// Releases deployed in the window that were announced (`rel announce --send`).
    pub announced: Share,
}

/// A share, with the counts behind it and its target.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Share {
    /// How many are.
    pub count: usize,
    /// Of how many.
    pub total: usize,
    /// `count / total`; `None` when `total` is 0.
    pub rate: Option<f64>,
    /// The seeds' target.
    pub target: f64,
}

impl Share {
    fn new(count: usize, total: usize, target: f64) -> Self {
        Share {
            count,
            total,
            rate: ratio(count, total),
            target,
        }
    }
}

fn ratio(count: usize, total: usize) -> Option<f64> {
    (total > 0).then(|| count as f64 / total as f64)
}

/// The value at `p` percent of sorted `values`, by nearest rank.
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * p as usize).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

/// What the dashboard shows besides the metrics of one environment.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Dashboard {
    /// The metrics.
    pub metrics: Metrics,
    /// Per environment (rel.toml's, then any other the record names), its deployments in the
    /// window: `(time, tag, verified)`, rollbacks included.
    pub timelines: Vec<Timeline>,
    /// What runs in every environment now, and the releases with an open gate.
    pub overview: record::Overview,
    /// The incidents of the environment opened in the window, oldest first.
    pub incidents: Vec<record::Incident>,
}

/// An environment's deployments in the window.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Timeline {
    /// The environment.
    pub environment: String,
    /// Its deployments (promotions and rollbacks), oldest first.
    pub deployments: Vec<Point>,
}

/// One deployment on a timeline.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Point {
    /// When.
    pub time: i64,
    /// The release.
    pub tag: String,
    /// `promote` or `rollback`.
    pub event: Event,
    /// `verified`, `failed`, or `pending`.
    pub result: &'static str,
}

/// The metrics of `environment` over `window`, from the record at `tip` and the history.
///
/// # Errors
/// [`Error::EmptyWindow`]; `record::Error::NoSuchEnvironment` when rel.toml does not
/// configure `environment`; when the record or the history cannot be read, or a signature
/// tool cannot run.
pub fn measure(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    tip: Option<ObjectId>,
    environment: &str,
    window: Window,
) -> Result<Metrics, Error> {
    Ok(measure_with_state(repo, config, anchors, tip, environment, window)?.0)
}

/// [`measure`], and what the dashboard shows besides.
///
/// # Errors
/// As [`measure`].
pub fn dashboard(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    tip: Option<ObjectId>,
    environment: &str,
    window: Window,
) -> Result<Dashboard, Error> {
    let (metrics, state) = measure_with_state(repo, config, anchors, tip, environment, window)?;
    let mut names: Vec<String> = config.environments.keys().cloned().collect();
    for env in state.environments() {
        if !names.iter().any(|n| n == env) {
            names.push(env.to_owned());
        }
    }
    let timelines = names
        .into_iter()
        .map(|env| Timeline {
            deployments: state
                .deployments(&env)
                .iter()
                .filter(|d| window.contains(d.time))
                .map(|d| Point {
                    time: d.time,
                    tag: d.tag.clone(),
                    event: d.event,
                    result: match &d.result {
                        Some(r) if r.verified => "verified",
                        Some(_) => "failed",
                        None => "pending",
                    },
                })
                .collect(),
            environment: env,
        })
        .collect();
    let overview = record::overview_of(config, &state);
    let incidents = state
        .incidents()
        .iter()
        .filter(|i| i.environment == environment && window.contains(i.time))
        .cloned()
        .collect();
    Ok(Dashboard {
        metrics,
        timelines,
        overview,
        incidents,
    })
}

fn measure_with_state(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    tip: Option<ObjectId>,
    environment: &str,
    window: Window,
) -> Result<(Metrics, State), Error> {
    if window.to <= window.from {
        return Err(Error::EmptyWindow {
            from: timestamp(window.from),
            to: timestamp(window.to),
        });
    }
    if !config.environments.contains_key(environment) {
        return Err(record::Error::NoSuchEnvironment {
            environment: environment.to_owned(),
            configured: config.environments.keys().cloned().collect(),
        }
        .into());
    }
    let (state, promoted) = replay(repo, config, tip, environment)?;
    let deployments = state.deployments(environment);
    let mut list = Vec::new();
    // Every promotion in the window, deployed or not: whether its gate was satisfied.
    let gated: Vec<bool> = deployments
        .iter()
        .filter(|d| d.event == Event::Promote && window.contains(d.time))
        .filter_map(|d| promoted.get(&d.entry).and_then(|p| p.approved))
        .collect();
    for (i, d) in deployments.iter().enumerate() {
        if d.event != Event::Promote || !d.deployed() || !window.contains(d.time) {
            continue;
        }
        let tag_object = ObjectId::from_hex(d.tag_object.as_bytes()).ok();
        list.push(Deployed {
            tag: d.tag.clone(),
            entry: d.entry.clone(),
            actor: d.actor.clone(),
            time: d.time,
            verified: d.result.as_ref().filter(|r| r.verified).map(|r| r.time),
            commits: 0,
            approvers: promoted.get(&d.entry).map_or(0, |p| p.approvers),
            announced: tag_object.is_some_and(|o| !state.announcements(&d.tag, o).is_empty()),
            failure: failure(&state, deployments, i),
        });
    }
    let lead = lead_times(repo, deployments, &promoted, &mut list, window)?;
    let mut failed = 0;
    let mut causes = BTreeMap::new();
    let mut restores = Vec::new();
    let mut unrestored = 0;
    for f in list.iter().filter_map(|d| d.failure.as_ref()) {
        failed += 1;
        *causes.entry(f.cause).or_insert(0) += 1;
        match f.restored {
            Some(at) => restores.push((at - f.at).max(0)),
            None => unrestored += 1,
        }
    }
    restores.sort_unstable();
    let count = list.len();
    let per_day = if window.days() > 0.0 {
        count as f64 / window.days()
    } else {
        0.0
    };
    let restore_median = nearest_rank(&restores, 50);
    let lead_median = nearest_rank(&lead, 50);
    let coverage = coverage(repo, config, anchors, (&list, &gated), window)?;
    let metrics = Metrics {
        environment: environment.to_owned(),
        from: timestamp(window.from),
        to: timestamp(window.to),
        window,
        deployments: Frequency {
            count,
            per_day,
            per_week: per_day * 7.0,
            band: if per_day >= 1.0 {
                "elite"
            } else if per_day * 7.0 >= 1.0 {
                "high"
            } else if per_day * 30.0 >= 1.0 {
                "medium"
            } else {
                "low"
            },
            list,
        },
        lead_time_seconds: LeadTime {
            median: lead_median,
            p90: nearest_rank(&lead, 90),
            commits: lead.len(),
            band: lead_median.map(|m| band(m, [3600, WEEK, 182 * DAY])),
            histogram: histogram(&lead),
        },
        change_failure_rate: FailureRate {
            failed,
            deployments: count,
            rate: ratio(failed, count),
            causes,
        },
        time_to_restore_seconds: Restore {
            median: restore_median,
            failures: restores.len(),
            unrestored,
            band: restore_median.map(|m| band(m, [3600, DAY, WEEK])),
        },
        coverage,
    };
    Ok((metrics, state))
}

/// `elite`, `high`, `medium` or `low`: the first of `limits` that `value` is under.
fn band(value: i64, limits: [i64; 3]) -> &'static str {
    match limits.iter().position(|l| value < *l) {
        Some(0) => "elite",
        Some(1) => "high",
        Some(2) => "medium",
        _ => "low",
    }
}

/// The lead-time histogram's buckets.
const BUCKETS: [(&str, Option<i64>); 6] = [
    ("< 1 hour", Some(3600)),
    ("< 1 day", Some(DAY)),
    ("< 1 week", Some(WEEK)),
    ("< 30 days", Some(30 * DAY)),
    ("< 6 months", Some(182 * DAY)),
    (">= 6 months", None),
];

fn histogram(sorted: &[i64]) -> Vec<Bucket> {
    let mut buckets: Vec<Bucket> = BUCKETS
        .iter()
        .map(|(label, le)| Bucket {
            label,
            le: *le,
            count: 0,
        })
        .collect();
    for v in sorted {
        let i = BUCKETS
            .iter()
            .position(|(_, le)| le.is_none_or(|le| *v < le))
            .unwrap_or(BUCKETS.len() - 1);
        buckets[i].count += 1;
    }
    buckets
}

/// What a `promote` entry said and found when it was made.
#[derive(Debug, Clone, Copy)]
struct Promoted {
    /// The commit it deployed, as the entry names it.
    commit: ObjectId,
    /// Whether the environment's gate was satisfied then (`None`: it takes no approvals).
    approved: Option<bool>,
    /// The distinct approvers who satisfied it (the promoter never counts).
    approvers: usize,
}

/// The record at `tip`, replayed; with what each `promote` entry to `environment` found.
fn replay(
    repo: &Repo,
    config: &Config,
    tip: Option<ObjectId>,
    environment: &str,
) -> Result<(State, BTreeMap<String, Promoted>), Error> {
    let mut state = State::default();
    let mut promoted = BTreeMap::new();
    let Some(tip) = tip else {
        return Ok((state, promoted));
    };
    for entry in record::read(repo, tip)? {
        let Ok(s) = &entry.statement else { continue };
        if s.event == Event::Promote && s.environment == environment {
            let gate = state.gate_without(config, &s.tag, s.tag_object, environment, &s.actor);
            let approvers = gate.as_ref().filter(|g| g.satisfied).map_or(0, |g| {
                g.approvals
                    .iter()
                    .map(|(_, who)| who)
                    .collect::<BTreeSet<_>>()
                    .len()
            });
            promoted.insert(
                entry.id.to_string(),
                Promoted {
                    commit: s.commit,
                    approved: gate.map(|g| g.satisfied),
                    approvers,
                },
            );
        }
        state.apply(entry.id, s, entry.time);
    }
    Ok((state, promoted))
}

/// How deployment `i` of `deployments` failed, if it did: its first failure signal and when
/// service came back.
fn failure(state: &State, deployments: &[Deployment], i: usize) -> Option<Failure> {
    let d = &deployments[i];
    let later = &deployments[i + 1..];
    let next_verified = |at: i64| {
        later
            .iter()
            .filter_map(|n| n.result.as_ref())
            .find(|r| r.verified && r.time >= at)
            .map(|r| r.time)
    };
    // Each signal as a failure of its own, restored by what restores it.
    let signal = |cause, at: i64, restored| Failure {
        cause,
        at,
        restored,
        incident: None,
        description: None,
    };
    let mut signals = Vec::new();
    if let Some(r) = d.result.as_ref().filter(|r| !r.verified) {
        signals.push(signal("smoke", r.time, next_verified(r.time)));
    }
    if let Some(back) = later.first().filter(|n| n.event == Event::Rollback) {
        signals.push(signal("rollback", back.time, next_verified(back.time)));
    }
    for incident in state.incidents().iter().filter(|x| x.deployment == d.entry) {
        signals.push(Failure {
            incident: Some(incident.entry.clone()),
            description: Some(incident.description.clone()),
            ..signal(
                "incident",
                incident.time,
                incident.resolved.as_ref().map(|r| r.time),
            )
        });
    }
    // The failure starts at its first signal; service is back once every signal's restore
    // came (an incident still open means it is not).
    let restored = signals
        .iter()
        .map(|s| s.restored)
        .collect::<Option<Vec<i64>>>()
        .and_then(|times| times.into_iter().max());
    let mut first = signals.into_iter().min_by_key(|s| s.at)?;
    first.restored = restored;
    Some(first)
}

/// The lead times of the commits that `list`'s verified deployments carried to the
/// environment first, sorted; sets each deployment's `commits`.
///
/// One `git rev-list` lists the commits the window's verified deployments carry and no
/// earlier verified deployment there did; each commit goes to the first of them (in record
/// order) whose release contains it.
fn lead_times(
    repo: &Repo,
    deployments: &[Deployment],
    promoted: &BTreeMap<String, Promoted>,
    list: &mut [Deployed],
    window: Window,
) -> Result<Vec<i64>, Error> {
    // The commit each entry names (a release re-tagged since still deployed that commit).
    let commit_of = |d: &Deployment| promoted.get(&d.entry).map(|p| p.commit);
    let hidden: Vec<ObjectId> = deployments
        .iter()
        .filter(|d| d.event == Event::Promote && d.verified() && d.time < window.from)
        .filter_map(commit_of)
        .collect();
    let carriers: Vec<(usize, ObjectId, i64)> = list
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let verified = d.verified?;
            let promote = deployments.iter().find(|p| p.entry == d.entry)?;
            Some((i, commit_of(promote)?, verified))
        })
        .collect();
    let mut tips: Vec<ObjectId> = carriers.iter().map(|(_, c, _)| *c).collect();
    tips.sort_unstable();
    tips.dedup();
    let graph = repo.rev_graph(&tips, &hidden)?;
    let mut carried = vec![false; graph.len()];
    let mut lead = Vec::new();
    let mut stack = Vec::new();
    for (i, commit, verified) in carriers {
        let Some(start) = graph.index_of(commit) else {
            continue;
        };
        let mut n = 0;
        stack.push(start);
        while let Some(c) = stack.pop() {
            if carried[c] {
                continue;
            }
            carried[c] = true;
            n += 1;
            lead.push((verified - graph.time(c)).max(0));
            stack.extend(graph.parents(c).iter().filter(|p| !carried[**p]));
        }
        list[i].commits = n;
    }
    lead.sort_unstable();
    Ok(lead)
}

/// The coverage figures.
fn coverage(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    (list, gated): (&[Deployed], &[bool]),
    window: Window,
) -> Result<Coverage, Error> {
    let prefix = &config.version.tag_prefix;
    let mut total_tags = 0;
    let mut semver = Vec::new();
    for (name, target) in repo.tags_starting(prefix)? {
        let starts_with_digit = name[prefix.len()..].starts_with(|c: char| c.is_ascii_digit());
        if !starts_with_digit {
            continue;
        }
        let Some(time) = repo.tag_time(target) else {
            continue;
        };
        if !window.contains(time) {
            continue;
        }
        total_tags += 1;
        if let Some(version) = crate::version::parse_tag(&name, prefix) {
            semver.push(crate::history::TagRef {
                name,
                version,
                target,
            });
        }
    }
    let verdicts = crate::signature::verify_many(repo, &semver, anchors, At::Tagger)?;
    let signed = verdicts.iter().filter(|v| v.failed.is_none()).count();
    let changelog = semver
        .iter()
        .filter(|t| {
            record::blob_at(repo, t.target, &config.changelog.path)
                .and_then(|blob| repo.gix().find_object(blob).ok())
                .is_some_and(|blob| {
                    crate::changelog::layout(&blob.data)
                        .versions
                        .iter()
                        .any(|v| *v == t.version.to_string())
                })
        })
        .count();
    let approved = gated.iter().filter(|g| **g).count();
    let mut releases: BTreeMap<&str, bool> = BTreeMap::new();
    for d in list {
        *releases.entry(d.tag.as_str()).or_default() |= d.announced;
    }
    Ok(Coverage {
        semver_signed: Share::new(signed, total_tags, 1.0),
        changelog: Share::new(changelog, semver.len(), 0.9),
        approvals: Share::new(approved, gated.len(), 1.0),
        announced: Share::new(
            releases.values().filter(|a| **a).count(),
            releases.len(),
            0.8,
        ),
    })
}
