//! `rel install` / `rel uninstall`: rel's hook shims in the hooks directory git uses.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::{Global, discover, open};

mod shim;

use shim::Foreign;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// In a bare repository on a server: write the pre-receive hook.
    #[arg(long)]
    server: bool,
    /// Keep a foreign hook already in place: move it aside and run it before rel.
    #[arg(long, conflicts_with = "force")]
    chain: bool,
    /// Replace a foreign hook already in place, keeping a copy as `<hook>.rel-backup`.
    #[arg(long)]
    force: bool,
}

/// `rel uninstall` takes no options.
#[derive(Debug, clap::Args)]
pub struct UninstallArgs {}

fn rel_path() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot tell where the rel binary is")?;
    Ok(exe.canonicalize().unwrap_or(exe))
}

pub fn run(args: Args, global: &Global) -> Result<ExitCode> {
    let dir = &global.dir;
    let foreign = match (args.chain, args.force) {
        (true, _) => Foreign::Chain,
        (_, true) => Foreign::Force,
        _ => Foreign::Refuse,
    };
    let (repo, _config) = open(dir)?;
    let names = match (args.server, repo.work_dir().is_some()) {
        (true, true) => bail!(
            "--server installs the pre-receive hook of a bare repository; this one has a work tree"
        ),
        (true, false) => shim::SERVER_HOOKS,
        (false, _) => shim::CLIENT_HOOKS,
    };
    let hooks = shim::hooks_dir(dir)?;
    for line in shim::install(&hooks, names, &rel_path()?, foreign)? {
        eprintln!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_uninstall(_args: UninstallArgs, global: &Global) -> Result<ExitCode> {
    let dir = &global.dir;
    // Only rel's own shims are removed: no rel.toml is read, so a broken one cannot keep them in place.
    discover(dir)?;
    let hooks = shim::hooks_dir(dir)?;
    let all: Vec<&str> = shim::CLIENT_HOOKS
        .iter()
        .chain(shim::SERVER_HOOKS)
        .copied()
        .collect();
    for line in shim::uninstall(&hooks, &all)? {
        eprintln!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}
