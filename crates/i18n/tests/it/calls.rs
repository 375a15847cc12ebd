//! Finds the `t!(lang, "key", name = value, …)` and `msg!("key", name = value, …)` calls in the workspace's
//! sources and reads their key and argument names: a small reader of Rust tokens (strings, chars, nesting),
//! enough for macro calls as rustfmt writes them.

use std::path::{Path, PathBuf};

/// One call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// `file:line`.
    pub(crate) at: String,
    /// The key, when it is a string literal.
    pub(crate) key: Option<String>,
    /// The names of the arguments.
    pub(crate) args: Vec<String>,
}

/// Every call in `crates/*/src/**/*.rs`.
pub(crate) fn workspace_calls() -> Vec<Call> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    files.sort();
    let mut calls = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.strip_prefix(&crates).unwrap_or(&f).display().to_string();
        calls.extend(calls_in(&name, &text));
    }
    calls
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The calls in one file's text.
pub(crate) fn calls_in(file: &str, text: &str) -> Vec<Call> {
    let mut in_string = string_mask(text);
    mask_comment_prose(text, &mut in_string);
    let mut out = Vec::new();
    for (macro_name, key_index) in [("t!(", 1), ("msg!(", 0)] {
        let mut from = 0;
        while let Some(i) = text[from..].find(macro_name) {
            let start = from + i;
            from = start + macro_name.len();
            let before = text[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') || in_string[start] {
                continue; // print!(, format_t!(, or text in a string
            }
            let Some(args) = split_args(&text[from..]) else {
                continue;
            };
            let line = text[..start].lines().count().max(1);
            let key = args.get(key_index).and_then(|a| {
                a.trim()
                    .strip_prefix('"')?
                    .strip_suffix('"')
                    .map(str::to_owned)
            });
            let names = args
                .iter()
                .skip(key_index + 1)
                .filter_map(|a| {
                    let (name, _) = a.split_once('=')?;
                    let name = name.trim();
                    name.chars()
                        .all(|c| c.is_alphanumeric() || c == '_')
                        .then(|| name.to_owned())
                })
                .collect();
            out.push(Call {
                at: format!("{file}:{line}"),
                key,
                args: names,
            });
        }
    }
    out
}

/// Marks comment lines outside fenced code blocks (prose that mentions `t!(lang, "key")`) as not code; a call in
/// a doc example still counts.
fn mask_comment_prose(text: &str, mask: &mut [bool]) {
    let mut fenced = false;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("//") {
            if t.contains("```") {
                fenced = !fenced;
            } else if !fenced {
                mask[at..at + line.len()].iter_mut().for_each(|m| *m = true);
            }
        }
        at += line.len();
    }
}

/// For each byte of `text`, whether it lies inside a string literal (comments are read as code here).
fn string_mask(text: &str) -> Vec<bool> {
    let b = text.as_bytes();
    let mut mask = vec![false; b.len()];
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                // Skip a char literal ('"', '\''), leave a lifetime alone.
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 2;
                }
                i += 1;
            }
            b'r' if b.get(i + 1).is_some_and(|&c| c == b'#' || c == b'"')
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                let open = i + 1 + hashes;
                if b.get(open) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                let body = open + 1;
                let end = b[body..]
                    .windows(close.len())
                    .position(|w| w == close.as_slice())
                    .map_or(b.len(), |p| body + p);
                mask[body..end].iter_mut().for_each(|m| *m = true);
                i = end + close.len();
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    mask[i] = true;
                    if b[i] == b'\\' && i + 1 < b.len() {
                        mask[i + 1] = true;
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    mask
}

/// The top-level comma-separated arguments up to the closing parenthesis (`s` starts after the opening one).
fn split_args(s: &str) -> Option<Vec<String>> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                cur.push(c);
                while let Some(d) = chars.next() {
                    cur.push(d);
                    match d {
                        '\\' => cur.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' => {
                // A char literal ('x', '\n'), or a lifetime ('a).
                cur.push(c);
                let mut look = chars.clone();
                let first = look.next();
                let lit = match first {
                    Some('\\') => true,
                    Some(_) => look.next() == Some('\''),
                    None => false,
                };
                if lit {
                    while let Some(d) = chars.next() {
                        cur.push(d);
                        if d == '\\' {
                            cur.extend(chars.next());
                        } else if d == '\'' {
                            break;
                        }
                    }
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                cur.push(c);
            }
            ')' | ']' | '}' if depth == 0 => {
                if !cur.trim().is_empty() {
                    args.push(cur.trim().to_owned());
                }
                return Some(args);
            }
            ')' | ']' | '}' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => {
                args.push(cur.trim().to_owned());
                cur.clear();
            }
            c => cur.push(c),
        }
    }
    None
}

#[test]
fn the_scanner_reads_calls_as_rustfmt_writes_them() {
    let src = r#"
        let a = t!(lang, "bot-queued", id = &task.id, title = &escape(&clip(t, 200)));
        let b = i18n::t!(
            self.lang(chat),
            "bot-x",
            n = files.len(),
            what = if ok { "a, b" } else { 'c'.to_string() },
        );
        let c = msg!("submit-work-missing");
        print!("t!(no)");
        let d = t!(lang, KEY);
    "#;
    let calls = calls_in("x.rs", src);
    let got: Vec<_> = calls
        .iter()
        .map(|c| (c.key.clone(), c.args.clone(), c.at.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some("bot-queued".into()),
                vec!["id".into(), "title".into()],
                "x.rs:2".into()
            ),
            (
                Some("bot-x".into()),
                vec!["n".into(), "what".into()],
                "x.rs:3".into()
            ),
            (None, vec![], "x.rs:11".into()),
            (Some("submit-work-missing".into()), vec![], "x.rs:9".into()),
        ]
    );
}
