# 사람이 읽는 자리(CLI의 `오류:`나 코드 뒤, 봇)에 보이는 라이브러리 오류: 대기열, 승인, 전달. 각 크레이트의
# `localized`가 씁니다. 일반 텍스트이며 말투는 합니다체입니다. git, forge, 파서가 한 말은 그대로 넣습니다.

## 대기열(queue-core)
queue-err-io = { $path }에서 파일 시스템 오류가 발생했습니다: { $error }
queue-err-not-initialised = { $path }에 대기열이 없습니다. 먼저 `autodev init`을 실행하세요(또는 --queue를 주거나 AUTODEV_QUEUE를 설정하세요).
queue-err-corrupt = 대기열 파일 { $path }{ PARTICLE($path, "이/가") } 손상되었습니다: { $detail }
queue-err-lease-lost = { $task }의 임대를 잃었습니다(만료되어 회수되었거나 다른 곳에서 끝났습니다).
queue-err-unknown-task = 이 대기열에 { $id } 작업이 없습니다.
queue-err-ids-exhausted = { $day }의 작업 ID를 모두 썼습니다.
queue-err-log-append = { $path }에 { $event }{ PARTICLE($event, "을/를") } { $tries }번 시도했지만 추가하지 못했습니다: { $error }. 디스크 공간을 확보하거나 로그를 쓰지 못하게 막는 원인(권한, 마운트)을 고친 뒤 다시 시도하세요.
queue-err-task-corrupt = { $id } 작업의 파일 { $path }{ PARTICLE($path, "을/를") } 읽을 수 없습니다: { $detail }. 백업에서 복원하거나 대기열 밖으로 옮기세요.
queue-err-database = 대기열 데이터베이스 { $location }에서 오류가 났습니다: { $detail }
queue-err-schema-too-new = 대기열 데이터베이스의 스키마 버전은 { $found }(으)로, 이 autodev가 아는 { $known }보다 새롭습니다. 이 컴퓨터의 autodev를 업그레이드하세요(아무것도 바뀌지 않았습니다).

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

## 승인의 인프라 오류
approval-err-gate = 저장소 정책으로 패치를 판정할 수 없습니다: { $error }

## 여러 크레이트가 함께 쓰는 문장
err-git = { $dir }에서 git { $args }{ PARTICLE($args, "이/가") } 실패했습니다: { $stderr }
err-path-io = { $path }: { $error }
err-corrupt-file = 파일 { $path }{ PARTICLE($path, "이/가") } 손상되었습니다: { $detail }

## 전달(publish, deliver, 승인 뒤 봇의 안내)
delivery-err-config = { $file }의 설정이 올바르지 않습니다: { $message }
delivery-err-remote-unknown = 저장소에 원격 { $quoted }{ PARTICLE($quoted, "이/가") } 없습니다. 원격을 추가하거나(`git remote add { $remote } URL`) --remote를 주세요.
delivery-err-token-missing = { $forge }에는 토큰이 필요합니다: { $variables }{ PARTICLE($variables, "을/를") } 설정하세요(docs/DELIVERY.md 참고). 아무것도 푸시하지 않았습니다.
delivery-err-remote-unreachable = 원격 { $remote }({ $url })에 연결할 수 없습니다: { $stderr }
delivery-err-remote-branch-moved = { $remote }/{ $branch } 브랜치가 autodev의 커밋 { $ours }{ PARTICLE($ours, "이/가") } 아닌 { $theirs }에 있습니다. 원격에서 브랜치가 옮겨졌으므로 아무것도 푸시하지 않았습니다(autodev는 강제 푸시를 하지 않습니다). 확인한 뒤, 다시 게시하려면 원격 브랜치를 지우세요.
delivery-err-push-rejected = { $remote }{ PARTICLE($remote, "이/가") } { $branch } 푸시를 거부했습니다: { $message }
delivery-err-forge-auth = { $forge }{ PARTICLE($forge, "이/가") } 토큰을 거부했습니다({ $status }): { $message }
delivery-err-forge-not-found = { $api }의 { $forge }에 { $repository } 저장소가 없습니다(404): { $message }
delivery-err-rate-limited-until = { $forge } 요청 한도에 도달했습니다. { $at } 이후에 다시 시도하세요.
delivery-err-rate-limited = { $forge } 요청 한도에 도달했습니다. 나중에 다시 시도하세요.
delivery-err-forge = { $forge } API 오류: { $message }
