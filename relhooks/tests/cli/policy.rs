//! The push policy with a real bare remote and real `git push`, each case run twice: through
//! the client's pre-push hook, and through the server's pre-receive hook with the client
//! pushing `--no-verify`.

use std::process::Command;

use crate::{Repo, Run, fixtures_dir};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    PrePush,
    PreReceive,
}

pub const MODES: [Mode; 2] = [Mode::PrePush, Mode::PreReceive];

pub const POLICY: &str = "[policy]\nbranch_names = [\"^(feature|fix|release)/\", \"^main$\"]\n";

/// `server.git` (bare) and `client/` (a clone), one commit on main pushed, rel's hook installed
/// on the side `mode` names. alice's SSH key is trusted, mallory's is not.
pub fn setup(mode: Mode) -> Repo {
    let keys = fixtures_dir().join("keys.sh");
    let repo = Repo::empty_dir().sh(&format!(
        ". '{keys}'
ssh_key alice && ssh_key mallory
git init -q --bare server.git
allow_ssh alice alice@example.com server.git/allowed_signers
printf '{POLICY}allowed_signers = \"allowed_signers\"\\n' > server.git/rel.toml
git clone -q server.git client 2>/dev/null && cd client
git switch -q -c main
allow_ssh alice alice@example.com .rel/allowed_signers
printf '{POLICY}allowed_signers = \".rel/allowed_signers\"\\n' > rel.toml
git add . && commit 'feat: first'
git config gpg.format ssh && git config user.signingkey \"$HOME/alice\"
git push -q origin main",
        keys = keys.display(),
    ));
    let install = match mode {
        Mode::PrePush => repo.rel_in(&repo.path().join("client"), &["install"]),
        Mode::PreReceive => repo.rel_in(&repo.path().join("server.git"), &["install", "--server"]),
    };
    install.success();
    repo
}

/// Fixture shell in the client.
pub fn client(repo: Repo, script: &str) -> Repo {
    repo.sh(&format!("cd client\n{script}"))
}

/// `git push ARGS` from the client (with --no-verify when the server is to decide).
pub fn push(repo: &Repo, mode: Mode, args: &[&str]) -> Run {
    let mut command = Command::new("git");
    command.arg("push");
    if mode == Mode::PreReceive {
        command.arg("--no-verify");
    }
    command.args(args).current_dir(repo.path().join("client"));
    repo.run(&mut command, None)
}

/// The id `name` has on the server, if it exists.
pub fn on_server(repo: &Repo, name: &str) -> Option<String> {
    let run = repo.run(
        Command::new("git")
            .args(["rev-parse", "--verify", "-q", name])
            .current_dir(repo.path().join("server.git")),
        None,
    );
    (run.code == 0).then(|| run.stdout.trim().to_owned())
}

#[track_caller]
pub fn refused(run: &Run, refname: &str, rule: &str) {
    assert_ne!(run.code, 0, "push should be refused: {run:?}");
    assert!(
        run.stderr.contains(&format!("rejected {refname} [{rule}]")),
        "want {refname} [{rule}] in:\n{}",
        run.stderr
    );
}

#[test]
fn release_tags() {
    for mode in MODES {
        let repo = client(
            setup(mode),
            "git tag v1.0.0\ngit tag -a -m unsigned v1.1.0\ngit -c user.signingkey=\"$HOME/mallory\" tag -s -m mallory v1.2.0\ngit tag -s -m alice v1.3.0\ngit tag just-a-tag",
        );
        refused(
            &push(&repo, mode, &["origin", "v1.0.0"]),
            "refs/tags/v1.0.0",
            "tag-annotated",
        );
        refused(
            &push(&repo, mode, &["origin", "v1.1.0"]),
            "refs/tags/v1.1.0",
            "tag-signed",
        );
        refused(
            &push(&repo, mode, &["origin", "v1.2.0"]),
            "refs/tags/v1.2.0",
            "tag-signed",
        );
        for tag in ["v1.0.0", "v1.1.0", "v1.2.0"] {
            assert_eq!(
                on_server(&repo, tag),
                None,
                "{mode:?}: {tag} reached the server"
            );
        }
        assert_eq!(
            push(&repo, mode, &["origin", "v1.3.0"]).code,
            0,
            "{mode:?}: trusted tag"
        );
        assert_eq!(
            push(&repo, mode, &["origin", "just-a-tag"]).code,
            0,
            "{mode:?}: a non-release tag is free"
        );

        // Published release tags cannot move or go.
        let published = on_server(&repo, "v1.3.0").expect("v1.3.0 pushed");
        let repo = client(
            repo,
            "commit 'fix: later' && git push -q origin main && git tag -f -s -m moved v1.3.0 >/dev/null",
        );
        refused(
            &push(&repo, mode, &["--force", "origin", "v1.3.0"]),
            "refs/tags/v1.3.0",
            "tag-immutable",
        );
        refused(
            &push(&repo, mode, &["origin", ":refs/tags/v1.3.0"]),
            "refs/tags/v1.3.0",
            "tag-immutable",
        );
        assert_eq!(
            on_server(&repo, "v1.3.0").as_deref(),
            Some(published.as_str()),
            "{mode:?}"
        );

        // A signed release tag on a commit only a feature branch has.
        let repo = client(
            repo,
            "git switch -q -c feature/x && commit 'feat: unmerged' && git push -q --no-verify origin feature/x && git tag -s -m early v2.0.0",
        );
        refused(
            &push(&repo, mode, &["origin", "v2.0.0"]),
            "refs/tags/v2.0.0",
            "tag-on-release-branch",
        );
        assert_eq!(on_server(&repo, "v2.0.0"), None);
    }
}

