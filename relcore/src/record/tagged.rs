//! Artifacts attested in the release tag itself (`rel release --artifact`), for projects that
//! build before tagging: one line of the tag message, an in-toto statement whose subjects are
//! the artifacts (a tag cannot name its own object id), signed with the tag.

use serde::{Deserialize, Serialize};

use super::statement::{Subject, artifact_subject, subject_artifact};
use super::{ATTEST_TYPE, Artifact, Event, STATEMENT_TYPE};

/// The line a release tag's message carries its artifacts on, when the release attests them
/// in its own signed tag (`rel release --artifact`): an in-toto statement on one line whose
/// subjects are the artifacts.
pub(crate) fn tag_attestation(artifacts: &[Artifact]) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        #[serde(rename = "_type")]
        type_: &'a str,
        subject: Vec<Subject>,
        #[serde(rename = "predicateType")]
        predicate_type: &'a str,
        predicate: TagPredicate,
    }
    let line = Line {
        type_: STATEMENT_TYPE,
        subject: artifacts.iter().map(artifact_subject).collect(),
        predicate_type: ATTEST_TYPE,
        predicate: TagPredicate {
            event: Event::Attest,
        },
    };
    serde_json::to_string(&line).expect("a statement serializes")
}

/// The artifacts a release tag's message attests (see [`tag_attestation`]), if it has such a
/// line that reads as one.
pub(crate) fn parse_tag_attestation(message: &[u8]) -> Option<Vec<Artifact>> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Line {
        #[serde(rename = "_type")]
        type_: String,
        subject: Vec<Subject>,
        #[serde(rename = "predicateType")]
        predicate_type: String,
        predicate: TagPredicate,
    }
    let text = std::str::from_utf8(message).ok()?;
    let line = text
        .lines()
        .take_while(|l| !l.starts_with("-----BEGIN "))
        .find(|l| l.starts_with("{\"_type\":"))?;
    let line: Line = serde_json::from_str(line).ok()?;
    if line.type_ != STATEMENT_TYPE
        || line.predicate_type != ATTEST_TYPE
        || line.predicate.event != Event::Attest
        || line.subject.is_empty()
    {
        return None;
    }
    line.subject.iter().map(subject_artifact).collect()
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TagPredicate {
    event: Event,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_message_carries_its_artifacts_on_one_line() {
        let artifacts = vec![Artifact::new("app.tar.gz", 12, "ab".repeat(32))];
        let line = tag_attestation(&artifacts);
        assert!(
            line.starts_with("{\"_type\":\"https://in-toto.io/Statement/v1\""),
            "{line}"
        );
        let message =
            format!("v1.0.0\n\n### Fixes\n- a fix\n\n{line}\n-----BEGIN SSH SIGNATURE-----\n");
        assert_eq!(parse_tag_attestation(message.as_bytes()), Some(artifacts));
        assert_eq!(parse_tag_attestation(b"v1.0.0\n\nno artifacts\n"), None);
        // After the signature it is not part of what was signed.
        let late = format!("v1.0.0\n-----BEGIN SSH SIGNATURE-----\n{line}\n");
        assert_eq!(parse_tag_attestation(late.as_bytes()), None);
    }
}
