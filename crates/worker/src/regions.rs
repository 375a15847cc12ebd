//! Large files: the parts of a target file a request points at, shown to the model and rewritten by it in place
//! of the whole file.
//!
//! A 2,400-line file does not fit an 8,192-token context, and could not be written back in one answer if it did.
//! The request usually names what it is about (`parse_port`, `Config::load`), so the worker shows the definitions
//! those names refer to — whole functions, classes, impls, found with tree-sitter for Python and Rust and by
//! indentation and braces for other languages — each under a `path lines A-B` header, and takes back only the
//! parts the model rewrites ([`splice`]). Code the model never saw cannot be changed: an answer must name a part
//! that was shown.

use std::collections::BTreeMap;

use protocol::WorkerCode;

use crate::backend::estimate_tokens;
use crate::edits::{Answer, EditError};

/// Lines `start..end` of a file (0-based, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Region {
    /// First line, 0-based.
    pub start: usize,
    /// One past the last line.
    pub end: usize,
}

impl Region {
    /// The header's numbers: 1-based, inclusive.
    pub fn shown(self) -> (usize, usize) {
        (self.start + 1, self.end)
    }
}

/// Most parts shown per file: a request that names more is better split.
const MAX_REGIONS: usize = 8;

/// A definition: its name and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Def {
    name: String,
    region: Region,
}

/// The parts of `text` that `request` points at, each at most `max_tokens` (estimated), together at most
/// `total_tokens`. Empty when the request names nothing in the file.
pub fn find(
    path: &str,
    text: &str,
    request: &str,
    max_tokens: u64,
    total_tokens: u64,
) -> Vec<Region> {
    let lines: Vec<&str> = text.lines().collect();
    let words = request_words(request);
    let defs = definitions(path, text, &lines);
    let mut found: Vec<Region> = Vec::new();
    // 1. Definitions the request names: the innermost of each name (a method rather than its class).
    for w in &words {
        let mut named: Vec<&Def> = defs.iter().filter(|d| d.name == w.text).collect();
        named.sort_by_key(|d| d.region.end - d.region.start);
        found.extend(named.iter().take(2).map(|d| d.region));
    }
    // 2. Otherwise the definitions around the lines where code-like words of the request occur.
    if found.is_empty() {
        for (i, line) in lines.iter().enumerate() {
            if words
                .iter()
                .any(|w| w.code_like && contains_word(line, &w.text))
            {
                let around = defs
                    .iter()
                    .filter(|d| d.region.start <= i && i < d.region.end)
                    .min_by_key(|d| d.region.end - d.region.start)
                    .map_or(
                        Region {
                            start: i.saturating_sub(10),
                            end: (i + 11).min(lines.len()),
                        },
                        |d| d.region,
                    );
                found.push(around);
            }
        }
    }
    let size = |r: &Region| estimate_tokens(&lines[r.start..r.end].join("\n"));
    found.retain(|r| size(r) <= max_tokens);
    let mut merged = merge(found);
    let mut total = 0;
    merged.retain(|r| {
        total += size(r);
        total <= total_tokens
    });
    merged.truncate(MAX_REGIONS);
    merged
}

/// A word of the request, and whether it looks like code (`snake_case`, `camelCase`, in backticks, called).
#[derive(Debug)]
struct Word {
    text: String,
    code_like: bool,
}

fn request_words(request: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let chars: Vec<char> = request.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphabetic() || chars[i] == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let quoted = start > 0 && chars[start - 1] == '`';
            let called = chars.get(i) == Some(&'(');
            let inner_upper = text.chars().skip(1).any(char::is_uppercase)
                && text.chars().any(char::is_lowercase);
            let code_like = text.contains('_') || inner_upper || quoted || called;
            if text.chars().count() >= 3 && !out.iter().any(|w| w.text == text) {
                out.push(Word { text, code_like });
            } else if code_like && let Some(w) = out.iter_mut().find(|w| w.text == text) {
                w.code_like = true;
            }
        } else {
            i += 1;
        }
    }
    out
}

