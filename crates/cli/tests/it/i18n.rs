//! What people read, in Korean and English: the language from `AUTODEV_LANG` or the locale, golden outputs of
//! `submit`, `approve`, `reject`, `status` and `doctor`, and what never changes with the language (codes, JSON,
//! exit codes).

use std::path::Path;
use std::process::{Command, Stdio};

use test_support::{Run, TempRepo};

use crate::approval::gate_passed_task;
use crate::{queue_dir, ready_repo, today};

/// `autodev` in `dir` with `args` and exactly the language variables given (all others removed).
pub(crate) fn autodev_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_autodev"));
    c.args(args)
        .current_dir(dir)
        .env_remove("AUTODEV_QUEUE")
        .env("USER", "tester")
        .stdin(Stdio::null());
    // The language variables, and what would make the doctor look beyond this machine.
    for v in [
        "AUTODEV_LANG",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        "OLLAMA_HOST",
        "OLLAMA_MODEL",
        "OLLAMA_FALLBACK_MODEL",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE",
    ] {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    Run::from(c.output().unwrap())
}

pub(crate) const KO: &[(&str, &str)] = &[("AUTODEV_LANG", "ko")];
pub(crate) const EN: &[(&str, &str)] = &[("AUTODEV_LANG", "en")];

fn too_short(dir: &Path, env: &[(&str, &str)]) -> Run {
    autodev_in(
        dir,
        &[
            "submit",
            "-i",
            "fix",
            "-t",
            "src/config.rs",
            "-w",
            "too short",
        ],
        env,
    )
}

#[test]
fn submit_rejections_are_explained_in_the_readers_language_and_codes_stay() {
    let repo = ready_repo();
    let en = too_short(repo.path(), EN);
    assert_eq!(en.code, 1);
    assert_eq!(
        en.stderr,
        "rejected: the task was not queued\n  WORK_TEXT_TOO_SHORT (work): `work` has 2 words and 8 characters; \
         describe the change in at least 4 words and 12 characters: what is wrong, and what should happen instead\n"
    );
    let ko = too_short(repo.path(), KO);
    assert_eq!(ko.code, 1);
    assert_eq!(
        ko.stderr,
        "거부됨: 작업을 대기열에 넣지 않았습니다.\n  WORK_TEXT_TOO_SHORT (work): `work`가 2단어, 8자입니다. 무엇이 \
         잘못됐고 어떻게 바뀌어야 하는지 4단어, 12자 이상으로 적으세요.\n"
    );

    // The locale decides when AUTODEV_LANG does not; LC_ALL overrides LANG as in the C library.
    let by_locale = too_short(repo.path(), &[("LANG", "ko_KR.UTF-8")]);
    assert_eq!(by_locale.stderr, ko.stderr);
    let c_locale = too_short(repo.path(), &[("LC_ALL", "C"), ("LANG", "ko_KR.UTF-8")]);
    assert_eq!(c_locale.stderr, en.stderr);
    let overridden = too_short(
        repo.path(),
        &[("AUTODEV_LANG", "en"), ("LANG", "ko_KR.UTF-8")],
    );
    assert_eq!(overridden.stderr, en.stderr);
    assert_eq!(
        too_short(repo.path(), &[]).stderr,
        en.stderr,
        "English by default"
    );

    // Every problem at once, each with its code, the sentences in Korean.
    let many = autodev_in(
        repo.path(),
        &["submit", "-i", "fixx", "-t", "../x", "-w", "짧음"],
        KO,
    );
    assert_eq!(many.code, 1);
    assert!(
        many.stderr.contains(
            "INTENT_UNKNOWN (intent): 알 수 없는 intent \"fixx\"입니다. fix, feat, refactor, test, docs, perf, \
             chore 중 하나를 쓰세요."
        ),
        "{}",
        many.stderr
    );
    assert!(
        many.stderr.contains(
            "TARGET_ESCAPES (targets[0]): 대상 \"../x\"에 상위 폴더(`..`)가 들어 있습니다. 대상은 저장소 안에 있어야 \
             합니다."
        ),
        "{}",
        many.stderr
    );
    assert!(
        many.stderr
            .contains("WORK_TEXT_TOO_SHORT (work): `work`가 1단어, 2자입니다.")
    );

    // JSON is for programs: the same English in every language.
    let json = |env| {
        autodev_in(
            repo.path(),
            &[
                "submit",
                "--json",
                "-i",
                "fix",
                "-t",
                "src/config.rs",
                "-w",
                "too short",
            ],
            env,
        )
        .stdout
    };
    assert_eq!(json(KO), json(EN));
    assert!(json(KO).contains("describe the change in at least 4 words"));
    assert!(
        !queue_dir(&repo)
            .join("pending")
            .read_dir()
            .unwrap()
            .any(|_| true)
    );
}

