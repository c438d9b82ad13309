//! End-to-end tests: real repositories built with the real git CLI (through `fixtures/lib.sh`),
//! and the real `rel` binary run in them.

mod anchors;
mod announce;
mod api;
mod bad_input;
mod changelog;
mod cli_behaviour;
mod config_errors;
mod deploy;
mod deploy_edges;
mod deploy_server;
mod deploy_tagged;
mod files;
mod gate;
mod hooks;
mod install;
mod lint;
mod log;
mod maintenance;
mod metrics;
mod next;
mod paths;
mod policy;
mod progress;
mod ready;
mod record;
mod record_server;
mod registry;
mod release;
mod release_atomic;
mod reshape;
mod ssh_verdicts;
mod version_files;

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
        self.fixture(&[], script);
        self
    }

    /// Runs `script` in the repository with `lib.sh` and the fixture files `libs` (names in
    /// `fixtures/`) loaded: what it printed, trimmed. A failing script fails the test.
    #[track_caller]
    pub fn fixture(&self, libs: &[&str], script: &str) -> String {
        let mut sourced = String::new();
        for lib in std::iter::once("lib.sh").chain(libs.iter().copied()) {
            sourced.push_str(&format!(". '{}'\n", fixtures_dir().join(lib).display()));
        }
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("{sourced}{script}"))
            .current_dir(self.path())
            .env("REL_FIXTURE_HOME", self.home.path())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "fixture script failed:\n{script}\n--- stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The throwaway HOME the fixtures and `rel` runs use.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Runs `rel` with `args` in the repository, isolated from the user's git configuration.
    pub fn rel(&self, args: &[&str]) -> Run {
        self.rel_in(self.path(), args)
    }

    pub fn rel_in(&self, cwd: &Path, args: &[&str]) -> Run {
        self.run(
            Command::new(env!("CARGO_BIN_EXE_rel"))
                .args(args)
                .current_dir(cwd),
            None,
        )
    }

    /// Runs `rel` with `input` on stdin.
    pub fn rel_stdin(&self, args: &[&str], input: &str) -> Run {
        self.run(
            Command::new(env!("CARGO_BIN_EXE_rel"))
                .args(args)
                .current_dir(self.path()),
            Some(input),
        )
    }

    /// Runs `git` in the repository, in the fixture environment (so installed hooks run for real).
    pub fn git(&self, args: &[&str]) -> Run {
        self.run(
            Command::new("git").args(args).current_dir(self.path()),
            None,
        )
    }

    /// Runs `command` isolated from the user's git configuration, with the fixture identities.
    pub fn run(&self, command: &mut Command, input: Option<&str>) -> Run {
        use std::io::Write as _;
        let global = self.home.path().join(".gitconfig-empty");
        if !global.exists() {
            std::fs::write(&global, "").expect("write empty global config");
        }
        let mut child = command
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", &global)
            .env("GIT_AUTHOR_NAME", "Ada Author")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Cy Committer")
            .env("GIT_COMMITTER_EMAIL", "cy@example.com")
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", "1780000000")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            // Registry credentials come from the throwaway HOME only.
            .env_remove("REL_REGISTRY_USERNAME")
            .env_remove("REL_REGISTRY_PASSWORD")
            .env_remove("REL_REGISTRY_TOKEN")
            .env_remove("REGISTRY_AUTH_FILE")
            .env_remove("DOCKER_CONFIG")
            .env_remove("XDG_RUNTIME_DIR")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("command runs");
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin
            .write_all(input.unwrap_or_default().as_bytes())
            .expect("write stdin");
        drop(stdin);
        let out = child.wait_with_output().expect("command finishes");
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
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directories");
        }
        std::fs::write(path, contents).expect("write file");
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name))
            .unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    /// The full message of `rev`.
    pub fn message(&self, rev: &str) -> String {
        self.git(&["log", "-1", "--format=%B", rev])
            .success()
            .trim_end()
            .to_owned()
    }

    /// How many commits HEAD has.
    pub fn count(&self) -> usize {
        self.git(&["rev-list", "--count", "HEAD"])
            .success()
            .trim()
            .parse()
            .expect("a number")
    }
}
