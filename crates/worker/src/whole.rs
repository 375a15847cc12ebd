//! The whole-file answer format: for small files the model writes each changed file out in full, in a fenced
//! block under its path, instead of SEARCH/REPLACE edits.
//!
//! Why: a small coding model copies a file it has just read far more reliably than it quotes an exact excerpt of
//! it inside a JSON string. Measured with Qwen2.5-Coder-1.5B on HumanEval (docs/BENCHMARKS.md): 32 of 38 JSON
//! search/replace answers were refused with `EDIT_NO_MATCH` (a docstring skipped between the signature and the
//! body, `\n` escapes turned into newlines, a fence inside the JSON string). Whole files cost more tokens, so
//! [`choose`] keeps search/replace for files that would not fit comfortably in one answer.

use std::collections::BTreeMap;

use protocol::WorkerCode;

use crate::edits::{self, Answer, EditError, WholeFile};
use crate::regions::{self, Region};

/// How the model is asked to write its change (`AUTODEV_EDIT_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditFormat {
    /// Every changed file written out in full, in a fenced block after its path.
    Whole,
    /// JSON `{"summary", "edits": [{"path", "search", "replace"}]}` under a JSON schema.
    SearchReplace,
    /// Only the changed functions, classes or items, each in full, merged into the file by name
    /// ([`crate::defs`]). Python and Rust.
    Definitions,
}

impl EditFormat {
    /// The setting's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EditFormat::Whole => "whole",
            EditFormat::SearchReplace => "search-replace",
            EditFormat::Definitions => "definitions",
        }
    }

    /// Whether the answer is written as files in fenced blocks (whole, or definitions), not JSON.
    pub fn is_blocks(self) -> bool {
        self != EditFormat::SearchReplace
    }
}

impl std::str::FromStr for EditFormat {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "whole" => Ok(EditFormat::Whole),
            "search-replace" => Ok(EditFormat::SearchReplace),
            "definitions" => Ok(EditFormat::Definitions),
            _ => Err(()),
        }
    }
}

/// The system message for whole-file answers.
pub const SYSTEM_PROMPT: &str = "You are a careful software engineer changing a git repository. \
Answer in exactly this form: first a line that starts with `SUMMARY: ` and says in one sentence what the change \
does; then, for every file you change, the file's path alone on one line, followed by one fenced code block (``` \
and the language) that holds the complete new contents of that file. \
Rules: write each changed file out in full, including the lines you do not change; never shorten it with \
comments such as \"... rest unchanged\"; change only the allowed paths; make the change the request asks for, \
complete and correct, and keep everything else exactly as it is.";

/// The system message for definitions answers ([`EditFormat::Definitions`]); [`definitions_prompt`] puts it
/// together.
pub const DEFINITIONS_PROMPT: &str = "You are a careful software engineer changing a git repository. \
Answer in exactly this form: first a line that starts with `SUMMARY: ` and says in one sentence what the change \
does; then, for every file you change, the file's path alone on one line, followed by one fenced code block (``` \
and the language) that holds the complete new version of every function or class you change or add in that \
file, each written out in full with its signature and docstring, and any import it needs. Leave out the \
definitions you do not change. Rules: change only the allowed paths; make the change the request asks for, \
complete and correct.";

/// Opens a `fix` request's answer with the diagnosis: what the code does wrong, on which input, and why.
///
/// Why: the same model asked once in plain words explains the bug before it writes the fix; answers that start
/// with the code fixed fewer bugs. Measured with Qwen2.5-Coder-1.5B, first answers at temperature 0, on the
/// evaluation's 20-problem sample: fix 6/17 without the diagnosis, 10/17 with it; implement (a `feat`) 13/20
/// without, 11/20 with, so a feature's answer starts with its SUMMARY line.
pub const DIAGNOSIS_RULE: &str = "first think the change through in a few sentences (for a bug: what the code \
does wrong, on which input, and why); then ";

