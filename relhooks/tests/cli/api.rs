//! What moved from the binary into relcore's use cases (issue 10), as a user sees it: the hook
//! protocols read into a push, the refs and ranges `rel check` takes, the tags `rel verify`
//! picks and the anchors it trusts. The messages and exit codes are those `rel` always gave.

use crate::Repo;

/// A repository with `v0.1.0` (annotated) and a fix since.
fn released() -> Repo {
    Repo::new("commit 'feat: first'\natag v0.1.0\ncommit 'fix: a bug'")
}

#[test]
fn hook_lines_not_of_the_protocol_are_named() {
    let repo = released();
    let run = repo.rel_stdin(&["hook", "pre-receive"], "one two\n");
    assert_eq!(
        run.failure(2),
        "error: cannot read the hook line `one two`: expected `<old> <new> <ref>`\n"
    );
    let run = repo.rel_stdin(&["hook", "pre-push", "origin", "url"], "a b c\n");
    assert_eq!(
        run.failure(2),
        "error: cannot read the pre-push line `a b c`: expected `<local ref> <local id> <remote ref> <remote id>`\n"
    );
    // `rel hook update REF OLD NEW` makes the same line of its arguments.
    let head = repo.git(&["rev-parse", "HEAD"]).success().trim().to_owned();
    let run = repo.rel(&["hook", "update", "refs/heads/main", "not-an-id", &head]);
    assert!(
        run.failure(2)
            .starts_with("error: `not-an-id` is not an object id"),
        "{run:#?}"
    );
}

#[test]
fn update_hook_judges_the_servers_refs() {
    let repo = released();
    let head = repo.git(&["rev-parse", "HEAD"]).success().trim().to_owned();
    let parent = repo
        .git(&["rev-parse", "HEAD~1"])
        .success()
        .trim()
        .to_owned();
    // Moving main back is a force-push of a protected branch; forward, it is fine.
    let run = repo.rel(&["hook", "update", "refs/heads/main", &head, &parent]);
    let err = run.failure(1);
    assert!(
        err.starts_with("rejected refs/heads/main [protected-force-push]: "),
        "{err}"
    );
    let input = format!("{parent} {head} refs/heads/main\n");
    repo.rel_stdin(&["hook", "pre-receive"], &input).success();
}

#[test]
fn check_names_what_it_cannot_take_as_a_push() {
    let repo = released();
    assert_eq!(
        repo.rel(&["check", "--ref", "nope"]).failure(2),
        "error: no ref `refs/heads/nope`\n"
    );
    assert_eq!(
        repo.rel(&["check", "--range", "HEAD"]).failure(2),
        "error: --range needs a start: A..B\n"
    );
    repo.git(&["switch", "-q", "--detach", "HEAD"]).success();
    assert_eq!(
        repo.rel(&["check", "--range", "HEAD~1..HEAD"]).failure(2),
        "error: HEAD is detached: name the range with --range A..B\n"
    );
}

#[test]
fn check_takes_a_short_name_as_a_tag_before_a_branch() {
    // A branch and a lightweight tag both named v0.2.0: the tag is what is checked.
    let repo = released().sh("git branch v0.2.0 && tag v0.2.0");
    let run = repo.rel(&["check", "--ref", "v0.2.0", "--json"]);
    assert_eq!(run.code, 1, "{run:#?}");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let refs: Vec<&str> = json["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["ref"].as_str().expect("ref"))
        .collect();
    assert!(
        !refs.is_empty() && refs.iter().all(|r| *r == "refs/tags/v0.2.0"),
        "{json}"
    );
}

#[test]
fn verify_names_what_it_cannot_verify() {
    let repo = released();
    assert_eq!(
        repo.rel(&["verify", "0.1.0"]).failure(2),
        "error: `0.1.0` is not a release tag (a tag named v<semver> that exists)\n"
    );
    assert_eq!(
        repo.rel(&["verify", "--allowed-signers", "missing"])
            .failure(2),
        "error: --allowed-signers missing: no such file\n"
    );
    assert_eq!(
        repo.rel(&["verify", "--openpgp-keys", "missing"])
            .failure(2),
        "error: --openpgp-keys missing: no such folder\n"
    );
    // By default: every release tag HEAD contains; v0.1.0 is annotated but not signed.
    let run = repo.rel(&["verify", "refs/tags/v0.1.0"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout.starts_with("v0.1.0: FAILED [signed]: "),
        "{run:#?}"
    );
    repo.git(&["switch", "-q", "--detach", "HEAD~1"]).success();
    let run = repo.rel(&["verify"]);
    assert!(
        run.stdout.starts_with("v0.1.0: FAILED [signed]: "),
        "{run:#?}"
    );
    repo.git(&["tag", "v0.2.0"]).success();
    repo.git(&["switch", "-q", "main"]).success();
    let run = repo.rel(&["verify", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let tags: Vec<&str> = json["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["tag"].as_str().expect("tag"))
        .collect();
    assert_eq!(tags, ["v0.1.0", "v0.2.0"]);
}
