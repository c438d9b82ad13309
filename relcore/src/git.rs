//! The git command line, for what gix does not do the way git does: signing tags with the
//! user's own signing setup, updating the work tree, pushing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A git command that could not run or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// git could not be started.
    #[error("cannot run `git {args}`: is git installed and on PATH?")]
    Spawn {
        /// The arguments.
        args: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// git exited with an error.
    #[error("`git {args}` failed: {stderr}")]
    Failed {
        /// The arguments.
        args: String,
        /// What git printed on stderr.
        stderr: String,
    },
}

/// Runs git in one directory, with optional extra environment.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
    env: Vec<(String, PathBuf)>,
    isolated: bool,
}

impl Git {
    /// git run in `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            env: Vec::new(),
            isolated: false,
        }
    }

    /// The same, with each git run in a process group of its own: a Ctrl-C at the terminal
    /// (sent to rel's process group) then stops rel between steps, never a git step half-way.
    pub fn isolated(mut self) -> Self {
        self.isolated = true;
        self
    }

    /// The same, with `key` set to `value` in git's environment.
    pub fn with_env(&self, key: &str, value: &Path) -> Self {
        let mut git = self.clone();
        git.env.push((key.to_owned(), value.to_owned()));
        git
    }

    /// Runs `git args`, feeding `stdin`; returns stdout without its final newline.
    ///
    /// # Errors
    /// When git cannot start or exits non-zero.
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<String, Error> {
        let joined = args.join(" ");
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(&self.dir)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        if self.isolated {
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
        }
        // rel reads objects as they are: never through replace refs or a grafts file.
        command
            .env("GIT_NO_REPLACE_OBJECTS", "1")
            .env("GIT_GRAFT_FILE", "/dev/null/rel-reads-no-grafts");
        for (k, v) in &self.env {
            command.env(k, v);
        }
        let mut child = command.spawn().map_err(|source| Error::Spawn {
            args: joined.clone(),
            source,
        })?;
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // A git that exits early closes its end; its exit status tells what happened.
            let _ = pipe.write_all(input);
        }
        let out = child.wait_with_output().map_err(|source| Error::Spawn {
            args: joined.clone(),
            source,
        })?;
        if !out.status.success() {
            return Err(Error::Failed {
                args: joined,
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        if text.ends_with('\n') {
            text.pop();
        }
        Ok(text)
    }
}
