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

/// Renders every diagnostic of `report`; `origin` names where the message came from.
pub fn report(report: &Report, origin: &str, style: Style) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let line_no = (d.line + 1).to_string();
        let pad = " ".repeat(line_no.len());
        let text = report.line(d.line);
        let start = d.span.start.min(text.len());
        let end = d.span.end.clamp(start, text.len());
        let lead = text.get(..start).map_or(start, |s| s.chars().count());
        let width = text.get(start..end).map_or(1, |s| s.chars().count()).max(1);
        let _ = writeln!(
            out,
            "{}{}",
            style.error(&format!("error[{}]", d.rule)),
            style.bold(&format!(": {}", d.message))
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
                style.help(&format!("help: {help}"))
            );
        }
        out.push('\n');
    }
    out
}
