//! A unified-diff parser for `git diff` output and for plain `diff -u` / model-written diffs.
//!
//! The parser never touches the filesystem and never panics on any input (it is a fuzz target). It works on
//! bytes, because patched files need not be UTF-8 and CRLF files carry their `\r` inside each diff line.
//!
//! Two modes:
//! - **strict** (`lenient = false`): hunk bodies are read by the counts in the `@@ -a,b +c,d @@` header, as
//!   `git apply` does; a count mismatch is malformed.
//! - **lenient** (`lenient = true`, used by fuzzy application): the counts are recomputed from the body (like
//!   `git apply --recount`), `@@ @@` headers without numbers are accepted, and a bare empty line inside a hunk is
//!   read as an empty context line (editors and models strip the leading space).
//!
//! Text before, between and after file sections (prose, `Index:` lines, `diff -ruN` command lines) is skipped,
//! as `git apply` and `patch` do.

use std::fmt;

/// Git's mode for a regular file.
pub const MODE_FILE: u32 = 0o100644;
/// Git's mode for an executable file.
pub const MODE_EXECUTABLE: u32 = 0o100755;
/// Git's mode for a symbolic link.
pub const MODE_SYMLINK: u32 = 0o120000;
/// Git's mode for a submodule (gitlink).
pub const MODE_GITLINK: u32 = 0o160000;

/// A parsed patch: one entry per file section, in patch order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Patch {
    pub files: Vec<FilePatch>,
}

/// One file section of a patch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilePatch {
    /// Path before the change, prefix (`a/`) removed; `None` when the file is created.
    pub old_path: Option<String>,
    /// Path after the change, prefix (`b/`) removed; `None` when the file is deleted.
    pub new_path: Option<String>,
    /// Mode before, when the patch states it (`old mode`, `deleted file mode`, `index .. MODE`).
    pub old_mode: Option<u32>,
    /// Mode after, when the patch states it (`new mode`, `new file mode`, `index .. MODE`).
    pub new_mode: Option<u32>,
    /// `rename from` / `rename to`: the old path disappears.
    pub is_rename: bool,
    /// `copy from` / `copy to`: the old path stays.
    pub is_copy: bool,
    /// `Binary files .. differ` or `GIT binary patch`.
    pub binary: bool,
    /// `GIT binary patch` (the data needed to apply it is present).
    pub binary_data: bool,
    /// The `GIT binary patch` blocks as read (`literal N`/`delta N`, base85 lines, the blank line ending each),
    /// without their `\n`: exactly what is handed on to `git apply`.
    pub binary_lines: Vec<Vec<u8>>,
    /// `index OLD..NEW`: the blob ids (binary patches need them in full).
    pub index: Option<(String, String)>,
    /// Text hunks, in order.
    pub hunks: Vec<Hunk>,
    /// 1-based line of the patch where this section starts, for messages.
    pub line: usize,
}

impl FilePatch {
    /// The path this section is best known by (new path, else old path).
    pub fn display_path(&self) -> &str {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .unwrap_or("<unknown>")
    }

    /// Whether the section creates a file.
    pub fn is_new(&self) -> bool {
        self.old_path.is_none()
    }

    /// Whether the section deletes a file.
    pub fn is_delete(&self) -> bool {
        self.new_path.is_none()
    }

    /// Lines added by this section's hunks.
    pub fn added(&self) -> usize {
        self.hunks.iter().map(|h| h.added()).sum()
    }

    /// Lines removed by this section's hunks.
    pub fn removed(&self) -> usize {
        self.hunks.iter().map(|h| h.removed()).sum()
    }

    /// Whether a text hunk carries a NUL byte: binary content dressed as text (git never writes one).
    pub fn has_nul_in_text(&self) -> bool {
        self.hunks
            .iter()
            .flat_map(|h| &h.lines)
            .any(|l| l.text().contains(&0))
    }
}

/// One line of a hunk body, without its `\n` (a CRLF file's `\r` stays in the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HunkLine {
    Context(Vec<u8>),
    Remove(Vec<u8>),
    Add(Vec<u8>),
}

impl HunkLine {
    /// The line's text.
    pub fn text(&self) -> &[u8] {
        match self {
            HunkLine::Context(t) | HunkLine::Remove(t) | HunkLine::Add(t) => t,
        }
    }
}

