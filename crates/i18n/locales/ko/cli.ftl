# CLI가 사람에게 보여 주는 출력: submit, status, approve, reject, apply, 그리고 스스로 번역하지 않는 크레이트의
# 오류(대기열, 승인, 전달의 오류는 errors.ftl). 일반 텍스트이며 말투는 합니다체입니다. JSON 출력은 번역하지
# 않습니다.

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
cli-label-gate-reason = 사유

## `autodev status`
cli-status-attempts = { $attempts }/{ $max }회
cli-status-summary = { $summary } (모델이 쓴 요약)
cli-status-no-commits = (아직 커밋 없음)
cli-status-lease-until = { $time }까지
cli-status-delivery-failed = 실패: { $code }: { $message }
## 기록된 코드 옆에 그 뜻(codes.ftl)과 로그에 기록된 영어 내용을 그대로 붙입니다.
cli-status-delivery-failed-explained = 실패: { $code }: { $explanation } — { $message }
cli-status-failure = { $reason }: { $explanation }
# gate.json(경로는 위에 표시)의 사유마다 코드의 뜻을 쓰고, 그 아래에 영어 메시지를 그대로 둡니다.
cli-status-gate-reason = { $code }: { $explanation }
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

## 라이브러리에서 올라온 오류(`오류:`나 코드 뒤). git, forge, 파서, 모델 서버가 한 말은 그대로 넣습니다.
cli-err-source-default = 기본값
cli-err-source-env = 환경 변수
cli-err-source-flag = 명령줄
cli-err-config-setting = 설정 { $name }={ $value }({ $source })의 값이 올바르지 않습니다. 필요한 값: { $reason }
cli-err-config-file = { $place }의 설정을 읽을 수 없습니다: { $reason }
cli-err-backend-unreachable = { $url }의 모델 서버에 연결할 수 없습니다. Ollama(`ollama serve`)나 llama-server를 시작하거나, 워커가 올바른 주소를 쓰게 하세요(OLLAMA_HOST / 백엔드 URL).
cli-err-backend-model-not-found = { $host }에 모델 '{ $model }'{ PARTICLE($model, "이/가") } 설치되어 있지 않습니다. `ollama pull { $model }`{ PARTICLE($model, "을/를") } 실행하세요(llama-server라면 시작할 때 준 모델을 확인하세요).
cli-err-backend-busy = { $host }의 모델 서버가 { $attempts }번 시도하는 동안 계속 바빴습니다(HTTP 503): { $message }
cli-err-backend-first-byte = 모델 서버가 { $waited } 안에 아무것도 보내지 않았습니다(모델 로딩이나 프롬프트 처리가 너무 느림).
cli-err-backend-idle = 모델 서버가 멈췄습니다: { $waited } 동안 아무것도 받지 못했습니다.
cli-err-backend-stream-cut = 모델 서버의 스트림이 출력 { $chars }자 만에 일찍 끝났습니다.
cli-err-backend-server = 모델 서버가 실패했습니다: { $message }
cli-err-backend-http = 모델 서버가 HTTP { $status }{ PARTICLE($status, "(으)로") } 응답했습니다: { $body }
cli-err-backend-invalid-response = 모델 서버의 응답이 올바르지 않습니다: { $detail }
cli-err-backend-invalid-config = 모델 서버 구성이 올바르지 않습니다: { $detail }
cli-err-backend-too-large = 답변이 끝나지 않은 채 { $limit }바이트를 넘었습니다(서버가 토큰 한도를 무시하거나 모델이 같은 말을 반복함). 스트림을 끊었습니다.
cli-err-backend-too-slow = 답변이 { $limit } 안에 끝나지 않았습니다({ $chars }자 받음). 스트림을 끊었습니다.
cli-err-backend-truncated = 모델의 답변이 토큰 한도에서 잘렸습니다({ $tokens }토큰 생성).
cli-err-worker-infrastructure = { $code }: { $message }. 작업은 시도 횟수를 쓰지 않고 대기열에 돌려주었습니다.
cli-err-telegram-already-running = 다른 `autodev telegram`(pid { $pid })이 이미 이 대기열을 폴링하고 있습니다(잠금 파일 { $lock }). 먼저 그것을 멈추세요. Telegram은 봇 토큰 하나에 getUpdates 폴러 하나만 허용합니다.
cli-err-telegram-bad-token = Telegram이 봇 토큰을 거부했습니다({ $why }). TELEGRAM_BOT_TOKEN이나 --token-file을 확인하세요.
cli-err-telegram-state = 봇 상태 파일을 읽을 수 없습니다: { $detail }

## 명령을 계속할 수 없을 때 CLI가 직접 하는 말(`오류:` 뒤)
cli-err-current-dir = 현재 디렉터리를 읽을 수 없습니다
cli-err-read-stdin = 표준 입력을 읽을 수 없습니다
cli-err-open-task-file = 작업 파일 { $path }{ PARTICLE($path, "을/를") } 열 수 없습니다
cli-err-read-task-file = 작업 파일 { $path }{ PARTICLE($path, "을/를") } 읽을 수 없습니다
cli-submit-nothing = 제출할 것이 없습니다: 작업 파일(autodev submit task.json)이나 플래그(--intent fix --target src/x.rs --work "...")를 주세요. 자세한 내용은 autodev submit --help를 보세요.
cli-submit-not-queued = { $code }: 작업을 대기열에 넣지 않았습니다
cli-err-create = { $path }{ PARTICLE($path, "을/를") } 만들 수 없습니다
cli-err-write = { $path }에 쓸 수 없습니다
cli-err-open = { $path }{ PARTICLE($path, "을/를") } 열 수 없습니다
cli-err-deliver-lock = deliver.lock을 잡을 수 없습니다
cli-err-runtime = 비동기 런타임을 시작할 수 없습니다
cli-err-read-log = 이벤트 로그를 읽을 수 없습니다
cli-err-log-failure = 전달 실패를 로그에 기록할 수 없습니다
cli-err-backend-settings = 모델 서버 설정을 쓸 수 없습니다
cli-err-env-file-missing = --env-file로 준 { $path }{ PARTICLE($path, "이/가") } 없습니다
cli-err-token-file = 토큰 파일 { $path }{ PARTICLE($path, "을/를") } 읽을 수 없습니다
cli-telegram-no-token = 봇 토큰이 없습니다: TELEGRAM_BOT_TOKEN을 설정하거나(환경 변수나 .env) --token-file FILE을 주세요.
cli-telegram-invalid-token = 봇 토큰이 올바르지 않습니다: { $why }
cli-telegram-no-repo = /work 요청이 바꿀 저장소를 알 수 없습니다: --repo를 주세요.
cli-health-only-http = http:// URL만 지원합니다
cli-health-unresolved = { $host }의 주소를 찾을 수 없습니다
cli-health-not-http = HTTP 응답이 아닙니다: { $line }
cli-init-database = { $location } (스키마 버전 { $version })
