# 고정 코드마다 한 줄 설명. 영어로 기록된 내용(작업의 실패 사유, 게이트 사유, 전달 실패) 옆에 코드가 보일 때 그
# 코드가 무슨 뜻인지 알려 줍니다. 코드 자체는 번역하지 않습니다. CLI와 봇에서 함께 쓰므로 말투는 개조식(명사형
# 종결, 마침표 없음)입니다.

## 작업이 실패한 이유(`failure_reason`, `TASK_FAILED`): 워커의 코드(protocol::WorkerCode)
worker-code-base-unreadable = 작업의 기준 커밋에서 대상 파일을 읽을 수 없음
worker-code-base-unborn = 작업을 제출할 때 저장소에 커밋이 하나도 없었음
worker-code-no-attempt = 시도를 한 번도 하지 못함
worker-code-context-too-large = 작업 프롬프트가 모델의 컨텍스트 창에 들어가지 않음
worker-code-context-truncated = 모델 서버가 프롬프트를 잘라 냄(서버의 컨텍스트보다 김)
worker-code-answer-truncated = 모델이 답을 쓰던 중 토큰 한도에 걸려 멈춤
worker-code-answer-too-large = 답이 워커의 크기 한도(바이트)를 넘어 잘림
worker-code-answer-too-slow = 답이 워커의 시간 한도 안에 끝나지 않아 잘림
worker-code-output-truncated = 모델 서버 자체의 출력 한도에 걸려 답이 잘림
worker-code-answer-repeated = 게이트가 이미 거부한 변경과 같은 답을 다시 냄
worker-code-edit-format-invalid = 답이 요청한 편집 형식을 따르지 않음
worker-code-edit-no-edits = 답에 편집이 하나도 없음
worker-code-edit-too-many = 편집 수가 AUTODEV_MAX_EDITS 한도를 넘음
worker-code-edit-outside-targets = 작업 대상이 아닌 경로를 편집함
worker-code-edit-path-invalid = 편집 경로가 저장소 안의 경로가 아님(절대 경로나 `..` 포함)
worker-code-edit-text-invalid = 편집 텍스트를 쓸 수 없음(제어 문자 포함, 너무 긺)
worker-code-edit-no-match = 편집의 SEARCH 텍스트가 파일에 없음
worker-code-edit-ambiguous = 편집의 SEARCH 텍스트가 파일에 두 번 이상 나옴
worker-code-edit-too-costly = 편집 위치를 찾는 데 작업 한도보다 많은 계산이 필요함
worker-code-edit-no-change = 편집해도 바뀌는 내용이 없음
worker-code-edit-elided = 파일 전체를 다시 쓰는 답에서 파일 일부를 생략함
worker-code-edit-refused = 편집이 거부됨
worker-code-edit-internal-error = 편집을 적용하던 중 워커 내부 오류가 발생함
worker-code-gate-passed = 게이트가 패치를 통과시킴
worker-code-gate-failed = 게이트가 패치를 통과시키지 않음
worker-code-gate-error = 게이트가 판정을 내리지 못함
worker-code-backend-unreachable = 모델 서버 주소에서 아무 응답이 없음
worker-code-model-not-found = 모델 서버에 모델이 설치되어 있지 않음
worker-code-backend-busy = 재시도하는 동안 모델 서버가 계속 바빴음(503)
worker-code-first-byte-timeout = 첫 바이트 제한 시간 안에 모델 서버가 아무것도 보내지 않음
worker-code-idle-timeout = 모델 서버의 스트림이 유휴 제한 시간을 넘겨 멈춤
worker-code-stream-cut = 모델 서버의 스트림이 마지막 레코드 없이 끝남
worker-code-server-error = 모델 서버 오류(5xx 또는 스트림 안의 오류)
worker-code-http-error = 모델 서버가 그 밖의 HTTP 오류로 응답함
worker-code-invalid-response = 모델 서버의 응답이 프로토콜에 맞지 않음
worker-code-backend-config-invalid = 모델 서버 설정을 쓸 수 없음
worker-code-shutdown = 작업 도중에 워커가 종료 요청을 받음
worker-code-artifact-write-failed = 결과 파일(패치, gate.json, report.json)을 쓰지 못함
worker-code-event-log-write-failed = events.ndjson에 이벤트를 추가하지 못함

