# --json 없이 실행한 `autodev gate`: 판정 요약, 훅 모드의 틀, install-hook. 판정(PASS, FAIL, ERROR), 사유 코드,
# 검사 상태(ok, FAILED, TIMED OUT, skipped)는 번역하지 않습니다.

gate-summary = { $verdict }  파일 { $files }개, +{ $added } -{ $removed }, 검사 { $checks }개 중 { $passed }개 통과, { $secs }초 (기준 { $base })
## 사유 코드 뒤의 글: 사유 메시지는 JSON이자 모델에게 주는 말이라 영어 그대로 두고, 그 앞 줄에 코드의 뜻(codes.ftl)을
## 씁니다.
gate-reason =
    { $explanation }
    { $message }
gate-seconds = { $secs }초
gate-check = 검사
gate-full-log = 전체 로그: { $path }
gate-fuzzy-note = (fuzzy: 정규화한 패치는 --json 보고서에 있습니다)
gate-error = autodev gate: ERROR: { $error }
gate-hook-nothing = autodev gate ({ $hook }): 검사할 변경이 없습니다.
gate-hook-blocked = autodev gate: 차단했습니다. 변경을 고치거나, 이번 한 번만 --no-verify로 건너뛰세요.
gate-hook-installed = 설치함: { $path }
gate-hook-removed = 제거함: { $path }
gate-hook-none-installed = 설치된 autodev 훅이 없습니다.

## 게이트가 패치를 판정하지 못한 이유(`ERROR:` 뒤). git, 설정 파서, 훅 입력이 한 말은 그대로 넣습니다.
gate-err-repo-not-found = { $path }{ PARTICLE($path, "은/는") } git 작업 트리가 아닙니다: { $detail }
gate-err-unknown-base = 기준 리비전 { $rev }{ PARTICLE($rev, "은/는") } { $repo }의 커밋이 아닙니다.
gate-err-git = { $dir }에서 git { $args }{ PARTICLE($args, "이/가") } 실패했습니다: { $stderr }
gate-err-io = { $path }에서 입출력 오류가 발생했습니다: { $error }
gate-err-patch-unreadable = 패치 { $path }{ PARTICLE($path, "을/를") } 읽을 수 없습니다: { $error }
gate-err-config = { $file }{ PARTICLE($file, "이/가") } 올바르지 않습니다: { $message }
gate-err-slots-busy = { $root } 아래의 체크아웃 슬롯 { $slots }개가 { $waited } 동안 모두 사용 중이었습니다. 다른 게이트가 끝난 뒤 다시 시도하세요.
gate-err-spawn = 검사 { $name }{ PARTICLE($name, "을/를") } 시작할 수 없습니다: { $error }
gate-err-foreign-hook = { $path }{ PARTICLE($path, "이/가") } 이미 있는데 autodev가 설치한 훅이 아닙니다. 바꾸려면 --force를 쓰세요(기존 훅은 백업으로 남겨 둡니다).
gate-err-hook-input = 훅 입력이 올바르지 않습니다: { $detail }
