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
