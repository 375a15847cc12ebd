//! Child-process roles, started by [`spawn`]: this test binary run again with the role in its environment.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use queue_core::{Intent, NewTask, ResultKind, TaskQueue};
use queue_pg::PgQueue;

pub(crate) fn new_task(n: usize) -> NewTask {
    NewTask {
        title: format!("task {n}"),
        intent: Intent::Fix,
        work: format!("make change number {n} to the file"),
        targets: vec!["src/lib.rs".into()],
        repo: "/nonexistent/repo".into(),
        base: "HEAD".into(),
        base_commit: Some("0000000000000000000000000000000000000000".into()),
        checks: None,
    }
}

/// Starts this test binary as a child playing `role` on the queue at `url`.
pub(crate) fn spawn(role: &str, url: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "children::child_entry",
            "--nocapture",
            "--test-threads=1",
            "-q",
        ])
        .env("QPG_CHILD_ROLE", role)
        .env("QPG_CHILD_URL", url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Lines a child printed that start with `prefix` (libtest adds its own lines around them).
pub(crate) fn lines_with(stdout: &str, prefix: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix(prefix).map(str::to_string))
        .collect()
}

#[test]
#[ignore = "entry point for child processes started by other tests"]
fn child_entry() {
    let role = std::env::var("QPG_CHILD_ROLE").unwrap();
    let queue = PgQueue::open(&std::env::var("QPG_CHILD_URL").unwrap()).unwrap();
    let me = format!("child:{}", std::process::id());
    let mut out = std::io::stdout().lock();
    match role.as_str() {
        // Claims and completes until the queue is empty; one line per claim.
        "claimer" => {
            while let Some(c) = queue.claim(&me).unwrap() {
                queue.complete(&c, "GATE_PASSED").unwrap();
                writeln!(out, "CLAIMED {}", c.task.id).unwrap();
            }
        }
        // Claims one task, says so, then waits for a line on stdin before it tries to finish it.
        "stale_holder" => {
            let c = queue.claim(&me).unwrap().unwrap();
            writeln!(out, "CLAIMED {} {}", c.task.id, c.token).unwrap();
            out.flush().unwrap();
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).unwrap();
            let put = queue.put_result(&c, ResultKind::Patch, b"stale patch");
            let done = queue.complete(&c, "GATE_PASSED");
            let code = |r: &queue_core::Result<()>| r.as_ref().err().map_or("OK", |e| e.code());
            writeln!(out, "PUT {}", code(&put)).unwrap();
            writeln!(out, "COMPLETE {}", code(&done)).unwrap();
        }
        // A worker that survives its connections being cut: errors are waited out, as the real worker does.
        "worker" => loop {
            let claim = match queue.claim(&me) {
                Ok(Some(c)) => c,
                Ok(None) => {
                    queue.wait_for_work(Duration::from_millis(200));
                    continue;
                }
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            std::thread::sleep(Duration::from_millis(
                u64::from(claim.task.id.seq() % 7) * 20,
            ));
            if queue
                .put_result(
                    &claim,
                    ResultKind::Report,
                    claim.task.id.to_string().as_bytes(),
                )
                .is_err()
            {
                continue;
            }
            let _ = queue.complete(&claim, "GATE_PASSED");
        },
        other => panic!("unknown role {other}"),
    }
}
