//! `rel check`: the push policy on a range or one ref, for CI.

use std::process::ExitCode;

use anyhow::{Context, Result};
use relcore::policy::{self, Push, RefUpdate};
use serde::Serialize;

use super::{Global, TrustArgs, all_refs, check, discover, print_json, report_violations, trusted};

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
    // issue 10: belongs in relcore (building a policy push from a range or a ref); touches gix
    let mut push = Push::default();
    let all = all_refs(&repo)?;
    match (args.range.as_deref(), args.refname.as_deref()) {
        (_, Some(name)) => {
            let full = if name.starts_with("refs/") {
                name.to_owned()
            } else if repo
                .gix()
                .try_find_reference(format!("refs/tags/{name}").as_str())?
                .is_some()
            {
                format!("refs/tags/{name}")
            } else {
                format!("refs/heads/{name}")
            };
            let id = all
                .iter()
                .find(|(n, _)| *n == full)
                .map(|(_, id)| *id)
                .with_context(|| format!("no ref `{full}`"))?;
            push.updates.push(RefUpdate::new(
                full.clone(),
                relcore::ObjectId::null(repo.gix().object_hash()),
                id,
            ));
            push.remote_refs = all.into_iter().filter(|(n, _)| *n != full).collect();
        }
        (range, None) => {
            let head = repo.head()?;
            let branch = head
                .branch
                .clone()
                .context("HEAD is detached: name the range with --range A..B")?;
            let spec = match range {
                Some(r) => r.to_owned(),
                None => format!("{branch}@{{upstream}}..HEAD"),
            };
            let (tip, hidden) = repo.range(&spec)?;
            let old = hidden.context("--range needs a start: A..B")?;
            push.updates
                .push(RefUpdate::new(format!("refs/heads/{branch}"), old, tip));
            // What the remote has: its remote-tracking branches, and the range's start.
            push.remote_refs = all
                .into_iter()
                .filter_map(|(n, id)| {
                    let rest = n.strip_prefix("refs/remotes/")?;
                    let (_, branch) = rest.split_once('/')?;
                    (branch != "HEAD").then(|| (format!("refs/heads/{branch}"), id))
                })
                .filter(|(n, _)| *n != format!("refs/heads/{branch}"))
                .collect();
            push.remote_refs.push((format!("refs/heads/{branch}"), old));
        }
    }
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