fn contains_word(line: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Sorted, overlapping or touching regions joined.
fn merge(mut regions: Vec<Region>) -> Vec<Region> {
    regions.sort();
    let mut out: Vec<Region> = Vec::new();
    for r in regions {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The file's definitions: tree-sitter for Python and Rust, indentation and braces otherwise.
fn definitions(path: &str, text: &str, lines: &[&str]) -> Vec<Def> {
    use crate::defs::Lang;
    let parsed = Lang::of(path).and_then(|lang| {
        let name_of = match lang {
            Lang::Python => python_def,
            Lang::Rust => rust_def,
        };
        parse_defs(text, &lang.grammar(), name_of)
    });
    let mut defs = parsed.unwrap_or_else(|| text_defs(lines));
    for d in &mut defs {
        d.region.start = attached_start(lines, d.region.start);
    }
    defs
}

/// Walks a tree-sitter parse, naming definitions with `name_of`. `None` when the grammar cannot be loaded.
fn parse_defs(
    text: &str,
    language: &tree_sitter::Language,
    name_of: fn(&tree_sitter::Node, &str) -> Option<String>,
) -> Option<Vec<Def>> {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(language).ok()?;
    let tree = parser.parse(text, None)?;
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if let Some(name) = name_of(&node, text) {
            // A decorated Python definition spans its decorators.
            let span = match node.parent() {
                Some(p) if p.kind() == "decorated_definition" => p,
                _ => node,
            };
            out.push(Def {
                name,
                region: Region {
                    start: span.start_position().row,
                    end: span.end_position().row + 1,
                },
            });
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return Some(out);
            }
        }
    }
}

fn field_text(node: &tree_sitter::Node, field: &str, text: &str) -> Option<String> {
    let n = node.child_by_field_name(field)?;
    text.get(n.byte_range()).map(str::to_owned)
}

fn python_def(node: &tree_sitter::Node, text: &str) -> Option<String> {
    match node.kind() {
        "function_definition" | "class_definition" => field_text(node, "name", text),
        _ => None,
    }
}

/// The Rust items named by their `name` field (an `impl` is named by its type).
pub(crate) const RUST_NAMED_ITEMS: [&str; 11] = [
    "function_item",
    "struct_item",
    "enum_item",
    "trait_item",
    "mod_item",
    "const_item",
    "static_item",
    "type_item",
    "union_item",
    "macro_definition",
    "function_signature_item",
];

fn rust_def(node: &tree_sitter::Node, text: &str) -> Option<String> {
    match node.kind() {
        kind if RUST_NAMED_ITEMS.contains(&kind) => field_text(node, "name", text),
        // `impl Config` and `impl Display for Config` are both found by `Config`.
        "impl_item" => field_text(node, "type", text)
            .map(|t| t.split('<').next().unwrap_or(&t).trim().to_owned()),
        _ => None,
    }
}

/// Definitions found by their keyword (`def`, `fn`, `function`, `func`, `class`, …), each up to the end of its
/// block: the matching brace when the definition opens one, else the next line indented no deeper.
fn text_defs(lines: &[&str]) -> Vec<Def> {
    const KEYWORDS: [&str; 12] = [
        "def",
        "fn",
        "function",
        "func",
        "class",
        "struct",
        "enum",
        "interface",
        "trait",
        "impl",
        "sub",
        "procedure",
    ];
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let words: Vec<&str> = line
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        let Some(k) = words.iter().position(|w| KEYWORDS.contains(w)) else {
            continue;
        };
        let Some(name) = words.get(k + 1) else {
            continue;
        };
        if line.trim_start().starts_with(['#', '/', '*']) {
            continue;
        }
        out.push(Def {
            name: (*name).to_owned(),
            region: Region {
                start: i,
                end: block_end(lines, i),
            },
        });
    }
    out
}

fn block_end(lines: &[&str], start: usize) -> usize {
    let indent = |l: &str| l.len() - l.trim_start().len();
    // Braces: from the first `{` within three lines, to the line where the count returns to zero.
    if lines[start..(start + 3).min(lines.len())]
        .iter()
        .any(|l| l.contains('{'))
    {
        let mut depth = 0i64;
        let mut opened = false;
        for (j, l) in lines.iter().enumerate().skip(start) {
            for c in l.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth <= 0 {
                return j + 1;
            }
        }
        return lines.len();
    }
    let own = indent(lines[start]);
    let mut end = start + 1;
    for (j, l) in lines.iter().enumerate().skip(start + 1) {
        if l.trim().is_empty() {
            continue;
        }
        if indent(l) <= own {
            break;
        }
        end = j + 1;
    }
    end
}

/// A definition's first line moved up over the decorators, attributes and comments attached to it.
fn attached_start(lines: &[&str], start: usize) -> usize {
    let mut s = start;
    while s > 0 {
        let l = lines[s - 1].trim_start();
        if l.starts_with('@') || l.starts_with("#[") || l.starts_with("//") || l.starts_with('#') {
            s -= 1;
        } else {
            break;
        }
    }
    s
}