## 작업이 실패한 이유: 대기열 자체의 코드
queue-code-max-attempts-exceeded = 남은 시도가 없는 상태에서 임대가 만료됨(워커가 작업 도중 멈췄거나 종료됨)
queue-code-recovered-after-crash = 워커가 작업을 실패로 옮긴 뒤 이유를 기록하기 전에 종료됨(보고서 참고)
queue-code-task-file-corrupt = 작업 파일을 읽을 수 없어 corrupt/로 옮김

## 게이트가 FAIL을 준 이유(protocol::ReasonCode, 표는 docs/GATE.md)
gate-reason-patch-does-not-apply = 패치 조각(hunk)이 기대하는 줄이 파일에 없음(또는 새로 만들 파일이 이미 있거나 고칠 파일이 없음)
gate-reason-patch-ambiguous = 패치 조각의 문맥이 파일의 두 곳 이상과 일치함
gate-reason-patch-too-costly = 패치 조각의 위치를 찾는 데 게이트의 작업 한도보다 많은 계산이 필요함
gate-reason-patch-malformed = 패치가 올바른 unified diff가 아님
gate-reason-policy-protected-path = 보호된 경로를 건드림
gate-reason-policy-outside-targets = 작업 대상이나 허용된 경로 밖을 건드림
gate-reason-policy-path-escape = 경로가 절대 경로이거나 `..`, 백슬래시, 제어 문자를 포함함
gate-reason-policy-too-large = 패치가 크기 한도(바이트, 파일 수, 바뀐 줄 수)를 넘음
gate-reason-policy-symlink = 심볼릭 링크를 만들거나 바꾸거나, 링크를 거쳐 씀
gate-reason-policy-executable = 정책이 허용하지 않는 실행 권한을 추가함
gate-reason-binary-patch = 정책이 허용하지 않는 바이너리 변경이 있음
gate-reason-empty-patch = 패치가 비어 있거나 바꾸는 내용이 없음
gate-reason-check-failed = 검사가 실패함(종료 코드가 0이 아님)
gate-reason-check-timeout = 검사가 제한 시간을 넘겨 중단됨

## 전달이 실패한 이유(`DELIVERY_FAILED`): 전달의 코드
delivery-code-config = .autodev_ssot/delivery.toml 설정을 쓸 수 없음
delivery-code-remote-unknown = 저장소에 그런 이름의 git 원격이 없음
delivery-code-token-missing = 포지 토큰 변수가 설정되지 않았거나 비어 있음
delivery-code-remote-unreachable = git이 원격에 연결하지 못함
delivery-code-remote-branch-moved = 원격 브랜치가 다른 커밋으로 옮겨짐(autodev는 강제 푸시를 하지 않음)
delivery-code-push-rejected = 원격이 푸시를 거부함
delivery-code-forge-auth = 포지가 토큰을 거부함
delivery-code-forge-not-found = 포지에 해당 저장소가 없음
delivery-code-forge-rate-limited = 포지의 요청 한도를 다 씀
delivery-code-forge-error = 포지와 통신하지 못함

## 전달이 실패한 이유: 적용(approval)의 코드
approval-code-task-unknown = 대기열에 그런 작업이 없음
approval-code-task-file-corrupt = 작업 파일을 읽을 수 없음
approval-code-not-gate-passed = 게이트를 통과한 패치가 없음
approval-code-not-approved = 아무도 승인하지 않은 작업
approval-code-already-rejected = 반려된 작업
approval-code-already-approved = 이미 승인된 작업
approval-code-approval-hash-mismatch = 승인(또는 보고) 뒤에 패치 파일이 바뀜
approval-code-patch-not-gated = 패치 파일이 게이트가 통과시킨 패치가 아님
approval-code-approval-not-in-log = 감사 로그로 확인되지 않는 승인 기록
approval-code-task-not-as-submitted = 작업 파일이 제출한 작업과 다름
approval-code-apply-policy-refused = 저장소 정책이 패치를 거부함
approval-code-patch-does-not-apply = 패치가 기준 커밋에 더는 적용되지 않음
approval-code-branch-exists = autodev/<id> 브랜치가 이미 있고 autodev가 만든 커밋이 아님
approval-code-queue-error = 대기열이나 로그를 읽거나 쓰지 못함
approval-code-git-error = 로컬 git 명령이 실패함
approval-code-gate-error = 패치를 다시 판정할 정책을 읽지 못함
approval-code-io-error = 파일을 읽거나 쓰지 못함
