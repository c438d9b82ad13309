//! Updating a changelog file in place: new sections go at the top (after a leading title and
//! intro), an existing Unreleased section is replaced, and every other byte is kept.

use std::ops::Range;

/// The title and intro of a changelog rel creates.
pub const DEFAULT_INTRO: &str = "# Changelog

All notable changes to this project are documented in this file. The format is based on
[Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and this project adheres to
[Semantic Versioning](https://semver.org/spec/v2.0.0.html).
";

/// The line ending a file uses; new text rel writes into it takes the same.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineEnding {
    /// `\n`.
    #[default]
    Lf,
    /// `\r\n`.
    CrLf,
}

impl LineEnding {
    /// CRLF when more of the lines of `text` end in CRLF than in a bare LF, else LF.
    pub fn of(text: &[u8]) -> Self {
        let (mut crlf, mut lf) = (0usize, 0usize);
        for (i, &b) in text.iter().enumerate() {
            if b == b'\n' {
                if i > 0 && text[i - 1] == b'\r' {
                    crlf += 1;
                } else {
                    lf += 1;
                }
            }
        }
        if crlf > lf { Self::CrLf } else { Self::Lf }
    }

    /// The bytes of one line ending.
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            Self::Lf => b"\n",
            Self::CrLf => b"\r\n",
        }
    }

    /// `text` with every line ending (`\n` or `\r\n`) written as this one.
    pub fn apply(self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + text.len() / 32);
        for line in text.split_inclusive('\n') {
            match line.strip_suffix('\n') {
                Some(body) => {
                    out.extend_from_slice(body.strip_suffix('\r').unwrap_or(body).as_bytes());
                    out.extend_from_slice(self.as_bytes());
                }
                None => out.extend_from_slice(line.as_bytes()),
            }
        }
        out
    }
}

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
    /// The line ending the file uses.
    pub line_ending: LineEnding,
}

/// A `## ` heading's release: `Some(None)` for Unreleased, `Some(Some(version))` for a version.
fn release_heading(line: &[u8]) -> Option<Option<String>> {
    let rest = line.strip_prefix(b"## ")?.trim_ascii_start();
    let name = match rest.strip_prefix(b"[") {
        Some(inner) => inner.split(|&b| b == b']').next()?,
        None => rest.split(u8::is_ascii_whitespace).next()?,
    };
    let name = std::str::from_utf8(name).ok()?;
    if name.eq_ignore_ascii_case("unreleased") {
        return Some(None);
    }
    let version = name.strip_prefix(['v', 'V']).unwrap_or(name);
    semver::Version::parse(version)
        .ok()
        .map(|_| Some(version.to_owned()))
}