#[test]
fn approve_reject_apply_and_status_speak_korean_with_the_right_particles() {
    let repo = ready_repo();
    let id = gate_passed_task(&repo);
    assert_eq!(id, format!("T{}-0001", today()));

    let approved = autodev_in(repo.path(), &["approve", &id], KO);
    assert_eq!(approved.code, 0, "{}", approved.stderr);
    let sha = approval::sha256_hex(crate::approval::PATCH.as_bytes());
    // 0001 reads 일: 을 and 로 (ㄹ takes 로, not 으로).
    assert_eq!(
        approved.stdout,
        format!(
            "{id}을 승인했습니다(패치 sha256 {sha}). `autodev apply {id}`로 autodev/{id} 브랜치에 커밋하세요.\n"
        )
    );
    let again = autodev_in(repo.path(), &["approve", &id], KO);
    assert_eq!(
        again.stdout,
        format!("{id} 작업은 이미 tester가 같은 패치로 승인했습니다. 바뀐 것은 없습니다.\n")
    );
    // A refusal: the code as it is, the sentence in Korean, exit 1.
    let refused = autodev_in(repo.path(), &["reject", &id, "--reason", "too late"], KO);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.starts_with(&format!(
            "ALREADY_APPROVED: {id} 작업은 이미 tester가 승인했습니다(패치 sha256 {sha})."
        )),
        "{}",
        refused.stderr
    );
    let applied = autodev_in(repo.path(), &["apply", &id], KO);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert!(
        applied
            .stdout
            .starts_with(&format!("{id}을 autodev/{id} 브랜치에 ")),
        "{}",
        applied.stdout
    );
    assert!(
        applied.stdout.ends_with(" 커밋했습니다.\n"),
        "{}",
        applied.stdout
    );

    // A second task, rejected: 0002 reads 이, so 를.
    let second = gate_passed_task(&repo);
    assert!(second.ends_with("-0002"));
    let rejected = autodev_in(
        repo.path(),
        &["reject", &second, "--reason", "wrong file"],
        KO,
    );
    assert_eq!(rejected.stdout, format!("{second}를 반려했습니다.\n"));
    let rejected_en = autodev_in(repo.path(), &["reject", &second], EN);
    assert_eq!(
        rejected_en.stdout,
        format!("{second} was already rejected by tester\n")
    );

    // status <id>: labels in Korean, padded by display width (a Hangul syllable is two columns).
    let st = autodev_in(repo.path(), &["status", &second], KO);
    assert_eq!(st.code, 0, "{}", st.stderr);
    let lines: Vec<&str> = st.stdout.lines().collect();
    assert_eq!(lines[0], format!("ID        {second}"));
    assert_eq!(lines[1], "상태      rejected");
    assert_eq!(lines[2], "시도      1/3회");
    assert_eq!(lines[3], "제목      Reject port 0");
    assert_eq!(lines[4], "종류      fix");
    assert_eq!(
        lines[5],
        "요약      parse_port now refuses port 0 (모델이 쓴 요약)"
    );
    let st_en = autodev_in(repo.path(), &["status", &second], EN);
    assert!(st_en.stdout.starts_with(&format!(
        "id        {second}\nstate     rejected\nattempts  1 of 3\n"
    )));

    // The table and its total.
    let all = autodev_in(repo.path(), &["status"], KO);
    let first = all.stdout.lines().next().unwrap_or_default();
    assert_eq!(first, "ID               상태          시도  제목");
    assert!(
        all.stdout.ends_with("\n작업 2개: 1 applied, 1 rejected\n")
            || all.stdout.contains("\n작업 2개: "),
        "{}",
        all.stdout
    );
    let unknown = autodev_in(repo.path(), &["status", "T20000101-0009"], KO);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.starts_with("TASK_UNKNOWN: ")
            && unknown.stderr.contains("T20000101-0009 작업이 없습니다"),
        "{}",
        unknown.stderr
    );
    // JSON does not change with the language.
    let j = |env| autodev_in(repo.path(), &["status", "--json", &second], env).stdout;
    assert_eq!(j(KO), j(EN));
}

