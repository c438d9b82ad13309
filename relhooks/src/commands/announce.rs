//! `rel announce`: a release's announcement for each audience (dev, ops, product, support and
//! every `[announce.<name>]`), printed, or delivered with `--send` and recorded.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use relcore::announce;
use relcore::record::{Appended, Scope};

use super::record::RecordArgs;
use super::{Global, discover, print_json, trusted};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release tag, e.g. v1.2.0.
    tag: String,
    /// Only this audience (default: every one).
    #[arg(long, value_name = "NAME")]
    audience: Option<String>,
    /// Deliver through each audience's command or webhook (those that have one, or the one
    /// named by --audience) and record each delivery.
    #[arg(long)]
    send: bool,
    /// Print one JSON document: each audience's subject, body and message.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    on: RecordArgs,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, args.on.trust())?;
    let remote = args.on.remote();
    // What the record says of the release (readiness, waivers, where it runs): fetched first;
    // only a delivery, which appends to it, needs the remote.
    let tip = if remote.is_empty() {
        repo.resolve(relcore::record::REF).ok()
    } else {
        match relcore::record::fetch(&repo, remote) {
            Ok(tip) => tip,
            Err(e) if !args.send => {
                eprintln!(
                    "warning: cannot fetch the release record from {remote} ({e}); using the local one"
                );
                repo.resolve(relcore::record::REF).ok()
            }
            Err(e) => return Err(e.into()),
        }
    };
    let state = relcore::record::state_at(&repo, tip)?;
    let now = relcore::record::now();
    let mut rendered = announce::render(
        &repo,
        &config,
        &state,
        &args.tag,
        args.audience.as_deref(),
        now,
    )?;
    if !args.send {
        if args.json {
            return print_json(&rendered);
        }
        let mut out = std::io::stdout().lock();
        let several = rendered.len() > 1;
        for (i, r) in rendered.iter().enumerate() {
            if several {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "==> {} ({}) <==", r.audience, r.format.as_str())?;
            }
            write!(out, "{}", r.message)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.audience.is_none() {
        rendered.retain(|r| r.channel.is_some());
        if rendered.is_empty() {
            bail!(
                "no audience has a command or webhook to send through: set announce.<audience>.command or .webhook in rel.toml"
            );
        }
    }
    let sent = announce::send(
        Scope {
            repo: &repo,
            config: &config,
            anchors: &anchors,
            remote,
            tag: &args.tag,
        },
        &rendered,
    )?;
    let mut ok = true;
    for s in &sent {
        let audience = &s.audience;
        match &s.outcome {
            Ok(Appended::Pushed { entry, .. }) => println!(
                "sent the {audience} announcement of {} through its {}; recorded as entry {}",
                args.tag,
                s.channel,
                entry.to_hex_with_len(7)
            ),
            Ok(Appended::Refused(violation)) => {
                ok = false;
                super::refusal(
                    violation.rule.id(),
                    &violation.message,
                    &format!("the {audience} announcement was not sent"),
                );
            }
            Ok(Appended::Untrusted { reason }) => {
                ok = false;
                super::untrusted(reason, &format!("the {audience} announcement was not sent"));
            }
            Err(error) => {
                ok = false;
                eprintln!("error: the {audience} announcement was not sent: {error}");
            }
            _ => ok = false,
        }
    }
    Ok(super::check(ok))
}