/// One `@@` hunk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hunk {
    /// Numbers from the header; `None` for a lenient `@@ @@` header without them.
    pub old_start: Option<usize>,
    pub old_count: usize,
    pub new_start: Option<usize>,
    pub new_count: usize,
    /// The counts the header stated, when lenient parsing recounted them from the body (they may differ: a
    /// model's counts are often stale). `None` in strict mode, where they must equal the body's.
    pub stated_counts: Option<(usize, usize)>,
    /// The header line as written (for messages).
    pub header: String,
    pub lines: Vec<HunkLine>,
    /// The old side's last line has no final newline (`\ No newline at end of file`).
    pub old_no_newline: bool,
    /// The new side's last line has no final newline.
    pub new_no_newline: bool,
}

impl Hunk {
    /// The lines the hunk expects to find (context and removed lines).
    pub fn old_lines(&self) -> Vec<&[u8]> {
        self.lines
            .iter()
            .filter_map(|l| match l {
                HunkLine::Context(t) | HunkLine::Remove(t) => Some(t.as_slice()),
                HunkLine::Add(_) => None,
            })
            .collect()
    }

    /// Lines added.
    pub fn added(&self) -> usize {
        self.lines
            .iter()
            .filter(|l| matches!(l, HunkLine::Add(_)))
            .count()
    }

    /// Lines removed.
    pub fn removed(&self) -> usize {
        self.lines
            .iter()
            .filter(|l| matches!(l, HunkLine::Remove(_)))
            .count()
    }
}

/// Why a patch could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line of the patch.
    pub line: usize,
    /// The file section being parsed, when known.
    pub file: Option<String>,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "line {}: {file}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a unified diff. See the module docs for `lenient`.
pub fn parse(input: &[u8], lenient: bool) -> Result<Patch, ParseError> {
    let lines = split_lines(input);
    let mut parser = Parser {
        lines: &lines,
        pos: 0,
        lenient,
    };
    parser.run()
}

/// Splits on `\n`, keeping any `\r` in the line; a final line without `\n` is kept.
fn split_lines(input: &[u8]) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = input.split(|b| *b == b'\n').collect();
    if input.ends_with(b"\n") || input.is_empty() {
        out.pop();
    }
    out
}

/// A header line without a trailing `\r` (a patch that went through a CRLF editor).
fn header(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// What `diff --git` said: whether it used a/ b/ prefixes, and the (old, new) paths it named.
type GitHeader = (bool, (Option<String>, Option<String>));

struct Parser<'a> {
    lines: &'a [&'a [u8]],
    pos: usize,
    lenient: bool,
}

