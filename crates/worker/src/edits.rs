//! The model's answer: parsing it into edits, applying them to the base files with tolerant matching, and
//! producing the exact unified diff.
//!
//! The worker never trusts a model-written diff. It asks for SEARCH/REPLACE edits (as JSON, constrained by
//! [`answer_schema`] where the server supports structured output), finds each `search` text in the base file —
//! exact, then ignoring trailing whitespace, then ignoring surrounding whitespace, then with Unicode punctuation
//! normalised, the same passes the gate's `--fuzzy` uses (one implementation: `gate::apply`) — refuses a search
//! that matches in several places, and computes the diff itself with `similar`. See `docs/MODEL_CONTRACT.md`.
//!
//! The answer comes from a model, so the work it can cause is bounded ([`Limits`]): edits past `max_edits` are
//! refused before any file is read, locating all edits shares one budget of line comparisons, and the diff
//! stops looking for the smallest one after [`DIFF_DEADLINE`].

use protocol::WorkerCode;
use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

/// One change the model asks for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Edit {
    /// Repository-relative path.
    pub path: String,
    /// Lines to find (empty: create the file, or append to an empty one).
    #[serde(default)]
    pub search: String,
    /// Lines to put in their place.
    #[serde(default)]
    pub replace: String,
}

/// A file the model wrote out in full (the whole-file format, [`crate::whole`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeFile {
    /// Repository-relative path, as written.
    pub path: String,
    /// The file's complete new text, or of the part named by `lines`.
    pub content: String,
    /// The part of a large file this text replaces (`path lines A-B`, 1-based, inclusive), as the prompt showed
    /// it; turned into a whole file by [`crate::regions::splice`] before it is applied.
    pub lines: Option<(usize, usize)>,
}

/// A parsed answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    /// Files written out in full; applied before `edits`.
    pub files: Vec<WholeFile>,
    /// The edits, in order.
    pub edits: Vec<Edit>,
    /// The model's one-line summary, if it gave one.
    pub summary: Option<String>,
}

#[derive(Deserialize)]
struct AnswerJson {
    #[serde(default)]
    edits: Vec<Edit>,
    #[serde(default)]
    summary: Option<String>,
}

/// Why an answer or an edit was refused. Each has a stable code; the message is fed back to the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct EditError {
    /// `EDIT_FORMAT_INVALID`, `EDIT_NO_EDITS`, `EDIT_TOO_MANY`, `EDIT_OUTSIDE_TARGETS`, `EDIT_NO_MATCH`,
    /// `EDIT_AMBIGUOUS`, `EDIT_TOO_COSTLY`, `EDIT_NO_CHANGE`, `EDIT_PATH_INVALID`, `EDIT_TEXT_INVALID`.
    pub code: WorkerCode,
    /// What went wrong, phrased so the model can correct it.
    pub message: String,
}

impl EditError {
    /// An error with its code and the sentence the model reads.
    pub fn new(code: WorkerCode, message: impl Into<String>) -> EditError {
        EditError {
            code,
            message: message.into(),
        }
    }
}

fn err(code: WorkerCode, message: impl Into<String>) -> EditError {
    EditError::new(code, message)
}

/// The JSON Schema sent as structured-output format (Ollama `format`, OpenAI `response_format`). `max_edits` bounds
/// the array and `max_chars` (when > 0) each string: grammar-constrained decoding then cannot loop forever.
pub fn answer_schema(max_edits: u32, max_chars: u32) -> serde_json::Value {
    let mut text = serde_json::json!({"type": "string"});
    if max_chars > 0 {
        text["maxLength"] = serde_json::json!(max_chars);
    }
    serde_json::json!({
        "type": "object",
        "properties": {
            "summary": text,
            "edits": {
                "type": "array",
                "maxItems": max_edits,
                "items": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string"},
                        "search": text,
                        "replace": text
                    },
                    "required": ["path", "search", "replace"]
                }
            }
        },
        "required": ["edits"]
    })
}