/// Turns the answer's rewritten parts into whole files: each part replaces the shown lines it names
/// (`path lines A-B`), or the only part shown of that file, or the part whose first line it starts with. A part
/// that was not shown is refused (`EDIT_NO_MATCH`), so code the model never saw stays as it is.
pub fn splice(
    answer: &mut Answer,
    shown: &BTreeMap<String, Vec<Region>>,
    base: &BTreeMap<String, Vec<u8>>,
) -> Result<(), EditError> {
    let mut by_file: BTreeMap<String, Vec<(Region, String)>> = BTreeMap::new();
    let mut rest = Vec::new();
    for f in std::mem::take(&mut answer.files) {
        let Some(regions) = shown.get(&f.path) else {
            rest.push(f);
            continue;
        };
        let old = base
            .get(&f.path)
            .map(|b| String::from_utf8_lossy(b))
            .unwrap_or_default();
        let old_lines: Vec<&str> = old.lines().collect();
        let region = pick(&f, regions, &old_lines)?;
        let parts = by_file.entry(f.path.clone()).or_default();
        if parts.iter().any(|(r, _)| *r == region) {
            return Err(EditError::new(
                WorkerCode::EditAmbiguous,
                format!(
                    "{} lines {}-{} is written twice; give each part once",
                    f.path,
                    region.shown().0,
                    region.shown().1
                ),
            ));
        }
        parts.push((region, f.content));
    }
    for (path, mut parts) in by_file {
        let old =
            String::from_utf8_lossy(base.get(&path).map_or(&[][..], Vec::as_slice)).into_owned();
        let mut lines: Vec<String> = old.lines().map(str::to_owned).collect();
        // Bottom up, so the line numbers of the parts above stay true.
        parts.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
        for (r, content) in parts {
            let new: Vec<String> = content.lines().map(str::to_owned).collect();
            lines.splice(r.start..r.end.min(lines.len()), new);
        }
        let mut content = lines.join("\n");
        if old.ends_with('\n') || old.is_empty() {
            content.push('\n');
        }
        rest.push(crate::edits::WholeFile {
            path,
            content,
            lines: None,
        });
    }
    answer.files = rest;
    Ok(())
}

