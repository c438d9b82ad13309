//! `rel changelog` and `rel notes`: snapshot cases in `fixtures/changelog/<case>/`, and the
//! in-place update rules asserted directly.
//!
//! A case is `commits.sh` (fixture shell run in a new repository), an optional `rel.toml`, and
//! `script`: lines `$ ARGS` run `rel ARGS` and record its stdout, `! SHELL` runs fixture shell,
//! `@ FILE` records a file. The record is snapshotted as `expected.snap` beside them (insta;
//! `INSTA_UPDATE=always cargo test` writes new ones, review them with `git diff`).

use crate::Repo;

/// Every case folder, found by its `commits.sh`: a new folder runs without a test of its own.
#[test]
fn cases() {
    insta::glob!("../../../fixtures/changelog", "*/commits.sh", |commits| {
        case(commits.parent().expect("a case folder"));
    });
}

#[track_caller]
fn case(dir: &std::path::Path) {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let commits = std::fs::read_to_string(dir.join("commits.sh")).expect("commits.sh");
    let mut repo = Repo::new(&commits);
    if let Ok(config) = std::fs::read_to_string(dir.join("rel.toml")) {
        repo.write("rel.toml", config);
    }
    let script = std::fs::read_to_string(dir.join("script")).expect("script");
    let mut record = String::new();
    for line in script.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(args) = line.strip_prefix("$ ") {
            let args: Vec<&str> = args.split_whitespace().collect();
            let run = repo.rel(&args);
            assert_eq!(run.code, 0, "rel {args:?} failed in case {name}: {run:#?}");
            record.push_str(&format!("$ rel {}\n{}\n", args.join(" "), run.stdout));
        } else if let Some(shell) = line.strip_prefix("! ") {
            repo = repo.sh(shell);
        } else if let Some(file) = line.strip_prefix("@ ") {
            record.push_str(&format!("@ {file}\n{}\n", repo.read(file)));
        } else {
            panic!("case {name}: cannot read script line {line:?}");
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.remove_snapshot_suffix();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(dir.join("commits.sh"));
    settings.bind(|| insta::assert_snapshot!("expected", record));
}

#[test]
fn second_run_changes_nothing() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'fix: two'\ncommit 'feat: three'");
    repo.rel(&["changelog"]).success();
    let first = repo.read("CHANGELOG.md");
    let run = repo.rel(&["changelog"]);
    run.success();
    assert!(run.stderr.contains("is up to date"), "{run:?}");
    assert_eq!(repo.read("CHANGELOG.md"), first);
    assert_eq!(first.matches("## [Unreleased]").count(), 1);
}

#[test]
fn hand_edits_survive_byte_for_byte() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'fix: two'\ntag v1.0.1");
    repo.rel(&["changelog"]).success();
    // Edit the released sections by hand, with odd bytes: CRLF, trailing spaces, no final newline.
    let edited = repo
        .read("CHANGELOG.md")
        .replace("- two", "- two, said by hand  \r\n  with a second line")
        + "\n[custom]: link-kept";
    repo.write("CHANGELOG.md", &edited);
    let repo = repo.sh("commit 'feat: three'\ntag v1.1.0\ncommit 'fix: four'");
    repo.rel(&["changelog"]).success();
    let updated = repo.read("CHANGELOG.md");
    let at = updated.find("## [1.0.1]").expect("old section still there");
    assert_eq!(
        &updated[at..],
        &edited[edited.find("## [1.0.1]").expect("edited section")..]
    );
    let top = &updated[..at];
    assert!(
        top.contains("## [Unreleased]") && top.contains("- four") && top.contains("## [1.1.0]"),
        "{top}"
    );
}

#[test]
fn missing_changelog_is_created() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'fix: two'");
    assert!(!repo.path().join("CHANGELOG.md").exists());
    repo.rel(&["changelog"]).success();
    let text = repo.read("CHANGELOG.md");
    assert!(text.starts_with("# Changelog\n"), "{text}");
    assert!(
        text.contains("## [Unreleased]") && text.contains("## [1.0.0] - 2026-01-01"),
        "{text}"
    );
}

#[test]
fn unstructured_changelog_gets_sections_on_top() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0");
    let notes = "Some notes somebody wrote,\nwith no headings at all.\n";
    repo.write("CHANGELOG.md", notes);
    repo.rel(&["changelog"]).success();
    let text = repo.read("CHANGELOG.md");
    assert!(text.starts_with("## [1.0.0] - 2026-01-01\n"), "{text}");
    assert!(text.ends_with(&format!("\n\n{notes}")), "{text}");
}

