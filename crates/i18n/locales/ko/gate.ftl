# --json 없이 실행한 `autodev gate`: 판정 요약, 훅 모드의 틀, install-hook. 판정(PASS, FAIL, ERROR), 사유 코드,
# 검사 상태(ok, FAILED, TIMED OUT, skipped)는 번역하지 않습니다.

gate-summary = { $verdict }  파일 { $files }개, +{ $added } -{ $removed }, 검사 { $checks }개 중 { $passed }개 통과, { $secs }초 (기준 { $base })
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
