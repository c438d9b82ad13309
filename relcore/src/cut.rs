//! Cutting a release, all or nothing: [`plan`] checks every precondition and renders every
//! byte first, writing nothing; [`apply`] then makes the release commit and the annotated (and,
//! when asked, signed) tag with git, and leaves the repository exactly as it was if any step fails.
//!
//! The order makes "all or nothing" cheap: the commit is built from a temporary index without
//! touching the branch, the work tree or the index; the tag (where signing can fail) is made
//! next, pointing at that commit; only then does the branch move (compare-and-swap), and git
//! brings the index and work tree along. A failure before the branch moves leaves only
//! unreachable objects; a failure after it is undone by moving the branch and the files back.

use std::path::{Component, Path, PathBuf};

use gix::ObjectId;
use semver::Version;

use crate::changelog::{self, Planned, Templates};
use crate::config::Config;
use crate::git::{self, Git};
use crate::history::{self, ReleaseTag, Repo};
use crate::paths::{self, Root};
use crate::release::{self, Options};
use crate::version;
use crate::version_file;

/// Why a release cannot be cut. Nothing was written when this is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A precondition does not hold.
    #[error("{0}")]
    Refused(String),
    /// The repository cannot be read.
    #[error(transparent)]
    History(#[from] history::Error),
    /// Working out the next version failed.
    #[error(transparent)]
    Release(#[from] release::Error),
    /// Rendering the changelog, notes or tag message failed.
    #[error(transparent)]
    Changelog(#[from] changelog::Error),
    /// A version file cannot be updated.
    #[error(transparent)]
    VersionFile(#[from] version_file::Error),
    /// A configured path leaves the work tree, or a file to update is not a regular file.
    #[error(transparent)]
    Path(#[from] paths::Error),
    /// A file cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A git step failed; the repository was put back as it was.
    #[error("{step} failed, so nothing was released (the repository is as it was)")]
    Git {
        /// What was being done.
        step: String,
        /// What git said.
        #[source]
        source: git::Error,
    },
    /// The release was made locally, but pushing it failed.
    #[error(
        "released {tag} locally, but pushing it to {remote} failed; push it with `git push --atomic {remote} {branch} {tag}`"
    )]
    Push {
        /// The remote.
        remote: String,
        /// The branch.
        branch: String,
        /// The tag.
        tag: String,
        /// What git said.
        #[source]
        source: git::Error,
    },
}

/// How to cut the release.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CutOptions {
    /// Make a pre-release with this label.
    pub pre: Option<String>,
    /// Release exactly this version instead of the computed one.
    pub version: Option<String>,
    /// `Some(true)`: sign; `Some(false)`: do not (refused when the policy requires signed tags);
    /// `None`: sign when `tag.gpgSign` or `policy.require_signed_tags` asks for it.
    pub sign: Option<bool>,
}

/// A file the release commit changes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FileChange {
    /// Relative to the work tree root, with `/` separators.
    pub path: String,
    /// The bytes before (`None`: the file does not exist yet).
    pub old: Option<Vec<u8>>,
    /// The bytes after.
    pub new: Vec<u8>,
}

/// Everything a release will write, computed before anything is written.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Plan {
    /// The version released.
    pub version: Version,
    /// Its tag.
    pub tag: String,
    /// The release before it.
    pub previous: Option<ReleaseTag>,
    /// The branch the release commit goes on.
    pub branch: String,
    /// HEAD before the release.
    pub head: ObjectId,
    /// The files the release commit changes (the changelog first).
    pub files: Vec<FileChange>,
    /// The release commit's message.
    pub commit_message: String,
    /// The tag's message.
    pub tag_message: String,
    /// The release notes (for `--dry-run` and forges).
    pub notes: String,
    /// Whether the tag is signed.
    pub sign: bool,
}

/// What [`apply`] made.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Applied {
    /// The release commit.
    pub commit: ObjectId,
    /// The tag name.
    pub tag: String,
}

fn refused(message: impl Into<String>) -> Error {
    Error::Refused(message.into())
}