/// The system message of a definitions answer for a request of `intent`, its files shown whole or in parts.
pub fn definitions_prompt(intent: queue_core::Intent, in_parts: bool) -> String {
    let mut s = DEFINITIONS_PROMPT.to_owned();
    if intent == queue_core::Intent::Fix {
        // "Answer in exactly this form: first think … then a line that starts with `SUMMARY: ` …"
        s = s.replacen("first a line", &format!("{DIAGNOSIS_RULE}a line"), 1);
    }
    if in_parts {
        s.push_str(DEFINITIONS_PARTS_RULE);
    }
    s
}

/// Added to [`DEFINITIONS_PROMPT`] when a file is shown only in parts. It does not spell out the parts' header:
/// Qwen2.5-Coder-1.5B copied a `path lines A-B` it was told about as its block's header, with the stub unchanged
/// under it (HumanEval/17 in the haystack suite).
pub const DEFINITIONS_PARTS_RULE: &str = " A large file is shown only in parts: write the functions or classes you \
change in it the same way, under the file's path; only what is shown can be changed.";

/// Added to [`SYSTEM_PROMPT`] when a file is shown only in parts.
pub const PARTS_RULE: &str = " A large file is shown only in parts, each under a header `path lines A-B`: to \
change such a file, write the header of each part you change exactly as shown, then the complete new text of \
those lines in a ``` block; parts you do not change are left out.";

/// How a task's files are shown and how the answer writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The answer format.
    pub format: EditFormat,
    /// Files too large to write back whole, shown (and rewritten) only in these parts. Whole format only.
    pub regions: BTreeMap<String, Vec<Region>>,
}

/// Chooses the [`Plan`] for a task. `search-replace` shows every file whole. Otherwise a file that fits in one
/// answer (three quarters of `max_tokens`, by the worker's conservative estimate) is shown whole and written
/// whole (`whole`) or as its changed definitions (`definitions`; `auto` when every file is Python or Rust), and
/// a larger one is shown in the parts the request points at ([`regions::find`]), each small enough to write
/// back, together within half of `prompt_tokens`. `auto` falls back to search/replace when a large file has no
/// such part (the request names nothing in it); `whole` then shows the file whole anyway.
pub fn choose(
    setting: Option<EditFormat>,
    files: &BTreeMap<String, Vec<u8>>,
    request: &str,
    max_tokens: u32,
    prompt_tokens: u64,
) -> Plan {
    let search_replace = Plan {
        format: EditFormat::SearchReplace,
        regions: BTreeMap::new(),
    };
    if setting == Some(EditFormat::SearchReplace) {
        return search_replace;
    }
    let rewrite = u64::from(max_tokens) * 3 / 4;
    let mut regions = BTreeMap::new();
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(bytes);
        if crate::backend::estimate_tokens(&text) <= rewrite {
            continue;
        }
        let parts = regions::find(path, &text, request, rewrite, prompt_tokens / 2);
        if parts.is_empty() {
            if setting.is_none() {
                return search_replace;
            }
            continue;
        }
        regions.insert(path.clone(), parts);
    }
    // Definitions where every file can be merged by name (`auto`), or where asked for (a file in parts: every
    // file shown in parts must be mergeable); otherwise whole files, and a large file by its line-numbered parts.
    let mergeable = |p: &String| crate::defs::Lang::of(p).is_some();
    let definitions = regions.keys().all(mergeable)
        && match setting {
            Some(EditFormat::Definitions) => true,
            None => !files.is_empty() && files.keys().all(mergeable),
            _ => false,
        };
    Plan {
        format: if definitions {
            EditFormat::Definitions
        } else {
            EditFormat::Whole
        },
        regions,
    }
}

/// A fence longer than any run of backticks at the start of a line of `text`, so the file's own fences stay
/// inside the block.
pub fn fence_for(text: &str) -> String {
    let longest = text
        .lines()
        .map(|l| l.trim_start().bytes().take_while(|&b| b == b'`').count())
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// The fence language for a path, so the prompt shows files the way the answer should look.
pub fn fence_language(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "py" => "python",
        "rs" => "rust",
        "js" | "mjs" | "cjs" => "javascript",
        "ts" | "tsx" => "typescript",
        "go" => "go",
        "java" => "java",
        "c" | "h" => "c",
        "cc" | "cpp" | "hpp" => "cpp",
        "rb" => "ruby",
        "sh" => "sh",
        "toml" => "toml",
        "json" => "json",
        "yml" | "yaml" => "yaml",
        "md" => "markdown",
        _ => "",
    }
}

