//! `rel init`: a commented `rel.toml` with every default.

use std::process::ExitCode;

use anyhow::{Result, bail};

use super::{Global, discover};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Overwrite an existing rel.toml.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let repo = discover(&global.dir)?;
    let path = repo.config_path();
    if path.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to overwrite it with the defaults",
            path.display()
        );
    }
    relcore::paths::write(&path, relcore::Config::DEFAULT_TOML.as_bytes())?;
    eprintln!("wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}
