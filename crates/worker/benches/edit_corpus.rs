//! Edit application on model-style mistakes built from real changes.
//!
//! Ground truth: per-file differences between consecutive published versions of crates (downloaded by
//! `scripts/bench.sh` into `BENCH_CRATES_DIR`; pairs in `BENCH_PAIRS` as `name:old:new,...`). Each changed `.rs`
//! file gives the exact diff (`worker::edits::unified_diff`, 3 lines of context) and variants with the mistakes
//! models make. Every variant is applied to the old file by each tool and the result compared with the new file:
//! exact (the intended tree), wrong (the tool said it applied, the file differs), refused (the tool said no).
//!
//! Run: `scripts/bench.sh` (which downloads the crates), or with the env set:
//! `BENCH_CRATES_DIR=~/.cache/autodev/bench/crates BENCH_PAIRS=anyhow:1.0.86:1.0.87 cargo bench -p worker --bench edit_corpus`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_range_loop)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use gate::apply::{Budget, DEFAULT_WORK_BUDGET, MatchMode, apply_hunks_within};

struct Change {
    path: String,
    old: Vec<u8>,
    new: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Outcome {
    Exact,
    Wrong,
    Refused,
}

const TOOLS: &[&str] = &[
    "autodev gate --fuzzy (gate::patch lenient + gate::apply fuzzy)",
    "autodev gate (strict)",
    "git apply",
    "git apply --recount -C1",
    "GNU patch -p1 --fuzz=3",
];

const VARIANTS: &[&str] = &[
    "exact diff (control)",
    "line numbers shifted by +12",
    "trailing whitespace added to context/removed lines",
    "leading whitespace drift (one extra space of indent) on context/removed lines",
    "CRLF line endings in the patch",
    "Unicode quotes and dashes in context/removed lines",
    "first and last context line of each hunk missing (counts stale)",
    "diff fenced in prose (```diff … ```)",
    "all of: shifted, trailing whitespace, Unicode, fenced",
];

fn main() {
    let dir = PathBuf::from(std::env::var("BENCH_CRATES_DIR").expect("BENCH_CRATES_DIR"));
    let pairs = std::env::var("BENCH_PAIRS").expect("BENCH_PAIRS");
    let mut changes = Vec::new();
    for pair in pairs.split(',').filter(|s| !s.is_empty()) {
        let parts: Vec<&str> = pair.split(':').collect();
        let (name, a, b) = (parts[0], parts[1], parts[2]);
        collect(
            &dir.join(format!("{name}-{a}")),
            &dir.join(format!("{name}-{b}")),
            name,
            &mut changes,
        );
    }
    let tmp = tempfile::Builder::new()
        .prefix("autodev-edit-corpus-")
        .tempdir()
        .unwrap();
    // results[variant][tool] -> counts
    let mut results: Vec<Vec<BTreeMap<Outcome, usize>>> =
        vec![vec![BTreeMap::new(); TOOLS.len()]; VARIANTS.len()];
    let mut cases = vec![0usize; VARIANTS.len()];
    let mut wrong_examples: Vec<String> = Vec::new();
    // The most hunk-location work one patch needed, to show the gate's budget is never near.
    let mut max_work = 0u64;
    for (ci, ch) in changes.iter().enumerate() {
        let exact = diff_of(ch);
        for (vi, variant) in variants(&exact).into_iter().enumerate() {
            let Some(patch) = variant else { continue };
            if vi > 0 && patch == exact {
                continue;
            }
            cases[vi] += 1;
            for ti in 0..TOOLS.len() {
                let out = run_tool(
                    ti,
                    ch,
                    &patch,
                    &tmp.path().join(format!("c{ci}-{vi}-{ti}")),
                    &mut max_work,
                );
                if out == Outcome::Wrong && ti == 0 {
                    wrong_examples.push(format!("{} / {}", ch.path, VARIANTS[vi]));
                }
                *results[vi][ti].entry(out).or_default() += 1;
            }
        }
    }

    let n_files = changes.len();
    let total: usize = cases.iter().sum();
    println!(
        "{n_files} real per-file changes ({} crate version pairs), {total} patches (the exact diff and every variant that differs from it)",
        pairs.split(',').filter(|s| !s.is_empty()).count()
    );
    println!();
    println!("All variants together, mistakes only (the control row excluded):");
    println!();
    println!("| tool | applied exactly | applied wrongly | refused |");
    println!("|---|---:|---:|---:|");
    for (ti, tool) in TOOLS.iter().enumerate() {
        let mut c: BTreeMap<Outcome, usize> = BTreeMap::new();
        for row in results.iter().skip(1) {
            for (k, v) in &row[ti] {
                *c.entry(*k).or_default() += v;
            }
        }
        let n: usize = c.values().sum();
        let pct = |o| 100.0 * *c.get(&o).unwrap_or(&0) as f64 / n.max(1) as f64;
        println!(
            "| {tool} | {:.1}% | {:.1}% | {:.1}% |",
            pct(Outcome::Exact),
            pct(Outcome::Wrong),
            pct(Outcome::Refused)
        );
    }
    println!();
    println!("Per variant: applied exactly / applied wrongly (refused is the rest):");
    println!();
    print!("| variant | cases |");
    for t in TOOLS {
        print!(" {} |", t.split(" (").next().unwrap());
    }
    println!();
    print!("|---|---:|");
    for _ in TOOLS {
        print!("---:|");
    }
    println!();
    for (vi, v) in VARIANTS.iter().enumerate() {
        print!("| {v} | {} |", cases[vi]);
        for ti in 0..TOOLS.len() {
            let c = &results[vi][ti];
            let n: usize = c.values().sum::<usize>().max(1);
            let pct = |o| 100.0 * *c.get(&o).unwrap_or(&0) as f64 / n as f64;
            print!(
                " {:.0}% / {:.0}% |",
                pct(Outcome::Exact),
                pct(Outcome::Wrong)
            );
        }
        println!();
    }
    println!();
    println!(
        "Largest hunk-location work for one patch (either autodev mode): {max_work} line comparisons; the gate's budget is {DEFAULT_WORK_BUDGET}."
    );
    if !wrong_examples.is_empty() {
        println!();
        println!("autodev applied wrongly: {}", wrong_examples.join("; "));
    }
}

fn collect(a: &Path, b: &Path, name: &str, out: &mut Vec<Change>) {
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(rd) = fs::read_dir(a.join(&rel)) else {
            continue;
        };
        let mut entries: Vec<_> = rd.map(|e| e.unwrap().file_name()).collect();
        entries.sort();
        for e in entries {
            let r = rel.join(&e);
            let pa = a.join(&r);
            if pa.is_dir() {
                stack.push(r);
                continue;
            }
            if r.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let (Ok(old), Ok(new)) = (fs::read(&pa), fs::read(b.join(&r))) else {
                continue;
            };
            if old == new || old.len() > 200_000 || new.len() > 200_000 {
                continue;
            }
            if std::str::from_utf8(&old).is_err() || std::str::from_utf8(&new).is_err() {
                continue;
            }
            let path = format!("{name}/{}", r.to_str().unwrap());
            out.push(Change { path, old, new });
        }
    }
}