/// One fenced block of an answer.
struct Block<'a> {
    /// The path named in the fence's info string or on the line before it, if any.
    path: Option<String>,
    /// The part of the file it rewrites (`path lines A-B`), if named.
    part: Option<(usize, usize)>,
    lines: Vec<&'a str>,
}

/// Parses a whole-file answer. An answer in the other formats (JSON edits, SEARCH/REPLACE blocks) is accepted
/// too: a model does not always answer in the form it was asked for.
pub fn parse(text: &str, targets: &[String]) -> Result<Answer, EditError> {
    let blocks = blocks(text);
    // A JSON edit object, bare or in an unnamed ```json block, is an answer in the other format, not a file.
    let json_block = blocks.iter().any(|b| {
        b.path.is_none()
            && b.lines
                .first()
                .is_some_and(|l| l.trim_start().starts_with('{'))
            && b.lines.iter().any(|l| l.contains("\"edits\""))
    });
    let looks_like_edits = text.contains("<<<<<<< SEARCH")
        || blocks.is_empty()
        || json_block
        || (blocks.iter().all(|b| b.path.is_none()) && text.trim_start().starts_with('{'));
    if looks_like_edits {
        return edits::parse_answer(text).map_err(|_| {
            EditError::new(
                WorkerCode::EditFormatInvalid,
                "the answer has no file in a fenced code block; write `SUMMARY: ...`, then the file's path on \
                 its own line and the whole new file in a ``` block",
            )
        });
    }
    let single_target = match targets {
        [only] if !only.ends_with('/') => Some(only.clone()),
        _ => None,
    };
    let mut files: Vec<WholeFile> = Vec::new();
    let mut unnamed: Vec<Block> = Vec::new();
    for b in blocks {
        match b.path {
            Some(ref p) if single_target.is_none() || edits::is_allowed(p, targets) => {
                files.push(WholeFile {
                    path: p.clone(),
                    content: join(&b.lines),
                    lines: b.part,
                });
            }
            _ => unnamed.push(b),
        }
    }
    if files.is_empty() {
        // No block names a path: with one target file, the longest block is that file (a model sometimes adds
        // a usage example in a second block).
        match (&single_target, unnamed.iter().max_by_key(|b| b.lines.len())) {
            (Some(t), Some(b)) => files.push(WholeFile {
                path: t.clone(),
                content: join(&b.lines),
                lines: b.part,
            }),
            _ => {
                return Err(EditError::new(
                    WorkerCode::EditFormatInvalid,
                    "no code block says which file it is; put the file's path alone on the line before its ``` \
                     block",
                ));
            }
        }
    }
    Ok(Answer {
        edits: Vec::new(),
        files,
        summary: summary(text),
    })
}

/// The text after `SUMMARY:` (any case, optionally in bold).
pub fn summary(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let l = l.trim().trim_start_matches(['*', '#', ' ']);
        let (head, rest) = l.split_once(':')?;
        if head
            .trim_end_matches('*')
            .trim()
            .eq_ignore_ascii_case("summary")
        {
            let s = rest.trim().trim_matches('*').trim();
            (!s.is_empty()).then(|| s.to_owned())
        } else {
            None
        }
    })
}

fn join(lines: &[&str]) -> String {
    if lines.is_empty() {
        String::new()
    } else {
        format!("{}\n", lines.join("\n"))
    }
}