#[test]
fn output_file_and_stdout() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'fix: two'");
    let run = repo.rel(&["changelog", "--unreleased", "--stdout"]);
    assert!(
        run.success()
            .starts_with("## [Unreleased]\n\n### Bug Fixes\n\n- two ("),
        "{run:?}"
    );
    assert!(!run.stdout.contains("1.0.0"), "{run:?}");
    assert!(!repo.path().join("CHANGELOG.md").exists());
    let err = repo
        .rel(&["changelog", "-o", "no/such/dir/CHANGES.md"])
        .failure(2)
        .to_owned();
    assert!(err.contains("no/such/dir"), "{err}");
    let run = repo.rel(&["changelog", "-o", "other.md"]);
    run.success();
    assert!(repo.read("other.md").contains("## [1.0.0]"));
    assert!(!repo.path().join("CHANGELOG.md").exists());
}

#[test]
fn template_syntax_error_names_file_and_line() {
    let repo = Repo::new("commit 'feat: one'");
    repo.write(
        "tpl.md.j2",
        "## {{ release.version }}\n{% for c in release.groups %}\n{{ c.title \n",
    );
    repo.write("rel.toml", "[changelog]\ntemplate = \"tpl.md.j2\"\n");
    let err = repo.rel(&["changelog", "--stdout"]).failure(2).to_owned();
    assert!(err.contains("tpl.md.j2") && err.contains("line 3"), "{err}");
    let before = repo.path().join("CHANGELOG.md").exists();
    assert!(!before, "nothing written on a template error");
}

#[test]
fn template_undefined_variable_names_file_and_line() {
    let repo = Repo::new("commit 'feat: one'");
    repo.write(
        "tpl.md.j2",
        "## {{ release.version }}\n\n{{ release.verison }}\n",
    );
    repo.write("rel.toml", "[changelog]\ntemplate = \"tpl.md.j2\"\n");
    let err = repo.rel(&["changelog"]).failure(2).to_owned();
    assert!(
        err.contains("tpl.md.j2") && err.contains("line 3") && err.contains("undefined"),
        "{err}"
    );
    assert!(!repo.path().join("CHANGELOG.md").exists());
    // The same through `rel notes --template`.
    let err = repo
        .rel(&["notes", "--template", "tpl.md.j2"])
        .failure(2)
        .to_owned();
    assert!(err.contains("tpl.md.j2") && err.contains("line 3"), "{err}");
}

#[test]
fn non_utf8_message_is_rendered_lossily() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\nprintf 'fix(caf\\351): bytes \\377 here\\n' > msg\ngit config i18n.commitEncoding ISO-8859-1\ncommit_file msg",
    );
    let out = repo.rel(&["changelog", "--stdout"]).success().to_owned();
    assert!(
        out.contains("- **caf\u{fffd}:** bytes \u{fffd} here ("),
        "{out}"
    );
}

#[test]
fn notes_of_unknown_version_is_an_error() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0");
    let err = repo.rel(&["notes", "9.9.9"]).failure(2).to_owned();
    assert!(
        err.contains("no release tag for version 9.9.9 (looked for `v9.9.9`)"),
        "{err}"
    );
}

#[test]
fn context_is_json_for_template_authors() {
    let repo = Repo::new(
        "git remote add origin https://github.com/acme/widget\ncommit 'feat: one'\ntag v1.0.0\ncommit 'fix(io): two' 'Closes #4'",
    );
    let json = repo.rel(&["changelog", "--context"]).json();
    let releases = json["releases"].as_array().expect("releases");
    assert_eq!(releases.len(), 2);
    let unreleased = &releases[0];
    assert_eq!(unreleased["unreleased"], true);
    let entry = &unreleased["groups"][0]["commits"][0];
    assert_eq!(entry["type"], "fix");
    assert_eq!(entry["scope"], "io");
    assert_eq!(
        entry["references"][0]["url"],
        "https://github.com/acme/widget/issues/4"
    );
    assert_eq!(entry["references"][0]["action"], "closes");
    assert_eq!(entry["author"]["name"], "Ada Author");
    assert_eq!(releases[1]["version"], "1.0.0");
    assert_eq!(releases[1]["date"], "2026-01-01");
}

#[test]
fn unreleased_at_a_release_is_empty_and_removed() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'fix: two'");
    repo.rel(&["changelog"]).success();
    assert!(repo.read("CHANGELOG.md").contains("## [Unreleased]"));
    let repo = repo.sh("tag v1.0.1");
    assert_eq!(
        repo.rel(&["changelog", "--unreleased", "--stdout"])
            .success(),
        ""
    );
    repo.rel(&["changelog"]).success();
    let text = repo.read("CHANGELOG.md");
    assert!(!text.contains("## [Unreleased]"), "{text}");
    assert!(
        text.contains("## [1.0.1] - 2026-01-01\n\n### Bug Fixes\n\n- two ("),
        "{text}"
    );
}
