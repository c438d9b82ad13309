//! `rel log`: the commits since the last release (or of a range), parsed.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use relcore::Kind;
use serde::Serialize;

use super::{Global, open, print_json, warn};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// `A..B` (in B, not in A), `A..`, `..B`, or one revision for all of its history.
    range: Option<String>,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
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

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let (repo, config) = open(&global.dir)?;
    let log = relcore::log(&repo, &config, args.range.as_deref())?;
    warn(&log.warnings);
    if args.json {
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
