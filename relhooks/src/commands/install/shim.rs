//! `rel install` / `rel uninstall`: small POSIX sh shims in the hooks directory git uses.
//!
//! - The directory is what `git rev-parse --git-path hooks` says, so `core.hooksPath` is honoured
//!   and linked worktrees share their main repository's hooks.
//! - A shim is marked as rel's by its second line. It runs `rel` from the absolute path recorded
//!   at install time, else from PATH, else fails saying how to install rel.
//! - A foreign hook is never clobbered: install refuses and names it; `--chain` moves it to
//!   `<hook>.rel-chained`, which the shim runs first (its failure stops git); `--force` keeps a
//!   copy as `<hook>.rel-backup` and replaces it. Nothing is written unless every hook can be.
//! - Uninstall removes only rel's shims and moves chained hooks back.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The second line of every shim: how rel recognises its own hooks.
const MARKER: &str = "# rel-managed-hook: written by `rel install`; `rel uninstall` removes it.";
const CHAINED: &str = "rel-chained";
const BACKUP: &str = "rel-backup";

/// The hooks a work-tree install manages.
pub const CLIENT_HOOKS: &[&str] = &["commit-msg", "pre-push"];

/// The hooks `rel install --server` manages in a bare repository.
pub const SERVER_HOOKS: &[&str] = &["pre-receive"];

/// What to do about a hook that is not rel's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Foreign {
    /// Refuse (the default).
    Refuse,
    /// Keep it, run it first.
    Chain,
    /// Replace it, keeping a backup.
    Force,
}

/// The hooks directory git uses for the repository containing `dir`.
pub fn hooks_dir(dir: &Path) -> Result<PathBuf> {
    let git = |args: &[&str]| -> Result<String> {
        let mut argv = vec![std::ffi::OsStr::new("-C"), dir.as_os_str()];
        argv.extend(args.iter().map(std::ffi::OsStr::new));
        let out = std::process::Command::new("git")
            .args(&argv)
            .stdin(std::process::Stdio::null())
            .output()
            .context("cannot run git: is it installed and on PATH?")?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!(
                "`git {}` failed in {}: {}",
                args.join(" "),
                dir.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(stdout.trim_end_matches('\n').to_owned())
    };
    // Paths git prints are relative to the directory it ran in.
    let hooks = PathBuf::from(git(&["rev-parse", "--git-path", "hooks"])?);
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", dir.display()))?;
    Ok(if hooks.is_absolute() {
        hooks
    } else {
        dir.join(hooks)
    })
}

fn is_ours(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|text| text.lines().nth(1) == Some(MARKER))
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .expect("hook paths have a file name")
        .to_owned();
    name.push(".");
    name.push(suffix);
    path.with_file_name(name)
}

/// Single-quotes `s` for sh.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The shim for `hook`, calling `rel` at `rel_path` first.
pub fn shim(hook: &str, rel_path: &Path) -> String {
    let rel = sh_quote(&rel_path.to_string_lossy());
    format!(
        r#"#!/bin/sh
{MARKER}
# It checks what git is about to do with rel's rules (rel.toml). A hook that was here before
# is kept as {hook}.{CHAINED} and runs first; its failure stops git.
hook={hook}
rel={rel}
chained="$(dirname "$0")/$hook.{CHAINED}"
run_rel() {{
  if [ -x "$rel" ]; then "$rel" hook "$hook" "$@"; return; fi
  if command -v rel >/dev/null 2>&1; then rel hook "$hook" "$@"; return; fi
  echo "rel: the $hook hook needs rel, which is neither at $rel nor on PATH." >&2
  echo "rel: install it (cargo install --locked --path relhooks, in a clone of rel), or skip this check once with --no-verify." >&2
  return 1
}}
if [ -x "$chained" ]; then
  input=$(mktemp) || exit 1
  trap 'rm -f "$input"' EXIT
  cat >"$input"
  "$chained" "$@" <"$input" || exit $?
  run_rel "$@" <"$input"
  exit $?
fi
run_rel "$@"
"#
    )
}

