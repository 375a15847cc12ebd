//! `autodev deliver`: approvals delivered as `delivery.toml` `on_approve` says, once, across crashes; failures
//! logged and retried or left for a person; and the whole loop from a Telegram `/approve` to the pull request's
//! link in the chat.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_servers::{FakeForge, FakeTelegram};
use test_support::remote::{BareRemote, GitDaemon};
use test_support::{Run, TempRepo};

use crate::approval::gate_passed_task;
use crate::publish::{CANARY, approved_task, autodev_tok};
use crate::telegram::{ALLOWED, ask, bot, free_port, replies, stop, wait_for};
use crate::{autodev, queue_dir, ready_repo};

fn delivery_toml(repo: &TempRepo, forge: &FakeForge, on_approve: &str) {
    forge.add_repo("me", "proj");
    repo.write(
        ".autodev_ssot/delivery.toml",
        &format!(
            "on_approve = \"{on_approve}\"\nforge = \"github\"\napi_base = \"{}\"\nrepository = \"me/proj\"\n",
            forge.api_base()
        ),
    );
}

fn events_of(repo: &TempRepo, kind: &str) -> usize {
    std::fs::read_to_string(queue_dir(repo).join("events.ndjson"))
        .unwrap()
        .matches(&format!("\"type\":\"{kind}\""))
        .count()
}

fn deliver_once(repo: &TempRepo) -> Run {
    autodev_tok(repo.path(), &["deliver", "--once"])
}

/// `autodev deliver --interval 1` in the background, with the forge token.
fn deliverer(repo: &TempRepo) -> Child {
    Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args(["deliver", "--interval", "1"])
        .current_dir(repo.path())
        .env_remove("AUTODEV_QUEUE")
        .env("USER", "tester")
        .env("GITHUB_TOKEN", CANARY)
        .env("AUTODEV_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_until(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn on_approve_publish_delivers_each_approval_once() {
    let remote = BareRemote::new();
    let daemon = GitDaemon::serve(&remote);
    let (repo, id) = approved_task(|_| daemon.url());
    let forge = FakeForge::github();
    forge.set_token(CANARY);
    delivery_toml(&repo, &forge, "publish");

    let r = deliver_once(&repo);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(forge.pulls().len(), 1);
    let branch = format!("autodev/{id}");
    assert_eq!(
        remote.head(&branch),
        Some(repo.git(&["rev-parse", &branch]).trim().to_owned())
    );
    // A second round finds nothing due: no request reaches the forge.
    let before = forge.requests().len();
    let r = deliver_once(&repo);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(forge.requests().len(), before);
    assert_eq!(events_of(&repo, "PUBLISHED"), 1);
    assert!(!r.stderr.contains(CANARY));
}

#[test]
fn on_approve_apply_commits_and_none_does_nothing() {
    let repo = ready_repo();
    let applied = gate_passed_task(&repo);
    let untouched = gate_passed_task(&repo);
    repo.write(".autodev_ssot/delivery.toml", "on_approve = \"apply\"\n");
    assert_eq!(autodev(repo.path(), &["approve", &applied]).code, 0);
    let r = deliver_once(&repo);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let branches = repo.git(&["branch", "--list"]);
    assert!(
        branches.contains(&format!("autodev/{applied}")),
        "{branches}"
    );
    assert_eq!(events_of(&repo, "APPLIED"), 1);

    repo.write(".autodev_ssot/delivery.toml", "on_approve = \"none\"\n");
    assert_eq!(autodev(repo.path(), &["approve", &untouched]).code, 0);
    let r = deliver_once(&repo);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let branches = repo.git(&["branch", "--list"]);
    assert!(
        !branches.contains(&format!("autodev/{untouched}")),
        "{branches}"
    );
    assert_eq!(events_of(&repo, "APPLIED"), 1);
}

#[test]
fn a_killed_deliverer_neither_loses_nor_repeats_a_delivery() {
    let remote = BareRemote::new();
    let daemon = GitDaemon::serve(&remote);
    let (repo, first) = approved_task(|_| daemon.url());
    let forge = FakeForge::github();
    forge.set_token(CANARY);
    delivery_toml(&repo, &forge, "publish");

    let mut d = deliverer(&repo);
    wait_until("the first pull request", 30, || forge.pulls().len() == 1);
    d.kill().unwrap(); // SIGKILL
    d.wait().unwrap();

    // Approved while no deliverer runs: not lost.
    let second = gate_passed_task(&repo);
    assert_eq!(autodev(repo.path(), &["approve", &second]).code, 0);
    // A second deliverer may not run next to a live one.
    let d = deliverer(&repo);
    wait_until("the second pull request", 30, || forge.pulls().len() == 2);
    let clash = autodev_tok(repo.path(), &["deliver", "--once"]);
    assert_eq!(clash.code, 2, "{}", clash.stdout);
    assert!(clash.stderr.contains("deliver.lock"), "{}", clash.stderr);
    std::thread::sleep(Duration::from_secs(2)); // two more rounds: nothing new
    let (code, stderr) = stop(d);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains(CANARY));

    let heads: Vec<String> = forge.pulls().into_iter().map(|p| p.head).collect();
    assert_eq!(
        heads,
        vec![format!("autodev/{first}"), format!("autodev/{second}")]
    );
    assert_eq!(events_of(&repo, "PUBLISHED"), 2);
}

