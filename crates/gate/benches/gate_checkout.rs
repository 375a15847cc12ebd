//! Gate time without checks on a large repository (issue #3), next to what a gate would otherwise do, all in
//! the same run and interleaved: a fresh `git clone --local` + `git apply` per patch, and a plain `git apply` on
//! an already clean tree (the floor: no reset, no policy, no verification). Then a breakdown of the slot reset
//! the gate does before every run (the git commands of `crates/gate/src/checkout.rs`), timed one by one.
//!
//! Run: `cargo bench -p gate --bench gate_checkout` (env: `BENCH_RUNS`, default 15; `BENCH_FILES`, default
//! 20000; `AUTODEV_CACHE`, where the generated repository is kept, default `~/.cache/autodev`).
//! Prints Markdown tables on stdout.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use gate::{Gate, GateConfig, GateRequest};

/// Bump when the generator changes: the cached repository is keyed by it.
const REPO_VERSION: &str = "v1";
const PATCHED: &str = "d100/f050.rs";

fn main() {
    let runs: usize = env_num("BENCH_RUNS", 15);
    let files: usize = env_num("BENCH_FILES", 20_000);
    let repo = ensure_repo(files);
    let tmp = tempfile::Builder::new()
        .prefix("autodev-gate-bench-")
        .tempdir()
        .unwrap();
    let patch = make_patch(&repo);
    let patch_file = tmp.path().join("fix.patch");
    fs::write(&patch_file, &patch).unwrap();

    let gate = Gate::new(GateConfig {
        work_root: Some(tmp.path().join("work")),
        ..GateConfig::default()
    });
    let strict = GateRequest::new(&repo, "HEAD", patch);
    let mut fuzzy = strict.clone();
    fuzzy.fuzzy = true;

    // Warm: the first run clones the slot and checks out every file.
    let t = Instant::now();
    let first = gate.check(&strict).unwrap();
    assert!(first.passed(), "{first:?}");
    let first_ms = ms(t);
    assert!(gate.check(&fuzzy).unwrap().passed());

    // The plain-apply baseline works in its own clean checkout.
    let plain = tmp.path().join("plain");
    git(
        tmp.path(),
        &[
            "clone",
            "--quiet",
            "--local",
            path_str(&repo),
            path_str(&plain),
        ],
    );

    let (mut g, mut gf, mut clone, mut apply) = (vec![], vec![], vec![], vec![]);
    for i in 0..runs {
        let t = Instant::now();
        assert!(gate.check(&strict).unwrap().passed());
        g.push(ms(t));

        let t = Instant::now();
        assert!(gate.check(&fuzzy).unwrap().passed());
        gf.push(ms(t));

        let dst = tmp.path().join(format!("clone-{i}"));
        let t = Instant::now();
        git(
            tmp.path(),
            &[
                "clone",
                "--quiet",
                "--local",
                path_str(&repo),
                path_str(&dst),
            ],
        );
        git(&dst, &["apply", path_str(&patch_file)]);
        clone.push(ms(t));
        fs::remove_dir_all(&dst).unwrap();

        let t = Instant::now();
        git(&plain, &["apply", path_str(&patch_file)]);
        apply.push(ms(t));
        git(&plain, &["checkout", "--quiet", "--", PATCHED]);
    }
    let (g, gf, clone, apply) = (median(g), median(gf), median(clone), median(apply));
    println!(
        "gate on a {files}-file repository, {runs} interleaved runs, medians (first gate run, which clones and checks out the slot: {first_ms:.0} ms)"
    );
    println!();
    println!("| what | median ms | gate strict is … | target |");
    println!("|---|---:|---:|---|");
    println!("| autodev gate, strict, warm slot, no checks | {g:.1} | — | |");
    println!(
        "| autodev gate, fuzzy (adds the normalized diff), warm slot | {gf:.1} | {:.2}× of it | |",
        g / gf
    );
    println!(
        "| fresh `git clone --local` + `git apply` | {clone:.1} | {:.1}× faster | ≥ 20× faster: {} |",
        clone / g,
        met(clone / g >= 20.0)
    );
    println!(
        "| plain `git apply` on a clean tree | {apply:.1} | {:.1}× slower | within 3×: {} |",
        g / apply,
        met(g / apply <= 3.0)
    );
    println!();

    breakdown(&repo, tmp.path(), &patch_file, runs);
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

/// Times each git command of the gate's slot reset (and the other git calls of a strict run) on a slot that
/// a patch has just dirtied, like the gate finds it.
fn breakdown(repo: &Path, tmp: &Path, patch_file: &Path, runs: usize) {
    let slot = tmp.join("work/checkouts/slot-0");
    let head = String::from_utf8(git(repo, &["rev-parse", "HEAD"])).unwrap();
    let head = head.trim();
    let gd = format!(
        "--git-dir={}",
        tmp.join("work/checkouts/slot-0.git").display()
    );
    let wt = format!("--work-tree={}", slot.display());
    let steps: Vec<(&str, Vec<&str>)> = vec![
        (
            "rev-parse --show-toplevel … (locate repo, in the user's repo)",
            vec!["rev-parse", "--show-toplevel", "--git-common-dir"],
        ),
        (
            "cat-file (policy.toml at base; twice per run)",
            vec!["cat-file", "-e", "HEAD:.autodev_ssot/policy.toml"],
        ),
        (
            "checkout --force --detach C",
            vec![&gd, &wt, "checkout", "--quiet", "--force", "--detach", head],
        ),
        (
            "reset --hard C (no longer run: checkout --force does its work)",
            vec![&gd, &wt, "reset", "--quiet", "--hard", head],
        ),
        (
            "clean -ffdxq (whole tree)",
            vec![&gd, &wt, "clean", "-ffdxq"],
        ),
        (
            "status --porcelain --untracked-files=all --ignored",
            vec![
                &gd,
                &wt,
                "status",
                "--porcelain",
                "--untracked-files=all",
                "--ignored",
            ],
        ),
        (
            "alternative: read-tree -u --reset C",
            vec![&gd, &wt, "read-tree", "-u", "--reset", head],
        ),
        (
            "alternative: checkout --force C -- <touched path>",
            vec![
                &gd, &wt, "checkout", "--quiet", "--force", head, "--", PATCHED,
            ],
        ),
        (
            "alternative: clean -ffdxq -- <touched path>",
            vec![&gd, &wt, "clean", "-ffdxq", "--", PATCHED],
        ),
        (
            "alternative: diff --quiet (tracked changes only, no untracked walk)",
            vec![&gd, &wt, "diff", "--quiet"],
        ),
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); steps.len()];
    for _ in 0..runs {
        for (i, (_, args)) in steps.iter().enumerate() {
            // Each step starts from the state the gate finds: the previous patch applied.
            let _ = Command::new("git")
                .args([gd.as_str(), wt.as_str(), "apply", path_str(patch_file)])
                .current_dir(&slot)
                .envs(git_env())
                .output();
            let dir = if i < 2 { repo } else { slot.as_path() };
            let t = Instant::now();
            let _ = Command::new("git")
                .args(FORCED.iter().flat_map(|c| ["-c", c]))
                .args(args)
                .current_dir(dir)
                .envs(git_env())
                .output()
                .unwrap();
            times[i].push(ms(t));
            let _ = Command::new("git")
                .args([
                    gd.as_str(),
                    wt.as_str(),
                    "checkout",
                    "--quiet",
                    "--force",
                    head,
                    "--",
                    PATCHED,
                ])
                .current_dir(&slot)
                .envs(git_env())
                .output();
        }
    }
    let empty = ms_of(
        || {
            Command::new("git").arg("--version").output().unwrap();
        },
        runs,
    );
    println!(
        "where a warm strict run's time goes: each git command the gate runs, timed alone on a slot the previous patch dirtied (medians of {runs}); `git --version` (process start) takes {empty:.1} ms"
    );
    println!();
    println!("| git command | median ms |");
    println!("|---|---:|");
    for ((name, _), t) in steps.iter().zip(times) {
        println!("| {name} | {:.1} |", median(t));
    }
}

