//! Child-process roles, started by [`spawn`].

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use chrono::Utc;
use queue_core::{Intent, NewTask, Queue};

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

/// Starts this test binary as a child playing `role` on the queue at `queue`.
pub(crate) fn spawn(role: &str, queue: &Path, arg: &str) -> Child {
    child_command(
        Command::new(std::env::current_exe().unwrap()),
        role,
        queue,
        arg,
    )
    .spawn()
    .unwrap()
}

/// `cmd` (this test binary, or a wrapper such as `unshare` followed by it) set up to play `role`.
pub(crate) fn child_command(mut cmd: Command, role: &str, queue: &Path, arg: &str) -> Command {
    cmd.args([
        "--ignored",
        "--exact",
        "children::child_entry",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env("QC_CHILD_ROLE", role)
    .env("QC_CHILD_QUEUE", queue)
    .env("QC_CHILD_ARG", arg)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    cmd
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
    let role = std::env::var("QC_CHILD_ROLE").expect("QC_CHILD_ROLE");
    if role == "full_disk" {
        // Runs in its own user + mount namespace, where it mounts a tiny tmpfs: no queue yet.
        crate::disk::full_disk_child(std::path::Path::new(
            &std::env::var("QC_CHILD_QUEUE").unwrap(),
        ));
        return;
    }
    let queue = Queue::open(std::env::var("QC_CHILD_QUEUE").unwrap()).unwrap();
    let arg = std::env::var("QC_CHILD_ARG").unwrap_or_default();
    let me = format!("child:{}", std::process::id());
    let mut out = std::io::stdout().lock();
    match role.as_str() {
        // Claim and complete until the queue is empty.
        "claimer" => {
            while let Some(c) = queue.claim(&me).unwrap() {
                queue.complete(&c, "OK").unwrap();
                writeln!(out, "DONE {}", c.task.id).unwrap();
            }
        }
        // Submit `arg` tasks.
        "submitter" => {
            let n: usize = arg.parse().unwrap();
            for i in 0..n {
                let t = queue.submit(new_task(i), &me).unwrap();
                writeln!(out, "ID {}", t.id).unwrap();
            }
        }
        // Claim one task, say so, then hang (to be killed).
        "holder" => {
            let c = queue.claim(&me).unwrap().expect("a task to hold");
            writeln!(out, "HOLDING {}", c.task.id).unwrap();
            out.flush().unwrap();
            std::thread::sleep(std::time::Duration::from_secs(600));
        }
        // Claim, renew every `arg` ms while "working" for 3 s, then complete.
        "renewer" => {
            let every: u64 = arg.parse().unwrap();
            let c = queue.claim(&me).unwrap().expect("a task");
            writeln!(out, "HOLDING {} {}", c.task.id, Utc::now().to_rfc3339()).unwrap();
            out.flush().unwrap();
            let start = std::time::Instant::now();
            while start.elapsed().as_secs() < 3 {
                std::thread::sleep(std::time::Duration::from_millis(every));
                queue.renew(&c).unwrap();
            }
            queue.complete(&c, "OK").unwrap();
            writeln!(out, "DONE {}", c.task.id).unwrap();
        }
        other => panic!("unknown role {other}"),
    }
}
