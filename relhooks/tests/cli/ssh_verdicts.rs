//! SSH signatures are checked in-process when the key is Ed25519 on a plain allowed-signers
//! line, by ssh-keygen otherwise. Either way `rel verify` must agree with `git verify-tag` on
//! hand-made tags that try to pass a bad signature off as a good one.

use std::process::Command;

use crate::{Repo, fixtures_dir};

/// Tags in a repository whose `allowed` file trusts alice (ed25519), erin (ecdsa) and, on a
/// line with options, olga (expired) and nina (only for namespace `file`). `sign` makes a tag
/// object from a payload, the key and namespace to sign with, and the payload to sign (to
/// transplant a signature onto other content).
fn tags() -> Repo {
    let keys = fixtures_dir().join("keys.sh");
    Repo::new(&format!(
        ". '{keys}'
ssh_key alice && ssh_key mallory && ssh_key olga && ssh_key nina
ssh-keygen -q -t ecdsa -b 256 -N '' -C erin -f \"$HOME/erin\" </dev/null >/dev/null
allow_ssh alice alice@example.com allowed
allow_ssh erin erin@example.com allowed
echo \"olga@example.com valid-before=\\\"20000101\\\" $(cat \"$HOME/olga.pub\")\" >>allowed
echo \"nina@example.com namespaces=\\\"file\\\" $(cat \"$HOME/nina.pub\")\" >>allowed
commit 'feat: one'
payload() {{
  printf 'object %s\\ntype commit\\ntag %s\\ntagger Rm <rm@example.com> 1700000000 +0000\\n\\n%s\\n' \\
    \"$(git rev-parse HEAD)\" \"$1\" \"$2\"
}}
# sign NAME KEY NAMESPACE [MESSAGE-SIGNED]: tag NAME with message `release NAME`, signed by
# KEY in NAMESPACE over the payload with MESSAGE-SIGNED (default: the tag's own).
sign() {{
  local signed=${{4:-release $1}}
  {{ payload \"$1\" \"release $1\"; payload \"$1\" \"$signed\" | ssh-keygen -Y sign -q -n \"$3\" -f \"$HOME/$2\"; }} |
    git hash-object -t tag -w --stdin | xargs git update-ref \"refs/tags/$1\"
}}
sign v1.0.1 alice git
sign v1.0.2 erin git
sign v1.0.3 mallory git
sign v1.0.4 alice file
sign v1.0.5 alice git 'release v9.9.9'
sign v1.0.6 olga git
sign v1.0.7 nina git
# A good signature, then the payload changed after signing.
sign v1.0.8 alice git
git cat-file tag v1.0.8 | sed 's/^release v1.0.8$/release v1.0.8, changed/' | git hash-object -t tag -w --stdin |
  xargs git update-ref refs/tags/v1.0.8
",
        keys = keys.display()
    ))
}

#[test]
fn rel_and_git_agree_on_every_ssh_signature() {
    let repo = tags();
    let allowed = repo.path().join("allowed");
    let git_allowed = format!("gpg.ssh.allowedSignersFile={}", allowed.display());
    // (tag, whether it verifies): signed by alice (ed25519, in-process), by erin (ecdsa,
    // ssh-keygen), by mallory (not trusted), by alice in namespace `file`, alice's signature
    // of other content, olga's key (expired on its line), nina's (namespace `file` on its
    // line), alice's good signature on a changed message.
    let cases = [
        ("v1.0.1", true),
        ("v1.0.2", true),
        ("v1.0.3", false),
        ("v1.0.4", false),
        ("v1.0.5", false),
        ("v1.0.6", false),
        ("v1.0.7", false),
        ("v1.0.8", false),
    ];
    for (tag, ok) in cases {
        let git = repo.run(
            Command::new("git")
                .args(["-c", &git_allowed, "verify-tag", tag])
                .current_dir(repo.path()),
            None,
        );
        assert_eq!(git.code == 0, ok, "git verify-tag {tag}: {git:?}");
        let rel = repo.rel(&["verify", "--allowed-signers", "allowed", tag]);
        assert_eq!(rel.code == 0, ok, "rel verify {tag}: {rel:?}");
        if ok {
            assert!(
                rel.stdout
                    .starts_with(&format!("{tag}: ok (ssh signature by "))
            );
        } else {
            assert!(
                rel.stdout
                    .starts_with(&format!("{tag}: FAILED [trusted]: ")),
                "{rel:?}"
            );
        }
    }
}
