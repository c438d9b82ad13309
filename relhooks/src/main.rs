//! `rel`: the command line of relcore. Parses arguments, prints results and diagnostics, maps
//! outcomes to exit codes: 0 success, 1 a check failed, 2 usage, configuration or environment error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod install;
mod render;

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
    /// Lint a commit message (from FILE, or stdin with `-` or no argument), or every commit of a range.
    Lint {
        /// The message file; `-` or nothing reads stdin.
        #[arg(conflicts_with = "range")]
        file: Option<PathBuf>,
        /// Lint every commit in `A..B` instead (merge commits pass).
        #[arg(long, value_name = "A..B")]
        range: Option<String>,
        /// Print one JSON document.
        #[arg(long)]
        json: bool,
    },
    /// The entry points git runs (installed by `rel install`).
    #[command(subcommand)]
    Hook(HookCommand),
    /// Write rel's hook shims into the hooks directory git uses (honours core.hooksPath).
    Install {
        /// In a bare repository on a server: write the pre-receive hook.
        #[arg(long)]
        server: bool,
        /// Keep a foreign hook already in place: move it aside and run it before rel.
        #[arg(long, conflicts_with = "force")]
        chain: bool,
        /// Replace a foreign hook already in place, keeping a copy as `<hook>.rel-backup`.
        #[arg(long)]
        force: bool,
    },
    /// Remove rel's hook shims (and only those), putting chained hooks back.
    Uninstall,
    /// Evaluate the push policy for CI: the commits of a range as a push of the current branch,
    /// or one ref as if it were pushed now.
    Check {
        #[command(flatten)]
        trust: TrustArgs,
        /// The commits `A..B` as a push to the current branch (default: its upstream..HEAD).
        #[arg(long, value_name = "A..B", conflicts_with = "refname")]
        range: Option<String>,
        /// A ref as if newly pushed (e.g. refs/tags/v1.2.0 or main).
        #[arg(long = "ref", value_name = "REF")]
        refname: Option<String>,
        /// Print one JSON document.
        #[arg(long)]
        json: bool,
    },
    /// Update CHANGELOG.md in place (new releases and the Unreleased section at the top, every
    /// other byte kept), or print it.
    Changelog {
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
    },
    /// Print the release notes of VERSION (default: the upcoming release).
    Notes {
        /// A released version (`1.2.0` or `v1.2.0`).
        version: Option<String>,
        /// Render with this minijinja template instead of `[notes] template`.
        #[arg(long, value_name = "FILE")]
        template: Option<PathBuf>,
        /// Print the template context (the release, as JSON) instead of rendering it.
        #[arg(long)]
        context: bool,
    },
    /// Cut a release: changelog and version files updated, one release commit, one annotated
    /// tag (signed when configured). All or nothing.
    Release {
        /// Make a pre-release with this label: 1.3.0-rc.1, then 1.3.0-rc.2, ...
        #[arg(long, value_name = "LABEL", conflicts_with = "version")]
        pre: Option<String>,
        /// Release exactly this version (it must be above the last release).
        #[arg(long, value_name = "X")]
        version: Option<String>,
        /// Print the version and the release notes; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Sign the tag (with git's own signing setup: gpg.format, user.signingkey, ...).
        #[arg(long, conflicts_with = "no_sign")]
        sign: bool,
        /// Do not sign the tag (refused when policy.require_signed_tags is on).
        #[arg(long)]
        no_sign: bool,
        /// Push the branch and the tag together (git push --atomic) afterwards.
        #[arg(long)]
        push: bool,
    },
    /// Check that release tags are annotated, signed, and signed by a trusted key (default:
    /// every release tag HEAD contains).
    Verify {
        #[command(flatten)]
        trust: TrustArgs,
        /// Tags to check.
        tags: Vec<String>,
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

/// Where `rel verify` and `rel check` take rel.toml and the trust anchors from.
#[derive(Debug, clap::Args)]
struct TrustArgs {
    /// Take rel.toml and the trust anchors it names from the tree of REV (e.g. origin/main),
    /// not from the work tree: in CI, a checkout of the tag being checked cannot vouch for itself.
    #[arg(long, value_name = "REV")]
    anchors_from: Option<String>,
    /// Trust the SSH signers in FILE (git's allowed-signers format) instead of the configured
    /// anchors; with --openpgp-keys, the only anchors.
    #[arg(long, value_name = "FILE")]
    allowed_signers: Option<PathBuf>,
    /// Trust the OpenPGP keys in DIR instead of the configured anchors; with --allowed-signers,
    /// the only anchors.
    #[arg(long, value_name = "DIR")]
    openpgp_keys: Option<PathBuf>,
}

impl From<TrustArgs> for commands::Trust {
    fn from(args: TrustArgs) -> Self {
        commands::Trust {
            from: args.anchors_from,
            allowed_signers: args.allowed_signers,
            openpgp_keys: args.openpgp_keys,
        }
    }
}

#[derive(Debug, Subcommand)]
enum HookCommand {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dir = cli.dir.unwrap_or_else(|| PathBuf::from("."));
    let result = match cli.command {
        Command::Next { pre, json } => commands::next(&dir, pre, json),
        Command::Log { range, json } => commands::log(&dir, range.as_deref(), json),
        Command::Lint { file, range, json } => {
            commands::lint(&dir, file.as_deref(), range.as_deref(), json)
        }
        Command::Hook(HookCommand::CommitMsg { file }) => commands::hook_commit_msg(&dir, &file),
        Command::Hook(HookCommand::PrePush { remote, .. }) => {
            commands::hook_pre_push(&dir, &remote)
        }
        Command::Hook(HookCommand::PreReceive) => commands::hook_pre_receive(&dir, None),
        Command::Hook(HookCommand::Update { refname, old, new }) => {
            commands::hook_pre_receive(&dir, Some(format!("{old} {new} {refname}")))
        }
        Command::Check {
            trust,
            range,
            refname,
            json,
        } => commands::check_policy(
            &dir,
            range.as_deref(),
            refname.as_deref(),
            json,
            &trust.into(),
        ),
        Command::Install {
            server,
            chain,
            force,
        } => {
            let foreign = match (chain, force) {
                (true, _) => install::Foreign::Chain,
                (_, true) => install::Foreign::Force,
                _ => install::Foreign::Refuse,
            };
            commands::install(&dir, foreign, server)
        }
        Command::Uninstall => commands::uninstall(&dir),
        Command::Changelog {
            unreleased,
            all,
            stdout,
            output,
            context,
        } => {
            let mode = match (unreleased, all) {
                (true, _) => commands::ChangelogMode::Unreleased,
                (_, true) => commands::ChangelogMode::All,
                _ => commands::ChangelogMode::New,
            };
            commands::changelog(&dir, mode, stdout, output.as_deref(), context)
        }
        Command::Notes {
            version,
            template,
            context,
        } => commands::notes(&dir, version.as_deref(), template.as_deref(), context),
        Command::Release {
            pre,
            version,
            dry_run,
            sign,
            no_sign,
            push,
        } => {
            let sign = match (sign, no_sign) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            };
            commands::release(&dir, pre, version, sign, dry_run, push)
        }
        Command::Verify { trust, tags, json } => commands::verify(&dir, &tags, json, &trust.into()),
        Command::Init { force } => commands::init(&dir, force),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`rel log | head -1`): stop quietly, as `git log | head` does
        // from the user's point of view, with status 0.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `err` comes from writing to a pipe whose reader has closed it.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
