//! Planning a release: every precondition checked and every byte rendered, nothing written.

use std::path::{Component, Path};

use semver::Version;

use super::{CutOptions, Error, FileChange, Plan, Refusal, work_tree};
use crate::changelog::{self, Planned, Templates};
use crate::config::Config;
use crate::git::Git;
use crate::history::Repo;
use crate::upcoming::{self, Options};
use crate::{paths, version, version_file};

/// Checks the preconditions and renders everything the release writes. Writes nothing.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// use relcore::release::{self, CutOptions};
/// git(&["config", "user.name", "A"])?;
/// git(&["config", "user.email", "a@example.com"])?;
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = relcore::Config::from_toml("[policy]\nrequire_signed_tags = false\n", "rel.toml".as_ref())?;
/// let mut options = CutOptions::default();
/// options.sign = Some(false);
/// let plan = release::plan(&repo, &config, &options)?;
/// assert_eq!((plan.tag.as_str(), plan.files[0].path.as_str()), ("v0.1.1", "CHANGELOG.md"));
/// assert_eq!(git(&["status", "--porcelain"])?, ""); // nothing written yet
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::Refused`] when the repository is bare, the work tree is dirty, HEAD is not on a release branch, there is
/// nothing to release, the tag exists, `--version` is not above the last release, or signing is
/// turned off against the policy; [`Error::Path`] when a configured path leaves the work tree
/// or a file to update is not a regular file (a symlink, a FIFO); other variants when reading
/// or rendering fails.
pub fn plan(repo: &Repo, config: &Config, options: &CutOptions) -> Result<Plan, Error> {
    super::recover(repo)?;
    let tree = work_tree(repo)?;
    let git = Git::new(tree.dir());
    let head = repo.head()?;
    let branch = head
        .branch
        .clone()
        .ok_or(Refusal::Detached { head: head.id })?;
    if !config
        .policy
        .release_branches
        .iter()
        .any(|g| g.is_match(&branch))
    {
        let allowed = config
            .policy
            .release_branches
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect();
        return Err(Refusal::NotReleaseBranch { branch, allowed }.into());
    }
    let status = git
        .run(
            &[
                "--no-optional-locks",
                "status",
                "--porcelain",
                "--untracked-files=no",
            ],
            None,
        )
        .map_err(|source| Error::Git {
            step: "reading the work tree status".into(),
            source,
        })?;
    if !status.is_empty() {
        let changes = status.split('\n').map(str::to_owned).collect();
        return Err(Refusal::Dirty { changes }.into());
    }
    let sign = match options.sign {
        Some(false) if config.policy.require_signed_tags => {
            return Err(Refusal::SigningRequired.into());
        }
        Some(sign) => sign,
        None => config.policy.require_signed_tags || git_bool(&git, "tag.gpgSign"),
    };

    let upcoming = upcoming::upcoming(
        repo,
        config,
        &Options {
            pre: options.pre.clone(),
        },
    )?;
    let prefix = &config.version.tag_prefix;
    let version = match &options.version {
        Some(text) => {
            let text = text.strip_prefix(prefix.as_str()).unwrap_or(text);
            let v = Version::parse(text).map_err(|reason| Refusal::BadVersion {
                given: text.to_owned(),
                reason,
            })?;
            if let Some(base) = upcoming.current()
                && v <= *base
            {
                return Err(Refusal::NotAbove {
                    version: v,
                    last: base.clone(),
                }
                .into());
            }
            v
        }
        None => upcoming
            .next
            .clone()
            .ok_or_else(|| Refusal::NothingToRelease {
                current: upcoming.current().cloned(),
            })?,
    };
    let tag = version::tag_name(&version, prefix);
    if repo
        .gix()
        .try_find_reference(format!("refs/tags/{tag}").as_str())
        .ok()
        .flatten()
        .is_some()
    {
        return Err(Refusal::TagExists { tag }.into());
    }

    // Render everything.
    let templates = Templates::new(config, &tree)?;
    let links = changelog::links(repo, config);
    let mut range = changelog::upcoming_range(repo, config, version::is_stable(&version))?;
    range.planned = Some(Planned::today(version.clone(), prefix));
    let previous = range.previous.clone();
    let release = changelog::build_release(repo, config, &range, links.as_ref())?;
    let section = templates.changelog_section(&release)?;
    let known_issues = changelog::known_issues(config, &tree)?;
    let notes = templates.notes(&release, known_issues.as_deref())?;
    let mut tag_message = templates.tag_message(&release)?;
    if !options.artifacts.is_empty() {
        let artifacts = crate::record::artifacts(&options.artifacts)?;
        // `rel publish` finds them here later.
        crate::record::remember(repo, &options.artifacts, &artifacts);
        tag_message = format!(
            "{}\n\n{}\n",
            tag_message.trim_end(),
            crate::record::tag_attestation(&artifacts)
        );
    }

    let mut files = Vec::new();
    let changelog_path = slash_path(&config.changelog.path);
    let old = paths::read(&tree.resolve("changelog.path", &config.changelog.path)?)?;
    let base = old
        .as_deref()
        .unwrap_or(changelog::DEFAULT_INTRO.as_bytes());
    files.push(FileChange {
        path: changelog_path,
        new: changelog::insert_sections(base, &[section], true),
        old,
    });
    for (i, file) in config.release.files.iter().enumerate() {
        let path = tree.resolve(&format!("release.files[{i}].path"), &file.path)?;
        let bytes = paths::read(&path)?.ok_or_else(|| Refusal::MissingFile {
            path: file.path.clone(),
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|_| Refusal::NotUtf8 {
            path: file.path.clone(),
        })?;
        let new = version_file::update(file, &text, &version.to_string())?;
        files.push(FileChange {
            path: slash_path(&file.path),
            old: Some(bytes),
            new: new.into_bytes(),
        });
    }
    let commit_message = config
        .release
        .commit_message
        .replace("{tag}", &tag)
        .replace("{version}", &version.to_string());
    Ok(Plan {
        version,
        tag,
        previous,
        branch,
        head: head.id,
        files,
        commit_message,
        tag_message,
        notes,
        sign,
    })
}

fn git_bool(git: &Git, key: &str) -> bool {
    git.run(&["config", "--type=bool", "--get", key], None)
        .is_ok_and(|v| v == "true")
}

/// A configured path (already checked: only plain names and `.`) as git names it in a tree.
fn slash_path(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}
