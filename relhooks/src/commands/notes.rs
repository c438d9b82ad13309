//! `rel notes`: the release notes of one version (default: the upcoming one).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use relcore::Notes;

use super::{Global, open, print_json, warn};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A released version (`1.2.0` or `v1.2.0`).
    version: Option<String>,
    /// Render with this minijinja template instead of `[notes] template`.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// Print the template context (the release, as JSON) instead of rendering it.
    #[arg(long)]
    context: bool,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let (repo, config) = open(&global.dir)?;
    // The notes of a release show its readiness waivers: bring the record up to date first,
    // when there can be any; offline, the local record is what there is.
    if !config.readiness.waivers.is_empty()
        && args.version.is_some()
        && repo.remote_url("origin").is_some()
    {
        let _ = relcore::record::fetch(&repo, "origin");
    }
    let notes = Notes::new(
        &repo,
        &config,
        args.version.as_deref(),
        args.template.as_deref(),
    )?;
    warn(&notes.warnings);
    if args.context {
        return print_json(&notes.release);
    }
    write!(std::io::stdout(), "{}", notes.render(&config)?)?;
    Ok(ExitCode::SUCCESS)
}