#[test]
fn branches() {
    for mode in MODES {
        let repo = client(
            setup(mode),
            "commit 'feat: second' && git push -q origin main",
        );
        // Force-push and deletion of a protected branch.
        refused(
            &push(&repo, mode, &["--force", "origin", "HEAD~1:main"]),
            "refs/heads/main",
            "protected-force-push",
        );
        refused(
            &push(&repo, mode, &["origin", ":main"]),
            "refs/heads/main",
            "protected-delete",
        );
        assert!(on_server(&repo, "main").is_some());

        // Feature branches may be rewritten and deleted, and hold any message.
        let repo = client(
            repo,
            "git switch -q -c feature/y && commit 'wip' && commit 'more wip'",
        );
        assert_eq!(
            push(&repo, mode, &["origin", "feature/y"]).code,
            0,
            "{mode:?}"
        );
        assert_eq!(
            push(&repo, mode, &["--force", "origin", "HEAD~1:feature/y"]).code,
            0,
            "{mode:?}"
        );
        assert_eq!(
            push(&repo, mode, &["origin", ":feature/y"]).code,
            0,
            "{mode:?}"
        );

        // A non-conventional commit on main is refused, naming the commit.
        let repo = client(repo, "git switch -q main && commit 'Update stuff'");
        let run = push(&repo, mode, &["origin", "main"]);
        refused(&run, "refs/heads/main", "commit-lint");
        assert!(run.stderr.contains("`Update stuff`"), "{}", run.stderr);

        // A badly named new branch.
        let repo = client(
            repo,
            "git reset -q --hard HEAD~1 && git switch -q -c Bad_Name",
        );
        refused(
            &push(&repo, mode, &["origin", "Bad_Name"]),
            "refs/heads/Bad_Name",
            "branch-name",
        );
        assert_eq!(on_server(&repo, "Bad_Name"), None);
    }
}

#[test]
fn all_violations_of_a_push_at_once() {
    for mode in MODES {
        let repo = client(setup(mode), "commit 'bad one' && git tag v1.0.0");
        let run = push(&repo, mode, &["origin", "main", "v1.0.0"]);
        refused(&run, "refs/heads/main", "commit-lint");
        refused(&run, "refs/tags/v1.0.0", "tag-annotated");
    }
}

#[test]
fn the_server_ignores_a_pushed_rel_toml() {
    let repo = client(
        setup(Mode::PreReceive),
        "printf '[policy]\\nlint = \"off\"\\nrequire_signed_tags = false\\nrequire_annotated_tags = false\\n' > rel.toml && git add rel.toml && commit 'chore: loosen the policy' && commit 'sneaky non-conventional' && git tag v1.0.0",
    );
    let run = push(&repo, Mode::PreReceive, &["origin", "main", "v1.0.0"]);
    refused(&run, "refs/heads/main", "commit-lint");
    refused(&run, "refs/tags/v1.0.0", "tag-annotated");
}

#[test]
fn rel_check_reports_what_the_hooks_report() {
    let repo = client(
        setup(Mode::PreReceive),
        "commit 'feat: fine' && commit 'not conventional' && git tag v1.0.0",
    );
    let client_dir = repo.path().join("client");
    let run = repo.rel_in(&client_dir, &["check", "--range", "origin/main..HEAD"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("rejected refs/heads/main [commit-lint]: commit"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`not conventional`"), "{}", run.stderr);
    let hook = push(&repo, Mode::PreReceive, &["origin", "main"]);
    let line = |text: &str| {
        text.lines()
            .find(|l| l.contains("[commit-lint]"))
            .map(|l| l.trim_start_matches("remote: ").trim().to_owned())
    };
    assert_eq!(line(&run.stderr), line(&hook.stderr));
    let run = repo.rel_in(&client_dir, &["check", "--ref", "v1.0.0", "--json"]);
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(json["violations"][0]["rule"], "tag-annotated");
    assert_eq!(json["violations"][0]["ref"], "refs/tags/v1.0.0");
}

#[test]
fn update_hook_rejects_only_the_bad_ref() {
    let repo = setup(Mode::PrePush);
    let hook = repo.path().join("server.git/hooks/update");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nexec '{}' hook update \"$@\"\n",
            env!("CARGO_BIN_EXE_rel")
        ),
    )
    .expect("write hook");
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let repo = client(
        repo,
        "git switch -q -c feature/ok && commit 'feat: fine' && git switch -q main && git tag v1.0.0",
    );
    let run = push(&repo, Mode::PreReceive, &["origin", "feature/ok", "v1.0.0"]);
    refused(&run, "refs/tags/v1.0.0", "tag-annotated");
    assert!(
        on_server(&repo, "feature/ok").is_some(),
        "the good ref went through: {run:?}"
    );
    assert_eq!(on_server(&repo, "v1.0.0"), None);
}
