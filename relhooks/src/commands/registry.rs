//! `rel publish`, `rel prune`: a release's attested artifacts in the OCI registry, and the
//! retention policy applied to it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use relcore::registry::{self, Published};

use super::record::RecordArgs;
use super::{Global, discover, print_json, refusal, trusted, untrusted};

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// The release tag, e.g. v1.2.0.
    tag: String,
    /// The attested files, or directories to find them in (by content). Default: where `rel
    /// attest` (or `rel release --artifact`) read them, else anywhere in the work tree.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    on: RecordArgs,
}

#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    /// Print what would be kept and deleted, and delete nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    on: RecordArgs,
}

pub fn publish(args: PublishArgs, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, args.on.trust())?;
    let published = registry::publish(
        &repo,
        &config,
        &anchors,
        args.on.remote(),
        &args.tag,
        &args.paths,
    )?;
    match published {
        Published::Pushed {
            location,
            entry,
            actor,
            files,
            already_there,
        } => {
            println!(
                "{actor} published {} ({} file(s){}; entry {})",
                location.reference(),
                files.len(),
                if already_there {
                    ", already in the registry"
                } else {
                    ""
                },
                entry.to_hex_with_len(7)
            );
            for (a, path) in &files {
                println!(
                    "  {}  {} ({} bytes, from {})",
                    a.sha256,
                    a.name,
                    a.size,
                    path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Published::Already { location, restored } => {
            println!(
                "{} is already published: {}{}",
                args.tag,
                location.reference(),
                if restored {
                    " (the registry had lost it; pushed again, same digest)"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Published::Refused(v) => Ok(refusal(
            v.rule.id(),
            &v.message,
            "nothing was pushed or recorded",
        )),
        Published::Untrusted { reason } => Ok(untrusted(&reason, "nothing was pushed or recorded")),
        Published::Unrecorded { location, why } => {
            eprintln!(
                "error: {} is in the registry, but the record refused its entry after the push: {why}",
                location.reference()
            );
            eprintln!("run rel publish {} again to record it", args.tag);
            Ok(ExitCode::from(1))
        }
        _ => Ok(ExitCode::from(1)),
    }
}

pub fn prune(args: PruneArgs, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, args.on.trust())?;
    let pruning = registry::prune(&repo, &config, &anchors, args.on.remote(), args.dry_run)?;
    let failed = pruning.refused.is_some();
    let code = if pruning.stopped.is_some() {
        ExitCode::from(2)
    } else {
        super::check(!failed)
    };
    if args.json {
        print_json(&pruning)?;
        return Ok(code);
    }
    let mut out = std::io::stdout().lock();
    let rows: Vec<[String; 5]> = pruning
        .planned
        .iter()
        .map(|p| {
            let publication = &p.publication;
            let skipped = pruning
                .skipped
                .iter()
                .any(|(published, _)| *published == publication.entry);
            let action = if !p.deletes() {
                "keep"
            } else if skipped {
                "skipped"
            } else if pruning.dry_run {
                "delete (dry run)"
            } else if pruning
                .deleted
                .iter()
                .any(|(published, _)| *published == publication.entry)
            {
                "deleted"
            } else {
                "delete (not done)"
            };
            let reason = if p.deletes() {
                "no retention rule keeps it".to_owned()
            } else {
                p.keep
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            [
                publication.location.tag.clone(),
                publication.tag.clone(),
                publication.location.digest.chars().take(19).collect(),
                action.to_owned(),
                reason,
            ]
        })
        .collect();
    let header = ["VERSION", "RELEASE", "DIGEST", "ACTION", "REASON"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    writeln!(out, "{}", pruning.repository)?;
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    let doomed = pruning.planned.iter().filter(|p| p.deletes()).count();
    let kept = pruning.planned.len() - doomed;
    if pruning.dry_run {
        writeln!(
            out,
            "{kept} kept, {doomed} to delete (dry run: nothing deleted)"
        )?;
    } else {
        writeln!(out, "{kept} kept, {} deleted", pruning.deleted.len())?;
    }
    for (_, why) in &pruning.skipped {
        eprintln!("warning: skipped: {why}");
    }
    if let Some(error) = &pruning.stopped {
        eprintln!("error: pruning stopped: {error}");
    }
    if let Some(v) = &pruning.refused {
        eprintln!("refused [{}]: {}", v.rule.id(), v.message);
        if pruning.deleted_unrecorded {
            eprintln!(
                "the registry deleted it, but the record refused the `prune` entry; pruning stopped"
            );
        } else {
            eprintln!("nothing more was deleted");
        }
    }
    Ok(code)
}
