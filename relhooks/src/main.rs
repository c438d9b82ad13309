//! `rel`: the command line of relcore. Parses arguments, prints results and diagnostics, maps
//! outcomes to exit codes: 0 success, 1 a check failed, 2 usage, configuration or environment error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;

/// Release management inside git: Conventional Commits, semantic versions, changelogs, signed tags.
#[derive(Debug, Parser)]
#[command(name = "rel", version, about, max_term_width = 100)]
struct Cli {
    /// Run as if rel was started in PATH instead of the current directory.
    #[arg(short = 'C', value_name = "PATH", global = true)]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the next version (without tag prefix) from the commits since the last release.
    Next {
        /// Make it a pre-release with this label: 1.3.0-rc.1, then 1.3.0-rc.2, ...
        #[arg(long, value_name = "LABEL")]
        pre: Option<String>,
        /// Print one JSON document: current, next, bump, tag, commits, conventional.
        #[arg(long)]
        json: bool,
    },
    /// List the commits since the last release (or in RANGE), parsed, with the bump each causes.
    Log {
        /// `A..B` (in B, not in A), `A..`, `..B`, or one revision for all of its history.
        range: Option<String>,
        /// Print one JSON document.
        #[arg(long)]
        json: bool,
    },
    /// Write a commented rel.toml with every default to the work tree root.
    Init {
        /// Overwrite an existing rel.toml.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dir = cli.dir.unwrap_or_else(|| PathBuf::from("."));
    let result = match cli.command {
        Command::Next { pre, json } => commands::next(&dir, pre, json),
        Command::Log { range, json } => commands::log(&dir, range.as_deref(), json),
        Command::Init { force } => commands::init(&dir, force),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
