//! `[[release.files]]` through `rel release`: the version is found with real TOML and JSON
//! parsers, only its bytes change (checked against `git diff`), and patterns that could match
//! an empty string are refused when rel.toml is read.

use crate::Repo;

const UNSIGNED: &str = "[policy]\nrequire_signed_tags = false\n";

/// A repository with `files` (name, contents) listed in `[[release.files]]` (with `extra`
/// keys after each `path`), released as v1.0.0, and a feature since.
fn project(files: &[(&str, &str)], extra: &str) -> Repo {
    let repo = Repo::new("");
    let mut config = UNSIGNED.to_owned();
    for (name, contents) in files {
        repo.write(name, contents);
        config.push_str(&format!("\n[[release.files]]\npath = \"{name}\"\n{extra}"));
    }
    repo.write("rel.toml", config);
    repo.sh("git add . && commit 'feat: first' && atag v1.0.0 && commit 'feat(api): second'")
}

/// The words `rel release` changed in `file`, as git sees them: (removed, added) pairs from
/// `git diff --word-diff=porcelain`, a word being a run of letters, digits, `.`, `+` and `-`.
fn changed_words(repo: &Repo, file: &str) -> Vec<(String, String)> {
    let diff = repo
        .git(&[
            "diff",
            "--word-diff=porcelain",
            "--word-diff-regex=[0-9A-Za-z.+-]+",
            "HEAD~1",
            "HEAD",
            "--",
            file,
        ])
        .stdout;
    let mut changes = Vec::new();
    let mut removed = None;
    for line in diff.lines().skip_while(|l| !l.starts_with("@@")) {
        if let Some(word) = line.strip_prefix('-') {
            removed = Some(word.to_owned());
        } else if let Some(word) = line.strip_prefix('+') {
            changes.push((removed.take().unwrap_or_default(), word.to_owned()));
        } else if let Some(word) = removed.take() {
            changes.push((word, String::new()));
        }
    }
    changes
}

#[track_caller]
fn released(repo: &Repo) {
    let run = repo.rel(&["release"]);
    assert_eq!(run.success(), "1.1.0\n", "{run:?}");
}

const CARGO_WITH_DESCRIPTION: &str = r#"[package]
name = "demo"
description = """
A demo. To pin it, write
version = "8.8.8"
in your manifest.
"""
version = "1.0.0" # the release
edition = "2024"

[dependencies]
serde = { version = "1.0.0", features = ["derive"] }
"#;

#[test]
fn cargo_version_inside_a_multi_line_description_is_left_alone() {
    let repo = project(&[("Cargo.toml", CARGO_WITH_DESCRIPTION)], "");
    released(&repo);
    assert_eq!(
        repo.read("Cargo.toml"),
        CARGO_WITH_DESCRIPTION.replace("\"1.0.0\" # the release", "\"1.1.0\" # the release")
    );
    assert_eq!(
        changed_words(&repo, "Cargo.toml"),
        [("1.0.0".to_owned(), "1.1.0".to_owned())]
    );
}

#[test]
fn cargo_dotted_and_literal_forms_and_the_workspace_package() {
    let dotted = "package.name = 'demo'\npackage.version = '1.0.0'\n";
    let workspace = "[workspace]\nmembers = [\"a\"]\n\n[workspace.package]\nversion = \"1.0.0\"\n";
    let repo = project(&[("Cargo.toml", dotted), ("ws/Cargo.toml", workspace)], "");
    released(&repo);
    assert_eq!(repo.read("Cargo.toml"), dotted.replace("1.0.0", "1.1.0"));
    assert_eq!(
        repo.read("ws/Cargo.toml"),
        workspace.replace("1.0.0", "1.1.0")
    );
    for file in ["Cargo.toml", "ws/Cargo.toml"] {
        assert_eq!(
            changed_words(&repo, file),
            [("1.0.0".to_owned(), "1.1.0".to_owned())]
        );
    }
}

#[test]
fn cargo_version_inherited_from_the_workspace_is_refused_by_name() {
    let member = "[package]\nname = \"demo\"\nversion.workspace = true\n";
    let repo = project(&[("Cargo.toml", member)], "");
    let head = repo.git(&["rev-parse", "HEAD"]).stdout;
    let err = repo.rel(&["release"]).failure(2).to_owned();
    assert!(
        err.contains("Cargo.toml: `version` in [package] is inherited from the workspace (`version.workspace = true`)"),
        "{err}"
    );
    assert_eq!(repo.read("Cargo.toml"), member);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]).stdout, head);
    assert_eq!(repo.git(&["tag", "-l"]).stdout, "v1.0.0\n");
}

const PACKAGE_JSON: &str = r#"{
  "name": "demo",
  "description": "version",
  "keywords": ["version", "release"],
  "engines": { "version": "9.9.9" },
  "escaped": "a \"version\": \"0.0.0\" in a string",
  "version": "1.0.0",
  "scripts": { "test": "echo version" }
}
"#;