#[test]
fn failures_are_logged_retried_when_worth_it_and_otherwise_left_for_a_person() {
    let remote = BareRemote::new();
    let daemon = GitDaemon::serve(&remote);
    let (repo, id) = approved_task(|_| daemon.url());
    let forge = FakeForge::github();
    forge.set_token(CANARY);
    delivery_toml(&repo, &forge, "publish");

    // The forge fails after the push (a crash between push and pull request, as far as it can tell).
    forge.fail_next(1, 502, &[]);
    let r = deliver_once(&repo);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(events_of(&repo, "DELIVERY_FAILED"), 1);
    assert!(forge.pulls().is_empty());
    let r = deliver_once(&repo);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        forge.pulls().len(),
        1,
        "exactly one pull request after the retry"
    );

    // A refusal (a wrong token) is not retried by itself.
    let remote2 = BareRemote::new();
    let daemon2 = GitDaemon::serve(&remote2);
    let (repo, id2) = approved_task(|_| daemon2.url());
    let other = FakeForge::github();
    other.set_token("a-different-token");
    delivery_toml(&repo, &other, "publish");
    let r = deliver_once(&repo);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let log = std::fs::read_to_string(queue_dir(&repo).join("events.ndjson")).unwrap();
    assert!(log.contains("\"code\":\"FORGE_AUTH\""), "{log}");
    assert!(log.contains("\"retryable\":false"), "{log}");
    let asked = other.requests().len();
    let r = deliver_once(&repo);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        other.requests().len(),
        asked,
        "a refusal waits for a person"
    );
    let st = autodev(repo.path(), &["status", &id2]);
    assert!(st.stdout.contains("FORGE_AUTH"), "{}", st.stdout);
    assert!(!log.contains(CANARY));
    let _ = (id, remote);
}

/// The whole loop: a patch passes, `/approve` in Telegram, `autodev deliver` pushes and opens the pull request,
/// and the bot sends its link to the chat; `/status` shows it; `/publish` asks again after a failure.
#[test]
fn telegram_approve_ends_in_a_pull_request_link_in_the_chat() {
    let remote = BareRemote::new();
    let daemon = GitDaemon::serve(&remote);
    let repo = ready_repo();
    let id = gate_passed_task(&repo);
    repo.git(&["remote", "add", "origin", &daemon.url()]);
    let forge = FakeForge::github();
    forge.set_token(CANARY);
    delivery_toml(&repo, &forge, "publish");
    let tg = FakeTelegram::start();
    let port = free_port();
    let b = bot(repo.path(), &tg, port);
    let d = deliverer(&repo);

    let reply = ask(&tg, ALLOWED, &format!("/approve {id}"));
    assert!(reply.contains("pull request"), "{reply}");
    assert!(
        !reply.contains("No <code>autodev deliver</code>"),
        "{reply}"
    );
    wait_for("the pull request link in the chat", || {
        replies(&tg, ALLOWED)
            .iter()
            .any(|m| m.contains("pushed") && m.contains("/pull/"))
    });
    let pr = forge.pulls().pop().unwrap();
    let link = replies(&tg, ALLOWED)
        .into_iter()
        .find(|m| m.contains("/pull/"))
        .unwrap();
    assert!(link.contains(&pr.html_url), "{link}");
    let status = ask(&tg, ALLOWED, &format!("/status {id}"));
    assert!(status.contains(&pr.html_url), "{status}");

    // /publish for a published task: the deliverer finds the same pull request, no second one.
    let again = ask(&tg, ALLOWED, &format!("/publish {id}"));
    assert!(again.contains("Publishing"), "{again}");
    wait_for("the second PUBLISHED event", || {
        events_of(&repo, "PUBLISHED") == 2
    });
    assert_eq!(forge.pulls().len(), 1);
    // Its notification, before the next question (or it would be taken for the answer).
    wait_for("the second pushed notification", || {
        replies(&tg, ALLOWED)
            .iter()
            .filter(|t| t.contains("pushed: branch"))
            .count()
            == 2
    });

    let (code, stderr) = stop(d);
    assert_eq!(code, 0, "{stderr}");
    // Without a deliverer, the bot says so instead of promising a link.
    let refused = ask(&tg, ALLOWED, "/publish T20990101-0001");
    assert!(
        refused.contains("NOT_APPROVED") || refused.contains("TASK_UNKNOWN"),
        "{refused}"
    );
    let warned = ask(&tg, ALLOWED, &format!("/publish {id}"));
    assert!(
        warned.contains("No <code>autodev deliver</code>"),
        "{warned}"
    );
    let (code, _) = stop(b);
    assert_eq!(code, 0);
    let log = std::fs::read_to_string(queue_dir(&repo).join("events.ndjson")).unwrap();
    assert!(!log.contains(CANARY));
    for m in tg.sent_texts() {
        assert!(!m.contains(CANARY), "{m}");
    }
}

