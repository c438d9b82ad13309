//! The subcommands: each loads what it needs through relcore and prints the outcome.
//! An `Err` is a usage, configuration or environment error (exit 2); checks that fail return exit 1.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use relcore::history::Warning;
use relcore::release::UpcomingJson;
use relcore::{Config, Kind, Repo};
use serde::Serialize;

fn open(dir: &Path) -> Result<(Repo, Config)> {
    if !dir.is_dir() {
        bail!("cannot change to `{}`: no such directory", dir.display());
    }
    let repo = Repo::discover(dir)?;
    let config = repo.load_config()?;
    Ok((repo, config))
}

fn warn(warnings: &[Warning]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

fn print_json(value: &impl Serialize) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn next(dir: &Path, pre: Option<String>, json: bool) -> Result<ExitCode> {
    let (repo, config) = open(dir)?;
    let options = pre.map_or_else(relcore::Options::default, relcore::Options::pre);
    let upcoming = relcore::upcoming(&repo, &config, &options)?;
    warn(&upcoming.warnings);
    let report = UpcomingJson::from(&upcoming);
    if json {
        return print_json(&report);
    }
    match (&upcoming.next, &upcoming.base) {
        (Some(next), _) => println!("{next}"),
        (None, Some(base)) => {
            eprintln!(
                "nothing to release: no commit since {} bumps the version ({} commits, {} conventional)",
                base.name, upcoming.commits, upcoming.conventional
            );
            println!("{}", base.version);
        }
        (None, None) => eprintln!(
            "nothing to release: no release tag yet and none of the {} commits bumps the version",
            upcoming.commits
        ),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct LogJson<'a> {
    range: &'a str,
    commits: Vec<LogEntryJson<'a>>,
}

#[derive(Serialize)]
struct LogEntryJson<'a> {
    id: String,
    short_id: String,
    summary: &'a str,
    kind: Kind,
    conventional: bool,
    #[serde(rename = "type")]
    type_: Option<&'a str>,
    scope: Option<&'a str>,
    breaking: bool,
    description: Option<&'a str>,
    bump: relcore::Bump,
}

pub fn log(dir: &Path, range: Option<&str>, json: bool) -> Result<ExitCode> {
    let (repo, config) = open(dir)?;
    let log = relcore::log(&repo, &config, range)?;
    warn(&log.warnings);
    if json {
        let commits = log
            .commits
            .iter()
            .map(|c| {
                let cc = c.message.conventional();
                LogEntryJson {
                    id: c.id.to_string(),
                    short_id: c.id.to_hex_with_len(7).to_string(),
                    summary: &c.summary,
                    kind: c.kind(),
                    conventional: cc.is_some(),
                    type_: cc.map(|c| c.type_.as_str()),
                    scope: cc.and_then(|c| c.scope.as_deref()),
                    breaking: cc.is_some_and(|c| c.breaking),
                    description: cc.map(|c| c.description.as_str()),
                    bump: c.bump,
                }
            })
            .collect();
        return print_json(&LogJson {
            range: &log.range,
            commits,
        });
    }
    let mut out = std::io::stdout().lock();
    for c in &log.commits {
        let mark = match c.kind() {
            Kind::Conventional => String::new(),
            kind => format!("  [{}]", kind.as_str()),
        };
        writeln!(
            out,
            "{} {:>5}  {}{mark}",
            c.id.to_hex_with_len(7),
            c.bump.as_str(),
            c.summary
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn init(dir: &Path, force: bool) -> Result<ExitCode> {
    if !dir.is_dir() {
        bail!("cannot change to `{}`: no such directory", dir.display());
    }
    let repo = Repo::discover(dir)?;
    let path = repo.config_path();
    if path.exists() && !force {
        bail!(
            "{} already exists; pass --force to overwrite it with the defaults",
            path.display()
        );
    }
    let parent = path.parent().context("rel.toml has a parent directory")?;
    let mut file = tempfile::NamedTempFile::new_in(parent)
        .with_context(|| format!("cannot create a file in {}", parent.display()))?;
    file.write_all(relcore::config::DEFAULT_TOML.as_bytes())?;
    file.persist(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}
