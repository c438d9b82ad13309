//! `rel attest`, `rel promote`, `rel rollback`: artifacts bound to a release, and the release
//! deployed through environments with the record keeping score.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use relcore::record::{self, Appended, Deployed, Progress, Target};

use super::record::RecordArgs;
use super::{Global, discover, refusal, trusted, untrusted};

#[derive(Debug, clap::Args)]
pub struct AttestArgs {
    /// The release tag, e.g. v1.2.0.
    tag: String,
    /// The artifact files: their names, sizes and sha256 digests are recorded.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    on: RecordArgs,
}

#[derive(Debug, clap::Args)]
pub struct PromoteArgs {
    /// The release tag, e.g. v1.2.0.
    tag: String,
    /// The environment to deploy it to.
    #[arg(long = "to", value_name = "ENV")]
    environment: String,
    /// The artifact files to deploy: each must be one the release attested. Without it, a
    /// release published to the configured registry is pulled from there by its recorded digest.
    #[arg(
        long = "artifact",
        value_name = "PATH",
        conflicts_with = "from_registry"
    )]
    artifacts: Vec<PathBuf>,
    /// Pull the artifacts from the registry by the digest `rel publish` recorded (every file
    /// checked against its attested sha256); an error when the release is not published.
    #[arg(long)]
    from_registry: bool,
    #[command(flatten)]
    on: RecordArgs,
}

#[derive(Debug, clap::Args)]
pub struct RollbackArgs {
    /// The environment to roll back.
    environment: String,
    /// The release to go back to (default: the one verified there before the current one); it
    /// must have been verified there.
    #[arg(long = "to", value_name = "TAG")]
    to: Option<String>,
    /// Why (required): kept in the record.
    #[arg(short = 'm', long = "message", value_name = "REASON", required = true)]
    reason: String,
    /// The artifact files to deploy, when the release attested some.
    #[arg(long = "artifact", value_name = "PATH")]
    artifacts: Vec<PathBuf>,
    #[command(flatten)]
    on: RecordArgs,
}

pub fn attest(args: AttestArgs, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, args.on.trust())?;
    let appended = record::attest(
        &repo,
        &config,
        &anchors,
        args.on.remote(),
        &args.tag,
        &args.paths,
    )?;
    match appended {
        Appended::Pushed { entry, actor, .. } => {
            println!(
                "{actor} attested {} artifact(s) of {} (entry {})",
                args.paths.len(),
                args.tag,
                entry.to_hex_with_len(7)
            );
            for path in &args.paths {
                let a = record::artifact(path)?;
                println!("  {}  {} ({} bytes)", a.sha256, a.name, a.size);
            }
            Ok(ExitCode::SUCCESS)
        }
        other => refused(other),
    }
}

pub fn promote(args: PromoteArgs, global: &Global) -> Result<ExitCode> {
    deploy(global, &args.on, &args.environment, |target| {
        let registry = args.from_registry || target.config.registry.repository.is_some();
        if !args.artifacts.is_empty() || !registry {
            return Ok(record::promote(
                target,
                &args.tag,
                &args.artifacts,
                &mut show,
            )?);
        }
        let (_, deployed) =
            relcore::registry::promote(target, &args.tag, args.from_registry, &mut show)?;
        Ok(deployed)
    })
}

pub fn rollback(args: RollbackArgs, global: &Global) -> Result<ExitCode> {
    deploy(global, &args.on, &args.environment, |target| {
        Ok(record::rollback(
            target,
            args.to.as_deref(),
            &args.reason,
            &args.artifacts,
            &mut show,
        )?)
    })
}

/// Runs a deployment to `environment` (`run`, given where) and reports how it ended.
fn deploy(
    global: &Global,
    on: &RecordArgs,
    environment: &str,
    run: impl FnOnce(Target<'_>) -> Result<Deployed>,
) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, on.trust())?;
    let deployed = run(Target {
        repo: &repo,
        config: &config,
        anchors: &anchors,
        remote: on.remote(),
        environment,
    })?;
    finish(deployed, environment)
}

/// Progress on stderr, so stdout keeps the commands' own output and the summary.
fn show(progress: Progress) {
    match progress {
        Progress::Recorded {
            event,
            tag,
            environment,
            entry,
        } => eprintln!(
            "rel: recorded {} {tag} in {environment} (entry {})",
            event.as_str(),
            entry.to_hex_with_len(7)
        ),
        Progress::Pulled { reference, files } => {
            eprintln!("rel: pulled {} file(s) from {reference}:", files.len());
            for file in files {
                eprintln!("rel:   {}", file.display());
            }
        }
        Progress::Running { step, command, tag } => {
            eprintln!("rel: {step} {tag}: {command}");
        }
        _ => {}
    }
}

fn finish(deployed: Deployed, environment: &str) -> Result<ExitCode> {
    match deployed {
        Deployed::Refused(v) => Ok(refusal(
            v.rule.id(),
            &v.message,
            "nothing was deployed or recorded",
        )),
        Deployed::Untrusted { reason } => refused(Appended::Untrusted { reason }),
        Deployed::Ran {
            tag: running,
            verified,
            outcome,
            rollback,
            ..
        } => {
            if verified {
                println!(
                    "{running} verified in {environment} ({} ms)",
                    outcome.duration_ms
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "{running} FAILED in {environment}: {} {}",
                outcome.step,
                match (outcome.timed_out, outcome.exit_code) {
                    (true, _) => "timed out".to_owned(),
                    (false, Some(code)) => format!("exited {code}"),
                    (false, None) => "was killed".to_owned(),
                }
            );
            match rollback {
                Some((back, true)) => {
                    println!("rolled back: {back} runs in {environment} again, verified");
                }
                Some((back, false)) => {
                    println!("rolled back to {back}, which FAILED its smoke test too");
                }
                None => {}
            }
            Ok(ExitCode::from(1))
        }
        _ => Ok(ExitCode::from(1)),
    }
}

fn refused(appended: Appended) -> Result<ExitCode> {
    Ok(match appended {
        Appended::Refused(v) => refusal(v.rule.id(), &v.message, "nothing was recorded"),
        Appended::Untrusted { reason } => untrusted(&reason, "nothing was recorded"),
        _ => ExitCode::from(1),
    })
}