#[test]
fn package_json_description_and_nested_keys_do_not_hide_the_version() {
    let repo = project(&[("package.json", PACKAGE_JSON)], "");
    released(&repo);
    assert_eq!(
        repo.read("package.json"),
        PACKAGE_JSON.replace("\"version\": \"1.0.0\"", "\"version\": \"1.1.0\"")
    );
    assert_eq!(
        changed_words(&repo, "package.json"),
        [("1.0.0".to_owned(), "1.1.0".to_owned())]
    );
}

#[test]
fn package_json_version_first_or_compact() {
    let compact = "{\"version\":\"1.0.0\",\"description\":\"version\",\"a\":{\"version\":\"2\"}}";
    let repo = project(&[("package.json", compact)], "");
    released(&repo);
    assert_eq!(repo.read("package.json"), compact.replace("1.0.0", "1.1.0"));
    assert_eq!(
        changed_words(&repo, "package.json"),
        [("1.0.0".to_owned(), "1.1.0".to_owned())]
    );
}

#[test]
fn every_kind_of_version_file_changes_only_the_version_in_git_diff() {
    let py = "[build-system]\nrequires = [\"hatchling\"]\n\n[project]\nname = \"demo\"\ndescription = \"\"\"\nversion = \"0.0.1\"\n\"\"\"\nversion = \"1.0.0\"\n";
    let poetry = "[tool.poetry]\nname = \"demo\"\nversion = \"1.0.0\"\n\n[tool.poetry.dependencies]\nversion = \"3\"\n";
    let repo = project(
        &[
            ("Cargo.toml", CARGO_WITH_DESCRIPTION),
            ("package.json", PACKAGE_JSON),
            ("pyproject.toml", py),
            ("poetry/pyproject.toml", poetry),
        ],
        "",
    );
    repo.write(
        "rel.toml",
        format!(
            "{}\n[[release.files]]\npath = \"version.env\"\npattern = 'VERSION=(?P<version>[0-9][^\\s]*)'\n",
            repo.read("rel.toml")
        ),
    );
    repo.write("version.env", "# VERSION= is set by rel\nVERSION=1.0.0\n");
    let repo = repo.sh("git add . && commit 'feat: more files'");
    released(&repo);
    let changed = repo.git(&["diff", "--name-only", "HEAD~1", "HEAD"]).stdout;
    assert_eq!(
        changed,
        "CHANGELOG.md\nCargo.toml\npackage.json\npoetry/pyproject.toml\npyproject.toml\nversion.env\n"
    );
    for file in [
        "Cargo.toml",
        "package.json",
        "pyproject.toml",
        "poetry/pyproject.toml",
        "version.env",
    ] {
        assert_eq!(
            changed_words(&repo, file),
            [("1.0.0".to_owned(), "1.1.0".to_owned())],
            "{file}"
        );
        // And nothing but those bytes: the old file with the version swapped is the new file.
        let old = repo.git(&["show", &format!("HEAD~1:{file}")]).stdout;
        let new = repo.read(file);
        assert_eq!(new.len(), old.len(), "{file}");
        assert_eq!(
            old.match_indices("1.0.0")
                .map(|(i, _)| i)
                .find(|&i| new[i..].starts_with("1.1.0"))
                .map(|i| format!("{}1.1.0{}", &old[..i], &old[i + 5..])),
            Some(new),
            "{file}"
        );
    }
}

#[test]
fn patterns_that_can_match_an_empty_string_are_refused_when_read() {
    for (pattern, what) in [
        ("(?P<version>x*)", "can"),
        ("^(?P<version>[0-9.]*)", "can"),
        ("v=(?P<version>\\d*)", "has a version group that can"),
    ] {
        let repo = project(
            &[("v.txt", "v=1.0.0\n")],
            &format!("pattern = '{pattern}'\n"),
        );
        for args in [&["release"][..], &["next"]] {
            let err = repo.rel(args).failure(2).to_owned();
            assert!(
                err.contains(&format!(
                    "rel.toml:6:11: `release.files[0].pattern`: pattern `{pattern}` {what} match an empty string"
                )),
                "{pattern} {args:?}: {err}"
            );
        }
        assert_eq!(repo.read("v.txt"), "v=1.0.0\n");
        assert_eq!(repo.git(&["tag", "-l"]).stdout, "v1.0.0\n");
    }
}

#[test]
fn patterns_without_a_version_group_are_refused_when_read() {
    let repo = project(&[("v.txt", "v=1.0.0\n")], "pattern = 'v=(\\S+)'\n");
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(
        err.contains("rel.toml:6:11: `release.files[0].pattern`: pattern `v=(\\S+)` has no named group `version`"),
        "{err}"
    );
}
