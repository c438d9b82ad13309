//! How the command line behaves around its edges: a reader that goes away (`rel log | head`),
//! `-C` into a bare repository, and `rel uninstall` next to a broken `rel.toml`.

use std::process::Command;

use crate::Repo;

/// Runs `rel args` with stdout a pipe whose reading end is already closed, so that every write
/// fails with EPIPE as it does once `head` has exited; (exit code, stderr).
fn with_closed_stdout(repo: &Repo, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_rel"))
        .args(args)
        .current_dir(repo.path())
        .env("HOME", repo.home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env(
            "GIT_CONFIG_GLOBAL",
            repo.home.path().join(".gitconfig-empty"),
        )
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(std::process::Stdio::null())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("rel runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_every_printing_command_quietly() {
    let repo = Repo::new(
        "commit 'feat: one' && atag v1.0.0 && commit 'fix: two' && commit 'feat: three'
printf '[policy]\\nrequire_signed_tags = false\\n' > rel.toml && git add rel.toml && commit 'chore: config'",
    );
    for args in [
        &["log"][..],
        &["log", "--json"],
        &["next"],
        &["next", "--json"],
        &["changelog", "--stdout"],
        &["changelog", "--all", "--stdout"],
        &["changelog", "--context"],
        &["notes"],
        &["notes", "v1.0.0"],
        &["release", "--dry-run"],
        &["lint", "--range", "HEAD~3..HEAD", "--json"],
    ] {
        let (code, stderr) = with_closed_stdout(&repo, args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("error")
                && !stderr.contains("panicked")
                && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
    // Nothing else changes: a real error still exits 2 and says so.
    let (code, stderr) = with_closed_stdout(&repo, &["log", "no-such-rev..HEAD"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
}

#[test]
fn rel_log_into_head_in_a_shell_pipeline() {
    // `head -1` exits after one line; rel's next write fails, and rel must still succeed.
    // 1000 commits: more output than a pipe holds, so rel is still writing when head exits.
    let repo = Repo::new(
        "for i in $(seq 1 1000); do
  printf 'commit refs/heads/main\\ncommitter C <c@x> %d +0000\\ndata <<EOF\\nfix: change %d\\nEOF\\n\\n' $((1767225600 + i)) \"$i\"
done | git fast-import --quiet",
    );
    let run = repo.run(
        Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -o pipefail; '{}' log | head -1 > first",
                env!("CARGO_BIN_EXE_rel")
            ))
            .current_dir(repo.path()),
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "");
    assert!(
        repo.read("first").ends_with("fix: change 1000\n"),
        "{}",
        repo.read("first")
    );
}

/// `client/` (a work tree with v1.0.0 and two features since) and `server.git`, its bare clone.
fn client_and_bare_server() -> Repo {
    Repo::empty_dir().sh(
        "repo client && cd client && commit 'feat: one' && atag v1.0.0 && commit 'feat: two' && commit 'fix: three'
cd .. && git clone -q --bare client server.git",
    )
}

#[test]
fn dash_c_opens_a_bare_repository_from_anywhere() {
    let repo = client_and_bare_server();
    let client = repo.path().join("client");
    let server = repo.path().join("server.git");
    assert_eq!(repo.rel_in(&client, &["next"]).success(), "1.1.0\n");
    for (cwd, args) in [
        (&client, &["-C", "../server.git", "next"][..]),
        (
            &client.join("."),
            &["-C", "../client/../server.git", "next"],
        ),
        (&server.join("refs"), &["next"]),
        (&server.join("refs/tags"), &["-C", "..", "next"]),
        (&repo.path().to_owned(), &["-C", "server.git", "next"]),
    ] {
        let run = repo.rel_in(cwd, args);
        assert_eq!(run.success(), "1.1.0\n", "{cwd:?} {args:?}");
    }
    // The same commits as the work tree's, as git counts them.
    let log = repo
        .rel_in(&client, &["-C", "../server.git", "log", "--json"])
        .json();
    let commits = log["commits"].as_array().expect("commits").len();
    let git = repo.run(
        Command::new("git")
            .args(["rev-list", "--count", "v1.0.0..HEAD"])
            .current_dir(&server),
        None,
    );
    assert_eq!(commits.to_string(), git.stdout.trim());
}

#[test]
fn dash_c_to_a_directory_that_is_no_repository_says_so() {
    let repo = client_and_bare_server().sh("mkdir plain");
    let err = repo
        .rel_in(&repo.path().join("client"), &["-C", "../plain", "next"])
        .failure(2)
        .to_owned();
    assert!(err.contains("not a git repository"), "{err}");
}

#[test]
fn uninstall_works_whatever_rel_toml_holds() {
    for broken in [
        "printf '[commits]\\nbogus = 1\\n' > rel.toml",
        "printf 'not = [toml\\n' > rel.toml",
        "ln -s gone.toml rel.toml",
    ] {
        let repo = Repo::new("commit 'feat: one'");
        repo.rel(&["install"]).success();
        assert!(repo.path().join(".git/hooks/commit-msg").exists());
        let repo = repo.sh(broken);
        assert_eq!(
            repo.rel(&["next"]).code,
            2,
            "{broken}: the config is broken"
        );
        let run = repo.rel(&["uninstall"]);
        assert_eq!(run.code, 0, "{broken}: {run:?}");
        assert!(run.stderr.contains("removed "), "{run:?}");
        assert!(!repo.path().join(".git/hooks/commit-msg").exists());
        assert!(!repo.path().join(".git/hooks/pre-push").exists());
        // git commits without rel's hook now.
        assert_eq!(
            repo.git(&["commit", "--allow-empty", "-m", "not conventional"])
                .code,
            0,
            "{broken}"
        );
    }
}
