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
//!
//! **Anchoring** mirrors `git apply` (`apply.c`: `match_beginning` / `match_end`): a hunk whose header says it
//! starts at line 0 or 1 applies only at the start of the file, and a hunk without trailing context only at its
//! end. Fuzzy mode locates hunks by content like search/replace blocks, so it pins only what content cannot say:
//! a hunk whose header has numbers, whose counts agree with its body (a header with stale counts lost lines, so
//! its start is stale too), that says line 0 or 1 and has no leading context goes at the start of the file or
//! nowhere. A missing trailing context pins nothing in fuzzy mode: models often omit it, and the lines after the
//! change are located by the hunk's own lines either way.
//!
//! **Cost**: locating hunks is bounded by a [`Budget`] of line comparisons per patch, so a patch crafted to make
//! the search quadratic is refused ([`HunkError::TooCostly`]) instead of holding a gate slot for minutes. A work
//! count, not a clock, so the verdict is the same on every machine.

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
    /// The hunk is anchored to the start or end of the file (see the module docs) and its lines are not there.
    NotAtAnchor {
        edge: Edge,
        expected: Vec<String>,
        at: usize,
        found: Vec<String>,
    },
    /// Locating the hunks spent the whole [`Budget`].
    TooCostly { limit: u64 },
}

/// Which edge of the file a hunk is pinned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Start,
    End,
    /// Both: the hunk's lines must be the whole file.
    Whole,
}

impl Edge {
    fn describe(self) -> &'static str {
        match self {
            Edge::Start => {
                "at the start of the file (its header says line 0 or 1 and it has no lines before the change to locate it by)"
            }
            Edge::End => "at the end of the file (it has no context lines after the change)",
            Edge::Whole => {
                "as the whole file (its header says line 0 or 1 and it has no context after the change)"
            }
        }
    }
}

/// How many line comparisons locating one patch's hunks may take: far above any real patch (the edit-corpus
/// benchmark's largest patch needs well under 1% of it), far below what a crafted one would cost.
pub const DEFAULT_WORK_BUDGET: u64 = 20_000_000;

/// A count of line comparisons left for locating hunks; share one across all files of a patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    limit: u64,
    used: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(DEFAULT_WORK_BUDGET)
    }
}

impl Budget {
    pub fn new(limit: u64) -> Budget {
        Budget { limit, used: 0 }
    }

    /// Line comparisons spent so far.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// Spends `n` comparisons, or says the budget is gone (and spends nothing).
    fn spend(&mut self, n: u64) -> Result<(), HunkError> {
        match self.used.checked_add(n) {
            Some(total) if total <= self.limit => {
                self.used = total;
                Ok(())
            }
            _ => {
                self.used = self.limit;
                Err(HunkError::TooCostly { limit: self.limit })
            }
        }
    }
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
            } => format!(
                "{file}: hunk #{} ({}) does not apply\n  expected:\n{}\n  found at line {}:\n{}",
                self.hunk,
                self.header,
                show_lines(expected),
                at + 1,
                show_lines(found)
            ),
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
            HunkError::NotAtAnchor {
                edge,
                expected,
                at,
                found,
            } => format!(
                "{file}: hunk #{} ({}) must apply {}, as git apply requires, but its lines are not there\n  expected:\n{}\n  found at line {}:\n{}",
                self.hunk,
                self.header,
                edge.describe(),
                show_lines(expected),
                at + 1,
                show_lines(found)
            ),
            HunkError::TooCostly { limit } => format!(
                "{file}: hunk #{} ({}): locating the hunks took more than {limit} line comparisons; split the patch or fix its line numbers and context",
                self.hunk, self.header
            ),
        }
    }
}

