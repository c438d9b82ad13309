//! What relcore's reshaping into domain modules must not change, pinned byte for byte: the
//! refusals of `rel release` (now typed, one variant each), the JSON of `rel next` (now the
//! binary's own shape), and the atomic replacement of release files (now one helper), also
//! when the git dir lies on another file system than the work tree.

use crate::Repo;

const UNSIGNED: &str = "[policy]\nrequire_signed_tags = false\n";

/// v1.0.0 released, a feature since, a version file listed, signing not required.
fn project() -> Repo {
    let repo = Repo::new(
        "printf '[package]\\nname = \"demo\"\\nversion = \"1.0.0\"\\n' > Cargo.toml
git add . && commit 'feat: first'
atag v1.0.0
commit 'feat(api): second'",
    );
    repo.write(
        "rel.toml",
        format!("{UNSIGNED}\n[[release.files]]\npath = \"Cargo.toml\"\n"),
    );
    repo.sh("git add rel.toml && commit 'chore: configure rel'")
}

/// Refs, status, index and HEAD: what a refused release must leave alone.
fn state(repo: &Repo) -> String {
    let git = |args: &[&str]| repo.git(args).stdout;
    format!(
        "{}\n{}\n{}\n{}",
        git(&["for-each-ref"]),
        git(&["status", "--porcelain", "--untracked-files=all"]),
        git(&["ls-files", "-s"]),
        git(&["rev-parse", "HEAD"]),
    )
}

/// `rel release ARGS` is refused with exit 1 and exactly `error: WHY`, writing nothing.
#[track_caller]
fn refused(repo: &Repo, args: &[&str], why: &str) {
    let before = state(repo);
    let mut argv = vec!["release"];
    argv.extend_from_slice(args);
    let run = repo.rel(&argv);
    assert_eq!(run.failure(1), format!("error: {why}\n"), "{argv:?}");
    assert_eq!(state(repo), before, "{argv:?} wrote something");
}

#[test]
fn refusals_about_the_repository_and_head() {
    let repo = project();
    repo.write("Cargo.toml", "changed by hand\n");
    let repo = repo.sh("echo hi > README && git add README");
    refused(
        &repo,
        &[],
        "the work tree has uncommitted changes; commit or stash them first:\n M Cargo.toml\nA  README",
    );
    let repo = repo.sh("git reset -q --hard && git switch -q -c topic");
    refused(
        &repo,
        &[],
        "`topic` is not a release branch; releases are cut on main, master, release/* (policy.release_branches)",
    );
    let repo = repo.sh("git switch -q --detach main");
    refused(
        &repo,
        &[],
        "HEAD is detached: check out the release branch first",
    );
    let bare = Repo::empty_dir().sh(&format!(
        "git clone -q --bare '{}' server.git",
        repo.path().display()
    ));
    let run = bare.rel(&["-C", "server.git", "release"]);
    assert_eq!(
        run.failure(1),
        "error: rel release needs a work tree; this repository is bare\n"
    );
}

#[test]
fn refusals_about_the_version() {
    let repo = project();
    refused(
        &repo,
        &["--version", "banana"],
        "--version `banana` is not a semantic version like 1.2.3: unexpected character 'b' while parsing major version number",
    );
    refused(
        &repo,
        &["--version", "v1.0"],
        "--version `1.0` is not a semantic version like 1.2.3: unexpected end of input while parsing minor version number",
    );
    refused(
        &repo,
        &["--version", "0.9.0"],
        "--version 0.9.0 is not above the last release 1.0.0; release a higher version",
    );
    // v1.1.0 exists on a commit HEAD does not contain, so the base stays v1.0.0.
    let repo = repo.sh("git tag v1.1.0 \"$(git commit-tree 'HEAD^{tree}' -m elsewhere)\"");
    refused(&repo, &[], "the tag v1.1.0 already exists");

    let quiet = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'docs: two'");
    quiet.write("rel.toml", UNSIGNED);
    let quiet = quiet.sh("git add rel.toml && commit 'chore: c'");
    refused(
        &quiet,
        &[],
        "nothing to release: no commit since 1.0.0 bumps the version; use --version to release anyway",
    );
    let untagged = Repo::new("commit 'docs: one'");
    untagged.write("rel.toml", UNSIGNED);
    let untagged = untagged.sh("git add rel.toml && commit 'chore: c'");
    refused(
        &untagged,
        &[],
        "nothing to release: no commit bumps the version; use --version to release anyway",
    );
    let strict = Repo::new("commit 'feat: one'");
    refused(
        &strict,
        &["--no-sign"],
        "--no-sign: policy.require_signed_tags is on, so release tags must be signed",
    );
}

