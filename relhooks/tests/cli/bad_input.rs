//! Bad input of every kind: a clear error (exit 2) or a sensible result, never a panic.

use crate::Repo;

#[test]
fn unknown_config_key_names_key_and_line() {
    let repo = Repo::new("commit 'feat: one'");
    repo.write(
        "rel.toml",
        "[version]\ntag_prefix = \"v\"\n\n[commits]\nmax_header_lenght = 72\n",
    );
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(
        err.contains("rel.toml:5:1: unknown key `commits.max_header_lenght`, expected one of `types`, `scopes`, `max_header_length`"),
        "{err}"
    );
}

#[test]
fn invalid_toml_names_line() {
    let repo = Repo::new("commit 'feat: one'");
    repo.write("rel.toml", "[version]\ninitial = \"0.1.0\n");
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(err.contains("rel.toml:2:"), "{err}");
}

#[test]
fn invalid_values_name_key_and_line() {
    let repo = Repo::new("commit 'feat: one'");
    repo.write(
        "rel.toml",
        "[policy]\nrelease_branches = [\"main\"]\nbranch_names = [\"^(feat|fix/\"]\n",
    );
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(
        err.contains("rel.toml:3:16: `policy.branch_names`: invalid regex `^(feat|fix/`"),
        "{err}"
    );
    repo.write("rel.toml", "[version]\nzero_major_breaking = \"patch\"\n");
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(err.contains("rel.toml:2:23: `version.zero_major_breaking`: unknown variant `patch`, expected `minor` or `major`"), "{err}");
}

#[test]
fn not_a_repository() {
    let dir = Repo::empty_dir();
    let err = dir.rel(&["next"]).failure(2).to_owned();
    assert!(err.contains("not a git repository"), "{err}");
    let err = dir
        .rel(&["-C", "does/not/exist", "next"])
        .failure(2)
        .to_owned();
    assert!(err.contains("does/not/exist"), "{err}");
}

#[test]
fn empty_repository() {
    let repo = Repo::new("");
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(
        err.contains("no commits yet") && err.contains("`main`"),
        "{err}"
    );
    repo.rel(&["log"]).failure(2);
}

#[test]
fn unborn_branch_in_a_repository_with_commits() {
    let repo = Repo::new("commit 'feat: one'\ngit checkout -q --orphan fresh");
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(
        err.contains("no commits yet") && err.contains("`fresh`"),
        "{err}"
    );
}

#[test]
fn shallow_clone_beyond_the_base_asks_for_full_history() {
    let repo = Repo::new(
        "mkdir origin && cd origin && repo\ncommit 'feat: one'\ntag v1.0.0\nfor i in 1 2 3 4 5; do commit \"fix: $i\"; done\ncd ..\ngit clone -q --depth 2 \"file://$PWD/origin\" shallow",
    );
    let run = repo.rel_in(&repo.path().join("shallow"), &["next"]);
    let err = run.failure(2);
    assert!(err.contains("git fetch --unshallow --tags"), "{err}");
    assert!(err.contains("shallow"), "{err}");
}

#[test]
fn shallow_clone_containing_the_base_works() {
    let repo = Repo::new(
        "mkdir origin && cd origin && repo\ncommit 'feat: zero'\ncommit 'feat: one'\ntag v1.0.0\nfor i in 1 2; do commit \"fix: $i\"; done\ncd ..\ngit clone -q --depth 4 \"file://$PWD/origin\" shallow\ngit -C shallow fetch -q --depth 4 origin tag v1.0.0",
    );
    let run = repo.rel_in(&repo.path().join("shallow"), &["next"]);
    assert_eq!(run.success(), "1.0.1\n");
}

#[test]
fn tags_on_a_blob_or_tree_are_ignored_with_a_warning() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\ncommit 'fix: a'\ngit tag v9.0.0 \"$(echo data | git hash-object -w --stdin)\"\ngit tag -a -m tree v8.0.0 'HEAD^{tree}'",
    );
    let run = repo.rel(&["next"]);
    assert_eq!(run.success(), "1.0.1\n");
    assert!(
        run.stderr
            .contains("warning: tag `v9.0.0` looks like a release but points at a blob"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("warning: tag `v8.0.0` looks like a release but points at a tree"),
        "{run:?}"
    );
}

#[test]
fn one_megabyte_message() {
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\n{ printf 'feat(big): huge body\\n\\n'; head -c 1048576 /dev/zero | tr '\\0' 'a' | fold -w 100; printf '\\n\\nRefs: #1\\n'; } > msg\ncommit_file msg\nhead -c 1048576 /dev/zero | tr '\\0' 'b' > msg2\ncommit_file msg2",
    );
    assert_eq!(repo.next(), "1.1.0");
    let json = repo.next_json();
    assert_eq!(json["commits"], 2);
    assert_eq!(json["conventional"], 1);
    let log = repo.rel(&["log"]).success().to_owned();
    assert!(
        log.contains("minor  feat(big): huge body"),
        "{}",
        &log[..200.min(log.len())]
    );
}

#[test]
fn non_utf8_message() {
    // git would re-encode Latin-1 to UTF-8 unless told the commit encoding: then the raw bytes are stored.
    let repo = Repo::new(
        "commit 'feat: one'\ntag v1.0.0\nprintf 'fix(caf\\351): latin-1 bytes \\377\\n' > msg\ngit config i18n.commitEncoding ISO-8859-1\ncommit_file msg\nprintf '\\377\\376 garbage\\n' > msg2\ncommit_file msg2",
    );
    assert_eq!(repo.next(), "1.0.1");
    let json = repo.rel(&["log", "--json"]).json();
    assert_eq!(
        json["commits"][1]["summary"],
        "fix(caf\u{fffd}): latin-1 bytes \u{fffd}"
    );
    assert_eq!(json["commits"][1]["bump"], "patch");
    assert_eq!(json["commits"][0]["kind"], "non-conventional");
}

#[test]
fn init_writes_the_defaults_once() {
    let repo = Repo::new("commit 'feat: one'");
    let run = repo.rel(&["init"]);
    run.success();
    let written = std::fs::read_to_string(repo.path().join("rel.toml")).expect("rel.toml written");
    assert_eq!(written, relcore::Config::DEFAULT_TOML);
    assert_eq!(
        relcore::Config::from_toml(&written, "rel.toml".as_ref()).expect("parses"),
        relcore::Config::default()
    );
    assert_eq!(repo.next(), "0.1.0");

    repo.write("rel.toml", "# mine\n");
    let err = repo.rel(&["init"]).failure(2).to_owned();
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("rel.toml")).expect("kept"),
        "# mine\n"
    );
    repo.rel(&["init", "--force"]).success();
    assert_eq!(
        std::fs::read_to_string(repo.path().join("rel.toml")).expect("rewritten"),
        written
    );
}

#[test]
fn usage_errors_exit_2() {
    let repo = Repo::new("commit 'feat: one'");
    repo.rel(&["next", "--bogus"]).failure(2);
    repo.rel(&["frobnicate"]).failure(2);
}