impl Parser<'_> {
    fn peek(&self, offset: usize) -> Option<&[u8]> {
        self.lines.get(self.pos + offset).copied()
    }

    fn err(&self, file: Option<&str>, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.pos + 1,
            file: file.map(str::to_owned),
            message: message.into(),
        }
    }

    fn at_traditional_header(&self) -> bool {
        match (self.peek(0), self.peek(1)) {
            (Some(a), Some(b)) => a.starts_with(b"--- ") && b.starts_with(b"+++ "),
            _ => false,
        }
    }

    fn run(&mut self) -> Result<Patch, ParseError> {
        let mut patch = Patch::default();
        while let Some(line) = self.peek(0) {
            if line.starts_with(b"diff --git ") {
                let fp = self.git_section()?;
                patch.files.push(fp);
            } else if self.at_traditional_header() {
                let mut fp = FilePatch {
                    line: self.pos + 1,
                    ..FilePatch::default()
                };
                self.file_headers(&mut fp, None)?;
                self.same_file_unless_moved(&fp)?;
                self.hunks(&mut fp)?;
                patch.files.push(fp);
            } else if line.starts_with(b"@@") {
                return Err(self.err(None, "hunk header without a preceding ---/+++ file header"));
            } else if let Some(fp) = self.plain_binary_line() {
                // `diff -r` reports binary changes as prose; dropping them silently would hide a change.
                patch.files.push(fp);
                self.pos += 1;
            } else {
                self.pos += 1;
            }
        }
        Ok(patch)
    }

    /// `Binary files X and Y differ` outside a git section.
    fn plain_binary_line(&self) -> Option<FilePatch> {
        let line = std::str::from_utf8(header(self.peek(0)?)).ok()?;
        let inner = line
            .strip_prefix("Binary files ")?
            .strip_suffix(" differ")?;
        let (a, b) = inner.split_once(" and ")?;
        let side = |p: &str, prefix: &str| -> Option<String> {
            if p == "/dev/null" {
                None
            } else {
                Some(p.strip_prefix(prefix).unwrap_or(p).to_owned())
            }
        };
        Some(FilePatch {
            old_path: side(a, "a/"),
            new_path: side(b, "b/"),
            binary: true,
            line: self.pos + 1,
            ..FilePatch::default()
        })
    }

    fn git_section(&mut self) -> Result<FilePatch, ParseError> {
        let start = self.pos;
        let first = header(self.lines[start]);
        let rest = &first[b"diff --git ".len()..];
        let (a, b) = split_git_header_paths(rest)
            .ok_or_else(|| self.err(None, "cannot read the paths of `diff --git`"))?;
        let mut fp = FilePatch {
            line: start + 1,
            ..FilePatch::default()
        };
        let prefixed = a.starts_with("a/") && b.starts_with("b/");
        let strip = |p: String, prefix: &str| -> String {
            if prefixed {
                p.strip_prefix(prefix).map(str::to_owned).unwrap_or(p)
            } else {
                p
            }
        };
        let header_old = strip(a, "a/");
        let header_new = strip(b, "b/");
        fp.old_path = Some(header_old);
        fp.new_path = Some(header_new);
        self.pos += 1;

        let mut saw_headers = false;
        while let Some(raw) = self.peek(0) {
            let line = header(raw);
            let path_ctx = Some(fp.display_path().to_owned());
            let text = |l: &[u8]| String::from_utf8_lossy(l).into_owned();
            if let Some(m) = line.strip_prefix(b"old mode ") {
                fp.old_mode = Some(self.mode(m, path_ctx.as_deref())?);
            } else if let Some(m) = line.strip_prefix(b"new mode ") {
                fp.new_mode = Some(self.mode(m, path_ctx.as_deref())?);
            } else if let Some(m) = line.strip_prefix(b"deleted file mode ") {
                fp.old_mode = Some(self.mode(m, path_ctx.as_deref())?);
                fp.new_path = None;
            } else if let Some(m) = line.strip_prefix(b"new file mode ") {
                fp.new_mode = Some(self.mode(m, path_ctx.as_deref())?);
                fp.old_path = None;
            } else if let Some(p) = line.strip_prefix(b"rename from ") {
                fp.old_path = Some(self.path(p, path_ctx.as_deref())?);
                fp.is_rename = true;
            } else if let Some(p) = line.strip_prefix(b"rename to ") {
                fp.new_path = Some(self.path(p, path_ctx.as_deref())?);
                fp.is_rename = true;
            } else if let Some(p) = line.strip_prefix(b"copy from ") {
                fp.old_path = Some(self.path(p, path_ctx.as_deref())?);
                fp.is_copy = true;
            } else if let Some(p) = line.strip_prefix(b"copy to ") {
                fp.new_path = Some(self.path(p, path_ctx.as_deref())?);
                fp.is_copy = true;
            } else if line.starts_with(b"similarity index ")
                || line.starts_with(b"dissimilarity index ")
            {
                // informational
            } else if let Some(idx) = line.strip_prefix(b"index ") {
                // `index abc..def 100644`: the blob ids, and the mode when it does not change.
                let idx = text(idx);
                fp.index = idx
                    .split_whitespace()
                    .next()
                    .and_then(|ids| ids.split_once(".."))
                    .filter(|(a, b)| is_hex_id(a) && is_hex_id(b))
                    .map(|(a, b)| (a.to_owned(), b.to_owned()));
                if let Some(mode) = idx.split_whitespace().nth(1) {
                    let m = u32::from_str_radix(mode, 8).map_err(|_| {
                        self.err(
                            path_ctx.as_deref(),
                            format!("bad mode in index line: {mode}"),
                        )
                    })?;
                    fp.old_mode.get_or_insert(m);
                    fp.new_mode.get_or_insert(m);
                }
            } else if line.starts_with(b"Binary files ") && line.ends_with(b" differ") {
                fp.binary = true;
                self.pos += 1;
                break;
            } else if line == b"GIT binary patch" {
                fp.binary = true;
                fp.binary_data = true;
                self.pos += 1;
                // Read exactly the blocks git reads; whatever follows (even a text section) is parsed and judged.
                fp.binary_lines = self.binary_blocks(fp.display_path())?;
                break;
            } else if self.at_traditional_header() {
                let hints = (fp.old_path.clone(), fp.new_path.clone());
                self.file_headers(&mut fp, Some((prefixed, hints)))?;
                saw_headers = true;
                break;
            } else {
                break;
            }
            self.pos += 1;
        }
        if saw_headers {
            self.hunks(&mut fp)?;
        } else if let Some(l) = self.peek(0)
            && l.starts_with(b"@@")
        {
            return Err(self.err(Some(fp.display_path()), "hunk without ---/+++ lines"));
        }
        if fp.old_path.is_none() && fp.new_path.is_none() {
            return Err(self.err(
                None,
                "file section is neither created nor deleted but names no path",
            ));
        }
        self.same_file_unless_moved(&fp)?;
        Ok(fp)
    }

    /// Without `rename`/`copy` lines, old and new path must name one file: `git apply` refuses the pair
    /// (`--- a/X`, `+++ b/Y`), so passing it would judge a patch that is never applied as written.
    fn same_file_unless_moved(&self, fp: &FilePatch) -> Result<(), ParseError> {
        if fp.is_rename || fp.is_copy {
            return Ok(());
        }
        match (&fp.old_path, &fp.new_path) {
            (Some(old), Some(new)) if old != new => Err(ParseError {
                line: fp.line,
                file: Some(new.clone()),
                message: format!(
                    "the section names two different files ({old} and {new}) without `rename from`/`rename to` or `copy from`/`copy to` lines; write a rename or copy as `git diff -M` does, or one path on both sides"
                ),
            }),
            _ => Ok(()),
        }
    }

    /// The `GIT binary patch` blocks: one forward block and an optional reverse one, each `literal N` or
    /// `delta N`, base85 lines, and a blank line (as `git apply`'s `parse_binary` reads them).
    fn binary_blocks(&mut self, file: &str) -> Result<Vec<Vec<u8>>, ParseError> {
        let mut out = Vec::new();
        for block in 0..2 {
            let Some(head) = self.peek(0) else { break };
            if !is_binary_block_header(head) {
                if block == 0 {
                    return Err(self.err(
                        Some(file),
                        "`GIT binary patch` must be followed by `literal N` or `delta N`",
                    ));
                }
                break;
            }
            out.push(head.to_vec());
            self.pos += 1;
            let mut data_lines = 0usize;
            loop {
                let Some(l) = self.peek(0).map(<[u8]>::to_vec) else {
                    return Err(self.err(
                        Some(file),
                        "binary patch data ends without the blank line that closes it",
                    ));
                };
                self.pos += 1;
                let (empty, valid) = (l.is_empty(), is_base85_line(&l));
                out.push(l);
                if empty {
                    break;
                }
                if !valid {
                    return Err(ParseError {
                        line: self.pos,
                        file: Some(file.to_owned()),
                        message: "corrupt binary patch data (not a base85 line)".to_owned(),
                    });
                }
                data_lines += 1;
            }
            if data_lines == 0 {
                return Err(self.err(Some(file), "binary patch block without data"));
            }
        }
        Ok(out)
    }

    fn mode(&self, m: &[u8], file: Option<&str>) -> Result<u32, ParseError> {
        let s = String::from_utf8_lossy(m);
        u32::from_str_radix(s.trim(), 8)
            .map_err(|_| self.err(file, format!("bad file mode {:?}", s.trim())))
    }

    fn path(&self, p: &[u8], file: Option<&str>) -> Result<String, ParseError> {
        parse_path_token(p)
            .map(|(p, _)| p)
            .ok_or_else(|| self.err(file, "unreadable path (bad quoting or not UTF-8)"))
    }

    /// Reads the `---` / `+++` pair. `git` carries whether `diff --git` used a/ b/ prefixes and the paths it gave.
    fn file_headers(
        &mut self,
        fp: &mut FilePatch,
        git: Option<GitHeader>,
    ) -> Result<(), ParseError> {
        let minus = header(self.lines[self.pos]);
        let plus = header(self.lines[self.pos + 1]);
        let ctx = fp.display_path().to_owned();
        let old = self.header_path(&minus[4..], &ctx)?;
        let new = self.header_path(&plus[4..], &ctx)?;
        match git {
            Some((prefixed, (old_hint, new_hint))) => {
                // `diff --git` already named the paths (and renames); ---/+++ only decide creation/deletion.
                let strip = |p: String, prefix: &str| -> String {
                    if prefixed {
                        p.strip_prefix(prefix).map(str::to_owned).unwrap_or(p)
                    } else {
                        p
                    }
                };
                // `diff --git` named renames and copies; otherwise the ---/+++ lines are the paths used, and where
                // `diff --git` named one file they must name it too (git apply: "inconsistent filename").
                let keep_hints = fp.is_rename || fp.is_copy;
                if !keep_hints
                    && let (Some(h_old), Some(h_new)) = (&old_hint, &new_hint)
                    && h_old == h_new
                {
                    for side in [
                        old.clone().map(|p| strip(p, "a/")),
                        new.clone().map(|p| strip(p, "b/")),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        if &side != h_old {
                            return Err(self.err(
                                Some(h_old),
                                format!(
                                    "the ---/+++ lines name {side}, but `diff --git` names {h_old}"
                                ),
                            ));
                        }
                    }
                }
                fp.old_path = match old {
                    None => None,
                    Some(p) if keep_hints => old_hint.or(Some(strip(p, "a/"))),
                    Some(p) => Some(strip(p, "a/")),
                };
                fp.new_path = match new {
                    None => None,
                    Some(p) if keep_hints => new_hint.or(Some(strip(p, "b/"))),
                    Some(p) => Some(strip(p, "b/")),
                };
            }
            None => {
                // Plain `diff -u`: strip a/ b/ only when both sides (or the non-null side) use them.
                let prefixed = old.as_deref().is_none_or(|p| p.starts_with("a/"))
                    && new.as_deref().is_none_or(|p| p.starts_with("b/"));
                let strip = |p: Option<String>, prefix: &str| -> Option<String> {
                    p.map(|p| {
                        if prefixed {
                            p.strip_prefix(prefix).map(str::to_owned).unwrap_or(p)
                        } else {
                            p
                        }
                    })
                };
                fp.old_path = strip(old, "a/");
                fp.new_path = strip(new, "b/");
                if fp.old_path.is_none() && fp.new_path.is_none() {
                    return Err(self.err(None, "both sides of the file header are /dev/null"));
                }
            }
        }
        self.pos += 2;
        Ok(())
    }

    /// A `---`/`+++` path: `/dev/null` is `None`; a tab ends the name (timestamps follow it in `diff -u`).
    fn header_path(&self, raw: &[u8], ctx: &str) -> Result<Option<String>, ParseError> {
        let (path, _) = parse_path_token(raw).ok_or_else(|| {
            let file = if ctx == "<unknown>" { None } else { Some(ctx) };
            self.err(
                file,
                "unreadable path in file header (bad quoting or not UTF-8)",
            )
        })?;
        let path = match path.split_once('\t') {
            Some((p, _)) => p.to_owned(),
            None => path,
        };
        let trimmed = path.trim_end().to_owned();
        if trimmed == "/dev/null" {
            Ok(None)
        } else {
            Ok(Some(trimmed))
        }
    }

    fn hunks(&mut self, fp: &mut FilePatch) -> Result<(), ParseError> {
        while let Some(line) = self.peek(0) {
            if !line.starts_with(b"@@") {
                break;
            }
            let hunk = self.hunk(fp.display_path().to_owned())?;
            fp.hunks.push(hunk);
        }
        Ok(())
    }

    fn hunk(&mut self, file: String) -> Result<Hunk, ParseError> {
        let head = header(self.lines[self.pos]);
        let head_text = String::from_utf8_lossy(head).into_owned();
        let numbers = parse_hunk_header(&head_text);
        let mut hunk = Hunk {
            header: head_text.clone(),
            ..Hunk::default()
        };
        match numbers {
            Some((os, oc, ns, nc)) => {
                hunk.old_start = Some(os);
                hunk.old_count = oc;
                hunk.new_start = Some(ns);
                hunk.new_count = nc;
            }
            None if self.lenient => {}
            None => {
                return Err(self.err(Some(&file), format!("malformed hunk header {head_text:?}")));
            }
        }
        self.pos += 1;
        if self.lenient {
            if hunk.old_start.is_some() {
                hunk.stated_counts = Some((hunk.old_count, hunk.new_count));
            }
            self.hunk_body_recount(&mut hunk, &file)?
        } else {
            self.hunk_body_counted(&mut hunk, &file)?
        }
        Ok(hunk)
    }

    fn no_newline_marker(hunk: &mut Hunk) {
        match hunk.lines.last() {
            Some(HunkLine::Context(_)) => {
                hunk.old_no_newline = true;
                hunk.new_no_newline = true;
            }
            Some(HunkLine::Remove(_)) => hunk.old_no_newline = true,
            Some(HunkLine::Add(_)) => hunk.new_no_newline = true,
            None => {}
        }
    }

    fn hunk_body_counted(&mut self, hunk: &mut Hunk, file: &str) -> Result<(), ParseError> {
        let (mut old_left, mut new_left) = (hunk.old_count, hunk.new_count);
        while old_left > 0 || new_left > 0 {
            let Some(line) = self.peek(0) else {
                return Err(self.err(
                    Some(file),
                    format!(
                        "hunk {:?} ends early: {old_left} old and {new_left} new lines missing",
                        hunk.header
                    ),
                ));
            };
            let (kind, text) = match line.first() {
                // git apply reads an empty line as an empty context line.
                None => (b' ', line),
                Some(b' ') | Some(b'-') | Some(b'+') => (line[0], &line[1..]),
                Some(b'\\') => {
                    Self::no_newline_marker(hunk);
                    self.pos += 1;
                    continue;
                }
                Some(_) => {
                    return Err(self.err(
                        Some(file),
                        format!(
                            "unexpected line in hunk {:?} ({old_left} old and {new_left} new lines still expected)",
                            hunk.header
                        ),
                    ));
                }
            };
            let (need_old, need_new) = match kind {
                b' ' => (true, true),
                b'-' => (true, false),
                _ => (false, true),
            };
            if (need_old && old_left == 0) || (need_new && new_left == 0) {
                return Err(self.err(
                    Some(file),
                    format!("hunk {:?} has more lines than its header says", hunk.header),
                ));
            }
            if need_old {
                old_left -= 1;
            }
            if need_new {
                new_left -= 1;
            }
            let text = text.to_vec();
            hunk.lines.push(match kind {
                b' ' => HunkLine::Context(text),
                b'-' => HunkLine::Remove(text),
                _ => HunkLine::Add(text),
            });
            self.pos += 1;
        }
        // A marker may follow the last counted line.
        if let Some(l) = self.peek(0)
            && l.starts_with(b"\\")
        {
            Self::no_newline_marker(hunk);
            self.pos += 1;
        }
        Ok(())
    }

    fn hunk_body_recount(&mut self, hunk: &mut Hunk, file: &str) -> Result<(), ParseError> {
        // Blank lines that are trailing (not followed by more hunk lines) are separators, not context.
        let mut pending_blank = 0usize;
        while let Some(line) = self.peek(0) {
            if line.starts_with(b"diff --git ")
                || line.starts_with(b"@@")
                || self.at_traditional_header()
            {
                break;
            }
            let trimmed = header(line);
            if trimmed.is_empty() {
                pending_blank += 1;
                self.pos += 1;
                continue;
            }
            let kind = line[0];
            if !matches!(kind, b' ' | b'-' | b'+' | b'\\') {
                break;
            }
            for _ in 0..pending_blank {
                hunk.lines.push(HunkLine::Context(Vec::new()));
            }
            pending_blank = 0;
            match kind {
                b'\\' => Self::no_newline_marker(hunk),
                b' ' => hunk.lines.push(HunkLine::Context(line[1..].to_vec())),
                b'-' => hunk.lines.push(HunkLine::Remove(line[1..].to_vec())),
                _ => hunk.lines.push(HunkLine::Add(line[1..].to_vec())),
            }
            self.pos += 1;
        }
        if hunk.lines.is_empty() {
            return Err(self.err(Some(file), format!("hunk {:?} has no lines", hunk.header)));
        }
        hunk.old_count = hunk
            .lines
            .iter()
            .filter(|l| !matches!(l, HunkLine::Add(_)))
            .count();
        hunk.new_count = hunk
            .lines
            .iter()
            .filter(|l| !matches!(l, HunkLine::Remove(_)))
            .count();
        Ok(())
    }
}

