# CLI가 사람에게 보여 주는 출력: submit, status, approve, reject, apply, 그리고 승인 관련 거부 사유(고정 코드
# 뒤의 문장). 일반 텍스트이며 말투는 합니다체입니다. JSON 출력은 번역하지 않습니다.

## `autodev status <id>`의 항목 이름(표시 폭 기준으로 한 열에 맞춤)
cli-label-id = ID
cli-label-state = 상태
cli-label-attempts = 시도
cli-label-title = 제목
cli-label-intent = 종류
cli-label-summary = 요약
cli-label-targets = 대상
cli-label-repo = 저장소
cli-label-owner = 담당
cli-label-lease = 임대
cli-label-failure = 실패
cli-label-patch = 패치
cli-label-report = 보고서
cli-label-gate = 게이트
cli-label-approval = 승인
cli-label-pushed = 푸시
cli-label-pull-request = PR
cli-label-delivery = 전달

## `autodev status`
cli-status-attempts = { $attempts }/{ $max }회
cli-status-summary = { $summary } (모델이 쓴 요약)
cli-status-no-commits = (아직 커밋 없음)
cli-status-lease-until = { $time }까지
cli-status-delivery-failed = 실패: { $code }: { $message }
cli-status-unknown = TASK_UNKNOWN: { $queue }에 { $id } 작업이 없습니다. `autodev status`로 목록을 볼 수 있습니다.
cli-status-corrupt = TASK_FILE_CORRUPT: { $path }({ $id }){ PARTICLE($id, "은/는") } autodev가 읽을 수 있는 작업이 아닙니다: { $detail }. 다른 작업에는 영향이 없습니다. 백업에서 복원하거나 대기열 밖으로 옮기세요.
cli-status-unlogged-approval = APPROVAL_NOT_IN_LOG: { $path }{ PARTICLE($path, "은/는") } `autodev approve`가 쓴 파일이 아닙니다(로그에 맞는 APPROVED 이벤트가 없음). 승인이 아닙니다. 패치를 읽고 `autodev reject { $id }`{ PARTICLE($id, "을/를") } 실행하세요.
cli-status-not-as-submitted = TASK_NOT_AS_SUBMITTED: { $why }. approve와 apply가 이 작업을 거부합니다. 작업 파일과 패치를 읽은 뒤 `autodev reject { $id }`{ PARTICLE($id, "을/를") } 실행하세요.
cli-warning = 경고: { $message }
cli-status-paused = 대기열이 일시 중지(PAUSED) 상태입니다. `autodev resume` 전까지 워커가 새 작업을 가져가지 않습니다.
cli-status-empty = { $queue }에 작업이 없습니다.
cli-status-header-id = ID
cli-status-header-state = 상태
cli-status-header-attempts = 시도
cli-status-header-title = 제목
cli-status-total = 작업 { $count }개: { $counts }

## `autodev submit`
cli-submit-rejected = 거부됨: 작업을 대기열에 넣지 않았습니다.

## `autodev approve`, `reject`, `apply`
cli-approved = { JOSA($id, "을/를") } 승인했습니다(패치 sha256 { $sha }). `autodev apply { $id }`{ PARTICLE($id, "(으)로") } autodev/{ $id } 브랜치에 커밋하세요.
cli-already-approved = { $id } 작업은 이미 { JOSA($by, "이/가") } 같은 패치로 승인했습니다. 바뀐 것은 없습니다.
cli-rejected = { JOSA($id, "을/를") } 반려했습니다.
cli-already-rejected = { $id } 작업은 이미 { JOSA($by, "이/가") } 반려했습니다.
cli-applied-worktree = { JOSA($id, "을/를") } 작업 트리에 적용했습니다(커밋하지 않음).
cli-already-applied-worktree = { $id } 작업은 이미 작업 트리에 적용되어 있습니다.
cli-committed = { JOSA($id, "을/를") } { $branch } 브랜치에 { $commit }{ PARTICLE($commit, "(으)로") } 커밋했습니다.
cli-already-committed = { $id } 작업은 이미 { $branch } 브랜치에 { $commit }{ PARTICLE($commit, "(으)로") } 커밋되어 있습니다. 바뀐 것은 없습니다.

