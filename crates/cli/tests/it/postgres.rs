//! The CLI on a PostgreSQL queue (`--queue postgres://…`), against a real server: init, submit, a worker run to
//! a gated patch stored in the database, status, events, pause, doctor; two clones of one repository as two
//! machines (a task submitted from one, worked, approved and applied from the other); the Telegram bot (queue,
//! notify, approve from a button, one bot per database) and `deliver` (an approval applied once).

use std::process::Stdio;

use fake_servers::{FakeOllama, Script};
use test_support::postgres::{Postgres, server};
use test_support::{TempRepo, snapshot};

use crate::autodev;
use crate::telegram::{ALLOWED, ask, free_port, replies, stop, wait_for};
use crate::worker::{CONFIG_RS, good_edit, worker_cmd};

fn pg(repo: &TempRepo, url: &str, args: &[&str]) -> test_support::Run {
    let mut all = vec!["--queue", url];
    all.extend_from_slice(args);
    autodev(repo.path(), &all)
}

#[test]
fn a_task_goes_from_submit_to_a_gated_patch_in_the_database() {
    let url = server().database();
    let repo = TempRepo::with_files(&[("src/config.rs", CONFIG_RS), ("README.md", "demo\n")]);
    let r = pg(&repo, &url, &["init", "--lease-secs", "60"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("schema version 1"), "{}", r.stdout);
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&["commit", "-qm", "autodev policy"]);
    let r = pg(
        &repo,
        &url,
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "parse_port accepts 0; it must return None for 0",
            "--check",
            "grep -q 'p == 0' src/config.rs",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.stdout.trim().to_string();
    let before = snapshot(repo.path());

    let fake = FakeOllama::start(Script::answer(good_edit()));
    let w: test_support::Run = worker_cmd(repo.path(), &fake.url(), &["--once", "--no-listen"])
        .args(["--queue", &url])
        .env("AUTODEV_EDIT_FORMAT", "search-replace")
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(w.code, 0, "{}", w.stderr);

    let st = pg(&repo, &url, &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");
    for (field, kind) in [
        ("patch", "patch"),
        ("report", "report.json"),
        ("gate", "gate.json"),
    ] {
        let at = st[field].as_str().unwrap_or_default();
        assert!(
            at.ends_with(&format!("autodev_results/{id}/{kind}")),
            "{field}: {st}"
        );
    }
    assert_eq!(st["summary"], "reject port 0", "{st}");
    assert_eq!(st["last_event"], "TASK_COMPLETED", "{st}");
    let human = pg(&repo, &url, &["status", &id]);
    assert!(
        human.stdout.contains("done") && human.stdout.contains("autodev_results"),
        "{}",
        human.stdout
    );
    let db = Postgres::db_name(&url);
    let patch = server().psql(
        db,
        &format!("SELECT convert_from(body, 'UTF8') FROM autodev_results WHERE task_id = '{id}' AND kind = 'patch'"),
    );
    assert!(patch.contains("+    if p == 0 {"), "{patch}");

    let events = pg(&repo, &url, &["events", "--task", &id, "--json"]);
    let types: Vec<String> = events
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for t in [
        "TASK_SUBMITTED",
        "TASK_CLAIMED",
        "PATCH_PROPOSED",
        "GATE_PASSED",
        "TASK_COMPLETED",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} missing from {types:?}");
    }
    assert_eq!(types.last().map(String::as_str), Some("TASK_COMPLETED"));
    assert_eq!(snapshot(repo.path()), before, "the work tree is untouched");
    assert!(
        !repo.path().join(".autodev_queue").exists(),
        "no folder queue was made"
    );
}

#[test]
fn pause_status_and_an_unknown_task() {
    let url = server().database();
    let repo = TempRepo::with_files(&[("src/config.rs", CONFIG_RS)]);
    assert_eq!(pg(&repo, &url, &["init"]).code, 0);
    assert_eq!(pg(&repo, &url, &["pause", "--reason", "upgrade"]).code, 0);
    let st = pg(&repo, &url, &["status", "--json"]).json();
    assert_eq!(st["paused"], true, "{st}");
    assert!(
        !st["queue"].as_str().unwrap().contains("@127.0.0.1:0"),
        "{st}"
    );
    assert_eq!(pg(&repo, &url, &["resume"]).code, 0);
    let r = pg(&repo, &url, &["approve", "T20260101-0001"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("TASK_UNKNOWN"), "{}", r.stderr);
    let r = pg(&repo, &url, &["status", "T20260101-0001"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("TASK_UNKNOWN"), "{}", r.stderr);
}

#[test]
fn doctor_checks_the_database_and_a_missing_schema() {
    let url = server().database();
    let repo = TempRepo::with_files(&[("a.txt", "a\n")]);
    let check = |args: &[&str]| {
        let r = pg(&repo, &url, args);
        let v: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "queue_database")
            .cloned()
            .unwrap()
    };
    let c = check(&["doctor", "--json", "--timeout-secs", "1"]);
    assert_eq!(c["status"], "FAIL", "{c}");
    assert!(
        c["fix"].as_str().unwrap().contains("autodev init --queue"),
        "{c}"
    );
    assert_eq!(pg(&repo, &url, &["init"]).code, 0);
    let c = check(&["doctor", "--json", "--timeout-secs", "1"]);
    assert_eq!(c["status"], "PASS", "{c}");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("schema version 1, PostgreSQL 1"),
        "{c}"
    );
}

fn git_out(dir: &std::path::Path, args: &[&str]) -> String {
    let out = test_support::git_command(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_task_submitted_on_one_machine_is_worked_and_applied_on_another() {
    let url = server().database();
    // Machine A: the repository the task is submitted from.
    let a = TempRepo::with_files(&[("src/config.rs", CONFIG_RS), ("README.md", "demo\n")]);
    assert_eq!(pg(&a, &url, &["init"]).code, 0);
    a.git(&["add", ".autodev_ssot"]);
    a.git(&["commit", "-qm", "autodev policy"]);
    // Machine B: its own clone, made before A's next commit, so it lacks the task's base.
    let b_dir = TempRepo::plain_dir();
    let b = b_dir.path().join("clone");
    git_out(
        b_dir.path(),
        &["clone", "-q", a.path().to_str().unwrap(), "clone"],
    );
    a.write("README.md", "demo, second commit\n");
    a.git(&["commit", "-qam", "second"]);
    let base = git_out(a.path(), &["rev-parse", "HEAD"]);

    let r = pg(
        &a,
        &url,
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "parse_port accepts 0; it must return None for 0",
            "--check",
            "grep -q 'p == 0' src/config.rs",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.stdout.trim().to_string();
    let a_before = snapshot(a.path());

    let fake = FakeOllama::start(Script::answer(good_edit()));
    let w: test_support::Run =
        worker_cmd(&b, &fake.url(), &["--once", "--no-listen", "--repo", "."])
            .args(["--queue", &url])
            .env("AUTODEV_EDIT_FORMAT", "search-replace")
            .stdin(Stdio::null())
            .output()
            .unwrap()
            .into();
    assert_eq!(w.code, 0, "{}", w.stderr);
    assert_eq!(
        git_out(&b, &["cat-file", "-t", &base]),
        "commit",
        "B fetched the base"
    );
    let st = autodev(&b, &["--queue", &url, "status", &id, "--json"]).json();
    assert_eq!(st["state"], "done", "{st}");

    let r = autodev(&b, &["--queue", &url, "approve", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = autodev(
        &b,
        &["--queue", &url, "reject", &id, "--reason", "too late"],
    );
    assert_eq!(
        r.code, 1,
        "an approved task cannot be rejected: {}",
        r.stderr
    );
    let r = autodev(
        &b,
        &["--queue", &url, "apply", &id, "--repo", ".", "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let applied = r.json();
    let commit = applied["commit"].as_str().unwrap().to_string();
    assert_eq!(
        git_out(&b, &["rev-parse", &format!("autodev/{id}")]),
        commit
    );
    assert_eq!(
        git_out(&b, &["rev-parse", &format!("{commit}^")]),
        base,
        "committed on the task's base"
    );
    let file = git_out(&b, &["show", &format!("{commit}:src/config.rs")]);
    assert!(file.contains("if p == 0"), "{file}");
    assert_eq!(
        pg(&a, &url, &["status", &id, "--json"]).json()["state"],
        "applied"
    );
    // Machine A's repository is as it was: no branch, no file changed.
    assert_eq!(snapshot(a.path()), a_before);
    assert!(
        test_support::git_command(a.path())
            .args(["rev-parse", "--verify", "--quiet", &format!("autodev/{id}")])
            .status()
            .unwrap()
            .code()
            == Some(1)
    );
    // Applying again from B changes nothing and says so.
    let again = autodev(
        &b,
        &["--queue", &url, "apply", &id, "--repo", ".", "--json"],
    )
    .json();
    assert_eq!(again["newly"], false);
}

/// A repository whose queue is the database at `url`, with one task submitted and worked to a gated patch.
fn gated_task_in(url: &str) -> (TempRepo, String) {
    let repo = TempRepo::with_files(&[("src/config.rs", CONFIG_RS), ("README.md", "demo\n")]);
    assert_eq!(pg(&repo, url, &["init"]).code, 0);
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&["commit", "-qm", "autodev policy"]);
    let r = pg(
        &repo,
        url,
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "parse_port accepts 0; it must return None for 0",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.stdout.trim().to_string();
    work_once(&repo, url);
    (repo, id)
}

fn work_once(repo: &TempRepo, url: &str) {
    let fake = FakeOllama::start(Script::answer(good_edit()));
    let w: test_support::Run = worker_cmd(repo.path(), &fake.url(), &["--once", "--no-listen"])
        .args(["--queue", url])
        .env("AUTODEV_EDIT_FORMAT", "search-replace")
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(w.code, 0, "{}", w.stderr);
}

fn pg_bot(
    repo: &TempRepo,
    url: &str,
    fake: &fake_servers::FakeTelegram,
    state: &std::path::Path,
) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args(["telegram", "--poll-timeout", "1", "--listen"])
        .arg(format!("127.0.0.1:{}", free_port()))
        .current_dir(repo.path())
        .env("AUTODEV_QUEUE", url)
        .env_remove("AUTODEV_REPO")
        .env("XDG_STATE_HOME", state)
        .env("TELEGRAM_BOT_TOKEN", fake_servers::FAKE_TELEGRAM_TOKEN)
        .env("TELEGRAM_API_BASE", fake.url())
        .env("TELEGRAM_ALLOW_FROM", ALLOWED.to_string())
        .env("AUTODEV_TELEGRAM_BACKOFF_MS", "100")
        .env("AUTODEV_TELEGRAM_NOTIFY_MS", "100")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn the_telegram_bot_works_a_database_queue_and_is_one_per_database() {
    let url = server().database();
    let repo = TempRepo::with_files(&[("src/config.rs", CONFIG_RS), ("README.md", "demo\n")]);
    assert_eq!(pg(&repo, &url, &["init"]).code, 0);
    repo.git(&["add", ".autodev_ssot"]);
    repo.git(&["commit", "-qm", "autodev policy"]);
    let state = TempRepo::plain_dir();
    let fake = fake_servers::FakeTelegram::start();
    let child = pg_bot(&repo, &url, &fake, state.path());

    let queued = ask(
        &fake,
        ALLOWED,
        "/work fix src/config.rs: parse_port accepts 0, it must return None",
    );
    assert!(queued.starts_with("Queued <code>T"), "{queued}");
    assert!(ask(&fake, ALLOWED, "/stop").starts_with("Paused"));
    assert_eq!(
        pg(&repo, &url, &["status", "--json"]).json()["paused"],
        true
    );
    assert!(ask(&fake, ALLOWED, "/resume").starts_with("Resumed"));

    work_once(&repo, &url);
    let rows = pg(&repo, &url, &["status", "--json"]).json();
    let id = rows["tasks"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(rows["tasks"][0]["state"], "done", "{rows}");
    wait_for("the patch document", || !fake.documents().is_empty());
    assert_eq!(fake.documents()[0].file_name, format!("{id}.patch"));
    assert!(
        replies(&fake, ALLOWED)
            .iter()
            .any(|t| t.contains(&format!("{id}</code> passed the gate")))
    );

    fake.push_callback(ALLOWED, 5, &format!("a:{id}"));
    wait_for("the approval in the database", || {
        pg(&repo, &url, &["status", &id, "--json"]).json()["state"] == "approved"
    });
    let st = ask(&fake, ALLOWED, &format!("/status {id}"));
    assert!(st.contains("approved"), "{st}");
    let again = ask(&fake, ALLOWED, &format!("/reject {id} too late"));
    assert!(again.contains("ALREADY_APPROVED"), "{again}");

    // Another machine's bot (its own state folder) on the same database refuses to start.
    let elsewhere = TempRepo::plain_dir();
    let second = pg_bot(&repo, &url, &fake, elsewhere.path())
        .wait_with_output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("already polling this queue"), "{err}");

    let (code, stderr) = stop(child);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stderr.contains("TEST-fake_token"),
        "the token leaked: {stderr}"
    );
}

#[test]
fn deliver_applies_an_approval_from_the_database_once() {
    let url = server().database();
    let (repo, id) = gated_task_in(&url);
    repo.write(".autodev_ssot/delivery.toml", "on_approve = \"apply\"\n");
    assert_eq!(pg(&repo, &url, &["approve", &id]).code, 0);
    let r = pg(&repo, &url, &["deliver", "--once"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st = pg(&repo, &url, &["status", &id, "--json"]).json();
    assert_eq!(st["state"], "applied", "{st}");
    let branch = git_out(repo.path(), &["rev-parse", &format!("autodev/{id}")]);
    assert_eq!(branch.len(), 40);
    // A second round finds nothing due.
    let r = pg(&repo, &url, &["deliver", "--once"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let applied = pg(&repo, &url, &["events", "--task", &id, "--json"])
        .stdout
        .lines()
        .filter(|l| l.contains("\"APPLIED\""))
        .count();
    assert_eq!(applied, 1);
}
