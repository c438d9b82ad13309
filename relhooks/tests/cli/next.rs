//! `rel next`: every version rule of SPEC section 4, in a real repository.

use crate::Repo;

#[test]
fn no_tag_gives_initial() {
    let repo = Repo::new("commit 'chore: init'\ncommit 'fix: a bug'");
    assert_eq!(repo.next(), "0.1.0");
    let json = repo.next_json();
    assert_eq!(json["current"], serde_json::Value::Null);
    assert_eq!(json["next"], "0.1.0");
    assert_eq!(json["tag"], "v0.1.0");
    assert_eq!(json["commits"], 2);

    repo.write("rel.toml", "[version]\ninitial = \"1.0.0\"\n");
    assert_eq!(repo.next(), "1.0.0");
}

#[test]
fn fix_bumps_patch_feat_minor() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.2.3\ncommit 'fix: a'");
    assert_eq!(repo.next(), "1.2.4");
    assert_eq!(repo.next_json()["bump"], "patch");
    let repo = repo.sh("commit 'perf: b'\ncommit 'feat(api): c'\ncommit 'fix: d'");
    assert_eq!(repo.next(), "1.3.0");
    assert_eq!(repo.next_json()["bump"], "minor");
}

#[test]
fn bang_is_breaking() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.2.3\ncommit 'fix: a'\ncommit 'refactor(core)!: drop old API'",
    );
    assert_eq!(repo.next(), "2.0.0");
    assert_eq!(repo.next_json()["bump"], "major");
}

#[test]
fn breaking_change_footer_is_breaking() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.2.3\ncommit 'fix: parse dates' 'Dates are now UTC.' 'BREAKING CHANGE: local times are rejected'",
    );
    assert_eq!(repo.next(), "2.0.0");
}

#[test]
fn breaking_hyphen_change_footer_is_breaking() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.2.3\ncommit 'docs: say so' 'BREAKING-CHANGE: the config moved'",
    );
    assert_eq!(repo.next(), "2.0.0");
}

#[test]
fn lower_case_breaking_change_line_is_not_breaking() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.2.3\ncommit 'fix: a' 'breaking change: this is only body text'\ncommit 'fix: b' 'Breaking Change: nor this'",
    );
    assert_eq!(repo.next(), "1.2.4");
}

#[test]
fn zero_major_breaking_bumps_minor_by_default() {
    let repo = Repo::new("commit 'feat: one'\ntag v0.3.1\ncommit 'feat!: new world'");
    assert_eq!(repo.next(), "0.4.0");
    let json = repo.next_json();
    assert_eq!(json["bump"], "minor");
    assert_eq!(json["current"], "0.3.1");

    let repo = repo.sh("git tag v0.4.0\ncommit 'fix: a'");
    assert_eq!(repo.next(), "0.4.1");
    let repo = repo.sh("commit 'feat: b'");
    assert_eq!(repo.next(), "0.5.0");
}

#[test]
fn zero_major_breaking_major_allows_one_zero() {
    let repo = Repo::new("commit 'feat: one'\ntag v0.3.1\ncommit 'feat!: new world'");
    repo.write("rel.toml", "[version]\nzero_major_breaking = \"major\"\n");
    assert_eq!(repo.next(), "1.0.0");
    assert_eq!(repo.next_json()["bump"], "major");
}

#[test]
fn first_release_with_breaking_change_is_initial() {
    let repo = Repo::new("commit 'feat!: everything'");
    assert_eq!(repo.next(), "0.1.0");
}

#[test]
fn nothing_to_release_prints_current_version() {
    let repo =
        Repo::new("commit 'feat: one'\ntag v1.2.3\ncommit 'docs: typo'\ncommit 'chore: deps'");
    let run = repo.rel(&["next"]);
    assert_eq!(run.success(), "1.2.3\n");
    assert!(run.stderr.contains("nothing to release"), "{run:?}");
    let json = repo.next_json();
    assert_eq!(json["bump"], "none");
    assert_eq!(json["current"], "1.2.3");
    assert_eq!(json["next"], "1.2.3");
    assert_eq!(json["tag"], "v1.2.3");
    assert_eq!(json["commits"], 2);

    // HEAD exactly on the tag: zero commits.
    let repo = Repo::new("commit 'feat: one'\ntag v1.2.3");
    assert_eq!(repo.next(), "1.2.3");
    assert_eq!(repo.next_json()["commits"], 0);
}