## 승인 관련 거부 사유(코드 뒤의 문장)
approval-task-unknown = 이 대기열에 { $id } 작업이 없습니다. `autodev status`로 목록을 볼 수 있습니다.
approval-task-file-corrupt = { $id } 작업의 파일 { $path }{ PARTICLE($path, "을/를") } 읽을 수 없습니다: { $detail }. 아무것도 바꾸지 않았습니다. 파일을 복원하거나 대기열 밖으로 옮기세요.
approval-not-gate-passed = { $id } 작업에는 게이트를 통과한 패치가 없습니다: { $detail }
approval-not-approved = { $id } 작업은 승인되지 않았습니다. 패치를 검토한 뒤 `autodev approve { $id }`{ PARTICLE($id, "을/를") } 실행하세요.
approval-already-rejected = { $id } 작업은 { JOSA($by, "이/가") } 반려했습니다. 새 패치를 받으려면 작업을 다시 제출하세요.
approval-already-rejected-because = { $id } 작업은 { JOSA($by, "이/가") } 반려했습니다(사유: { $reason }). 새 패치를 받으려면 작업을 다시 제출하세요.
approval-already-approved = { $id } 작업은 이미 { JOSA($by, "이/가") } 승인했습니다(패치 sha256 { $sha256 }).
approval-hash-mismatch-approved = { $id } 작업의 패치가 승인 이후에 바뀌었습니다(기대한 sha256 { $expected }, 현재 파일 { $actual }). 아무것도 적용하지 않았습니다.
approval-hash-mismatch-reported = { $id } 작업의 패치가 워커가 보고한 이후에 바뀌었습니다(기대한 sha256 { $expected }, 현재 파일 { $actual }). 아무것도 적용하지 않았습니다.
approval-patch-not-gated = { $id } 작업의 패치는 게이트가 통과시킨 패치가 아닙니다: { $detail }. 아무것도 바꾸지 않았습니다.
approval-not-in-log = { $path }에는 { $id } 작업이 승인되었다고 적혀 있지만, 감사 로그에 맞는 APPROVED 이벤트가 없습니다. autodev approve가 쓴 파일이 아닙니다(게이트가 실행한 검사가 썼을 수 있습니다). 이 승인은 인정되지 않습니다. 패치를 읽은 뒤 `autodev reject { $id }`{ PARTICLE($id, "을/를") } 실행하고, 누가 썼는지 확인한 다음 파일을 지우세요.
approval-task-not-as-submitted = { $id } 작업의 작업 파일이 제출했을 때와 다릅니다: { $detail }. 아무것도 바꾸지 않았습니다. 반려한 뒤 작업을 다시 제출하세요.
approval-policy-refused = 작업의 기준 커밋에 있는 저장소 정책이 { $id } 작업의 패치를 거부합니다. 아무것도 커밋하지 않았습니다: { $reasons }
approval-does-not-apply-base = { $id } 작업의 패치가 기준 커밋 { $commit }에 적용되지 않습니다. 아무것도 바꾸지 않았습니다: { $stderr }
approval-does-not-apply-worktree = { $id } 작업의 패치가 작업 트리에 적용되지 않습니다. 아무것도 바꾸지 않았습니다: { $stderr }
approval-branch-exists = { $branch } 브랜치가 이미 { $commit }에 있고, autodev가 이 작업으로 만든 커밋이 아닙니다. 브랜치를 지우거나 이름을 바꾼 뒤(`git branch -m { $branch } { $branch }-old`) 다시 적용하세요.

