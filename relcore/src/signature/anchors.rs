//! The trust anchors: where they come from (files named by the operator, the configuration of
//! the checkout, or rel.toml as committed in a protected revision).

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::{Error, tool_error};
use crate::config::{self, Config};
use crate::history::{self, ReadSubject, Repo};
use crate::paths::{self, Escape, Root, RootKind};

/// The trust anchors: an SSH allowed-signers file and a folder of OpenPGP public keys.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Anchors {
    /// The SSH allowed-signers file, if any.
    pub allowed_signers: Option<PathBuf>,
    /// The folder of OpenPGP public keys, if any (only its regular files count).
    pub openpgp_keys: Option<PathBuf>,
    /// Where anchors read from a tree were written, kept for as long as the anchors are used.
    scratch: Option<Arc<tempfile::TempDir>>,
}

impl Anchors {
    /// Exactly these anchors: files the operator named (e.g. on the command line), taken as given.
    pub fn from_files(allowed_signers: Option<PathBuf>, openpgp_keys: Option<PathBuf>) -> Self {
        Self {
            allowed_signers,
            openpgp_keys,
            scratch: None,
        }
    }

    /// The anchors `config` names, inside `root` (the work tree, or `$GIT_DIR` on a server).
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = relcore::Config::from_toml("[policy]\nallowed_signers = \".signers\"\n", "rel.toml".as_ref())?;
    /// let anchors = relcore::signature::Anchors::from_config(&config, &repo.root())?;
    /// assert!(anchors.allowed_signers.is_some_and(|p| p.ends_with(".signers")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// When a configured path leaves the root, reaches git's own files or passes through a
    /// symlink ([`Root::resolve`]).
    pub fn from_config(config: &Config, root: &Root) -> Result<Self, paths::Error> {
        let resolve = |key: &str, p: &Path| {
            (!p.as_os_str().is_empty())
                .then(|| root.resolve(key, p))
                .transpose()
        };
        Ok(Self::from_files(
            resolve("policy.allowed_signers", &config.policy.allowed_signers)?,
            resolve("policy.openpgp_keys", &config.policy.openpgp_keys)?,
        ))
    }

