//! `rel.toml` as a whole: defaults, and faults named by file, line and key.

use super::*;
use crate::version::Bump;

#[track_caller]
fn err(text: &str) -> String {
    Config::from_toml(text, Path::new("rel.toml"))
        .expect_err("config should be rejected")
        .to_string()
}

#[test]
fn default_toml_is_the_default_config() {
    let parsed = Config::from_toml(DEFAULT_TOML, Path::new("default.toml")).expect("parses");
    assert_eq!(parsed, Config::default());
}

#[test]
fn empty_file_is_default() {
    assert_eq!(
        Config::from_toml("", Path::new("rel.toml")).expect("parses"),
        Config::default()
    );
}

#[test]
fn unknown_key_names_key_and_line() {
    assert_eq!(
        err("[version]\ninitial = \"1.0.0\"\ntag_prefx = \"v\"\n"),
        "rel.toml:3:1: unknown key `version.tag_prefx`, expected one of `tag_prefix`, `initial`, `zero_major_breaking`"
    );
    assert!(err("[releases]\nx = 1\n").starts_with("rel.toml:1:2: unknown key `releases`"));
    assert!(err("[release]\nx = 1\n").starts_with("rel.toml:2:1: unknown key `release.x`"));
}

#[test]
fn bad_values_name_key_and_line() {
    assert_eq!(
        err("[policy]\nprotected_branches = [\"main\", \"release/[\"]\n"),
        "rel.toml:2:22: `policy.protected_branches`: invalid glob `release/[`: error parsing glob 'release/[': unclosed character class; missing ']'"
    );
    assert!(err("[policy]\nbranch_names = [\"(feat\"]\n").starts_with(
        "rel.toml:2:16: `policy.branch_names`: invalid regex `(feat`: error: unclosed group"
    ));
    assert!(
        err("[version]\ninitial = \"1.0\"\n")
            .starts_with("rel.toml:2:11: `version.initial`: `1.0` is not a semantic version")
    );
    assert!(err("[version]\ninitial = \"1.0.0-rc.1\"\n").contains("must be a stable version"));
    assert!(
        err("[commits]\ntypes = { feat = \"huge\" }\n")
            .contains("unknown variant `huge`, expected one of `none`, `patch`, `minor`, `major`")
    );
    assert!(
        err("[commits]\nmax_header_length = \"long\"\n")
            .starts_with("rel.toml:2:21: `commits.max_header_length`: invalid type")
    );
    assert!(err("[version]\ntag_prefix = \"re lease\"\n").contains("git does not allow"));
    assert!(err("[commits]\ntypes = {}\n").contains("at least one type"));
}

#[test]
fn paths_stay_inside_the_root() {
    assert_eq!(
        err("[changelog]\npath = \"/home/x/.bashrc\"\n"),
        "rel.toml:2:8: `changelog.path`: \"/home/x/.bashrc\" is an absolute path: paths in rel.toml are relative to the work tree root ($GIT_DIR on a server) and must stay inside it"
    );
    assert!(
        err("[notes]\nknown_issues = \"a/../../b\"\n")
            .contains("`notes.known_issues`: \"a/../../b\" goes up with `..`")
    );
    assert!(
        err("[policy]\nopenpgp_keys = \".git/keys\"\n")
            .contains("`policy.openpgp_keys`: \".git/keys\" is inside git's own files (`.git`)")
    );
    let files = "[release]\ncommit_message = \"x\"\n[[release.files]]\npath = \"a\"\n[[release.files]]\npath = \"../b\"\n";
    assert!(err(files).starts_with("rel.toml:6:8: `release.files[1].path`: \"../b\" goes up"));
    assert!(
        err("[[release.files]]\npath = \"a\"\nkind = \"gem\"\n")
            .starts_with("rel.toml:3:8: `release.files[0].kind`")
    );
}

#[test]
fn keys_in_arrays_of_tables_are_named_by_index() {
    let files = "[changelog]\npath = \"C.md\"\n\n[[release.files]]\npath = \"a\"\n[[release.files]]\npath = \"b\"\n";
    assert_eq!(
        err(&format!("{files}kind = \"maven\"\n")),
        "rel.toml:8:8: `release.files[1].kind`: unknown variant `maven`, expected one of `cargo`, `npm`, `pyproject`"
    );
    assert_eq!(
        err(&format!("{files}pattern = '(?P<version>x*)'\n")),
        "rel.toml:8:11: `release.files[1].pattern`: pattern `(?P<version>x*)` can match an empty string, so the version would be inserted rather than replaced: make the `version` group match at least one character, e.g. (?P<version>[0-9][0-9A-Za-z.+-]*)"
    );
    assert!(
        err(&format!("{files}bogus = 1\n"))
            .starts_with("rel.toml:8:1: unknown key `release.files[1].bogus`, expected one of `path`, `kind`, `pattern`")
    );
    assert!(
        err("[policy]\nlint = \"all\"\n[[release.files]]\npattern = 'v=(\\S+)'\npath = \"x\"\n")
            .starts_with("rel.toml:4:11: `release.files[0].pattern`: pattern `v=(\\S+)` has no named group `version`")
    );
    // Inline tables and dotted keys are named the same way.
    let e = err("[release]\nfiles = [{ path = \"a\" }, { path = \"b\", kind = \"x\" }]\n");
    assert!(
        e.starts_with("rel.toml:2:47: `release.files[1].kind`: unknown variant `x`"),
        "{e}"
    );
    assert!(
        err("commits.max_header_length = \"x\"\n")
            .starts_with("rel.toml:1:29: `commits.max_header_length`: invalid type")
    );
}

#[test]
fn max_header_length_must_allow_a_header() {
    assert_eq!(
        err("[commits]\nmax_header_length = 0\n"),
        "rel.toml:2:21: `commits.max_header_length`: must be at least 1: the longest header lint accepts, in characters (default 100)"
    );
    let config = Config::from_toml("[commits]\nmax_header_length = 1\n", Path::new("rel.toml"))
        .expect("1 is accepted");
    assert_eq!(config.commits.max_header_length, 1);
}

#[test]
fn a_dangling_link_is_not_a_missing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let link = dir.path().join("rel.toml");
    std::os::unix::fs::symlink(dir.path().join("gone.toml"), &link).expect("symlink");
    let e = Config::load(&link).expect_err("refused");
    assert!(matches!(e, Error::DanglingLink { .. }), "{e:?}");
    std::fs::remove_file(&link).expect("remove the link");
    assert_eq!(Config::load(&link).expect("defaults"), Config::default());
    std::fs::create_dir(&link).expect("a directory");
    assert!(matches!(Config::load(&link), Err(Error::Read { .. })));
}

#[test]
fn invalid_toml_names_line() {
    assert!(err("[version\n").starts_with("rel.toml:1:"));
    assert!(err("[version]\ninitial = 0.1.0\n").starts_with("rel.toml:2:"));
}

#[test]
fn types_are_lowercased_and_matched_case_insensitively() {
    let c = Config::from_toml(
        "[commits]\ntypes = { Feat = \"minor\", HOTFIX = \"patch\" }\n",
        Path::new("rel.toml"),
    )
    .expect("parses");
    assert_eq!(c.commits.bump_for("FEAT"), Some(Bump::Minor));
    assert_eq!(c.commits.bump_for("hotfix"), Some(Bump::Patch));
    assert_eq!(c.commits.bump_for("fix"), None);
}
