//! The pull request's title and Markdown body, from the task, its report and the log.

use approval::Candidate;

/// The most characters of a title (GitHub allows 256).
const MAX_TITLE: usize = 200;

/// The task's title on one line; `WIP: ` in front when Gitea/Forgejo open it as work in progress.
pub(crate) fn title(c: &Candidate, wip: bool) -> String {
    let one_line: String = c
        .task
        .title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let short: String = one_line.chars().take(MAX_TITLE).collect();
    let short = if short.is_empty() {
        format!("autodev {}", c.task.id)
    } else {
        short
    };
    if wip { format!("WIP: {short}") } else { short }
}

/// The request, the report, the gate's checks and verdict, the patch's sha256 and the `Autodev-Task` trailer.
/// `checks` come from the log's `GATE_PASSED` (written by the worker, not by a check).
pub(crate) fn body(c: &Candidate, checks: &[String]) -> String {
    let r = &c.report;
    let mut s = String::new();
    s.push_str("Opened by autodev for an approved task. The request, as written:\n\n");
    // A fence, not a quote: the request is shown verbatim, without Markdown, HTML or @mentions taking effect.
    s.push_str(&fenced(&c.task.work));
    s.push_str("\n## Report\n\n| | |\n|---|---|\n");
    let model = match &r.fallback_model {
        Some(f) => format!("{f} (fallback for {})", r.model),
        None => r.model.clone(),
    };
    s.push_str(&format!("| Model | {} |\n", cell(&model)));
    s.push_str(&format!("| Tries | {} |\n", r.attempts.len().max(1)));
    s.push_str(&format!(
        "| Files | {} |\n",
        cell(&r.files_changed.join(", "))
    ));
    s.push_str(&format!(
        "| Lines | +{} −{} |\n",
        r.lines_added, r.lines_removed
    ));
    s.push_str(&format!("| Intent | {} |\n", c.task.intent.as_str()));
    s.push_str("\n## Gate\n\nVerdict: **PASS**");
    if checks.is_empty() {
        s.push_str(" (no checks configured)\n");
    } else {
        s.push_str("\n\n");
        for ch in checks {
            s.push_str(&format!("- `{}`\n", ch.replace('`', "'")));
        }
    }
    s.push_str(&format!("\nPatch sha256: `{}`\n\n", c.sha256));
    s.push_str(&format!("Autodev-Task: {}\n", c.task.id));
    s
}

/// `text` in a code fence longer than any backtick run inside it.
fn fenced(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{}\n{fence}\n", text.trim_end())
}

/// A table cell: no pipes or line breaks.
fn cell(s: &str) -> String {
    let s = s.replace('|', "\\|").replace(['\n', '\r'], " ");
    if s.is_empty() { "-".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fenced("a ```` b"), "`````text\na ```` b\n`````\n");
        assert_eq!(fenced("plain"), "```text\nplain\n```\n");
    }
}
