//! `rel release --artifact`: a release built before tagging attests its artifacts in its own
//! signed tag message; promotion and `rel verify --artifact` check files against it.

use super::deploy::{fixture, promote, refused, rel, scenario};

#[test]
fn a_release_built_before_tagging_attests_its_artifacts_in_the_signed_tag() {
    let repo = scenario();
    let built = repo.path().join("artifacts/app-1.2.0.txt");
    std::fs::write(&built, "app 1.2.0\n").expect("write");
    let built = built.display().to_string();
    fixture(&repo, "cd rm && commit 'feat: third'");
    let cut = rel(
        &repo,
        "rm",
        &["release", "--sign", "--push", "--artifact", &built],
    );
    assert!(
        cut.stderr.contains("signed annotated tag v1.2.0"),
        "{cut:?}"
    );
    assert_eq!(cut.success(), "1.2.0\n");
    let tag = fixture(&repo, "git -C rm cat-file tag v1.2.0");
    assert!(
        tag.contains(r#""predicateType":"https://rel.dev/record/attest/v1""#),
        "{tag}"
    );
    // The tag's signature covers the line: no `rel attest` needed, and none accepted.
    let run = promote(&repo, "v1.2.0", "dev", &built);
    assert!(run.success().contains("v1.2.0 verified in dev"), "{run:?}");
    let again = rel(&repo, "rm", &["attest", "v1.2.0", &built]);
    refused(&again, "record-attest");
    assert!(
        again.stderr.contains("attested in its signed tag message"),
        "{again:?}"
    );
    let rebuilt = repo.path().join("rebuilt.txt");
    std::fs::write(&rebuilt, "app 1.2.0 \n").expect("write");
    let rebuilt = rebuilt.display().to_string();
    refused(
        &promote(&repo, "v1.2.0", "staging", &rebuilt),
        "record-artifact",
    );
    fixture(&repo, "git -C bob fetch -q --tags origin");
    assert!(
        rel(&repo, "bob", &["verify", "v1.2.0", "--artifact", &built])
            .success()
            .contains("matches artifact `app-1.2.0.txt` of v1.2.0")
    );
    let bad = rel(&repo, "bob", &["verify", "v1.2.0", "--artifact", &rebuilt]);
    assert_eq!(bad.code, 1, "{bad:?}");
}