/// A (possibly abbreviated) blob id.
fn is_hex_id(s: &str) -> bool {
    (4..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `literal 123` or `delta 45`.
fn is_binary_block_header(line: &[u8]) -> bool {
    let digits = line
        .strip_prefix(b"literal ")
        .or_else(|| line.strip_prefix(b"delta "));
    digits.is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
}

/// One base85 line of a binary patch: a length character (`A`-`Z` 1-26, `a`-`z` 27-52 bytes) and groups of five
/// base85 characters that can hold that many bytes (git's `parse_binary_hunk` check).
fn is_base85_line(line: &[u8]) -> bool {
    let Some((&len_char, data)) = line.split_first() else {
        return false;
    };
    let byte_length = match len_char {
        b'A'..=b'Z' => usize::from(len_char - b'A') + 1,
        b'a'..=b'z' => usize::from(len_char - b'a') + 27,
        _ => return false,
    };
    if data.is_empty() || data.len() % 5 != 0 {
        return false;
    }
    let max_byte_length = data.len() / 5 * 4;
    let alphabet = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&()*+-;<=>?@^_`{|}~".contains(b);
    byte_length <= max_byte_length && byte_length > max_byte_length - 4 && data.iter().all(alphabet)
}

/// `@@ -a[,b] +c[,d] @@ ...` → `(a, b, c, d)`; a missing count is 1.
fn parse_hunk_header(line: &str) -> Option<(usize, usize, usize, usize)> {
    let rest = line.strip_prefix("@@ ")?;
    let end = rest.find(" @@")?;
    let mut parts = rest[..end].split_whitespace();
    let old = parts.next()?.strip_prefix('-')?;
    let new = parts.next()?.strip_prefix('+')?;
    if parts.next().is_some() {
        return None;
    }
    let range = |s: &str| -> Option<(usize, usize)> {
        match s.split_once(',') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => Some((s.parse().ok()?, 1)),
        }
    };
    let (os, oc) = range(old)?;
    let (ns, nc) = range(new)?;
    Some((os, oc, ns, nc))
}

/// Reads one path token: a C-quoted `"..."` string or the raw text. Returns the path and the unread rest.
fn parse_path_token(raw: &[u8]) -> Option<(String, &[u8])> {
    if raw.first() == Some(&b'"') {
        let (bytes, used) = unquote_c(raw)?;
        Some((String::from_utf8(bytes).ok()?, &raw[used..]))
    } else {
        Some((std::str::from_utf8(raw).ok()?.to_owned(), &[]))
    }
}

/// Git's C-style quoting: `"a/t\303\251st\tx"`. Returns the bytes and how many input bytes were used.
fn unquote_c(raw: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut i = 1;
    while i < raw.len() {
        match raw[i] {
            b'"' => return Some((out, i + 1)),
            b'\\' => {
                let c = *raw.get(i + 1)?;
                i += 2;
                match c {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    b'"' | b'\\' => out.push(c),
                    b'0'..=b'7' => {
                        let digits = raw.get(i - 1..i + 2)?;
                        let mut v: u32 = 0;
                        for d in digits {
                            if !(b'0'..=b'7').contains(d) {
                                return None;
                            }
                            v = v * 8 + u32::from(d - b'0');
                        }
                        out.push(u8::try_from(v).ok()?);
                        i += 2;
                    }
                    _ => return None,
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

/// Splits the rest of a `diff --git ` line into its two paths (prefixes kept).
fn split_git_header_paths(rest: &[u8]) -> Option<(String, String)> {
    if rest.first() == Some(&b'"') {
        let (a, tail) = parse_path_token(rest)?;
        let tail = tail.strip_prefix(b" ")?;
        let (b, _) = parse_path_token(tail)?;
        return Some((a, b));
    }
    let text = std::str::from_utf8(rest).ok()?;
    if let Some(idx) = text.find(" \"") {
        let a = text[..idx].to_owned();
        let (b, _) = parse_path_token(&rest[idx + 1..])?;
        return Some((a, b));
    }
    // Unquoted names may contain spaces: prefer the split where both halves name the same file.
    let candidates: Vec<usize> = text.match_indices(' ').map(|(i, _)| i).collect();
    for &i in &candidates {
        let (a, b) = (&text[..i], &text[i + 1..]);
        let strip = |s: &str| {
            s.split_once('/')
                .map(|(_, r)| r.to_owned())
                .unwrap_or_else(|| s.to_owned())
        };
        if strip(a) == strip(b) || a == b {
            return Some((a.to_owned(), b.to_owned()));
        }
    }
    // A rename: the ` b/` separator is the best guess; rename from/to lines override it anyway.
    if let Some(i) = text.find(" b/") {
        return Some((text[..i].to_owned(), text[i + 1..].to_owned()));
    }
    let i = *candidates.first()?;
    Some((text[..i].to_owned(), text[i + 1..].to_owned()))
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