#[test]
fn doctor_explains_in_korean_and_keeps_check_names_statuses_and_json() {
    let dir = TempRepo::with_files(&[("a.txt", "x\n")]);
    let home = dir.path().to_string_lossy().into_owned();
    let with_home = |env: &[(&'static str, &'static str)]| -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = env.to_vec();
        v.push(("HOME", home.as_str()));
        v
    };
    let run = |env: &[(&'static str, &'static str)]| {
        autodev_in(
            dir.path(),
            &[
                "doctor",
                "--host",
                "http://127.0.0.1:9",
                "--timeout-secs",
                "1",
            ],
            &with_home(env),
        )
    };
    let ko = run(KO);
    let en = run(EN);
    assert_eq!(
        ko.code, en.code,
        "the verdict does not depend on the language"
    );
    let line = |out: &str, name: &str| -> String {
        out.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_default()
            .to_owned()
    };
    // Names and statuses stay; the sentences change.
    assert!(
        line(&ko.stdout, "repo").starts_with("WARN  repo"),
        "{}",
        ko.stdout
    );
    assert!(
        line(&ko.stdout, "repo")
            .contains(": .autodev_ssot/(정책, 게이트 검사, 프롬프트)가 없습니다."),
        "{}",
        ko.stdout
    );
    assert!(
        line(&en.stdout, "repo").contains(": no .autodev_ssot/ (policy, gate checks, prompt)"),
        "{}",
        en.stdout
    );
    assert!(line(&ko.stdout, "queue").starts_with("FAIL  queue"));
    assert!(
        ko.stdout.contains(
            "→ 저장소에서 autodev init을 실행하세요(또는 --queue DIR 지정 / AUTODEV_QUEUE 설정)."
        ),
        "{}",
        ko.stdout
    );
    assert!(line(&ko.stdout, "model").contains("모델 서버에 연결할 수 없습니다."));
    assert_eq!(
        line(&ko.stdout, "backend"),
        "FAIL  backend      http://127.0.0.1:9의 모델 서버에 연결할 수 없습니다. Ollama(`ollama serve`)나 llama-server를 \
         시작하거나, 워커가 올바른 주소를 가리키게 하세요(OLLAMA_HOST / 백엔드 URL)."
    );
    assert!(
        ko.stdout.contains("(지금은 명령줄의 http://127.0.0.1:9)"),
        "the setting's source in Korean: {}",
        ko.stdout
    );
    let summary = ko.stdout.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("통과 ") && summary.contains(", 경고 ") && summary.contains(", 실패 "),
        "{summary}"
    );
    let json = |env: &[(&'static str, &'static str)]| {
        autodev_in(
            dir.path(),
            &[
                "doctor",
                "--json",
                "--host",
                "http://127.0.0.1:9",
                "--timeout-secs",
                "1",
            ],
            &with_home(env),
        )
        .stdout
    };
    let (jk, je) = (json(KO), json(EN));
    let strip = |s: &str| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        // Free disk space moves between two runs; nothing else may differ.
        for c in v["checks"].as_array_mut().unwrap() {
            if c["name"] == "disk" {
                c["message"] = serde_json::Value::Null;
            }
        }
        v
    };
    assert_eq!(strip(&jk), strip(&je));
}

/// The canonical path of `p` as the binary prints it (its current directory is canonical).
fn shown(p: &Path) -> String {
    p.canonicalize().unwrap().display().to_string()
}

