//! `rel metrics`: DORA metrics and the seeds' coverage figures (text, `--json`, `--html FILE`);
//! `rel incident open|resolve|list`: the incidents they count.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use relcore::metrics::html::{human, percent};
use relcore::metrics::{self, Window};
use relcore::record::{self, Appended};

use super::record::RecordArgs;
use super::{Global, discover, print_json, refusal, trusted, untrusted};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The window: this long before now (e.g. 90d, 12w, 24h).
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["from", "to"])]
    since: Option<String>,
    /// The window's start: YYYY-MM-DD (midnight UTC), "YYYY-MM-DD HH:MM:SS +ZZZZ", or @SECONDS.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// The window's end (a date alone includes that day; default: now).
    #[arg(long, value_name = "DATE", requires = "from")]
    to: Option<String>,
    /// The environment measured.
    #[arg(long = "env", value_name = "ENV", default_value = "production")]
    environment: String,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    /// Also write the dashboard to FILE: one self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    #[command(flatten)]
    on: RecordArgs,
}

/// The window `args` name (default: the last 90 days).
fn window(args: &Args, now: i64) -> Result<Window> {
    let date = |text: &str, end: bool, flag: &str| {
        metrics::parse_date(text, end).with_context(|| {
            format!(
                "--{flag} `{text}` is not a date (YYYY-MM-DD, \"YYYY-MM-DD HH:MM:SS +ZZZZ\", YYYY-MM-DDTHH:MM:SS+ZZ:ZZ or @SECONDS)"
            )
        })
    };
    if let Some(from) = &args.from {
        let from = date(from, false, "from")?;
        let to = match &args.to {
            Some(to) => date(to, true, "to")?,
            None => now,
        };
        return Ok(Window { from, to });
    }
    let since = args.since.as_deref().unwrap_or("90d");
    let Ok(duration) = since.parse::<relcore::config::Duration>() else {
        bail!(
            "--since `{since}` is not a duration (a number and a unit: 90d, 12w, 24h, or several: 1w3d)"
        );
    };
    Ok(Window::since(duration.seconds(), now))
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, args.on.trust())?;
    let window = window(&args, record::now())?;
    let tip = record::fetch(&repo, args.on.remote())?;
    let dashboard = metrics::dashboard(&repo, &config, &anchors, tip, &args.environment, window)?;
    if let Some(path) = &args.html {
        let page = metrics::html::render(&dashboard);
        relcore::paths::write(path, page.as_bytes())
            .with_context(|| format!("cannot write the dashboard to {}", path.display()))?;
        if !args.json {
            eprintln!("rel: wrote the dashboard to {}", path.display());
        }
    }
    let m = &dashboard.metrics;
    if args.json {
        return print_json(m);
    }
    let mut out = std::io::stdout().lock();
    let opt = |v: Option<i64>| v.map_or_else(|| "n/a".to_owned(), human);
    writeln!(
        out,
        "{}: {} to {}",
        m.environment,
        m.from.get(..10).unwrap_or(&m.from),
        metrics::timestamp(window.to - 1)
            .get(..10)
            .unwrap_or_default()
    )?;
    let f = &m.deployments;
    writeln!(
        out,
        "  deployment frequency  {} deployment{}, {:.2} per week ({})",
        f.count,
        if f.count == 1 { "" } else { "s" },
        f.per_week,
        f.band
    )?;
    let l = &m.lead_time_seconds;
    writeln!(
        out,
        "  lead time             median {}, p90 {}, over {} commit{}{}",
        opt(l.median),
        opt(l.p90),
        l.commits,
        if l.commits == 1 { "" } else { "s" },
        l.band.map(|b| format!(" ({b})")).unwrap_or_default()
    )?;
    let c = &m.change_failure_rate;
    let causes: Vec<String> = c.causes.iter().map(|(k, v)| format!("{v} {k}")).collect();
    writeln!(
        out,
        "  change failure rate   {} ({} of {} deployments failed{})",
        percent(c.rate),
        c.failed,
        c.deployments,
        if causes.is_empty() {
            String::new()
        } else {
            format!(": {}", causes.join(", "))
        }
    )?;
    let r = &m.time_to_restore_seconds;
    writeln!(
        out,
        "  time to restore       median {} over {} restored failure{} ({} not restored){}",
        opt(r.median),
        r.failures,
        if r.failures == 1 { "" } else { "s" },
        r.unrestored,
        r.band.map(|b| format!(" ({b})")).unwrap_or_default()
    )?;
    writeln!(out, "  coverage")?;
    let cov = &m.coverage;
    for (label, share) in [
        ("release tags semver and signed   ", &cov.semver_signed),
        ("releases with a changelog section", &cov.changelog),
        ("promotions with approvals met    ", &cov.approvals),
        ("releases deployed and announced  ", &cov.announced),
    ] {
        let met = share.rate.is_some_and(|r| r + 1e-9 >= share.target);
        writeln!(
            out,
            "    {label}  {} of {} ({}; target {:.0}%{})",
            share.count,
            share.total,
            percent(share.rate),
            share.target * 100.0,
            if met { ", met" } else { "" }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Subcommand)]
