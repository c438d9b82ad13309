//! Promotion through environments: the same artifact, deploy and smoke scripts run by rel, a
//! production gate, an automatic and a manual rollback, and hand-made entries the server
//! refuses. Environments are directories (`envs/<env>`), deploy and smoke are shell scripts.

use crate::{Repo, Run};

pub(crate) fn scenario() -> Repo {
    let repo = Repo::empty_dir();
    fixture(&repo, "deploy_scenario");
    repo.rel_in(&repo.path().join("server.git"), &["install", "--server"])
        .success();
    repo
}

pub(crate) use super::record::rel;

/// `rel promote TAG --to ENV --artifact FILE` by the release manager.
pub(crate) fn promote(repo: &Repo, tag: &str, env: &str, file: &str) -> Run {
    rel(
        repo,
        "rm",
        &["promote", tag, "--to", env, "--artifact", file],
    )
}

pub(crate) fn artifact(repo: &Repo, tag: &str) -> String {
    repo.path()
        .join(format!("artifacts/{tag}/app.txt"))
        .display()
        .to_string()
}

pub(crate) fn current(repo: &Repo, env: &str) -> String {
    std::fs::read_to_string(repo.path().join(format!("envs/{env}/current")))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[track_caller]
pub(crate) fn refused(run: &Run, rule: &str) {
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!("refused [{rule}]")),
        "expected {rule}: {run:?}"
    );
}

/// `script` in the fixture shell, the deploy helpers loaded: its output, trimmed.
pub(crate) fn fixture(repo: &Repo, script: &str) -> String {
    repo.fixture(&["keys.sh", "record.sh", "deploy.sh"], script)
}

/// A raw push of `entry` to the server's record from `who`'s clone.
pub(crate) fn raw_push(repo: &Repo, who: &str, entry: &str) -> Run {
    super::record::raw_push(repo, who, &["origin", &format!("{entry}:refs/rel/record")])
}

pub(crate) fn rev(repo: &Repo, who: &str, spec: &str) -> String {
    fixture(repo, &format!("git -C {who} rev-parse {spec}"))
}

/// An in-toto statement as rel writes it, made by hand.
pub(crate) fn statement(
    repo: &Repo,
    tag: &str,
    kind: &str,
    event: &str,
    env: &str,
    extra: &str,
) -> String {
    let object = rev(repo, "rm", &format!("refs/tags/{tag}"));
    let commit = rev(repo, "rm", &format!("{tag}^{{commit}}"));
    format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"{tag}","digest":{{"gitTag":"{object}","gitCommit":"{commit}"}}}}{extra}],"predicateType":"https://rel.dev/record/{kind}/v1","predicate":{{"event":"{event}",{env}"actor":"rm@example.com"}}}}"#
    )
}