## 실패한 명령의 메시지 틀(종료 코드 2). 메시지 자체는 다른 크레이트가 쓴 영어일 수 있습니다.
cli-error = 오류: { $message }

## `autodev init`(항목 이름은 표시 폭 기준으로 한 열에 맞춤)
cli-label-queue = 대기열
cli-label-ssot = ssot
cli-label-exclude = 제외
cli-init-created = { $path } (새로 만듦)
cli-init-kept = { $path } (있는 파일 유지)
cli-init-queue-kept = { $path } (이미 초기화되어 있어 유지)
cli-init-excluded = { $file }에 { $pattern } 추가
cli-init-next = 다음 단계: autodev submit --intent fix --target src/lib.rs --work "무엇이 잘못됐고 어떻게 바뀌어야 하는지"

## `autodev events`(stderr의 경고. 이벤트 줄 자체는 번역하지 않음)
cli-events-bad-line = events.ndjson의 { $line }번째 줄을 해석할 수 없습니다: { $error }
cli-events-torn-tail = events.ndjson의 마지막 줄({ $line }번째 줄)이 중간에 끊겨 있어 무시합니다(기록하던 프로세스가 도중에 종료됨).

## `autodev pause`, `autodev resume`
cli-paused = 일시 중지했습니다. 워커는 지금 하는 작업을 마치고 새 작업을 가져가지 않습니다(되돌리려면 `autodev resume`).
cli-already-paused = 이미 일시 중지되어 있습니다.
cli-resumed = 재개했습니다. 워커가 다시 작업을 가져갑니다.
cli-not-paused = 일시 중지된 상태가 아닙니다.

## `autodev worker`, `deliver`, `telegram`: 오래 실행되는 명령이 stderr에 쓰는 문장(로그 필드 이름은 영어 그대로)
cli-signal-received = 신호를 받았습니다: { $what }
cli-worker-finishing = 마무리하는 중(진행 중인 작업은 대기열에 돌려줌)
cli-worker-no-listen = /healthz와 /metrics를 제공하지 않습니다: { $addr }{ PARTICLE($addr, "을/를") } 쓸 수 없습니다({ $error }). 다른 주소를 쓰려면 --listen ADDR을 지정하세요.
cli-worker-cannot-listen = { $addr }에서 연결을 받을 수 없습니다
cli-worker-ready = 모델 서버 준비됨
cli-worker-still-waiting = 계속 기다리는 중: { $error }
cli-worker-stopped = 워커 종료
cli-deliver-stopping = 이번 회차를 마치고 멈춤
cli-deliver-locked = { $queue }에서 다른 `autodev deliver`가 실행 중입니다(deliver.lock 사용 중). 대기열 하나에 하나만 실행할 수 있습니다.
cli-deliver-every = 승인된 작업을 { $secs }초마다 전달합니다
cli-deliver-round-failed = 전달 회차 실패: { $error }
cli-deliver-round-panicked = 전달 회차가 비정상 종료됨(panic): { $error }
cli-deliver-applied = 적용함
cli-deliver-published = 게시함
cli-deliver-no-pr = PR 없음(푸시만 함)
cli-deliver-failed-retry = 전달 실패, 다시 시도합니다: { $error }
cli-deliver-failed-wait = 전달 실패, 사람의 조치를 기다립니다(문제를 고친 뒤 `autodev publish ID` 또는 /publish ID): { $error }
cli-telegram-stopping = 봇을 멈춤

## `autodev publish`
cli-publish-pushed = { $branch }({ $commit }){ PARTICLE($commit, "을/를") } { $remote }에 푸시했습니다.
cli-publish-already-pushed = { $branch }({ $commit }){ PARTICLE($commit, "은/는") } 이미 { $remote }에 있습니다.
cli-publish-opened = PR을 열었습니다: { $url }
cli-publish-already-open = PR이 이미 열려 있습니다: { $url }
cli-publish-no-forge = PR 없음: forge가 "none"입니다(푸시만 함).

