//! `rel lint`: one message (a file or stdin), or every commit of a range.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use relcore::Kind;
use relcore::lint::{self, MessageRules, Report};
use serde::Serialize;

use super::{Global, check, open, print_json, read_stdin};
use crate::render::{self, Style};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The message file; `-` or nothing reads stdin.
    #[arg(conflicts_with = "range")]
    file: Option<PathBuf>,
    /// Lint every commit in `A..B` instead (merge commits pass).
    #[arg(long, value_name = "A..B")]
    range: Option<String>,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

/// The message in `file` (`-` or none: stdin), lossily as text.
pub(super) fn read_message(file: Option<&Path>) -> Result<String> {
    let bytes = match file {
        None if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
            bail!(
                "rel lint reads the message from stdin: pipe one in, give a FILE, or lint commits with --range A..B"
            )
        }
        None => read_stdin()?,
        Some(p) if p == Path::new("-") => read_stdin()?,
        Some(p) => std::fs::read(p)
            .with_context(|| format!("cannot read the message file {}", p.display()))?,
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[derive(Serialize)]
struct LintJson<'a> {
    ok: bool,
    #[serde(flatten)]
    report: &'a Report,
}

#[derive(Serialize)]
struct RangeLintJson<'a> {
    ok: bool,
    range: &'a str,
    commits: Vec<CommitLintJson<'a>>,
}

#[derive(Serialize)]
struct CommitLintJson<'a> {
    id: String,
    short_id: String,
    summary: &'a str,
    ok: bool,
    kind: Kind,
    diagnostics: &'a [lint::Diagnostic],
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    match &args.range {
        Some(range) => lint_range(&global.dir, range, args.json),
        None => lint_message(&global.dir, args.file.as_deref(), args.json),
    }
}

fn lint_range(dir: &Path, range: &str, json: bool) -> Result<ExitCode> {
    let (repo, config) = open(dir)?;
    let reports = lint::lint_range(&repo, &config.commits, range)?;
    let ok = reports.iter().all(|c| c.report.is_ok());
    if json {
        let commits = reports
            .iter()
            .map(|c| CommitLintJson {
                id: c.id.to_string(),
                short_id: c.id.to_hex_with_len(7).to_string(),
                summary: &c.summary,
                ok: c.report.is_ok(),
                kind: c.report.kind,
                diagnostics: &c.report.diagnostics,
            })
            .collect();
        print_json(&RangeLintJson { ok, range, commits })?;
        return Ok(check(ok));
    }
    let style = Style::for_stderr();
    let failed: Vec<_> = reports.iter().filter(|c| !c.report.is_ok()).collect();
    for c in &failed {
        let origin = format!("commit {} `{}`", c.id.to_hex_with_len(7), c.summary);
        eprint!("{}", render::report(&c.report, &origin, style));
    }
    if failed.is_empty() {
        eprintln!("{} commits in {range}: all pass", reports.len());
    } else {
        eprintln!(
            "{} of {} commits in {range} break the commit rules",
            failed.len(),
            reports.len()
        );
    }
    Ok(check(ok))
}

fn lint_message(dir: &Path, file: Option<&Path>, json: bool) -> Result<ExitCode> {
    // One message: the repository (if any) gives rel.toml and the comment character.
    let raw = read_message(file)?;
    let report = MessageRules::discover(dir)?.lint(&raw);
    if json {
        print_json(&LintJson {
            ok: report.is_ok(),
            report: &report,
        })?;
        return Ok(check(report.is_ok()));
    }
    let origin = match file {
        Some(p) if p != Path::new("-") => p.display().to_string(),
        _ => "stdin".to_owned(),
    };
    eprint!("{}", render::report(&report, &origin, Style::for_stderr()));
    Ok(check(report.is_ok()))
}