/// Writes a hook: a new one is `0777` less the umask, a replaced one keeps its permissions
/// (plus execute where it can be read).
fn write_executable(path: &Path, contents: &str) -> Result<()> {
    relcore::paths::write_with(path, true, |out| Ok(out.write_all(contents.as_bytes())?))
}

/// One line of what install or uninstall did, for the user.
pub type Outcome = Vec<String>;

/// Installs the shims for `hooks` into `hooks_dir`.
pub fn install(
    hooks_dir: &Path,
    hooks: &[&str],
    rel_path: &Path,
    foreign: Foreign,
) -> Result<Outcome> {
    // Decide everything first: nothing is written unless every hook can be.
    let mut refused = Vec::new();
    for hook in hooks {
        let path = hooks_dir.join(hook);
        if path.exists() && !is_ours(&path) {
            match foreign {
                Foreign::Refuse => refused.push(path),
                Foreign::Chain if sibling(&path, CHAINED).exists() => bail!(
                    "cannot chain {}: {} already exists; move one of them away first",
                    path.display(),
                    sibling(&path, CHAINED).display()
                ),
                Foreign::Chain | Foreign::Force => {}
            }
        }
    }
    if !refused.is_empty() {
        let names: Vec<String> = refused.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "{} already exist{} and {} not rel's; nothing was installed. Use --chain to keep {} and run {} before rel, or --force to replace {} (a copy is kept as <hook>.{BACKUP})",
            names.join(", "),
            if names.len() == 1 { "s" } else { "" },
            if names.len() == 1 { "is" } else { "are" },
            if names.len() == 1 { "it" } else { "them" },
            if names.len() == 1 { "it" } else { "them" },
            if names.len() == 1 { "it" } else { "them" },
        );
    }
    fs::create_dir_all(hooks_dir)
        .with_context(|| format!("cannot create {}", hooks_dir.display()))?;
    let mut outcome = Vec::new();
    for hook in hooks {
        let path = hooks_dir.join(hook);
        let text = shim(hook, rel_path);
        if path.exists() && is_ours(&path) {
            if fs::read_to_string(&path).is_ok_and(|t| t == text) {
                outcome.push(format!("{} is already installed", path.display()));
                continue;
            }
        } else if path.exists() {
            match foreign {
                Foreign::Chain => {
                    let chained = sibling(&path, CHAINED);
                    fs::rename(&path, &chained)
                        .with_context(|| format!("cannot move {} aside", path.display()))?;
                    outcome.push(format!(
                        "kept {} as {}, to run first",
                        path.display(),
                        chained.display()
                    ));
                }
                Foreign::Force => {
                    let backup = free_name(&sibling(&path, BACKUP));
                    fs::copy(&path, &backup)
                        .with_context(|| format!("cannot back up {}", path.display()))?;
                    outcome.push(format!(
                        "replaced {}; the old hook is kept as {}",
                        path.display(),
                        backup.display()
                    ));
                }
                Foreign::Refuse => unreachable!("refused above"),
            }
        }
        write_executable(&path, &text)?;
        outcome.push(format!("installed {}", path.display()));
    }
    Ok(outcome)
}

/// `path`, or `path.1`, `path.2`, ... whichever does not exist yet.
fn free_name(path: &Path) -> PathBuf {
    let mut candidate = path.to_owned();
    let mut n = 0;
    while candidate.exists() {
        n += 1;
        candidate = sibling(path, &n.to_string());
    }
    candidate
}

/// Removes rel's shims for `hooks` from `hooks_dir` and puts chained hooks back.
pub fn uninstall(hooks_dir: &Path, hooks: &[&str]) -> Result<Outcome> {
    let mut outcome = Vec::new();
    for hook in hooks {
        let path = hooks_dir.join(hook);
        if path.exists() && !is_ours(&path) {
            outcome.push(format!("left {} alone: it is not rel's", path.display()));
            continue;
        }
        if path.exists() {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            outcome.push(format!("removed {}", path.display()));
        }
        let chained = sibling(&path, CHAINED);
        if chained.exists() {
            fs::rename(&chained, &path)
                .with_context(|| format!("cannot restore {}", chained.display()))?;
            outcome.push(format!(
                "restored {} from {}",
                path.display(),
                chained.display()
            ));
        }
    }
    Ok(outcome)
}