/// Lines for a message, one per row, `|`-prefixed so whitespace shows.
fn show_lines(lines: &[String]) -> String {
    if lines.is_empty() {
        return "    (nothing: end of file)".to_owned();
    }
    lines
        .iter()
        .map(|l| format!("    |{l}"))
        .collect::<Vec<_>>()
        .join("\n")
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
/// Returns the new content, or every hunk that failed. Uses a fresh [`Budget::default`].
pub fn apply_hunks(
    content: &[u8],
    hunks: &[Hunk],
    mode: MatchMode,
    delete: bool,
) -> Result<Vec<u8>, Vec<HunkFailure>> {
    apply_hunks_within(content, hunks, mode, delete, &mut Budget::default())
}

/// [`apply_hunks`] drawing on a caller's `budget` (one per patch). Once the budget is spent, the hunk being
/// located fails with [`HunkError::TooCostly`] and no later hunk is tried.
pub fn apply_hunks_within(
    content: &[u8],
    hunks: &[Hunk],
    mode: MatchMode,
    delete: bool,
    budget: &mut Budget,
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
        let search = Search {
            lines: &text.lines,
            old: &old,
            hint,
            min_pos,
            edge: anchor(hunk, mode),
        };
        let found = match mode {
            MatchMode::Strict => search.strict(budget),
            MatchMode::Fuzzy => search.fuzzy(budget),
        };
        let pos = match found {
            Ok(p) => p,
            Err(e @ HunkError::TooCostly { .. }) => {
                failures.push(fail(e));
                return Err(failures);
            }
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

/// Context lines before the first change and after the last (git's `leading` / `trailing`).
fn context_edges(hunk: &Hunk) -> (usize, usize) {
    let is_context = |l: &&HunkLine| matches!(l, HunkLine::Context(_));
    let leading = hunk.lines.iter().take_while(is_context).count();
    if leading == hunk.lines.len() {
        // No change at all: git counts every line as both leading and trailing.
        return (leading, leading);
    }
    let trailing = hunk.lines.iter().rev().take_while(is_context).count();
    (leading, trailing)
}

/// Where the hunk must apply, if anywhere in particular (see the module docs).
fn anchor(hunk: &Hunk, mode: MatchMode) -> Option<Edge> {
    let Some(start) = hunk.old_start else {
        // `@@ @@` or a search/replace edit: no position information at all.
        return None;
    };
    let (leading, trailing) = context_edges(hunk);
    let at_start = start <= 1;
    // (`trailing` matters in strict mode only; see the module docs.)
    let (pin_start, pin_end) = match mode {
        MatchMode::Strict => (at_start, trailing == 0),
        MatchMode::Fuzzy => {
            // Lenient parsing recounts the body; a header whose counts disagree lost lines, so its start is stale.
            let (old_n, new_n) = stated_counts(hunk);
            let trusted = old_n == hunk.old_count && new_n == hunk.new_count;
            (trusted && at_start && leading == 0, false)
        }
    };
    match (pin_start, pin_end) {
        (true, true) => Some(Edge::Whole),
        (true, false) => Some(Edge::Start),
        (false, true) => Some(Edge::End),
        (false, false) => None,
    }
}

/// The counts the header states (lenient parsing replaces `old_count`/`new_count` with the body's).
fn stated_counts(hunk: &Hunk) -> (usize, usize) {
    hunk.stated_counts
        .unwrap_or((hunk.old_count, hunk.new_count))
}

/// One hunk's search: where its expected lines may go in the file.
struct Search<'a> {
    lines: &'a [Vec<u8>],
    old: &'a [&'a [u8]],
    /// 0-based line the header (plus earlier hunks' drift) points at.
    hint: usize,
    /// The end of the previous hunk: hunks apply in order and never overlap.
    min_pos: usize,
    edge: Option<Edge>,
}

impl Search<'_> {
    /// The last position where the expected lines fit, if they fit at all.
    fn window_end(&self) -> Option<usize> {
        self.lines.len().checked_sub(self.old.len())
    }

    /// The one position an anchored hunk may take: `None` when the edge cannot hold it.
    fn anchored_position(&self, edge: Edge) -> Option<usize> {
        let end = self.window_end()?;
        let pos = match edge {
            Edge::Start => 0,
            Edge::End => end,
            Edge::Whole if end == 0 => 0,
            Edge::Whole => return None,
        };
        (pos >= self.min_pos).then_some(pos)
    }

    fn not_found(&self, at: usize) -> HunkError {
        let (expected, at, found) = self.shown(at);
        HunkError::NotFound {
            expected,
            at,
            found,
        }
    }

    fn not_at_anchor(&self, edge: Edge) -> HunkError {
        let at = match edge {
            Edge::Start | Edge::Whole => 0,
            Edge::End => self.window_end().unwrap_or(0),
        };
        let (expected, at, found) = self.shown(at);
        HunkError::NotAtAnchor {
            edge,
            expected,
            at,
            found,
        }
    }

    /// The expected lines, and the file's lines at `at`, for a message.
    fn shown(&self, at: usize) -> (Vec<String>, usize, Vec<String>) {
        let lines = self.lines;
        let at = at.min(lines.len());
        let show = |l: &[u8]| String::from_utf8_lossy(l).trim_end_matches('\r').to_owned();
        let found_end = (at + self.old.len().max(1)).min(lines.len());
        (
            self.old.iter().map(|l| show(l)).collect(),
            at,
            lines[at..found_end].iter().map(|l| show(l)).collect(),
        )
    }

    /// Whether the expected lines equal the file's at `p` under `pass` (see [`same_line`]), paying one unit per
    /// line compared.
    fn matches_at(
        &self,
        p: usize,
        pass: usize,
        want: &[Key],
        budget: &mut Budget,
    ) -> Result<bool, HunkError> {
        let mut compared = 0u64;
        let mut all = true;
        for (k, w) in want.iter().enumerate() {
            compared += 1;
            if !w.matches(pass, &self.lines[p + k]) {
                all = false;
                break;
            }
        }
        budget.spend(compared.max(1))?;
        Ok(all)
    }

    fn strict(&self, budget: &mut Budget) -> Result<usize, HunkError> {
        let want: Vec<Key> = self.old.iter().map(|l| Key::new(0, l)).collect();
        if let Some(edge) = self.edge {
            return match self.anchored_position(edge) {
                Some(p) if self.matches_at(p, 0, &want, budget)? => Ok(p),
                _ => Err(self.not_at_anchor(edge)),
            };
        }
        let lines = self.lines;
        if self.old.is_empty() {
            // A pure insertion has nothing to search for: trust the header.
            if self.hint > lines.len() {
                return Err(self.not_found(lines.len()));
            }
            return Ok(self.hint.max(self.min_pos).min(lines.len()));
        }
        let Some(max) = self.window_end() else {
            return Err(self.not_found(self.hint));
        };
        let min_pos = self.min_pos;
        if min_pos <= max {
            // Nearest match to the stated line, looking both ways (earlier first on a tie).
            let h = self.hint.clamp(min_pos, max);
            for d in 0.. {
                let mut in_range = false;
                if h >= d && h - d >= min_pos {
                    in_range = true;
                    if self.matches_at(h - d, 0, &want, budget)? {
                        return Ok(h - d);
                    }
                }
                if d > 0 && h + d <= max {
                    in_range = true;
                    if self.matches_at(h + d, 0, &want, budget)? {
                        return Ok(h + d);
                    }
                }
                if !in_range {
                    break;
                }
            }
        }
        Err(self.not_found(self.hint.min(max)))
    }

    fn fuzzy(&self, budget: &mut Budget) -> Result<usize, HunkError> {
        let lines = self.lines;
        if self.old.is_empty() {
            if let Some(edge) = self.edge {
                return self
                    .anchored_position(edge)
                    .ok_or_else(|| self.not_at_anchor(edge));
            }
            // No context to find: the header's position is the only information there is.
            return Ok(self.hint.clamp(self.min_pos.min(lines.len()), lines.len()));
        }
        let Some(max) = self.window_end() else {
            return Err(self.not_found(self.hint));
        };
        let range = match self.edge {
            Some(edge) => match self.anchored_position(edge) {
                Some(p) => p..=p,
                None => return Err(self.not_at_anchor(edge)),
            },
            None => self.min_pos..=max,
        };
        for pass in 0..PASSES {
            let want: Vec<Key> = self.old.iter().map(|l| Key::new(pass, l)).collect();
            let mut positions = Vec::new();
            for p in range.clone() {
                if self.matches_at(p, pass, &want, budget)? {
                    positions.push(p);
                }
            }
            match positions.len() {
                0 => continue,
                1 => return Ok(positions[0]),
                _ => return Err(HunkError::Ambiguous { positions }),
            }
        }
        if let Some(edge) = self.edge {
            return Err(self.not_at_anchor(edge));
        }
        Err(self.not_found(self.closest(max, budget)?))
    }

    /// Where most expected lines agree (whitespace aside), to help whoever fixes the patch.
    fn closest(&self, max: usize, budget: &mut Budget) -> Result<usize, HunkError> {
        let want: Vec<Key> = self.old.iter().map(|l| Key::new(2, l)).collect();
        let mut best = (0usize, std::cmp::Reverse(0usize));
        for p in self.min_pos.min(max)..=max {
            budget.spend(want.len() as u64)?;
            let score = want
                .iter()
                .enumerate()
                .filter(|(k, w)| w.matches(2, &self.lines[p + k]))
                .count();
            best = best.max((score, std::cmp::Reverse(p)));
        }
        Ok(best.1.0)
    }
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

/// `str::trim` for ASCII bytes.
fn trim_like_str(line: &[u8]) -> &[u8] {
    let ws = |b: &u8| b.is_ascii_whitespace() || *b == 0x0B;
    let start = line.iter().position(|b| !ws(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !ws(b)).map_or(start, |e| e + 1);
    &line[start..end]
}

/// How many fuzzy passes there are (see the module docs).
const PASSES: usize = 4;

/// An expected line prepared for one pass, compared with file lines without allocating where possible.
struct Key {
    text: Vec<u8>,
}

impl Key {
    fn new(pass: usize, line: &[u8]) -> Key {
        Key {
            text: pass_key(pass, line).into_owned(),
        }
    }

    fn matches(&self, pass: usize, line: &[u8]) -> bool {
        pass_key(pass, line).as_ref() == self.text.as_slice()
    }
}

/// A line as pass `pass` compares it: exact, trailing whitespace trimmed, both ends trimmed, or punctuation
/// normalised (ASCII lines borrow; only non-ASCII lines in the last pass allocate).
fn pass_key(pass: usize, line: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    match pass {
        0 => Cow::Borrowed(line),
        1 => Cow::Borrowed(line.trim_ascii_end()),
        2 => Cow::Borrowed(line.trim_ascii()),
        // `str::trim` (below) also trims U+000B, which `trim_ascii` keeps.
        _ if line.is_ascii() => Cow::Borrowed(trim_like_str(line)),
        _ => {
            let s: String = String::from_utf8_lossy(line)
                .chars()
                .map(normalise_char)
                .collect();
            Cow::Owned(s.trim().as_bytes().to_vec())
        }
    }
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
