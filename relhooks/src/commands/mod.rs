//! The subcommands, one module each: its clap `Args` and one `run`, which loads what it needs
//! through relcore and prints the outcome. An `Err` is a usage, configuration or environment
//! error (exit 2); checks that fail return exit 1.
//!
//! This module holds what several commands share: opening the repository, JSON output, exit
//! codes, warnings, the trust anchors of a check, and the printing of policy violations.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use relcore::signature::{Anchors, Trust};
use relcore::{Config, Repo, Warning};
use serde::Serialize;

pub mod announce;
pub mod changelog;
pub mod check;
pub mod deploy;
pub mod hook;
pub mod init;
pub mod install;
pub mod lint;
pub mod log;
pub mod metrics;
pub mod next;
pub mod notes;
mod progress;
pub mod ready;
pub mod record;
pub mod registry;
pub mod release;
pub mod verify;

/// What every command takes, whatever the subcommand.
#[derive(Debug)]
pub struct Global {
    /// The `-C` directory (default `.`).
    pub dir: PathBuf,
}

/// The repository containing `dir` (the `-C` directory).
fn discover(dir: &Path) -> Result<Repo> {
    if !dir.is_dir() {
        bail!("cannot change to `{}`: no such directory", dir.display());
    }
    Ok(Repo::discover(dir)?)
}

/// The repository containing `dir` and its `rel.toml`.
fn open(dir: &Path) -> Result<(Repo, Config)> {
    let repo = discover(dir)?;
    // A release interrupted in its last step is finished before anything reads the work tree.
    for done in relcore::release::recover(&repo)? {
        match done {
            relcore::release::Recovery::Completed { tag } => eprintln!(
                "rel: finished the interrupted release {tag} (its files and index were not yet in place)"
            ),
            relcore::release::Recovery::Superseded { tag } => eprintln!(
                "rel: warning: release {tag} was interrupted before its files were in place, and its branch has moved on since; check the changelog and version files"
            ),
            _ => {}
        }
    }
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

/// The exit code for a check: 0 when it passed, 1 when it failed.
fn check(passed: bool) -> ExitCode {
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn read_stdin() -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
        .context("cannot read stdin")?;
    Ok(bytes)
}

/// Where `rel verify` and `rel check` take rel.toml and the trust anchors from.
#[derive(Debug, clap::Args)]
pub struct TrustArgs {
    /// Take rel.toml and the trust anchors it names from the tree of REV (e.g. origin/main),
    /// not from the work tree: in CI, a checkout of the tag being checked cannot vouch for itself.
    #[arg(long, value_name = "REV")]
    anchors_from: Option<String>,
    /// Trust the SSH signers in FILE (git's allowed-signers format) instead of the configured
    /// anchors; with --openpgp-keys, the only anchors.
    #[arg(long, value_name = "FILE")]
    allowed_signers: Option<PathBuf>,
    /// Trust the OpenPGP keys in DIR instead of the configured anchors; with --allowed-signers,
    /// the only anchors.
    #[arg(long, value_name = "DIR")]
    openpgp_keys: Option<PathBuf>,
}

/// The configuration and trust anchors a check trusts (see [`Trust::load`]).
fn trusted(repo: &Repo, trust: &TrustArgs) -> Result<(Config, Anchors)> {
    let mut from = Trust::default();
    from.anchors_from.clone_from(&trust.anchors_from);
    from.allowed_signers.clone_from(&trust.allowed_signers);
    from.openpgp_keys.clone_from(&trust.openpgp_keys);
    Ok(from.load(repo)?)
}

/// Prints the record's refusal of an entry (its rule and why), then `consequence` (what did
/// not happen): exit 1.
fn refusal(rule: &str, message: &str, consequence: &str) -> ExitCode {
    eprintln!("refused [{rule}]: {message}");
    eprintln!("{consequence}");
    ExitCode::from(1)
}

/// [`refusal`] of an entry whose signature does not verify against the trust anchors.
fn untrusted(reason: &str, consequence: &str) -> ExitCode {
    refusal(
        "record-signed",
        &format!("your signature does not verify against the trust anchors: {reason}"),
        consequence,
    )
}

/// Prints violations for people; true when there were none.
fn report_violations(violations: &[relcore::policy::Violation], prefix: &str) -> bool {
    for v in violations {
        eprintln!(
            "{prefix}rejected {} [{}]: {}",
            v.refname,
            v.rule.id(),
            v.message
        );
        eprintln!("{prefix}  hint: {}", v.hint);
    }
    if !violations.is_empty() {
        eprintln!(
            "{prefix}{} polic{} violated; nothing was pushed",
            violations.len(),
            if violations.len() == 1 {
                "y rule"
            } else {
                "y rules"
            }
        );
    }
    violations.is_empty()
}