## `autodev health`
cli-health-status = 비정상: { $url }{ PARTICLE($url, "이/가") } HTTP { $status }{ PARTICLE($status, "(으)로") } 응답했습니다.
cli-health-error = 비정상: { $url }: { $error }

## 명령줄 사용법 오류(종료 코드 2). 영어 출력은 clap이 직접 씁니다.
cli-usage-tip = 팁: { $tip }
cli-usage-more = 자세한 내용은 '{ $command } --help'를 보세요.
cli-usage-more-here = 자세한 내용은 '--help'를 보세요.
cli-usage-list = { $label }: { $values }
cli-usage-possible-values = 가능한 값
cli-usage-subcommands = 하위 명령
cli-usage-unknown-argument = 알 수 없는 인자 '{ $arg }'입니다
cli-usage-unknown-subcommand = 알 수 없는 명령 '{ $name }'입니다
cli-usage-value-missing = '{ $arg }'에는 값이 필요한데 주어지지 않았습니다
cli-usage-value-not-allowed = '{ $arg }'에 쓸 수 없는 값 '{ $value }'입니다
cli-usage-value-invalid = '{ $arg }'의 값 '{ $value }'{ PARTICLE($value, "이/가") } 올바르지 않습니다: { $reason }
cli-usage-missing-arguments = 꼭 필요한 인자가 빠졌습니다:
cli-usage-missing-subcommand = '{ $name }'에는 하위 명령이 필요한데 주어지지 않았습니다
cli-usage-used-twice = '{ $arg }' 인자는 한 번만 쓸 수 있습니다
cli-usage-conflict = '{ $arg }' 인자는 '{ $other }'{ PARTICLE($other, "과/와") } 함께 쓸 수 없습니다
cli-usage-conflict-many = '{ $arg }' 인자는 다음과 함께 쓸 수 없습니다:
cli-usage-conflict-other = '{ $arg }' 인자는 함께 준 다른 인자와 같이 쓸 수 없습니다
cli-usage-no-equals = '{ $arg }'에 값을 줄 때는 등호(=)가 필요합니다
cli-usage-too-many-values = '{ $arg }'에는 더 받을 값이 없는데 '{ $value }'{ PARTICLE($value, "이/가") } 주어졌습니다
cli-usage-too-few-values = '{ $arg }'에는 값이 { $expected }개 필요한데 { $actual }개만 주어졌습니다
cli-usage-wrong-number-of-values = '{ $arg }'에는 값이 { $expected }개 필요한데 { $actual }개가 주어졌습니다
cli-usage-invalid-utf8 = 인자에 올바르지 않은 UTF-8이 들어 있습니다
cli-usage-reason-task-id = 작업 ID는 T<YYYYMMDD>-<NNNN> 형식입니다(예: T20261125-0001)
cli-usage-reason-empty = 값이 비어 있습니다
cli-usage-reason-too-large = 수가 너무 큽니다
cli-usage-reason-not-a-number = 0 이상의 정수가 아닙니다
cli-usage-reason-address = 주소 형식이 아닙니다. 127.0.0.1:8088처럼 쓰세요
cli-usage-reason-range = 허용 범위({ $range })를 벗어났습니다
cli-usage-similar-subcommand = 비슷한 명령이 있습니다: { $names }
cli-usage-similar-argument = 비슷한 인자가 있습니다: { $names }
cli-usage-similar-value = 비슷한 값이 있습니다: { $names }
cli-usage-tip-as-value = '{ $arg }'{ PARTICLE($arg, "을/를") } 값으로 넘기려면 '{ $instead }'처럼 쓰세요
cli-usage-tip-remove-dashes = '{ $name }' 명령이 있습니다. 쓰려면 앞의 '--'를 빼세요
cli-usage-tip-exists = '{ $what }'{ PARTICLE($what, "이/가") } 있습니다