fn diff_of(ch: &Change) -> String {
    let mut changes = worker::edits::Changes::new();
    changes.insert(ch.path.clone(), (Some(ch.old.clone()), ch.new.clone()));
    worker::edits::unified_diff(&changes)
}

/// Applies `f` to the content of context (' ') and removed ('-') lines inside hunks.
fn map_old_lines(diff: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut in_hunk = false;
    for line in diff.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        if body.starts_with("@@") {
            in_hunk = true;
        } else if body.starts_with("diff --git") {
            in_hunk = false;
        }
        if in_hunk && (body.starts_with(' ') || (body.starts_with('-') && !body.starts_with("---")))
        {
            out.push_str(&body[..1]);
            out.push_str(&f(&body[1..]));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

fn shift(diff: &str, by: i64) -> String {
    let mut out = String::new();
    for line in diff.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("@@ -") {
            let end = rest.find(" @@").unwrap();
            let nums: Vec<String> = rest[..end]
                .split(" +")
                .map(|r| {
                    let mut p = r.splitn(2, ',');
                    let start: i64 = p.next().unwrap().parse().unwrap();
                    let s = (start + by).max(1);
                    match p.next() {
                        Some(c) => format!("{s},{c}"),
                        None => s.to_string(),
                    }
                })
                .collect();
            out.push_str(&format!("@@ -{} +{}{}", nums[0], nums[1], &rest[end..]));
        } else {
            out.push_str(line);
        }
    }
    out
}

fn unicode(s: &str) -> String {
    let mut open = true;
    s.chars()
        .map(|c| match c {
            '"' => {
                open = !open;
                if open { '\u{201D}' } else { '\u{201C}' }
            }
            '\'' => '\u{2019}',
            '-' => '\u{2013}',
            c => c,
        })
        .collect()
}

fn drop_edge_context(diff: &str) -> String {
    let lines: Vec<&str> = diff.split_inclusive('\n').collect();
    let mut keep = vec![true; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with("@@") {
            let start = i + 1;
            let mut end = start;
            while end < lines.len()
                && !lines[end].starts_with("@@")
                && !lines[end].starts_with("diff --git")
            {
                end += 1;
            }
            if start < end && lines[start].starts_with(' ') {
                keep[start] = false;
            }
            if end > start + 1 && lines[end - 1].starts_with(' ') {
                keep[end - 1] = false;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    lines
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(l, _)| *l)
        .collect()
}

fn fence(diff: &str) -> String {
    format!(
        "Here is the change you asked for:\n\n```diff\n{diff}```\n\nThis keeps the behaviour otherwise unchanged.\n"
    )
}

fn variants(exact: &str) -> Vec<Option<String>> {
    let trailing = |d: &str| map_old_lines(d, |s| format!("{s}  "));
    let uni = |d: &str| map_old_lines(d, unicode);
    vec![
        Some(exact.to_owned()),
        Some(shift(exact, 12)),
        Some(trailing(exact)),
        Some(map_old_lines(exact, |s| {
            if s.is_empty() {
                String::new()
            } else {
                format!(" {s}")
            }
        })),
        Some(exact.replace('\n', "\r\n")),
        Some(uni(exact)),
        Some(drop_edge_context(exact)),
        Some(fence(exact)),
        Some(fence(&uni(&trailing(&shift(exact, 12))))),
    ]
}

fn run_tool(ti: usize, ch: &Change, patch: &str, dir: &Path, max_work: &mut u64) -> Outcome {
    if ti <= 1 {
        let fuzzy = ti == 0;
        let Ok(p) = gate::patch::parse(patch.as_bytes(), fuzzy) else {
            return Outcome::Refused;
        };
        if p.files.len() != 1 {
            return Outcome::Refused;
        }
        let mode = if fuzzy {
            MatchMode::Fuzzy
        } else {
            MatchMode::Strict
        };
        let mut budget = Budget::default();
        let result = apply_hunks_within(&ch.old, &p.files[0].hunks, mode, false, &mut budget);
        *max_work = (*max_work).max(budget.used());
        return match result {
            Ok(got) if got == ch.new => Outcome::Exact,
            Ok(_) => Outcome::Wrong,
            Err(_) => Outcome::Refused,
        };
    }
    let file = dir.join(&ch.path);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, &ch.old).unwrap();
    let pf = dir.join("change.patch");
    fs::write(&pf, patch).unwrap();
    let mut cmd = match ti {
        2 | 3 => {
            let mut c = Command::new("git");
            c.env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null");
            c.args(["apply", "--whitespace=nowarn"]);
            if ti == 3 {
                c.args(["--recount", "-C1"]);
            }
            c.arg(&pf);
            c
        }
        _ => {
            let mut c = Command::new("patch");
            c.args([
                "-p1",
                "--fuzz=3",
                "--batch",
                "--silent",
                "--no-backup-if-mismatch",
                "--reject-file=-",
                "-i",
            ]);
            c.arg(&pf);
            c
        }
    };
    let ok = cmd.current_dir(dir).output().unwrap().status.success();
    let got = fs::read(&file).unwrap_or_default();
    fs::remove_dir_all(dir).unwrap();
    match (ok, got == ch.new) {
        (true, true) => Outcome::Exact,
        (true, false) => Outcome::Wrong,
        (false, _) => Outcome::Refused,
    }
}
