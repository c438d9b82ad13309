//! `rel hook ...`: the entry points git runs, reading git's own hook protocols.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use relcore::lint::MessageRules;
use relcore::policy::{self, Push, Receiving};
use relcore::signature::Anchors;

use super::{Global, check, open, read_stdin, report_violations};
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
    let report = MessageRules::of(&repo, config).lint(&raw);
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
    let anchors = Anchors::from_config(&config, &repo.root())?;
    let input = String::from_utf8_lossy(&read_stdin()?).into_owned();
    let push = Push::from_pre_push(&repo, remote, &input)?;
    let violations = policy::evaluate(&repo, &config, &anchors, &push)?;
    Ok(check(report_violations(&violations, "rel: ")))
}

/// pre-receive reads its lines from stdin; update gives its one line as `single`.
fn pre_receive(dir: &Path, single: Option<String>) -> Result<ExitCode> {
    // A server: the policy and trust anchors come from $GIT_DIR, never from what is pushed.
    let git_dir = match std::env::var_os("GIT_DIR") {
        Some(d) => dir.join(d),
        None => dir.to_owned(),
    };
    let quarantine = std::env::var_os("GIT_QUARANTINE_PATH").map(PathBuf::from);
    let Receiving {
        repo,
        config,
        anchors,
        ..
    } = Receiving::open(&git_dir, quarantine.as_deref())?;
    let input = match single {
        Some(line) => line,
        None => String::from_utf8_lossy(&read_stdin()?).into_owned(),
    };
    let push = Push::from_pre_receive(&repo, &input)?;
    let violations = policy::evaluate(&repo, &config, &anchors, &push)?;
    Ok(check(report_violations(&violations, "")))
}
