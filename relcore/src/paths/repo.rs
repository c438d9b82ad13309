//! The root of a repository: one answer, for every caller outside history.
//!
//! It belongs with opening a repository (`history`), where the receiving view of a server hook
//! is known; it lives here until that module is reshaped.

use super::Root;
use crate::history::Repo;

impl Repo {
    /// The root the paths of its rel.toml are relative to: its work tree, else (bare) its git
    /// directory.
    pub fn root(&self) -> Root {
        let git_dir = self.gix().git_dir().to_owned();
        match self.work_dir() {
            Some(work) => Root::work_tree(work, Some(git_dir)),
            None => Root::git_dir(git_dir),
        }
    }
}

impl Root {
    /// The root of `repo`: [`Repo::root`].
    pub fn of(repo: &Repo) -> Self {
        repo.root()
    }
}
