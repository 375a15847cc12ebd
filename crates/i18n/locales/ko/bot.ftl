# 텔레그램 봇의 답장, 버튼 알림(토스트), 알림 메시지. 메시지는 HTML(parse_mode HTML)입니다. 값은 봇이
# 이미 이스케이프해서 넘기며, 태그는 <b>, <i>, <code>, <pre>만 쓸 수 있습니다.
# 말투는 해요체로 통일합니다. 값 뒤의 조사는 JOSA/PARTICLE로 고릅니다(<code>로 감싼 값은 PARTICLE).

## 권한과 오류
bot-not-allowed = 권한이 없어요. 이 봇은 허용 목록에 있는 ID의 명령만 따라요. (내 ID: { $id })
bot-not-allowed-anonymous = 권한이 없어요. 이 봇은 허용 목록에 있는 ID의 명령만 따라요.
bot-toast-not-allowed = 권한이 없어요
bot-unknown-input = 쓸 수 있는 명령은 /help로 확인하세요.
bot-unknown-command = /{ $name } 명령은 없어요. /help를 보내 보세요.
bot-internal-error = 내부 오류가 났어요. 자세한 내용은 봇 로그를 확인하세요.
bot-give-id = 작업 ID를 함께 보내 주세요. 예: <code>/approve T20261125-0001</code>
bot-not-a-task-id = <b>TASK_UNKNOWN</b>: <code>{ $id }</code>{ PARTICLE($id, "은/는") } 작업 ID가 아니에요. 작업 ID는 T20261125-0001 같은 모양이에요.

## /lang (각 언어의 문구는 그 언어로 씁니다)
bot-lang-set = 이제 이 채팅에서는 한국어로 답할게요. 영어로 바꾸려면 /lang en을 보내세요.
bot-lang-current = 이 채팅은 한국어로 답하고 있어요. /lang en으로 영어, /lang ko로 한국어를 고를 수 있어요.
bot-lang-unknown = 한국어와 영어를 쓸 수 있어요. /lang ko 또는 /lang en을 보내세요.

## /help (일반 텍스트, 봇이 이스케이프합니다)
bot-work-syntax =
    /work 종류 대상: 요청
      예: /work fix src/config.rs: parse_port가 0을 받아들이는데, 0이면 거부하게 해 주세요
      대상: 저장소 안의 경로, 여러 개면 쉼표로 구분
      종류: fix, feat, refactor, test, docs, perf, chore 중 하나
    또는: /work intent=fix target=src/a.rs,src/b.rs 요청
    요청은 네 단어 이상으로, 무엇이 잘못됐고 어떻게 되면 완료인지 적어 주세요.
bot-help =
    autodev 봇 명령

    { $syntax }

    /status [ID] — 대기열 전체 또는 작업 하나의 상태
    /approve ID — 게이트를 통과한 패치 승인
    /reject ID [사유] — 패치 반려
    /publish ID — 승인된 패치를 푸시하고 풀 리퀘스트 열기
    /stop — 워커가 새 작업을 가져가지 않음(진행 중인 작업은 마저 끝냄)
    /resume — 워커가 다시 작업을 가져감
    /lang ko|en — 이 채팅의 언어
    /help — 이 도움말

    패치가 게이트를 통과하면 승인/반려 버튼과 함께 여기로 보내 드려요. 승인한 뒤에 무엇을 할지는 저장소의 delivery.toml에 있는 on_approve 설정을 따라요. 아무것도 하지 않거나(`autodev apply ID`로 커밋하거나 /publish ID), autodev/ID 브랜치에 커밋하거나, 브랜치를 푸시하고 풀 리퀘스트를 열어요. 풀 리퀘스트 링크는 여기로 보내 드려요.

## /stop, /resume
bot-paused = 일시 중지했어요. 워커는 지금 하던 작업만 마치고 새 작업을 가져가지 않아요. 되돌리려면 /resume을 보내세요.
bot-already-paused = 이미 일시 중지 상태예요.
bot-resumed = 재개했어요. 워커가 다시 작업을 가져가요.
bot-not-paused = 일시 중지 상태가 아니에요.

## 버튼과 토스트
bot-button-approve = ✅ 승인
bot-button-reject = ❌ 반려
bot-toast-unknown-button = 알 수 없는 버튼이에요
bot-toast-approved = { $id } 승인 완료
bot-toast-rejected = { $id } 반려 완료

## /work
bot-queued =
    <code>{ $id }</code> 작업을 대기열에 넣었어요: { $title }
    게이트가 패치를 판정하면 메시지로 알려 드릴게요.
bot-not-queued = 대기열에 넣지 못했어요:
bot-how-to-write = 이렇게 써 주세요:

## /status
bot-status-paused = <b>일시 중지</b>: /resume을 보내기 전까지 워커가 새 작업을 가져가지 않아요.
bot-status-corrupt = ⚠️ 읽을 수 없는 작업 파일이 { $count }개 있어요(<b>TASK_FILE_CORRUPT</b>). PC에서 <code>autodev status</code>를 실행하면 목록을 볼 수 있어요.
bot-status-no-tasks = 작업이 없어요.
bot-status-count = 작업 { $count }개: { $counts }
bot-task-summary =
    종류 { $intent }, 대상 { $targets }
    시도 { $attempts }/{ $max }회
