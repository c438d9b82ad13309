//! Updating a changelog file in place: new sections go at the top (after a leading title and
//! intro), an existing Unreleased section is replaced, and every other byte is kept.

use std::ops::Range;

/// The title and intro of a changelog rel creates.
pub const DEFAULT_INTRO: &str = "# Changelog

All notable changes to this project are documented in this file. The format is based on
[Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and this project adheres to
[Semantic Versioning](https://semver.org/spec/v2.0.0.html).
";

/// What rel recognises in an existing changelog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Layout {
    /// Where new sections go: the first release heading, else the end of a leading `# ` title
    /// block, else the top of the file.
    pub insert_at: usize,
    /// The existing `## [Unreleased]` section, from its heading to the next `## ` heading.
    pub unreleased: Option<Range<usize>>,
    /// The versions of the release headings present, as written (`1.2.0`, without `v`).
    pub versions: Vec<String>,
    /// Where the first release heading (a version or Unreleased) starts, if there is one.
    pub first_release: Option<usize>,
}

/// A `## ` heading's release: `Some(None)` for Unreleased, `Some(Some(version))` for a version.
fn release_heading(line: &str) -> Option<Option<String>> {
    let rest = line.strip_prefix("## ")?.trim_start();
    let name = match rest.strip_prefix('[') {
        Some(inner) => inner.split(']').next()?,
        None => rest.split_whitespace().next()?,
    };
    if name.eq_ignore_ascii_case("unreleased") {
        return Some(None);
    }
    let version = name.strip_prefix(['v', 'V']).unwrap_or(name);
    semver::Version::parse(version)
        .ok()
        .map(|_| Some(version.to_owned()))
}

/// Reads the layout of `text`.
///
/// ```
/// use relcore::changelog::layout;
/// let text = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- x\n\n## [1.0.0] - 2026-01-01\n\n- y\n";
/// let l = layout(text);
/// assert_eq!(&text[l.insert_at..l.insert_at + 2], "##");
/// assert_eq!(l.versions, ["1.0.0"]);
/// assert_eq!(&text[l.unreleased.unwrap()], "## [Unreleased]\n\n- x\n\n");
/// ```
pub fn layout(text: &str) -> Layout {
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        lines.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    let mut layout = Layout {
        insert_at: 0,
        ..Layout::default()
    };
    let mut first_release = None;
    let mut first_h2 = None;
    for (i, (start, line)) in lines.iter().enumerate() {
        if !line.starts_with("## ") {
            continue;
        }
        first_h2.get_or_insert(*start);
        match release_heading(line) {
            Some(None) => {
                first_release.get_or_insert(*start);
                if layout.unreleased.is_none() {
                    let end = lines[i + 1..]
                        .iter()
                        .find(|(_, l)| l.starts_with("## "))
                        .map_or(text.len(), |(s, _)| *s);
                    layout.unreleased = Some(*start..end);
                }
            }
            Some(Some(version)) => {
                first_release.get_or_insert(*start);
                layout.versions.push(version);
            }
            None => {}
        }
    }
    layout.first_release = first_release;
    let titled = lines
        .iter()
        .find(|(_, l)| !l.trim().is_empty())
        .is_some_and(|(_, l)| l.starts_with("# "));
    layout.insert_at = match (first_release, titled) {
        (Some(at), _) => at,
        (None, true) => first_h2.unwrap_or(text.len()),
        (None, false) => 0,
    };
    layout
}

/// Puts `sections` (each a rendered section) into `existing`: at the insertion point, after
/// removing an existing Unreleased section when `replace_unreleased`. Every other byte is kept.
///
/// ```
/// use relcore::changelog::insert_sections;
/// let old = "# Changelog\n\n## [Unreleased]\n\n- old\n\n## [1.0.0] - 2026-01-01\n\n- y\n";
/// let new = insert_sections(old, &["## [Unreleased]\n\n- new\n".to_owned()], true);
/// assert_eq!(new, "# Changelog\n\n## [Unreleased]\n\n- new\n\n## [1.0.0] - 2026-01-01\n\n- y\n");
/// ```
pub fn insert_sections(existing: &str, sections: &[String], replace_unreleased: bool) -> String {
    let mut text = existing.to_owned();
    if replace_unreleased && let Some(range) = layout(&text).unreleased {
        text.replace_range(range, "");
    }
    if sections.is_empty() {
        return text;
    }
    let at = layout(&text).insert_at;
    let (before, after) = text.split_at(at);
    let mut out =
        String::with_capacity(text.len() + sections.iter().map(String::len).sum::<usize>() + 4);
    out.push_str(before);
    if !before.is_empty() {
        if !before.ends_with('\n') {
            out.push('\n');
        }
        if !ends_with_blank_line(before) {
            out.push('\n');
        }
    }
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(section.trim_end());
        out.push('\n');
    }
    if !after.is_empty() {
        out.push('\n');
    }
    out.push_str(after);
    out
}

/// Whether `text` ends with an empty line (`\n\n`, or `\r\n\r\n`).
fn ends_with_blank_line(text: &str) -> bool {
    let Some(rest) = text.strip_suffix('\n') else {
        return false;
    };
    let rest = rest.strip_suffix('\r').unwrap_or(rest);
    rest.is_empty() || rest.ends_with('\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> String {
        text.to_owned()
    }

    #[test]
    fn layouts() {
        assert_eq!(layout("").insert_at, 0);
        assert_eq!(layout("# Changelog\n\nIntro.\n").insert_at, 20);
        assert_eq!(layout("Just some notes.\n## Not a release\n").insert_at, 0);
        let t = "# Changelog\n\n## Guidelines\n\nx\n\n## v1.0.0\n";
        assert_eq!(&t[layout(t).insert_at..], "## v1.0.0\n");
        assert_eq!(layout(t).versions, ["1.0.0"]);
    }

    #[test]
    fn inserts_keep_every_other_byte() {
        let existing = "# Changelog\r\n\r\nHand-written intro.  \r\n\r\n## [1.0.0] - 2026-01-01\r\n\r\n- edited by hand\r\n";
        let out = insert_sections(existing, &[s("## [1.1.0] - 2026-02-01\n\n- new\n")], true);
        assert_eq!(
            out,
            "# Changelog\r\n\r\nHand-written intro.  \r\n\r\n## [1.1.0] - 2026-02-01\n\n- new\n\n## [1.0.0] - 2026-01-01\r\n\r\n- edited by hand\r\n"
        );
    }

    #[test]
    fn no_structure_goes_on_top() {
        let out = insert_sections(
            "random notes\nwithout headings",
            &[s("## [1.0.0] - d\n")],
            true,
        );
        assert_eq!(out, "## [1.0.0] - d\n\nrandom notes\nwithout headings");
    }

    #[test]
    fn title_without_newline_gets_separated() {
        let out = insert_sections("# Changelog", &[s("## [Unreleased]\n\n- x\n")], true);
        assert_eq!(out, "# Changelog\n\n## [Unreleased]\n\n- x\n");
    }

    #[test]
    fn unreleased_is_replaced_not_duplicated() {
        let old = "# C\n\n## [Unreleased]\n\n- a\n\n## [1.0.0] - d\n";
        let once = insert_sections(old, &[s("## [Unreleased]\n\n- b\n")], true);
        let twice = insert_sections(&once, &[s("## [Unreleased]\n\n- b\n")], true);
        assert_eq!(once, twice);
        assert_eq!(once.matches("Unreleased").count(), 1);
        // Nothing unreleased any more: the stale section goes.
        assert_eq!(insert_sections(old, &[], true), "# C\n\n## [1.0.0] - d\n");
    }
}