/// Checks the preconditions and renders everything the release writes. Writes nothing.
///
/// # Errors
/// [`Error::Refused`] when the work tree is dirty, HEAD is not on a release branch, there is
/// nothing to release, the tag exists, `--version` is not above the last release, or signing is
/// turned off against the policy; [`Error::Path`] when a configured path leaves the work tree
/// or a file to update is not a regular file (a symlink, a FIFO); other variants when reading
/// or rendering fails.
pub fn plan(repo: &Repo, config: &Config, options: &CutOptions) -> Result<Plan, Error> {
    let root = repo
        .work_dir()
        .ok_or_else(|| refused("rel release needs a work tree; this repository is bare"))?
        .to_owned();
    let git = Git::new(&root);
    let head = repo.head()?;
    let branch = head
        .branch
        .clone()
        .ok_or_else(|| refused("HEAD is detached: check out the release branch first"))?;
    if !config
        .policy
        .release_branches
        .iter()
        .any(|g| g.is_match(&branch))
    {
        let allowed: Vec<&str> = config
            .policy
            .release_branches
            .iter()
            .map(|g| g.as_str())
            .collect();
        return Err(refused(format!(
            "`{branch}` is not a release branch; releases are cut on {} (policy.release_branches)",
            allowed.join(", ")
        )));
    }
    let status = git
        .run(&["status", "--porcelain", "--untracked-files=no"], None)
        .map_err(|source| Error::Git {
            step: "reading the work tree status".into(),
            source,
        })?;
    if !status.is_empty() {
        return Err(refused(format!(
            "the work tree has uncommitted changes; commit or stash them first:\n{status}"
        )));
    }
    let sign = match options.sign {
        Some(false) if config.policy.require_signed_tags => {
            return Err(refused(
                "--no-sign: policy.require_signed_tags is on, so release tags must be signed",
            ));
        }
        Some(sign) => sign,
        None => config.policy.require_signed_tags || git_bool(&git, "tag.gpgSign"),
    };

    let upcoming = release::upcoming(
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
            let v = Version::parse(text)
                .map_err(|e| refused(format!("--version `{text}` is not a semantic version like 1.2.3: {e}")))?;
            if let Some(base) = upcoming.current()
                && v <= *base
            {
                return Err(refused(format!(
                    "--version {v} is not above the last release {base}; release a higher version"
                )));
            }
            v
        }
        None => upcoming.next.clone().ok_or_else(|| {
            refused(match upcoming.current() {
                Some(current) => format!(
                    "nothing to release: no commit since {current} bumps the version; use --version to release anyway"
                ),
                None => "nothing to release: no commit bumps the version; use --version to release anyway".into(),
            })
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
        return Err(refused(format!("the tag {tag} already exists")));
    }

    // Render everything.
    let tree = Root::of(repo);
    let templates = Templates::new(config, &tree)?;
    let links = changelog::links(repo, config);
    let mut range = changelog::upcoming_range(repo, config, version::is_stable(&version))?;
    range.planned = Some(Planned::today(version.clone(), prefix));
    let previous = range.previous.clone();
    let release = changelog::build_release(repo, config, &range, links.as_ref())?;
    let section = templates.changelog_section(&release)?;
    let known_issues = changelog::known_issues(config, &tree)?;
    let notes = templates.notes(&release, known_issues.as_deref())?;
    let tag_message = templates.tag_message(&release)?;

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
        let bytes = paths::read(&path)?.ok_or_else(|| {
            refused(format!(
                "{}: no such file ([[release.files]])",
                file.path.display()
            ))
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|_| {
            refused(format!(
                "{}: not UTF-8 text ([[release.files]])",
                file.path.display()
            ))
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

/// Makes the release the plan describes: one commit on the branch, one annotated tag on it.
/// All or nothing: on any failure the branch, index, work tree and files are as before.
///
/// # Errors
/// [`Error::Git`] naming the step that failed (e.g. signing the tag).
pub fn apply(repo: &Repo, plan: &Plan) -> Result<Applied, Error> {
    let root = repo
        .work_dir()
        .expect("plan checked for a work tree")
        .to_owned();
    let git = Git::new(&root);
    let step = |step: &str| {
        let step = step.to_owned();
        move |source| Error::Git { step, source }
    };
    let head = plan.head.to_string();

    // 1. The release commit, from a temporary index: branch, index and work tree untouched.
    let scratch = tempfile::tempdir().map_err(|source| Error::Read {
        path: std::env::temp_dir(),
        source,
    })?;
    let index = scratch.path().join("index");
    let temp = git.with_env("GIT_INDEX_FILE", &index);
    temp.run(&["read-tree", &head], None)
        .map_err(step("reading HEAD's tree"))?;
    for file in &plan.files {
        let blob = git
            .run(&["hash-object", "-w", "--stdin"], Some(&file.new))
            .map_err(step("writing a blob"))?;
        let mode = git
            .run(
                &["ls-tree", "--format=%(objectmode)", &head, "--", &file.path],
                None,
            )
            .ok()
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "100644".into());
        temp.run(
            &[
                "update-index",
                "--add",
                "--cacheinfo",
                &format!("{mode},{blob},{}", file.path),
            ],
            None,
        )
        .map_err(step("staging the release files"))?;
    }
    let tree = temp
        .run(&["write-tree"], None)
        .map_err(step("writing the release tree"))?;
    let commit = git
        .run(
            &["commit-tree", &tree, "-p", &head, "-F", "-"],
            Some(plan.commit_message.as_bytes()),
        )
        .map_err(step("making the release commit"))?;

    // 2. The tag on it (signing happens here and may fail: nothing visible was changed yet).
    let message = scratch.path().join("tag-message");
    std::fs::write(&message, &plan.tag_message).map_err(|source| Error::Read {
        path: message.clone(),
        source,
    })?;
    let message_arg = message.to_string_lossy().into_owned();
    let mut args = vec!["tag", "-a", "--cleanup=verbatim", "-F", &message_arg];
    if plan.sign {
        args.push("-s");
    } else {
        args.push("--no-sign");
    }
    args.extend([plan.tag.as_str(), commit.as_str()]);
    git.run(&args, None).map_err(step(if plan.sign {
        "signing the tag"
    } else {
        "making the tag"
    }))?;
    let undo_tag = || {
        let _ = git.run(
            &["update-ref", "-d", &format!("refs/tags/{}", plan.tag)],
            None,
        );
    };

    // 3. Move the branch, only if it is still where the plan found it.
    let branch_ref = format!("refs/heads/{}", plan.branch);
    let reason = format!("rel release {}", plan.tag);
    if let Err(source) = git.run(
        &["update-ref", "-m", &reason, &branch_ref, &commit, &head],
        None,
    ) {
        undo_tag();
        return Err(Error::Git {
            step: format!("moving {} to the release commit", plan.branch),
            source,
        });
    }

    // 4. Bring the index and work tree along (the files are clean, so this is a fast-forward).
    if let Err(source) = git.run(&["read-tree", "-m", "-u", &head, &commit], None) {
        let _ = git.run(
            &[
                "update-ref",
                "-m",
                "rel release: undo",
                &branch_ref,
                &head,
                &commit,
            ],
            None,
        );
        let _ = git.run(&["read-tree", "-m", "-u", &commit, &head], None);
        restore(&root, plan);
        undo_tag();
        return Err(Error::Git {
            step: "updating the work tree".into(),
            source,
        });
    }
    Ok(Applied {
        commit: commit.parse().expect("git prints a valid commit id"),
        tag: plan.tag.clone(),
    })
}

/// Puts the plan's files back as they were (used when undoing a half-made release).
fn restore(root: &Path, plan: &Plan) {
    for file in &plan.files {
        let path = root.join(&file.path);
        let _ = match &file.old {
            Some(bytes) => paths::write(&path, bytes).map_err(|_| ()),
            None => std::fs::remove_file(&path).map_err(|_| ()),
        };
    }
}

/// Pushes the branch and the tag together (`git push --atomic`): both or neither.
///
/// # Errors
/// [`Error::Git`] when the push fails; the local release stays.
pub fn push(repo: &Repo, plan: &Plan) -> Result<String, Error> {
    let root = repo.work_dir().expect("a work tree");
    let git = Git::new(root);
    let remote = git
        .run(
            &["config", "--get", &format!("branch.{}.remote", plan.branch)],
            None,
        )
        .unwrap_or_else(|_| "origin".into());
    git.run(
        &[
            "push",
            "--atomic",
            &remote,
            &format!("refs/heads/{0}:refs/heads/{0}", plan.branch),
            &format!("refs/tags/{0}:refs/tags/{0}", plan.tag),
        ],
        None,
    )
    .map_err(|source| Error::Push {
        remote: remote.clone(),
        branch: plan.branch.clone(),
        tag: plan.tag.clone(),
        source,
    })?;
    Ok(remote)
}
