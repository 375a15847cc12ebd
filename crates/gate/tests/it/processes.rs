//! Nothing a check starts survives it: background children, grandchildren, `setsid` and double-fork escapes,
//! whether the check passes, fails or times out. Pid files go into the checkout (the only place, with the
//! private temp dir, that a sandboxed check may write) to prove the processes started; since checks run in their
//! own PID namespace (where user namespaces work), those pids mean nothing out here, so every process a check
//! starts carries a unique token in its command line (`sleep 300 0.<token>`) and the test looks for the token.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use gate::{CheckStatus, Gate, GateConfig, GateRequest, ReasonCode};

use crate::common::repo_with;

/// Alive and not a zombie (a zombie is dead; it only waits for a reaper that may not exist in a container).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat
                .rsplit(')')
                .next()
                .and_then(|s| s.split_whitespace().next())
                .unwrap_or("");
            state != "Z" && state != "X"
        }
        Err(_) => false,
    }
}

/// A sleep argument unique to this test process and call (`0.<pid><n>`: sleep adds it to the other arguments).
fn token() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "0.{}{:03}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Live processes whose command line contains `token`.
fn marked(token: &str) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.split(|b| *b == 0).any(|arg| arg == token.as_bytes()))
        })
        .filter(|pid| alive(*pid))
        .collect()
}

