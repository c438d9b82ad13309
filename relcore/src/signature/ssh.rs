//! SSH signatures: checked with `ssh-keygen -Y verify` against the allowed-signers file, in
//! namespace `git`, as git does.

use std::path::Path;

use super::{Anchors, At, Error, TagObject, run, tool_error};

pub(super) fn verify(
    parsed: &TagObject,
    signature: &[u8],
    anchors: &Anchors,
    at: At,
) -> Result<Result<String, String>, Error> {
    let Some(allowed) = &anchors.allowed_signers else {
        return Ok(Err(
            "signed with SSH, but no SSH trust anchors are configured (policy.allowed_signers)"
                .into(),
        ));
    };
    if !allowed.is_file() {
        return Ok(Err(format!(
            "the allowed-signers file {} does not exist (policy.allowed_signers)",
            allowed.display()
        )));
    }
    // Who signed: read from the signature's key and the allowed-signers file when that is
    // plain; otherwise (wildcards, certificate authorities, options) ask ssh-keygen as git does.
    let lookup = principal_of(signature, allowed);
    if let Lookup::Found(principal) = &lookup
        && verifies_in_process(signature, &parsed.payload)
    {
        return Ok(Ok(principal.clone()));
    }
    let dir = tempfile::tempdir().map_err(tool_error("a temporary directory"))?;
    let sig = dir.path().join("signature");
    std::fs::write(&sig, signature).map_err(tool_error("a temporary file"))?;
    let (allowed_s, sig_s) = (allowed.to_string_lossy(), sig.to_string_lossy());
    // Without -Overify-time, ssh-keygen judges the key's validity now.
    let mut time_arg = String::new();
    if let (At::Tagger, Some(t)) = (at, parsed.tagger_time) {
        let time = gix::date::Time::new(t, 0);
        time_arg = format!(
            "-Overify-time={}",
            time.format_or_unix(gix::date::time::CustomFormat::new("%Y%m%d%H%M%S"))
        );
    }
    let principal = match lookup {
        Lookup::Found(p) => p,
        Lookup::Absent => {
            return Ok(Err(
                "signed by an SSH key that is not in the allowed signers (policy.allowed_signers)"
                    .into(),
            ));
        }
        Lookup::AskSshKeygen => {
            let mut find_args = vec!["-Y", "find-principals", "-f", &allowed_s, "-s", &sig_s];
            if !time_arg.is_empty() {
                find_args.push(&time_arg);
            }
            let (found, principals, _) = run("ssh-keygen", &find_args, b"", &[])?;
            match principals.lines().next().filter(|_| found) {
                Some(p) => p.to_owned(),
                None => {
                    return Ok(Err(
                        "signed by an SSH key that is not in the allowed signers (policy.allowed_signers)".into(),
                    ));
                }
            }
        }
    };
    let mut verify_args = vec![
        "-Y", "verify", "-f", &allowed_s, "-I", &principal, "-n", "git", "-s", &sig_s,
    ];
    if !time_arg.is_empty() {
        verify_args.push(&time_arg);
    }
    let (ok, _, stderr) = run("ssh-keygen", &verify_args, &parsed.payload, &[])?;
    if ok {
        Ok(Ok(principal))
    } else {
        Ok(Err(format!(
            "the SSH signature does not verify: {}",
            stderr.trim()
        )))
    }
}

/// Whether `armored` is a valid Ed25519 SSHSIG over `payload` in namespace `git`, checked in
/// this process (ssh-keygen costs a process per signature: ~3 ms, 10,000 of them in an audit).
///
/// Only a fast path to acceptance, taken once [`principal_of`] found the signature's key on a
/// plain allowed-signers line (no options, so no validity window, namespace list or certificate
/// authority for ssh-keygen to apply): anything else, and every failure, goes to ssh-keygen,
/// which stays the authority on what is refused and why.
fn verifies_in_process(armored: &[u8], payload: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(armored) else {
        return false;
    };
    let Ok(sig) = ssh_key::SshSig::from_pem(text.trim_end()) else {
        return false;
    };
    if sig.algorithm() != ssh_key::Algorithm::Ed25519 {
        return false;
    }
    ssh_key::PublicKey::from(sig.public_key().clone())
        .verify("git", payload, &sig)
        .is_ok()
}

enum Lookup {
    Found(String),
    Absent,
    AskSshKeygen,
}

/// The principal of the allowed-signers line whose key signed `armored`, when the file is plain
/// enough to tell without ssh-keygen (no options, wildcards or certificate authorities).
fn principal_of(armored: &[u8], allowed: &Path) -> Lookup {
    let Some(key) = sshsig_public_key(armored) else {
        return Lookup::AskSshKeygen;
    };
    let Ok(text) = std::fs::read_to_string(allowed) else {
        return Lookup::AskSshKeygen;
    };
    let mut plain = true;
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // principals keytype base64 [comment]: anything else (options) is ssh-keygen's to read.
        let [principals, keytype, blob, ..] = fields[..] else {
            plain = false;
            continue;
        };
        let is_keytype = keytype.starts_with("ssh-")
            || keytype.starts_with("ecdsa-")
            || keytype.starts_with("sk-");
        if !is_keytype || principals.contains(['*', '?', '!']) {
            plain = false;
            continue;
        }
        if base64_decode(blob).as_deref() == Some(key.as_slice()) {
            let first = principals.split(',').next().unwrap_or(principals);
            return Lookup::Found(first.to_owned());
        }
    }
    if plain {
        Lookup::Absent
    } else {
        Lookup::AskSshKeygen
    }
}

/// The public key blob inside an armoured SSHSIG (`-----BEGIN SSH SIGNATURE-----`).
fn sshsig_public_key(armored: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(armored).ok()?;
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let blob = base64_decode(&body)?;
    let rest = blob.strip_prefix(b"SSHSIG")?;
    let rest = rest.get(4..)?; // version
    let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    rest.get(4..4 + len).map(<[u8]>::to_vec)
}

/// Standard base64 with padding.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bytes: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for quad in bytes.chunks(4) {
        let pad = quad.iter().rev().take_while(|&&b| b == b'=').count();
        let mut n = 0u32;
        for (i, &b) in quad.iter().enumerate() {
            let v = if i >= 4 - pad {
                0
            } else {
                u32::from(value(b)?)
            };
            n = (n << 6) | v;
        }
        let chunk = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&chunk[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_decode("aGVsbG8h").as_deref(), Some(&b"hello!"[..]));
        assert_eq!(base64_decode("aGVsbA==").as_deref(), Some(&b"hell"[..]));
        assert_eq!(base64_decode("a?=="), None);
    }
}