#[test]
fn refusals_about_release_files() {
    let repo = project();
    repo.write(
        "rel.toml",
        format!("{UNSIGNED}\n[[release.files]]\npath = \"pkg/Cargo.toml\"\n"),
    );
    let repo = repo.sh("git add rel.toml && commit 'chore: list a missing file'");
    refused(
        &repo,
        &[],
        "pkg/Cargo.toml: no such file ([[release.files]])",
    );
    repo.write(
        "rel.toml",
        format!(
            "{UNSIGNED}\n[[release.files]]\npath = \"VERSION\"\npattern = 'v(?P<version>\\S+)'\n"
        ),
    );
    let repo = repo.sh(
        "printf 'v1.0.0 \\377\\n' > VERSION && git add rel.toml VERSION && commit 'chore: a binary version file'",
    );
    refused(&repo, &[], "VERSION: not UTF-8 text ([[release.files]])");
}

#[test]
fn rel_next_json_is_byte_for_byte_the_documented_shape() {
    let repo = Repo::new(
        "commit 'feat: a'\ntag v1.2.3\ncommit 'fix: b'\ncommit 'feat(x): c'\ncommit 'wip'",
    );
    assert_eq!(
        repo.rel(&["next", "--json"]).success(),
        "{\n  \"current\": \"1.2.3\",\n  \"next\": \"1.3.0\",\n  \"bump\": \"minor\",\n  \"tag\": \"v1.3.0\",\n  \"commits\": 3,\n  \"conventional\": 2\n}\n"
    );
    assert_eq!(
        repo.rel(&["next", "--json", "--pre", "rc"]).success(),
        "{\n  \"current\": \"1.2.3\",\n  \"next\": \"1.3.0-rc.1\",\n  \"bump\": \"minor\",\n  \"tag\": \"v1.3.0-rc.1\",\n  \"commits\": 3,\n  \"conventional\": 2\n}\n"
    );
    // Nothing to release: `next` and `tag` repeat the current release.
    let quiet = Repo::new("commit 'feat: a'\ntag v2.0.0\ncommit 'docs: b'");
    assert_eq!(
        quiet.rel(&["next", "--json"]).success(),
        "{\n  \"current\": \"2.0.0\",\n  \"next\": \"2.0.0\",\n  \"bump\": \"none\",\n  \"tag\": \"v2.0.0\",\n  \"commits\": 1,\n  \"conventional\": 1\n}\n"
    );
    // No release yet and nothing that bumps: null throughout.
    let fresh = Repo::new("commit 'docs: a'\ncommit 'Merge-ish prose'");
    assert_eq!(
        fresh.rel(&["next", "--json"]).success(),
        "{\n  \"current\": null,\n  \"next\": null,\n  \"bump\": \"none\",\n  \"tag\": null,\n  \"commits\": 2,\n  \"conventional\": 1\n}\n"
    );
}

/// The device a path lives on.
#[cfg(unix)]
fn device(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .dev()
}

#[cfg(unix)]
#[test]
fn a_release_replaces_files_atomically_when_the_git_dir_is_on_another_file_system() {
    use std::os::unix::fs::PermissionsExt;
    // The git dir on tmpfs, the work tree on the test's temporary directory: every file the
    // release stages in the git dir must cross file systems to reach the work tree.
    let elsewhere = tempfile::tempdir_in("/dev/shm").expect("a directory on /dev/shm");
    let git_dir = elsewhere.path().join("project.git");
    let repo = Repo::empty_dir().sh(&format!(
        "git init -q -b main --separate-git-dir '{}' .
printf '[package]\\nname = \"demo\"\\nversion = \"1.0.0\"\\n' > Cargo.toml
chmod 0640 Cargo.toml
git add . && commit 'feat: first'
atag v1.0.0
commit 'fix(io): second'",
        git_dir.display()
    ));
    assert_ne!(
        device(repo.path()),
        device(&git_dir),
        "the test needs the git dir and the work tree on different file systems"
    );
    repo.write(
        "rel.toml",
        format!("{UNSIGNED}\n[[release.files]]\npath = \"Cargo.toml\"\n"),
    );
    let repo = repo.sh("git add rel.toml && commit 'chore: configure rel'");

    assert_eq!(repo.rel(&["release"]).success(), "1.0.1\n");
    assert_eq!(
        repo.read("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"1.0.1\"\n"
    );
    let mode = std::fs::metadata(repo.path().join("Cargo.toml"))
        .expect("Cargo.toml")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640, "the file kept its permissions");
    assert!(
        repo.read("CHANGELOG.md")
            .contains("### Bug Fixes\n\n- **io:** second"),
        "{}",
        repo.read("CHANGELOG.md")
    );
    // The index took the new files in (nothing to commit), and nothing was left behind.
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"])
            .success(),
        ""
    );
    assert_eq!(
        repo.git(&["diff", "--name-only", "HEAD^", "HEAD"])
            .success(),
        "CHANGELOG.md\nCargo.toml\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&git_dir)
        .expect("git dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("rel-release-"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
    assert_eq!(
        repo.git(&["describe", "--exact-match"]).success(),
        "v1.0.1\n"
    );
}
