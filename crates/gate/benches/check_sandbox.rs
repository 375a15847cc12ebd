//! What the sandbox costs a check: the same gate run (a one-file patch, one check) with `[sandbox] mode = "auto"`
//! (on this machine: supervisor + user/mount/network namespaces + Landlock) and `mode = "none"` (supervisor
//! only), interleaved in one loop so both see the same machine load. Two checks: `true` (the fixed cost of
//! starting a contained process) and a small shell workload (about 500 process starts and file writes in the
//! checkout, where per-operation costs of Landlock would show).
//!
//! Run: `cargo bench -p gate --bench check_sandbox` (env: `BENCH_RUNS`, default 20). Prints a Markdown table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use gate::{Gate, GateConfig, GateRequest};

const PATCH: &str = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n";
const WORKLOAD: &str =
    "i=0; while [ $i -lt 500 ]; do echo $i > out.txt; cat out.txt > /dev/null; i=$((i+1)); done";

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let tmp = tempfile::tempdir().unwrap();
    let sandboxed = repo(&tmp.path().join("auto"), "");
    let plain = repo(&tmp.path().join("none"), "[sandbox]\nmode = \"none\"\n");
    let gate = Gate::new(GateConfig {
        work_root: Some(tmp.path().join("work")),
        slots: 1,
        ..GateConfig::default()
    });
    let level = run(&gate, &sandboxed, "true").1;

    println!("| check | sandbox ({level}) median ms | none median ms | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, check) in [
        ("`true`", "true"),
        ("500 process starts + writes", WORKLOAD),
    ] {
        // Warm both slots first (the first run clones).
        run(&gate, &sandboxed, check);
        run(&gate, &plain, check);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            a.push(run(&gate, &sandboxed, check).0);
            b.push(run(&gate, &plain, check).0);
        }
        let (ma, mb) = (median(&mut a), median(&mut b));
        println!("| {name} | {ma:.1} | {mb:.1} | {:.2}× |", ma / mb);
    }
    println!(
        "\n{runs} interleaved runs each; a run is the whole gate (slot reset, apply, the check). The check's own time \
         is inside it."
    );
}

/// One gate run with `check`; (milliseconds, the sandbox the report names).
fn run(gate: &Gate, repo: &Path, check: &str) -> (f64, String) {
    let mut req = GateRequest::new(repo, "HEAD", PATCH);
    req.checks = Some(vec![check.to_owned()]);
    let t = Instant::now();
    let report = gate.check(&req).unwrap();
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    assert!(report.passed(), "{:?}", report.checks);
    let level = report.sandbox.map(|s| s.to_string()).unwrap_or_default();
    (ms, level)
}

fn repo(dir: &Path, gate_toml: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join(".autodev_ssot")).unwrap();
    std::fs::write(dir.join("a.txt"), "a\n").unwrap();
    std::fs::write(dir.join(".autodev_ssot/gate.toml"), gate_toml).unwrap();
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["add", "-A"],
        &[
            "-c",
            "user.name=b",
            "-c",
            "user.email=b@x",
            "commit",
            "-qm",
            "init",
        ],
    ] {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }
    dir.to_owned()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
