//! `rel verify`: release tags annotated, signed, and signed by a trusted key.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use relcore::signature;
use serde::Serialize;

use super::progress::Progress;
use super::{Global, TrustArgs, check, discover, print_json, trusted};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    trust: TrustArgs,
    /// Tags to check.
    tags: Vec<String>,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let names = &args.tags;
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, &args.trust)?;
    let tags = signature::select(&repo, &config.version.tag_prefix, names)?;
    // Each verification may run gpg or ssh-keygen: a spinner on a terminal, cleared before
    // the results are printed.
    let progress = Progress::spinner("verifying", false);
    let mut verdicts = Vec::new();
    for (n, tag) in tags.iter().enumerate() {
        progress.say(format!(
            "verifying {} ({} of {})",
            tag.name,
            n + 1,
            tags.len()
        ));
        verdicts.push(signature::verify(&repo, tag, &anchors)?);
    }
    progress.done();
    let ok = verdicts.iter().all(|v| v.is_ok());
    if args.json {
        #[derive(Serialize)]
        struct VerifyJson<'a> {
            ok: bool,
            tags: &'a [signature::Verdict],
        }
        print_json(&VerifyJson {
            ok,
            tags: &verdicts,
        })?;
        return Ok(check(ok));
    }
    let mut out = std::io::stdout().lock();
    for v in &verdicts {
        match (&v.failed, &v.signer) {
            (None, signer) => writeln!(
                out,
                "{}: ok ({} signature by {})",
                v.tag,
                v.format.map_or("", signature::Format::as_str),
                signer.as_deref().unwrap_or("?")
            )?,
            (Some(check), _) => writeln!(
                out,
                "{}: FAILED [{}]: {}",
                v.tag,
                check.id(),
                v.reason.as_deref().unwrap_or_default()
            )?,
        }
    }
    if tags.is_empty() {
        eprintln!("no release tags to verify");
    }
    Ok(check(ok))
}