bot-task-failure = 실패 사유: { $reason }
## 기록된 코드 옆에 그 뜻(codes.ftl)을 붙입니다. 기록된 영어 내용은 그대로 둡니다.
bot-task-failure-explained = 실패 사유: { $reason } — { $explanation }{ $reasons }
## GATE_FAILED일 때 `$reasons`는 게이트가 마지막으로 FAIL을 준 사유를 한 줄에 하나씩(각각 줄바꿈 뒤에
## bot-gate-reason 모양으로) 담습니다.
bot-gate-reason = • <b>{ $code }</b> { $explanation }
bot-task-diffstat = 파일 { $files }개, +{ $added } −{ $removed }
bot-task-unknown = <b>TASK_UNKNOWN</b>: { $id } 작업이 없어요. /status로 목록을 볼 수 있어요.
bot-task-corrupt = <b>TASK_FILE_CORRUPT</b>: <code>{ $id }</code>의 파일은 autodev가 읽을 수 있는 작업이 아니에요({ $detail }). 파일을 복원하거나 대기열 밖으로 옮기세요. 다른 작업에는 영향이 없어요.
bot-delivery-pushed = 푸시됨: { $remote }의 <code>{ $branch }</code>
bot-delivery-pushed-pr = 푸시됨: { $remote }의 <code>{ $branch }</code>, 풀 리퀘스트 { $url }
bot-delivery-failed = 전달 실패: <b>{ $code }</b> { $message }
bot-delivery-failed-explained = 전달 실패: <b>{ $code }</b> { $explanation } — { $message }

## /approve, /reject, /publish
bot-approved = <code>{ $id }</code>{ PARTICLE($id, "을/를") } 승인했어요(패치 sha256 { $sha }…). { $next }
bot-already-approved = <code>{ $id }</code>의 이 패치는 이미 승인되어 있어요. { $next }
bot-next-publish = 브랜치를 푸시하고 풀 리퀘스트를 열 거예요. 링크는 여기로 보내 드릴게요.
bot-next-apply = autodev/{ $id } 브랜치에 커밋할 거예요. 커밋되면 여기서 알려 드릴게요.
bot-next-manual = <code>autodev apply { $id }</code>{ PARTICLE($id, "(으)로") } 커밋하거나(브랜치 autodev/{ $id }), /publish { $id }{ PARTICLE($id, "(으)로") } 푸시하고 풀 리퀘스트를 여세요.
bot-not-delivered = 전달하지 못했어요: <b>{ $code }</b> { $message }
bot-no-deliverer = ⚠️ 이 대기열에서 <code>autodev deliver</code>가 실행되고 있지 않아요. deliver를 실행하거나(compose 프로필 <code>deliver</code>), PC에서 <code>autodev publish { $id }</code>{ PARTICLE($id, "을/를") } 실행하세요.
bot-publish-not-approved = <b>NOT_APPROVED</b>: <code>{ $id }</code>{ PARTICLE($id, "은/는") } 아직 승인되지 않았어요. 먼저 /approve { $id }{ PARTICLE($id, "을/를") } 보내세요.
bot-publishing = <code>{ $id }</code>{ PARTICLE($id, "을/를") } 게시할게요. autodev/{ $id } 브랜치를 푸시하고 풀 리퀘스트를 열어요. 링크는 여기로 보내 드릴게요.
bot-rejected = <code>{ $id }</code>{ PARTICLE($id, "을/를") } 반려했어요.
bot-already-rejected = <code>{ $id }</code>{ PARTICLE($id, "은/는") } 이미 반려되었어요.

## 알림
bot-notify-passed =
    ✅ <code>{ $id }</code>{ PARTICLE($id, "이/가") } 게이트를 통과했어요
    <b>{ $title }</b>
    { $summary }파일 { $count }개 변경, +{ $added }줄 −{ $removed }줄
    { $files }
    승인하면 <code>autodev apply { $id }</code>{ PARTICLE($id, "(으)로") } autodev/{ $id } 브랜치에 커밋할 수 있어요.
bot-model-summary = 모델이 쓴 요약: <i>{ $summary }</i>
bot-more-files = … 외 { $count }개
bot-patch-caption = <code>{ $id }</code>의 패치, sha256 { $sha }
bot-notify-applied = 📌 <code>{ $id }</code>{ PARTICLE($id, "이/가") } <code>{ $branch }</code> 브랜치에 커밋되었어요({ $commit })
bot-notify-published =
    🚀 <code>{ $id }</code> 푸시 완료: { $remote }의 <code>{ $branch }</code> 브랜치
    풀 리퀘스트: { $url }
bot-notify-published-no-pr =
    🚀 <code>{ $id }</code> 푸시 완료: { $remote }의 <code>{ $branch }</code> 브랜치
    포지가 "none"(푸시만)으로 설정되어 있어서 풀 리퀘스트는 열지 않았어요.
bot-delivery-retrying = 잠시 뒤에 자동으로 다시 시도할게요.
bot-delivery-fix-first = 원인을 해결한 뒤 /publish를 다시 보내세요(PC에서는 <code>autodev publish</code>).
bot-notify-delivery-failed =
    ⚠️ <code>{ $id }</code> 전달 실패: <b>{ $code }</b>
    { $message }
    { $next }
bot-notify-delivery-failed-explained =
    ⚠️ <code>{ $id }</code> 전달 실패: <b>{ $code }</b>
    { $explanation }
    { $message }
    { $next }
bot-notify-failed =
    ❌ <code>{ $id }</code> 실패: <b>{ $reason }</b>
    { $title }
    { $message }
bot-notify-failed-explained =
    ❌ <code>{ $id }</code> 실패: <b>{ $reason }</b>
    { $title }
    { $explanation }{ $reasons }
    { $message }
