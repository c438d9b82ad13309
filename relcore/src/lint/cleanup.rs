//! What git records of a message edited in the editor: comments and the scissors cut away,
//! blank lines tidied, as `git commit --cleanup` does.

/// What git records of a message edited in the editor: comment lines (starting with
/// `comment`) removed, everything from the scissors line down removed, trailing whitespace on
/// lines and leading/trailing blank lines removed, runs of blank lines collapsed — as
/// `git commit --cleanup=strip` (or `scissors`) does.
///
/// ```
/// let raw = "feat: x\n\n\n# Please enter the commit message\nbody\n# ------------------------ >8 ------------------------\ndiff --git a/f b/f\n";
/// assert_eq!(relcore::lint::cleanup(raw, "#"), "feat: x\n\nbody\n");
/// ```
pub fn cleanup(raw: &str, comment: &str) -> String {
    let scissors = format!("{comment} {SCISSORS}");
    let kept = raw
        .split('\n')
        .map(str::trim_end)
        .take_while(|line| *line != scissors)
        .filter(|line| comment.is_empty() || !line.starts_with(comment));
    tidy(kept)
}

/// Joins `lines` with their trailing whitespace removed, without leading or trailing blank
/// lines and with runs of blank lines collapsed to one, ending in one newline (when not empty).
pub(crate) fn tidy<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut blank_run = false;
    for line in lines {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run = !out.is_empty();
            continue;
        }
        if blank_run {
            out.push('\n');
            blank_run = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The comment string to strip from `raw` given git's setting (see
/// [`Repo::comment_setting`](crate::Repo::comment_setting)): `#` by default, detected for `auto`.
pub fn comment_for(setting: Option<&str>, raw: &str) -> String {
    match setting {
        None | Some("") => "#".to_owned(),
        Some("auto") => detect_auto_comment(raw),
        Some(s) => s.to_owned(),
    }
}

/// The scissors line git writes for `git commit -v`, after the comment character and a space.
pub const SCISSORS: &str = "------------------------ >8 ------------------------";

/// The comment string git used in a message file when `core.commentChar = auto`: the first
/// character of the line git writes before its `Please enter the commit message` text or of
/// its scissors line; `#` when neither is there.
pub fn detect_auto_comment(raw: &str) -> String {
    raw.split('\n')
        .find_map(|line| {
            let mut chars = line.chars();
            let c = chars.next()?;
            let rest = chars.as_str();
            (rest.starts_with(" Please enter the commit message")
                || rest.trim_end() == format!(" {SCISSORS}"))
            .then(|| c.to_string())
        })
        .unwrap_or_else(|| "#".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleanup_like_git() {
        assert_eq!(
            cleanup("\n\nfeat: x  \n\n\n\nbody\n#c\n\n", "#"),
            "feat: x\n\nbody\n"
        );
        assert_eq!(
            cleanup("feat: x\n; comment\n# kept\n", ";"),
            "feat: x\n# kept\n"
        );
        assert_eq!(
            cleanup(
                "feat: x\n; ------------------------ >8 ------------------------\n; more\n",
                ";"
            ),
            "feat: x\n"
        );
        assert_eq!(
            detect_auto_comment("x\n; Please enter the commit message for your changes."),
            ";"
        );
        assert_eq!(detect_auto_comment("x\n"), "#");
    }
}
