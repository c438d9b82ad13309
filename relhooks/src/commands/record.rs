//! `rel approve`, `rel status`, `rel audit`: the release record (`refs/rel/record`).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use relcore::record::{self, Appended, Event};
use serde::Serialize;

use super::{Global, TrustArgs, check, discover, print_json, refusal, trusted, untrusted};

/// Which record a command works on, and whom it trusts.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// The remote whose record is fetched first and pushed to (`--remote ''`: the local record
    /// as it is, nothing fetched).
    #[arg(long, default_value = "origin")]
    remote: String,
    #[command(flatten)]
    trust: TrustArgs,
}

impl RecordArgs {
    /// The remote (empty: the local record).
    pub fn remote(&self) -> &str {
        &self.remote
    }

    /// Whom to trust.
    pub fn trust(&self) -> &TrustArgs {
        &self.trust
    }
}

#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The release tag, e.g. v1.2.0.
    tag: String,
    /// The environment whose gate this decision is for.
    #[arg(long = "for", value_name = "ENV")]
    environment: String,
    /// Reject the release for ENV instead (it is blocked until the rejection is revoked).
    #[arg(long, conflicts_with = "revoke")]
    reject: bool,
    /// Withdraw your own approval or rejection.
    #[arg(long)]
    revoke: bool,
    /// A note kept with the decision.
    #[arg(short = 'm', long = "message", value_name = "NOTE")]
    note: Option<String>,
    #[command(flatten)]
    on: RecordArgs,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The release tag (default: every release with an open gate).
    tag: Option<String>,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    on: RecordArgs,
}

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    on: RecordArgs,
}

pub fn approve(args: ApproveArgs, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, &args.on.trust)?;
    let event = match (args.reject, args.revoke) {
        (true, _) => Event::Reject,
        (_, true) => Event::Revoke,
        _ => Event::Approve,
    };
    let mut draft = record::Draft::new(event, &args.tag, &args.environment);
    draft.note.clone_from(&args.note);
    let appended = record::append(&repo, &config, &anchors, &args.on.remote, &draft)?;
    match appended {
        Appended::Pushed {
            entry,
            state,
            actor,
        } => {
            let verb = match event {
                Event::Approve => "approved",
                Event::Reject => "rejected",
                _ => "revoked the decision on",
            };
            println!(
                "{actor} {verb} {} for {} (entry {})",
                args.tag,
                args.environment,
                entry.to_hex_with_len(7)
            );
            let (tag_object, _) = record::release_of(&repo, &args.tag)?;
            if let Some(gate) = state.gate(&config, &args.tag, tag_object, &args.environment) {
                println!("{}", summary(&gate));
            }
            Ok(ExitCode::SUCCESS)
        }
        Appended::Refused(v) => Ok(refusal(v.rule.id(), &v.message, "nothing was recorded")),
        Appended::Untrusted { reason } => Ok(untrusted(
            &reason,
            "  hint: sign with a key in policy.allowed_signers or policy.openpgp_keys (git config user.signingkey, gpg.format)",
        )),
        _ => Ok(ExitCode::from(1)),
    }
}

