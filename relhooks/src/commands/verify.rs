//! `rel verify`: release tags annotated, signed, and signed by a trusted key.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use relcore::{record, signature};
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
    /// Check a downloaded file against the artifacts the release attested in the release
    /// record (one TAG; repeatable).
    #[arg(long = "artifact", value_name = "FILE")]
    artifacts: Vec<std::path::PathBuf>,
    /// The remote whose release record is fetched for --artifact (`''`: the local record;
    /// a remote that does not exist: the local record too).
    #[arg(long, default_value = "origin")]
    remote: String,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let names = &args.tags;
    let repo = discover(&global.dir)?;
    let (config, anchors) = trusted(&repo, &args.trust)?;
    if !args.artifacts.is_empty() {
        return artifacts(&args, &repo, &config, &anchors);
    }
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

/// `rel verify TAG --artifact FILE...`: the tag verified, then each file matched by its sha256
/// against the artifacts the release attested.
fn artifacts(
    args: &Args,
    repo: &relcore::Repo,
    config: &relcore::Config,
    anchors: &signature::Anchors,
) -> Result<ExitCode> {
    let [tag] = &args.tags[..] else {
        anyhow::bail!("--artifact checks files against one release: name exactly one TAG");
    };
    let selected = signature::select(repo, &config.version.tag_prefix, std::slice::from_ref(tag))?;
    let mut ok = true;
    let mut out = std::io::stdout().lock();
    for t in &selected {
        let verdict = signature::verify(repo, t, anchors)?;
        if !verdict.is_ok() {
            ok = false;
            writeln!(
                out,
                "{tag}: FAILED: {}",
                verdict.reason.as_deref().unwrap_or_default()
            )?;
        }
    }
    let tip = if args.remote.is_empty() || repo.remote_url(&args.remote).is_none() {
        repo.resolve(record::REF).ok()
    } else {
        record::fetch(repo, &args.remote)?
    };
    let state = record::state_at(repo, tip)?;
    let attested = record::attested_artifacts(repo, &state, tag)?;
    for path in &args.artifacts {
        let file = record::artifact(path)?;
        let shown = path.display();
        let found = attested
            .as_deref()
            .and_then(|set| record::find_artifact(set, &file));
        match found {
            Some(a) => writeln!(
                out,
                "{shown}: matches artifact `{}` of {tag} (sha256 {})",
                a.name, a.sha256
            )?,
            None => {
                ok = false;
                if attested.is_none() {
                    writeln!(
                        out,
                        "{shown}: matches no attested artifact of {tag}: it attested none"
                    )?;
                } else {
                    writeln!(
                        out,
                        "{shown}: matches no attested artifact of {tag} (sha256 {})",
                        file.sha256
                    )?;
                }
            }
        }
    }
    Ok(check(ok))
}
