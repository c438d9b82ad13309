//! The release record: approvals from clones (SSH and OpenPGP signers), `rel status`, `rel
//! audit`, and attacks on the server's pre-receive hook with hand-made entries pushed raw.

use std::path::PathBuf;
use std::process::Command;

use crate::{Repo, Run};

/// The scenario of `fixtures/record.sh`, with the server hook installed.
pub(crate) fn scenario() -> Repo {
    let repo = Repo::empty_dir();
    fixture(&repo, "record_scenario");
    repo.rel_in(&repo.path().join("server.git"), &["install", "--server"])
        .success();
    repo
}

pub(crate) fn dir(repo: &Repo, who: &str) -> PathBuf {
    repo.path().join(who)
}

pub(crate) fn rel(repo: &Repo, who: &str, args: &[&str]) -> Run {
    repo.rel_in(&dir(repo, who), args)
}

/// `raw_entry ARGS` in the fixture shell: a hand-made entry's id.
pub(crate) fn raw_entry(repo: &Repo, args: &str) -> String {
    fixture(repo, &format!("raw_entry {args}"))
}

/// `script` in the fixture shell with the record helpers loaded: its output, trimmed.
pub(crate) fn fixture(repo: &Repo, script: &str) -> String {
    repo.fixture(&["keys.sh", "record.sh"], script)
}

/// `git push --no-verify ARGS` from `who`'s clone: the server alone decides.
pub(crate) fn raw_push(repo: &Repo, who: &str, args: &[&str]) -> Run {
    let mut command = Command::new("git");
    command
        .args(["push", "--no-verify"])
        .args(args)
        .current_dir(dir(repo, who));
    repo.run(&mut command, None)
}

/// The record's tip on the server.
pub(crate) fn server_record(repo: &Repo) -> Option<String> {
    let run = repo.run(
        Command::new("git")
            .args(["rev-parse", "-q", "--verify", "refs/rel/record"])
            .current_dir(repo.path().join("server.git")),
        None,
    );
    (run.code == 0).then(|| run.stdout.trim().to_owned())
}

#[track_caller]
pub(crate) fn rejected(run: &Run, rule: &str) {
    assert_ne!(run.code, 0, "the push should be refused: {run:?}");
    // The server hook's verdict on a ref, not a word that happens to appear.
    assert!(
        run.stderr
            .lines()
            .any(|l| l.contains("rejected refs/rel/") && l.contains(&format!("[{rule}]"))),
        "expected rule {rule}: {run:?}"
    );
}

