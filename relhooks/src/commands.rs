//! The subcommands: each loads what it needs through relcore and prints the outcome.
//! An `Err` is a usage, configuration or environment error (exit 2); checks that fail return exit 1.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use relcore::history::Warning;
use relcore::lint::{self, Report};
use relcore::paths::Root;
use relcore::signature::Anchors;
use relcore::{Config, Kind, Repo};

use crate::install::{self, Foreign};
use crate::render::{self, Style};
use serde::Serialize;

/// The repository containing `dir` (the `-C` directory).
fn discover(dir: &Path) -> Result<Repo> {
    if !dir.is_dir() {
        bail!("cannot change to `{}`: no such directory", dir.display());
    }
    Ok(Repo::discover(dir)?)
}

/// The repository containing `dir` and its `rel.toml`.
fn open(dir: &Path) -> Result<(Repo, Config)> {
    let repo = discover(dir)?;
    let config = repo.load_config()?;
    Ok((repo, config))
}

fn warn(warnings: &[Warning]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

fn print_json(value: &impl Serialize) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn next(dir: &Path, pre: Option<String>, json: bool) -> Result<ExitCode> {
    let (repo, config) = open(dir)?;
    let options = pre.map_or_else(relcore::Options::default, relcore::Options::pre);
    let upcoming = relcore::upcoming(&repo, &config, &options)?;
    warn(&upcoming.warnings);
    let report = UpcomingJson::from(&upcoming);
    if json {
        return print_json(&report);
    }
    match (&upcoming.next, &upcoming.base) {
        (Some(next), _) => writeln!(std::io::stdout(), "{next}")?,
        (None, Some(base)) => {
            eprintln!(
                "nothing to release: no commit since {} bumps the version ({} commits, {} conventional)",
                base.name, upcoming.commits, upcoming.conventional
            );
            writeln!(std::io::stdout(), "{}", base.version)?;
        }
        (None, None) => eprintln!(
            "nothing to release: no release tag yet and none of the {} commits bumps the version",
            upcoming.commits
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `rel next --json`: the upcoming release.
#[derive(Serialize)]
struct UpcomingJson {
    /// The base release's version, or `null`.
    current: Option<String>,
    /// The next version; the current one (or `null`) when there is nothing to release.
    next: Option<String>,
    /// `none`, `patch`, `minor` or `major`.
    bump: relcore::Bump,
    /// The tag of `next`.
    tag: Option<String>,
    /// Commits since the base.
    commits: usize,
    /// Conventional Commits among them.
    conventional: usize,
}

impl From<&relcore::Upcoming> for UpcomingJson {
    fn from(u: &relcore::Upcoming) -> Self {
        let (next, tag) = match (&u.next, &u.base) {
            (Some(next), _) => (Some(next.to_string()), u.tag.clone()),
            (None, Some(base)) => (Some(base.version.to_string()), Some(base.name.clone())),
            (None, None) => (None, None),
        };
        Self {
            current: u.current().map(ToString::to_string),
            next,
            bump: u.bump,
            tag,
            commits: u.commits,
            conventional: u.conventional,
        }
    }
}

#[derive(Serialize)]
struct LogJson<'a> {
    range: &'a str,
    commits: Vec<LogEntryJson<'a>>,
}

#[derive(Serialize)]
struct LogEntryJson<'a> {
    id: String,
    short_id: String,
    summary: &'a str,
    kind: Kind,
    conventional: bool,
    #[serde(rename = "type")]
    type_: Option<&'a str>,
    scope: Option<&'a str>,
    breaking: bool,
    description: Option<&'a str>,
    bump: relcore::Bump,
}

pub fn log(dir: &Path, range: Option<&str>, json: bool) -> Result<ExitCode> {
    let (repo, config) = open(dir)?;
    let log = relcore::log(&repo, &config, range)?;
    warn(&log.warnings);
    if json {
        let commits = log
            .commits
            .iter()
            .map(|c| {
                let cc = c.message.conventional();
                LogEntryJson {
                    id: c.id.to_string(),
                    short_id: c.id.to_hex_with_len(7).to_string(),
                    summary: &c.summary,
                    kind: c.kind(),
                    conventional: cc.is_some(),
                    type_: cc.map(|c| c.type_.as_str()),
                    scope: cc.and_then(|c| c.scope.as_deref()),
                    breaking: cc.is_some_and(|c| c.breaking),
                    description: cc.map(|c| c.description.as_str()),
                    bump: c.bump,
                }
            })
            .collect();
        return print_json(&LogJson {
            range: &log.range,
            commits,
        });
    }
    let mut out = std::io::stdout().lock();
    for c in &log.commits {
        let mark = match c.kind() {
            Kind::Conventional => String::new(),
            kind => format!("  [{}]", kind.as_str()),
        };
        writeln!(
            out,
            "{} {:>5}  {}{mark}",
            c.id.to_hex_with_len(7),
            c.bump.as_str(),
            c.summary
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn init(dir: &Path, force: bool) -> Result<ExitCode> {
    let repo = discover(dir)?;
    let path = repo.config_path();
    if path.exists() && !force {
        bail!(
            "{} already exists; pass --force to overwrite it with the defaults",
            path.display()
        );
    }
    relcore::paths::write(&path, relcore::config::DEFAULT_TOML.as_bytes())?;
    eprintln!("wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// The exit code for a check: 0 when it passed, 1 when it failed.
fn check(passed: bool) -> ExitCode {
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn read_message(file: Option<&Path>) -> Result<String> {
    let bytes = match file {
        None if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
            bail!(
                "rel lint reads the message from stdin: pipe one in, give a FILE, or lint commits with --range A..B"
            )
        }
        None => read_stdin()?,
        Some(p) if p == Path::new("-") => read_stdin()?,
        Some(p) => std::fs::read(p)
            .with_context(|| format!("cannot read the message file {}", p.display()))?,
    };
    Ok(relcore::commit::lossy_text(&bytes).into_owned())
}

fn read_stdin() -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
        .context("cannot read stdin")?;
    Ok(bytes)
}

#[derive(Serialize)]
struct LintJson<'a> {
    ok: bool,
    #[serde(flatten)]
    report: &'a Report,
}

#[derive(Serialize)]
struct RangeLintJson<'a> {
    ok: bool,
    range: &'a str,
    commits: Vec<CommitLintJson<'a>>,
}

#[derive(Serialize)]
struct CommitLintJson<'a> {
    id: String,
    short_id: String,
    summary: &'a str,
    ok: bool,
    kind: Kind,
    diagnostics: &'a [lint::Diagnostic],
}

pub fn lint(dir: &Path, file: Option<&Path>, range: Option<&str>, json: bool) -> Result<ExitCode> {
    if let Some(range) = range {
        let (repo, config) = open(dir)?;
        let reports = lint::lint_range(&repo, &config.commits, range)?;
        let ok = reports.iter().all(|c| c.report.is_ok());
        if json {
            let commits = reports
                .iter()
                .map(|c| CommitLintJson {
                    id: c.id.to_string(),
                    short_id: c.id.to_hex_with_len(7).to_string(),
                    summary: &c.summary,
                    ok: c.report.is_ok(),
                    kind: c.report.kind,
                    diagnostics: &c.report.diagnostics,
                })
                .collect();
            print_json(&RangeLintJson { ok, range, commits })?;
            return Ok(check(ok));
        }
        let style = Style::for_stderr();
        let failed: Vec<_> = reports.iter().filter(|c| !c.report.is_ok()).collect();
        for c in &failed {
            let origin = format!("commit {} `{}`", c.id.to_hex_with_len(7), c.summary);
            eprint!("{}", render::report(&c.report, &origin, style));
        }
        if failed.is_empty() {
            eprintln!("{} commits in {range}: all pass", reports.len());
        } else {
            eprintln!(
                "{} of {} commits in {range} break the commit rules",
                failed.len(),
                reports.len()
            );
        }
        return Ok(check(ok));
    }

    // One message: the repository (if any) gives rel.toml and the comment character.
    let raw = read_message(file)?;
    let (config, comment_setting) = match Repo::discover(dir) {
        Ok(repo) => (repo.load_config()?, repo.comment_setting()),
        Err(relcore::history::Error::NotARepository { .. }) => {
            (Config::load(&dir.join(relcore::config::FILE_NAME))?, None)
        }
        Err(e) => return Err(e.into()),
    };
    let message = lint::cleanup(&raw, &lint::comment_for(comment_setting.as_deref(), &raw));
    let report = lint::lint(&message, &config.commits);
    if json {
        print_json(&LintJson {
            ok: report.is_ok(),
            report: &report,
        })?;
        return Ok(check(report.is_ok()));
    }
    let origin = match file {
        Some(p) if p != Path::new("-") => p.display().to_string(),
        _ => "stdin".to_owned(),
    };
    eprint!("{}", render::report(&report, &origin, Style::for_stderr()));
    Ok(check(report.is_ok()))
}

pub fn hook_commit_msg(dir: &Path, file: &Path) -> Result<ExitCode> {
    let (repo, config) = open(dir)?;
    let raw = read_message(Some(file))?;
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

fn rel_path() -> Result<std::path::PathBuf> {
    let exe = std::env::current_exe().context("cannot tell where the rel binary is")?;
    Ok(exe.canonicalize().unwrap_or(exe))
}

pub fn install(dir: &Path, foreign: Foreign, server: bool) -> Result<ExitCode> {
    let (repo, _config) = open(dir)?;
    let names = match (server, repo.work_dir().is_some()) {
        (true, true) => bail!(
            "--server installs the pre-receive hook of a bare repository; this one has a work tree"
        ),
        (true, false) => install::SERVER_HOOKS,
        (false, _) => install::CLIENT_HOOKS,
    };
    let hooks = install::hooks_dir(dir)?;
    for line in install::install(&hooks, names, &rel_path()?, foreign)? {
        eprintln!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn uninstall(dir: &Path) -> Result<ExitCode> {
    // Only rel's own shims are removed: no rel.toml is read, so a broken one cannot keep them in place.
    discover(dir)?;
    let hooks = install::hooks_dir(dir)?;
    let all: Vec<&str> = install::CLIENT_HOOKS
        .iter()
        .chain(install::SERVER_HOOKS)
        .copied()
        .collect();
    for line in install::uninstall(&hooks, &all)? {
        eprintln!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Which sections `rel changelog` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangelogMode {
    /// The releases not yet in the file, and the Unreleased section.
    New,
    /// Only the Unreleased section.
    Unreleased,
    /// Every release, from the whole history.
    All,
}

/// Where checks take rel.toml and the trust anchors from (`rel verify`, `rel check`).
#[derive(Debug, Default)]
pub struct Trust {
    /// rel.toml and the anchors it names from this revision's tree instead of the work tree.
    pub from: Option<String>,
    /// An allowed-signers file the operator names: with `openpgp_keys`, the only anchors.
    pub allowed_signers: Option<PathBuf>,
    /// A folder of OpenPGP keys the operator names: with `allowed_signers`, the only anchors.
    pub openpgp_keys: Option<PathBuf>,
}

/// The configuration and trust anchors a check trusts: the work tree's, or those of the
/// revision `--anchors-from` names; anchors named on the command line replace the configured
/// ones entirely (naming only SSH signers trusts no OpenPGP key, and the other way round).
fn trusted(repo: &Repo, trust: &Trust) -> Result<(Config, Anchors)> {
    let explicit = trust.allowed_signers.is_some() || trust.openpgp_keys.is_some();
    let (config, anchors) = match &trust.from {
        Some(rev) => Anchors::from_tree(repo, rev)?,
        None => {
            let config = repo.load_config()?;
            let anchors = if explicit {
                Anchors::from_files(None, None)
            } else {
                Anchors::from_config(&config, &Root::of(repo))?
            };
            (config, anchors)
        }
    };
    if !explicit {
        return Ok((config, anchors));
    }
    if let Some(file) = &trust.allowed_signers
        && !file.is_file()
    {
        bail!("--allowed-signers {}: no such file", file.display());
    }
    if let Some(folder) = &trust.openpgp_keys
        && !folder.is_dir()
    {
        bail!("--openpgp-keys {}: no such folder", folder.display());
    }
    let anchors = Anchors::from_files(trust.allowed_signers.clone(), trust.openpgp_keys.clone());
    Ok((config, anchors))
}

pub fn changelog(
    dir: &Path,
    mode: ChangelogMode,
    stdout: bool,
    output: Option<&Path>,
    context: bool,
) -> Result<ExitCode> {
    use relcore::changelog::{self as cl, Releases, Templates};
    let (repo, config) = open(dir)?;
    let root = Root::of(&repo);
    let templates = Templates::new(&config, &root)?;
    // `-o FILE` is the user's choice, anywhere; `changelog.path` stays in the work tree.
    let path = match output {
        Some(path) => path.to_owned(),
        None => root.resolve("changelog.path", &config.changelog.path)?,
    };
    // Read as bytes, and only a regular file: a symlink, FIFO or device is refused unopened.
    let existing = relcore::paths::read(&path)?;
    let layout = cl::layout(existing.as_deref().unwrap_or_default());
    let eol = layout.line_ending;

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
                        ChangelogMode::Unreleased => false,
                        ChangelogMode::New => !layout.versions.contains(&tag.version.to_string()),
                        ChangelogMode::All => true,
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
                    (Some(_), ChangelogMode::Unreleased) => break,
                    (Some(tag), ChangelogMode::New) if present(tag) => break,
                    _ => {}
                }
                let section = templates.changelog_section(&release)?;
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
        warn(&releases.warnings);
        return Ok(ExitCode::SUCCESS);
    }

    if mode == ChangelogMode::All {
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
        } else {
            relcore::paths::write_with(&path, false, write_all)?;
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

pub fn notes(
    dir: &Path,
    version: Option<&str>,
    template: Option<&Path>,
    context: bool,
) -> Result<ExitCode> {
    use relcore::changelog::{self as cl, Planned, TemplateKind, Templates};
    let (repo, config) = open(dir)?;
    let root = Root::of(&repo);
    let mut templates = Templates::new(&config, &root)?;
    if let Some(template) = template {
        templates.load(TemplateKind::Notes, template)?;
    }
    let range = match version {
        Some(v) => cl::range_for(&repo, &config, Some(v))?,
        None => {
            let upcoming = relcore::upcoming(&repo, &config, &relcore::Options::default())?;
            warn(&upcoming.warnings);
            let mut range = cl::upcoming_range(&repo, &config, true)?;
            range.planned = upcoming
                .next
                .map(|next| Planned::today(next, &config.version.tag_prefix));
            range
        }
    };
    let release = cl::build_release(&repo, &config, &range, cl::links(&repo, &config).as_ref())?;
    if context {
        return print_json(&release);
    }
    let known_issues = cl::known_issues(&config, &root)?;
    write!(
        std::io::stdout(),
        "{}",
        templates.notes(&release, known_issues.as_deref())?
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn release(
    dir: &Path,
    pre: Option<String>,
    version: Option<String>,
    sign: Option<bool>,
    dry_run: bool,
    push: bool,
) -> Result<ExitCode> {
    use relcore::release::{self, CutOptions};
    let (repo, config) = open(dir)?;
    let mut options = CutOptions::default();
    options.pre = pre;
    options.version = version;
    options.sign = sign;
    let plan = match release::plan(&repo, &config, &options) {
        Ok(plan) => plan,
        Err(release::Error::Refused(reason)) => {
            eprintln!("error: {reason}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let signed = if plan.sign { "signed" } else { "unsigned" };
    let since = plan
        .previous
        .as_ref()
        .map(|p| format!(" since {}", p.name))
        .unwrap_or_default();
    if dry_run {
        eprintln!(
            "would release {} on {}{since} ({signed} tag); nothing written (--dry-run)",
            plan.tag, plan.branch
        );
        for file in &plan.files {
            eprintln!("would update {}", file.path);
        }
        write!(std::io::stdout(), "{}", plan.notes)?;
        return Ok(ExitCode::SUCCESS);
    }
    // An interrupt (Ctrl-C, SIGTERM, a closed terminal) no longer kills rel from here on: it
    // stops the release before it becomes visible, or lets the final step finish.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(signal, std::sync::Arc::clone(&stop))
            .context("cannot set up interrupt handling")?;
    }
    let applied = match release::apply_unless(&repo, &plan, &stop) {
        Err(e @ release::Error::Interrupted { .. }) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(130));
        }
        other => other?,
    };
    eprintln!(
        "released {} on {}{since}: commit {}, {signed} annotated tag {}",
        plan.version,
        plan.branch,
        applied.commit.to_hex_with_len(7),
        applied.tag
    );
    if push {
        let remote = release::push(&repo, &plan)?;
        eprintln!("pushed {} and {} to {remote}", plan.branch, plan.tag);
    }
    writeln!(std::io::stdout(), "{}", plan.version)?;
    Ok(ExitCode::SUCCESS)
}

pub fn verify(dir: &Path, names: &[String], json: bool, trust: &Trust) -> Result<ExitCode> {
    use relcore::signature;
    let repo = discover(dir)?;
    let (config, anchors) = trusted(&repo, trust)?;
    let all = repo.release_tags(&config.version.tag_prefix)?;
    let tags: Vec<relcore::history::TagRef> = if names.is_empty() {
        // Every release tag HEAD contains, oldest version first; one walk answers for all.
        let head = repo.head()?;
        let mut peeled = Vec::new();
        for tag in all.iter().rev() {
            if let Ok(release) = repo.peel(tag)? {
                peeled.push((tag, release.commit));
            }
        }
        let commits: Vec<relcore::ObjectId> = peeled.iter().map(|(_, c)| *c).collect();
        let contained = repo.contains_all(head.id, &commits)?;
        peeled
            .into_iter()
            .zip(contained)
            .filter(|(_, yes)| *yes)
            .map(|((tag, _), _)| tag.clone())
            .collect()
    } else {
        let mut picked = Vec::new();
        for name in names {
            let bare = name.strip_prefix("refs/tags/").unwrap_or(name);
            match all.iter().find(|t| t.name == *bare) {
                Some(tag) => picked.push(tag.clone()),
                None => bail!(
                    "`{name}` is not a release tag (a tag named {}<semver> that exists)",
                    config.version.tag_prefix
                ),
            }
        }
        picked
    };
    let mut verdicts = Vec::new();
    for tag in &tags {
        verdicts.push(signature::verify(&repo, tag, &anchors)?);
    }
    let ok = verdicts.iter().all(|v| v.is_ok());
    if json {
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

fn parse_id(text: &str) -> Result<relcore::ObjectId> {
    relcore::ObjectId::from_hex(text.as_bytes())
        .with_context(|| format!("`{text}` is not an object id"))
}

/// Prints violations for people; true when there were none.
fn report_violations(violations: &[relcore::policy::Violation], prefix: &str) -> bool {
    for v in violations {
        eprintln!(
            "{prefix}rejected {} [{}]: {}",
            v.refname,
            v.rule.id(),
            v.message
        );
        eprintln!("{prefix}  hint: {}", v.hint);
    }
    if !violations.is_empty() {
        eprintln!(
            "{prefix}{} polic{} violated; nothing was pushed",
            violations.len(),
            if violations.len() == 1 {
                "y rule"
            } else {
                "y rules"
            }
        );
    }
    violations.is_empty()
}

pub fn hook_pre_push(dir: &Path, remote: &str) -> Result<ExitCode> {
    use relcore::policy::{self, Push, RefUpdate};
    let (repo, config) = open(dir)?;
    let anchors = Anchors::from_config(&config, &Root::of(&repo))?;
    let input = String::from_utf8_lossy(&read_stdin()?).into_owned();
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

pub fn hook_pre_receive(dir: &Path, single: Option<String>) -> Result<ExitCode> {
    use relcore::policy::{self, Push, RefUpdate};
    // A server: the policy and trust anchors come from $GIT_DIR, never from what is pushed.
    let git_dir = match std::env::var_os("GIT_DIR") {
        Some(d) => dir.join(d),
        None => dir.to_owned(),
    };
    let quarantine = std::env::var_os("GIT_QUARANTINE_PATH").map(std::path::PathBuf::from);
    let repo = Repo::open_receiving(&git_dir, quarantine.as_deref())?;
    let config = Config::load(&git_dir.join(relcore::config::FILE_NAME))?;
    let anchors = Anchors::from_config(&config, &Root::git_dir(&git_dir))?;
    let input = match single {
        Some(line) => line,
        None => String::from_utf8_lossy(&read_stdin()?).into_owned(),
    };
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

pub fn check_policy(
    dir: &Path,
    range: Option<&str>,
    refname: Option<&str>,
    json: bool,
    trust: &Trust,
) -> Result<ExitCode> {
    use relcore::policy::{self, Push, RefUpdate};
    let repo = discover(dir)?;
    let (config, anchors) = trusted(&repo, trust)?;
    let mut push = Push::default();
    let all = all_refs(&repo)?;
    match (range, refname) {
        (_, Some(name)) => {
            let full = if name.starts_with("refs/") {
                name.to_owned()
            } else if repo
                .gix()
                .try_find_reference(format!("refs/tags/{name}").as_str())?
                .is_some()
            {
                format!("refs/tags/{name}")
            } else {
                format!("refs/heads/{name}")
            };
            let id = all
                .iter()
                .find(|(n, _)| *n == full)
                .map(|(_, id)| *id)
                .with_context(|| format!("no ref `{full}`"))?;
            push.updates.push(RefUpdate::new(
                full.clone(),
                relcore::ObjectId::null(repo.gix().object_hash()),
                id,
            ));
            push.remote_refs = all.into_iter().filter(|(n, _)| *n != full).collect();
        }
        (range, None) => {
            let head = repo.head()?;
            let branch = head
                .branch
                .clone()
                .context("HEAD is detached: name the range with --range A..B")?;
            let spec = match range {
                Some(r) => r.to_owned(),
                None => format!("{branch}@{{upstream}}..HEAD"),
            };
            let (tip, hidden) = repo.range(&spec)?;
            let old = hidden.context("--range needs a start: A..B")?;
            push.updates
                .push(RefUpdate::new(format!("refs/heads/{branch}"), old, tip));
            // What the remote has: its remote-tracking branches, and the range's start.
            push.remote_refs = all
                .into_iter()
                .filter_map(|(n, id)| {
                    let rest = n.strip_prefix("refs/remotes/")?;
                    let (_, branch) = rest.split_once('/')?;
                    (branch != "HEAD").then(|| (format!("refs/heads/{branch}"), id))
                })
                .filter(|(n, _)| *n != format!("refs/heads/{branch}"))
                .collect();
            push.remote_refs.push((format!("refs/heads/{branch}"), old));
        }
    }
    let violations = policy::evaluate(&repo, &config, &anchors, &push)?;
    if json {
        #[derive(Serialize)]
        struct CheckJson<'a> {
            ok: bool,
            violations: &'a [policy::Violation],
        }
        print_json(&CheckJson {
            ok: violations.is_empty(),
            violations: &violations,
        })?;
        return Ok(check(violations.is_empty()));
    }
    let ok = report_violations(&violations, "");
    if ok {
        eprintln!("the policy holds");
    }
    Ok(check(ok))
}

/// Every ref of the repository that points at an object directly: `(full name, id)`.
fn all_refs(repo: &Repo) -> Result<Vec<(String, relcore::ObjectId)>> {
    let platform = repo.gix().references()?;
    Ok(platform
        .all()?
        .filter_map(Result::ok)
        .filter_map(|r| Some((r.name().as_bstr().to_string(), r.try_id()?.detach())))
        .collect())
}
