//! The parts of a raw tag object that verification needs: its name, tagger time, the signed
//! payload and the signature, split where git splits them.

/// The parts of a tag object that verification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TagObject {
    /// The `tag` header: the name the tag was made with.
    pub name: String,
    /// The tagger's time, seconds since the epoch.
    pub tagger_time: Option<i64>,
    /// The signed bytes: everything before the signature.
    pub payload: Vec<u8>,
    /// The ASCII-armoured signature, if any.
    pub signature: Option<Vec<u8>>,
}

/// Splits a raw tag object into its name, tagger time, payload and signature.
pub fn parse_tag_object(raw: &[u8]) -> TagObject {
    let header_end = find(raw, b"\n\n").map_or(raw.len(), |i| i + 1);
    let mut name = String::new();
    let mut tagger_time = None;
    for line in raw[..header_end].split(|&b| b == b'\n') {
        if let Some(n) = line.strip_prefix(b"tag ") {
            name = String::from_utf8_lossy(n).into_owned();
        } else if let Some(t) = line.strip_prefix(b"tagger ") {
            let text = String::from_utf8_lossy(t);
            tagger_time = text.rsplit(' ').nth(1).and_then(|s| s.parse::<i64>().ok());
        }
    }
    // The signature starts where git's does (`parse_signed_buffer`): at the LAST line that begins
    // with one of git's own signature headers. A quoted certificate or an earlier block in the
    // message is payload; a block appended twice leaves the first one in the payload.
    let mut at = 0;
    let mut signature_start = None;
    while at < raw.len() {
        if SIGNATURE_HEADERS.iter().any(|h| raw[at..].starts_with(h)) {
            signature_start = Some(at);
        }
        at = match find(&raw[at..], b"\n") {
            Some(i) => at + i + 1,
            None => raw.len(),
        };
    }
    match signature_start {
        Some(start) => TagObject {
            name,
            tagger_time,
            payload: raw[..start].to_vec(),
            signature: Some(raw[start..].to_vec()),
        },
        None => TagObject {
            name,
            tagger_time,
            payload: raw.to_vec(),
            signature: None,
        },
    }
}

/// The lines git recognises as the start of a signature (gpg-interface.c), by format.
pub(super) const SIGNATURE_HEADERS: [&[u8]; 4] = [
    b"-----BEGIN PGP SIGNATURE-----",
    b"-----BEGIN PGP MESSAGE-----",
    b"-----BEGIN SIGNED MESSAGE-----",
    b"-----BEGIN SSH SIGNATURE-----",
];

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The examples of these items, now that they are not public.
#[cfg(test)]
mod examples {
    #[test]
    fn parse_tag_object_1() {
        let raw = b"object 0123\ntype commit\ntag v1.0.0\ntagger A <a@x> 1700000000 +0000\n\nmsg\n-----BEGIN SSH SIGNATURE-----\nabc\n-----END SSH SIGNATURE-----\n";
        let tag = crate::signature::parse_tag_object(raw);
        assert_eq!(tag.name, "v1.0.0");
        assert_eq!(tag.tagger_time, Some(1700000000));
        assert!(tag.payload.ends_with(b"msg\n"));
        assert!(
            tag.signature
                .expect("the example holds")
                .starts_with(b"-----BEGIN SSH SIGNATURE-----")
        );
    }
}
