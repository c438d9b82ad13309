//! `rel install` / `rel uninstall`: shims written where git looks, foreign hooks never lost.

use crate::Repo;

const FOREIGN: &str =
    "#!/bin/sh\necho foreign ran >> \"$(git rev-parse --git-dir)/foreign.log\"\nexit 0\n";
const FOREIGN_FAILING: &str = "#!/bin/sh\necho 'foreign says no' >&2\nexit 1\n";

fn foreign(repo: &Repo, path: &str, text: &str) {
    repo.write(path, text);
    std::fs::set_permissions(
        repo.path().join(path),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
}

#[track_caller]
fn commits_ok(repo: &Repo, message: &str) -> bool {
    repo.git(&["commit", "--allow-empty", "-m", message]).code == 0
}

#[test]
fn foreign_hook_is_refused_and_untouched() {
    let repo = Repo::new("commit 'chore: init'");
    foreign(&repo, ".git/hooks/commit-msg", FOREIGN);
    let err = repo.rel(&["install"]).failure(2).to_owned();
    assert!(
        err.contains(".git/hooks/commit-msg already exists and is not rel's"),
        "{err}"
    );
    assert!(err.contains("--chain") && err.contains("--force"), "{err}");
    assert_eq!(repo.read(".git/hooks/commit-msg"), FOREIGN);
    assert!(commits_ok(&repo, "not conventional, no rel hook"));
}

#[test]
fn chain_keeps_the_foreign_hook_and_runs_it_first() {
    let repo = Repo::new("commit 'chore: init'");
    foreign(&repo, ".git/hooks/commit-msg", FOREIGN);
    repo.rel(&["install", "--chain"]).success();
    assert_eq!(repo.read(".git/hooks/commit-msg.rel-chained"), FOREIGN);
    assert!(!commits_ok(&repo, "bad message"));
    assert!(commits_ok(&repo, "feat: good"));
    assert_eq!(repo.read(".git/foreign.log"), "foreign ran\nforeign ran\n");

    // Its failure stops the commit even for a good message.
    foreign(&repo, ".git/hooks/commit-msg.rel-chained", FOREIGN_FAILING);
    let run = repo.git(&["commit", "--allow-empty", "-m", "feat: good"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("foreign says no"), "{}", run.stderr);

    // Uninstall puts it back.
    repo.rel(&["uninstall"]).success();
    assert_eq!(repo.read(".git/hooks/commit-msg"), FOREIGN_FAILING);
    assert!(
        !repo
            .path()
            .join(".git/hooks/commit-msg.rel-chained")
            .exists()
    );
}

#[test]
fn force_replaces_after_keeping_a_backup() {
    let repo = Repo::new("commit 'chore: init'");
    foreign(&repo, ".git/hooks/commit-msg", FOREIGN);
    let run = repo.rel(&["install", "--force"]);
    run.success();
    assert!(run.stderr.contains("commit-msg.rel-backup"), "{run:?}");
    assert_eq!(repo.read(".git/hooks/commit-msg.rel-backup"), FOREIGN);
    assert!(
        repo.read(".git/hooks/commit-msg")
            .contains("rel-managed-hook")
    );
    assert!(!commits_ok(&repo, "bad message"));
    assert!(!repo.path().join(".git/foreign.log").exists());
}

#[test]
fn uninstall_leaves_foreign_hooks() {
    let repo = Repo::new("commit 'chore: init'");
    foreign(&repo, ".git/hooks/commit-msg", FOREIGN);
    foreign(&repo, ".git/hooks/pre-commit", FOREIGN);
    let run = repo.rel(&["uninstall"]);
    run.success();
    assert!(run.stderr.contains("not rel's"), "{run:?}");
    assert_eq!(repo.read(".git/hooks/commit-msg"), FOREIGN);
    assert_eq!(repo.read(".git/hooks/pre-commit"), FOREIGN);

    let repo = Repo::new("commit 'chore: init'");
    foreign(&repo, ".git/hooks/pre-commit", FOREIGN);
    repo.rel(&["install"]).success();
    repo.rel(&["uninstall"]).success();
    assert!(!repo.path().join(".git/hooks/commit-msg").exists());
    assert_eq!(repo.read(".git/hooks/pre-commit"), FOREIGN);
    assert!(commits_ok(&repo, "anything goes again"));
}

#[test]
fn installing_twice_is_a_no_op() {
    let repo = Repo::new("commit 'chore: init'");
    repo.rel(&["install"]).success();
    let first = repo.read(".git/hooks/commit-msg");
    let run = repo.rel(&["install"]);
    run.success();
    assert!(run.stderr.contains("already installed"), "{run:?}");
    assert_eq!(repo.read(".git/hooks/commit-msg"), first);
    let entries = std::fs::read_dir(repo.path().join(".git/hooks"))
        .expect("hooks dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("commit-msg"))
        .count();
    assert_eq!(entries, 2, "commit-msg and git's commit-msg.sample only");
}

#[test]
fn core_hooks_path_is_honoured() {
    let repo = Repo::new("commit 'chore: init'\ngit config core.hooksPath .githooks");
    repo.rel(&["install"]).success();
    assert!(
        repo.read(".githooks/commit-msg")
            .contains("rel-managed-hook")
    );
    assert!(!repo.path().join(".git/hooks/commit-msg").exists());
    assert!(!commits_ok(&repo, "bad message"));
    assert!(commits_ok(&repo, "feat: good"));
    // From a subdirectory too.
    let repo = repo.sh("mkdir -p sub/dir");
    let run = repo.rel_in(&repo.path().join("sub/dir"), &["install"]);
    assert!(run.stderr.contains("already installed"), "{run:?}");
}

#[test]
fn linked_worktree_shares_the_hooks() {
    let repo = Repo::new(
        "commit 'chore: init'\necho /wt/ >> .git/info/exclude\ngit worktree add -q wt -b side",
    );
    let wt = repo.path().join("wt");
    let run = repo.rel_in(&wt, &["install"]);
    run.success();
    assert!(
        repo.read(".git/hooks/commit-msg")
            .contains("rel-managed-hook")
    );
    let commit = |message: &str| {
        repo.run(
            std::process::Command::new("git")
                .args(["commit", "--allow-empty", "-m", message])
                .current_dir(&wt),
            None,
        )
        .code
    };
    assert_ne!(commit("bad message in the worktree"), 0);
    assert_eq!(commit("feat: good in the worktree"), 0);
    assert!(!commits_ok(&repo, "bad message in the main tree"));
}

#[test]
fn shim_without_rel_says_how_to_install() {
    let repo = Repo::new("commit 'chore: init'");
    repo.rel(&["install"]).success();
    // Point the shim at a rel that does not exist, with no rel on PATH.
    let shim = repo.read(".git/hooks/commit-msg");
    let line = shim
        .lines()
        .find(|l| l.starts_with("rel="))
        .expect("rel= line")
        .to_owned();
    repo.write(
        ".git/hooks/commit-msg",
        shim.replace(&line, "rel='/nonexistent/rel'"),
    );
    let run = repo.run(
        std::process::Command::new("git")
            .args(["commit", "--allow-empty", "-m", "feat: x"])
            .env("PATH", "/usr/bin:/bin")
            .current_dir(repo.path()),
        None,
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("needs rel, which is neither at /nonexistent/rel nor on PATH"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("cargo install"), "{}", run.stderr);
}
