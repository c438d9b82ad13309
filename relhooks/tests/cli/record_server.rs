//! The release record's server hook, attacked with hand-made entries pushed raw: unsigned,
//! untrusted, another actor, the tagger, a re-tagged release, duplicates, the future, rewrites,
//! deletions, other refs, merges, replays and backdating.

use std::process::Command;

use super::record::{dir, fixture, raw_entry, raw_push, rejected, rel, scenario, server_record};

#[test]
fn the_server_refuses_hand_made_entries() {
    let repo = scenario();
    let cases: [(&str, &str); 6] = [
        (
            "alice - approve v1.2.0 production alice@example.com",
            "record-signed",
        ),
        (
            "alice mallory approve v1.2.0 production alice@example.com",
            "record-signed",
        ),
        (
            "alice alice approve v1.2.0 production carol@example.com",
            "record-actor",
        ),
        (
            "alice rm approve v1.2.0 production rm@example.com",
            "record-four-eyes",
        ),
        (
            "alice alice approve v1.2.0 staging alice@example.com",
            "record-environment",
        ),
        (
            "alice alice approve v1.2.0 production alice@example.com 1111111111111111111111111111111111111111",
            "record-release",
        ),
    ];
    for (args, rule) in cases {
        let id = raw_entry(&repo, args);
        let run = raw_push(
            &repo,
            "alice",
            &["origin", &format!("{id}:refs/rel/record")],
        );
        rejected(&run, rule);
        assert_eq!(server_record(&repo), None, "{args}");
    }
    // A good one lands; then a second decision of the same person under another role, an
    // entry dated in the future, a rewrite, a deletion and another ref under refs/rel/ do not.
    let good = raw_entry(
        &repo,
        "carol carol approve v1.2.0 production carol@example.com",
    );
    raw_push(
        &repo,
        "carol",
        &["origin", &format!("{good}:refs/rel/record")],
    )
    .success();
    let twice = raw_entry(
        &repo,
        "carol carol approve v1.2.0 production carol@example.com",
    );
    rejected(
        &raw_push(
            &repo,
            "carol",
            &["origin", &format!("{twice}:refs/rel/record")],
        ),
        "record-duplicate",
    );
    let future = fixture(
        &repo,
        "GIT_COMMITTER_DATE='2099-01-01T00:00:00Z' raw_entry alice alice approve v1.2.0 production alice@example.com",
    );
    rejected(
        &raw_push(
            &repo,
            "alice",
            &["origin", &format!("{future}:refs/rel/record")],
        ),
        "record-time",
    );
    let rewrite = repo.run(
        Command::new("git")
            .args([
                "commit-tree",
                "-m",
                "x",
                "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
            ])
            .current_dir(dir(&repo, "alice")),
        None,
    );
    let rewrite = rewrite.stdout.trim().to_owned();
    rejected(
        &raw_push(
            &repo,
            "alice",
            &["--force", "origin", &format!("{rewrite}:refs/rel/record")],
        ),
        "record-ref",
    );
    rejected(
        &raw_push(&repo, "alice", &["origin", ":refs/rel/record"]),
        "record-ref",
    );
    rejected(
        &raw_push(
            &repo,
            "alice",
            &["origin", &format!("{good}:refs/rel/other")],
        ),
        "record-ref",
    );
    // A valid decision whose entry has two parents: the record is a chain.
    let merge = fixture(
        &repo,
        &format!(
            "RAW_PARENTS='{good} {rewrite}' raw_entry alice alice approve v1.2.0 production alice@example.com"
        ),
    );
    rejected(
        &raw_push(
            &repo,
            "alice",
            &["origin", &format!("{merge}:refs/rel/record")],
        ),
        "record-entry",
    );
    assert_eq!(server_record(&repo).as_deref(), Some(good.as_str()));
}

#[test]
fn replayed_and_backdated_entries_are_refused_by_the_server() {
    let repo = scenario();
    rel(
        &repo,
        "alice",
        &["approve", "v1.2.0", "--for", "production"],
    )
    .success();
    let tip = server_record(&repo).expect("alice's entry landed");
    // Alice's signed entry replayed on top of itself: same signature, another parent. git's
    // own verify-commit calls it bad too.
    let replayed = fixture(
        &repo,
        &format!(
            "cd carol && git fetch -q origin '+refs/rel/record:refs/rel/record'
git cat-file commit {tip} | sed '1a parent {tip}' | git hash-object -t commit -w --stdin"
        ),
    );
    let verify = repo.run(
        Command::new("git")
            .args(["verify-commit", &replayed])
            .current_dir(dir(&repo, "carol")),
        None,
    );
    assert_ne!(
        verify.code, 0,
        "git accepts the replayed signature: {verify:?}"
    );
    rejected(
        &raw_push(
            &repo,
            "carol",
            &["origin", &format!("{replayed}:refs/rel/record")],
        ),
        "record-signed",
    );
    // Carol's decision dated a year before the entry it follows.
    let backdated = fixture(
        &repo,
        "GIT_COMMITTER_DATE='2020-01-01T00:00:00Z' raw_entry carol carol approve v1.2.0 production carol@example.com",
    );
    rejected(
        &raw_push(
            &repo,
            "carol",
            &["origin", &format!("{backdated}:refs/rel/record")],
        ),
        "record-time",
    );
    assert_eq!(server_record(&repo).as_deref(), Some(tip.as_str()));
}

#[test]
fn an_entry_staged_under_another_ref_is_still_judged_when_the_record_takes_it() {
    let repo = scenario();
    // Rm's own approval (the tagger's) lands on the server under a ref the record check does
    // not guard, so its object is already there when the record is pointed at it.
    let own = raw_entry(&repo, "rm rm approve v1.2.0 production rm@example.com");
    let staged = raw_push(
        &repo,
        "rm",
        &["origin", &format!("{own}:refs/changes/01/1/1")],
    );
    assert_eq!(staged.code, 0, "{staged:?}");
    rejected(
        &raw_push(&repo, "rm", &["origin", &format!("{own}:refs/rel/record")]),
        "record-four-eyes",
    );
    assert_eq!(server_record(&repo), None);
}
