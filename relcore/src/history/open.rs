//! Opening a repository: by discovery, at a git dir, or as the receiving view a server hook
//! needs (the quarantined objects of a push), and what it says about itself (HEAD, work tree,
//! remotes, settings, the [`Root`] its rel.toml paths are relative to), and git run on it.

use std::path::{Path, PathBuf};

use super::{Error, Head, ReadSubject, Repo, read_err};
use crate::paths::Root;

impl Repo {
    /// Finds the repository containing `dir`, like git does (honouring `GIT_DIR`): a work
    /// tree's, or a bare repository when `dir` is in one.
    ///
    /// # Errors
    /// [`Error::NotARepository`] when there is none.
    pub fn discover(dir: &Path) -> Result<Self, Error> {
        let not_a_repository = |source: gix::Error| Error::not_a_repository(dir.to_owned(), source);
        // Searched from an absolute path: from a relative one (`../server.git`, or `.` inside
        // a bare repository's `refs/`), gix 0.90 rewrites the bare repository's path as if it
        // ended in `.git` (wrong, and an assertion failure in debug builds).
        let absolute =
            std::path::absolute(dir).map_err(|e| not_a_repository(gix::Error::from_error(e)))?;
        let repo = gix::discover_with_environment_overrides(&absolute).map_err(not_a_repository)?;
        Ok(Self::from_gix(repo))
    }

    /// Opens the repository at `git_dir` (a `.git` directory or a bare repository), without discovery.
    ///
    /// # Errors
    /// [`Error::NotARepository`] when it is not one.
    pub fn open(git_dir: &Path) -> Result<Self, Error> {
        let repo = gix::open(git_dir)
            .map_err(|source| Error::not_a_repository(git_dir.to_owned(), source))?;
        Ok(Self::from_gix(repo))
    }

