//! Defects in the notes, the readiness review (`rel ready`) and its waivers, and a promotion
//! that requires a passing review: real clones signing with SSH and OpenPGP, a real server
//! hook, commands run in a clean checkout of the tag.

use crate::record::{raw_push, rejected, rel, server_record};
use crate::{Repo, Run};

/// The scenario of `fixtures/ready.sh` with checklist `items` (a TOML array), the server
/// hook installed.
pub(crate) fn scenario(items: &str) -> Repo {
    let repo = Repo::empty_dir();
    fixture(&repo, &format!("ready_scenario '{items}'"));
    repo.rel_in(&repo.path().join("server.git"), &["install", "--server"])
        .success();
    repo
}

pub(crate) fn fixture(repo: &Repo, script: &str) -> String {
    repo.fixture(&["keys.sh", "record.sh", "ready.sh"], script)
}

const DEFECTS_ONLY: &str = r#"[{ name = "no critical defects", defects = "critical" }]"#;

const CHECKLIST: &str = r#"[
  { name = "tests", command = "sh ci/tests.sh" },
  { name = "runbook", file = "docs/runbook.md" },
  { name = "backout plan", file = "docs/backout.md", required = false },
]"#;

/// The row of `item` in `rel ready`'s table.
fn row<'a>(run: &'a Run, item: &str) -> &'a str {
    run.stdout
        .lines()
        .find(|l| l.starts_with(&format!("{item}  ")))
        .unwrap_or_else(|| panic!("no row for {item}: {run:?}"))
}

