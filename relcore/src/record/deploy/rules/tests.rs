//! The deployment rules, judged on states built by hand.

use super::*;
use crate::record::Statement;
use gix::ObjectId;

fn id(c: u8) -> ObjectId {
    ObjectId::from_hex(&[c; 40]).expect("hex")
}

fn statement(event: Event, env: &str) -> Statement {
    Statement::new(event, "v1.0.0", (id(b'a'), id(b'b')), env, "ci@example.com")
}

fn judge(state: &State, config: &Config, s: &Statement, time: i64) -> Option<Rule> {
    let facts = ReleaseFacts {
        tag_object: Some(id(b'a')),
        taggers: vec!["rm@example.com".into()],
        attested: None,
        files: Default::default(),
    };
    let candidate = Candidate {
        entry: None,
        statement: s,
        signer: "ci@example.com",
        time,
    };
    state
        .validate(config, &candidate, &facts, None)
        .err()
        .map(|v| v.rule)
}

#[test]
fn a_promotion_waits_for_the_verification_before_it_and_its_soak() {
    let config = Config::from_toml(
        "[environments.staging]\n[environments.production]\nafter = \"staging\"\nsoak = \"1h\"\n",
        "rel.toml".as_ref(),
    )
    .expect("config");
    let mut state = State::default();
    let to_production = statement(Event::Promote, "production");
    assert_eq!(
        judge(&state, &config, &to_production, 10_000),
        Some(Rule::After)
    );
    // Verified without a deployment awaiting it: no.
    let bare = statement(Event::Verified, "staging");
    let mut verified = bare.clone();
    verified.outcome = Some(crate::record::Outcome {
        step: "smoke".into(),
        exit_code: Some(0),
        timed_out: false,
        duration_ms: 5,
    });
    assert_eq!(judge(&state, &config, &verified, 1000), Some(Rule::Result));
    state.apply(id(b'1'), &statement(Event::Promote, "staging"), 1000);
    // A result says how the deployment ended: a step the metrics can tell apart.
    assert_eq!(judge(&state, &config, &bare, 1100), Some(Rule::Result));
    let mut odd = verified.clone();
    odd.outcome.as_mut().expect("set").step = "lunch".into();
    assert_eq!(judge(&state, &config, &odd, 1100), Some(Rule::Result));
    assert_eq!(judge(&state, &config, &verified, 1100), None);
    state.apply(id(b'2'), &verified, 1100);
    // A second result of the same deployment: no.
    assert_eq!(judge(&state, &config, &verified, 1200), Some(Rule::Result));
    assert_eq!(
        judge(&state, &config, &to_production, 1100 + 3599),
        Some(Rule::Soak)
    );
    assert_eq!(judge(&state, &config, &to_production, 1100 + 3600), None);
    // A rollback needs a reason and a release verified there, other than the one running.
    let mut back = statement(Event::Rollback, "staging");
    assert_eq!(judge(&state, &config, &back, 5000), Some(Rule::Rollback));
    back.note = Some("error rate".into());
    assert_eq!(judge(&state, &config, &back, 5000), Some(Rule::Rollback));
    assert_eq!(state.rollback_target("staging"), None);
    // v1.1.0 goes to staging: v1.0.0 is the rollback target, unless it is rejected there.
    let mut other = statement(Event::Promote, "staging");
    other.tag = "v1.1.0".into();
    state.apply(id(b'3'), &other, 6000);
    assert_eq!(
        state.rollback_target("staging").map(|d| d.tag.as_str()),
        Some("v1.0.0")
    );
    assert_eq!(judge(&state, &config, &back, 6100), None);
    let mut reject = statement(Event::Reject, "staging");
    reject.actor = "sre@example.com".into();
    state.apply(id(b'4'), &reject, 6200);
    assert_eq!(judge(&state, &config, &back, 6300), Some(Rule::Rollback));
}

#[test]
fn only_the_tagger_or_a_promoter_attests() {
    let config = Config::from_toml(
        "[roles]\nci = [\"ci@example.com\"]\n[environments.staging]\npromoters = [\"ci\"]\n",
        "rel.toml".as_ref(),
    )
    .expect("config");
    let mut attest = statement(Event::Attest, "");
    attest.artifacts = vec![super::super::super::Artifact::new("a", 1, "ab".repeat(32))];
    // ci holds a promoters role; the tagger may too; anyone else may not.
    assert_eq!(judge(&State::default(), &config, &attest, 100), None);
    attest.actor = "mallory@example.com".into();
    let facts = ReleaseFacts {
        tag_object: Some(id(b'a')),
        taggers: vec!["rm@example.com".into()],
        attested: None,
        files: Default::default(),
    };
    let as_mallory = Candidate {
        entry: None,
        statement: &attest,
        signer: "mallory@example.com",
        time: 100,
    };
    let refused = State::default()
        .validate(&config, &as_mallory, &facts, None)
        .expect_err("refused");
    assert_eq!(refused.rule, Rule::Role);
    assert!(
        refused
            .message
            .contains("for its tagger (rm@example.com) or a promoter (roles ci)")
    );
}