fn pick(
    f: &crate::edits::WholeFile,
    regions: &[Region],
    base: &[&str],
) -> Result<Region, EditError> {
    let list = || {
        regions
            .iter()
            .map(|r| format!("{} lines {}-{}", f.path, r.shown().0, r.shown().1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some((a, b)) = f.lines {
        return regions
            .iter()
            .copied()
            .find(|r| r.shown() == (a, b))
            .ok_or_else(|| {
                EditError::new(
                    WorkerCode::EditNoMatch,
                    format!(
                        "{} lines {a}-{b} is not a part that was shown; only these can be rewritten: {}. Write the \
                         header exactly as shown",
                        f.path,
                        list()
                    ),
                )
            });
    }
    if let [only] = regions {
        return Ok(*only);
    }
    let first = f
        .content
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(str::trim);
    regions
        .iter()
        .copied()
        .find(|r| {
            let shown_first = base[r.start.min(base.len())..r.end.min(base.len())]
                .iter()
                .find(|l| !l.trim().is_empty())
                .map(|l| l.trim());
            first.is_some() && first == shown_first
        })
        .ok_or_else(|| {
            EditError::new(
                WorkerCode::EditNoMatch,
                format!(
                    "{} is shown in several parts; put the part's header (one of: {}) before its ``` block",
                    f.path,
                    list()
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edits::WholeFile;

    const PY: &str = "import os\n\n\nclass Config:\n    def load(self):\n        return 1\n\n    def port(self):\n        return 80\n\n\n@cache\ndef parse_port(s):\n    \"\"\"Parse.\"\"\"\n    return int(s)\n\n\ndef other():\n    pass\n";

    #[test]
    fn a_named_python_function_is_found_with_its_decorator() {
        let r = find("a.py", PY, "`parse_port` accepts 0", 1000, 10_000);
        assert_eq!(r, vec![Region { start: 11, end: 15 }]);
    }

    #[test]
    fn a_method_is_preferred_to_its_class_and_plain_words_are_not_names() {
        let r = find(
            "a.py",
            PY,
            "Config.port returns the wrong other value",
            1000,
            10_000,
        );
        // `port` (the method), `other` (a function), `Config` (the class, which holds `port`): merged.
        assert_eq!(
            r,
            vec![Region { start: 3, end: 9 }, Region { start: 17, end: 19 }]
        );
    }

    #[test]
    fn rust_items_and_impls_are_found() {
        let rs = "use std::fmt;\n\n/// Docs.\n#[derive(Debug)]\npub struct Port(u16);\n\nimpl Port {\n    pub fn parse(s: &str) -> Self {\n        Port(s.parse().unwrap())\n    }\n}\n\nfn main() {}\n";
        assert_eq!(
            find("src/a.rs", rs, "`parse` panics on bad input", 1000, 10_000),
            vec![Region { start: 7, end: 10 }]
        );
        assert_eq!(
            find("src/a.rs", rs, "add a field to Port", 1000, 10_000),
            vec![Region { start: 2, end: 5 }, Region { start: 6, end: 11 }]
        );
    }

    #[test]
    fn other_languages_use_indentation_and_braces() {
        let js = "const a = 1;\n\nfunction parsePort(s) {\n  if (s) {\n    return 1;\n  }\n}\n\nfunction b() {}\n";
        assert_eq!(
            find("a.js", js, "parsePort returns 1", 1000, 10_000),
            vec![Region { start: 2, end: 7 }]
        );
    }

    #[test]
    fn a_code_word_outside_any_definition_gets_lines_around_it() {
        let text: String = (0..100).map(|i| format!("x{i} = {i}\n")).collect();
        assert_eq!(
            find("a.cfg", &text, "x50 should be 51", 1000, 10_000),
            Vec::<Region>::new(),
            "x50 is not code-like"
        );
        let r = find("a.cfg", &text, "`x50` should be 51", 1000, 10_000);
        assert_eq!(r, vec![Region { start: 40, end: 61 }]);
    }

    #[test]
    fn parts_too_large_or_past_the_total_are_left_out() {
        assert!(find("a.py", PY, "`parse_port`", 5, 10_000).is_empty());
        let two = find("a.py", PY, "`parse_port` and `other`", 1000, 10_000);
        assert_eq!(two.len(), 2);
        let one = find("a.py", PY, "`parse_port` and `other`", 1000, 20);
        assert_eq!(one, vec![two[0]]);
    }

    fn answer(parts: &[(Option<(usize, usize)>, &str)]) -> Answer {
        Answer {
            files: parts
                .iter()
                .map(|(lines, content)| WholeFile {
                    path: "a.py".into(),
                    content: (*content).into(),
                    lines: *lines,
                })
                .collect(),
            ..Answer::default()
        }
    }

    #[test]
    fn parts_are_spliced_back_bottom_up() {
        let shown = BTreeMap::from([(
            "a.py".to_owned(),
            vec![Region { start: 11, end: 15 }, Region { start: 17, end: 19 }],
        )]);
        let base = BTreeMap::from([("a.py".to_owned(), PY.as_bytes().to_vec())]);
        let mut a = answer(&[
            (
                Some((12, 15)),
                "@cache\ndef parse_port(s):\n    \"\"\"Parse.\"\"\"\n    n = int(s)\n    assert n > 0\n    return n\n",
            ),
            (None, "def other():\n    return 2\n"),
        ]);
        splice(&mut a, &shown, &base).unwrap();
        let want = PY
            .replace(
                "    return int(s)\n",
                "    n = int(s)\n    assert n > 0\n    return n\n",
            )
            .replace("    pass\n", "    return 2\n");
        assert_eq!(a.files.len(), 1);
        assert_eq!(a.files[0].content, want);
        assert_eq!(a.files[0].lines, None);
    }

    #[test]
    fn a_part_that_was_not_shown_is_refused() {
        let shown = BTreeMap::from([(
            "a.py".to_owned(),
            vec![Region { start: 11, end: 15 }, Region { start: 17, end: 19 }],
        )]);
        let base = BTreeMap::from([("a.py".to_owned(), PY.as_bytes().to_vec())]);
        let e = splice(
            &mut answer(&[(Some((1, 3)), "import sys\n")]),
            &shown,
            &base,
        )
        .unwrap_err();
        assert_eq!(e.code, WorkerCode::EditNoMatch);
        assert!(e.message.contains("a.py lines 12-15"), "{}", e.message);
        let e = splice(&mut answer(&[(None, "import sys\n")]), &shown, &base).unwrap_err();
        assert_eq!(e.code, WorkerCode::EditNoMatch);
        let e = splice(
            &mut answer(&[(Some((18, 19)), "x\n"), (None, "def other():\n    x\n")]),
            &shown,
            &base,
        )
        .unwrap_err();
        assert_eq!(e.code, WorkerCode::EditAmbiguous);
    }
}
