//! Applies parsed text hunks to file contents, in memory.
//!
//! **Strict** ([`MatchMode::Strict`]) is what `git apply` does: the lines a hunk expects (context and removed
//! lines) must match byte for byte; the header's line number is where the search starts, and the nearest exact
//! match wins, so a hunk whose code moved a few lines still applies.
//!
//! **Fuzzy** ([`MatchMode::Fuzzy`]) is for model-written diffs, whose line numbers are unreliable: the numbers are
//! ignored and the expected lines are located in passes — exact, then ignoring trailing whitespace, then ignoring
//! surrounding whitespace, then with Unicode punctuation normalised (curly quotes, dashes, NBSP), as Codex's
//! `seek_sequence` does. The first pass with any match decides; if it matches in more than one place the hunk
//! is refused as ambiguous rather than guessed. Context lines keep the file's own bytes, and added lines follow
//! the file's CRLF convention.
//!
//! Hunks of one file apply in order, each searched after the end of the previous one.

use crate::patch::{Hunk, HunkLine};

/// How hunks are located.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchMode {
    Strict,
    Fuzzy,
}

/// Why one hunk did not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HunkError {
    /// The expected lines were not found. `at` is the 0-based line shown as "found", `found` those lines.
    NotFound {
        expected: Vec<String>,
        at: usize,
        found: Vec<String>,
    },
    /// Fuzzy mode: the expected lines match at several 0-based positions.
    Ambiguous { positions: Vec<usize> },
    /// The hunk's newline-at-end-of-file claim does not hold (strict).
    EofMismatch { message: String },
    /// A deleted file still has content after its hunks applied.
    NotEmptyAfterDelete,
}

/// A failure with the 1-based index of the hunk and its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HunkFailure {
    pub hunk: usize,
    pub header: String,
    pub error: HunkError,
}

