//! The files rel writes: only regular files (a symlink, FIFO, device or directory in the way is
//! refused with exit 2 before anything is read or written), new files made with the umask's
//! permissions, and every byte of a hand-edited changelog kept, new text in its line endings.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Repo, Run};

const UNSIGNED: &str = "[policy]\nrequire_signed_tags = false\n";

/// `work/`: a repository released as v1.0.0, a fix since, and rel.toml committed; beside it,
/// outside the work tree, `secret.txt`.
fn project(script: &str) -> Repo {
    Repo::empty_dir().sh(&format!(
        "printf 'top secret\\n' > secret.txt
repo work && cd work
printf '{UNSIGNED}' > rel.toml
git add . && commit 'feat: one' && tag v1.0.0 && commit 'fix: two'
{script}"
    ))
}

fn work(repo: &Repo) -> PathBuf {
    repo.path().join("work")
}

fn rel(repo: &Repo, args: &[&str]) -> Run {
    repo.rel_in(&work(repo), args)
}

/// `rel ARGS` under `timeout`, so that a rel waiting on a FIFO fails the test instead of hanging it.
fn rel_timed(repo: &Repo, args: &[&str]) -> Run {
    repo.run(
        Command::new("timeout")
            .arg("20")
            .arg(env!("CARGO_BIN_EXE_rel"))
            .args(args)
            .current_dir(work(repo)),
        None,
    )
}

/// `rel ARGS` with the umask set to `umask`.
fn rel_umask(repo: &Repo, umask: &str, args: &[&str]) -> Run {
    repo.run(
        Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_rel"))
            .args(args)
            .current_dir(work(repo)),
        None,
    )
}

fn refs(repo: &Repo) -> String {
    repo.run(
        Command::new("git")
            .args(["for-each-ref", "--format=%(refname) %(objectname)"])
            .current_dir(work(repo)),
        None,
    )
    .stdout
}

