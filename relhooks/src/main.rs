//! `rel`: the command line of relcore. Parses arguments, prints results and diagnostics, maps
//! outcomes to exit codes: 0 success, 1 a check failed, 2 usage, configuration or environment error.
//!
//! Each subcommand lives in its own module under `commands/`, with its arguments and its `run`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod render;

use commands::{
    Global, announce, changelog, check, deploy, hook, init, install, lint, log, metrics, next,
    notes, ready, record, registry, release, verify,
};

/// Release management inside git: Conventional Commits, semantic versions, changelogs, signed tags.
#[derive(Debug, Parser)]
#[command(name = "rel", version, about, max_term_width = 100)]
struct Cli {
    /// Run as if rel was started in PATH instead of the current directory.
    #[arg(short = 'C', value_name = "PATH", global = true)]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the next version (without tag prefix) from the commits since the last release.
    Next(next::Args),
    /// List the commits since the last release (or in RANGE), parsed, with the bump each causes.
    Log(log::Args),
    /// Lint a commit message (from FILE, or stdin with `-` or no argument), or every commit of a range.
    Lint(lint::Args),
    /// The entry points git runs (installed by `rel install`).
    #[command(subcommand)]
    Hook(hook::Args),
    /// Write rel's hook shims into the hooks directory git uses (honours core.hooksPath).
    Install(install::Args),
    /// Remove rel's hook shims (and only those), putting chained hooks back.
    Uninstall(install::UninstallArgs),
    /// Evaluate the push policy for CI: the commits of a range as a push of the current branch,
    /// or one ref as if it were pushed now.
    Check(check::Args),
    /// Update CHANGELOG.md in place (new releases and the Unreleased section at the top, every
    /// other byte kept), or print it.
    Changelog(changelog::Args),
    /// Print the release notes of VERSION (default: the upcoming release).
    Notes(notes::Args),
    /// Cut a release: changelog and version files updated, one release commit, one annotated
    /// tag (signed when configured). All or nothing.
    Release(release::Args),
    /// Check that release tags are annotated, signed, and signed by a trusted key (default:
    /// every release tag HEAD contains).
    Verify(verify::Args),
    /// Write a commented rel.toml with every default to the work tree root.
    Init(init::Args),
    /// Record a signed decision on a release for an environment's gate (approve, or
    /// --reject / --revoke) in refs/rel/record, and push it.
    Approve(record::ApproveArgs),
    /// Record a release's artifacts (names, sizes, sha256) in refs/rel/record: once per release.
    Attest(deploy::AttestArgs),
    /// Deploy a release to an environment: every rule checked, `deploy` then `smoke` run, the
    /// promotion and its result recorded (and an automatic rollback when configured).
    Promote(deploy::PromoteArgs),
    /// Deploy the release verified in ENV before the current one (or --to TAG) back, for a reason.
    Rollback(deploy::RollbackArgs),
    /// Push a release's attested artifacts to the OCI registry as one artifact tagged with its
    /// version, and record its manifest digest (a published version is immutable).
    Publish(registry::PublishArgs),
    /// Apply [registry.retention]: delete (by digest) every published version no rule keeps,
    /// record each deletion, and print what was kept and why.
    Prune(registry::PruneArgs),
    /// Run the `[readiness]` checklist against a tagged release (commands in a clean checkout of
    /// the tag), print go/no-go per item with its evidence, and record the review; or record
    /// a waiver of a failed required item (--waive ITEM -m REASON).
    Ready(ready::Args),
    /// Render a release's announcement for each audience (dev, ops, product, support, and each
    /// `[announce.<name>]`): markdown, text, a complete e-mail or JSON; --send delivers and
    /// records it.
    Announce(announce::Args),
    /// DORA metrics of an environment over a window (deployment frequency, lead time, change
    /// failure rate, time to restore) and the coverage figures, each with its counts, from the
    /// record and the history; --html writes a self-contained dashboard.
    Metrics(metrics::Args),
    /// Record an incident in an environment, linked to the deployment it came from; resolve it;
    /// list them.
    #[command(subcommand)]
    Incident(metrics::IncidentArgs),
    /// A release's timeline and gates from the release record (default: releases with an open gate).
    Status(record::StatusArgs),
    /// Replay the whole release record against the policy; exit 1 naming each entry that breaks a rule.
    Audit(record::AuditArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let global = Global {
        dir: cli.dir.unwrap_or_else(|| PathBuf::from(".")),
    };
    let result = match cli.command {
        Command::Next(args) => next::run(args, &global),
        Command::Log(args) => log::run(args, &global),
        Command::Lint(args) => lint::run(args, &global),
        Command::Hook(args) => hook::run(args, &global),
        Command::Install(args) => install::run(args, &global),
        Command::Uninstall(args) => install::run_uninstall(args, &global),
        Command::Check(args) => check::run(args, &global),
        Command::Changelog(args) => changelog::run(args, &global),
        Command::Notes(args) => notes::run(args, &global),
        Command::Release(args) => release::run(args, &global),
        Command::Verify(args) => verify::run(args, &global),
        Command::Init(args) => init::run(args, &global),
        Command::Approve(args) => record::approve(args, &global),
        Command::Status(args) => record::status(args, &global),
        Command::Ready(args) => ready::run(args, &global),
        Command::Announce(args) => announce::run(args, &global),
        Command::Attest(args) => deploy::attest(args, &global),
        Command::Promote(args) => deploy::promote(args, &global),
        Command::Rollback(args) => deploy::rollback(args, &global),
        Command::Audit(args) => record::audit(args, &global),
        Command::Metrics(args) => metrics::run(args, &global),
        Command::Incident(args) => metrics::incident(args, &global),
        Command::Publish(args) => registry::publish(args, &global),
        Command::Prune(args) => registry::prune(args, &global),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`rel log | head -1`): stop quietly, as `git log | head` does
        // from the user's point of view, with status 0.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        // A registry check that failed (a version published with other bytes, a digest that
        // does not match the record): exit 1, like every failed check.
        Err(err)
            if err
                .downcast_ref::<relcore::registry::Error>()
                .is_some_and(relcore::registry::Error::is_check_failure) =>
        {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `err` comes from writing to a pipe whose reader has closed it.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