#[test]
fn two_approvers_satisfy_the_gate_seen_from_a_third_clone() {
    let repo = scenario();
    let first = rel(
        &repo,
        "alice",
        &["approve", "v1.2.0", "--for", "production", "-m", "lgtm"],
    );
    first.success();
    assert!(
        first
            .stdout
            .contains("alice@example.com approved v1.2.0 for production"),
        "{first:?}"
    );
    assert!(
        first
            .stdout
            .contains("production: 1 of 2 — still needs: product-owner | sre"),
        "{first:?}"
    );
    // With only the tech lead, a third clone sees what is missing.
    let status = rel(&repo, "carol", &["status", "v1.2.0"]);
    assert!(
        status
            .success()
            .contains("still needs: product-owner | sre"),
        "{status:?}"
    );
    // Bob (OpenPGP) approves as product owner.
    let second = rel(&repo, "bob", &["approve", "v1.2.0", "--for", "production"]);
    assert!(
        second.success().contains("production: 2 of 2 — approved"),
        "{second:?}"
    );
    let status = rel(&repo, "rm", &["status", "v1.2.0", "--json"]).json();
    let gate = &status["gates"][0];
    assert_eq!(gate["satisfied"], true, "{status}");
    assert_eq!(
        gate["approvals"],
        serde_json::json!([
            ["tech-lead", "alice@example.com"],
            ["product-owner | sre", "bob@example.com"]
        ])
    );
    let signers: Vec<&str> = status["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|s| s["signer"].as_str().expect("verified"))
        .collect();
    assert_eq!(signers, ["alice@example.com", "bob@example.com"]);
    let audit = rel(&repo, "carol", &["audit"]);
    assert!(
        audit.success().contains("2 entries audited, 0 violations"),
        "{audit:?}"
    );
}

#[test]
fn refused_decisions_are_not_recorded() {
    let repo = scenario();
    rel(
        &repo,
        "alice",
        &["approve", "v1.2.0", "--for", "production"],
    )
    .success();
    let before = server_record(&repo);
    // The same person again.
    let again = rel(
        &repo,
        "alice",
        &["approve", "v1.2.0", "--for", "production"],
    );
    assert_eq!(again.code, 1, "{again:?}");
    assert!(again.stderr.contains("[record-duplicate]"), "{again:?}");
    // The release's own tagger (a tech lead too).
    let tagger = rel(&repo, "rm", &["approve", "v1.2.0", "--for", "production"]);
    assert_eq!(tagger.code, 1, "{tagger:?}");
    assert!(tagger.stderr.contains("[record-four-eyes]"), "{tagger:?}");
    // An environment without a gate, and a tag that is no release.
    let env = rel(&repo, "carol", &["approve", "v1.2.0", "--for", "staging"]);
    assert_eq!(env.code, 1, "{env:?}");
    assert!(env.stderr.contains("[record-environment]"), "{env:?}");
    let tag = rel(
        &repo,
        "carol",
        &["approve", "v9.9.9", "--for", "production"],
    );
    assert_eq!(tag.code, 2, "{tag:?}");
    assert!(
        tag.stderr
            .contains("`v9.9.9` is not an annotated release tag"),
        "{tag:?}"
    );
    assert_eq!(server_record(&repo), before);
    // Carol is tech lead and SRE: the tech-lead item is taken, so she counts as SRE.
    let carol = rel(
        &repo,
        "carol",
        &["approve", "v1.2.0", "--for", "production"],
    );
    assert!(carol.success().contains("2 of 2 — approved"), "{carol:?}");
}

#[test]
fn a_rejection_blocks_until_revoked() {
    let repo = scenario();
    rel(
        &repo,
        "alice",
        &["approve", "v1.2.0", "--for", "production"],
    )
    .success();
    let reject = rel(
        &repo,
        "bob",
        &[
            "approve",
            "v1.2.0",
            "--for",
            "production",
            "--reject",
            "-m",
            "no",
        ],
    );
    assert!(
        reject.success().contains("rejected by bob@example.com"),
        "{reject:?}"
    );
    let approve = rel(
        &repo,
        "carol",
        &["approve", "v1.2.0", "--for", "production"],
    );
    assert!(
        approve.success().contains("rejected by bob@example.com"),
        "{approve:?}"
    );
    let revoke = rel(
        &repo,
        "bob",
        &["approve", "v1.2.0", "--for", "production", "--revoke"],
    );
    assert!(revoke.success().contains("2 of 2 — approved"), "{revoke:?}");
    let nothing = rel(
        &repo,
        "bob",
        &["approve", "v1.2.0", "--for", "production", "--revoke"],
    );
    assert_eq!(nothing.code, 1, "{nothing:?}");
    assert!(nothing.stderr.contains("[record-revoke]"), "{nothing:?}");
}

#[test]
fn concurrent_approvals_both_land() {
    let repo = scenario();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            rel(
                &repo,
                "alice",
                &["approve", "v1.2.0", "--for", "production"],
            )
        });
        let b = s.spawn(|| rel(&repo, "bob", &["approve", "v1.2.0", "--for", "production"]));
        (a.join().expect("alice"), b.join().expect("bob"))
    });
    a.success();
    b.success();
    let status = rel(&repo, "carol", &["status", "v1.2.0"]);
    assert!(status.success().contains("2 of 2 — approved"), "{status:?}");
    let audit = rel(&repo, "carol", &["audit"]);
    assert!(
        audit.success().contains("2 entries audited, 0 violations"),
        "{audit:?}"
    );
}

