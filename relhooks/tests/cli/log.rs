//! `rel log`: the commits of the upcoming release, or of a range, parsed.

use crate::Repo;

#[test]
fn lists_commits_since_the_base_newest_first() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\ncommit 'fix(io): retry'\ncommit 'wip'\ncommit 'feat!: new'\ncommit 'Revert \"feat!: new\"'",
    );
    let out = repo.rel(&["log"]).success().to_owned();
    let lines: Vec<&str> = out.lines().map(|l| &l[8..]).collect();
    assert_eq!(
        lines,
        [
            " none  Revert \"feat!: new\"  [revert]",
            "major  feat!: new",
            " none  wip  [non-conventional]",
            "patch  fix(io): retry",
        ]
    );
}

#[test]
fn json_fields() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\ncommit 'fix(io): retry'\nbranch t\ncommit 'wip'\nswitch main\nmerge t",
    );
    let json = repo.rel(&["log", "--json"]).json();
    assert_eq!(json["range"], "v1.0.0..HEAD");
    let commits = json["commits"].as_array().expect("array");
    assert_eq!(commits.len(), 3);
    assert_eq!(commits[0]["kind"], "merge");
    assert_eq!(commits[0]["bump"], "none");
    let fix = commits
        .iter()
        .find(|c| c["summary"] == "fix(io): retry")
        .expect("fix listed");
    assert_eq!(fix["type"], "fix");
    assert_eq!(fix["scope"], "io");
    assert_eq!(fix["breaking"], false);
    assert_eq!(fix["conventional"], true);
    assert_eq!(fix["description"], "retry");
    assert_eq!(fix["bump"], "patch");
    assert_eq!(fix["short_id"].as_str().expect("string").len(), 7);
    assert_eq!(fix["id"].as_str().expect("string").len(), 40);
    let wip = commits
        .iter()
        .find(|c| c["summary"] == "wip")
        .expect("wip listed");
    assert_eq!(wip["kind"], "non-conventional");
    assert_eq!(wip["type"], serde_json::Value::Null);
}

#[test]
fn explicit_ranges() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\ncommit 'fix: a'\ntag v1.0.1\ncommit 'feat: b'\ncommit 'docs: c'",
    );
    let count = |args: &[&str]| repo.rel(args).success().lines().count();
    assert_eq!(count(&["log", "v1.0.0..v1.0.1"]), 1);
    assert_eq!(count(&["log", "v1.0.0.."]), 3);
    assert_eq!(count(&["log", "..v1.0.1"]), 0);
    assert_eq!(count(&["log", "v1.0.1"]), 2);
    assert_eq!(count(&["log", "HEAD~1..HEAD"]), 1);
}

#[test]
fn bad_ranges_are_usage_errors() {
    let repo = Repo::new("commit 'feat: one'");
    let err = repo.rel(&["log", "nope..HEAD"]).failure(2).to_owned();
    assert!(err.contains("`nope` does not name a commit"), "{err}");
    let err = repo.rel(&["log", "main...HEAD"]).failure(2).to_owned();
    assert!(err.contains("is not a range"), "{err}");
}