#[test]
fn open_defects_are_in_the_notes_by_severity_and_a_waiver_turns_no_go_into_go() {
    let repo = scenario(DEFECTS_ONLY);
    // The notes of 1.2.0: the two defects open at it, the critical one first, with their
    // workarounds; DEF-7, fixed by it, listed as fixed and linked from its commit.
    let notes = rel(&repo, "rm", &["notes", "v1.2.0"]);
    let text = notes.success();
    let known = text
        .split("## Known issues")
        .nth(1)
        .expect("a known-issues section");
    let critical = known
        .find("**DEF-12** (critical): Export hangs on files over 2 GB")
        .expect(text);
    let minor = known
        .find("**DEF-13** (minor): Avatar upload shows a blank preview")
        .expect(text);
    assert!(critical < minor, "worst first: {text}");
    assert!(
        known.contains("Workaround: Split the export in parts."),
        "{text}"
    );
    assert!(
        known.contains("Workaround: Reload the page after uploading."),
        "{text}"
    );
    assert!(known.contains("(problem PRB-3)"), "{text}");
    assert!(
        !known.contains("DEF-7"),
        "fixed in 1.2.0, not outstanding: {text}"
    );
    assert!(
        text.contains("## Fixed defects\n\n- **DEF-7** (major): Dates in exports are in UTC"),
        "{text}"
    );
    assert!(text.contains("dates in the local time zone ("), "{text}");
    assert!(text.contains(", fixes DEF-7\n"), "{text}");
    // 1.1.0 had DEF-12 and DEF-7 open; DEF-13 came later.
    let old = rel(&repo, "rm", &["notes", "v1.1.0"]);
    assert!(old.stdout.contains("**DEF-7** (major)"), "{old:?}");
    assert!(!old.stdout.contains("DEF-13"), "{old:?}");
    // The changelog links the fix to the defect.
    let changelog = rel(&repo, "rm", &["changelog", "--all", "--stdout"]);
    assert!(
        changelog
            .success()
            .contains("- **export:** dates in the local time zone ("),
        "{changelog:?}"
    );
    assert!(
        changelog.stdout.contains(", fixes DEF-7\n"),
        "{changelog:?}"
    );

    // No-go on the critical defect; the review is recorded all the same.
    let before = server_record(&repo);
    let nogo = rel(&repo, "rm", &["ready", "v1.2.0"]);
    assert_eq!(nogo.code, 1, "{nogo:?}");
    assert!(nogo.stdout.starts_with("v1.2.0: NO-GO\n"), "{nogo:?}");
    let r = row(&nogo, "no critical defects");
    assert!(
        r.contains("defects") && r.contains("required") && r.contains("FAIL"),
        "{r}"
    );
    assert!(r.contains("open at 1.2.0: DEF-12 (critical)"), "{r}");
    assert!(!r.contains("DEF-13"), "minor is below the threshold: {r}");
    assert_ne!(
        server_record(&repo),
        before,
        "the no-go is recorded: {nogo:?}"
    );

    // Only a role in readiness.waivers may waive, with a reason.
    let alice = rel(
        &repo,
        "alice",
        &[
            "ready",
            "v1.2.0",
            "--waive",
            "no critical defects",
            "-m",
            "ship it",
        ],
    );
    assert_eq!(alice.code, 1, "{alice:?}");
    assert!(alice.stderr.contains("refused [record-role]"), "{alice:?}");
    // Nor the release's own tagger (four eyes), even holding no waivers role.
    let tagger = rel(
        &repo,
        "rm",
        &[
            "ready",
            "v1.2.0",
            "--waive",
            "no critical defects",
            "-m",
            "mine",
        ],
    );
    assert_eq!(tagger.code, 1, "{tagger:?}");
    assert!(
        tagger.stderr.contains("refused [record-four-eyes]")
            || tagger.stderr.contains("refused [record-role]"),
        "{tagger:?}"
    );
    // A review is the tagger's or a promoter's to record: alice is neither.
    let alice_review = rel(&repo, "alice", &["ready", "v1.2.0"]);
    assert_eq!(alice_review.code, 1, "{alice_review:?}");
    assert!(
        alice_review.stderr.contains("refused [record-role]")
            && alice_review
                .stderr
                .contains("`alice@example.com` may not record a readiness review of v1.2.0")
            && alice_review.stderr.contains("the review was not recorded"),
        "{alice_review:?}"
    );
    let no_reason = rel(
        &repo,
        "bob",
        &["ready", "v1.2.0", "--waive", "no critical defects"],
    );
    assert_eq!(no_reason.code, 2, "{no_reason:?}");
    let unknown = rel(
        &repo,
        "bob",
        &["ready", "v1.2.0", "--waive", "no blockers", "-m", "x"],
    );
    assert_eq!(unknown.code, 1, "{unknown:?}");
    assert!(
        unknown.stderr.contains("refused [record-waive]")
            && unknown.stderr.contains("`no blockers` is not an item"),
        "{unknown:?}"
    );
    let reason = "DEF-12 affects exports over 2 GB only; support has the workaround";
    rel(
        &repo,
        "bob",
        &[
            "ready",
            "v1.2.0",
            "--waive",
            "no critical defects",
            "-m",
            reason,
        ],
    )
    .success();

    // Go, the item shown waived with who and why.
    let go = rel(&repo, "rm", &["ready", "v1.2.0", "--json"]);
    let json = go.json();
    assert_eq!(go.code, 0, "{go:?}");
    assert_eq!(json["go"], true);
    assert_eq!(json["recorded"], true);
    assert_eq!(json["items"][0]["status"], "waived");
    assert!(
        json["items"][0]["evidence"]
            .as_str()
            .expect("a string")
            .contains(&format!("waived by bob@example.com: {reason}"))
    );
    assert_eq!(
        json["items"][0]["digest"]["sha256"]
            .as_str()
            .expect("a string")
            .len(),
        64
    );

    // The waiver's reason is in the notes.
    let notes = rel(&repo, "rm", &["notes", "v1.2.0"]);
    assert!(
        notes.success().contains(&format!(
            "## Readiness waivers\n\n- **no critical defects**: waived by bob@example.com: {reason}"
        )),
        "{notes:?}"
    );
    // And the whole record passes the audit.
    rel(&repo, "rm", &["audit"]).success();
}

