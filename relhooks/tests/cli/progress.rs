//! Progress on stderr for long work: drawn on a terminal (a pseudo-terminal made by
//! util-linux `script`), never when stderr is a pipe or a file, and never changing the results.

use std::process::Command;

use crate::{Repo, Run};

/// Three releases and an unreleased commit.
fn releases() -> Repo {
    Repo::new(
        "commit 'feat: one'; atag v1.0.0
         commit 'fix: two'; atag v1.0.1
         commit 'feat: three'; atag v1.1.0
         commit 'fix: four'",
    )
}

/// Runs `rel ARGS` (a shell word list) in `repo` with stdin, stdout and stderr on one
/// pseudo-terminal, as in an interactive shell; `Run::stdout` holds everything it showed.
fn on_terminal(repo: &Repo, args: &str) -> Run {
    let rel = env!("CARGO_BIN_EXE_rel");
    let mut command = Command::new("script");
    command
        .args(["-qec", &format!("'{rel}' {args}"), "/dev/null"])
        .current_dir(repo.path())
        .env("TERM", "xterm");
    repo.run(&mut command, None)
}

/// The text a terminal shows at the end: each `\r` or erase-line starts the line again.
fn screen(raw: &str) -> String {
    raw.split('\n')
        .map(|line| {
            let line = line.trim_end_matches('\r');
            let last = line.rsplit(['\r']).next().unwrap_or_default();
            last.rsplit("\x1b[2K").next().unwrap_or_default().to_owned()
        })
        .filter(|line| !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn changelog_all_counts_releases_on_a_terminal_and_clears_the_line() {
    let tty = releases();
    let run = on_terminal(&tty, "changelog --all");
    assert_eq!(run.code, 0, "{run:#?}");
    // The count went up release by release, newest first, down to the oldest.
    for step in [
        "1 release rendered (1 commit), the last Unreleased",
        "2 releases rendered (2 commits), the last 1.1.0",
        "4 releases rendered (4 commits), the last 1.0.0",
    ] {
        assert!(run.stdout.contains(step), "no `{step}` in {run:#?}");
    }
    // Cleared before rel's own line: what stays on screen is what a pipe gets.
    let path = tty.path().join("CHANGELOG.md");
    assert_eq!(screen(&run.stdout), format!("wrote {}", path.display()));

    // The file is byte for byte what the same command writes without a terminal.
    let piped = releases();
    let run = piped.rel(&["changelog", "--all"]);
    run.success();
    assert_eq!(
        run.stderr,
        format!("wrote {}\n", piped.path().join("CHANGELOG.md").display())
    );
    assert_eq!(tty.read("CHANGELOG.md"), piped.read("CHANGELOG.md"));
}

#[test]
fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
    let repo = releases();
    for args in [
        &["changelog", "--all", "--stdout"][..],
        &["changelog", "--stdout"],
        &["changelog", "--context"],
    ] {
        let run = repo.rel(args);
        run.success();
        assert_eq!(run.stderr, "", "rel {args:?}: {run:#?}");
    }
    // stderr to a file, stdout to the terminal: the file holds no progress either.
    let run = on_terminal(&repo, "changelog --all --stdout 2>progress.txt");
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(repo.read("progress.txt"), "");
}

#[test]
fn output_streamed_to_the_terminal_gets_no_spinner_but_a_redirected_one_does() {
    let repo = releases();
    let expected = repo
        .rel(&["changelog", "--all", "--stdout"])
        .success()
        .to_owned();
    // stdout is the terminal: the changelog itself shows the progress.
    let run = on_terminal(&repo, "changelog --all --stdout");
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(!run.stdout.contains("rendered"), "{run:#?}");
    assert_eq!(run.stdout.replace("\r\n", "\n"), expected);
    // stdout to a file, stderr on the terminal: a spinner, and the same bytes in the file.
    let run = on_terminal(&repo, "changelog --all --stdout >out.md");
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stdout.contains("4 releases rendered"), "{run:#?}");
    assert_eq!(screen(&run.stdout), "");
    assert_eq!(repo.read("out.md"), expected);
}

#[test]
fn verify_shows_which_tag_it_checks_then_the_same_verdicts() {
    let repo = releases();
    let piped = repo.rel(&["verify"]);
    assert_eq!(piped.code, 1, "{piped:#?}");
    let run = on_terminal(&repo, "verify");
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stdout.contains("verifying v1.1.0 (3 of 3)"), "{run:#?}");
    assert_eq!(
        screen(&run.stdout),
        format!("{}{}", piped.stdout, piped.stderr).trim_end()
    );
}
