//! Chaos: several worker processes over a few hundred tasks against a fake model that fails at random (503 busy,
//! 404 model missing, cut streams, error lines, garbage), while a driver SIGKILLs random workers at random
//! moments — during claim, generation, gate or report writing — and restarts them.
//!
//! At the end every task is in exactly one terminal state, none is lost or finished twice, every patch matches
//! its report's sha256, and `events.ndjson` parses completely and tells the same story as the folders.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use fake_servers::{FakeOllama, Script, Step};
use test_support::TempRepo;

use crate::worker::{events, read_json, sha256_hex, signal, worker_cmd};
use crate::{autodev, queue_dir};

const TASKS: usize = 300;
const WORKERS_NOTE: &str =
    "5 worker processes, SIGKILLed at random every 0.2-1.1 s until 90% of tasks are terminal";
const WORKERS: usize = 5;

/// A tiny deterministic generator (no extra dependency for the test).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn faulty_script(rng: &mut Lcg) -> Script {
    let mut steps = Vec::new();
    for _ in 0..4000 {
        steps.push(match rng.below(100) {
            0..=64 => Step::computed(),
            65..=72 => Step::status(503),
            73..=75 => Step::status(404),
            76..=84 => Step::drop_after("{\"edits\": [{\"path\""),
            85..=89 => Step::error_after(
                "{\"edits\"",
                "an error was encountered while running the model",
            ),
            _ => Step::answer("I think you should add the note by hand."),
        });
    }
    // Each task asks for notes/<n>.txt; the right answer creates it.
    Script::new(steps).with_seed(rng.next()).with_responder(|req| {
        let prompt = req["messages"][1]["content"].as_str().unwrap_or_default();
        let n = prompt
            .split("add note ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or("0")
            .to_string();
        serde_json::json!({"edits": [{"path": format!("notes/{n}.txt"), "search": "", "replace": format!("note {n}\n")}]})
            .to_string()
    })
}