#[test]
fn the_checklist_shows_each_item_with_evidence_and_production_waits_for_a_go() {
    let repo = scenario(CHECKLIST);
    // Work in progress in the user's tree never reaches the review: it runs on the tag.
    std::fs::write(repo.path().join("rm/WIP"), "half done").expect("write");
    let nogo = rel(&repo, "rm", &["ready", "v1.2.0"]);
    assert_eq!(nogo.code, 1, "{nogo:?}");
    assert!(nogo.stdout.starts_with("v1.2.0: NO-GO\n"), "{nogo:?}");
    let tests = row(&nogo, "tests");
    assert!(
        tests.contains("command") && tests.contains("FAIL") && tests.contains("exit 1 in"),
        "{tests}"
    );
    assert!(
        nogo.stderr.contains("  | 2 of 40 tests failed"),
        "the output's tail: {nogo:?}"
    );
    assert!(!nogo.stderr.contains("WIP found"), "{nogo:?}");
    assert!(
        !nogo
            .stderr
            .contains(&format!("running in {}", repo.path().join("rm").display())),
        "{nogo:?}"
    );
    let runbook = row(&nogo, "runbook");
    assert!(
        runbook.contains("FAIL") && runbook.contains("docs/runbook.md is not in v1.2.0's tree"),
        "{runbook}"
    );
    let backout = row(&nogo, "backout plan");
    assert!(
        backout.contains("advisory") && backout.contains("warn"),
        "{backout}"
    );
    // The clean checkout is gone afterwards.
    let worktrees = repo.run(
        std::process::Command::new("git")
            .args(["worktree", "list"])
            .current_dir(repo.path().join("rm")),
        None,
    );
    assert_eq!(worktrees.stdout.lines().count(), 1, "{worktrees:?}");

    // Approved and verified in dev, production still refuses: no passing review.
    for who in ["alice", "bob"] {
        rel(&repo, who, &["approve", "v1.2.0", "--for", "production"]).success();
    }
    let refused = rel(&repo, "rm", &["promote", "v1.2.0", "--to", "production"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("refused [record-ready]"),
        "{refused:?}"
    );
    assert!(refused.stderr.contains("latest (entry"), "{refused:?}");

    // CI goes green and the product owner waives the runbook: go; production takes it.
    std::fs::write(repo.home().join("ci-green"), "").expect("write");
    rel(
        &repo,
        "bob",
        &[
            "ready",
            "v1.2.0",
            "--waive",
            "runbook",
            "-m",
            "the runbook ships in 1.2.1",
        ],
    )
    .success();
    let go = rel(&repo, "rm", &["ready", "v1.2.0"]);
    assert_eq!(go.code, 0, "{go:?}");
    assert!(go.stdout.starts_with("v1.2.0: GO\n"), "{go:?}");
    assert!(row(&go, "tests").contains("pass"), "{go:?}");
    assert!(row(&go, "runbook").contains("waived"), "{go:?}");
    assert!(
        row(&go, "backout plan").contains("warn"),
        "advisory, still missing: {go:?}"
    );
    rel(&repo, "rm", &["promote", "v1.2.0", "--to", "production"]).success();
}

#[test]
fn a_passing_review_counts_only_for_the_tag_object_it_reviewed() {
    let repo = scenario(r#"[{ name = "tests", command = "true" }]"#);
    rel(&repo, "rm", &["ready", "v1.1.0"]).success();
    for who in ["alice", "bob"] {
        rel(&repo, who, &["approve", "v1.2.0", "--for", "production"]).success();
    }
    let refused = rel(&repo, "rm", &["promote", "v1.2.0", "--to", "production"]);
    assert!(
        refused.stderr.contains("refused [record-ready]")
            && refused.stderr.contains("has none recorded"),
        "{refused:?}"
    );
    rel(&repo, "rm", &["ready", "v1.2.0"]).success();
    rel(&repo, "rm", &["promote", "v1.2.0", "--to", "production"]).success();
}

/// A `ready` entry made by hand: `items` as JSON, `go` as given.
fn forged_review(repo: &Repo, key: &str, actor: &str, go: bool, items: &str) -> String {
    let object = fixture(repo, "git -C rm rev-parse refs/tags/v1.2.0");
    let commit = fixture(repo, "git -C rm rev-parse 'v1.2.0^{commit}'");
    let json = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"v1.2.0","digest":{{"gitTag":"{object}","gitCommit":"{commit}"}}}}],"predicateType":"https://rel.dev/record/ready/v1","predicate":{{"event":"ready","actor":"{actor}","readiness":{{"go":{go},"items":{items}}}}}}}"#
    );
    fixture(
        repo,
        &format!("raw_json rm {key} 'ready v1.2.0: go' '{json}'"),
    )
}

