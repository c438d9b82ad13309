//! `rel next`: the next version from the commits since the last release.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use relcore::release::UpcomingJson;

use super::{Global, open, print_json, warn};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Make it a pre-release with this label: 1.3.0-rc.1, then 1.3.0-rc.2, ...
    #[arg(long, value_name = "LABEL")]
    pre: Option<String>,
    /// Print one JSON document: current, next, bump, tag, commits, conventional.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let (repo, config) = open(&global.dir)?;
    let options = args
        .pre
        .map_or_else(relcore::Options::default, relcore::Options::pre);
    let upcoming = relcore::upcoming(&repo, &config, &options)?;
    warn(&upcoming.warnings);
    let report = UpcomingJson::from(&upcoming);
    if args.json {
        return print_json(&report);
    }
    match (&upcoming.next, &upcoming.base) {
        (Some(next), _) => writeln!(std::io::stdout(), "{next}")?,
        (None, Some(base)) => {
            eprintln!(
                "nothing to release: no commit since {} bumps the version ({} commits, {} conventional)",
                base.name, upcoming.commits, upcoming.conventional
            );
            writeln!(std::io::stdout(), "{}", base.version)?;
        }
        (None, None) => eprintln!(
            "nothing to release: no release tag yet and none of the {} commits bumps the version",
            upcoming.commits
        ),
    }
    Ok(ExitCode::SUCCESS)
}