const FORCED: &[&str] = &[
    "core.hooksPath=/dev/null",
    "core.autocrlf=false",
    "core.safecrlf=false",
    "core.fsmonitor=false",
    "core.symlinks=true",
    "advice.detachedHead=false",
    "gc.auto=0",
];

fn ms_of(f: impl Fn(), runs: usize) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                ms(t)
            })
            .collect(),
    )
}

fn env_num(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn git_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ("GIT_AUTHOR_NAME", "bench"),
        ("GIT_AUTHOR_EMAIL", "bench@example.invalid"),
        ("GIT_COMMITTER_NAME", "bench"),
        ("GIT_COMMITTER_EMAIL", "bench@example.invalid"),
        ("GIT_AUTHOR_DATE", "2025-01-01T00:00:00Z"),
        ("GIT_COMMITTER_DATE", "2025-01-01T00:00:00Z"),
    ]
}

fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(git_env())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn cache_root() -> PathBuf {
    std::env::var_os("AUTODEV_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/autodev"))
}

/// Line `n` (1-based) of generated file `d/f`.
fn line(d: usize, f: usize, n: usize, seed: &mut u64) -> String {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let r = (*seed >> 33) % 1000;
    format!("    let v{n} = compute_{d}_{f}({r}, \"line {n}\"); // generated")
}

/// A deterministic repository of `files` small Rust-looking files in folders of 100, committed once, cached.
fn ensure_repo(files: usize) -> PathBuf {
    let root = cache_root()
        .join("bench")
        .join(format!("gate-repo-{REPO_VERSION}-{files}"));
    let repo = root.join("repo");
    let ready = root.join("READY");
    if ready.exists() {
        return repo;
    }
    eprintln!("generating {files} files in {} (cached)", repo.display());
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&repo).unwrap();
    let mut seed = 42u64;
    for i in 0..files {
        let (d, f) = (i / 100, i % 100);
        let dir = repo.join(format!("d{d:03}"));
        fs::create_dir_all(&dir).unwrap();
        let mut text = format!("// file {d}/{f}\npub fn f_{d}_{f}() {{\n");
        for n in 1..=30 {
            text.push_str(&line(d, f, n, &mut seed));
            text.push('\n');
        }
        text.push_str("}\n");
        fs::write(dir.join(format!("f{f:03}.rs")), text).unwrap();
    }
    git(&repo, &["init", "--quiet", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "--quiet", "-m", "generated"]);
    fs::write(&ready, REPO_VERSION).unwrap();
    repo
}

/// Changes line 12 of PATCHED and adds one after it, with 3 lines of context.
fn make_patch(repo: &Path) -> Vec<u8> {
    let text = fs::read_to_string(repo.join(PATCHED)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut p = format!(
        "diff --git a/{PATCHED} b/{PATCHED}\n--- a/{PATCHED}\n+++ b/{PATCHED}\n@@ -9,7 +9,8 @@\n"
    );
    for l in &lines[8..11] {
        p.push_str(&format!(" {l}\n"));
    }
    p.push_str(&format!("-{}\n", lines[11]));
    p.push_str(&format!("+{} // changed\n", lines[11]));
    p.push_str("+    let added = 1;\n");
    for l in &lines[12..15] {
        p.push_str(&format!(" {l}\n"));
    }
    p.into_bytes()
}