/// Parses an answer: JSON `{"edits": [...]}` (bare, fenced in ``` or inside prose), or Aider-style
/// `path` + `<<<<<<< SEARCH` / `=======` / `>>>>>>> REPLACE` blocks.
pub fn parse_answer(text: &str) -> Result<Answer, EditError> {
    let trimmed = text.trim();
    let mut candidates: Vec<&str> = vec![trimmed];
    candidates.extend(fenced_blocks(trimmed));
    if let (Some(a), Some(b)) = (trimmed.find('{'), trimmed.rfind('}'))
        && a < b
    {
        candidates.push(&trimmed[a..=b]);
    }
    for c in &candidates {
        if let Ok(a) = serde_json::from_str::<AnswerJson>(c) {
            if a.edits.is_empty() {
                return Err(err(
                    WorkerCode::EditNoEdits,
                    "the answer has no edits; give at least one edit that makes the change",
                ));
            }
            return Ok(Answer {
                files: Vec::new(),
                edits: a.edits,
                summary: a.summary,
            });
        }
    }
    let blocks = search_replace_blocks(trimmed);
    if !blocks.is_empty() {
        return Ok(Answer {
            files: Vec::new(),
            edits: blocks,
            summary: None,
        });
    }
    let excerpt: String = trimmed.chars().take(160).collect();
    Err(err(
        WorkerCode::EditFormatInvalid,
        format!(
            "the answer is not the requested JSON object {{\"edits\": [{{\"path\", \"search\", \"replace\"}}]}}; it began: {excerpt:?}"
        ),
    ))
}

/// Contents of ``` fenced blocks.
fn fenced_blocks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let body_start = after.find('\n').map_or(after.len(), |i| i + 1);
        let body = &after[body_start..];
        let Some(end) = body.find("```") else { break };
        out.push(body[..end].trim());
        rest = &body[end + 3..];
    }
    out
}

