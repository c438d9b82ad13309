//! Running the tools rel leaves to their own programs (git, ssh-keygen, gpg): one runner, so
//! every child is started, fed and read the same way.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A program to run, with its directory and environment; cheap to clone and extend.
#[derive(Debug, Clone)]
pub struct Tool {
    program: String,
    dir: Option<PathBuf>,
    env: Vec<(String, OsString)>,
    isolated: bool,
}

/// What a finished run printed, and whether it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Output {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its standard output, decoded lossily.
    pub stdout: String,
    /// Its standard error, decoded lossily.
    pub stderr: String,
}

/// A program that could not be started (or waited for).
#[derive(Debug, thiserror::Error)]
#[error("cannot run {program}")]
#[non_exhaustive]
pub struct SpawnError {
    /// The program.
    pub program: String,
    /// What the OS said.
    #[source]
    pub source: std::io::Error,
}

impl Tool {
    /// `program`, found on `PATH`, run in the current directory with the current environment.
    pub fn new(program: impl Into<String>) -> Self {
        Self {
            program: program.into(),
            dir: None,
            env: Vec::new(),
            isolated: false,
        }
    }

    /// The same, run in `dir`.
    pub fn in_dir(mut self, dir: &Path) -> Self {
        self.dir = Some(dir.to_owned());
        self
    }

    /// The same, with each run in a process group of its own: a Ctrl-C at the terminal (sent
    /// to rel's process group) then stops rel between steps, never a child half-way.
    pub fn isolated(mut self) -> Self {
        self.isolated = true;
        self
    }

    /// The same, with `key` set to `value` in the environment (a later value for the same key wins).
    pub fn with_env(&self, key: &str, value: impl Into<OsString>) -> Self {
        let mut tool = self.clone();
        tool.env.push((key.to_owned(), value.into()));
        tool
    }

    /// Runs the program with `args`, feeding `stdin` (`None`: no input at all), and waits for it.
    ///
    /// # Errors
    /// [`SpawnError`] when the program cannot be started; a program that runs and fails is an
    /// [`Output`] with `success` false.
    pub fn run<A: AsRef<OsStr>>(
        &self,
        args: &[A],
        stdin: Option<&[u8]>,
    ) -> Result<Output, SpawnError> {
        let spawn_error = |source| SpawnError {
            program: self.program.clone(),
            source,
        };
        let mut command = Command::new(&self.program);
        command
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        #[cfg(unix)]
        if self.isolated {
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
        }
        for (k, v) in &self.env {
            command.env(k, v);
        }
        let mut child = command.spawn().map_err(spawn_error)?;
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // A child that exits early closes its end; its exit status tells what happened.
            let _ = pipe.write_all(input);
        }
        let out = child.wait_with_output().map_err(spawn_error)?;
        Ok(Output {
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// Runs `command` with `sh -c` in `dir`, its output going where this process's goes; kills
/// it (and what it started) after `timeout`. Its exit status (`None` when killed), and whether
/// it timed out.
pub(crate) fn run_shell(
    command: &str,
    dir: &Path,
    vars: &[(&str, String)],
    timeout: std::time::Duration,
) -> Result<(Option<i32>, bool), std::io::Error> {
    run_shell_with(command, dir, vars, timeout, &Shell::default())
}

/// Where a shell command's input comes from and its output goes, and what it must not inherit.
#[derive(Debug, Default)]
pub(crate) struct Shell<'a> {
    /// Its standard input (`None`: nothing, /dev/null).
    pub(crate) input: Option<&'a [u8]>,
    /// A file that takes both its standard output and error (`None`: rel's own).
    pub(crate) output: Option<&'a std::fs::File>,
    /// Environment variables removed (`GIT_DIR` when it runs in another checkout).
    pub(crate) unset: &'a [&'a str],
}

/// [`run_shell`], with its input, output and environment as `shell` says.
pub(crate) fn run_shell_with(
    command: &str,
    dir: &Path,
    vars: &[(&str, String)],
    timeout: std::time::Duration,
    shell: &Shell<'_>,
) -> Result<(Option<i32>, bool), std::io::Error> {
    use std::os::unix::process::CommandExt;
    use std::time::{Duration, Instant};
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(dir)
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .stdin(if shell.input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .process_group(0);
    for name in shell.unset {
        cmd.env_remove(name);
    }
    if let Some(file) = shell.output {
        cmd.stdout(file.try_clone()?).stderr(file.try_clone()?);
    }
    let mut child = cmd.spawn()?;
    // Fed from a thread: a command that does not read all of it must not stall rel.
    let feeder = match (shell.input, child.stdin.take()) {
        (Some(input), Some(mut stdin)) => {
            let input = input.to_vec();
            Some(std::thread::spawn(move || {
                let _ = stdin.write_all(&input);
            }))
        }
        _ => None,
    };
    let deadline = Instant::now() + timeout;
    let result = loop {
        if let Some(status) = child.try_wait()? {
            break (status.code(), false);
        }
        if Instant::now() >= deadline {
            // The whole process group: sh and whatever it started.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_is_a_spawn_error_naming_it() {
        let err = Tool::new("rel-no-such-tool")
            .run(&["--version"], None)
            .expect_err("not on PATH");
        assert_eq!(err.to_string(), "cannot run rel-no-such-tool");
        assert_eq!(err.source.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn input_environment_and_directory_reach_the_child() {
        let dir = tempfile::tempdir().expect("temp dir");
        let sh = Tool::new("sh").in_dir(dir.path()).with_env("REL_X", "one");
        let out = sh
            .with_env("REL_X", "two")
            .run(
                &[
                    "-c",
                    "cat; printf ' %s %s' \"$REL_X\" \"$(pwd -P)\"; echo oops >&2; exit 3",
                ],
                Some(b"in"),
            )
            .expect("sh runs");
        let here = dir.path().canonicalize().expect("canonical");
        assert_eq!(out.stdout, format!("in two {}", here.display()));
        assert_eq!((out.success, out.stderr.as_str()), (false, "oops\n"));
        // Without input the child reads end of file at once.
        let out = sh.run(&["-c", "cat; echo done"], None).expect("sh runs");
        assert_eq!((out.success, out.stdout.as_str()), (true, "done\n"));
    }
}

/// The examples of these items, now that they are not public.
#[cfg(test)]
mod examples {
    #[test]
    fn run_1() -> Result<(), Box<dyn std::error::Error>> {
        let out = crate::process::Tool::new("git").run(&["--version"], None)?;
        assert!(out.success && out.stdout.starts_with("git version"));
        Ok(())
    }
}
