//! Building a [`Push`] from each way one is described: git's pre-push lines, the
//! pre-receive/update lines of a server, or a range or ref named for `rel check`; and opening
//! the receiving repository of a server hook with its own configuration.

use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::{Push, RefUpdate};
use crate::config::{self, Config};
use crate::history::{self, Repo};
use crate::paths::{self, Root};
use crate::signature::Anchors;

/// Why a push could not be described: unreadable hook input, a ref or range that does not
/// resolve, or a server repository that cannot be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A line of hook input is not of the protocol's form.
    #[error("cannot read the {what} line `{line}`: expected `{expected}`")]
    BadLine {
        /// `pre-push` or `hook`.
        what: &'static str,
        /// The line as read.
        line: String,
        /// The form the protocol has.
        expected: &'static str,
    },
    /// A field that should be an object id is not one.
    #[error("`{text}` is not an object id")]
    NotAnId {
        /// The field as read.
        text: String,
        /// What gix said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The ref named does not exist.
    #[error("no ref `{name}`")]
    NoRef {
        /// The full name looked for.
        name: String,
    },
    /// A range push needs a branch, and HEAD is detached.
    #[error("HEAD is detached: name the range with --range A..B")]
    Detached,
    /// A range push needs a start: what the remote had.
    #[error("--range needs a start: A..B")]
    NoStart,
    /// Reading the repository failed.
    #[error(transparent)]
    History(#[from] history::Error),
    /// The server's rel.toml is not accepted.
    #[error(transparent)]
    Config(#[from] config::Error),
    /// A trust anchor path of the server's rel.toml leaves its git directory.
    #[error(transparent)]
    Path(#[from] paths::Error),
}

/// An object id as git's hook protocols write it (full hex).
///
/// # Errors
/// [`Error::NotAnId`] when `text` is not one.
fn parse_id(text: &str) -> Result<ObjectId, Error> {
    ObjectId::from_hex(text.as_bytes()).map_err(|e| Error::NotAnId {
        text: text.to_owned(),
        source: Box::new(e),
    })
}

/// The non-empty lines of hook input, split on whitespace.
fn fields(input: &str) -> impl Iterator<Item = (&str, Vec<&str>)> {
    input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| (l, l.split_whitespace().collect()))
}

impl Push {
    /// The push a client's `pre-push` hook describes: `input` is git's lines on its stdin
    /// (`<local ref> <local id> <remote ref> <remote id>`), and what `remote` has is what this
    /// clone knows of it: the remote ids of those lines and its remote-tracking branches
    /// (`refs/remotes/<remote>/*`, seen as `refs/heads/*`).
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// use relcore::policy::{self, Push, Rule};
    /// use relcore::signature::Anchors;
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = repo.load_config()?;
    /// let (head, parent) = (git(&["rev-parse", "HEAD"])?, git(&["rev-parse", "HEAD~1"])?);
    /// // This clone knows origin's main at HEAD; pushing main back to its parent is a force-push.
    /// git(&["update-ref", "refs/remotes/origin/main", &head])?;
    /// let input = format!("refs/heads/main {parent} refs/heads/main {head}\n");
    /// let push = Push::from_pre_push(&repo, "origin", &input)?;
    /// let violations = policy::evaluate(&repo, &config, &Anchors::from_files(None, None), &push)?;
    /// assert_eq!(violations[0].rule, Rule::ProtectedForcePush);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::BadLine`] or [`Error::NotAnId`] on input not of that form; when the
    /// references cannot be read.
    pub fn from_pre_push(repo: &Repo, remote: &str, input: &str) -> Result<Push, Error> {
        let mut push = Push::default();
        for (line, fields) in fields(input) {
            let [_local_ref, local_id, remote_ref, remote_id] = fields[..] else {
                return Err(Error::BadLine {
                    what: "pre-push",
                    line: line.to_owned(),
                    expected: "<local ref> <local id> <remote ref> <remote id>",
                });
            };
            let (old, new) = (parse_id(remote_id)?, parse_id(local_id)?);
            push.updates.push(RefUpdate::new(remote_ref, old, new));
            if !old.is_null() {
                push.remote_refs.push((remote_ref.to_owned(), old));
            }
        }
        let prefix = format!("refs/remotes/{remote}/");
        for (name, id) in repo.refs(&prefix)? {
            if let Some(branch) = name.strip_prefix(&prefix)
                && branch != "HEAD"
            {
                push.remote_refs.push((format!("refs/heads/{branch}"), id));
            }
        }
        Ok(push)
    }

    /// The push a server's `pre-receive` hook describes: `input` is git's `<old> <new> <ref>`
    /// lines (the `update` hook's arguments make one such line). Before the update, the
    /// server's own refs are what the remote has.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// use relcore::policy::{self, Push, Rule};
    /// use relcore::signature::Anchors;
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = repo.load_config()?;
    /// let (head, parent) = (git(&["rev-parse", "HEAD"])?, git(&["rev-parse", "HEAD~1"])?);
    /// // A fast-forward of main.
    /// let push = Push::from_pre_receive(&repo, &format!("{parent} {head} refs/heads/main\n"))?;
    /// assert!(policy::evaluate(&repo, &config, &Anchors::from_files(None, None), &push)?.is_empty());
    /// let err = Push::from_pre_receive(&repo, "one two\n").expect_err("not the protocol");
    /// assert_eq!(err.to_string(), "cannot read the hook line `one two`: expected `<old> <new> <ref>`");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::BadLine`] or [`Error::NotAnId`] on input not of that form; when the
    /// references cannot be read.
    pub fn from_pre_receive(repo: &Repo, input: &str) -> Result<Push, Error> {
        let mut push = Push::default();
        for (line, fields) in fields(input) {
            let [old, new, name] = fields[..] else {
                return Err(Error::BadLine {
                    what: "hook",
                    line: line.to_owned(),
                    expected: "<old> <new> <ref>",
                });
            };
            push.updates
                .push(RefUpdate::new(name, parse_id(old)?, parse_id(new)?));
        }
        push.remote_refs = repo.refs("")?;
        Ok(push)
    }

    /// The commits of `range` (`A..B`; `None`: the current branch's `@{upstream}..HEAD`) as a
    /// push to the current branch, the remote having its remote-tracking branches and `A`.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// use relcore::policy::{self, Push, Rule};
    /// use relcore::signature::Anchors;
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = repo.load_config()?;
    /// let (head, parent) = (git(&["rev-parse", "HEAD"])?, git(&["rev-parse", "HEAD~1"])?);
    /// let push = Push::from_range(&repo, Some("v0.1.0..HEAD"))?;
    /// assert_eq!(push.updates[0].name, "refs/heads/main");
    /// assert_eq!(push.updates[0].new.map(|id| id.to_string()), Some(head));
    /// assert!(policy::evaluate(&repo, &config, &Anchors::from_files(None, None), &push)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Detached`] when HEAD is detached, [`Error::NoStart`] for a range without `A`;
    /// when the range does not resolve.
    pub fn from_range(repo: &Repo, range: Option<&str>) -> Result<Push, Error> {
        let branch = repo.head()?.branch.ok_or(Error::Detached)?;
        let spec = match range {
            Some(r) => r.to_owned(),
            None => format!("{branch}@{{upstream}}..HEAD"),
        };
        let (tip, hidden) = repo.range(&spec)?;
        let old = hidden.ok_or(Error::NoStart)?;
        let full = format!("refs/heads/{branch}");
        let mut push = Push::default();
        push.updates.push(RefUpdate::new(full.clone(), old, tip));
        push.remote_refs = repo
            .refs("refs/remotes/")?
            .into_iter()
            .filter_map(|(n, id)| {
                let (_, branch) = n.strip_prefix("refs/remotes/")?.split_once('/')?;
                (branch != "HEAD").then(|| (format!("refs/heads/{branch}"), id))
            })
            .filter(|(n, _)| *n != full)
            .collect();
        push.remote_refs.push((full, old));
        Ok(push)
    }

    /// The ref `name` as if newly pushed to a remote holding every other ref of `repo`. A
    /// short name is a tag when such a tag exists, else a branch.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// use relcore::policy::{self, Push, Rule};
    /// use relcore::signature::Anchors;
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = repo.load_config()?;
    /// let (head, parent) = (git(&["rev-parse", "HEAD"])?, git(&["rev-parse", "HEAD~1"])?);
    /// // The lightweight, unsigned tag v0.2.0 as if pushed.
    /// git(&["tag", "v0.2.0"])?;
    /// let push = Push::from_ref(&repo, "v0.2.0")?;
    /// assert_eq!(push.updates[0].name, "refs/tags/v0.2.0");
    /// let violations = policy::evaluate(&repo, &config, &Anchors::from_files(None, None), &push)?;
    /// assert!(violations.iter().any(|v| v.rule == Rule::TagAnnotated));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NoRef`] when the ref does not exist; when the references cannot be read.
    pub fn from_ref(repo: &Repo, name: &str) -> Result<Push, Error> {
        let full = if name.starts_with("refs/") {
            name.to_owned()
        } else if repo.has_ref(&format!("refs/tags/{name}"))? {
            format!("refs/tags/{name}")
        } else {
            format!("refs/heads/{name}")
        };
        let all = repo.refs("")?;
        let id = all
            .iter()
            .find(|(n, _)| *n == full)
            .map(|(_, id)| *id)
            .ok_or_else(|| Error::NoRef { name: full.clone() })?;
        let mut push = Push::default();
        push.updates
            .push(RefUpdate::new(full.clone(), repo.null_id(), id));
        push.remote_refs = all.into_iter().filter(|(n, _)| *n != full).collect();
        Ok(push)
    }
}

/// A server's repository as its hooks see it, with the policy and trust anchors of its own
/// `$GIT_DIR/rel.toml`: never from what is being pushed.
#[derive(Debug)]
#[non_exhaustive]
pub struct Receiving {
    /// The repository, with the pushed objects visible (see [`Repo::open_receiving`]).
    pub repo: Repo,
    /// `$GIT_DIR/rel.toml` (defaults when there is none).
    pub config: Config,
    /// The trust anchors it names, relative to the git directory.
    pub anchors: Anchors,
}

impl Receiving {
    /// Opens the repository at `git_dir` (git's `$GIT_DIR`) with the objects of the push in
    /// `quarantine` (git's `$GIT_QUARANTINE_PATH`, relative to `git_dir`, when set).
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// let server = relcore::policy::Receiving::open(&dir.path().join(".git"), None)?;
    /// assert_eq!(server.config, relcore::Config::default()); // no $GIT_DIR/rel.toml
    /// assert!(server.anchors.allowed_signers.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// When the repository cannot be opened or its rel.toml is not accepted.
    pub fn open(git_dir: &Path, quarantine: Option<&Path>) -> Result<Self, Error> {
        let repo = Repo::open_receiving(git_dir, quarantine)?;
        let config = Config::load(&git_dir.join(config::FILE_NAME))?;
        let anchors = Anchors::from_config(&config, &Root::git_dir(PathBuf::from(git_dir)))?;
        Ok(Receiving {
            repo,
            config,
            anchors,
        })
    }
}
