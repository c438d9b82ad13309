//! `rel check`: the push policy on a range or one ref, for CI.

use std::process::ExitCode;

use anyhow::Result;
use relcore::policy::{self, Push};
use serde::Serialize;

use super::{Global, TrustArgs, check, discover, print_json, report_violations, trusted};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    trust: TrustArgs,
    /// The commits `A..B` as a push to the current branch (default: its upstream..HEAD).
    #[arg(long, value_name = "A..B", conflicts_with = "refname")]
    range: Option<String>,
    /// A ref as if newly pushed (e.g. refs/tags/v1.2.0 or main).
    #[arg(long = "ref", value_name = "REF")]
    refname: Option<String>,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, &args.trust)?;
    let push = match (args.range.as_deref(), args.refname.as_deref()) {
        (_, Some(name)) => Push::from_ref(&repo, name)?,
        (range, None) => Push::from_range(&repo, range)?,
    };
    let violations = policy::evaluate(&repo, &config, &anchors, &push)?;
    if args.json {
        #[derive(Serialize)]
        struct CheckJson<'a> {
            ok: bool,
            violations: &'a [policy::Violation],
        }
        print_json(&CheckJson {
            ok: violations.is_empty(),
            violations: &violations,
        })?;
        return Ok(check(violations.is_empty()));
    }
    let ok = report_violations(&violations, "");
    if ok {
        eprintln!("the policy holds");
    }
    Ok(check(ok))
}
