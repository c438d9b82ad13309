//! `rel release` is all or nothing, also when interrupted, and takes in a previewed changelog.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::{Repo, fixtures_dir};

/// A repository released once, a feature since, SSH signing through a slow `ssh-keygen`
/// (it sleeps a second before signing), so an interrupt can land while the tag is signed.
fn slow_signing() -> Repo {
    Repo::new(&format!(
        ". '{}'
ssh_key alice && allow_ssh alice alice@example.com .rel/allowed_signers
printf '[policy]\\nallowed_signers = \".rel/allowed_signers\"\\n' > rel.toml
printf '# Changelog\\n\\nIntro.\\n' > CHANGELOG.md
git add . && commit 'feat: first'
git config gpg.format ssh && git config user.signingkey \"$HOME/alice\"
git tag -s -m v1.0.0 v1.0.0
commit 'feat: second'
printf '#!/bin/sh\\nsleep 1\\nexec ssh-keygen \"$@\"\\n' > \"$HOME/slow-ssh-keygen\" && chmod +x \"$HOME/slow-ssh-keygen\"
git config gpg.ssh.program \"$HOME/slow-ssh-keygen\"",
        fixtures_dir().join("keys.sh").display()
    ))
}

fn state(repo: &Repo) -> String {
    let git = |args: &[&str]| repo.git(args).stdout;
    format!(
        "{}{}{}{}{:?}",
        git(&["for-each-ref"]),
        git(&["rev-parse", "HEAD"]),
        git(&["status", "--porcelain", "--untracked-files=all"]),
        git(&["ls-files", "-s"]),
        std::fs::read(repo.path().join("CHANGELOG.md")).ok(),
    )
}

/// Starts `rel release`, sends `signal` to it after `after`, and returns its exit code.
fn interrupt(repo: &Repo, signal: &str, after: Duration) -> Option<i32> {
    let global = repo.home().join("global-empty");
    std::fs::write(&global, "").expect("write empty global config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rel"))
        .arg("release")
        .current_dir(repo.path())
        .env("HOME", repo.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", &global)
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Cy Committer")
        .env("GIT_COMMITTER_EMAIL", "cy@example.com")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(repo.home().join("rel-stderr")).expect("stderr file"))
        .spawn()
        .expect("rel starts");
    std::thread::sleep(after);
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let code = child.wait().expect("rel ends").code();
    // A git step already under way finishes on its own (it has its own process group).
    std::thread::sleep(Duration::from_millis(1500));
    code
}

#[test]
fn an_interrupt_while_signing_releases_nothing() {
    for signal in ["INT", "TERM", "KILL"] {
        let repo = slow_signing();
        let before = state(&repo);
        let code = interrupt(&repo, signal, Duration::from_millis(500));
        assert_eq!(state(&repo), before, "SIG{signal} left a half release");
        if signal != "KILL" {
            let stderr =
                std::fs::read_to_string(repo.home().join("rel-stderr")).unwrap_or_default();
            assert_eq!(
                code,
                Some(130),
                "SIG{signal}: rel says it was interrupted: {stderr}"
            );
        }
        // And the release can then be made.
        let run = repo.rel(&["release"]);
        assert_eq!(run.success(), "1.1.0\n", "SIG{signal}");
        assert_eq!(repo.git(&["status", "--porcelain"]).stdout, "");
    }
}

#[test]
fn a_previewed_changelog_is_taken_into_the_release() {
    let repo = Repo::new(
        "printf '[policy]\\nrequire_signed_tags = false\\n' > rel.toml
git add . && commit 'feat: first' && atag v1.0.0 && commit 'feat: second'",
    );
    repo.rel(&["changelog"]).success();
    let mut previewed = repo.read("CHANGELOG.md");
    assert!(previewed.contains("## [Unreleased]"), "{previewed}");
    previewed = previewed.replace("# Changelog", "# Changelog of demo");
    repo.write("CHANGELOG.md", &previewed);
    assert_eq!(repo.rel(&["release"]).success(), "1.1.0\n");
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"])
            .stdout,
        ""
    );
    let committed = repo.git(&["show", "HEAD:CHANGELOG.md"]).stdout;
    assert!(committed.starts_with("# Changelog of demo"), "{committed}");
    assert!(committed.contains("## [1.1.0]"), "{committed}");
    assert!(!committed.contains("Unreleased"), "{committed}");
    assert_eq!(
        repo.git(&["rev-parse", "v1.1.0^{commit}"]).stdout,
        repo.git(&["rev-parse", "HEAD"]).stdout
    );
}

#[test]
fn push_is_all_or_nothing_when_the_remote_refuses_the_tag() {
    let repo = Repo::new(
        "printf '[policy]\\nrequire_signed_tags = false\\n' > rel.toml
git add . && commit 'feat: first' && atag v1.0.0 && commit 'feat: second'
git init -q --bare .git/remote.git && git remote add origin .git/remote.git && git push -q origin main v1.0.0
printf '#!/bin/sh\\ncase \"$1\" in refs/tags/*) echo no tags today >&2; exit 1;; esac\\n' > .git/remote.git/hooks/update
chmod +x .git/remote.git/hooks/update",
    );
    let remote = |args: &[&str]| {
        repo.run(
            Command::new("git")
                .arg("-C")
                .arg(repo.path().join(".git/remote.git"))
                .args(args),
            None,
        )
        .stdout
    };
    let before = remote(&["rev-parse", "main"]);
    let run = repo.rel(&["release", "--push"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("pushing it to origin failed"),
        "{run:?}"
    );
    // Neither went: the branch did not move without its tag.
    assert_eq!(remote(&["rev-parse", "main"]), before);
    assert_eq!(remote(&["tag", "-l"]), "v1.0.0\n");
    // The release stays local.
    assert_eq!(repo.git(&["tag", "-l", "v1.1.0"]).stdout, "v1.1.0\n");
}

#[test]
fn a_locked_index_stops_the_release_before_anything_is_visible() {
    let repo = Repo::new(
        "printf '[policy]\\nrequire_signed_tags = false\\n' > rel.toml
git add . && commit 'feat: first' && atag v1.0.0 && commit 'feat: second'
: > .git/index.lock",
    );
    let before = state(&repo);
    let run = repo.rel(&["release"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("index.lock"), "{run:?}");
    assert_eq!(state(&repo), before);
    // Not rel's lock: left for its owner.
    assert!(repo.path().join(".git/index.lock").exists());
}