#[test]
fn nothing_ever_released_and_nothing_to_release() {
    let repo = Repo::new("commit 'chore: init'\ncommit 'docs: readme'");
    let run = repo.rel(&["next"]);
    assert_eq!(run.success(), "");
    assert!(run.stderr.contains("nothing to release"), "{run:?}");
    let json = repo.next_json();
    assert_eq!(json["next"], serde_json::Value::Null);
    assert_eq!(json["tag"], serde_json::Value::Null);
    assert_eq!(json["bump"], "none");
}

#[test]
fn non_conventional_and_merge_messages_bump_nothing() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\ncommit 'wip'\ncommit 'Update README.md'\ncommit \"Merge branch 'feat: x' into main\"\ncommit 'fixup! feat: one'\ncommit 'Revert \"feat: one\"'",
    );
    let json = repo.next_json();
    assert_eq!(json["bump"], "none");
    assert_eq!(json["commits"], 5);
    assert_eq!(json["conventional"], 0);
}

#[test]
fn merge_commit_bumps_nothing_but_merged_commits_count() {
    // The merge commit itself says `feat!:`; only the merged `fix:` counts.
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\nbranch topic\ncommit 'fix: on topic'\nswitch main\ncommit 'docs: on main'\ngit merge -q --no-ff -m 'feat!: merge topic' topic",
    );
    assert_eq!(repo.next(), "1.0.1");
    let json = repo.next_json();
    assert_eq!(json["commits"], 3);
    assert_eq!(json["conventional"], 2);
}

#[test]
fn commits_of_merged_branches_count() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\nbranch topic\ncommit 'feat(api)!: new API'\nswitch main\ncommit 'fix: a'\nmerge topic",
    );
    assert_eq!(repo.next(), "2.0.0");
}

#[test]
fn types_match_case_insensitively() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'FEAT: shout'");
    assert_eq!(repo.next(), "1.1.0");
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'Fix(Parser): capital'");
    assert_eq!(repo.next(), "1.0.1");
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'Hotfix: custom'");
    repo.write(
        "rel.toml",
        "[commits]\ntypes = { HOTFIX = \"patch\", feat = \"minor\" }\n",
    );
    assert_eq!(repo.next(), "1.0.1");
}

#[test]
fn unknown_type_bumps_nothing_unless_breaking() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'fxi: typo in type'");
    assert_eq!(repo.next_json()["bump"], "none");
    let repo = repo.sh("commit 'fxi!: still breaking'");
    assert_eq!(repo.next(), "2.0.0");
}

#[test]
fn higher_tag_on_unmerged_branch_is_not_the_base_until_merged() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\nbranch next\ncommit 'feat!: big'\ntag v2.0.0\nswitch main\ncommit 'fix: small'",
    );
    assert_eq!(repo.next(), "1.0.1");
    assert_eq!(repo.next_json()["current"], "1.0.0");

    let repo = repo.sh("merge next");
    let json = repo.next_json();
    assert_eq!(json["current"], "2.0.0");
    // Since v2.0.0: the `fix: small` from main and the merge commit.
    assert_eq!(json["next"], "2.0.1");
    assert_eq!(json["commits"], 2);
}

#[test]
fn pre_release_counters_and_escalation() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.2.3\ncommit 'feat: two'");
    assert_eq!(repo.next_pre("rc"), "1.3.0-rc.1");
    let repo = repo.sh("tag v1.3.0-rc.1\ncommit 'fix: three'");
    assert_eq!(repo.next_pre("rc"), "1.3.0-rc.2");
    // Another label counts on its own.
    assert_eq!(repo.next_pre("beta"), "1.3.0-beta.1");
    // Pre-release tags are never the base.
    assert_eq!(repo.next(), "1.3.0");
    assert_eq!(repo.next_json()["current"], "1.2.3");

    let repo = repo.sh("tag v1.3.0-rc.2\ncommit 'feat!: four'");
    assert_eq!(repo.next_pre("rc"), "2.0.0-rc.1");
    let json = repo.rel(&["next", "--pre", "rc", "--json"]).json();
    assert_eq!(json["tag"], "v2.0.0-rc.1");
    assert_eq!(json["bump"], "major");
}