pub fn status(args: StatusArgs, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, &args.on.trust)?;
    let tip = record::fetch(&repo, &args.on.remote)?;
    let Some(tag) = &args.tag else {
        let overview = record::overview(&repo, &config, tip)?;
        if args.json {
            return print_json(&overview);
        }
        let mut out = std::io::stdout().lock();
        for (env, running) in &overview.environments {
            match running {
                None => writeln!(out, "{env}: nothing deployed")?,
                Some(d) => writeln!(
                    out,
                    "{env}: {} {} (since {}, {} by {}){}",
                    d.tag,
                    match &d.result {
                        Some(r) if r.verified => "verified",
                        Some(_) => "FAILED",
                        None => "deploying, no result yet",
                    },
                    d.time,
                    if d.event == Event::Rollback {
                        "rolled back"
                    } else {
                        "promoted"
                    },
                    d.actor,
                    overview
                        .published
                        .iter()
                        .rev()
                        .find(|p| p.tag == d.tag && p.tag_object == d.tag_object)
                        .map(|p| format!("\n  artifacts: {}", p.location.reference()))
                        .unwrap_or_default()
                )?,
            }
        }
        for p in &overview.published {
            writeln!(out, "{} artifacts: {}", p.tag, p.location.reference())?;
        }
        if overview.open_gates.is_empty() {
            writeln!(out, "no release has an open gate")?;
        }
        for (tag, gate) in &overview.open_gates {
            writeln!(out, "{tag}  {}", summary(gate))?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    let status = record::status(&repo, &config, &anchors, tag, tip)?;
    if args.json {
        return print_json(&status);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} ({} on {})",
        status.tag,
        &status.tag_object[..7],
        &status.commit[..7]
    )?;
    writeln!(
        out,
        "  tagged by {}, {}",
        status.tagger.as_deref().unwrap_or("?"),
        match (&status.signature, &status.signed_by) {
            (Some(format), Some(signer)) => format!("{} signature by {signer}", format.as_str()),
            (Some(format), None) => format!("{} signature NOT trusted", format.as_str()),
            (None, _) => "not signed".to_owned(),
        }
    )?;
    for step in &status.timeline {
        let place = match (step.environment.as_str(), step.event.is_decision()) {
            ("", _) => String::new(),
            (env, true) => format!(" for {env}"),
            (env, false) => format!(" in {env}"),
        };
        writeln!(
            out,
            "  {} {}{} by {}{}{}",
            &step.entry[..7],
            step.event.as_str(),
            place,
            step.signer.as_deref().unwrap_or("an UNTRUSTED signer"),
            if step.roles.is_empty() {
                String::new()
            } else {
                format!(" ({})", step.roles.join(", "))
            },
            step.note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        )?;
    }
    for gate in &status.gates {
        writeln!(out, "{}", summary(gate))?;
    }
    for (env, d) in &status.deployments {
        let result = match &d.result {
            Some(r) if r.verified => "verified",
            Some(_) => "FAILED",
            None => "no result yet",
        };
        writeln!(out, "{env}: {} {result}", d.event.as_str())?;
    }
    for p in &status.published {
        match &p.pruned {
            None => writeln!(out, "artifacts: {}", p.location.reference())?,
            Some(pruned) => writeln!(
                out,
                "artifacts: {} (pruned by {} at {})",
                p.location.reference(),
                pruned.actor,
                pruned.time
            )?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn audit(args: AuditArgs, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, &args.on.trust)?;
    let tip = record::fetch(&repo, &args.on.remote)?;
    let (entries, violations) = match tip {
        Some(tip) => record::audit(&repo, &config, &anchors, tip)?,
        None => (0, Vec::new()),
    };
    let ok = violations.is_empty();
    if args.json {
        #[derive(Serialize)]
        struct AuditJson<'a> {
            ok: bool,
            entries: usize,
            violations: &'a [record::Violation],
        }
        print_json(&AuditJson {
            ok,
            entries,
            violations: &violations,
        })?;
        return Ok(check(ok));
    }
    for v in &violations {
        let entry = v.entry.as_deref().map_or("?", |e| &e[..7]);
        println!("entry {entry}: [{}] {}", v.rule.id(), v.message);
    }
    println!(
        "{entries} entr{} audited, {} violation{}",
        if entries == 1 { "y" } else { "ies" },
        violations.len(),
        if violations.len() == 1 { "" } else { "s" }
    );
    Ok(check(ok))
}

/// `production: 1 of 2 — still needs: product-owner | sre`.
fn summary(gate: &record::Gate) -> String {
    let head = format!(
        "{}: {} of {}",
        gate.environment,
        gate.approvals.len(),
        gate.required.len()
    );
    if !gate.rejected_by.is_empty() {
        format!("{head} — rejected by {}", gate.rejected_by.join(", "))
    } else if gate.satisfied {
        format!("{head} — approved")
    } else {
        format!("{head} — still needs: {}", gate.missing.join(", "))
    }
}