/// The fenced blocks of `text`, each with the path it names. A block closes at a line of only backticks, at
/// least as many as opened it (so a ```` fence may hold ``` lines); an unclosed last block is dropped (the
/// answer was cut).
fn blocks(text: &str) -> Vec<Block<'_>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut after_last = 0;
    while i < lines.len() {
        let t = lines[i].trim_start();
        let ticks = t.bytes().take_while(|&c| c == b'`').count();
        if ticks < 3 {
            i += 1;
            continue;
        }
        let info = t[ticks..].trim();
        let close = (i + 1..lines.len()).find(|&j| {
            let c = lines[j].trim();
            c.len() >= ticks && c.bytes().all(|b| b == b'`')
        });
        let Some(close) = close else { break };
        let (path, part) = header_in_info(info)
            .or_else(|| header_before(&lines[after_last..i]))
            .map_or((None, None), |(p, part)| (Some(p), part));
        out.push(Block {
            path,
            part,
            lines: lines[i + 1..close].to_vec(),
        });
        i = close + 1;
        after_last = i;
    }
    out
}

/// A path and part named in a header: `src/a.py`, `src/a.py lines 10-42 (of 2400 …)`, `src/a.py:10-42`.
type Header = (String, Option<(usize, usize)>);

/// ```` ```python src/a.py ```` or ```` ```src/a.py lines 3-9 ````: the header in the info string, after the
/// language if there is one.
fn header_in_info(info: &str) -> Option<Header> {
    let info = info.trim_start_matches("path=").trim_start_matches("file=");
    parse_header(info).or_else(|| {
        let (_, rest) = info.split_once(char::is_whitespace)?;
        parse_header(rest.trim_start_matches("path=").trim_start_matches("file="))
    })
}

/// The last non-empty line before a fence, when it is a header (`src/a.py`, `**src/a.py**`, `File: src/a.py:`,
/// `# src/a.py lines 3-9`).
fn header_before(lines: &[&str]) -> Option<Header> {
    let line = lines.iter().rev().find(|l| !l.trim().is_empty())?;
    let mut l = line.trim().trim_matches(['*', '`', '#', ' ']).trim();
    for prefix in ["File:", "file:", "Path:", "path:", "FILE:", "PATH:"] {
        if let Some(rest) = l.strip_prefix(prefix) {
            l = rest.trim().trim_start_matches('`');
        }
    }
    parse_header(l)
}

fn parse_header(l: &str) -> Option<Header> {
    let l = l.trim();
    let end = l.find([' ', '\t', '(']).unwrap_or(l.len());
    let (word, rest) = l.split_at(end);
    let word = word.trim_end_matches([':', '`', '*', ',']);
    // `src/a.py:10-42`
    let (word, colon_part) = match word.rsplit_once(':') {
        Some((w, r)) if range(r).is_some() => (w, range(r)),
        _ => (word, None),
    };
    if !looks_like_path(word) {
        return None;
    }
    let part = colon_part.or_else(|| {
        let rest = rest.to_lowercase();
        let after = &rest[rest.find("line")?..];
        after
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',' || c == ';')
            .find_map(range)
    });
    Some((word.to_owned(), part))
}

/// `10-42` (or with an en dash), 1-based and in order.
fn range(s: &str) -> Option<(usize, usize)> {
    let s = s.trim_matches(|c: char| !c.is_ascii_digit());
    let (a, b) = s.split_once(['-', '–'])?;
    let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a >= 1 && a <= b).then_some((a, b))
}

/// One word with a file name: a dot in its last part or a slash, no spaces, not a sentence's end.
fn looks_like_path(w: &str) -> bool {
    if w.is_empty() || w.contains(char::is_whitespace) || w.ends_with('.') || w.len() > 255 {
        return false;
    }
    let name = w.rsplit('/').next().unwrap_or(w);
    (name.contains('.') || w.contains('/'))
        && w.chars()
            .all(|c| c.is_alphanumeric() || "._-/+@".contains(c))
}