#[test]
fn init_speaks_both_languages_in_one_column() {
    let repo = TempRepo::with_files(&[("a.txt", "a\n")]);
    let top = shown(repo.path());
    let ssot = |state: &str| -> String {
        [
            "policy.toml",
            "gate.toml",
            "prompt.md",
            "worker.toml",
            "task.schema.json",
            "delivery.toml",
        ]
        .iter()
        .map(|f| format!("ssot      {top}/.autodev_ssot/{f} ({state})\n"))
        .collect()
    };
    let ko = autodev_in(repo.path(), &["init"], KO);
    assert_eq!(ko.code, 0, "{}", ko.stderr);
    // 대기열 and 제외 are six and four columns wide: the paths still start in column 11.
    assert_eq!(
        ko.stdout,
        format!(
            "대기열    {top}/.autodev_queue (새로 만듦)\n{}제외      {top}/.git/info/exclude에 /.autodev_queue/ 추가\n\n\
             다음 단계: autodev submit --intent fix --target src/lib.rs --work \"무엇이 잘못됐고 어떻게 바뀌어야 하는지\"\n",
            ssot("새로 만듦")
        )
    );
    let ko_again = autodev_in(repo.path(), &["init"], KO);
    assert!(
        ko_again.stdout.starts_with(&format!(
            "대기열    {top}/.autodev_queue (이미 초기화되어 있어 유지)\n{}",
            ssot("있는 파일 유지")
        )),
        "{}",
        ko_again.stdout
    );
    let en = autodev_in(repo.path(), &["init"], EN);
    assert_eq!(
        en.stdout,
        format!(
            "queue     {top}/.autodev_queue (kept; already initialised)\n{}\n\
             Next: autodev submit --intent fix --target src/lib.rs --work \"what is wrong and what should happen\"\n",
            ssot("kept")
        )
    );
}

