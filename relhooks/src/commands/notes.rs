//! `rel notes`: the release notes of one version (default: the upcoming one).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use relcore::changelog::{self as cl, Planned, TemplateKind, Templates};
use relcore::paths::Root;

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
    let root = Root::of(&repo);
    let mut templates = Templates::new(&config, &root)?;
    if let Some(template) = &args.template {
        templates.load(TemplateKind::Notes, template)?;
    }
    // issue 10: belongs in relcore (the notes of a version: which range, planned as what)
    let range = match args.version.as_deref() {
        Some(v) => cl::range_for(&repo, &config, Some(v))?,
        None => {
            let upcoming = relcore::upcoming(&repo, &config, &relcore::Options::default())?;
            warn(&upcoming.warnings);
            let mut range = cl::upcoming_range(&repo, &config, true)?;
            range.planned = upcoming
                .next
                .map(|next| Planned::today(next, &config.version.tag_prefix));
            range
        }
    };
    let release = cl::build_release(&repo, &config, &range, cl::links(&repo, &config).as_ref())?;
    if args.context {
        return print_json(&release);
    }
    let known_issues = cl::known_issues(&config, &root)?;
    write!(
        std::io::stdout(),
        "{}",
        templates.notes(&release, known_issues.as_deref())?
    )?;
    Ok(ExitCode::SUCCESS)
}
