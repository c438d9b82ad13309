//! End-to-end tests: real repositories built with the real git CLI (through `fixtures/lib.sh`),
//! and the real `rel` binary run in them.

mod bad_input;
mod log;
mod next;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A repository in a temporary directory, built by fixture shell snippets.
#[derive(Debug)]
pub struct Repo {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

/// What a `rel` run left: exit code and output.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn success(&self) -> &str {
        assert_eq!(self.code, 0, "rel failed: {self:#?}");
        &self.stdout
    }

    #[track_caller]
    pub fn failure(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "unexpected exit code: {self:#?}");
        assert!(
            self.stdout.is_empty(),
            "a failure printed on stdout: {self:#?}"
        );
        &self.stderr
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.success()).expect("stdout is one JSON document")
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

impl Repo {
    /// A new repository on `main`, then `script` run in it with the fixture helpers loaded.
    #[track_caller]
    pub fn new(script: &str) -> Repo {
        Self::empty_dir().sh(&format!("repo\n{script}"))
    }

    /// An empty directory (not a repository) with the fixture environment ready.
    pub fn empty_dir() -> Repo {
        Repo {
            dir: tempfile::tempdir().expect("temp dir"),
            home: tempfile::tempdir().expect("temp home"),
        }
    }

    /// Runs more fixture shell in the repository.
    #[track_caller]
    pub fn sh(self, script: &str) -> Repo {
        let lib = fixtures_dir().join("lib.sh");
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(". '{}'\n{script}", lib.display()))
            .current_dir(self.path())
            .env("REL_FIXTURE_HOME", self.home.path())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "fixture script failed:\n{script}\n--- stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `rel` with `args` in the repository, isolated from the user's git configuration.
    pub fn rel(&self, args: &[&str]) -> Run {
        self.rel_in(self.path(), args)
    }

    pub fn rel_in(&self, cwd: &Path, args: &[&str]) -> Run {
        let global = self.home.path().join(".gitconfig-empty");
        std::fs::write(&global, "").expect("write empty global config");
        let out = Command::new(env!("CARGO_BIN_EXE_rel"))
            .args(args)
            .current_dir(cwd)
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", &global)
            .env("NO_COLOR", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .output()
            .expect("rel runs");
        Run {
            code: out
                .status
                .code()
                .expect("rel exited, not killed by a signal"),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    /// `rel next` printed line.
    #[track_caller]
    pub fn next(&self) -> String {
        self.rel(&["next"]).success().trim_end().to_owned()
    }

    /// `rel next --pre LABEL` printed line.
    #[track_caller]
    pub fn next_pre(&self, label: &str) -> String {
        self.rel(&["next", "--pre", label])
            .success()
            .trim_end()
            .to_owned()
    }

    /// `rel next --json`.
    #[track_caller]
    pub fn next_json(&self) -> serde_json::Value {
        self.rel(&["next", "--json"]).json()
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) {
        std::fs::write(self.path().join(name), contents).expect("write file");
    }
}