#[test]
fn pre_release_counter_ignores_other_versions() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.2.3\ncommit 'feat: two'\ntag v1.3.0-rc.7 HEAD~1\ntag v1.4.0-rc.3",
    );
    assert_eq!(repo.next_pre("rc"), "1.3.0-rc.8");
}

#[test]
fn bad_pre_release_label_is_a_usage_error() {
    let repo = Repo::new("commit 'feat: one'");
    let err = repo.rel(&["next", "--pre", "rc.1"]).failure(2).to_owned();
    assert!(err.contains("invalid pre-release label `rc.1`"), "{err}");
    repo.rel(&["next", "--pre", "r c"]).failure(2);
}

#[test]
fn empty_tag_prefix() {
    let repo = Repo::new("commit 'feat: one'\ntag 1.4.0\ntag v9.0.0\ncommit 'fix: a'");
    repo.write("rel.toml", "[version]\ntag_prefix = \"\"\n");
    assert_eq!(repo.next(), "1.4.1");
    assert_eq!(repo.next_json()["tag"], "1.4.1");
}

#[test]
fn custom_tag_prefix() {
    let repo = Repo::new("commit 'feat: one'\ntag release-2.1.0\ntag v9.0.0\ncommit 'feat: a'");
    repo.write("rel.toml", "[version]\ntag_prefix = \"release-\"\n");
    assert_eq!(repo.next(), "2.2.0");
    assert_eq!(repo.next_json()["tag"], "release-2.2.0");
}

#[test]
fn non_semver_tags_are_ignored() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\ncommit 'fix: a'\ntag v1.1\ntag v2\ntag vfoo\ntag v3.0.0.0\ntag v04.0.0\ntag latest\ntag V5.0.0\ncommit 'fix: b'",
    );
    assert_eq!(repo.next(), "1.0.1");
    assert_eq!(repo.next_json()["current"], "1.0.0");
}

#[test]
fn annotated_tags_work_as_base() {
    let repo = Repo::new(
        "commit 'feat: one'\natag v1.0.0\ncommit 'feat: two'\natag v1.1.0\ncommit 'fix: a'",
    );
    assert_eq!(repo.next(), "1.1.1");
    assert_eq!(repo.next_json()["commits"], 1);
}

#[test]
fn two_tags_on_one_commit_the_higher_is_the_base() {
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\natag v1.1.0\ncommit 'fix: a'");
    assert_eq!(repo.next(), "1.1.1");
}

#[test]
fn tag_of_a_tag_counts() {
    let repo = Repo::new(
        "commit 'feat: one'\natag inner\ngit tag -a -m outer v1.0.0 inner\ncommit 'fix: a'",
    );
    assert_eq!(repo.next(), "1.0.1");
}

#[test]
fn json_has_exactly_the_documented_fields() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.2.3\ncommit 'feat: a'\ncommit 'wip'\ncommit 'fix: b'",
    );
    let json = repo.next_json();
    let expected = serde_json::json!({
        "current": "1.2.3",
        "next": "1.3.0",
        "bump": "minor",
        "tag": "v1.3.0",
        "commits": 3,
        "conventional": 2
    });
    assert_eq!(json, expected);
}

#[test]
fn detached_head_works() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\ncommit 'fix: a'\ncommit 'feat: b'\ngit checkout -q --detach HEAD~1",
    );
    assert_eq!(repo.next(), "1.0.1");
}

#[test]
fn works_from_a_subdirectory_and_with_dash_c() {
    let repo = Repo::new("mkdir -p src/deep\ncommit 'feat: one'\ntag v1.0.0\ncommit 'fix: a'");
    repo.write("rel.toml", "[version]\ntag_prefix = \"v\"\n");
    let run = repo.rel_in(&repo.path().join("src/deep"), &["next"]);
    assert_eq!(run.success(), "1.0.1\n");
    let path = repo.path().to_str().expect("utf-8 temp path").to_owned();
    let run = repo.rel_in(std::path::Path::new("/"), &["-C", &path, "next"]);
    assert_eq!(run.success(), "1.0.1\n");
}
