//! `rel changelog`: CHANGELOG.md updated in place (every other byte kept), or printed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use relcore::changelog::{self as cl, Mode, Outcome};

use super::progress::Progress;
use super::{Global, open, warn};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only the Unreleased section (the commits since the last release).
    #[arg(long, conflicts_with = "all")]
    unreleased: bool,
    /// Regenerate every release from the whole history (keeps the file's title and intro).
    #[arg(long)]
    all: bool,
    /// Print the new sections (with --all: the whole changelog) instead of writing the file.
    #[arg(long, conflicts_with = "output")]
    stdout: bool,
    /// Update FILE instead of the `[changelog] path` file.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print the template context (the releases, as JSON) instead of rendering it.
    #[arg(long)]
    context: bool,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let Args {
        unreleased,
        all,
        stdout,
        output,
        context,
    } = args;
    let mode = match (unreleased, all) {
        (true, _) => Mode::Unreleased,
        (_, true) => Mode::All,
        _ => Mode::New,
    };
    let (repo, config) = open(&global.dir)?;
    let mut update = cl::update(&repo, &config, mode, output)?;

    // Counts the releases as they are rendered; shown only when stderr is a terminal. Only
    // `--context` and `--all --stdout` stream to stdout while it turns.
    let streams = context || (stdout && mode == Mode::All);
    let progress = Progress::spinner("reading the history", streams);
    let (mut rendered, mut commits) = (0_usize, 0_usize);
    let mut counted = |release: &cl::Release| {
        rendered += 1;
        commits += release.counts.commits;
        progress.say(format!(
            "{rendered} release{} rendered ({commits} commit{}), the last {}",
            if rendered == 1 { "" } else { "s" },
            if commits == 1 { "" } else { "s" },
            release.version.as_deref().unwrap_or("Unreleased")
        ));
    };

    if context {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{{\"releases\": [")?;
        let mut first = true;
        update.each_context(|release| -> Result<()> {
            counted(&release);
            if !first {
                writeln!(out, ",")?;
            }
            first = false;
            serde_json::to_writer_pretty(&mut out, &release)?;
            Ok(())
        })?;
        writeln!(out, "\n]}}")?;
        progress.done();
        warn(update.warnings());
        return Ok(ExitCode::SUCCESS);
    }

    if stdout {
        if mode == Mode::All {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            update.write_all::<anyhow::Error>(&mut out, counted)?;
            out.flush()?;
            progress.done();
            warn(update.warnings());
        } else {
            let sections = update.sections(counted)?;
            progress.done();
            warn(update.warnings());
            write!(std::io::stdout(), "{}", sections.join("\n"))?;
        }
        return Ok(ExitCode::SUCCESS);
    }

    let outcome = update.write_file(counted)?;
    progress.done();
    let path = update.path().display();
    match outcome {
        Outcome::Wrote => {
            eprintln!("wrote {path}");
            warn(update.warnings());
        }
        Outcome::UpToDate => {
            warn(update.warnings());
            eprintln!("{path} is up to date");
        }
        _ => {
            warn(update.warnings());
            eprintln!("updated {path}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