#[test]
fn audit_names_an_entry_a_local_update_ref_slipped_in() {
    let repo = scenario();
    rel(
        &repo,
        "alice",
        &["approve", "v1.2.0", "--for", "production"],
    )
    .success();
    let forged = raw_entry(
        &repo,
        "carol mallory approve v1.2.0 production bob@example.com",
    );
    repo.run(
        Command::new("git")
            .args(["update-ref", "refs/rel/record", &forged])
            .current_dir(dir(&repo, "carol")),
        None,
    )
    .success();
    let audit = rel(&repo, "carol", &["audit", "--remote", ""]);
    assert_eq!(audit.code, 1, "{audit:?}");
    assert!(
        audit
            .stdout
            .contains(&format!("entry {}: [record-signed]", &forged[..7])),
        "{audit:?}"
    );
    let json = rel(&repo, "carol", &["audit", "--remote", "", "--json"]);
    assert_eq!(json.code, 1);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(value["violations"][0]["entry"], forged.as_str());
}

#[test]
fn an_unknown_role_in_a_gate_is_a_config_error_naming_the_key() {
    let repo = scenario();
    let alice = dir(&repo, "alice");
    let text = std::fs::read_to_string(alice.join("rel.toml")).expect("rel.toml");
    std::fs::write(
        alice.join("rel.toml"),
        text.replace("\"product-owner | sre\"", "\"product-owner | qa\""),
    )
    .expect("write rel.toml");
    let run = rel(&repo, "alice", &["status", "v1.2.0"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("`environments.production.approvals[1]`: unknown role `qa`"),
        "{run:?}"
    );
}

#[test]
fn the_kept_state_follows_the_record_it_was_kept_for() {
    let repo = scenario();
    rel(
        &repo,
        "alice",
        &["approve", "v1.2.0", "--for", "production"],
    )
    .success();
    let first = server_record(&repo).expect("a record");
    rel(
        &repo,
        "carol",
        &["approve", "v1.2.0", "--for", "production"],
    )
    .success();
    // The server kept the state at the first entry while checking the second; judging the
    // next pushes from it, it still knows who decided what.
    assert!(
        repo.path()
            .join("server.git/rel/record-state.json")
            .is_file()
    );
    let twice = raw_entry(
        &repo,
        "alice alice approve v1.2.0 production alice@example.com",
    );
    rejected(
        &raw_push(
            &repo,
            "alice",
            &["origin", &format!("{twice}:refs/rel/record")],
        ),
        "record-duplicate",
    );
    let late = rel(&repo, "bob", &["approve", "v1.2.0", "--for", "production"]);
    assert_eq!(late.code, 1, "{late:?}");
    assert!(late.stderr.contains("[record-role]"), "{late:?}");
    // A clone keeps the state of what it read; rewound, or with the kept file garbled, it
    // reads the record it has, not the state it kept.
    let approved = "production: 2 of 2 — approved";
    let needs = "still needs: product-owner | sre";
    assert!(
        rel(&repo, "bob", &["status", "v1.2.0"])
            .success()
            .contains(approved)
    );
    let kept = dir(&repo, "bob").join(".git/rel/record-state.json");
    assert!(kept.is_file());
    fixture(
        &repo,
        &format!("git -C bob update-ref refs/rel/record {first}"),
    );
    let local = ["status", "v1.2.0", "--remote", ""];
    assert!(rel(&repo, "bob", &local).success().contains(needs));
    std::fs::write(&kept, "{\"format\": 1, \"tip\": ").expect("write");
    assert!(rel(&repo, "bob", &local).success().contains(needs));
    assert!(
        rel(&repo, "bob", &["status", "v1.2.0"])
            .success()
            .contains(approved)
    );
    assert!(rel(&repo, "bob", &local).success().contains(approved));
}