    /// Wraps an already opened gix repository.
    ///
    /// Replace refs (`refs/replace/*`) are ignored: what rel reads is the objects as they are,
    /// whatever anyone pushed under `refs/replace/`, so no replacement can rewrite the history
    /// a policy, a version or a changelog is computed from. (gix reads no grafts file.)
    pub(crate) fn from_gix(mut repo: gix::Repository) -> Self {
        // The walk reads each commit right after the traversal decoded it: a small cache avoids inflating it twice.
        repo.object_cache_size_if_unset(4 * 1024 * 1024);
        // gix sets no delta-base cache unless built with `max-performance`: without one, every
        // object at the end of a delta chain inflates the whole chain again (git keeps 96 MiB
        // of bases, core.deltaBaseCacheLimit). Commits that look alike, like the record's
        // entries, are packed as long chains: reading 10,000 of them took 0.5 s without it.
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                32 * 1024 * 1024,
            ))
        });
        repo.objects.ignore_replacements = true;
        Self {
            repo,
            view: None,
            quarantine: None,
            cli_dir: None,
        }
    }

    /// Opens the repository a server-side hook runs in, seeing the objects of the push being
    /// received. git keeps those in a quarantine directory (`GIT_QUARANTINE_PATH`) until the
    /// hooks accept the push, and gix does not read that variable; so this assembles a
    /// throwaway view: an empty object store whose alternates are the quarantine and the main
    /// store, and the real `HEAD`, `config`, `refs` and `packed-refs` linked in. Without a
    /// quarantine (a delete-only push) it is [`Repo::open`].
    ///
    /// # Errors
    /// When the view cannot be made or the repository cannot be opened.
    pub fn open_receiving(git_dir: &Path, quarantine: Option<&Path>) -> Result<Self, Error> {
        let Some(quarantine) = quarantine else {
            return Self::open(git_dir);
        };
        let io = |e: std::io::Error| {
            Error::not_a_repository(git_dir.to_owned(), gix::Error::from_error(e))
        };
        let git_dir = git_dir.canonicalize().map_err(io)?;
        let view = tempfile::tempdir().map_err(io)?;
        let info = view.path().join("objects/info");
        std::fs::create_dir_all(&info).map_err(io)?;
        std::fs::create_dir_all(view.path().join("objects/pack")).map_err(io)?;
        let quarantine = git_dir.join(quarantine);
        std::fs::write(
            info.join("alternates"),
            format!(
                "{}\n{}\n",
                quarantine.display(),
                git_dir.join("objects").display()
            ),
        )
        .map_err(io)?;
        for name in ["HEAD", "config", "refs", "packed-refs", "shallow"] {
            let target = git_dir.join(name);
            if target.exists() {
                #[cfg(unix)]
                std::os::unix::fs::symlink(&target, view.path().join(name)).map_err(io)?;
            }
        }
        let mut repo = Self::open(view.path())?;
        repo.view = Some(std::sync::Arc::new(view));
        repo.quarantine = Some(quarantine.to_owned());
        repo.cli_dir = Some(git_dir);
        Ok(repo)
    }

    /// git, run on this repository: on its real git dir (not a receiving view), seeing the
    /// quarantined objects of a push being received, never honouring replace refs or grafts.
    pub(crate) fn git_cli(&self) -> crate::git::Git {
        let git_dir = self
            .cli_dir
            .clone()
            .unwrap_or_else(|| self.repo.git_dir().to_owned());
        let dir = self.work_dir().unwrap_or(&git_dir).to_owned();
        let mut git = crate::git::Git::new(&dir).with_env("GIT_DIR", &git_dir);
        if let Some(quarantine) = &self.quarantine {
            git = git
                .with_env("GIT_OBJECT_DIRECTORY", quarantine)
                .with_env("GIT_ALTERNATE_OBJECT_DIRECTORIES", &git_dir.join("objects"));
        }
        git
    }

    /// The directory rel keeps its own files under (`rel/` in it): the repository's common git
    /// directory, shared by its linked work trees; on a server, the real one, not a receiving
    /// view.
    pub(crate) fn private_dir(&self) -> PathBuf {
        self.cli_dir
            .clone()
            .unwrap_or_else(|| self.repo.common_dir().to_owned())
    }

    /// The underlying gix repository.
    pub(crate) fn gix(&self) -> &gix::Repository {
        &self.repo
    }

    /// The work tree root, `None` for a bare repository.
    pub fn work_dir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// The root the paths of its rel.toml are relative to: its work tree, else (bare) its git
    /// directory.
    pub fn root(&self) -> Root {
        let git_dir = self.repo.git_dir().to_owned();
        match self.work_dir() {
            Some(work) => Root::work_tree(work, Some(git_dir)),
            None => Root::git_dir(git_dir),
        }
    }

    /// The commit HEAD points at, and its branch unless detached.
    ///
    /// # Errors
    /// [`Error::UnbornHead`] in a repository without commits.
    pub fn head(&self) -> Result<Head, Error> {
        let head = self.repo.head().map_err(read_err(ReadSubject::Head))?;
        let branch = head.referent_name().map(|n| n.shorten().to_string());
        match head.id() {
            Some(id) => Ok(Head {
                id: id.detach(),
                branch,
            }),
            None => Err(Error::UnbornHead {
                branch: branch.unwrap_or_else(|| "HEAD".into()),
            }),
        }
    }

    /// The URL of remote `name`'s fetch side, if configured.
    pub fn remote_url(&self, name: &str) -> Option<String> {
        self.repo
            .config_snapshot()
            .string(format!("remote.{name}.url").as_str())
            .map(|u| u.to_string())
    }

    /// The comment string git strips from edited messages: `core.commentString`, else
    /// `core.commentChar` (either may be `auto`), else `None` for git's default `#`.
    pub fn comment_setting(&self) -> Option<String> {
        let config = self.repo.config_snapshot();
        ["core.commentString", "core.commentChar"]
            .into_iter()
            .find_map(|key| config.string(key))
            .map(|v| v.to_string())
    }
}

impl Root {
    /// The root of `repo`: [`Repo::root`].
    pub fn of(repo: &Repo) -> Self {
        repo.root()
    }
}