#[test]
fn the_server_refuses_a_forged_go() {
    let repo = scenario(CHECKLIST);
    let item = |name: &str, kind: &str, required: bool, status: &str, digest: &str| {
        format!(
            r#"{{"name":"{name}","kind":"{kind}","required":{required},"status":"{status}","evidence":"ok"{digest}}}"#
        )
    };
    let tests = item("tests", "command", true, "passed", "");
    let backout = item("backout plan", "file", false, "failed", "");
    // A runbook said to pass that the tagged tree does not have.
    let blob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
    let runbook = item(
        "runbook",
        "file",
        true,
        "passed",
        &format!(r#","digest":{{"gitBlob":"{blob}"}}"#),
    );
    let waived = item("runbook", "file", true, "waived", "");
    let failed = item("runbook", "file", true, "failed", "");
    let with_blob_on_command = item(
        "tests",
        "command",
        true,
        "passed",
        &format!(r#","digest":{{"gitBlob":"{blob}"}}"#),
    );
    let cases = [
        (
            "rm",
            true,
            format!("[{tests},{runbook},{backout}]"),
            "record-ready",
        ),
        // An item left out of the checklist.
        ("rm", true, format!("[{tests},{backout}]"), "record-ready"),
        // Waived with no waiver standing.
        (
            "rm",
            true,
            format!("[{tests},{waived},{backout}]"),
            "record-ready",
        ),
        // A go that its own items call a no-go.
        (
            "rm",
            true,
            format!("[{tests},{failed},{backout}]"),
            "record-ready",
        ),
        // Evidence its kind does not have.
        (
            "rm",
            false,
            format!("[{with_blob_on_command},{failed},{backout}]"),
            "record-ready",
        ),
        // Signed by someone else than its actor, or by nobody trusted.
        (
            "mallory",
            false,
            format!("[{tests},{failed},{backout}]"),
            "record-signed",
        ),
        // By a trusted signer who is neither the tagger nor a promoter.
        (
            "alice",
            false,
            format!("[{tests},{failed},{backout}]"),
            "record-actor",
        ),
    ];
    for (key, go, items, rule) in &cases {
        let entry = forged_review(&repo, key, "rm@example.com", *go, items);
        let push = raw_push(
            &repo,
            "rm",
            &["origin", &format!("{entry}:refs/rel/record")],
        );
        rejected(&push, rule);
    }
    let entry = forged_review(
        &repo,
        "alice",
        "alice@example.com",
        false,
        &format!("[{tests},{failed},{backout}]"),
    );
    rejected(
        &raw_push(
            &repo,
            "rm",
            &["origin", &format!("{entry}:refs/rel/record")],
        ),
        "record-role",
    );
    assert_eq!(server_record(&repo), None, "nothing landed");
    // The honest no-go of the same shape lands.
    let entry = forged_review(
        &repo,
        "rm",
        "rm@example.com",
        false,
        &format!("[{tests},{failed},{backout}]"),
    );
    raw_push(
        &repo,
        "rm",
        &["origin", &format!("{entry}:refs/rel/record")],
    )
    .success();
}

#[test]
fn the_server_refuses_a_hand_made_waiver_by_the_wrong_person() {
    let repo = scenario(CHECKLIST);
    let object = fixture(&repo, "git -C rm rev-parse refs/tags/v1.2.0");
    let commit = fixture(&repo, "git -C rm rev-parse 'v1.2.0^{commit}'");
    let waiver = |actor: &str, item: &str| {
        format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"v1.2.0","digest":{{"gitTag":"{object}","gitCommit":"{commit}"}}}}],"predicateType":"https://rel.dev/record/ready/v1","predicate":{{"event":"waive","actor":"{actor}","note":"ship it","item":"{item}"}}}}"#
        )
    };
    // alice holds no waivers role; rm tagged the release; "backout plan" is advisory.
    for (key, actor, item, rule) in [
        ("alice", "alice@example.com", "runbook", "record-role"),
        ("rm", "rm@example.com", "runbook", "record-role"),
        ("alice", "alice@example.com", "backout plan", "record-waive"),
    ] {
        let json = waiver(actor, item);
        let entry = fixture(
            &repo,
            &format!("raw_json rm {key} 'waive {item} for v1.2.0' '{json}'"),
        );
        let push = raw_push(
            &repo,
            "rm",
            &["origin", &format!("{entry}:refs/rel/record")],
        );
        rejected(&push, rule);
    }
    assert_eq!(server_record(&repo), None, "nothing landed");
}
