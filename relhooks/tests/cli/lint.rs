//! `rel lint`: one message from a file or stdin, or every commit of a range.

use crate::Repo;

#[track_caller]
fn rules(repo: &Repo, message: &str) -> Vec<String> {
    let run = repo.rel_stdin(&["lint", "--json", "-"], message);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    let rules: Vec<String> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().expect("rule id").to_owned())
        .collect();
    assert_eq!(run.code, if rules.is_empty() { 0 } else { 1 }, "{run:?}");
    assert_eq!(json["ok"], rules.is_empty());
    rules
}

#[test]
fn valid_forms_pass() {
    let repo = Repo::new("commit 'chore: init'");
    for ok in [
        "feat: x",
        "feat(parser): x",
        "feat(parser)!: x",
        "FEAT: x",
        "fix: x\n\nA body\nover two lines.\n",
        "fix: x\n\nBody.\n\nRefs: #12\nBREAKING CHANGE: the old flag is gone\n",
        "Merge branch 'topic'",
        "Revert \"feat: x\"\n\nThis reverts commit 0123456.",
        "fixup! feat: x",
        "squash! feat: x",
        "amend! feat: x",
    ] {
        assert_eq!(rules(&repo, ok), Vec::<String>::new(), "{ok:?}");
    }
}

#[test]
fn invalid_forms_name_their_rule() {
    let repo = Repo::new("commit 'chore: init'");
    let cases = [
        ("feat:x", "space-after-colon"),
        ("fxi: x", "type-unknown"),
        ("wip: x", "type-unknown"),
        ("feat(): x", "scope-empty"),
        ("feat: x\nbody right below", "body-separator"),
        ("feat: ", "description-empty"),
        ("feat : x", "header-format"),
        ("update readme", "header-format"),
        ("", "empty"),
    ];
    for (message, rule) in cases {
        assert_eq!(rules(&repo, message), [rule], "{message:?}");
    }
    let long = format!("feat: {}", "x".repeat(100));
    assert_eq!(rules(&repo, &long), ["header-too-long"]);
}

#[test]
fn configured_scopes_types_and_length() {
    let repo = Repo::new("commit 'chore: init'");
    repo.write(
        "rel.toml",
        "[commits]\nscopes = [\"parser\", \"cli\"]\nmax_header_length = 20\ntypes = { feat = \"minor\", fix = \"patch\", hotfix = \"patch\" }\n",
    );
    assert_eq!(rules(&repo, "feat(parser): x"), Vec::<String>::new());
    assert_eq!(rules(&repo, "hotfix: x"), Vec::<String>::new());
    assert_eq!(rules(&repo, "feat(io): x"), ["scope-not-allowed"]);
    assert_eq!(rules(&repo, "docs: x"), ["type-unknown"]);
    assert_eq!(rules(&repo, "feat: twenty-one chars"), ["header-too-long"]);
}

#[test]
fn rendering_shows_header_caret_rule_and_help() {
    let repo = Repo::new("commit 'chore: init'");
    let run = repo.rel_stdin(&["lint"], "fxi(parser): handle nulls\n");
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[type-unknown]: unknown type `fxi`
 --> stdin, line 1
  |
1 | fxi(parser): handle nulls
  | ^^^
  = help: did you mean `fix`? allowed types: build, chore, ci, docs, feat, fix, perf, refactor, revert, style, test

"
    );
    let run = repo.rel_stdin(&["lint"], "feat(parser):handle nulls\n");
    assert!(
        run.stderr
            .contains("1 | feat(parser):handle nulls\n  |              ^\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn lints_a_file_without_its_comments() {
    let repo = Repo::new("commit 'chore: init'");
    repo.write("msg", "feat: from a file\n# a comment line\n\nbody\n");
    assert_eq!(repo.rel(&["lint", "msg"]).code, 0);
    repo.write("bad", "feat:from a file\n");
    let run = repo.rel(&["lint", "bad"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--> bad, line 1"), "{}", run.stderr);
    let err = repo.rel(&["lint", "missing-file"]).failure(2).to_owned();
    assert!(err.contains("missing-file"), "{err}");
}

#[test]
fn range_with_a_bad_commit_exits_1_naming_it() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\ncommit 'fix: fine'\ncommit 'added stuff'\nbranch t\ncommit 'feat: on t'\nswitch main\nmerge t\ncommit 'docs: fine'",
    );
    let bad = repo
        .git(&["rev-parse", "--short=7", "HEAD~2"])
        .stdout
        .trim()
        .to_owned();
    assert_eq!(repo.message(&bad), "added stuff");
    let run = repo.rel(&["lint", "--range", "v1.0.0..HEAD"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("--> commit {bad} `added stuff`, line 1")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("1 of 5 commits in v1.0.0..HEAD break the commit rules"),
        "{}",
        run.stderr
    );

    let json = repo.rel(&["lint", "--range", "v1.0.0..HEAD", "--json"]);
    assert_eq!(json.code, 1);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["ok"], false);
    let failing: Vec<&serde_json::Value> = json["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .filter(|c| c["ok"] == false)
        .collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0]["short_id"], bad.as_str());
    assert_eq!(failing[0]["diagnostics"][0]["rule"], "header-format");

    assert_eq!(repo.rel(&["lint", "--range", "HEAD~1..HEAD"]).code, 0);
}