fn spawn_worker(repo: &Path, url: &str) -> Child {
    worker_cmd(repo, url, &[])
        .env("AUTODEV_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn killed_workers_and_a_faulty_model_lose_nothing_and_finish_nothing_twice() {
    let mut rng = Lcg(0x5eed_cafe);
    let repo = TempRepo::with_files(&[("notes/README", "notes live here\n")]);
    assert_eq!(
        autodev(
            repo.path(),
            &["init", "--lease-secs", "3", "--max-attempts", "4"]
        )
        .code,
        0
    );
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&["commit", "-qm", "policy"]);
    let mut ids = Vec::new();
    for n in 0..TASKS {
        let work = format!("add note {n} as a new text file under notes");
        let r = autodev(
            repo.path(),
            &[
                "submit",
                "-i",
                "docs",
                "-t",
                &format!("notes/{n}.txt"),
                "-w",
                &work,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        ids.push(r.stdout.trim().to_string());
    }
    let fake = FakeOllama::start(faulty_script(&mut rng));
    let url = fake.url();
    let mut workers: Vec<Child> = (0..WORKERS)
        .map(|_| spawn_worker(repo.path(), &url))
        .collect();

    let started = Instant::now();
    let deadline = started + Duration::from_secs(300);
    let mut kills = 0;
    let terminal = || {
        ["done", "failed"]
            .iter()
            .map(|d| std::fs::read_dir(queue_dir(&repo).join(d)).unwrap().count())
            .sum::<usize>()
    };
    // The folders are the truth; the log catches up too — a worker killed between its rename and its log append
    // leaves the final event to the next reaper (Queue::reconcile_log, after 10 s).
    let logged_terminal = || {
        events(&repo)
            .iter()
            .filter(|e| e["type"] == "TASK_COMPLETED" || e["type"] == "TASK_FAILED")
            .filter_map(|e| e["task_id"].as_str().map(str::to_string))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    while terminal() < TASKS || logged_terminal() < TASKS {
        assert!(
            Instant::now() < deadline,
            "chaos run did not finish: {} of {TASKS} terminal",
            terminal()
        );
        std::thread::sleep(Duration::from_millis(200 + rng.below(900)));
        // Keep killing until most tasks are done, then let the stragglers finish.
        if terminal() < TASKS * 9 / 10 {
            let i = rng.below(WORKERS as u64) as usize;
            signal(&workers[i], "-KILL");
            workers[i].wait().unwrap();
            kills += 1;
            workers[i] = spawn_worker(repo.path(), &url);
        }
    }
    for w in &mut workers {
        signal(w, "-TERM");
    }
    for w in &mut workers {
        w.wait().unwrap();
    }

    // Folders: every task exactly once, terminal.
    let st = autodev(repo.path(), &["status", "--json"]).json();
    assert!(
        st["log_problems"].as_array().unwrap().is_empty(),
        "log damaged: {}",
        st["log_problems"]
    );
    let tasks = st["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), TASKS, "no task lost or duplicated");
    let mut by_state: BTreeMap<String, usize> = BTreeMap::new();
    for t in tasks {
        *by_state
            .entry(t["state"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(
        by_state.get("done").unwrap_or(&0) + by_state.get("failed").unwrap_or(&0),
        TASKS,
        "{by_state:?}"
    );

    // The log parses completely and agrees with the folders.
    let evs = events(&repo);
    let mut finishes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for e in &evs {
        let ty = e["type"].as_str().unwrap().to_string();
        *counts.entry(ty.clone()).or_default() += 1;
        if ty == "TASK_COMPLETED" || ty == "TASK_FAILED" {
            finishes
                .entry(e["task_id"].as_str().unwrap().to_string())
                .or_default()
                .push(ty);
        }
    }
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for t in tasks {
        let id = t["id"].as_str().unwrap();
        let f = finishes.get(id).cloned().unwrap_or_default();
        assert_eq!(f.len(), 1, "{id} finished {} times: {f:?}", f.len());
        let expected = if t["state"] == "done" {
            "TASK_COMPLETED"
        } else {
            "TASK_FAILED"
        };
        assert_eq!(f[0], expected, "{id}: the log and the folders disagree");
        if t["state"] == "done" {
            let patch = Path::new(t["patch"].as_str().expect("done task has a patch"));
            let report = read_json(Path::new(
                t["report"].as_str().expect("done task has a report"),
            ));
            assert_eq!(report["gate_verdict"], "PASS", "{id}");
            assert_eq!(
                report["patch_sha256"].as_str().unwrap(),
                sha256_hex(&std::fs::read(patch).unwrap()),
                "{id}"
            );
        } else {
            *reasons
                .entry(t["failure_reason"].as_str().unwrap_or("?").to_string())
                .or_default() += 1;
        }
    }
    assert!(ids.iter().all(|id| finishes.contains_key(id)));
    assert!(
        by_state.get("done").copied().unwrap_or(0) > TASKS / 2,
        "most tasks pass despite the chaos: {by_state:?}"
    );
    eprintln!("{WORKERS_NOTE}");
    eprintln!(
        "chaos: tasks={TASKS} workers={WORKERS} kills={kills} requeues={} releases={} claims={} outcomes={by_state:?} \
         failure_reasons={reasons:?} recovered_final_events={} model_requests={} seconds={:.0}",
        counts.get("TASK_REQUEUED").unwrap_or(&0),
        counts.get("TASK_RELEASED").unwrap_or(&0),
        counts.get("TASK_CLAIMED").unwrap_or(&0),
        evs.iter()
            .filter(|e| e["outcome"] == "RECOVERED_AFTER_CRASH"
                || e["reason"] == "RECOVERED_AFTER_CRASH")
            .count(),
        fake.chat_requests().len(),
        started.elapsed().as_secs_f64()
    );
}
