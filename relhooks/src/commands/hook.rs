//! `rel hook ...`: the entry points git runs, reading git's own hook protocols.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use relcore::lint;
use relcore::paths::Root;
use relcore::policy::{self, Push, RefUpdate};
use relcore::signature::Anchors;
use relcore::{Config, Repo};

use super::{Global, all_refs, check, open, parse_id, read_stdin, report_violations};
use crate::render::{self, Style};

#[derive(Debug, clap::Subcommand)]
pub enum Args {
    /// Lint the message git is about to record (comments and the scissors part removed).
    CommitMsg {
        /// The message file git passes (.git/COMMIT_EDITMSG).
        file: PathBuf,
    },
    /// Check a push against the policy before it leaves (reads git's pre-push lines on stdin).
    PrePush {
        /// The remote's name (or URL).
        remote: String,
        /// The remote's URL.
        url: Option<String>,
    },
    /// Server side: check a whole push against $GIT_DIR/rel.toml (reads `<old> <new> <ref>` lines).
    PreReceive,
    /// Server side: check one ref update against $GIT_DIR/rel.toml.
    Update {
        /// The ref.
        refname: String,
        /// Its old value.
        old: String,
        /// Its new value.
        new: String,
    },
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let dir = &global.dir;
    match args {
        Args::CommitMsg { file } => commit_msg(dir, &file),
        Args::PrePush { remote, .. } => pre_push(dir, &remote),
        Args::PreReceive => pre_receive(dir, None),
        Args::Update { refname, old, new } => {
            pre_receive(dir, Some(format!("{old} {new} {refname}")))
        }
    }
}

fn commit_msg(dir: &Path, file: &Path) -> Result<ExitCode> {
    let (repo, config) = open(dir)?;
    let raw = super::lint::read_message(Some(file))?;
    // issue 10: belongs in relcore (linting an edited message file: its cleanup)
    let comment = lint::comment_for(repo.comment_setting().as_deref(), &raw);
    let report = lint::lint(&lint::cleanup(&raw, &comment), &config.commits);
    if report.is_ok() {
        return Ok(ExitCode::SUCCESS);
    }
    let style = Style::for_stderr();
    eprint!("{}", render::report(&report, "commit message", style));
    let n = report.diagnostics.len();
    eprintln!(
        "rel: commit refused ({n} problem{}). Your message is kept in {}; edit it and commit again with:\n  git commit -e -F {}",
        if n == 1 { "" } else { "s" },
        file.display(),
        file.display()
    );
    Ok(ExitCode::from(1))
}

fn pre_push(dir: &Path, remote: &str) -> Result<ExitCode> {
    let (repo, config) = open(dir)?;
    let anchors = Anchors::from_config(&config, &Root::of(&repo))?;
    let input = String::from_utf8_lossy(&read_stdin()?).into_owned();
    // issue 10: belongs in relcore (building a policy push from the pre-push protocol)
    let mut push = Push::default();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_local_ref, local_id, remote_ref, remote_id] = fields[..] else {
            bail!(
                "cannot read the pre-push line `{line}`: expected `<local ref> <local id> <remote ref> <remote id>`"
            );
        };
        push.updates.push(RefUpdate::new(
            remote_ref,
            parse_id(remote_id)?,
            parse_id(local_id)?,
        ));
        if !parse_id(remote_id)?.is_null() {
            push.remote_refs
                .push((remote_ref.to_owned(), parse_id(remote_id)?));
        }
    }
    // What the remote has, as far as this clone knows: its remote-tracking branches.
    // issue 10: belongs in relcore (the remote-tracking branches of a remote); touches gix
    let prefix = format!("refs/remotes/{remote}/");
    let platform = repo.gix().references()?;
    for reference in platform.prefixed(prefix.as_str())? {
        let Ok(reference) = reference else { continue };
        let name = reference.name().as_bstr().to_string();
        if let (Some(branch), Some(id)) = (name.strip_prefix(&prefix), reference.try_id())
            && branch != "HEAD"
        {
            push.remote_refs
                .push((format!("refs/heads/{branch}"), id.detach()));
        }
    }
    let violations = policy::evaluate(&repo, &config, &anchors, &push)?;
    Ok(check(report_violations(&violations, "rel: ")))
}

/// pre-receive reads its lines from stdin; update gives its one line as `single`.
fn pre_receive(dir: &Path, single: Option<String>) -> Result<ExitCode> {
    // A server: the policy and trust anchors come from $GIT_DIR, never from what is pushed.
    // issue 10: belongs in relcore (opening the receiving repository with its own config)
    let git_dir = match std::env::var_os("GIT_DIR") {
        Some(d) => dir.join(d),
        None => dir.to_owned(),
    };
    let quarantine = std::env::var_os("GIT_QUARANTINE_PATH").map(PathBuf::from);
    let repo = Repo::open_receiving(&git_dir, quarantine.as_deref())?;
    let config = Config::load(&git_dir.join(relcore::config::FILE_NAME))?;
    let anchors = Anchors::from_config(&config, &Root::git_dir(&git_dir))?;
    let input = match single {
        Some(line) => line,
        None => String::from_utf8_lossy(&read_stdin()?).into_owned(),
    };
    // issue 10: belongs in relcore (building a policy push from the pre-receive/update protocol)
    let mut push = Push::default();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [old, new, name] = fields[..] else {
            bail!("cannot read the hook line `{line}`: expected `<old> <new> <ref>`");
        };
        push.updates
            .push(RefUpdate::new(name, parse_id(old)?, parse_id(new)?));
    }
    // Before the update, the server's refs are what the remote has.
    push.remote_refs = all_refs(&repo)?;
    let violations = policy::evaluate(&repo, &config, &anchors, &push)?;
    Ok(check(report_violations(&violations, "")))
}