impl HunkFailure {
    /// A human message: what was expected and what was found.
    pub fn message(&self, file: &str) -> String {
        match &self.error {
            HunkError::NotFound {
                expected,
                at,
                found,
            } => {
                let fmt = |lines: &[String]| -> String {
                    if lines.is_empty() {
                        return "    (nothing: end of file)".to_owned();
                    }
                    lines
                        .iter()
                        .map(|l| format!("    |{l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                format!(
                    "{file}: hunk #{} ({}) does not apply\n  expected:\n{}\n  found at line {}:\n{}",
                    self.hunk,
                    self.header,
                    fmt(expected),
                    at + 1,
                    fmt(found)
                )
            }
            HunkError::Ambiguous { positions } => {
                let lines: Vec<String> = positions
                    .iter()
                    .take(10)
                    .map(|p| (p + 1).to_string())
                    .collect();
                format!(
                    "{file}: hunk #{} ({}) matches in {} places (lines {}); add context lines to make it unique",
                    self.hunk,
                    self.header,
                    positions.len(),
                    lines.join(", ")
                )
            }
            HunkError::EofMismatch { message } => {
                format!(
                    "{file}: hunk #{} ({}) does not apply: {message}",
                    self.hunk, self.header
                )
            }
            HunkError::NotEmptyAfterDelete => {
                format!("{file}: the patch deletes the file but does not remove all of its lines")
            }
        }
    }
}

/// A file's text as lines without `\n` (CR kept), and whether the last line ended with `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub lines: Vec<Vec<u8>>,
    pub final_newline: bool,
}

impl Text {
    pub fn parse(content: &[u8]) -> Text {
        if content.is_empty() {
            return Text {
                lines: Vec::new(),
                final_newline: true,
            };
        }
        let final_newline = content.ends_with(b"\n");
        let body = if final_newline {
            &content[..content.len() - 1]
        } else {
            content
        };
        Text {
            lines: body.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect(),
            final_newline,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.lines.join(&b'\n');
        if self.final_newline && !self.lines.is_empty() {
            out.push(b'\n');
        }
        out
    }

    /// Most lines end with `\r`: the file uses CRLF.
    fn is_crlf(&self) -> bool {
        let crlf = self.lines.iter().filter(|l| l.ends_with(b"\r")).count();
        crlf > 0 && crlf * 2 >= self.lines.len()
    }
}

/// Applies `hunks` to `content`. `delete`: the result must be empty (the file is being deleted).
/// Returns the new content, or every hunk that failed.
pub fn apply_hunks(
    content: &[u8],
    hunks: &[Hunk],
    mode: MatchMode,
    delete: bool,
) -> Result<Vec<u8>, Vec<HunkFailure>> {
    let mut text = Text::parse(content);
    let crlf = text.is_crlf();
    let mut failures = Vec::new();
    // Search window start: hunks apply in order and never overlap.
    let mut min_pos = 0usize;
    // How far the previous hunk landed from where its header said (strict search hint).
    // i128: header numbers come from untrusted text and may be near usize::MAX.
    let mut drift: i128 = 0;
    for (i, hunk) in hunks.iter().enumerate() {
        let fail = |error| HunkFailure {
            hunk: i + 1,
            header: hunk.header.clone(),
            error,
        };
        let old = hunk.old_lines();
        let stated = stated_position(hunk);
        let hint = (stated as i128 + drift).clamp(0, lines_max(&text)) as usize;
        let found = match mode {
            MatchMode::Strict => locate_strict(&text.lines, &old, hint, min_pos),
            MatchMode::Fuzzy => locate_fuzzy(&text.lines, &old, hint, min_pos),
        };
        let pos = match found {
            Ok(p) => p,
            Err(e) => {
                failures.push(fail(e));
                continue;
            }
        };
        let reaches_eof = pos + old.len() == text.lines.len();
        if mode == MatchMode::Strict
            && !old.is_empty()
            && reaches_eof
            && hunk.old_no_newline == text.final_newline
        {
            let message = if hunk.old_no_newline {
                "the patch expects no newline at the end of the file, but the file has one"
                    .to_owned()
            } else {
                "the patch expects a newline at the end of the file, but the file has none"
                    .to_owned()
            };
            failures.push(fail(HunkError::EofMismatch { message }));
            continue;
        }
        if mode == MatchMode::Strict && hunk.old_no_newline && !reaches_eof {
            failures.push(fail(HunkError::EofMismatch {
                message: "the patch marks a line as the end of the file, but more lines follow it"
                    .to_owned(),
            }));
            continue;
        }
        // Build the replacement: context keeps the file's bytes (fuzzy may have matched loosely).
        let mut replacement = Vec::with_capacity(hunk.lines.len());
        let mut cursor = pos;
        for line in &hunk.lines {
            match line {
                HunkLine::Context(_) => {
                    replacement.push(text.lines[cursor].clone());
                    cursor += 1;
                }
                HunkLine::Remove(_) => cursor += 1,
                HunkLine::Add(t) => {
                    let mut t = t.clone();
                    // Fuzzy: added lines follow the file's line endings, whatever the patch used (a CRLF patch
                    // on an LF file must not leave a stray CR on every added line).
                    if mode == MatchMode::Fuzzy && crlf && !t.ends_with(b"\r") {
                        t.push(b'\r');
                    } else if mode == MatchMode::Fuzzy
                        && !crlf
                        && !text.lines.is_empty()
                        && t.ends_with(b"\r")
                    {
                        t.pop();
                    }
                    replacement.push(t);
                }
            }
        }
        let added = replacement.len();
        text.lines.splice(pos..pos + old.len(), replacement);
        let now_at_eof = pos + added == text.lines.len();
        if now_at_eof && (reaches_eof || old.is_empty()) {
            text.final_newline = match mode {
                MatchMode::Strict => !hunk.new_no_newline,
                // A model rarely writes the marker; keep the file's convention unless it explicitly says so.
                MatchMode::Fuzzy if hunk.new_no_newline => false,
                MatchMode::Fuzzy if hunk.old_no_newline => true,
                MatchMode::Fuzzy => text.final_newline,
            };
        }
        min_pos = pos + added;
        // Later headers count from the original file: carry this hunk's shift and growth to them.
        drift = pos as i128 - stated as i128 + (added as i128 - old.len() as i128);
    }
    if !failures.is_empty() {
        return Err(failures);
    }
    if delete && !text.lines.is_empty() {
        return Err(vec![HunkFailure {
            hunk: hunks.len(),
            header: String::new(),
            error: HunkError::NotEmptyAfterDelete,
        }]);
    }
    Ok(text.to_bytes())
}

/// Hints beyond the end are clamped to just past it (a pure insertion there is still refused).
fn lines_max(text: &Text) -> i128 {
    text.lines.len() as i128 + 1
}

/// The 0-based index where the header says the old lines start (for a pure insertion, the index to insert at).
fn stated_position(hunk: &Hunk) -> usize {
    let start = hunk.old_start.unwrap_or(0);
    if hunk.old_count == 0 {
        start
    } else {
        start.saturating_sub(1)
    }
}

fn window_end(lines: &[Vec<u8>], old: &[&[u8]]) -> Option<usize> {
    lines.len().checked_sub(old.len())
}

fn not_found(lines: &[Vec<u8>], old: &[&[u8]], at: usize) -> HunkError {
    let at = at.min(lines.len());
    let show = |l: &[u8]| String::from_utf8_lossy(l).trim_end_matches('\r').to_owned();
    let found_end = (at + old.len().max(1)).min(lines.len());
    HunkError::NotFound {
        expected: old.iter().map(|l| show(l)).collect(),
        at,
        found: lines[at..found_end].iter().map(|l| show(l)).collect(),
    }
}

fn locate_strict(
    lines: &[Vec<u8>],
    old: &[&[u8]],
    hint: usize,
    min_pos: usize,
) -> Result<usize, HunkError> {
    if old.is_empty() {
        // A pure insertion has nothing to search for: trust the header.
        if hint > lines.len() {
            return Err(not_found(lines, old, lines.len()));
        }
        return Ok(hint.max(min_pos).min(lines.len()));
    }
    let Some(max) = window_end(lines, old) else {
        return Err(not_found(lines, old, hint));
    };
    let matches_at = |p: usize| {
        old.iter()
            .enumerate()
            .all(|(k, o)| lines[p + k].as_slice() == *o)
    };
    if min_pos <= max {
        // Nearest match to the stated line, looking both ways (earlier first on a tie).
        let h = hint.clamp(min_pos, max);
        for d in 0.. {
            let mut in_range = false;
            if h >= d && h - d >= min_pos {
                in_range = true;
                if matches_at(h - d) {
                    return Ok(h - d);
                }
            }
            if d > 0 && h + d <= max {
                in_range = true;
                if matches_at(h + d) {
                    return Ok(h + d);
                }
            }
            if !in_range {
                break;
            }
        }
    }
    Err(not_found(lines, old, hint.min(max)))
}

/// Unicode punctuation models (and word processors) substitute for ASCII.
fn normalise_char(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' => '"',
        '\u{00A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
        other => other,
    }
}

fn pass_key(pass: usize, line: &[u8]) -> Vec<u8> {
    match pass {
        0 => line.to_vec(),
        1 => line.trim_ascii_end().to_vec(),
        2 => line.trim_ascii().to_vec(),
        _ => {
            let s: String = String::from_utf8_lossy(line)
                .chars()
                .map(normalise_char)
                .collect();
            s.trim().as_bytes().to_vec()
        }
    }
}

fn locate_fuzzy(
    lines: &[Vec<u8>],
    old: &[&[u8]],
    hint: usize,
    min_pos: usize,
) -> Result<usize, HunkError> {
    if old.is_empty() {
        // No context to find: the header's position is the only information there is.
        return Ok(hint.clamp(min_pos.min(lines.len()), lines.len()));
    }
    let Some(max) = window_end(lines, old) else {
        return Err(not_found(lines, old, hint));
    };
    for pass in 0..4 {
        let file_keys: Vec<Vec<u8>> = lines.iter().map(|l| pass_key(pass, l)).collect();
        let want: Vec<Vec<u8>> = old.iter().map(|l| pass_key(pass, l)).collect();
        let positions: Vec<usize> = (min_pos..=max)
            .filter(|&p| want.iter().enumerate().all(|(k, w)| file_keys[p + k] == *w))
            .collect();
        match positions.len() {
            0 => continue,
            1 => return Ok(positions[0]),
            _ => return Err(HunkError::Ambiguous { positions }),
        }
    }
    // Show where most lines agreed, to help whoever fixes the patch.
    let best = (min_pos.min(max)..=max)
        .max_by_key(|&p| {
            let score = old
                .iter()
                .enumerate()
                .filter(|(k, o)| pass_key(2, &lines[p + k]) == pass_key(2, o))
                .count();
            (score, std::cmp::Reverse(p))
        })
        .unwrap_or(0);
    Err(not_found(lines, old, best))
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
