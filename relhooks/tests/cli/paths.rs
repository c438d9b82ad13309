//! Paths in rel.toml stay inside the work tree (`$GIT_DIR` on a server), outside `.git`, and off
//! symlinks: a committed rel.toml must not make rel write, read or trust a file elsewhere.
//! Each refusal exits 2 naming the key, and leaves the outside file as it was.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Repo, Run, fixtures_dir};

const UNSIGNED: &str = "[policy]\nrequire_signed_tags = false\n";

/// `work/`: a repository released as v1.0.0 with a fix since; beside it, outside the work tree,
/// `secret.txt`, a template and a Cargo.toml.
fn project() -> Repo {
    Repo::empty_dir().sh("printf 'top secret\\n' > secret.txt
printf '## {{ release.version }}\\n' > tpl.md.j2
printf '[package]\\nname = \"outside\"\\nversion = \"1.0.0\"\\n' > Cargo.toml
repo work && cd work
printf '[package]\\nname = \"inside\"\\nversion = \"1.0.0\"\\n' > Cargo.toml
git add . && commit 'feat: one' && tag v1.0.0 && commit 'fix: two'")
}

fn work(repo: &Repo) -> PathBuf {
    repo.path().join("work")
}

fn rel(repo: &Repo, args: &[&str]) -> Run {
    repo.rel_in(&work(repo), args)
}

/// Commits `rel.toml` (and whatever `script` makes in the work tree).
fn configure(repo: Repo, toml: &str, script: &str) -> Repo {
    std::fs::write(work(&repo).join("rel.toml"), toml).expect("write rel.toml");
    repo.sh(&format!(
        "cd work\n{script}\ngit add -A && commit 'chore: configure rel'"
    ))
}

/// The refs and HEAD: what `rel release` must not change when it refuses.
fn refs(repo: &Repo) -> String {
    let run = repo.run(
        Command::new("git")
            .args(["for-each-ref", "--format=%(refname) %(objectname)"])
            .current_dir(work(repo)),
        None,
    );
    run.stdout
}

#[track_caller]
fn refused(run: &Run, key: &str) -> String {
    let err = run.failure(2).to_owned();
    assert!(
        err.contains("rel.toml") && err.contains(key),
        "the error should name rel.toml and `{key}`:\n{err}"
    );
    err
}

fn outside(repo: &Repo, name: &str) -> Option<Vec<u8>> {
    std::fs::read(repo.path().join(name)).ok()
}

#[test]
fn changelog_path_outside_the_work_tree() {
    let base = project();
    let absolute = base.path().join("stolen.md");
    let absolute = absolute.to_str().expect("UTF-8 temp path");
    let cases: [(&str, &str); 5] = [
        (absolute, ""),
        ("../stolen.md", ""),
        ("sub/../../stolen.md", "mkdir -p sub && touch sub/.keep"),
        (".git/hooks/pre-commit", ""),
        // A committed symlink to a directory outside, then a file in it.
        ("docs/stolen.md", "ln -s .. docs"),
    ];
    for (path, script) in cases {
        let repo = configure(
            project(),
            &format!("{UNSIGNED}[changelog]\npath = \"{path}\"\n"),
            script,
        );
        let before = refs(&repo);
        let err = refused(&rel(&repo, &["changelog"]), "changelog.path");
        assert!(err.contains(path), "{path}: {err}");
        refused(&rel(&repo, &["changelog", "--stdout"]), "changelog.path");
        refused(&rel(&repo, &["release"]), "changelog.path");
        assert_eq!(refs(&repo), before, "{path}: rel release changed refs");
        assert_eq!(outside(&repo, "stolen.md"), None, "{path}: written outside");
        assert!(
            !work(&repo).join(".git/hooks/pre-commit").exists(),
            "{path}: wrote a hook"
        );
    }
}

#[test]
fn absolute_and_parent_paths_are_refused_when_rel_toml_is_read() {
    // Every command reads rel.toml: the error names the line, like any bad value.
    let repo = configure(project(), "[changelog]\npath = \"../CHANGES.md\"\n", "");
    let err = rel(&repo, &["next"]).failure(2).to_owned();
    assert!(
        err.contains(
            "rel.toml:2:8: `changelog.path`: \"../CHANGES.md\" goes up with `..`: paths in rel.toml are relative to the work tree root"
        ),
        "{err}"
    );
    let repo = configure(
        project(),
        "[changelog]\npath = \"CHANGELOG.md\"\n\n[[release.files]]\npath = \"Cargo.toml\"\n\n[[release.files]]\npath = \"/etc/hostname\"\npattern = '(?P<version>.+)'\n",
        "",
    );
    let err = rel(&repo, &["next"]).failure(2).to_owned();
    assert!(
        err.contains(
            "rel.toml:8:8: `release.files[1].path`: \"/etc/hostname\" is an absolute path"
        ),
        "{err}"
    );
}

#[test]
fn known_issues_outside_the_work_tree() {
    let base = project();
    let absolute = base.path().join("secret.txt");
    let absolute = absolute.to_str().expect("UTF-8 temp path").to_owned();
    let cases = [
        (absolute.as_str(), ""),
        ("../secret.txt", ""),
        // A committed symlink as the file itself.
        ("ISSUES.md", "ln -s ../secret.txt ISSUES.md"),
        (
            "docs/ISSUES.md",
            "mkdir docs && ln -s ../../secret.txt docs/ISSUES.md",
        ),
    ];
    for (path, script) in cases {
        let repo = configure(
            project(),
            &format!("{UNSIGNED}[notes]\nknown_issues = \"{path}\"\n"),
            script,
        );
        let before = refs(&repo);
        // failure() also checks that nothing, so no secret, reached stdout.
        let err = refused(&rel(&repo, &["notes"]), "notes.known_issues");
        assert!(!err.contains("top secret"), "{err}");
        let err = refused(&rel(&repo, &["release"]), "notes.known_issues");
        assert!(!err.contains("top secret"), "{err}");
        assert_eq!(refs(&repo), before, "{path}: a release was made");
    }
}

#[test]
fn templates_outside_the_work_tree() {
    let base = project();
    let absolute = base.path().join("tpl.md.j2");
    let absolute = absolute.to_str().expect("UTF-8 temp path").to_owned();
    for (key, path, script) in [
        ("changelog.template", "../tpl.md.j2", ""),
        ("changelog.template", absolute.as_str(), ""),
        (
            "notes.template",
            "tpl.md.j2",
            "ln -s ../tpl.md.j2 tpl.md.j2",
        ),
    ] {
        let (table, name) = key.split_once('.').expect("table.key");
        let repo = configure(
            project(),
            &format!("[{table}]\n{name} = \"{path}\"\n"),
            script,
        );
        refused(&rel(&repo, &["changelog", "--stdout"]), key);
        refused(&rel(&repo, &["notes"]), key);
    }
}

#[test]
fn version_files_outside_the_work_tree() {
    let files = "[[release.files]]\npath = \"Cargo.toml\"\n[[release.files]]\npath";
    for (path, script, key) in [
        ("../Cargo.toml", "", "release.files[1].path"),
        ("sub/Cargo.toml", "ln -s .. sub", "release.files[1].path"),
        (
            "Cargo.toml",
            "rm Cargo.toml && ln -s ../Cargo.toml Cargo.toml",
            "release.files[0].path",
        ),
    ] {
        let repo = configure(
            project(),
            &format!("{UNSIGNED}{files} = \"{path}\"\n"),
            script,
        );
        let before = refs(&repo);
        refused(&rel(&repo, &["release"]), key);
        assert_eq!(refs(&repo), before, "{path}: a release was made");
        assert_eq!(
            outside(&repo, "Cargo.toml").as_deref(),
            Some(&b"[package]\nname = \"outside\"\nversion = \"1.0.0\"\n"[..]),
            "{path}"
        );
    }
}

#[test]
fn trust_anchors_outside_the_work_tree() {
    let base = project();
    let absolute = base.path().join("secret.txt");
    let absolute = absolute.to_str().expect("UTF-8 temp path").to_owned();
    for (key, path, script) in [
        ("policy.allowed_signers", absolute.as_str(), ""),
        ("policy.allowed_signers", "../secret.txt", ""),
        (
            "policy.allowed_signers",
            "signers",
            "ln -s ../secret.txt signers",
        ),
        ("policy.openpgp_keys", ".git/keys", "mkdir -p .git/keys"),
        ("policy.openpgp_keys", "keys", "ln -s .. keys"),
    ] {
        let (_, name) = key.split_once('.').expect("table.key");
        let repo = configure(
            project(),
            &format!("[policy]\n{name} = \"{path}\"\n"),
            script,
        );
        refused(&rel(&repo, &["verify"]), key);
        refused(&rel(&repo, &["check", "--ref", "v1.0.0"]), key);
    }
}

#[test]
fn paths_inside_the_work_tree_still_work() {
    let repo = configure(
        project(),
        "[changelog]\npath = \"./docs/CHANGES.md\"\n[notes]\nknown_issues = \"docs/issues.md\"\n",
        "mkdir docs && printf -- '- the known one\\n' > docs/issues.md",
    );
    rel(&repo, &["changelog"]).success();
    let text = std::fs::read_to_string(work(&repo).join("docs/CHANGES.md")).expect("written");
    assert!(text.contains("## [1.0.0]"), "{text}");
    assert!(
        rel(&repo, &["notes"]).success().contains("- the known one"),
        "known issues read"
    );
}

/// A bare `server.git` with rel's pre-receive hook and `server_toml` as its rel.toml, and a
/// `client/` clone with one commit to push.
fn server(server_toml: &str, script: &str) -> Repo {
    let keys = fixtures_dir().join("keys.sh");
    let repo = Repo::empty_dir().sh(&format!(
        ". '{keys}'
ssh_key alice
git init -q --bare server.git
allow_ssh alice alice@example.com outside_signers
(cd server.git && {script})
git clone -q server.git client 2>/dev/null && cd client
git switch -q -c main && commit 'feat: first'",
        keys = keys.display(),
    ));
    repo.rel_in(&repo.path().join("server.git"), &["install", "--server"])
        .success();
    std::fs::write(repo.path().join("server.git/rel.toml"), server_toml).expect("write");
    repo
}

fn push(repo: &Repo, args: &[&str]) -> Run {
    repo.run(
        Command::new("git")
            .arg("push")
            .arg("--no-verify")
            .args(args)
            .current_dir(repo.path().join("client")),
        None,
    )
}

fn server_has(repo: &Repo, name: &str) -> bool {
    let dir: &Path = &repo.path().join("server.git");
    repo.run(
        Command::new("git")
            .args(["rev-parse", "--verify", "-q", name])
            .current_dir(dir),
        None,
    )
    .code
        == 0
}

#[test]
fn server_anchors_stay_inside_git_dir() {
    for (toml, script) in [
        (
            "[policy]\nallowed_signers = \"../outside_signers\"\n",
            "true",
        ),
        (
            "[policy]\nallowed_signers = \"signers\"\n",
            "ln -s ../outside_signers signers",
        ),
        (
            "[policy]\nallowed_signers = \"objects/info/signers\"\n",
            "cp ../outside_signers objects/info/signers",
        ),
    ] {
        let repo = server(toml, script);
        let run = push(&repo, &["origin", "main"]);
        assert_ne!(run.code, 0, "{toml}: the push should be refused: {run:?}");
        assert!(
            run.stderr.contains("policy.allowed_signers"),
            "{toml}: {}",
            run.stderr
        );
        assert!(
            !server_has(&repo, "main"),
            "{toml}: main reached the server"
        );
    }
    // The same anchors inside $GIT_DIR are fine.
    let repo = server(
        "[policy]\nallowed_signers = \"allowed_signers\"\n",
        "cp ../outside_signers allowed_signers",
    );
    assert_eq!(push(&repo, &["origin", "main"]).code, 0);
    assert!(server_has(&repo, "main"));
}
