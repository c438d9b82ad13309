//! The subcommands: each loads what it needs through relcore and prints the outcome.
//! An `Err` is a usage, configuration or environment error (exit 2); checks that fail return exit 1.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use relcore::history::Warning;
use relcore::lint::{self, Report};
use relcore::release::UpcomingJson;
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
        (Some(next), _) => println!("{next}"),
        (None, Some(base)) => {
            eprintln!(
                "nothing to release: no commit since {} bumps the version ({} commits, {} conventional)",
                base.name, upcoming.commits, upcoming.conventional
            );
            println!("{}", base.version);
        }
        (None, None) => eprintln!(
            "nothing to release: no release tag yet and none of the {} commits bumps the version",
            upcoming.commits
        ),
    }
    Ok(ExitCode::SUCCESS)
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
    let parent = path.parent().context("rel.toml has a parent directory")?;
    let mut file = tempfile::NamedTempFile::new_in(parent)
        .with_context(|| format!("cannot create a file in {}", parent.display()))?;
    file.write_all(relcore::config::DEFAULT_TOML.as_bytes())?;
    file.persist(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
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
    let (_repo, _config) = open(dir)?;
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

fn root(repo: &Repo) -> std::path::PathBuf {
    repo.work_dir()
        .unwrap_or_else(|| repo.gix().git_dir())
        .to_owned()
}

/// Writes `contents` to `path` through a temporary file and a rename: never half-written.
fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(parent)
        .with_context(|| format!("cannot create a temporary file in {}", parent.display()))?;
    {
        let mut out = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Builds the releases `mode` wants, newest first, handing each to `each`: stops before a
/// release the file already has (or any, for --unreleased).
fn build_releases(
    releases: &mut relcore::changelog::Releases<'_>,
    layout: &relcore::changelog::Layout,
    mode: ChangelogMode,
    mut each: impl FnMut(relcore::changelog::Release) -> Result<()>,
) -> Result<()> {
    loop {
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
            return Ok(());
        };
        // HEAD on a release has no unreleased commits: what came is that release.
        let present =
            |tag: &relcore::ReleaseTag| layout.versions.contains(&tag.version.to_string());
        match (&range.tag, mode) {
            (Some(_), ChangelogMode::Unreleased) => return Ok(()),
            (Some(tag), ChangelogMode::New) if present(tag) => return Ok(()),
            _ => {}
        }
        each(release)?;
    }
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
    let root = root(&repo);
    let templates = Templates::new(&config, &root)?;
    let path = output.map_or_else(|| root.join(&config.changelog.path), Path::to_owned);
    let existing = match std::fs::read(&path) {
        Ok(bytes) => Some(relcore::commit::lossy_text(&bytes).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot read {}", path.display())));
        }
    };
    let layout = cl::layout(existing.as_deref().unwrap_or_default());

    let mut releases = Releases::new(&repo, &config)?;
    // Each release is built, rendered and handed to `emit` in turn, newest first. Rendering
    // runs on a thread of its own, so that the next release is read meanwhile.
    let render = !context;
    let mut each_release =
        |emit: &mut dyn FnMut(&cl::Release, String) -> Result<()>| -> Result<()> {
            std::thread::scope(|scope| {
                let (to_render, rendering) = std::sync::mpsc::channel::<cl::Release>();
                let (to_emit, rendered) = std::sync::mpsc::channel();
                let templates = &templates;
                scope.spawn(move || {
                    for release in rendering {
                        let section = if render {
                            templates.changelog_section(&release)
                        } else {
                            Ok(String::new())
                        };
                        if to_emit.send(section.map(|s| (release, s))).is_err() {
                            break;
                        }
                    }
                });
                let mut emit_ready = |wait: bool| -> Result<()> {
                    let next = |r: &std::sync::mpsc::Receiver<_>| {
                        if wait {
                            r.recv().ok()
                        } else {
                            r.try_recv().ok()
                        }
                    };
                    while let Some(done) = next(&rendered) {
                        let (release, section): (cl::Release, String) = done?;
                        emit(&release, section)?;
                    }
                    Ok(())
                };
                let built = build_releases(&mut releases, &layout, mode, |release| {
                    to_render
                        .send(release)
                        .map_err(|_| anyhow::anyhow!("the renderer stopped"))?;
                    emit_ready(false)
                });
                drop(to_render);
                built?;
                emit_ready(true)
            })
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
        // Keep whatever comes before the first release heading; regenerate the rest.
        let kept = match &existing {
            Some(text)
                if !text[..layout.first_release.unwrap_or(text.len())]
                    .trim()
                    .is_empty() =>
            {
                text[..layout.first_release.unwrap_or(text.len())].to_owned()
            }
            _ => cl::DEFAULT_INTRO.to_owned(),
        };
        let mut write_all = |out: &mut dyn Write| -> Result<()> {
            out.write_all(kept.trim_end().as_bytes())?;
            out.write_all(b"\n")?;
            each_release(&mut |_, section| {
                out.write_all(b"\n")?;
                out.write_all(section.as_bytes())?;
                Ok(())
            })
        };
        if stdout {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write_all(&mut out)?;
            out.flush()?;
        } else {
            write_atomically(&path, write_all)?;
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
        print!("{}", sections.join("\n"));
        return Ok(ExitCode::SUCCESS);
    }
    let base = existing
        .clone()
        .unwrap_or_else(|| cl::DEFAULT_INTRO.to_owned());
    let updated = cl::insert_sections(&base, &sections, true);
    if existing.as_deref() == Some(updated.as_str()) {
        eprintln!("{} is up to date", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    write_atomically(&path, |out| Ok(out.write_all(updated.as_bytes())?))?;
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
    let root = root(&repo);
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
    print!("{}", templates.notes(&release, known_issues.as_deref())?);
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
    use relcore::cut::{self, CutOptions};
    let (repo, config) = open(dir)?;
    let mut options = CutOptions::default();
    options.pre = pre;
    options.version = version;
    options.sign = sign;
    let plan = match cut::plan(&repo, &config, &options) {
        Ok(plan) => plan,
        Err(cut::Error::Refused(reason)) => {
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
        print!("{}", plan.notes);
        return Ok(ExitCode::SUCCESS);
    }
    let applied = cut::apply(&repo, &plan)?;
    eprintln!(
        "released {} on {}{since}: commit {}, {signed} annotated tag {}",
        plan.version,
        plan.branch,
        applied.commit.to_hex_with_len(7),
        applied.tag
    );
    if push {
        let remote = cut::push(&repo, &plan)?;
        eprintln!("pushed {} and {} to {remote}", plan.branch, plan.tag);
    }
    println!("{}", plan.version);
    Ok(ExitCode::SUCCESS)
}

pub fn verify(dir: &Path, names: &[String], json: bool) -> Result<ExitCode> {
    use relcore::signature::{self, Anchors};
    let (repo, config) = open(dir)?;
    let root = root(&repo);
    let anchors = Anchors::from_config(&config, &root);
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
    let anchors = relcore::signature::Anchors::from_config(&config, &root(&repo));
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
    let anchors = relcore::signature::Anchors::from_config(&config, &git_dir);
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
) -> Result<ExitCode> {
    use relcore::policy::{self, Push, RefUpdate};
    let (repo, config) = open(dir)?;
    let anchors = relcore::signature::Anchors::from_config(&config, &root(&repo));
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
