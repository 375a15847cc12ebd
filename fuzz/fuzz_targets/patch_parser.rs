//! Fuzzes the gate's unified-diff parser and hunk applier: neither may panic, hang or overflow on any input.
//! The first byte picks strict or lenient parsing; the rest is the patch. Every parsed file section is applied
//! in both modes to a small fixed text, so hunk location and the newline bookkeeping are exercised too.
#![no_main]

use gate::apply::{MatchMode, apply_hunks};
use gate::patch::parse;
use libfuzzer_sys::fuzz_target;

const TEXT: &[u8] = b"fn main() {\n    println!(\"hi\");\n}\n\r\nlast line without newline";

fuzz_target!(|data: &[u8]| {
    let Some((mode, patch)) = data.split_first() else {
        return;
    };
    let Ok(parsed) = parse(patch, mode & 1 == 1) else {
        return;
    };
    for file in &parsed.files {
        for m in [MatchMode::Strict, MatchMode::Fuzzy] {
            let _ = apply_hunks(TEXT, &file.hunks, m, false);
            let _ = apply_hunks(b"", &file.hunks, m, true);
        }
    }
});
