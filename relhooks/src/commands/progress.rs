//! Progress on stderr for long work (`rel changelog --all` on a large history), drawn only when
//! stderr is a terminal: piped or redirected, rel prints exactly what it printed before.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner with a message on stderr, cleared when done or dropped (an error printed after it
/// starts on a clean line). Hidden, drawing nothing at all, unless stderr is a terminal.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A spinner saying `message`. `writes_stdout` says whether the command's results go to
    /// stdout: when stdout is the same kind of terminal, those results are the progress, and a
    /// spinner would only mix into them.
    pub fn spinner(message: &str, writes_stdout: bool) -> Self {
        let shown = std::io::stderr().is_terminal()
            && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
            && !(writes_stdout && std::io::stdout().is_terminal());
        if !shown {
            return Progress {
                bar: ProgressBar::hidden(),
            };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress { bar }
    }

    /// Says what is being done now.
    pub fn say(&self, message: String) {
        self.bar.set_message(message);
    }

    /// Clears the spinner, before the command prints its own lines.
    pub fn done(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