    /// rel.toml as committed in `rev` (e.g. `origin/main`: a ref a pusher of tags cannot
    /// change), and the anchors it names, read from the same tree with gix and written to a
    /// temporary folder. The work tree is not read at all, so a checkout of the very tag being
    /// verified cannot vouch for itself. No rel.toml in `rev` gives the defaults (no anchors).
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// std::fs::write(dir.path().join("rel.toml"), "[version]\ntag_prefix = \"release-\"\n")?;
    /// git(&["add", "rel.toml"])?;
    /// git(&["commit", "-q", "-m", "chore: configure"])?;
    /// std::fs::write(dir.path().join("rel.toml"), "not even toml")?; // the work tree is not read
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let (config, anchors) = relcore::signature::Anchors::from_tree(&repo, "HEAD")?;
    /// assert_eq!(config.version.tag_prefix, "release-");
    /// assert!(anchors.allowed_signers.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// When `rev` does not name a commit, its rel.toml is not accepted, an anchor path passes
    /// through a symlink in the tree or names nothing of the right kind there.
    pub fn from_tree(repo: &Repo, rev: &str) -> Result<(Config, Self), Error> {
        let commit = repo.resolve(rev)?;
        let read =
            |what: ReadSubject| move |e: gix::Error| Error::History(history::Error::read(what, e));
        let entry_at = |path: PathBuf| ReadSubject::TreeEntry {
            rev: rev.to_owned(),
            path,
        };
        let tree = repo
            .gix()
            .find_object(commit)
            .map_err(|e| read(ReadSubject::Commit(commit))(gix::Error::from_error(e)))?
            .peel_to_tree()
            .map_err(|e| read(ReadSubject::Tree(rev.to_owned()))(gix::Error::from_error(e)))?;
        let label = format!("{rev}:{}", config::FILE_NAME);
        let config = match tree_node(
            repo,
            &tree,
            rev,
            config::FILE_NAME,
            Path::new(config::FILE_NAME),
        )? {
            Node::Missing => Config::default(),
            Node::Blob(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| config::Error::Invalid {
                    path: PathBuf::from(&label),
                    line: 1,
                    column: 1,
                    key: None,
                    message: "the file is not valid UTF-8".into(),
                })?;
                Config::from_toml(&text, Path::new(&label))?
            }
            Node::Tree(_) => {
                return Err(Error::NotInTree {
                    rev: rev.to_owned(),
                    key: config::FILE_NAME.to_owned(),
                    path: PathBuf::from(config::FILE_NAME),
                    expected: "file",
                });
            }
        };
        let scratch = tempfile::tempdir().map_err(tool_error("a temporary directory"))?;
        let write = |path: &Path, bytes: &[u8]| {
            std::fs::write(path, bytes).map_err(tool_error("a temporary file"))
        };
        let not_in_tree = |key: &str, path: &Path, expected| Error::NotInTree {
            rev: rev.to_owned(),
            key: key.to_owned(),
            path: path.to_owned(),
            expected,
        };
        let mut anchors = Self::from_files(None, None);
        let (key, signers) = ("policy.allowed_signers", &config.policy.allowed_signers);
        if !signers.as_os_str().is_empty() {
            let Node::Blob(bytes) = tree_node(repo, &tree, rev, key, signers)? else {
                return Err(not_in_tree(key, signers, "file"));
            };
            let path = scratch.path().join("allowed_signers");
            write(&path, &bytes)?;
            anchors.allowed_signers = Some(path);
        }
        let (key, keys) = ("policy.openpgp_keys", &config.policy.openpgp_keys);
        if !keys.as_os_str().is_empty() {
            let Node::Tree(folder) = tree_node(repo, &tree, rev, key, keys)? else {
                return Err(not_in_tree(key, keys, "folder"));
            };
            let dir = scratch.path().join("openpgp_keys");
            std::fs::create_dir(&dir).map_err(tool_error("a temporary directory"))?;
            let entries = folder
                .decode()
                .map_err(|e| read(entry_at(keys.clone()))(gix::Error::from_error(e)))?
                .entries;
            // Regular files only, as in a work tree; named by position, not by the tree's names.
            for (n, entry) in entries.iter().filter(|e| e.mode.is_blob()).enumerate() {
                let blob = repo.gix().find_object(entry.oid).map_err(|e| {
                    let path = keys.join(entry.filename.to_string());
                    read(entry_at(path))(gix::Error::from_error(e))
                })?;
                write(&dir.join(format!("key-{n:04}.asc")), &blob.data)?;
            }
            anchors.openpgp_keys = Some(dir);
        }
        anchors.scratch = Some(Arc::new(scratch));
        Ok((config, anchors))
    }
}

/// What a path names in a tree.
enum Node<'repo> {
    Missing,
    Blob(Vec<u8>),
    Tree(gix::Tree<'repo>),
}

/// The blob or tree at `path` (the value of `key`) in `tree`, refusing a path that leaves the
/// tree or passes through a symlink, as [`Root::resolve`] does in a work tree.
fn tree_node<'repo>(
    repo: &'repo Repo,
    tree: &gix::Tree<'repo>,
    rev: &str,
    key: &str,
    path: &Path,
) -> Result<Node<'repo>, Error> {
    let refuse = |reason| Error::Anchors {
        rev: rev.to_owned(),
        source: paths::Error::Outside {
            key: key.to_owned(),
            path: path.to_owned(),
            reason,
            root: RootKind::WorkTree,
        },
    };
    paths::check(path).map_err(refuse)?;
    let parts: Vec<&OsStr> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        return Err(refuse(Escape::Empty));
    }
    let mut current = tree.clone();
    let mut shown = PathBuf::new();
    for (i, part) in parts.iter().enumerate() {
        shown.push(part);
        let last = i + 1 == parts.len();
        let Some(entry) = current.find_entry(part.as_encoded_bytes()) else {
            return Ok(Node::Missing);
        };
        let (mode, id) = (entry.inner.mode, entry.inner.oid.to_owned());
        if mode.is_link() {
            return Err(refuse(Escape::Symlink { at: shown, last }));
        }
        let wanted = mode.is_tree() || (last && mode.is_blob());
        if !wanted {
            // A submodule, or a file where a folder is needed.
            return Ok(Node::Missing);
        }
        let object = repo.gix().find_object(id).map_err(|e| {
            let what = ReadSubject::TreeEntry {
                rev: rev.to_owned(),
                path: shown.clone(),
            };
            Error::History(history::Error::read(what, gix::Error::from_error(e)))
        })?;
        if mode.is_blob() {
            return Ok(Node::Blob(object.detach().data));
        }
        current = object.into_tree();
        if last {
            return Ok(Node::Tree(current));
        }
    }
    Ok(Node::Missing)
}
