//! The git command line, for what gix does not do the way git does: signing tags with the
//! user's own signing setup, updating the work tree, pushing.

use std::path::Path;

use crate::process::Tool;

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
    tool: Tool,
}

impl Git {
    /// git run in `dir`. It reads objects as they are: never through replace refs or a grafts file.
    pub fn new(dir: &Path) -> Self {
        let tool = Tool::new("git")
            .in_dir(dir)
            .with_env("GIT_NO_REPLACE_OBJECTS", "1")
            .with_env("GIT_GRAFT_FILE", "/dev/null/rel-reads-no-grafts");
        Self { tool }
    }

    /// The same, with each git run in a process group of its own: a Ctrl-C at the terminal
    /// (sent to rel's process group) then stops rel between steps, never a git step half-way.
    pub fn isolated(self) -> Self {
        Self {
            tool: self.tool.isolated(),
        }
    }

    /// The same, with `key` set to `value` in git's environment.
    pub fn with_env(&self, key: &str, value: &Path) -> Self {
        Self {
            tool: self.tool.with_env(key, value),
        }
    }

    /// Runs `git args`, feeding `stdin`; returns stdout without its final newline.
    ///
    /// # Errors
    /// When git cannot start or exits non-zero.
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<String, Error> {
        let out = self.tool.run(args, stdin).map_err(|e| Error::Spawn {
            args: args.join(" "),
            source: e.source,
        })?;
        if !out.success {
            return Err(Error::Failed {
                args: args.join(" "),
                stderr: out.stderr.trim().to_owned(),
            });
        }
        let mut text = out.stdout;
        if text.ends_with('\n') {
            text.pop();
        }
        Ok(text)
    }
}
