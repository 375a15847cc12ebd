//! The bot in Korean against the fake Bot API: `/lang ko` per chat, saved and remembered after a restart, while
//! another chat keeps the process's English; a Korean `/work` request and its refusal; a Korean patch
//! notification with emoji cut to Telegram's limit as Telegram counts it (UTF-16 code units: the fake refuses
//! anything longer) and never inside a character; the buttons' toasts in the presser's language.

use fake_servers::FakeTelegram;

use crate::approval::gate_passed_task_as;
use crate::codes_i18n::{failed_task, failed_task_after, write_failed_gate_json};
use crate::telegram::{ALLOWED, ask, bot_as, free_port, replies, stop, wait_for};
use crate::{queue_dir, ready_repo, today};

const OTHER: i64 = 222;
/// A family: three people joined by U+200D, one grapheme of 8 UTF-16 code units.
const FAMILY: &str = "👨\u{200d}👩\u{200d}👧";

/// Telegram's count of a text.
fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

#[test]
fn a_korean_chat_is_answered_in_korean_remembered_and_notified_within_telegrams_limits() {
    let repo = ready_repo();
    let fake = FakeTelegram::start();
    let allow = format!("{ALLOWED},{OTHER}");
    let child = bot_as(repo.path(), &fake, free_port(), &allow, "en");

    // Until a chat chooses, the process's language.
    assert_eq!(
        ask(&fake, ALLOWED, "/lang"),
        "This chat gets English. /lang ko switches to Korean, /lang en back."
    );
    assert_eq!(
        ask(&fake, ALLOWED, "/lang ko"),
        "이제 이 채팅에서는 한국어로 답할게요. 영어로 바꾸려면 /lang en을 보내세요."
    );
    let saved = std::fs::read_to_string(queue_dir(&repo).join("telegram/lang.json")).unwrap();
    assert!(saved.contains(r#""111": "ko""#), "{saved}");
    assert_eq!(
        ask(&fake, ALLOWED, "/lang fr"),
        "한국어와 영어를 쓸 수 있어요. /lang ko 또는 /lang en을 보내세요."
    );

    // A Korean request, queued and answered in Korean.
    let work = "parse_port가 0을 받아들이는데, 0이면 None을 돌려주게 해 주세요";
    let queued = ask(&fake, ALLOWED, &format!("/work fix src/config.rs: {work}"));
    let first = format!("T{}-0001", today());
    assert_eq!(
        queued,
        format!(
            "<code>{first}</code> 작업을 대기열에 넣었어요: {work}\n게이트가 패치를 판정하면 메시지로 알려 드릴게요."
        )
    );
    let task =
        std::fs::read_to_string(queue_dir(&repo).join(format!("pending/{first}.json"))).unwrap();
    assert!(task.contains(work), "the request is stored as sent: {task}");

    // A refusal: the code as it is, the sentence and the syntax in Korean.
    let refused = ask(&fake, ALLOWED, "/work fix src/config.rs: 짧아요");
    assert_eq!(
        refused,
        "대기열에 넣지 못했어요:\n• <b>WORK_TEXT_TOO_SHORT</b> (work): `work`가 1단어, 3자입니다. 무엇이 잘못됐고 \
         어떻게 바뀌어야 하는지 4단어, 12자 이상으로 적으세요.\n\n이렇게 써 주세요:\n/work 종류 대상: 요청\n  예: /work \
         fix src/config.rs: parse_port가 0을 받아들이는데, 0이면 거부하게 해 주세요\n  대상: 저장소 안의 경로, 여러 개면 \
         쉼표로 구분\n  종류: fix, feat, refactor, test, docs, perf, chore 중 하나\n또는: /work intent=fix \
         target=src/a.rs,src/b.rs 요청\n요청은 네 단어 이상으로, 무엇이 잘못됐고 어떻게 되면 완료인지 적어 주세요."
    );
    assert!(ask(&fake, ALLOWED, "/help").contains("/lang ko|en — 이 채팅의 언어"));

    // The other chat has chosen nothing: English.
    assert_eq!(
        ask(&fake, OTHER, "/stop"),
        "Paused: workers finish their current task and claim nothing new. /resume to undo."
    );
    assert_eq!(
        ask(&fake, ALLOWED, "/resume"),
        "재개했어요. 워커가 다시 작업을 가져가요."
    );
    let (code, stderr) = stop(child);
    assert_eq!(code, 0, "{stderr}");

    // Restarted: the chat's choice is remembered.
    let child = bot_as(repo.path(), &fake, free_port(), &allow, "en");
    let status = ask(&fake, ALLOWED, "/status");
    assert_eq!(
        status,
        format!(
            "작업 1개: 1 pending\n<code>{first}</code> pending — parse_port가 0을 받아들이는데, 0이면 None을 돌려주게 해 주세요\n"
        )
    );
    assert!(ask(&fake, OTHER, "/status").starts_with("1 task(s): 1 pending"));

    // The request fails: each chat is told in its language.
    let q = queue_core::Queue::open(queue_dir(&repo)).unwrap();
    let claim = q.claim("worker:test").unwrap().unwrap();
    q.fail(&claim, "MODEL_ERROR", "모델 서버가 응답하지 않습니다 🔌")
        .unwrap();
    wait_for("the failure notices", || {
        replies(&fake, ALLOWED)
            .iter()
            .any(|t| t.contains("MODEL_ERROR"))
            && replies(&fake, OTHER)
                .iter()
                .any(|t| t.contains("MODEL_ERROR"))
    });
    let failed_ko = replies(&fake, ALLOWED)
        .into_iter()
        .find(|t| t.contains("MODEL_ERROR"))
        .unwrap();
    assert_eq!(
        failed_ko,
        format!(
            "❌ <code>{first}</code> 실패: <b>MODEL_ERROR</b>\nparse_port가 0을 받아들이는데, 0이면 None을 돌려주게 해 \
             주세요\n모델 서버가 응답하지 않습니다 🔌"
        )
    );
    assert!(replies(&fake, OTHER).iter().any(|t| t.starts_with(&format!(
        "❌ <code>{first}</code> failed: <b>MODEL_ERROR</b>"
    ))));

    // A patch whose notification is far over the limit in UTF-16 units (Korean paths full of emoji; fewer
    // characters than units, so counting characters would send what Telegram refuses).
    let path = |i: usize| {
        format!(
            "src/모듈/{i:02}/{}{}{}.rs",
            "가나다라".repeat(10),
            FAMILY.repeat(5),
            "🚀".repeat(40)
        )
    };
    let files: Vec<String> = (0..40).map(path).collect();
    let second = gate_passed_task_as(&repo, "포트 0 거부 🚀", crate::approval::PATCH, |r| {
        r.files_changed = files.clone();
        r.summary = Some("포트 0을 거부합니다 ✅".into());
    });
    assert!(second.ends_with("-0002"));
    wait_for("both notifications and the patch documents", || {
        fake.documents().len() == 2
    });
    let passed = |chat: i64| {
        replies(&fake, chat)
            .into_iter()
            .find(|t| t.contains(&format!("<code>{second}</code>")))
            .unwrap()
    };
    let ko = passed(ALLOWED);
    let en = passed(OTHER);
    // 0002 reads 이: 가.
    assert!(
        ko.starts_with(&format!(
            "✅ <code>{second}</code>가 게이트를 통과했어요\n<b>포트 0 거부 🚀</b>\n모델이 쓴 요약: <i>포트 0을 거부합니다 ✅</i>\n\
             파일 40개 변경, +1줄 −0줄\n• <code>src/모듈/00/"
        )),
        "{ko}"
    );
    assert!(
        en.starts_with(&format!("✅ <code>{second}</code> passed the gate\n")),
        "{en}"
    );
    for text in [&ko, &en] {
        assert!(
            text.chars().count() < 4096 && units(text) <= 4096,
            "{}",
            units(text)
        );
        assert!(
            units(text) > 4000,
            "cut no shorter than needed: {}",
            units(text)
        );
        assert!(
            text.ends_with("…</code>") || text.ends_with('…'),
            "{}",
            &text[text.len() - 40..]
        );
        // Nothing cut inside a character: every family whole, every rocket whole.
        let rest = text.replace(FAMILY, "");
        assert!(
            !rest.contains(['\u{200d}', '👨', '👩', '👧']),
            "a family was cut apart: {}",
            &text[text.len() - 80..]
        );
    }
    assert!(
        fake.refusals().is_empty(),
        "Telegram refused: {:?}",
        fake.refusals()
    );
    let notes: Vec<serde_json::Value> = fake
        .calls("sendMessage")
        .into_iter()
        .filter(|p| {
            p["text"]
                .as_str()
                .unwrap_or("")
                .contains(&format!("<code>{second}</code>"))
        })
        .collect();
    for n in &notes {
        for b in n["reply_markup"]["inline_keyboard"][0].as_array().unwrap() {
            let data = b["callback_data"].as_str().unwrap();
            assert!(data.is_ascii() && data.len() <= 64, "{data}");
        }
    }
    let ko_note = notes.iter().find(|n| n["chat_id"] == ALLOWED).unwrap();
    assert_eq!(
        ko_note["reply_markup"]["inline_keyboard"][0][0]["text"],
        "✅ 승인"
    );
    assert_eq!(
        ko_note["reply_markup"]["inline_keyboard"][0][1]["text"],
        "❌ 반려"
    );
    let docs = fake.documents();
    let ko_doc = docs
        .iter()
        .find(|d| d.chat_id == ALLOWED.to_string())
        .unwrap();
    assert!(
        ko_doc
            .caption
            .starts_with(&format!("<code>{second}</code>의 패치, sha256 ")),
        "{}",
        ko_doc.caption
    );

    // The Korean chat approves with the button: the toast and the reply in Korean.
    let answered = fake.calls("answerCallbackQuery").len();
    fake.push_callback(ALLOWED, 5, &format!("a:{second}"));
    wait_for("the toast", || {
        fake.calls("answerCallbackQuery").len() > answered
    });
    assert_eq!(
        fake.calls("answerCallbackQuery")[answered]["text"],
        format!("{second} 승인 완료")
    );
    wait_for("the approval reply", || {
        replies(&fake, ALLOWED)
            .iter()
            .any(|t| t.contains("승인했어요"))
    });
    let approved = replies(&fake, ALLOWED)
        .into_iter()
        .find(|t| t.contains("승인했어요"))
        .unwrap();
    assert!(
        approved.starts_with(&format!("<code>{second}</code>를 승인했어요(패치 sha256 ")),
        "{approved}"
    );
    assert!(
        approved.contains(&format!(
            "<code>autodev apply {second}</code>로 커밋하거나(브랜치 autodev/{second}), /publish {second}로 푸시하고 \
             풀 리퀘스트를 여세요."
        )),
        "{approved}"
    );
    let (code, stderr) = stop(child);
    assert_eq!(code, 0, "{stderr}");
}

/// A task's failure as each chat reads it: in Korean the code, what it means (for GATE_FAILED, each reason of the
/// gate's last FAIL too) and the worker's message as the log recorded it (English); in English as before.
/// `/status` says the same.
#[test]
fn a_korean_chat_is_told_what_a_failure_code_means() {
    let repo = ready_repo();
    let fake = FakeTelegram::start();
    let allow = format!("{ALLOWED},{OTHER}");
    let child = bot_as(repo.path(), &fake, free_port(), &allow, "en");
    ask(&fake, ALLOWED, "/lang ko");

    let message = "the prompt needs 9000 tokens; num_ctx is 4096";
    let id = failed_task(&repo, "CONTEXT_TOO_LARGE", message);
    let notice = |chat| {
        wait_for("the failure notice", || {
            replies(&fake, chat)
                .iter()
                .any(|t| t.contains("CONTEXT_TOO_LARGE"))
        });
        replies(&fake, chat)
            .into_iter()
            .find(|t| t.contains("CONTEXT_TOO_LARGE"))
            .unwrap()
    };
    assert_eq!(
        notice(ALLOWED),
        format!(
            "❌ <code>{id}</code> 실패: <b>CONTEXT_TOO_LARGE</b>\nReject port 0\n작업 프롬프트가 모델의 컨텍스트 창에 \
             들어가지 않음\n{message}"
        )
    );
    assert_eq!(
        notice(OTHER),
        format!("❌ <code>{id}</code> failed: <b>CONTEXT_TOO_LARGE</b>\nReject port 0\n{message}")
    );
    let status = ask(&fake, ALLOWED, &format!("/status {id}"));
    assert!(
        status.contains(
            "\n실패 사유: CONTEXT_TOO_LARGE — 작업 프롬프트가 모델의 컨텍스트 창에 들어가지 않음\n"
        ),
        "{status}"
    );
    let status = ask(&fake, OTHER, &format!("/status {id}"));
    assert!(
        status.contains("\nfailure: CONTEXT_TOO_LARGE\n"),
        "{status}"
    );

    // At the gate: each reason's code and meaning, from the task's gate.json.
    let message =
        "no acceptable patch after 3 tries; last problem: CHECK_FAILED: check \"tests\" failed";
    let id = failed_task_after(&repo, "GATE_FAILED", message, write_failed_gate_json);
    let escaped = message.replace('"', "&quot;");
    let notice = |chat| {
        wait_for("the gate failure notice", || {
            replies(&fake, chat)
                .iter()
                .any(|t| t.contains("GATE_FAILED"))
        });
        replies(&fake, chat)
            .into_iter()
            .find(|t| t.contains("GATE_FAILED"))
            .unwrap()
    };
    assert_eq!(
        notice(ALLOWED),
        format!(
            "❌ <code>{id}</code> 실패: <b>GATE_FAILED</b>\nReject port 0\n게이트가 패치를 통과시키지 않음\n• \
             <b>POLICY_OUTSIDE_TARGETS</b> 작업 대상이나 허용된 경로 밖을 건드림\n• <b>CHECK_FAILED</b> 검사가 \
             실패함(종료 코드가 0이 아님)\n{escaped}"
        )
    );
    assert_eq!(
        notice(OTHER),
        format!("❌ <code>{id}</code> failed: <b>GATE_FAILED</b>\nReject port 0\n{escaped}")
    );
    let status = ask(&fake, ALLOWED, &format!("/status {id}"));
    assert!(
        status.contains(
            "\n실패 사유: GATE_FAILED — 게이트가 패치를 통과시키지 않음\n• <b>POLICY_OUTSIDE_TARGETS</b> 작업 대상이나 \
             허용된 경로 밖을 건드림\n• <b>CHECK_FAILED</b> 검사가 실패함(종료 코드가 0이 아님)\n"
        ),
        "{status}"
    );
    let (code, stderr) = stop(child);
    assert_eq!(code, 0, "{stderr}");
}