/// Aider's edit blocks: the path on the line before `<<<<<<< SEARCH`.
fn search_replace_blocks(text: &str) -> Vec<Edit> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_start().starts_with("<<<<<<< SEARCH") {
            let path = lines[..i]
                .iter()
                .rev()
                .map(|l| l.trim().trim_matches('`').trim())
                .find(|l| !l.is_empty() && !l.starts_with("```"))
                .unwrap_or("")
                .to_string();
            let mut j = i + 1;
            let mut search = Vec::new();
            while j < lines.len() && !lines[j].trim_start().starts_with("=======") {
                search.push(lines[j]);
                j += 1;
            }
            let mut k = j + 1;
            let mut replace = Vec::new();
            while k < lines.len() && !lines[k].trim_start().starts_with(">>>>>>> REPLACE") {
                replace.push(lines[k]);
                k += 1;
            }
            if k < lines.len() {
                let join = |v: &[&str]| {
                    if v.is_empty() {
                        String::new()
                    } else {
                        format!("{}\n", v.join("\n"))
                    }
                };
                out.push(Edit {
                    path,
                    search: join(&search),
                    replace: join(&replace),
                });
            }
            i = k + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Is `path` one of the allowed targets (an exact file, or inside an allowed folder)?
pub fn is_allowed(path: &str, targets: &[String]) -> bool {
    targets.iter().any(|t| {
        let t = t.trim_end_matches('/');
        path == t
            || path
                .strip_prefix(t)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Normalises a model-written path (`./a`, `a//b`); refuses absolute paths and `..`. The path is taken as
/// written: a diff-style `a/` or `b/` prefix is a real folder in some repositories (see [`resolve_path`]).
fn clean_path(raw: &str) -> Result<String, EditError> {
    let raw = raw.trim();
    // Control characters (newline, tab, ...) would corrupt the `diff --git`/`---`/`+++` headers of the diff.
    // A `"` would have to be quoted in the diff headers (git's quotePath rules); refuse it rather than risk the
    // gate reading another path.
    if raw.is_empty()
        || raw.starts_with('/')
        || raw.contains('\\')
        || raw.contains('"')
        || raw.chars().any(char::is_control)
    {
        return Err(err(
            WorkerCode::EditPathInvalid,
            format!("{raw:?} is not a repository-relative path"),
        ));
    }
    let mut parts = Vec::new();
    for p in raw.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                return Err(err(
                    WorkerCode::EditPathInvalid,
                    format!("{raw:?} contains `..`"),
                ));
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// The path an edit means: `path` as written, unless it does not exist at the base while the path without one
/// leading `a/` or `b/` (a model imitating diff headers) does. Never strips more than one prefix.
fn resolve_path(path: String, exists: &mut impl FnMut(&str) -> bool) -> String {
    let Some(stripped) = path
        .strip_prefix("a/")
        .or_else(|| path.strip_prefix("b/"))
        .filter(|rest| !rest.is_empty())
    else {
        return path;
    };
    if !exists(&path) && exists(stripped) {
        return stripped.to_owned();
    }
    path
}

/// A `\r` not followed by `\n`: the diff would end a line there and the gate would not.
fn has_lone_cr(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter()
        .enumerate()
        .any(|(i, &c)| c == b'\r' && b.get(i + 1) != Some(&b'\n'))
}

/// The files an answer changed: path → (old content or None for a new file, new content).
pub type Changes = BTreeMap<String, (Option<Vec<u8>>, Vec<u8>)>;

/// How long [`render`] looks for the smallest diff of an answer's files before it settles for a correct,
/// larger one (a clock, because `similar` offers no work count; the diff is exact either way).
pub const DIFF_DEADLINE: Duration = Duration::from_secs(5);

/// Bounds on the work one answer may cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most edits in one answer (`AUTODEV_MAX_EDITS`); an answer with more is refused whole, before any file is
    /// read (`EDIT_TOO_MANY`).
    pub max_edits: usize,
    /// Line comparisons locating all of the answer's edits may take together (`EDIT_TOO_COSTLY` past it).
    pub work_budget: u64,
}

impl Default for Limits {
    /// 100 edits (the most `AUTODEV_MAX_EDITS` allows) and the gate's work budget for a whole patch.
    fn default() -> Self {
        Limits {
            max_edits: 100,
            work_budget: gate::apply::DEFAULT_WORK_BUDGET,
        }
    }
}

/// Refuses an answer with more than `max_edits` edits (whole files count as edits): counting is all it costs,
/// whatever the edits say.
pub fn check_edit_count(answer: &Answer, max_edits: usize) -> Result<(), EditError> {
    let n = answer.edits.len() + answer.files.len();
    if n <= max_edits {
        return Ok(());
    }
    Err(err(
        WorkerCode::EditTooMany,
        format!(
            "the answer has {n} edits, but at most {max_edits} are allowed (AUTODEV_MAX_EDITS); give only the \
             edits the change needs, merging neighbouring ones"
        ),
    ))
}

/// Applies `answer` to the base files within the default [`Limits`]. `read_base(path)` returns a file's content
/// at the base revision (None when it does not exist). Every edit must stay inside `targets`.
pub fn apply_answer(
    answer: &Answer,
    targets: &[String],
    read_base: impl FnMut(&str) -> Option<Vec<u8>>,
) -> Result<Changes, Vec<EditError>> {
    apply_answer_within(answer, targets, read_base, Limits::default())
}

/// [`apply_answer`] within `limits`: too many edits are refused before `read_base` is called at all, and once
/// locating the edits has spent the work budget the answer is refused (`EDIT_TOO_COSTLY`) without trying the
/// rest.
pub fn apply_answer_within(
    answer: &Answer,
    targets: &[String],
    mut read_base: impl FnMut(&str) -> Option<Vec<u8>>,
    limits: Limits,
) -> Result<Changes, Vec<EditError>> {
    check_edit_count(answer, limits.max_edits).map_err(|e| vec![e])?;
    let mut budget = gate::apply::Budget::new(limits.work_budget);
    let mut files: Changes = BTreeMap::new();
    let mut errors = Vec::new();
    for whole in &answer.files {
        if let Err(e) = apply_whole(whole, targets, &mut files, &mut read_base) {
            errors.push(e);
        }
    }
    for (n, edit) in answer.edits.iter().enumerate() {
        let n = n + 1;
        let path = match clean_path(&edit.path) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let path = resolve_path(path, &mut |p| {
            files.get(p).is_some_and(|(old, _)| old.is_some()) || read_base(p).is_some()
        });
        if !is_allowed(&path, targets) {
            errors.push(err(
                WorkerCode::EditOutsideTargets,
                format!(
                    "edit {n} changes {path}, which is not one of the allowed paths: {}",
                    targets.join(", ")
                ),
            ));
            continue;
        }
        if has_lone_cr(&edit.search) || has_lone_cr(&edit.replace) {
            errors.push(err(
                WorkerCode::EditTextInvalid,
                format!("edit {n} for {path} contains a carriage return that is not followed by a newline; use \\n line ends"),
            ));
            continue;
        }
        let entry = files.entry(path.clone()).or_insert_with(|| {
            let base = read_base(&path);
            let current = base.clone().unwrap_or_default();
            (base, current)
        });
        let current = &mut entry.1;
        if edit.search.trim().is_empty() {
            if current.iter().all(u8::is_ascii_whitespace) {
                *current = edit.replace.clone().into_bytes();
            } else {
                errors.push(err(
                    WorkerCode::EditNoMatch,
                    format!("edit {n} for {path} has an empty `search`, but the file is not empty; quote the lines to replace"),
                ));
            }
            continue;
        }
        let hunk = to_hunk(&edit.search, &edit.replace);
        match gate::apply::apply_hunks_within(
            current,
            std::slice::from_ref(&hunk),
            gate::apply::MatchMode::Fuzzy,
            false,
            &mut budget,
        ) {
            Ok(new) => *current = new,
            Err(failures) => {
                for f in failures {
                    let code = match f.error {
                        gate::apply::HunkError::Ambiguous { .. } => WorkerCode::EditAmbiguous,
                        gate::apply::HunkError::TooCostly { limit } => {
                            errors.push(too_costly(n, limit));
                            return Err(errors);
                        }
                        _ => WorkerCode::EditNoMatch,
                    };
                    let msg = f.message(&path).replacen(
                        &format!("hunk #{}", f.hunk),
                        &format!("edit {n}"),
                        1,
                    );
                    errors.push(err(code, msg));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    files.retain(|_, (old, new)| old.as_deref() != Some(new.as_slice()));
    if files.is_empty() {
        let message = if answer.edits.is_empty() {
            "the answer changes nothing: every file it wrote is the same as before"
        } else {
            "the edits change nothing: `replace` equals `search` everywhere"
        };
        return Err(vec![err(WorkerCode::EditNoChange, message)]);
    }
    Ok(files)
}

/// Puts a whole-file answer's text in place of the file: same path rules as an edit; the base file's line ends
/// (CRLF) and its missing final newline are kept; a file shortened with "... rest unchanged" is refused.
fn apply_whole(
    whole: &WholeFile,
    targets: &[String],
    files: &mut Changes,
    read_base: &mut impl FnMut(&str) -> Option<Vec<u8>>,
) -> Result<(), EditError> {
    let path = clean_path(&whole.path)?;
    let path = resolve_path(path, &mut |p| {
        files.get(p).is_some_and(|(old, _)| old.is_some()) || read_base(p).is_some()
    });
    if !is_allowed(&path, targets) {
        return Err(err(
            WorkerCode::EditOutsideTargets,
            format!(
                "{path} is not one of the allowed paths: {}",
                targets.join(", ")
            ),
        ));
    }
    if has_lone_cr(&whole.content) {
        return Err(err(
            WorkerCode::EditTextInvalid,
            format!("the new {path} contains a carriage return that is not followed by a newline"),
        ));
    }
    let entry = files.entry(path.clone()).or_insert_with(|| {
        let base = read_base(&path);
        let current = base.clone().unwrap_or_default();
        (base, current)
    });
    let old = String::from_utf8_lossy(&entry.1).into_owned();
    if let Some(line) = crate::whole::elided_line(&whole.content, &old) {
        return Err(err(
            WorkerCode::EditElided,
            format!(
                "the new {path} leaves code out ({line:?}); write the whole file, every line, including the                  lines you do not change"
            ),
        ));
    }
    let mut new = whole.content.clone();
    if old.contains("\r\n") && !new.contains('\r') {
        new = new.replace('\n', "\r\n");
    }
    if !old.is_empty() && !old.ends_with('\n') {
        new.truncate(new.trim_end_matches(['\r', '\n']).len());
    }
    entry.1 = new.into_bytes();
    Ok(())
}

fn too_costly(n: usize, limit: u64) -> EditError {
    err(
        WorkerCode::EditTooCostly,
        format!(
            "locating the edits took more than {limit} line comparisons (at edit {n}); quote fewer, shorter and \
             more distinctive lines in `search`"
        ),
    )
}

fn to_hunk(search: &str, replace: &str) -> gate::patch::Hunk {
    let lines = |s: &str| -> Vec<Vec<u8>> {
        let s = s.strip_suffix('\n').unwrap_or(s);
        if s.is_empty() {
            Vec::new()
        } else {
            s.split('\n').map(|l| l.as_bytes().to_vec()).collect()
        }
    };
    let old = lines(search);
    let new = lines(replace);
    let mut h = gate::patch::Hunk {
        old_count: old.len(),
        new_count: new.len(),
        header: "edit".into(),
        ..Default::default()
    };
    h.lines
        .extend(old.into_iter().map(gate::patch::HunkLine::Remove));
    h.lines
        .extend(new.into_iter().map(gate::patch::HunkLine::Add));
    h
}

/// The changes as a patch: the unified diff and its line counts, from one diff per file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The git-style unified diff.
    pub patch: String,
    /// Lines added.
    pub added: u64,
    /// Lines removed.
    pub removed: u64,
}

/// Renders the changes as a git-style unified diff (`diff --git`, `new file mode`, 3 lines of context) and
/// counts its lines. The search for the smallest diff ends at [`DIFF_DEADLINE`] for all files together.
pub fn render(changes: &Changes) -> Rendered {
    let deadline = std::time::Instant::now() + DIFF_DEADLINE;
    let mut out = Rendered {
        patch: String::new(),
        added: 0,
        removed: 0,
    };
    for (path, (old, new)) in changes {
        let old_text = old
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let new_text = String::from_utf8_lossy(new);
        out.patch
            .push_str(&format!("diff --git a/{path} b/{path}\n"));
        let (from, to) = match old {
            None => {
                out.patch.push_str("new file mode 100644\n");
                ("/dev/null".to_string(), format!("b/{path}"))
            }
            Some(_) => (format!("a/{path}"), format!("b/{path}")),
        };
        let diff = similar::TextDiff::configure()
            .deadline(deadline)
            .diff_lines(old_text.as_ref(), new_text.as_ref());
        for op in diff.iter_all_changes() {
            match op.tag() {
                similar::ChangeTag::Insert => out.added += 1,
                similar::ChangeTag::Delete => out.removed += 1,
                similar::ChangeTag::Equal => {}
            }
        }
        let body = diff
            .unified_diff()
            .context_radius(3)
            .header(&from, &to)
            .to_string();
        out.patch.push_str(&body);
        if !body.ends_with('\n') {
            out.patch.push('\n');
        }
    }
    out
}

/// The unified diff of [`render`].
pub fn unified_diff(changes: &Changes) -> String {
    render(changes).patch
}

/// Lines added and removed, as [`render`] counts them.
pub fn line_counts(changes: &Changes) -> (u64, u64) {
    let r = render(changes);
    (r.added, r.removed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Found by `cargo fuzz run model_answer`: a path with a newline was accepted and broke the diff headers.
    #[test]
    fn control_characters_in_paths_are_refused() {
        let answer =
            parse_answer(r#"{"edits":[{"path":"src/l  s\n=","search":"","replace":"x\n"}]}"#)
                .unwrap();
        let errs = apply_answer(&answer, &["src/".to_owned()], |_| None).unwrap_err();
        assert_eq!(errs[0].code, WorkerCode::EditPathInvalid);
        for bad in ["src/a\tb", "src/a\rb", "src/a\u{7f}"] {
            assert_eq!(
                clean_path(bad).unwrap_err().code,
                WorkerCode::EditPathInvalid,
                "{bad:?}"
            );
        }
        assert_eq!(clean_path("./src//a b.rs").unwrap(), "src/a b.rs");
    }

    /// Found by `cargo fuzz run model_answer`: `similar` ends a line at a lone `\r`, the gate does not, so the
    /// diff of such a text would be refused as malformed. The edit is refused up front instead.
    #[test]
    fn lone_carriage_returns_are_refused() {
        let answer = Answer {
            files: Vec::new(),
            edits: vec![Edit {
                path: "f".into(),
                search: "a\n".into(),
                replace: "a\rx\n".into(),
            }],
            summary: None,
        };
        let errs =
            apply_answer(&answer, &["f".to_owned()], |_| Some(b"a\nb\n".to_vec())).unwrap_err();
        assert_eq!(errs[0].code, WorkerCode::EditTextInvalid);
        // CRLF is fine.
        assert!(!has_lone_cr("a\r\nb\r\n"));
    }

    /// Found by `cargo fuzz run model_answer`: a path with a `"` would be written into the diff headers
    /// unquoted and the gate would read another path; such paths are refused.
    #[test]
    fn paths_with_quotes_are_refused() {
        assert_eq!(
            clean_path("src/a \"b\".rs").unwrap_err().code,
            WorkerCode::EditPathInvalid
        );
    }

    fn edit(path: &str, search: &str, replace: &str) -> Edit {
        Edit {
            path: path.into(),
            search: search.into(),
            replace: replace.into(),
        }
    }

    /// Found by running the worker: 20,000 non-matching edits took minutes of CPU. Now counting them is all the
    /// work an oversized answer gets.
    #[test]
    fn too_many_edits_are_refused_before_any_file_is_read() {
        let answer = Answer {
            files: Vec::new(),
            edits: (0..20_000)
                .map(|i| edit("f", &format!("line {i} that is nowhere\n"), "x\n"))
                .collect(),
            summary: None,
        };
        let mut reads = 0;
        let limits = Limits {
            max_edits: 8,
            ..Limits::default()
        };
        let errs = apply_answer_within(
            &answer,
            &["f".to_owned()],
            |_| {
                reads += 1;
                Some(b"a\n".to_vec())
            },
            limits,
        )
        .unwrap_err();
        assert_eq!(reads, 0);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, WorkerCode::EditTooMany);
        assert!(
            errs[0].message.contains("20000 edits") && errs[0].message.contains("at most 8"),
            "{}",
            errs[0].message
        );
        assert!(check_edit_count(&answer, 20_000).is_ok());
    }

    /// One budget of line comparisons for the whole answer, not one per edit.
    #[test]
    fn the_work_budget_is_shared_by_all_edits() {
        let base: String = (0..400).map(|i| format!("line {i}\n")).collect();
        let answer = Answer {
            files: Vec::new(),
            edits: (0..3)
                .map(|i| edit("f", &format!("line {}\n", 399 - i), "changed\n"))
                .collect(),
            summary: None,
        };
        let read = |_: &str| Some(base.clone().into_bytes());
        // Each edit alone costs about 400 comparisons (every position of the first pass).
        let small = Limits {
            max_edits: 8,
            work_budget: 1000,
        };
        let errs = apply_answer_within(&answer, &["f".to_owned()], read, small).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].code, WorkerCode::EditTooCostly);
        assert!(errs[0].message.contains("edit 3"), "{}", errs[0].message);
        assert!(apply_answer(&answer, &["f".to_owned()], read).is_ok());
    }

    /// Found by running the worker: in a repository with a top-level `a/` folder, `a/x.txt` became `x.txt`.
    #[test]
    fn paths_are_taken_as_written() {
        let base = |files: &'static [&'static str]| {
            move |p: &str| files.contains(&p).then(|| b"old\n".to_vec())
        };
        let one = |path: &str| Answer {
            files: Vec::new(),
            edits: vec![edit(path, "old\n", "new\n")],
            summary: None,
        };
        let all = [
            "a/".to_owned(),
            "b/".to_owned(),
            "x.txt".to_owned(),
            "src/".to_owned(),
        ];
        let changed = |answer: &Answer, files: &'static [&'static str]| {
            apply_answer(answer, &all, base(files))
                .unwrap()
                .into_keys()
                .collect::<Vec<_>>()
        };
        // A real a/ folder: the path stays, even when x.txt exists too.
        assert_eq!(changed(&one("a/x.txt"), &["a/x.txt", "x.txt"]), ["a/x.txt"]);
        assert_eq!(changed(&one("b/x.txt"), &["b/x.txt"]), ["b/x.txt"]);
        // A diff-style prefix on a path that exists only without it: stripped.
        assert_eq!(
            changed(&one("a/src/lib.rs"), &["src/lib.rs"]),
            ["src/lib.rs"]
        );
        assert_eq!(
            changed(&one("b/src/lib.rs"), &["src/lib.rs"]),
            ["src/lib.rs"]
        );
        // Once, never twice.
        assert_eq!(
            changed(&one("a/a/x.txt"), &["a/x.txt", "x.txt"]),
            ["a/x.txt"]
        );
        let errs = apply_answer(&one("a/b/x.txt"), &all, base(&["x.txt"])).unwrap_err();
        assert_eq!(
            errs[0].code,
            WorkerCode::EditNoMatch,
            "a/b/x.txt is not x.txt"
        );
    }

    /// Every diff the worker produces parses back to the same paths and applies strictly to the base.
    #[test]
    fn produced_diffs_round_trip_through_the_gate() {
        let old = b"one\r\ntwo\r\n".to_vec();
        let answer = parse_answer(
            r#"{"edits":[{"path":"dir/a b.rs","search":"two\n","replace":"three\n"}]}"#,
        )
        .unwrap();
        let changes = apply_answer(&answer, &["dir/".to_owned()], |_| Some(old.clone())).unwrap();
        let diff = unified_diff(&changes);
        let patch = gate::patch::parse(diff.as_bytes(), false).unwrap();
        assert_eq!(patch.files[0].display_path(), "dir/a b.rs");
        let got = gate::apply::apply_hunks(
            &old,
            &patch.files[0].hunks,
            gate::apply::MatchMode::Strict,
            false,
        )
        .unwrap();
        assert_eq!(got, b"one\r\nthree\r\n".to_vec());
    }
}