/// Reads the layout of `text`: the changelog's bytes, which need not be UTF-8 (a hand-edited
/// file may hold Latin-1); the offsets are byte offsets.
pub fn layout(text: impl AsRef<[u8]>) -> Layout {
    let text = text.as_ref();
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive(|&b| b == b'\n') {
        let mut body = line;
        while let [rest @ .., b'\n' | b'\r'] = body {
            body = rest;
        }
        lines.push((offset, body));
        offset += line.len();
    }
    let mut layout = Layout {
        insert_at: 0,
        line_ending: LineEnding::of(text),
        ..Layout::default()
    };
    let mut first_release = None;
    let mut first_h2 = None;
    for (i, (start, line)) in lines.iter().enumerate() {
        if !line.starts_with(b"## ") {
            continue;
        }
        first_h2.get_or_insert(*start);
        match release_heading(line) {
            Some(None) => {
                first_release.get_or_insert(*start);
                if layout.unreleased.is_none() {
                    let end = lines[i + 1..]
                        .iter()
                        .find(|(_, l)| l.starts_with(b"## "))
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
        .find(|(_, l)| !l.trim_ascii().is_empty())
        .is_some_and(|(_, l)| l.starts_with(b"# "));
    layout.insert_at = match (first_release, titled) {
        (Some(at), _) => at,
        (None, true) => first_h2.unwrap_or(text.len()),
        (None, false) => 0,
    };
    layout
}

/// Puts `sections` (each a rendered section) into `existing`: at the insertion point, after
/// removing an existing Unreleased section when `replace_unreleased`. Every other byte is kept,
/// whatever its encoding; the new text takes the file's line ending ([`LineEnding::of`]).
pub fn insert_sections(existing: &[u8], sections: &[String], replace_unreleased: bool) -> Vec<u8> {
    let eol = LineEnding::of(existing);
    let mut text = existing.to_vec();
    if replace_unreleased && let Some(range) = layout(&text).unreleased {
        text.drain(range);
    }
    if sections.is_empty() {
        return text;
    }
    let at = layout(&text).insert_at;
    let (before, after) = text.split_at(at);
    let mut out =
        Vec::with_capacity(text.len() + sections.iter().map(String::len).sum::<usize>() + 8);
    out.extend_from_slice(before);
    out.extend_from_slice(&separator(before, eol));
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(eol.as_bytes());
        }
        out.extend_from_slice(&eol.apply(section.trim_end()));
        out.extend_from_slice(eol.as_bytes());
    }
    if !after.is_empty() {
        out.extend_from_slice(eol.as_bytes());
    }
    out.extend_from_slice(after);
    out
}

/// What goes after `before` so that a new section starts on a line of its own after a blank
/// line: nothing when `before` is empty or already ends so.
pub fn separator(before: &[u8], eol: LineEnding) -> Vec<u8> {
    let mut out = Vec::new();
    if before.is_empty() {
        return out;
    }
    if !before.ends_with(b"\n") {
        out.extend_from_slice(eol.as_bytes());
    }
    if !ends_with_blank_line(before) {
        out.extend_from_slice(eol.as_bytes());
    }
    out
}

/// Whether `text` ends with an empty line (`\n\n`, or `\r\n\r\n`).
fn ends_with_blank_line(text: &[u8]) -> bool {
    let Some(rest) = text.strip_suffix(b"\n") else {
        return false;
    };
    let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
    rest.is_empty() || rest.ends_with(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> String {
        text.to_owned()
    }

    /// [`insert_sections`] on text.
    fn insert(existing: &str, sections: &[String], replace: bool) -> String {
        String::from_utf8(insert_sections(existing.as_bytes(), sections, replace))
            .expect("UTF-8 in, UTF-8 out")
    }

    #[test]
    fn layouts() {
        assert_eq!(layout("").insert_at, 0);
        assert_eq!(layout("# Changelog\n\nIntro.\n").insert_at, 20);
        assert_eq!(layout("Just some notes.\n## Not a release\n").insert_at, 0);
        let t = "# Changelog\n\n## Guidelines\n\nx\n\n## v1.0.0\n";
        assert_eq!(&t[layout(t).insert_at..], "## v1.0.0\n");
        assert_eq!(layout(t).line_ending, LineEnding::Lf);
        assert_eq!(
            layout("# C\r\n\r\n## 1.0.0\r\n").line_ending,
            LineEnding::CrLf
        );
        assert_eq!(layout(t).versions, ["1.0.0"]);
    }

    #[test]
    fn inserts_keep_every_other_byte() {
        let existing = "# Changelog\r\n\r\nHand-written intro.  \r\n\r\n## [1.0.0] - 2026-01-01\r\n\r\n- edited by hand\r\n";
        let out = insert(existing, &[s("## [1.1.0] - 2026-02-01\n\n- new\n")], true);
        assert_eq!(
            out,
            "# Changelog\r\n\r\nHand-written intro.  \r\n\r\n## [1.1.0] - 2026-02-01\r\n\r\n- new\r\n\r\n## [1.0.0] - 2026-01-01\r\n\r\n- edited by hand\r\n"
        );
        // Bytes that are not UTF-8 stay as they are.
        let latin1 = b"# C\n\nCaf\xe9\n\n## [1.0.0] - d\n\n- \xff\n";
        let out = insert_sections(latin1, &[s("## [1.1.0] - e\n")], true);
        assert_eq!(
            out,
            b"# C\n\nCaf\xe9\n\n## [1.1.0] - e\n\n## [1.0.0] - d\n\n- \xff\n"
        );
    }

    #[test]
    fn no_structure_goes_on_top() {
        let out = insert(
            "random notes\nwithout headings",
            &[s("## [1.0.0] - d\n")],
            true,
        );
        assert_eq!(out, "## [1.0.0] - d\n\nrandom notes\nwithout headings");
    }

    #[test]
    fn title_without_newline_gets_separated() {
        let out = insert("# Changelog", &[s("## [Unreleased]\n\n- x\n")], true);
        assert_eq!(out, "# Changelog\n\n## [Unreleased]\n\n- x\n");
    }

    #[test]
    fn unreleased_is_replaced_not_duplicated() {
        let old = "# C\n\n## [Unreleased]\n\n- a\n\n## [1.0.0] - d\n";
        let once = insert(old, &[s("## [Unreleased]\n\n- b\n")], true);
        let twice = insert(&once, &[s("## [Unreleased]\n\n- b\n")], true);
        assert_eq!(once, twice);
        assert_eq!(once.matches("Unreleased").count(), 1);
        // Nothing unreleased any more: the stale section goes.
        assert_eq!(insert(old, &[], true), "# C\n\n## [1.0.0] - d\n");
    }
}

/// The examples of these items, now that they are not public.
#[cfg(test)]
mod examples {
    #[test]
    fn of_1() {
        use crate::changelog::file::LineEnding;
        assert_eq!(LineEnding::of(b"# C\r\n\r\n- x\n"), LineEnding::CrLf);
        assert_eq!(LineEnding::of(b"no line end"), LineEnding::Lf);
    }
    #[test]
    fn layout_2() {
        use crate::changelog::layout;
        let text =
            "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- x\n\n## [1.0.0] - 2026-01-01\n\n- y\n";
        let l = layout(text);
        assert_eq!(&text[l.insert_at..l.insert_at + 2], "##");
        assert_eq!(l.versions, ["1.0.0"]);
        assert_eq!(
            &text[l.unreleased.expect("the example holds")],
            "## [Unreleased]\n\n- x\n\n"
        );
    }
    #[test]
    fn insert_sections_3() {
        use crate::changelog::insert_sections;
        let old = "# Changelog\n\n## [Unreleased]\n\n- old\n\n## [1.0.0] - 2026-01-01\n\n- y\n";
        let new = insert_sections(
            old.as_bytes(),
            &["## [Unreleased]\n\n- new\n".to_owned()],
            true,
        );
        assert_eq!(
            new,
            b"# Changelog\n\n## [Unreleased]\n\n- new\n\n## [1.0.0] - 2026-01-01\n\n- y\n"
        );
    }
}
