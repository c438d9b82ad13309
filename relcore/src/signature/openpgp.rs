//! OpenPGP signatures: checked by gpg in a throwaway home holding only the configured keys.

use std::path::PathBuf;

use super::{Anchors, Error, TagObject, run, tool_error};

pub(super) fn verify(
    parsed: &TagObject,
    signature: &[u8],
    anchors: &Anchors,
) -> Result<Result<String, String>, Error> {
    Ok(verify_with_uid(parsed, signature, anchors)?.map(|(fingerprint, _)| fingerprint))
}

/// [`verify`], with the e-mail of the signing key's user id as well (the signer's principal).
pub(super) fn verify_with_uid(
    parsed: &TagObject,
    signature: &[u8],
    anchors: &Anchors,
) -> Result<Result<(String, Option<String>), String>, Error> {
    let Some(folder) = &anchors.openpgp_keys else {
        return Ok(Err("signed with OpenPGP, but no OpenPGP trust anchors are configured (policy.openpgp_keys)".into()));
    };
    let keys: Vec<PathBuf> = match std::fs::read_dir(folder) {
        Ok(entries) => {
            // Regular files only: a symlink in the folder could point anywhere.
            let mut keys: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .collect();
            keys.sort();
            keys
        }
        Err(_) => {
            return Ok(Err(format!(
                "the OpenPGP keys folder {} cannot be read (policy.openpgp_keys)",
                folder.display()
            )));
        }
    };
    // A throwaway keyring with only the configured keys: the user's keyring and its trust never count.
    let home = tempfile::tempdir().map_err(tool_error("a temporary directory"))?;
    let env = [("GNUPGHOME", home.path())];
    for key in &keys {
        let key_s = key.to_string_lossy();
        let _ = run(
            "gpg",
            &["--batch", "--quiet", "--import", &key_s],
            b"",
            &env,
        )?;
    }
    let sig = home.path().join("signature.asc");
    let payload = home.path().join("payload");
    std::fs::write(&sig, signature).map_err(tool_error("a temporary file"))?;
    std::fs::write(&payload, &parsed.payload).map_err(tool_error("a temporary file"))?;
    let (sig_s, payload_s) = (sig.to_string_lossy(), payload.to_string_lossy());
    let (_, status, _) = run(
        "gpg",
        &[
            "--batch",
            "--status-fd",
            "1",
            "--verify",
            &sig_s,
            &payload_s,
        ],
        b"",
        &env,
    )?;
    let _ = run("gpgconf", &["--kill", "all"], b"", &env);
    Ok(openpgp_outcome(&status).map(|fingerprint| (fingerprint, uid_email(&status))))
}

/// The e-mail in the user id of a good signature's status line (`GOODSIG <keyid> Name <e-mail>`).
fn uid_email(status: &str) -> Option<String> {
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("[GNUPG:] GOODSIG "))?;
    let uid = line.split_once(' ')?.1;
    let start = uid.rfind('<')?;
    let end = uid[start..].find('>')? + start;
    Some(uid[start + 1..end].to_owned())
}

/// What gpg's status lines (`--status-fd`) say about one signature: the signer's fingerprint,
/// or why the signature is not accepted. Like `git verify-tag`, only a good signature by a key
/// that is neither expired nor revoked passes.
fn openpgp_outcome(status: &str) -> Result<String, String> {
    let mut fingerprint = None;
    let mut verdict = None;
    for line in status.lines() {
        let Some(rest) = line.strip_prefix("[GNUPG:] ") else {
            continue;
        };
        let (keyword, args) = rest.split_once(' ').unwrap_or((rest, ""));
        match keyword {
            "VALIDSIG" => fingerprint = args.split_whitespace().next().map(str::to_owned),
            "GOODSIG" | "EXPSIG" | "EXPKEYSIG" | "REVKEYSIG" | "BADSIG" | "ERRSIG" => {
                verdict.get_or_insert((keyword, args.split_whitespace().next().unwrap_or("")));
            }
            "NO_PUBKEY" => {
                verdict.get_or_insert(("ERRSIG", args.trim()));
            }
            _ => {}
        }
    }
    let key = |id: &str| fingerprint.clone().unwrap_or_else(|| id.to_owned());
    match verdict {
        Some(("GOODSIG", _)) if fingerprint.is_some() => Ok(key("")),
        Some(("EXPKEYSIG", id)) => Err(format!(
            "signed by an expired OpenPGP key ({}): the key's validity ended; renew it (gpg --quick-set-expire) and export it to policy.openpgp_keys again, or sign with a valid key",
            key(id)
        )),
        Some(("REVKEYSIG", id)) => Err(format!(
            "signed by a revoked OpenPGP key ({}): its owner withdrew it, so its signatures are no longer trusted",
            key(id)
        )),
        Some(("EXPSIG", id)) => Err(format!(
            "the OpenPGP signature by {} has expired (it was made with an expiry date that has passed)",
            key(id)
        )),
        Some(("ERRSIG", _)) => Err(
            "signed by an OpenPGP key that is not among the trusted keys (policy.openpgp_keys)".into(),
        ),
        _ => Err("the OpenPGP signature does not verify (the tag was changed after signing, or the signature belongs to other content)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpg_status_lines() {
        let fpr = "ABA877BABC76087E46368A44D3D59AF4E4031679";
        let status = |keyword: &str| {
            format!(
                "[GNUPG:] NEWSIG\n[GNUPG:] KEYEXPIRED 1577923200\n[GNUPG:] {keyword} D3D59AF4E4031679 Old <old@example.com>\n[GNUPG:] VALIDSIG {fpr} 2020-01-01 1577836800 0 4 0 22 10 00 {fpr}\n"
            )
        };
        assert_eq!(openpgp_outcome(&status("GOODSIG")), Ok(fpr.to_owned()));
        let reason = |keyword: &str| openpgp_outcome(&status(keyword)).expect_err("refused");
        assert!(
            reason("EXPKEYSIG").starts_with(&format!("signed by an expired OpenPGP key ({fpr})"))
        );
        assert!(
            reason("REVKEYSIG").starts_with(&format!("signed by a revoked OpenPGP key ({fpr})"))
        );
        assert!(reason("EXPSIG").contains("signature by"));
        assert!(
            openpgp_outcome("[GNUPG:] BADSIG D3D59AF4E4031679 Old\n")
                .expect_err("refused")
                .contains("changed after signing")
        );
        assert!(
            openpgp_outcome("[GNUPG:] ERRSIG D3D59AF4E4031679 22 10 00 1 9\n[GNUPG:] NO_PUBKEY D3D59AF4E4031679\n")
                .expect_err("refused")
                .contains("not among the trusted keys")
        );
        // A good signature line without the fingerprint line is not enough.
        assert!(openpgp_outcome("[GNUPG:] GOODSIG D3D59AF4E4031679 Old\n").is_err());
    }
}