#[test]
fn pause_and_resume_answer_in_the_readers_language() {
    let repo = ready_repo();
    let run = |args: &[&str], env| {
        let r = autodev_in(repo.path(), args, env);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    assert_eq!(
        run(&["pause"], KO),
        "일시 중지했습니다. 워커는 지금 하는 작업을 마치고 새 작업을 가져가지 않습니다(되돌리려면 `autodev resume`).\n"
    );
    assert_eq!(run(&["pause"], KO), "이미 일시 중지되어 있습니다.\n");
    assert_eq!(run(&["pause"], EN), "already paused\n");
    assert_eq!(
        run(&["resume"], KO),
        "재개했습니다. 워커가 다시 작업을 가져갑니다.\n"
    );
    assert_eq!(run(&["resume"], KO), "일시 중지된 상태가 아닙니다.\n");
    assert_eq!(run(&["resume"], EN), "not paused\n");
    assert_eq!(
        run(&["pause"], EN),
        "paused: workers finish their current task and claim nothing new (`autodev resume` to undo)\n"
    );
    assert_eq!(run(&["resume"], EN), "resumed: workers claim again\n");
    // The events themselves do not change with the language.
    let events = |env| run(&["events", "--json"], env);
    assert_eq!(events(KO), events(EN));
}

#[test]
fn events_warn_in_the_readers_language_and_the_lines_stay() {
    let repo = ready_repo();
    assert_eq!(autodev_in(repo.path(), &["pause"], EN).code, 0);
    let log = queue_dir(&repo).join("events.ndjson");
    let mut text = std::fs::read_to_string(&log).unwrap();
    let bad_line = text.lines().count() + 1;
    text.push_str("{\"not an event\"\n");
    std::fs::write(&log, text).unwrap();

    let ko = autodev_in(repo.path(), &["events"], KO);
    let en = autodev_in(repo.path(), &["events"], EN);
    assert_eq!(ko.code, 0, "{}", ko.stderr);
    assert_eq!(ko.stdout, en.stdout, "event lines are not translated");
    assert!(ko.stdout.contains("QUEUE_PAUSED"), "{}", ko.stdout);
    assert!(
        ko.stderr.starts_with(&format!(
            "경고: events.ndjson의 {bad_line}번째 줄을 해석할 수 없습니다: "
        )),
        "{}",
        ko.stderr
    );
    assert!(
        en.stderr.starts_with(&format!(
            "warning: events.ndjson line {bad_line} does not decode: "
        )),
        "{}",
        en.stderr
    );
}

#[test]
fn a_failed_command_says_error_in_the_readers_language() {
    let dir = TempRepo::plain_dir();
    let missing = dir.path().join("nowhere");
    let q = missing.to_str().unwrap();
    let ko = autodev_in(dir.path(), &["--queue", q, "status"], KO);
    let en = autodev_in(dir.path(), &["--queue", q, "status"], EN);
    assert_eq!((ko.code, en.code), (2, 2), "the exit code does not change");
    // The frame and the queue's own sentence are both translated (crates/cli/src/errors.rs).
    assert_eq!(
        en.stderr,
        format!(
            "error: no queue at {q}: run `autodev init` first (or pass --queue / set AUTODEV_QUEUE)\n"
        )
    );
    assert_eq!(
        ko.stderr,
        format!(
            "오류: {q}에 대기열이 없습니다. 먼저 `autodev init`을 실행하세요(또는 --queue를 주거나 \
             AUTODEV_QUEUE를 설정하세요).\n"
        )
    );
}

#[test]
fn the_gate_verdict_is_read_in_the_readers_language_and_json_is_not() {
    let repo = TempRepo::with_files(&[("src/config.rs", "fn port() -> u16 {\n    0\n}\n")]);
    let patch = repo
        .path()
        .parent()
        .unwrap()
        .join(format!("i18n-{}.diff", std::process::id()));
    std::fs::write(
        &patch,
        "--- a/src/config.rs\n+++ b/src/config.rs\n@@ -1,3 +1,3 @@\n fn port() -> u16 {\n-    0\n+    8080\n }\n",
    )
    .unwrap();
    let gate = |env, extra: &[&str]| {
        let mut args = vec!["gate", patch.to_str().unwrap(), "--check", "true"];
        args.extend_from_slice(extra);
        autodev_in(repo.path(), &args, env)
    };
    let ko = gate(KO, &[]);
    assert_eq!(ko.code, 0, "{}", ko.stderr);
    let lines: Vec<&str> = ko.stdout.lines().collect();
    assert!(
        lines[0].starts_with("PASS  파일 1개, +1 -1, 검사 1개 중 1개 통과, ")
            && lines[0].contains("초 (기준 "),
        "{}",
        ko.stdout
    );
    assert!(lines[1].starts_with("  검사 true "), "{}", ko.stdout);
    assert!(
        lines[1].contains(" ok ") && lines[1].ends_with('초'),
        "{}",
        ko.stdout
    );
    let en = gate(EN, &[]);
    assert!(
        en.stdout
            .starts_with("PASS  1 file(s), +1 -1, checks 1/1 passed, "),
        "{}",
        en.stdout
    );
    assert!(en.stdout.contains("\n  check true "), "{}", en.stdout);

    // FAIL: the verdict and the codes stay, exit 1 in both.
    let failed = gate(KO, &["--check", "false"]);
    assert_eq!(failed.code, 1);
    assert!(
        failed
            .stdout
            .starts_with("FAIL  파일 1개, +1 -1, 검사 2개 중 1개 통과, "),
        "{}",
        failed.stdout
    );
    assert!(
        failed.stdout.contains("  CHECK_FAILED "),
        "{}",
        failed.stdout
    );
    assert!(
        failed.stdout.contains("    전체 로그: "),
        "{}",
        failed.stdout
    );

    // JSON is the same document in both languages (but for timings and log paths).
    let json = |env| {
        let mut v = gate(env, &["--json"]).json();
        v["duration_ms"] = serde_json::Value::Null;
        for c in v["checks"].as_array_mut().unwrap() {
            c["duration_ms"] = serde_json::Value::Null;
            c["log_path"] = serde_json::Value::Null;
        }
        v
    };
    assert_eq!(json(KO), json(EN));
    let _ = std::fs::remove_file(&patch);
}
