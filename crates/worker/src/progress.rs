//! A live progress line on a terminal (model, phase, tokens, tokens/s); nothing when stderr is not a terminal,
//! where structured `tracing` logs say the same.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use queue_core::TaskId;

use crate::backend::{Phase, Progress};

/// One task's live line.
pub struct Line {
    bar: Option<ProgressBar>,
    prefix: String,
}

impl Line {
    /// Starts a line for `task` asking `model` (hidden when stderr is not a terminal).
    pub fn new(task: TaskId, model: &str) -> Line {
        let prefix = format!("{task} {model}");
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix} {msg}") {
                b.set_style(style);
            }
            b.set_prefix(prefix.clone());
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        });
        Line { bar, prefix }
    }

    /// Shows the latest progress.
    pub fn update(&self, p: &Progress) {
        let Some(bar) = &self.bar else { return };
        let secs = p.elapsed.as_secs_f64();
        let phase = match p.phase {
            Phase::Connecting => "connecting",
            Phase::Loading => "loading model / reading prompt",
            Phase::Generating => "generating",
            Phase::Done => "done",
        };
        let rate = if secs > 0.0 && p.completion_tokens_so_far > 0 {
            format!(" {:.1} tok/s", p.completion_tokens_so_far as f64 / secs)
        } else {
            String::new()
        };
        bar.set_message(format!(
            "{phase} · {} tokens{rate} · {secs:.0}s",
            p.completion_tokens_so_far
        ));
    }

    /// Clears the line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        tracing::debug!(line = %self.prefix, "model request finished");
    }
}