/// A line of a whole-file answer that stands for code left out: a comment or bare line with an ellipsis and a
/// word such as "rest", "existing" or "unchanged", which the file did not have before.
pub fn elided_line<'a>(new: &'a str, old: &str) -> Option<&'a str> {
    const WORDS: [&str; 9] = [
        "rest",
        "existing",
        "unchanged",
        "remaining",
        "same as",
        "omitted",
        "previous",
        "other code",
        "as before",
    ];
    let old_lines: std::collections::HashSet<&str> = old.lines().map(str::trim).collect();
    new.lines().map(str::trim).find(|l| {
        let commentish = ["#", "//", "/*", "--", "<!--", ";", "..."]
            .iter()
            .any(|p| l.starts_with(p));
        let lower = l.to_lowercase();
        commentish
            && (l.contains("...") || l.contains('…'))
            && WORDS.iter().any(|w| lower.contains(w))
            && !old_lines.contains(l)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        vec![s.to_owned()]
    }

    #[test]
    fn a_file_under_its_path_with_a_summary() {
        let a = parse(
            "SUMMARY: implement add\n\nadd.py\n```python\ndef add(a, b):\n    return a + b\n```\n",
            &t("add.py"),
        )
        .unwrap();
        assert_eq!(a.summary.as_deref(), Some("implement add"));
        assert_eq!(a.files.len(), 1);
        assert_eq!(a.files[0].path, "add.py");
        assert_eq!(a.files[0].content, "def add(a, b):\n    return a + b\n");
    }

    #[test]
    fn paths_in_bold_in_the_info_string_or_after_file_are_found() {
        for text in [
            "**src/a.py**\n```python\nx = 1\n```",
            "```python src/a.py\nx = 1\n```",
            "File: `src/a.py`:\n```\nx = 1\n```",
            "### src/a.py\n```py\nx = 1\n```",
        ] {
            let a = parse(text, &["src/".to_owned()]).unwrap();
            assert_eq!(a.files[0].path, "src/a.py", "{text}");
        }
    }

    #[test]
    fn with_one_target_an_unnamed_block_is_that_file_and_the_longest_wins() {
        let a = parse(
            "Here is the fix:\n```python\ndef f():\n    return 1\n```\nUsage:\n```python\nf()\n```",
            &t("f.py"),
        )
        .unwrap();
        assert_eq!(a.files[0].path, "f.py");
        assert!(a.files[0].content.starts_with("def f()"));
        assert_eq!(a.summary, None);
    }

    #[test]
    fn an_unnamed_block_with_several_targets_is_refused() {
        let e = parse("```\nx\n```", &["a.py".to_owned(), "b.py".to_owned()]).unwrap_err();
        assert_eq!(e.code, WorkerCode::EditFormatInvalid);
    }

    #[test]
    fn a_longer_fence_holds_a_shorter_one() {
        let a = parse(
            "README.md\n````markdown\n# T\n```sh\nls\n```\n````",
            &t("README.md"),
        )
        .unwrap();
        assert_eq!(a.files[0].content, "# T\n```sh\nls\n```\n");
    }

    #[test]
    fn json_edits_and_search_replace_blocks_are_still_accepted() {
        let a = parse(
            r#"{"summary":"s","edits":[{"path":"a.py","search":"x","replace":"y"}]}"#,
            &t("a.py"),
        )
        .unwrap();
        assert_eq!(a.edits.len(), 1);
        assert!(a.files.is_empty());
        let a = parse(
            "a.py\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```",
            &t("a.py"),
        )
        .unwrap();
        assert_eq!(a.edits[0].replace, "y\n");
    }

    #[test]
    fn a_json_answer_in_a_fence_is_edits_not_the_file() {
        let a = parse(
            "```json\n{\"summary\": \"s\",\n \"edits\": [{\"path\": \"a.py\", \"search\": \"x\", \"replace\": \"y\"}]}\n```",
            &t("a.py"),
        )
        .unwrap();
        assert!(a.files.is_empty());
        assert_eq!(a.edits.len(), 1);
    }

    #[test]
    fn prose_without_code_is_a_format_error() {
        let e = parse("I would change the loop.", &t("a.py")).unwrap_err();
        assert_eq!(e.code, WorkerCode::EditFormatInvalid);
    }

    #[test]
    fn an_unclosed_block_is_not_a_file() {
        let e = parse("a.py\n```python\ndef f(", &t("a.py")).unwrap_err();
        assert_eq!(e.code, WorkerCode::EditFormatInvalid);
    }

    #[test]
    fn a_fix_is_diagnosed_before_its_summary_and_a_feature_is_not() {
        use queue_core::Intent;
        let fix = definitions_prompt(Intent::Fix, false);
        assert!(
            fix.contains("Answer in exactly this form: first think the change through"),
            "{fix}"
        );
        assert!(fix.find("on which input") < fix.find("SUMMARY"), "{fix}");
        let feat = definitions_prompt(Intent::Feat, true);
        assert!(
            feat.contains("Answer in exactly this form: first a line that starts with `SUMMARY: `")
        );
        assert!(!feat.contains("on which input") && feat.ends_with(DEFINITIONS_PARTS_RULE));
    }

    #[test]
    fn elisions_are_found_but_real_ellipses_are_not() {
        let old = "def f():\n    ...\n";
        assert_eq!(
            elided_line("def f():\n    # ... rest of the code unchanged\n", old),
            Some("# ... rest of the code unchanged")
        );
        assert_eq!(elided_line("def f():\n    ...\n", old), None);
        assert_eq!(elided_line("x = 1  # see above\n", old), None);
        assert_eq!(
            elided_line("// … existing code …\nfn main() {}\n", ""),
            Some("// … existing code …")
        );
    }

    #[test]
    fn auto_chooses_definitions_whole_files_parts_or_search_replace() {
        let format = |setting, files: &BTreeMap<String, Vec<u8>>, request: &str| {
            choose(setting, files, request, 2048, 6000)
        };
        let mut files = BTreeMap::new();
        files.insert("a.py".to_owned(), b"x = 1\n".to_vec());
        assert_eq!(
            format(None, &files, "fix x").format,
            EditFormat::Definitions
        );
        assert_eq!(
            format(Some(EditFormat::Whole), &files, "fix x").format,
            EditFormat::Whole
        );
        // A file the definitions format cannot merge makes the task whole files.
        let mut mixed = files.clone();
        mixed.insert("README.md".to_owned(), b"# a\n".to_vec());
        assert_eq!(format(None, &mixed, "fix x").format, EditFormat::Whole);
        let big: String = (0..400)
            .map(|i| format!("def add_{i}(x):\n    return x + {i}\n\n"))
            .collect();
        files.insert("big.py".to_owned(), big.into_bytes());
        let named = format(None, &files, "add_7 adds the wrong number");
        assert_eq!(named.format, EditFormat::Definitions);
        assert_eq!(named.regions["big.py"], vec![Region { start: 21, end: 23 }]);
        assert!(!named.regions.contains_key("a.py"));
        let unnamed = format(None, &files, "something is off");
        assert_eq!(unnamed.format, EditFormat::SearchReplace);
        let parts = format(
            Some(EditFormat::Whole),
            &files,
            "add_7 adds the wrong number",
        );
        assert_eq!((parts.format, parts.regions.len()), (EditFormat::Whole, 1));
        let forced = format(Some(EditFormat::Whole), &files, "something is off");
        assert_eq!(forced.format, EditFormat::Whole);
        assert!(forced.regions.is_empty());
        assert_eq!(
            format(Some(EditFormat::SearchReplace), &files, "add_7").format,
            EditFormat::SearchReplace
        );
    }

    #[test]
    fn fences_outgrow_the_files_own() {
        assert_eq!(fence_for("x = 1"), "```");
        assert_eq!(fence_for("# T\n```sh\nls\n```"), "````");
    }

    #[test]
    fn headers_name_a_path_and_a_part() {
        for (line, want) in [
            (
                "big.py lines 12-40 (of 2400; only these lines are shown)",
                Some(("big.py", Some((12, 40)))),
            ),
            (
                "**src/big.py (lines 12–40)**",
                Some(("src/big.py", Some((12, 40)))),
            ),
            ("src/big.py:12-40", Some(("src/big.py", Some((12, 40))))),
            ("src/big.py", Some(("src/big.py", None))),
            ("Here is the new file:", None),
        ] {
            let got = header_before(&[line]);
            assert_eq!(
                got.as_ref().map(|(p, part)| (p.as_str(), *part)),
                want,
                "{line}"
            );
        }
        let a = parse(
            "SUMMARY: s\nbig.py lines 3-4\n```python\ndef g():\n    return 2\n```",
            &t("big.py"),
        )
        .unwrap();
        assert_eq!(a.files[0].lines, Some((3, 4)));
    }
}