fn secret(repo: &Repo) -> Vec<u8> {
    std::fs::read(repo.path().join("secret.txt")).expect("secret.txt")
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("file exists")
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn a_symlinked_changelog_is_refused() {
    let repo =
        project("ln -s ../secret.txt CHANGELOG.md && git add CHANGELOG.md && commit 'docs: link'");
    let before = refs(&repo);
    for args in [
        &["changelog"][..],
        &["changelog", "--all"],
        &["changelog", "--stdout"],
        &["release"],
    ] {
        let err = rel(&repo, args).failure(2).to_owned();
        assert!(
            err.contains("changelog.path") && err.contains("symlink"),
            "{args:?}: {err}"
        );
        assert_eq!(
            secret(&repo),
            b"top secret\n",
            "{args:?} wrote through the link"
        );
        assert!(is_symlink(&work(&repo).join("CHANGELOG.md")), "{args:?}");
        assert_eq!(refs(&repo), before, "{args:?} made a release");
    }
}

#[test]
fn a_fifo_changelog_fails_fast() {
    let repo = project("mkfifo CHANGELOG.md");
    let before = refs(&repo);
    for args in [&["changelog"][..], &["changelog", "--stdout"], &["release"]] {
        let run = rel_timed(&repo, args);
        assert_ne!(run.code, 124, "{args:?} hung on the FIFO");
        let err = run.failure(2);
        assert!(
            err.contains("CHANGELOG.md") && err.contains("not a regular file"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(refs(&repo), before);
}

#[test]
fn output_must_be_a_regular_file() {
    let repo = project("ln -s ../secret.txt link.md && mkfifo fifo.md && mkdir dir.md");
    for target in ["link.md", "fifo.md", "dir.md"] {
        let run = rel_timed(&repo, &["changelog", "-o", target]);
        assert_ne!(run.code, 124, "-o {target} hung");
        let err = run.failure(2);
        assert!(
            err.contains(target) && err.contains("not a regular file"),
            "-o {target}: {err}"
        );
    }
    assert_eq!(secret(&repo), b"top secret\n");
    assert!(is_symlink(&work(&repo).join("link.md")));
    // A path outside the work tree, given on the command line, is the user's choice.
    rel(&repo, &["changelog", "-o", "../outside.md"]).success();
    let text = std::fs::read_to_string(repo.path().join("outside.md")).expect("written");
    assert!(text.contains("## [1.0.0]"), "{text}");
    // And --stdout still prints.
    assert!(
        rel(&repo, &["changelog", "--stdout"])
            .success()
            .contains("## [Unreleased]")
    );
    assert!(!work(&repo).join("CHANGELOG.md").exists());
}

#[test]
fn new_files_follow_the_umask_and_old_ones_keep_their_mode() {
    let repo = project("");
    let changelog = work(&repo).join("CHANGELOG.md");
    rel_umask(&repo, "022", &["changelog"]).success();
    assert_eq!(mode(&changelog), 0o644);
    rel_umask(&repo, "002", &["changelog", "-o", "group.md"]).success();
    assert_eq!(mode(&work(&repo).join("group.md")), 0o664);
    // An existing file keeps its permissions, whatever the umask.
    std::fs::set_permissions(&changelog, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let repo = repo.sh("cd work && commit 'feat: three'");
    rel_umask(&repo, "077", &["changelog"]).success();
    assert_eq!(mode(&changelog), 0o640);
    assert!(
        std::fs::read_to_string(&changelog)
            .expect("read")
            .contains("- three")
    );
    // rel init and rel install make their files the same way.
    std::fs::remove_file(work(&repo).join("rel.toml")).expect("rm rel.toml");
    rel_umask(&repo, "022", &["init"]).success();
    assert_eq!(mode(&work(&repo).join("rel.toml")), 0o644);
    rel_umask(&repo, "027", &["install"]).success();
    assert_eq!(mode(&work(&repo).join(".git/hooks/commit-msg")), 0o750);
}

/// The bytes of the file at `path` from `at` on, where `at` is where `needle` starts.
fn from<'a>(bytes: &'a [u8], needle: &[u8]) -> &'a [u8] {
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| {
            panic!(
                "{:?} not in {:?}",
                String::from_utf8_lossy(needle),
                String::from_utf8_lossy(bytes)
            )
        });
    &bytes[at..]
}

/// Whether every line of `bytes` ends in CRLF.
fn all_crlf(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .enumerate()
        .all(|(i, &b)| b != b'\n' || (i > 0 && bytes[i - 1] == b'\r'))
}

const LATIN1: &[u8] = b"# Changelog\n\nCaf\xe9 cr\xe8me, written in Latin-1.\n\n## [1.0.0] - 2026-01-01\n\n- caf\xe9 \xff by hand\n";
const CRLF: &[u8] = b"# Changelog\r\n\r\nWritten on Windows.\r\n\r\n## [1.0.0] - 2026-01-01\r\n\r\n- one, by hand\r\n";

#[test]
fn non_utf8_bytes_survive_rel_changelog() {
    let repo = project("");
    let path = work(&repo).join("CHANGELOG.md");
    std::fs::write(&path, LATIN1).expect("write");
    rel(&repo, &["changelog"]).success();
    let after = std::fs::read(&path).expect("read");
    let intro = &LATIN1[..LATIN1.len() - from(LATIN1, b"## [1.0.0]").len()];
    assert!(
        after.starts_with(intro),
        "{:?}",
        String::from_utf8_lossy(&after)
    );
    assert_eq!(from(&after, b"## [1.0.0]"), from(LATIN1, b"## [1.0.0]"));
    assert!(
        String::from_utf8_lossy(&after).contains("## [Unreleased]\n\n### Bug Fixes\n\n- two (")
    );
    // Nothing new: nothing written.
    let run = rel(&repo, &["changelog"]);
    assert!(
        run.success().is_empty() && run.stderr.contains("is up to date"),
        "{run:?}"
    );
}

#[test]
fn crlf_changelog_gets_crlf_sections() {
    let repo = project("");
    let path = work(&repo).join("CHANGELOG.md");
    std::fs::write(&path, CRLF).expect("write");
    rel(&repo, &["changelog"]).success();
    let after = std::fs::read(&path).expect("read");
    assert!(all_crlf(&after), "{:?}", String::from_utf8_lossy(&after));
    assert!(after.starts_with(b"# Changelog\r\n\r\nWritten on Windows.\r\n\r\n## [Unreleased]\r\n\r\n### Bug Fixes\r\n\r\n- two ("));
    assert_eq!(from(&after, b"## [1.0.0]"), from(CRLF, b"## [1.0.0]"));
    let run = rel(&repo, &["changelog"]);
    assert!(run.stderr.contains("is up to date"), "{run:?}");
    assert_eq!(std::fs::read(&path).expect("read"), after);
}

#[test]
fn rel_release_keeps_bytes_and_line_endings() {
    let mut mixed = CRLF.to_vec();
    mixed.extend_from_slice(b"- caf\xe9 \xff\r\n");
    let repo = project("");
    std::fs::write(work(&repo).join("CHANGELOG.md"), &mixed).expect("write");
    let repo = repo.sh("cd work && git add CHANGELOG.md && commit 'docs: changelog by hand'");
    assert_eq!(rel(&repo, &["release"]).success(), "1.0.1\n");
    let after = std::fs::read(work(&repo).join("CHANGELOG.md")).expect("read");
    assert!(all_crlf(&after), "{:?}", String::from_utf8_lossy(&after));
    assert!(after.starts_with(b"# Changelog\r\n\r\nWritten on Windows.\r\n\r\n## [1.0.1] - 2026-05-28\r\n\r\n### Bug Fixes\r\n\r\n- two ("));
    assert_eq!(from(&after, b"## [1.0.0]"), from(&mixed, b"## [1.0.0]"));
    // The release commit holds exactly these bytes (git is the authority on what it stored).
    let git = |args: &[&str]| {
        repo.run(
            Command::new("git").args(args).current_dir(work(&repo)),
            None,
        )
        .stdout
    };
    assert_eq!(
        git(&["rev-parse", "HEAD:CHANGELOG.md"]),
        git(&["hash-object", "CHANGELOG.md"])
    );
    assert_eq!(git(&["status", "--porcelain"]), "");
}

#[test]
fn all_keeps_the_intro_bytes() {
    let intro: &[u8] = b"# Changes\r\n\r\nCaf\xe9 intro, kept as written.  \r\n\r\n\r\n";
    let mut text = intro.to_vec();
    text.extend_from_slice(b"## [0.9.0] - 2025-01-01\r\n\r\n- stale, regenerated\r\n");
    let repo = project("");
    let path = work(&repo).join("CHANGELOG.md");
    std::fs::write(&path, &text).expect("write");
    rel(&repo, &["changelog", "--all"]).success();
    let after = std::fs::read(&path).expect("read");
    assert!(
        after.starts_with(intro),
        "{:?}",
        String::from_utf8_lossy(&after)
    );
    let rest = &after[intro.len()..];
    assert!(
        rest.starts_with(b"## [Unreleased]\r\n"),
        "{:?}",
        String::from_utf8_lossy(rest)
    );
    assert!(all_crlf(&after), "{:?}", String::from_utf8_lossy(&after));
    assert!(!String::from_utf8_lossy(&after).contains("0.9.0"));
}
