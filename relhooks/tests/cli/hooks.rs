//! The commit-msg hook through real `git commit`, installed by `rel install`.

use crate::Repo;

/// A repository with rel's hooks installed and one commit.
fn hooked(extra: &str) -> Repo {
    let repo = Repo::new(&format!("commit 'chore: init'\n{extra}"));
    repo.rel(&["install"]).success();
    repo
}

/// An editor script that replaces the message file's first line with `line` (keeping git's
/// comment lines, and with `-v` the scissors line and the diff, as a person's editor would).
fn editor(repo: &Repo, name: &str, line: &str) -> String {
    let path = repo.path().join(name);
    std::fs::write(
        &path,
        format!("#!/bin/sh\nf=\"$1\"\n{{ printf '%s\\n' '{line}'; tail -n +2 \"$f\"; }} > \"$f.new\" && mv \"$f.new\" \"$f\"\n"),
    )
    .expect("write editor");
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    path.to_str().expect("utf-8 path").to_owned()
}

/// `git ARGS` with `editor` as the editor.
fn git_with_editor(repo: &Repo, editor: &str, args: &[&str]) -> crate::Run {
    repo.run(
        std::process::Command::new("git")
            .args(args)
            .env("GIT_EDITOR", editor)
            .current_dir(repo.path()),
        None,
    )
}

#[test]
fn bad_message_refused_good_accepted() {
    let repo = hooked("");
    let run = repo.git(&["commit", "--allow-empty", "-m", "fxi: typo in type"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("error[type-unknown]: unknown type `fxi`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `fix`?"), "{}", run.stderr);
    assert_eq!(repo.count(), 1);

    let run = repo.git(&[
        "commit",
        "--allow-empty",
        "-m",
        "fix(io): retry on EINTR",
        "-m",
        "Body.",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(repo.count(), 2);
    assert_eq!(repo.message("HEAD"), "fix(io): retry on EINTR\n\nBody.");
}

#[test]
fn verbose_commit_through_an_editor() {
    let repo = hooked("echo one > file && git add file");
    let good = editor(&repo, "good-editor", "feat: add the file");
    let run = git_with_editor(&repo, &good, &["commit", "-v"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(repo.message("HEAD"), "feat: add the file");

    let repo = repo.sh("echo two > file && git add file");
    let bad = editor(&repo, "bad-editor", "added the file");
    let run = git_with_editor(&repo, &bad, &["commit", "-v"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("error[header-format]"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.count(), 2);
}

#[test]
fn merge_and_fixup_pass() {
    let repo = hooked("branch topic\ncommit 'feat: on topic'\nswitch main\ncommit 'fix: on main'");
    let run = repo.git(&["merge", "--no-ff", "--no-edit", "topic"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(repo.message("HEAD").starts_with("Merge branch 'topic'"));
    let run = repo.git(&["commit", "--allow-empty", "--fixup", "HEAD~1"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(repo.message("HEAD").starts_with("fixup! "));
    let repo = repo.sh("echo a > f && git add f && git commit -q -m 'feat: add f'");
    let run = repo.git(&["revert", "--no-edit", "HEAD"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        repo.message("HEAD").lines().next(),
        Some("Revert \"feat: add f\"")
    );
}

#[test]
fn comment_char_is_honoured() {
    // git's template is a blank line then comment lines; the editor replaces the blank line, so the
    // comments follow the header directly and only stripping the right character makes it pass.
    let repo = hooked("git config core.commentChar ';'");
    let good = editor(&repo, "editor", "feat: with semicolon comments");
    let commit = |repo: &Repo| git_with_editor(repo, &good, &["commit", "--allow-empty"]);
    let run = commit(&repo);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(repo.message("HEAD"), "feat: with semicolon comments");

    let repo = repo.sh("git config core.commentChar auto");
    let run = commit(&repo);
    assert_eq!(run.code, 0, "{run:?}");

    // With `#` configured, a `;` line right below the header is body text with no blank line.
    let repo = repo.sh("git config core.commentChar '#'");
    let semicolon = editor(&repo, "semicolon-editor", "feat: x\n; not a comment now");
    let run = git_with_editor(&repo, &semicolon, &["commit", "--allow-empty"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("error[body-separator]"),
        "{}",
        run.stderr
    );
}

#[test]
fn rel_toml_rules_apply_in_the_hook() {
    let repo = hooked("");
    repo.write("rel.toml", "[commits]\nscopes = [\"api\"]\n");
    let run = repo.git(&["commit", "--allow-empty", "-m", "feat(ui): x"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("scope `ui` is not allowed"),
        "{}",
        run.stderr
    );
    assert_eq!(
        repo.git(&["commit", "--allow-empty", "-m", "feat(api): x"])
            .code,
        0
    );
}