pub enum IncidentArgs {
    /// Open an incident in ENV, linked to the deployment it came from (default: of what runs
    /// there now), and record it.
    Open {
        /// The environment.
        environment: String,
        /// What happened (required).
        #[arg(short = 'm', long = "message", value_name = "TEXT", required = true)]
        text: String,
        /// The release it came from (default: the one running in ENV).
        #[arg(long, value_name = "TAG")]
        release: Option<String>,
        /// Print the incident as JSON (its `entry` is its id).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        on: RecordArgs,
    },
    /// Resolve incident ID (its id as `rel incident open` printed it, or any unique prefix).
    Resolve {
        /// The incident's id.
        id: String,
        /// A note kept with the resolution.
        #[arg(short = 'm', long = "message", value_name = "NOTE")]
        note: Option<String>,
        /// Print the incident as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        on: RecordArgs,
    },
    /// List the incidents (default: the open ones).
    List {
        /// Resolved ones too.
        #[arg(long)]
        all: bool,
        /// Print one JSON document.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        on: RecordArgs,
    },
}

pub fn incident(args: IncidentArgs, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    match args {
        IncidentArgs::Open {
            environment,
            text,
            release,
            json,
            on,
        } => {
            let (config, anchors) = trusted(&repo, on.trust())?;
            let target = record::Target {
                repo: &repo,
                config: &config,
                anchors: &anchors,
                remote: on.remote(),
                environment: &environment,
            };
            let appended = record::open_incident(target, &text, release.as_deref())?;
            report(appended, json.then_some(None), |state, entry| {
                let id = entry.to_string();
                let incident = state.incidents().iter().find(|i| i.entry == id);
                format!(
                    "incident {} opened in {environment}{} (resolve it with: rel incident resolve {})",
                    short(&id),
                    incident
                        .map(|i| format!(
                            ", linked to {} (deployed in entry {})",
                            i.tag,
                            short(&i.deployment)
                        ))
                        .unwrap_or_default(),
                    short(&id)
                )
            })
        }
        IncidentArgs::Resolve { id, note, json, on } => {
            let (config, anchors) = trusted(&repo, on.trust())?;
            let appended = record::resolve_incident(
                &repo,
                &config,
                &anchors,
                on.remote(),
                (&id, note.as_deref()),
            )?;
            report(appended, json.then_some(Some(id.as_str())), |state, _| {
                let found = state.find_incidents(&id);
                match found.first() {
                    Some(i) => format!(
                        "incident {} resolved ({} in {}, open {})",
                        short(&i.entry),
                        i.tag,
                        i.environment,
                        i.resolved
                            .as_ref()
                            .map(|r| human(r.time - i.time))
                            .unwrap_or_default()
                    ),
                    None => format!("incident {id} resolved"),
                }
            })
        }
        IncidentArgs::List { all, json, on } => {
            let tip = record::fetch(&repo, on.remote())?;
            let state = record::state_at(&repo, tip)?;
            let list: Vec<_> = state
                .incidents()
                .iter()
                .filter(|i| all || i.resolved.is_none())
                .collect();
            if json {
                return print_json(&list);
            }
            let mut out = std::io::stdout().lock();
            if list.is_empty() {
                writeln!(out, "no {}incident", if all { "" } else { "open " })?;
            }
            for i in list {
                writeln!(
                    out,
                    "{}  {}  {} in {}, opened {} by {}{}: {}",
                    short(&i.entry),
                    if i.resolved.is_some() {
                        "resolved"
                    } else {
                        "OPEN    "
                    },
                    i.tag,
                    i.environment,
                    metrics::timestamp(i.time),
                    i.actor,
                    i.resolved
                        .as_ref()
                        .map(|r| format!(", resolved after {}", human(r.time - i.time)))
                        .unwrap_or_default(),
                    i.description
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The first 7 characters of an entry id (all of it when shorter).
fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// Prints what an incident append did: `pushed` says it for the new state and entry; with
/// `json`, the incident as JSON instead (`Some(Some(id))`: the one `id` names, `Some(None)`: the
/// new entry's).
fn report(
    appended: Appended,
    json: Option<Option<&str>>,
    pushed: impl FnOnce(&record::State, relcore::ObjectId) -> String,
) -> Result<ExitCode> {
    match appended {
        Appended::Pushed { entry, state, .. } if json.is_some() => {
            let id = json
                .flatten()
                .map_or_else(|| entry.to_string(), str::to_owned);
            match state.find_incidents(&id).first() {
                Some(incident) => print_json(incident),
                None => print_json(&serde_json::json!({ "entry": entry.to_string() })),
            }
        }
        Appended::Pushed { entry, state, .. } => {
            println!("{}", pushed(&state, entry));
            Ok(ExitCode::SUCCESS)
        }
        Appended::Refused(v) => Ok(refusal(v.rule.id(), &v.message, "nothing was recorded")),
        Appended::Untrusted { reason } => Ok(untrusted(&reason, "nothing was recorded")),
        _ => Ok(ExitCode::from(1)),
    }
}
