//! `rel ready`: the readiness review of a release (the `[readiness]` checklist, go/no-go per
//! item with its evidence, recorded), and `--waive` to let a failed required item pass.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use relcore::readiness::{self, Progress};
use relcore::record::{Appended, ItemStatus, Readiness, Scope};
use serde::Serialize;

use super::record::RecordArgs;
use super::{Global, check, discover, print_json, refusal, trusted, untrusted};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release tag, e.g. v1.2.0.
    tag: String,
    /// Record a waiver of this failed required item instead of running the checklist (needs
    /// a role in readiness.waivers, and -m).
    #[arg(long, value_name = "ITEM")]
    waive: Option<String>,
    /// The waiver's reason, shown in the release notes.
    #[arg(
        short = 'm',
        long = "message",
        value_name = "REASON",
        requires = "waive"
    )]
    reason: Option<String>,
    /// Print one JSON document (the review and its entry).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    on: RecordArgs,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, args.on.trust())?;
    let at = Scope {
        repo: &repo,
        config: &config,
        anchors: &anchors,
        remote: args.on.remote(),
        tag: &args.tag,
    };
    if let Some(item) = &args.waive {
        let Some(reason) = args.reason.as_deref().filter(|r| !r.trim().is_empty()) else {
            bail!(
                "a waiver needs a reason: rel ready {} --waive '{item}' -m REASON",
                args.tag
            );
        };
        return Ok(match readiness::waive(at, item, reason)? {
            Appended::Pushed { entry, actor, .. } => {
                println!(
                    "{actor} waived `{item}` of {} (entry {}): run rel ready {} again",
                    args.tag,
                    entry.to_hex_with_len(7),
                    args.tag
                );
                ExitCode::SUCCESS
            }
            Appended::Refused(v) => refusal(v.rule.id(), &v.message, "nothing was recorded"),
            Appended::Untrusted { reason } => untrusted(&reason, "nothing was recorded"),
            _ => ExitCode::from(1),
        });
    }
    let json = args.json;
    let reviewed = readiness::review(at, &mut |p| match p {
        Progress::Running { item, command } => eprintln!("rel: {item}: running `{command}`"),
        Progress::Checked { result, output } => {
            if let Some(output) = output
                && !json
            {
                eprintln!(
                    "rel: {} {}; its output ends:",
                    result.name,
                    result.status.as_str()
                );
                for line in output.lines() {
                    eprintln!("  | {line}");
                }
            }
        }
        _ => {}
    })?;
    let readiness = &reviewed.readiness;
    let (entry, actor) = match &reviewed.appended {
        Appended::Pushed { entry, actor, .. } => (Some(entry.to_string()), Some(actor.clone())),
        _ => (None, None),
    };
    if json {
        #[derive(Serialize)]
        struct ReadyJson<'a> {
            tag: &'a str,
            go: bool,
            items: &'a [relcore::record::ItemResult],
            recorded: bool,
            entry: Option<String>,
            actor: Option<String>,
        }
        print_json(&ReadyJson {
            tag: &args.tag,
            go: readiness.go,
            items: &readiness.items,
            recorded: entry.is_some(),
            entry: entry.clone(),
            actor,
        })?;
    } else {
        table(&args.tag, readiness)?;
    }
    Ok(match &reviewed.appended {
        Appended::Pushed { entry, actor, .. } => {
            eprintln!(
                "rel: recorded the review of {} as entry {} ({actor})",
                args.tag,
                entry.to_hex_with_len(7)
            );
            check(readiness.go)
        }
        Appended::Refused(violation) => refusal(
            violation.rule.id(),
            &violation.message,
            "the review was not recorded",
        ),
        Appended::Untrusted { reason } => untrusted(reason, "the review was not recorded"),
        _ => ExitCode::from(1),
    })
}

/// The go/no-go table: one row per item with its evidence.
fn table(tag: &str, readiness: &Readiness) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{tag}: {}", if readiness.go { "GO" } else { "NO-GO" })?;
    let width = readiness
        .items
        .iter()
        .map(|i| i.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(
        out,
        "{:width$}  {:8}  {:8}  {:6}  EVIDENCE",
        "ITEM", "KIND", "REQUIRED", "RESULT"
    )?;
    for item in &readiness.items {
        let status = match (item.status, item.required) {
            (ItemStatus::Passed, _) => "pass",
            (ItemStatus::Waived, _) => "waived",
            (ItemStatus::Failed, true) => "FAIL",
            (ItemStatus::Failed, false) => "warn",
            _ => "?",
        };
        writeln!(
            out,
            "{:width$}  {:8}  {:8}  {:6}  {}",
            item.name,
            item.kind,
            if item.required {
                "required"
            } else {
                "advisory"
            },
            status,
            item.evidence
        )?;
    }
    Ok(())
}
