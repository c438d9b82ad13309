//! Signed commits (the entries of the release record): the signature split off as git splits
//! it, verified against the trust anchors, and the signer's principal.

use super::{Anchors, At, Error, Format, TagObject};

/// Who signed a commit, when its signature verifies against the anchors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signer {
    /// The signature format.
    pub(crate) format: Format,
    /// The principal: the SSH allowed-signers name, or the OpenPGP user id's e-mail.
    pub(crate) principal: String,
}

/// Verifies the signature of the raw commit object `raw` (its `gpgsig` header, split off as git
/// does) against `anchors`, keys valid [`At`] the given moment (the committer's time for
/// [`At::Tagger`]): the signer, or why the commit is not trusted.
///
/// # Errors
/// When a verification tool cannot run.
pub(crate) fn verify_commit(
    raw: &[u8],
    anchors: &Anchors,
    at: At,
) -> Result<Result<Signer, String>, Error> {
    let (payload, signature, time) = split_commit(raw);
    let Some(signature) = signature else {
        return Ok(Err("not signed".into()));
    };
    let parsed = TagObject {
        name: String::new(),
        tagger_time: time,
        payload,
        signature: None,
    };
    let format = Format::of(&signature);
    let principal = match format {
        Format::Ssh => super::ssh::verify(&parsed, &signature, anchors, at)?,
        Format::Openpgp => match super::openpgp::verify_with_uid(&parsed, &signature, anchors)? {
            Ok((_, Some(email))) => Ok(email),
            Ok((fingerprint, None)) => Err(format!(
                "the OpenPGP key {fingerprint} has no user id with an e-mail to name its owner"
            )),
            Err(reason) => Err(reason),
        },
        Format::X509 => Err("x509 signatures cannot be checked against rel's trust anchors".into()),
    };
    Ok(principal.map(|principal| Signer { format, principal }))
}

/// A raw commit split as git splits it for verification: the payload (the object without its
/// `gpgsig` header), the signature, and the committer's time.
fn split_commit(raw: &[u8]) -> (Vec<u8>, Option<Vec<u8>>, Option<i64>) {
    let header_end = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(raw.len(), |i| i + 1);
    let (headers, body) = raw.split_at(header_end);
    let mut payload = Vec::with_capacity(raw.len());
    let mut signature: Option<Vec<u8>> = None;
    let mut in_signature = false;
    let mut time = None;
    for line in headers.split_inclusive(|&b| b == b'\n') {
        if in_signature && let Some(rest) = line.strip_prefix(b" ") {
            signature
                .get_or_insert_with(Vec::new)
                .extend_from_slice(rest);
            continue;
        }
        in_signature = false;
        if let Some(rest) = line.strip_prefix(b"gpgsig ") {
            if signature.is_none() {
                signature = Some(rest.to_vec());
                in_signature = true;
                continue;
            }
        } else if let Some(rest) = line.strip_prefix(b"committer ") {
            let text = String::from_utf8_lossy(rest);
            time = text
                .trim_end()
                .rsplit(' ')
                .nth(1)
                .and_then(|s| s.parse().ok());
        }
        payload.extend_from_slice(line);
    }
    payload.extend_from_slice(body);
    (payload, signature, time)
}