/// A chat that chose Korean hears in Korean why a delivery did not happen, the code kept: the note after its
/// approval when `delivery.toml` cannot be used (the delivery error's own Korean sentence), then, once the file is
/// fixed but the forge refuses the token, the deliverer's `DELIVERY_FAILED` (what the code means, the forge's
/// words as the log recorded them) and `/status`.
#[test]
fn a_korean_chat_hears_why_a_delivery_failed_in_korean() {
    let repo = ready_repo();
    let id = gate_passed_task(&repo);
    repo.write(".autodev_ssot/delivery.toml", "repository = \"x\"\n");
    let tg = FakeTelegram::start();
    let b = bot(repo.path(), &tg, free_port());
    ask(&tg, ALLOWED, "/lang ko");

    let reply = ask(&tg, ALLOWED, &format!("/approve {id}"));
    assert!(
        reply.starts_with(&format!("<code>{id}</code>을 승인했어요(패치 sha256 ")),
        "{reply}"
    );
    let note = reply.split_once("…). ").unwrap().1;
    assert!(
        note.starts_with("전달하지 못했어요: <b>CONFIG</b> /")
            && note.ends_with(
                "/.autodev_ssot/delivery.toml의 설정이 올바르지 않습니다: repository &quot;x&quot; must be \
                 owner/name"
            ),
        "{note}"
    );

    let remote = BareRemote::new();
    let daemon = GitDaemon::serve(&remote);
    repo.git(&["remote", "add", "origin", &daemon.url()]);
    let forge = FakeForge::github();
    forge.set_token("a-different-token");
    delivery_toml(&repo, &forge, "publish");
    let r = deliver_once(&repo);
    assert_eq!(r.code, 1, "{}", r.stderr);
    wait_for("the delivery failure notice", || {
        replies(&tg, ALLOWED)
            .iter()
            .any(|t| t.contains("<b>FORGE_AUTH</b>"))
    });
    let notice = replies(&tg, ALLOWED)
        .into_iter()
        .find(|t| t.contains("<b>FORGE_AUTH</b>"))
        .unwrap();
    let lines: Vec<&str> = notice.lines().collect();
    assert_eq!(
        lines[..2],
        [
            format!("⚠️ <code>{id}</code> 전달 실패: <b>FORGE_AUTH</b>").as_str(),
            "포지가 토큰을 거부함"
        ],
        "{notice}"
    );
    assert!(
        lines[2].starts_with("github refused the token (401): "),
        "{notice}"
    );
    assert_eq!(
        lines[3],
        "원인을 해결한 뒤 /publish를 다시 보내세요(PC에서는 <code>autodev publish</code>).",
        "{notice}"
    );
    let status = ask(&tg, ALLOWED, &format!("/status {id}"));
    assert!(
        status.contains(
            "\n전달 실패: <b>FORGE_AUTH</b> 포지가 토큰을 거부함 — github refused the token (401): "
        ),
        "{status}"
    );
    let (code, _) = stop(b);
    assert_eq!(code, 0);
}
