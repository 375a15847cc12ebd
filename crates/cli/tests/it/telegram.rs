//! `autodev telegram` against the fake Bot API: access control and audit, every command, buttons, 409/429,
//! notifications with the patch as a document, the one-poller lock, /healthz, and a restart without replay.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_servers::{FAKE_TELEGRAM_TOKEN, FakeTelegram, TelegramFailure};
use test_support::TempRepo;

use crate::approval::{PATCH, gate_passed_task};
use crate::{queue_dir, ready_repo};

pub(crate) const ALLOWED: i64 = 111;
const STRANGER: i64 = 999;

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn bot(dir: &Path, fake: &FakeTelegram, port: u16) -> Child {
    bot_as(dir, fake, port, &ALLOWED.to_string(), "en")
}

/// The bot obeying `allow` (`TELEGRAM_ALLOW_FROM`), speaking `lang` (`AUTODEV_LANG`) where a chat has not chosen.
pub(crate) fn bot_as(dir: &Path, fake: &FakeTelegram, port: u16, allow: &str, lang: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", lang)
        .args(["telegram", "--poll-timeout", "1", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .current_dir(dir)
        .env_remove("AUTODEV_QUEUE")
        .env_remove("AUTODEV_REPO")
        .env("TELEGRAM_BOT_TOKEN", FAKE_TELEGRAM_TOKEN)
        .env("TELEGRAM_API_BASE", fake.url())
        .env("TELEGRAM_ALLOW_FROM", allow)
        .env("AUTODEV_TELEGRAM_BACKOFF_MS", "100")
        .env("AUTODEV_TELEGRAM_NOTIFY_MS", "100")
        .env("AUTODEV_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// SIGTERM, then the exit code and stderr.
pub(crate) fn stop(mut child: Child) -> (i32, String) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Replies sent to `chat` so far.
pub(crate) fn replies(fake: &FakeTelegram, chat: i64) -> Vec<String> {
    fake.calls("sendMessage")
        .into_iter()
        .filter(|p| p["chat_id"] == chat)
        .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Sends `text` as the allowed user and waits for the bot's next reply to them.
pub(crate) fn ask(fake: &FakeTelegram, user: i64, text: &str) -> String {
    let n = replies(fake, user).len();
    fake.push_message(user, text);
    wait_for(&format!("a reply to {text:?}"), || {
        replies(fake, user).len() > n
    });
    replies(fake, user).pop().unwrap()
}

fn events(repo: &TempRepo) -> String {
    std::fs::read_to_string(queue_dir(repo).join("events.ndjson")).unwrap()
}

fn healthz(port: u16) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_bot_obeys_only_the_allow_list_and_approves_from_a_button() {
    let repo = ready_repo();
    let fake = FakeTelegram::start();
    // The other poller (or an OpenClaw gateway) holds the token for a moment, then Telegram rate-limits.
    fake.fail_get_updates(TelegramFailure::Conflict);
    fake.fail_get_updates(TelegramFailure::RetryAfter(1));
    let port = free_port();
    let child = bot(repo.path(), &fake, port);

    // Stranger: short refusal and an audit event; nothing else happens.
    fake.push_message(STRANGER, "/stop");
    wait_for("the stranger's refusal", || {
        !replies(&fake, STRANGER).is_empty()
    });
    assert!(replies(&fake, STRANGER)[0].contains("Not allowed"));
    assert!(!queue_dir(&repo).join("PAUSED").exists());
    wait_for("ACCESS_DENIED", || events(&repo).contains("ACCESS_DENIED"));
    assert!(events(&repo).contains(r#""actor":"telegram:999""#));

    let help = ask(&fake, ALLOWED, "/help");
    assert!(help.contains("/work INTENT TARGETS: REQUEST"), "{help}");
    assert!(healthz(port).starts_with("HTTP/1.0 200") || healthz(port).contains(" 200 "));

    let queued = ask(
        &fake,
        ALLOWED,
        "/work fix src/config.rs: parse_port accepts 0, reject it",
    );
    assert!(queued.starts_with("Queued <code>T"), "{queued}");
    let bad = ask(&fake, ALLOWED, "/work fix src/config.rs: too short");
    assert!(bad.contains("WORK_TEXT_TOO_SHORT"), "{bad}");
    assert!(bad.contains("How to write it"), "{bad}");
    let no_intent = ask(
        &fake,
        ALLOWED,
        "/work src/config.rs: parse_port accepts zero and should not",
    );
    assert!(no_intent.contains("INTENT_MISSING"), "{no_intent}");

    assert!(ask(&fake, ALLOWED, "/stop").starts_with("Paused"));
    assert!(queue_dir(&repo).join("PAUSED").exists());
    assert!(ask(&fake, ALLOWED, "/resume").starts_with("Resumed"));
    assert!(!queue_dir(&repo).join("PAUSED").exists());

    // The queued /work task is claimed away, and a gate-passed one appears: notification with the patch.
    let q = queue_core::Queue::open(queue_dir(&repo)).unwrap();
    let first = q.claim("worker:test").unwrap().unwrap();
    q.fail(&first, "MODEL_ERROR", "the model server went away")
        .unwrap();
    let id = gate_passed_task(&repo);
    wait_for("the patch document", || !fake.documents().is_empty());
    let doc = &fake.documents()[0];
    assert_eq!(doc.file_name, format!("{id}.patch"));
    assert_eq!(doc.bytes, PATCH.as_bytes());
    assert_eq!(doc.chat_id, ALLOWED.to_string());
    let note = fake
        .calls("sendMessage")
        .into_iter()
        .find(|p| {
            p["text"]
                .as_str()
                .unwrap_or("")
                .contains(&format!("{id}</code> passed the gate"))
        })
        .expect("a gate-passed message");
    assert!(note["text"].as_str().unwrap().contains("+1 −0"), "{note}");
    assert!(
        note["text"]
            .as_str()
            .unwrap()
            .contains("Model's summary: <i>parse_port now refuses port 0</i>"),
        "{note}"
    );
    assert_eq!(
        note["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        format!("a:{id}")
    );
    wait_for("the failure notice", || {
        replies(&fake, ALLOWED)
            .iter()
            .any(|t| t.contains("failed") && t.contains("MODEL_ERROR"))
    });

    // A stranger pressing Approve is refused and audited; the button press is still answered.
    fake.push_callback(STRANGER, 5, &format!("a:{id}"));
    wait_for("the stranger's callback answer", || {
        fake.calls("answerCallbackQuery").len() == 1
    });
    assert!(
        !queue_dir(&repo)
            .join(format!("approved/{id}.approved.json"))
            .exists()
    );
    assert!(events(&repo).contains("button a:"));

    fake.push_callback(ALLOWED, 5, &format!("a:{id}"));
    wait_for("the approval", || {
        queue_dir(&repo)
            .join(format!("approved/{id}.approved.json"))
            .exists()
    });
    wait_for("the callback answer", || {
        fake.calls("answerCallbackQuery").len() == 2
    });
    assert_eq!(
        fake.calls("answerCallbackQuery")[1]["text"],
        format!("Approved {id}")
    );
    let rec =
        std::fs::read_to_string(queue_dir(&repo).join(format!("approved/{id}.approved.json")))
            .unwrap();
    assert!(
        rec.contains(r#""via": "telegram""#) && rec.contains(r#""by": "111""#),
        "{rec}"
    );
    let st = ask(&fake, ALLOWED, &format!("/status {id}"));
    assert!(st.contains("approved"), "{st}");
    let again = ask(&fake, ALLOWED, &format!("/reject {id} too late"));
    assert!(again.contains("ALREADY_APPROVED"), "{again}");

    // A second bot on the same queue refuses to start.
    let second = Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args(["telegram", "--poll-timeout", "1"])
        .current_dir(repo.path())
        .env_remove("AUTODEV_QUEUE")
        .env("TELEGRAM_BOT_TOKEN", FAKE_TELEGRAM_TOKEN)
        .env("TELEGRAM_API_BASE", fake.url())
        .env("TELEGRAM_ALLOW_FROM", "111")
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("already polling this queue"), "{err}");

    let (code, stderr) = stop(child);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("409 Conflict"), "{stderr}");
    assert!(stderr.contains("deleteWebhook"), "{stderr}");
    assert!(stderr.contains("429"), "{stderr}");
    assert!(
        !stderr.contains("TEST-fake_token"),
        "the token leaked: {stderr}"
    );

    // Restart: the saved offset means nothing is run twice.
    let queued_before = replies(&fake, ALLOWED)
        .iter()
        .filter(|t| t.starts_with("Queued"))
        .count();
    let tasks_before = std::fs::read_dir(queue_dir(&repo).join("ids"))
        .unwrap()
        .count();
    let child = bot(repo.path(), &fake, free_port());
    let st = ask(&fake, ALLOWED, "/status");
    assert!(st.contains("task(s)"), "{st}");
    let (code, stderr) = stop(child);
    assert_eq!(code, 0, "{stderr}");
    let queued_after = replies(&fake, ALLOWED)
        .iter()
        .filter(|t| t.starts_with("Queued"))
        .count();
    assert_eq!(queued_after, queued_before, "a command was replayed");
    assert_eq!(queued_after, 1);
    assert_eq!(
        std::fs::read_dir(queue_dir(&repo).join("ids"))
            .unwrap()
            .count(),
        tasks_before
    );
    assert_eq!(fake.documents().len(), 1, "no notification twice");
    let offsets: Vec<i64> = fake
        .calls("getUpdates")
        .iter()
        .filter_map(|p| p["offset"].as_i64())
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] <= w[1]), "{offsets:?}");
}

#[test]
fn health_is_503_while_telegram_refuses_and_an_empty_allow_list_obeys_nobody() {
    let repo = ready_repo();
    let fake = FakeTelegram::start();
    for _ in 0..50 {
        fake.fail_get_updates(TelegramFailure::WebhookActive);
    }
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args(["telegram", "--poll-timeout", "1", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .current_dir(repo.path())
        .env_remove("AUTODEV_QUEUE")
        .env("TELEGRAM_BOT_TOKEN", FAKE_TELEGRAM_TOKEN)
        .env("TELEGRAM_API_BASE", fake.url())
        .env("TELEGRAM_ALLOW_FROM", "")
        .env("AUTODEV_TELEGRAM_BACKOFF_MS", "100")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the health endpoint", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(healthz(port).contains(" 503 "), "{}", healthz(port));
    wait_for("a few refused polls", || {
        fake.calls("getUpdates").len() >= 3
    });
    let (code, stderr) = stop(child);
    assert_eq!(code, 0, "a 409 is retried, never a crash: {stderr}");
    assert!(stderr.contains("obeys nobody"), "{stderr}");
    assert!(stderr.contains("webhook"), "{stderr}");
}

/// What a person reads cannot be forged by what a stranger sends: a refused text with a newline and terminal
/// escapes shows as one escaped line in `autodev events`; an allow-listed group does not let its other members
/// press Approve; an update id that cannot be acknowledged is never obeyed and does not replay old updates.
#[test]
fn strangers_cannot_forge_output_press_buttons_in_an_allowed_group_or_wrap_the_offset() {
    const GROUP: i64 = -100_555;
    let repo = ready_repo();
    let fake = FakeTelegram::start();
    let child = Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args(["telegram", "--poll-timeout", "1"])
        .current_dir(repo.path())
        .env_remove("AUTODEV_QUEUE")
        .env_remove("AUTODEV_REPO")
        .env("TELEGRAM_BOT_TOKEN", FAKE_TELEGRAM_TOKEN)
        .env("TELEGRAM_API_BASE", fake.url())
        .env("TELEGRAM_ALLOW_FROM", format!("{ALLOWED},{GROUP}"))
        .env("AUTODEV_TELEGRAM_BACKOFF_MS", "100")
        .env("AUTODEV_TELEGRAM_NOTIFY_MS", "100")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // A refused text carrying a forged event line and a clear-screen sequence.
    let forged = "/stop\n2026-12-01 09:00:00  APPROVED        T20261201-0001   cli:alice\u{1b}[2J";
    fake.push_message(STRANGER, forged);
    wait_for("ACCESS_DENIED", || events(&repo).contains("ACCESS_DENIED"));
    let out = Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .arg("events")
        .current_dir(repo.path())
        .env_remove("AUTODEV_QUEUE")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        !shown.contains('\u{1b}'),
        "a raw escape reached the terminal: {shown:?}"
    );
    assert!(
        !shown.lines().any(|l| l.starts_with("2026-12-01 09:00:00")),
        "a forged line: {shown}"
    );
    assert!(
        shown.contains("\\n2026-12-01 09:00:00") && shown.contains("\\u{1b}[2J"),
        "{shown}"
    );

    // A stranger pressing Approve in the allow-listed group: refused, audited, nothing approved.
    let id = gate_passed_task(&repo);
    fake.push_callback_in(GROUP, STRANGER, 7, &format!("a:{id}"));
    wait_for("the stranger's callback answer", || {
        !fake.calls("answerCallbackQuery").is_empty()
    });
    assert_eq!(fake.calls("answerCallbackQuery")[0]["text"], "Not allowed");
    assert!(
        !queue_dir(&repo)
            .join(format!("approved/{id}.approved.json"))
            .exists()
    );

    // The gate-passed notification reaches ALLOWED too: wait for it, or it could be taken for the next answer.
    wait_for("the gate-passed notification", || {
        replies(&fake, ALLOWED)
            .iter()
            .any(|t| t.contains("passed the gate"))
    });

    // An update id at i64::MAX: never obeyed, and the updates after it still are, once.
    fake.push_update_as(
        i64::MAX,
        serde_json::json!({"message": {
            "message_id": 1, "from": {"id": ALLOWED, "is_bot": false, "first_name": "T"},
            "chat": {"id": ALLOWED, "type": "private"}, "date": 1_764_000_000, "text": "/stop"}}),
    );
    let st = ask(&fake, ALLOWED, "/status");
    assert!(st.contains("task(s)"), "{st}");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !queue_dir(&repo).join("PAUSED").exists(),
        "the unacknowledgeable /stop was obeyed"
    );
    let offsets: Vec<i64> = fake
        .calls("getUpdates")
        .iter()
        .filter_map(|p| p["offset"].as_i64())
        .collect();
    assert!(
        offsets.iter().all(|o| *o >= 0),
        "the offset wrapped: {offsets:?}"
    );
    let statuses = replies(&fake, ALLOWED)
        .iter()
        .filter(|t| t.contains("task(s)"))
        .count();
    assert_eq!(statuses, 1, "an update was replayed");
    let (code, stderr) = stop(child);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("cannot be acknowledged"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour escapes in a log that is not a terminal"
    );
}

/// `autodev telegram` reads `.env` as `autodev doctor` and the worker do: the token, the allow list and the API
/// base from the file obey the same precedence (the environment wins), so the doctor cannot pass a token the bot
/// never sees.
#[test]
fn the_bot_reads_its_settings_from_dot_env_like_the_doctor() {
    let repo = ready_repo();
    let fake = FakeTelegram::start();
    std::fs::write(
        repo.path().join(".env"),
        format!(
            "TELEGRAM_BOT_TOKEN={FAKE_TELEGRAM_TOKEN}\nTELEGRAM_ALLOW_FROM={ALLOWED}\nTELEGRAM_API_BASE={}\n",
            fake.url()
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args(["telegram", "--poll-timeout", "1"])
        .current_dir(repo.path())
        .env_remove("AUTODEV_QUEUE")
        .env_remove("AUTODEV_REPO")
        .env_remove("TELEGRAM_BOT_TOKEN")
        .env_remove("TELEGRAM_ALLOW_FROM")
        .env_remove("TELEGRAM_API_BASE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let help = ask(&fake, ALLOWED, "/help");
    assert!(help.contains("/work"), "{help}");
    let (code, stderr) = stop(child);
    assert_eq!(code, 0, "{stderr}");

    // A broken .env is an error with its line, for the bot as for the worker.
    std::fs::write(
        repo.path().join(".env"),
        "TELEGRAM_ALLOW_FROM=1\nnot a setting line\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args(["telegram", "--poll-timeout", "1"])
        .current_dir(repo.path())
        .env_remove("AUTODEV_QUEUE")
        .env("TELEGRAM_BOT_TOKEN", FAKE_TELEGRAM_TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(".env:2:"), "{err}");
}