/// Waits up to 5 s for every process carrying `token` to be gone; the survivors otherwise.
fn none_left(token: &str) -> Result<(), Vec<i32>> {
    let start = Instant::now();
    loop {
        let left = marked(token);
        if left.is_empty() {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(5) {
            return Err(left);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The pids a check wrote into `name` in its checkout, one per line.
fn pids_in_checkout(report: &gate::GateReport, name: &str) -> Vec<i32> {
    let path = report.checkout.as_ref().unwrap().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(|l| l.trim().parse().unwrap()).collect()
}

const PATCH: &[u8] = b"--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n";

#[test]
fn timeout_kills_grandchildren() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let gate = Gate::new(GateConfig {
        default_check_timeout: Some(Duration::from_secs(1)),
        ..GateConfig::default()
    });
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    // sh -c (the check) -> sh -c (child) -> sleep (grandchild, in the background).
    let t = token();
    req.checks = Some(vec![format!(
        "sh -c 'sleep 300 {t} & echo $! > \"$PWD/grandchild.pid\"; wait'"
    )]);
    let started = Instant::now();
    let report = gate.check(&req).unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(report.reason_codes(), vec![ReasonCode::CheckTimeout]);
    assert_eq!(report.checks[0].status, CheckStatus::TimedOut);
    assert_eq!(pids_in_checkout(&report, "grandchild.pid").len(), 1);
    if let Err(left) = none_left(&t) {
        panic!("grandchild {left:?} survived the timeout");
    }
    let log = std::fs::read_to_string(report.checks[0].log_path.as_ref().unwrap()).unwrap();
    assert!(log.contains("timed out"), "{log}");
}

#[test]
fn background_children_of_a_passing_check_are_killed() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let gate = Gate::new(GateConfig::default());
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    let t = token();
    req.checks = Some(vec![format!(
        "sleep 300 {t} >/dev/null 2>&1 & echo $! > bg.pid; echo done"
    )]);
    let report = gate.check(&req).unwrap();
    assert!(report.passed(), "{:?}", report.checks);
    assert_eq!(pids_in_checkout(&report, "bg.pid").len(), 1);
    if let Err(left) = none_left(&t) {
        panic!("background child {left:?} outlived its check");
    }
}

/// Every way a process leaves its parent's group or tree: `setsid`, a double fork, `setsid` + double fork,
/// `nohup` — all recorded, the check exits at once (PASS or FAIL), and none is alive afterwards.
fn escapes(t: &str) -> String {
    format!(
        r#"
setsid sleep 301 {t} >/dev/null 2>&1 < /dev/null & echo $! >> escaped.pid
( sleep 302 {t} >/dev/null 2>&1 < /dev/null & echo $! >> escaped.pid ) &
setsid sh -c '( sleep 303 {t} >/dev/null 2>&1 < /dev/null & echo $! >> escaped.pid ) &' < /dev/null
nohup sleep 304 {t} >/dev/null 2>&1 < /dev/null & echo $! >> escaped.pid
perl -e 'use POSIX; if (fork()) {{ exit 0 }} POSIX::setsid(); if (fork()) {{ exit 0 }} open(F, ">>escaped.pid"); print F "$$\n"; close F; sleep 305' {t} >/dev/null 2>&1 < /dev/null &
i=0; while [ "$(wc -l < escaped.pid)" -lt 5 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
"#
    )
}

#[test]
fn setsid_and_double_fork_children_die_with_a_passing_check() {
    escapes_die("exit 0", None);
}

#[test]
fn setsid_and_double_fork_children_die_with_a_failing_check() {
    escapes_die("exit 3", Some(ReasonCode::CheckFailed));
}

#[test]
fn setsid_and_double_fork_children_die_on_timeout() {
    escapes_die("sleep 300", Some(ReasonCode::CheckTimeout));
}

/// Runs the escapes, then `end`; every escaped process must be gone afterwards.
fn escapes_die(end: &str, expected: Option<ReasonCode>) {
    let t = token();
    let check = format!("{}\n{end}", escapes(&t));
    let repo = repo_with(&[("a.txt", "a\n")]);
    let gate = Gate::new(GateConfig {
        default_check_timeout: Some(Duration::from_secs(3)),
        ..GateConfig::default()
    });
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    req.checks = Some(vec![check]);
    let report = gate.check(&req).unwrap();
    assert_eq!(
        report.reason_codes(),
        expected.into_iter().collect::<Vec<_>>(),
        "{:?}",
        report.checks
    );
    let pids = pids_in_checkout(&report, "escaped.pid");
    assert_eq!(pids.len(), 5, "{pids:?}");
    if let Err(left) = none_left(&t) {
        panic!("escaped processes {left:?} outlived their check");
    }
}

#[test]
fn output_tail_is_bounded_and_log_is_complete() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let gate = Gate::new(GateConfig::default());
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    req.checks = Some(vec!["i=0; while [ $i -lt 2000 ]; do echo \"line $i\"; i=$((i+1)); done; echo to-stderr >&2; exit 7".into()]);
    let report = gate.check(&req).unwrap();
    assert_eq!(report.reason_codes(), vec![ReasonCode::CheckFailed]);
    let check = &report.checks[0];
    assert_eq!(check.exit_code, Some(7));
    assert!(check.output_tail.len() <= 4096);
    assert!(check.output_tail.contains("to-stderr"));
    let log = std::fs::read_to_string(check.log_path.as_ref().unwrap()).unwrap();
    assert!(log.starts_with("line 0\n") && log.contains("line 1999"));
}

/// The gate itself dies (SIGKILL, as the chaos test does to workers) while a check runs: the supervisor
/// notices (`PR_SET_PDEATHSIG`) and kills the check and everything it started, `setsid` children included.
#[test]
fn a_killed_gate_leaves_no_check_behind() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let work = tempfile::tempdir().unwrap();
    let patch = work.path().join("p.diff");
    std::fs::write(&patch, PATCH).unwrap();
    let t = token();
    let check = format!(
        "setsid sleep 301 {t} >/dev/null 2>&1 < /dev/null & echo $! >> pids; \
         sleep 302 {t} & echo $! >> pids; echo $$ >> pids; wait"
    );
    let mut gate = std::process::Command::new(env!("CARGO_BIN_EXE_autodev-gate"))
        .arg("gate")
        .arg(&patch)
        .arg("--repo")
        .arg(&repo.path)
        .arg("--work-root")
        .arg(work.path())
        .arg("--check")
        .arg(&check)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pidfile = work.path().join("checkouts/slot-0/pids");
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(&pidfile).unwrap_or_default();
        let pids: Vec<i32> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
        if pids.len() == 3 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the check never started: {text:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    gate.kill().unwrap();
    gate.wait().unwrap();
    if let Err(left) = none_left(&t) {
        panic!("processes {left:?} outlived the killed gate");
    }
}

/// A family that keeps detaching new members (each copy starts two more in new sessions, then sleeps): whether
/// the check passes or times out, none is left. It stops growing at 200 members, so a failed containment cannot
/// turn into a fork bomb on the test machine.
#[test]
fn a_growing_family_of_detached_processes_dies_with_its_check() {
    for end in ["exit 0", "sleep 300"] {
        let t = token();
        let repo = repo_with(&[("a.txt", "a\n")]);
        let gate = Gate::new(GateConfig {
            default_check_timeout: Some(Duration::from_secs(3)),
            ..GateConfig::default()
        });
        let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
        req.checks = Some(vec![format!(
            r#"cat > hydra.sh <<'EOF'
[ "$(cat spawned 2>/dev/null | wc -l)" -lt 200 ] || exec sleep 30 "$1"
echo $$ >> spawned
setsid sh ./hydra.sh "$1" < /dev/null > /dev/null 2>&1 &
setsid sh ./hydra.sh "$1" < /dev/null > /dev/null 2>&1 &
exec sleep 300 "$1"
EOF
sh ./hydra.sh {t} < /dev/null > /dev/null 2>&1 &
i=0; while [ "$(cat spawned 2>/dev/null | wc -l)" -lt 50 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
{end}"#
        )]);
        let report = gate.check(&req).unwrap();
        let spawned = pids_in_checkout(&report, "spawned").len();
        assert!(spawned >= 50, "the family never grew: {spawned} members");
        if let Err(left) = none_left(&t) {
            panic!("{} of the family outlived the check ({end})", left.len());
        }
    }
}

/// Where user namespaces work, a check is the first process of its own PID namespace with its own `/proc`: it
/// sees neither the gate nor any other program.
#[test]
fn a_check_sees_only_its_own_processes() {
    if !gate::sandbox::support().user_namespaces {
        eprintln!("SKIPPED: no user namespaces here, so checks get no PID namespace");
        return;
    }
    let repo = repo_with(&[("a.txt", "a\n")]);
    let gate = Gate::new(GateConfig::default());
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH.to_vec());
    let me = std::process::id();
    req.checks = Some(vec![format!(
        "set -e; grep -q '^Pid:' /proc/self/status; ls /proc | grep -c '^[0-9]' > count; \
         test ! -e /proc/{me} || {{ echo 'the gate is visible'; exit 1; }}; \
         test \"$$\" -le 3 || {{ echo 'not in a PID namespace'; exit 1; }}"
    )]);
    let report = gate.check(&req).unwrap();
    assert!(report.passed(), "{:?}", report.checks);
    let count: usize = std::fs::read_to_string(report.checkout.unwrap().join("count"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((1..=5).contains(&count), "{count} processes visible");
}
