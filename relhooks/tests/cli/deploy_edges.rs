//! Promotion at its edges: a deploy past its timeout, a promotion before its soak time, and a
//! production rolled back by hand when rollback is not automatic.

use super::deploy::{
    artifact, current, fixture, promote, raw_push, refused, rel, scenario, statement,
};

#[test]
fn a_deploy_that_runs_out_of_time_is_killed_and_failed() {
    let repo = scenario();
    // dev's deploy hangs (and starts a child that would outlive it); its timeout is 1s.
    fixture(
        &repo,
        "sed -i '0,/^deploy = .*/s//deploy = \"sleep 30 \\& sleep 30\"\\ntimeout = \"1s\"/' rm/rel.toml",
    );
    let started = std::time::Instant::now();
    let run = rel(&repo, "rm", &["promote", "v1.0.0", "--to", "dev"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("v1.0.0 FAILED in dev: deploy timed out"),
        "{run:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let status = rel(&repo, "rm", &["status", "v1.0.0"]);
    assert!(
        status.success().contains("dev: promote FAILED"),
        "{status:?}"
    );
}

#[test]
fn a_promotion_before_the_soak_time_is_refused_by_the_client_and_the_server() {
    let repo = scenario();
    // staging soaks a minute after dev's verification, on both sides.
    fixture(
        &repo,
        "for f in rm/rel.toml server.git/rel.toml; do sed -i 's/^after = \"dev\"$/after = \"dev\"\\nsoak = \"1m\"/' $f; done",
    );
    let v110 = artifact(&repo, "v1.1.0");
    rel(&repo, "rm", &["attest", "v1.1.0", &v110]).success();
    promote(&repo, "v1.1.0", "dev", &v110).success();
    let early = promote(&repo, "v1.1.0", "staging", &v110);
    refused(&early, "record-soak");
    assert!(early.stderr.contains("soak of 1m ends at"), "{early:?}");
    let json = statement(
        &repo,
        "v1.1.0",
        "deploy",
        "promote",
        r#""environment":"staging","#,
        "",
    );
    let entry = fixture(
        &repo,
        &format!("raw_json rm rm 'promote v1.1.0 in staging' '{json}'"),
    );
    let run = raw_push(&repo, "rm", &entry);
    assert!(run.stderr.contains("[record-soak]"), "{run:?}");
}

#[test]
fn without_automatic_rollback_production_is_rolled_back_by_hand() {
    let repo = scenario();
    fixture(&repo, "sed -i '/^rollback = \"auto\"$/d' rm/rel.toml");
    for tag in ["v1.0.0", "v1.1.0"] {
        let file = artifact(&repo, tag);
        rel(&repo, "rm", &["attest", tag, &file]).success();
        for env in ["dev", "staging"] {
            promote(&repo, tag, env, &file).success();
        }
        rel(&repo, "alice", &["approve", tag, "--for", "production"]).success();
        rel(&repo, "bob", &["approve", tag, "--for", "production"]).success();
        let run = promote(&repo, tag, "production", &file);
        assert_eq!(run.code, i32::from(tag == "v1.1.0"), "{run:?}");
    }
    // v1.1.0 failed its smoke test and stays, broken, until someone rolls back.
    assert_eq!(current(&repo, "production"), "v1.1.0");
    let status = rel(&repo, "alice", &["status"]);
    assert!(
        status.success().contains("production: v1.1.0 FAILED"),
        "{status:?}"
    );
    let back = rel(
        &repo,
        "rm",
        &["rollback", "production", "-m", "smoke test failed"],
    );
    assert!(
        back.success().contains("v1.0.0 verified in production"),
        "{back:?}"
    );
    assert_eq!(current(&repo, "production"), "v1.0.0");
    let log = fixture(
        &repo,
        "git -C rm log --reverse --format=%s -4 refs/rel/record",
    );
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "promote v1.1.0 in production",
            "failed v1.1.0 in production",
            "rollback v1.0.0 in production",
            "verified v1.0.0 in production",
        ]
    );
}