#[test]
fn the_same_artifact_goes_dev_staging_production_and_a_failure_rolls_back() {
    let repo = scenario();
    let v100 = artifact(&repo, "v1.0.0");
    let attested = rel(&repo, "rm", &["attest", "v1.0.0", &v100]);
    assert!(
        attested
            .success()
            .contains("rm@example.com attested 1 artifact(s) of v1.0.0"),
        "{attested:?}"
    );
    // Not verified in staging yet.
    refused(
        &promote(&repo, "v1.0.0", "production", &v100),
        "record-after",
    );
    for env in ["dev", "staging"] {
        let run = promote(&repo, "v1.0.0", env, &v100);
        assert!(
            run.success().contains(&format!("v1.0.0 verified in {env}")),
            "{run:?}"
        );
        assert_eq!(current(&repo, env), "v1.0.0");
    }
    // Verified in staging, but not approved.
    let unapproved = promote(&repo, "v1.0.0", "production", &v100);
    refused(&unapproved, "record-approvals");
    assert!(
        unapproved
            .stderr
            .contains("still needs: tech-lead, product-owner"),
        "{unapproved:?}"
    );
    assert_eq!(current(&repo, "production"), "");
    rel(
        &repo,
        "alice",
        &["approve", "v1.0.0", "--for", "production"],
    )
    .success();
    rel(&repo, "bob", &["approve", "v1.0.0", "--for", "production"]).success();
    // One byte off the attested file: not the same artifact.
    let rebuilt = repo.path().join("rebuilt-app.txt");
    std::fs::write(&rebuilt, "app 1.0.1\n").expect("write");
    let run = promote(
        &repo,
        "v1.0.0",
        "production",
        &rebuilt.display().to_string(),
    );
    refused(&run, "record-artifact");
    assert!(
        run.stderr.contains("is not an attested artifact of v1.0.0"),
        "{run:?}"
    );
    let run = promote(&repo, "v1.0.0", "production", &v100);
    assert!(
        run.success().contains("v1.0.0 verified in production"),
        "{run:?}"
    );
    assert_eq!(current(&repo, "production"), "v1.0.0");
    // rel verify --artifact: the attested file, and a changed one.
    let ok = rel(&repo, "bob", &["verify", "v1.0.0", "--artifact", &v100]);
    assert!(
        ok.success()
            .contains("app.txt: matches artifact `app.txt` of v1.0.0"),
        "{ok:?}"
    );
    let bad = rel(
        &repo,
        "bob",
        &[
            "verify",
            "v1.0.0",
            "--artifact",
            &rebuilt.display().to_string(),
        ],
    );
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(
        bad.stdout
            .contains("matches no attested artifact of v1.0.0"),
        "{bad:?}"
    );
    // Status on a third clone: v1.0.0 runs everywhere.
    let status = rel(&repo, "alice", &["status"]);
    for env in ["dev", "staging", "production"] {
        assert!(
            status
                .success()
                .contains(&format!("{env}: v1.0.0 verified")),
            "{status:?}"
        );
    }

    // v1.1.0 passes dev and staging, fails production's smoke test: v1.0.0 comes back.
    let v110 = artifact(&repo, "v1.1.0");
    rel(&repo, "rm", &["attest", "v1.1.0", &v110]).success();
    for env in ["dev", "staging"] {
        promote(&repo, "v1.1.0", env, &v110).success();
    }
    rel(
        &repo,
        "alice",
        &["approve", "v1.1.0", "--for", "production"],
    )
    .success();
    rel(&repo, "bob", &["approve", "v1.1.0", "--for", "production"]).success();
    let failed = promote(&repo, "v1.1.0", "production", &v110);
    assert_eq!(failed.code, 1, "{failed:?}");
    assert!(
        failed
            .stdout
            .contains("v1.1.0 FAILED in production: smoke exited 3"),
        "{failed:?}"
    );
    assert!(
        failed
            .stdout
            .contains("rolled back: v1.0.0 runs in production again, verified"),
        "{failed:?}"
    );
    assert_eq!(current(&repo, "production"), "v1.0.0");
    let log = fixture(
        &repo,
        "git -C rm fetch -q origin refs/rel/record:refs/rel/record && git -C rm log --reverse --format=%s -5 refs/rel/record",
    );
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "approve v1.1.0 for production",
            "promote v1.1.0 in production",
            "failed v1.1.0 in production",
            "rollback v1.0.0 in production",
            "verified v1.0.0 in production",
        ]
    );
    // By hand: staging goes back from v1.1.0 to v1.0.0; production cannot go to v1.1.0,
    // which never verified there; a rollback needs a reason.
    let back = rel(
        &repo,
        "rm",
        &["rollback", "staging", "-m", "customer report"],
    );
    assert!(
        back.success().contains("v1.0.0 verified in staging"),
        "{back:?}"
    );
    assert_eq!(current(&repo, "staging"), "v1.0.0");
    refused(
        &rel(
            &repo,
            "rm",
            &[
                "rollback",
                "production",
                "--to",
                "v1.1.0",
                "-m",
                "try again",
            ],
        ),
        "record-rollback",
    );
    assert_eq!(rel(&repo, "rm", &["rollback", "production"]).code, 2);
    let audit = rel(&repo, "alice", &["audit"]);
    assert!(audit.success().contains(" 0 violations"), "{audit:?}");
}
