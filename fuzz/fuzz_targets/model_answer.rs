//! Fuzzes the worker's model-answer path: `worker::edits::parse_answer` on arbitrary text, then
//! `apply_answer` on a fixed small file set and `unified_diff` of the result. Nothing may panic; and when the
//! edits apply, the diff the worker produces must apply strictly (the gate's parser and applier) to the base
//! files and give exactly the edited content — the worker never sends the gate a diff that does not match.
#![no_main]

use gate::apply::{MatchMode, apply_hunks};
use libfuzzer_sys::fuzz_target;

const FILES: &[(&str, &[u8])] = &[
    (
        "src/lib.rs",
        b"pub fn parse_port(s: &str) -> Option<u16> {\n    s.parse().ok()\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn ok() {\n        assert_eq!(super::parse_port(\"80\"), Some(80));\n    }\n}\n",
    ),
    (
        "src/crlf.rs",
        b"fn a() {\r\n    let x = \"it\xe2\x80\x99s\";\r\n}\r\n",
    ),
    ("README.md", b"# title\n\nno newline at end"),
    ("empty.txt", b""),
];

fn base(path: &str) -> Option<Vec<u8>> {
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, c)| c.to_vec())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(answer) = worker::edits::parse_answer(text) else {
        return;
    };
    let targets = vec!["src/".to_owned(), "README.md".to_owned(), "empty.txt".to_owned(), "new.txt".to_owned()];
    let Ok(changes) = worker::edits::apply_answer(&answer, &targets, base) else {
        return;
    };
    let diff = worker::edits::unified_diff(&changes);
    let _ = worker::edits::line_counts(&changes);
    // Only check the round trip for UTF-8 content (unified_diff renders lossily by design) without a lone CR
    // (`similar` ends a line there, the gate does not; edits carrying one are refused with EDIT_TEXT_INVALID, so
    // this guard only matters for base files, and the fixed ones here have none).
    let lone_cr = |b: &[u8]| b.windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n') || b.ends_with(b"\r");
    if changes.values().any(|(old, new)| {
        std::str::from_utf8(new).is_err()
            || lone_cr(new)
            || old.as_deref().is_some_and(|o| std::str::from_utf8(o).is_err() || lone_cr(o))
    }) {
        return;
    }
    let parsed = gate::patch::parse(diff.as_bytes(), false)
        .unwrap_or_else(|e| panic!("worker diff does not parse: {e}\n{diff}"));
    assert_eq!(parsed.files.len(), changes.len(), "{diff}");
    for file in &parsed.files {
        let path = file.display_path();
        let (old, new) = changes.get(path).unwrap_or_else(|| {
            let keys: Vec<&String> = changes.keys().collect();
            panic!("the diff names {path:?}; the changes are {keys:?}\n{diff}")
        });
        let got = apply_hunks(old.as_deref().unwrap_or(b""), &file.hunks, MatchMode::Strict, false)
            .unwrap_or_else(|e| panic!("worker diff does not apply strictly to {path}: {e:?}\n{diff}"));
        assert_eq!(&got, new, "worker diff gives other content for {path}\n{diff}");
    }
});
