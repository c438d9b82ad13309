//! Hand-made deployment entries pushed raw: the server's hook refuses each, naming the rule.

use super::deploy::{artifact, fixture, promote, raw_push, rel, rev, scenario, statement};

#[test]
fn the_server_refuses_hand_made_deployment_entries() {
    let repo = scenario();
    let v100 = artifact(&repo, "v1.0.0");
    rel(&repo, "rm", &["attest", "v1.0.0", &v100]).success();
    for env in ["dev", "staging"] {
        promote(&repo, "v1.0.0", env, &v100).success();
    }
    let sha = fixture(&repo, &format!("sha256sum '{v100}' | cut -d' ' -f1"));
    let artifacts = format!(
        r#",{{"name":"app.txt","digest":{{"sha256":"{sha}"}},"annotations":{{"size":10}}}}"#
    );
    let other = format!(
        r#",{{"name":"app.txt","digest":{{"sha256":"{}"}},"annotations":{{"size":10}}}}"#,
        "0".repeat(64)
    );
    let cases = [
        (
            "promote v1.0.0 in production",
            statement(
                &repo,
                "v1.0.0",
                "deploy",
                "promote",
                r#""environment":"production","#,
                &artifacts,
            ),
            "record-approvals",
        ),
        (
            "verified v1.1.0 in staging",
            statement(
                &repo,
                "v1.1.0",
                "deploy",
                "verified",
                r#""environment":"staging","#,
                "",
            ),
            "record-result",
        ),
        (
            "attest v1.0.0",
            statement(&repo, "v1.0.0", "attest", "attest", "", &other),
            "record-attest",
        ),
        (
            "rollback v1.1.0 in staging",
            statement(
                &repo,
                "v1.1.0",
                "deploy",
                "rollback",
                r#""environment":"staging","note":"x","#,
                "",
            ),
            "record-rollback",
        ),
        (
            // v1.0.0 is attested: a promotion deploys an attested file, never another one...
            "promote v1.0.0 in staging",
            statement(
                &repo,
                "v1.0.0",
                "deploy",
                "promote",
                r#""environment":"staging","#,
                &other,
            ),
            "record-artifact",
        ),
        (
            // ...and never none.
            "promote v1.0.0 in staging",
            statement(
                &repo,
                "v1.0.0",
                "deploy",
                "promote",
                r#""environment":"staging","#,
                "",
            ),
            "record-artifact",
        ),
        (
            "promote v1.1.0 in staging",
            statement(
                &repo,
                "v1.1.0",
                "deploy",
                "promote",
                r#""environment":"staging","#,
                "",
            ),
            "record-after",
        ),
    ];
    let before = rev(&repo, "server.git", "refs/rel/record");
    // A valid attestation of v1.1.0, but its entry carries the project's files.
    let with_files = statement(&repo, "v1.1.0", "attest", "attest", "", &artifacts);
    let entry = fixture(
        &repo,
        &format!(
            "RAW_TREE=$(git -C rm rev-parse 'HEAD^{{tree}}') raw_json rm rm 'attest v1.1.0' '{with_files}'"
        ),
    );
    let run = raw_push(&repo, "rm", &entry);
    assert!(run.stderr.contains("[record-entry]"), "{run:?}");
    assert!(run.stderr.contains("not the empty tree"), "{run:?}");
    for (summary, json, rule) in cases {
        let entry = fixture(&repo, &format!("raw_json rm rm '{summary}' '{json}'"));
        let run = raw_push(&repo, "rm", &entry);
        assert_ne!(run.code, 0, "{summary}: {run:?}");
        assert!(
            run.stderr.contains(&format!("[{rule}]")),
            "{summary}: expected {rule}: {run:?}"
        );
        assert_eq!(rev(&repo, "server.git", "refs/rel/record"), before);
    }
    // Alice is trusted, but neither v1.1.0's tagger nor a promoter: attesting first would let
    // her decide what every promotion of v1.1.0 must deploy.
    let hers = statement(&repo, "v1.1.0", "attest", "attest", "", &artifacts)
        .replace("rm@example.com", "alice@example.com");
    let entry = fixture(
        &repo,
        &format!("raw_json alice alice 'attest v1.1.0' '{hers}'"),
    );
    let run = raw_push(&repo, "alice", &entry);
    assert!(run.stderr.contains("[record-role]"), "{run:?}");
    assert!(run.stderr.contains("may not attest v1.1.0"), "{run:?}");
    assert_eq!(rev(&repo, "server.git", "refs/rel/record"), before);
}
