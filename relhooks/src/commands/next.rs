//! `rel next`: the next version from the commits since the last release.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

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

/// `rel next --json`: the upcoming release.
#[derive(serde::Serialize)]
struct UpcomingJson {
    /// The base release's version, or `null`.
    current: Option<String>,
    /// The next version; the current one (or `null`) when there is nothing to release.
    next: Option<String>,
    /// `none`, `patch`, `minor` or `major`.
    bump: relcore::Bump,
    /// The tag of `next`.
    tag: Option<String>,
    /// Commits since the base.
    commits: usize,
    /// Conventional Commits among them.
    conventional: usize,
}

impl From<&relcore::Upcoming> for UpcomingJson {
    fn from(u: &relcore::Upcoming) -> Self {
        let (next, tag) = match (&u.next, &u.base) {
            (Some(next), _) => (Some(next.to_string()), u.tag.clone()),
            (None, Some(base)) => (Some(base.version.to_string()), Some(base.name.clone())),
            (None, None) => (None, None),
        };
        Self {
            current: u.current().map(ToString::to_string),
            next,
            bump: u.bump,
            tag,
            commits: u.commits,
            conventional: u.conventional,
        }
    }
}
