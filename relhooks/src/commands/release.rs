//! `rel release`: cuts a release, all or nothing.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use relcore::release::{self, CutOptions};

use super::{Global, open};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Make a pre-release with this label: 1.3.0-rc.1, then 1.3.0-rc.2, ...
    #[arg(long, value_name = "LABEL", conflicts_with = "version")]
    pre: Option<String>,
    /// Release exactly this version (it must be above the last release).
    #[arg(long, value_name = "X")]
    version: Option<String>,
    /// Print the version and the release notes; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Sign the tag (with git's own signing setup: gpg.format, user.signingkey, ...).
    #[arg(long, conflicts_with = "no_sign")]
    sign: bool,
    /// Do not sign the tag (refused when policy.require_signed_tags is on).
    #[arg(long)]
    no_sign: bool,
    /// Push the branch and the tag together (git push --atomic) afterwards.
    #[arg(long)]
    push: bool,
    /// A file built before tagging: its name, size and sha256 go into the signed tag message,
    /// as `rel attest` would record them (repeatable).
    #[arg(long = "artifact", value_name = "PATH")]
    artifacts: Vec<std::path::PathBuf>,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let (repo, config) = open(&global.dir)?;
    let mut options = CutOptions::default();
    options.pre = args.pre;
    options.version = args.version;
    options.artifacts = args.artifacts;
    options.sign = match (args.sign, args.no_sign) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let plan = match release::plan(&repo, &config, &options) {
        Ok(plan) => plan,
        Err(release::Error::Refused(reason)) => {
            eprintln!("error: {reason}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let signed = if plan.sign { "signed" } else { "unsigned" };
    let since = plan
        .previous
        .as_ref()
        .map(|p| format!(" since {}", p.name))
        .unwrap_or_default();
    if args.dry_run {
        eprintln!(
            "would release {} on {}{since} ({signed} tag); nothing written (--dry-run)",
            plan.tag, plan.branch
        );
        for file in &plan.files {
            eprintln!("would update {}", file.path);
        }
        write!(std::io::stdout(), "{}", plan.notes)?;
        return Ok(ExitCode::SUCCESS);
    }
    // An interrupt (Ctrl-C, SIGTERM, a closed terminal) no longer kills rel from here on: it
    // stops the release before it becomes visible, or lets the final step finish.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("cannot set up interrupt handling")?;
    }
    let applied = match release::apply_unless(&repo, &plan, &stop) {
        Err(e @ release::Error::Interrupted { .. }) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(130));
        }
        other => other?,
    };
    eprintln!(
        "released {} on {}{since}: commit {}, {signed} annotated tag {}",
        plan.version,
        plan.branch,
        applied.commit.to_hex_with_len(7),
        applied.tag
    );
    if args.push {
        let remote = release::push(&repo, &plan)?;
        eprintln!("pushed {} and {} to {remote}", plan.branch, plan.tag);
    }
    writeln!(std::io::stdout(), "{}", plan.version)?;
    Ok(ExitCode::SUCCESS)
}
