//! Rendering lint diagnostics for people, in the rustc manner: the line, a caret under the
//! fault, the rule and a help line. Colour only on a terminal, and never with `NO_COLOR`.

use std::fmt::Write as _;
use std::io::IsTerminal;

use relcore::lint::Report;

/// ANSI styles, or nothing when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    on: bool,
}

impl Style {
    /// Colour when stderr is a terminal and `NO_COLOR` is unset or empty.
    pub fn for_stderr() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            on: !no_color && std::io::stderr().is_terminal(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn error(self, t: &str) -> String {
        self.paint("1;31", t)
    }
    fn bold(self, t: &str) -> String {
        self.paint("1", t)
    }
    fn gutter(self, t: &str) -> String {
        self.paint("1;34", t)
    }
    fn caret(self, t: &str) -> String {
        self.paint("1;31", t)
    }
    fn help(self, t: &str) -> String {
        self.paint("1;36", t)
    }
}

/// A line up to this many characters is shown whole.
const WHOLE: usize = 160;
/// At most this many characters of a longer line are shown before the fault.
const BEFORE: usize = 40;
/// At most this many characters of the fault are underlined.
const FAULT: usize = 60;
/// At most this many characters of the line are shown after the underline.
const AFTER: usize = 20;

/// The part of `text` shown for the fault at byte span `start..end`: the whole line up to
/// [`WHOLE`] characters, else at most [`BEFORE`] characters before the fault, [`FAULT`] of it
/// and [`AFTER`] after, with `…` where the line was cut, so that a 1 MB header gives a
/// diagnostic of a few lines, not megabytes. Returns the excerpt, the characters before the
/// caret, and the caret's width.
fn window(text: &str, start: usize, end: usize) -> (String, usize, usize) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let index = |byte: usize| chars.partition_point(|(i, _)| *i < byte);
    let (first, last) = (index(start), index(end));
    if chars.len() <= WHOLE {
        return (text.to_owned(), first, (last - first).max(1));
    }
    let from = first.saturating_sub(BEFORE);
    let underlined = (last - first).clamp(1, FAULT);
    let to = (first + underlined + AFTER).min(chars.len()).max(first);
    let mut excerpt: String = chars[from..to].iter().map(|(_, c)| c).collect();
    let mut lead = first - from;
    if from > 0 {
        excerpt.insert(0, '…');
        lead += 1;
    }
    if to < chars.len() {
        excerpt.push('…');
    }
    (excerpt, lead, underlined)
}

/// `text` cut to `max` characters, with `…` when longer.
fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}

/// Renders every diagnostic of `report`; `origin` names where the message came from.
pub fn report(report: &Report, origin: &str, style: Style) -> String {
    let mut out = String::new();
    let origin = clip(origin, 100);
    for d in &report.diagnostics {
        let line_no = (d.line + 1).to_string();
        let pad = " ".repeat(line_no.len());
        let line = report.line(d.line);
        let start = d.span.start.min(line.len());
        let end = d.span.end.clamp(start, line.len());
        let (text, lead, width) = window(line, start, end);
        let _ = writeln!(
            out,
            "{}{}",
            style.error(&format!("error[{}]", d.rule)),
            style.bold(&format!(": {}", clip(&d.message, 200)))
        );
        let _ = writeln!(out, "{pad}{} {origin}, line {line_no}", style.gutter("-->"));
        let _ = writeln!(out, "{pad} {}", style.gutter("|"));
        let _ = writeln!(out, "{} {text}", style.gutter(&format!("{line_no} |")));
        let _ = writeln!(
            out,
            "{pad} {} {}{}",
            style.gutter("|"),
            " ".repeat(lead),
            style.caret(&"^".repeat(width))
        );
        if let Some(help) = &d.help {
            let _ = writeln!(
                out,
                "{pad} {} {}",
                style.gutter("="),
                style.help(&format!("help: {}", clip(help, 500)))
            );
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn windows_keep_short_lines_whole_and_cut_long_ones() {
        assert_eq!(window("fxi: x", 0, 3), ("fxi: x".to_owned(), 0, 3));
        assert_eq!(window("feat: x", 7, 7), ("feat: x".to_owned(), 7, 1));
        let whole = format!("feat: {}", "x".repeat(150));
        assert_eq!(window(&whole, 100, 156), (whole.clone(), 100, 56));
        let long = format!("feat: {}", "é".repeat(1000));
        let start = long.char_indices().nth(100).map(|(i, _)| i).expect("long");
        let (text, lead, width) = window(&long, start, long.len());
        assert_eq!((lead, width), (41, 60));
        assert_eq!(text, format!("…{}…", "é".repeat(120)));
    }
}
