//! `rel changelog`: CHANGELOG.md updated in place (every other byte kept), or printed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use relcore::changelog::{self as cl, Releases, Templates};
use relcore::paths::Root;

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

/// Which sections `rel changelog` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The releases not yet in the file, and the Unreleased section.
    New,
    /// Only the Unreleased section.
    Unreleased,
    /// Every release, from the whole history.
    All,
}

// issue 10: belongs in relcore (updating a changelog file: which releases, where they go)
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
    let root = Root::of(&repo);
    let templates = Templates::new(&config, &root)?;
    // `-o FILE` is the user's choice, anywhere; `changelog.path` stays in the work tree.
    let path = match output {
        Some(path) => path,
        None => root.resolve("changelog.path", &config.changelog.path)?,
    };
    // Read as bytes, and only a regular file: a symlink, FIFO or device is refused unopened.
    let existing = relcore::paths::read(&path)?;
    let layout = cl::layout(existing.as_deref().unwrap_or_default());
    let eol = layout.line_ending;

    // Counts the releases as they are rendered; shown only when stderr is a terminal. Only
    // `--context` and `--all --stdout` stream to stdout while it turns.
    let streams = context || (stdout && mode == Mode::All);
    let progress = Progress::spinner("reading the history", streams);
    let (mut rendered, mut commits) = (0_usize, 0_usize);
    let mut releases = Releases::new(&repo, &config)?;
    // Each release is built, rendered and handed to `emit` in turn, newest first.
    let mut each_release =
        |emit: &mut dyn FnMut(&cl::Release, String) -> Result<()>| -> Result<()> {
            loop {
                // Stop before building a release the file already has (or any, for --unreleased).
                let wanted = match releases.peek() {
                    None => false,
                    Some(None) => true,
                    Some(Some(tag)) => match mode {
                        Mode::Unreleased => false,
                        Mode::New => !layout.versions.contains(&tag.version.to_string()),
                        Mode::All => true,
                    },
                };
                let Some((range, release)) = wanted
                    .then(|| releases.next_release())
                    .transpose()?
                    .flatten()
                else {
                    break;
                };
                // HEAD on a release has no unreleased commits: what came is that release.
                let present =
                    |tag: &relcore::ReleaseTag| layout.versions.contains(&tag.version.to_string());
                match (&range.tag, mode) {
                    (Some(_), Mode::Unreleased) => break,
                    (Some(tag), Mode::New) if present(tag) => break,
                    _ => {}
                }
                let section = templates.changelog_section(&release)?;
                rendered += 1;
                commits += release.counts.commits;
                progress.say(format!(
                    "{rendered} release{} rendered ({commits} commit{}), the last {}",
                    if rendered == 1 { "" } else { "s" },
                    if commits == 1 { "" } else { "s" },
                    release.version.as_deref().unwrap_or("Unreleased")
                ));
                emit(&release, section)?;
            }
            Ok(())
        };

    if context {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{{\"releases\": [")?;
        let mut first = true;
        each_release(&mut |release, _| {
            if !first {
                writeln!(out, ",")?;
            }
            first = false;
            serde_json::to_writer_pretty(&mut out, release)?;
            Ok(())
        })?;
        writeln!(out, "\n]}}")?;
        progress.done();
        warn(&releases.warnings);
        return Ok(ExitCode::SUCCESS);
    }

    if mode == Mode::All {
        // Keep whatever comes before the first release heading, byte for byte; regenerate the rest.
        let kept = match &existing {
            Some(bytes)
                if !bytes[..layout.first_release.unwrap_or(bytes.len())]
                    .trim_ascii()
                    .is_empty() =>
            {
                bytes[..layout.first_release.unwrap_or(bytes.len())].to_vec()
            }
            _ => eol.apply(cl::DEFAULT_INTRO),
        };
        let mut write_all = |out: &mut dyn Write| -> Result<()> {
            out.write_all(&kept)?;
            let mut first = true;
            each_release(&mut |_, section| {
                if first {
                    out.write_all(&cl::separator(&kept, eol))?;
                } else {
                    out.write_all(eol.as_bytes())?;
                }
                first = false;
                out.write_all(&eol.apply(&section))?;
                Ok(())
            })
        };
        if stdout {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write_all(&mut out)?;
            out.flush()?;
            progress.done();
        } else {
            relcore::paths::write_with(&path, false, write_all)?;
            progress.done();
            eprintln!("wrote {}", path.display());
        }
        warn(&releases.warnings);
        return Ok(ExitCode::SUCCESS);
    }

    let mut sections = Vec::new();
    each_release(&mut |_, section| {
        sections.push(section);
        Ok(())
    })?;
    progress.done();
    warn(&releases.warnings);
    if stdout {
        write!(std::io::stdout(), "{}", sections.join("\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let base = existing.as_deref().unwrap_or(cl::DEFAULT_INTRO.as_bytes());
    let updated = cl::insert_sections(base, &sections, true);
    if existing.as_deref() == Some(updated.as_slice()) {
        eprintln!("{} is up to date", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    relcore::paths::write(&path, &updated)?;
    eprintln!("updated {}", path.display());
    Ok(ExitCode::SUCCESS)
}
