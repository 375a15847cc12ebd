# `autodev --help`의 한국어. 영어 도움말은 clap 정의의 문서 주석이며, 여기 키는 명령 경로와 인자 id로 정해집니다
# (crates/cli/src/help.rs). 문단 안의 줄바꿈은 공백이 되고(clap이 터미널 폭에 맞춰 다시 줄을 나눔), 빈 줄은 문단을
# 나눕니다. after-help 키는 쓴 그대로 나옵니다.

## clap이 직접 쓰는 말
help-label-usage = 사용법
help-label-commands = 명령
help-label-arguments = 인자
help-label-options = 옵션
help-label-default = 기본값
help-label-env = 환경 변수
help-label-possible-values = 가능한 값
help-flag-help = 도움말을 출력합니다
help-flag-help-short = 도움말을 출력합니다(자세한 내용은 '--help')
help-flag-help-long = 도움말을 출력합니다(요약은 '-h')
help-flag-version = 버전을 출력합니다
help-command-help-about = 이 도움말이나 주어진 하위 명령의 도움말을 출력합니다

## autodev
help-about = autodev는 코딩 요청을 로컬 모델이 쓴 패치로 바꾸고, 게이트가 검사한 뒤 사용자가 승인하게 합니다
help-long-about =
    autodev는 코딩 요청을 로컬 모델이 쓴 패치로 바꾸고, 게이트가 검사한 뒤 사용자가 승인하게 합니다.

    종료 코드: 0 성공(gate: PASS), 1 입력 거부(WORK_TEXT_TOO_SHORT 같은 고정 코드와 함께. gate: FAIL),
    2 사용법 오류 또는 인프라 오류.
help-after-help =
    git 저장소 안에서의 일반적인 흐름:
      autodev init                      # 대기열(git에서 제외됨)과 .autodev_ssot/(커밋하세요)
      autodev submit -i fix -t src/config.rs -w "parse_port가 0을 받아들임, 거부하도록"
      autodev worker --once             # 로컬 모델이 패치를 쓰고 게이트가 검사
      autodev status T20261125-0001     # 패치와 보고서
      autodev approve T20261125-0001    # 패치의 sha256에 묶인 승인
      autodev apply T20261125-0001      # autodev/T20261125-0001 브랜치에 커밋
      autodev publish T20261125-0001    # 푸시하고 초안 PR 열기
      autodev deliver                   # 또는: 승인된 작업을 알아서 적용/게시(delivery.toml의 on_approve)

    문서: README.md(한국어: docs/ko/README.md), docs/MODEL_CONTRACT.md, docs/GATE.md, docs/OPERATIONS.md,
    docs/TELEGRAM.md, docs/DELIVERY.md
help-arg-queue =
    대기열: 디렉터리, 또는 여러 컴퓨터의 워커가 함께 쓰는 PostgreSQL 데이터베이스
    (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`. 비밀번호가 든 주소는 다른 사용자가 프로세스 목록에서 볼 수
    있으니 AUTODEV_QUEUE로 주세요). 기본값은 현재 git 저장소 맨 위의 `.autodev_queue`입니다(git 밖에서는 현재
    디렉터리에 만듭니다). docs/POSTGRES.md를 보세요

## autodev init
help-init-about = 대기열과 기본 `.autodev_ssot/`(정책, 게이트 검사, 프롬프트, 워커 설정, 작업 스키마)를 만듭니다
help-init-long-about =
    대기열과 기본 `.autodev_ssot/`(정책, 게이트 검사, 프롬프트, 워커 설정, 작업 스키마)를 만듭니다.

    이미 있는 파일은 덮어쓰지 않습니다. 대기열이 git 작업 트리 안에 있으면 `.git/info/exclude`에 추가하므로
    대기열 파일 때문에 저장소가 더러워지지 않습니다.
help-init-arg-lease-secs = 워커가 하트비트 없이 작업을 붙잡고 있을 수 있는 초(워커는 그 3분의 1마다 갱신합니다)
help-init-arg-max-attempts = 작업을 실패로 처리하기 전까지의 시도 횟수(워커가 죽거나 임대가 만료되면 시도 하나가 끝납니다)

## autodev submit
help-submit-about = 요청을 검증해 대기열에 넣고 새 작업 ID를 출력합니다
help-submit-long-about =
    요청을 검증해 대기열에 넣고 새 작업 ID를 출력합니다.

    작업 파일(fixtures/task_template.json 참고. `-`이면 표준 입력에서 읽습니다)이나 플래그로 요청하세요. 플래그가
    파일의 필드보다 우선합니다. 거부된 요청은 코드와 고치는 방법을 출력하고 종료 코드 1로 끝나며, 아무것도
    바꾸지 않습니다.
help-submit-arg-file = 작업 파일(JSON). `-`이면 표준 입력에서 읽습니다
help-submit-arg-work = 무엇이 잘못됐고 어떻게 바뀌어야 하는지 평범한 말로 쓴 요청(언어 무관, 4단어 이상)
help-submit-arg-intent = 변경 종류: fix, feat, refactor, test, docs, perf, chore
help-submit-arg-targets = 변경해도 되는 저장소 기준 상대 경로. 여러 개면 반복하세요
help-submit-arg-title = 한 줄 제목(기본값: 요청의 첫 줄)
help-submit-arg-repo = 바꿀 git 저장소(기본값: 현재 디렉터리의 저장소)
help-submit-arg-base = 기준 리비전: 브랜치, 태그, 커밋(기본값 HEAD)
help-submit-arg-checks = 이 작업에만 쓸 게이트 검사 명령(`.autodev_ssot/gate.toml`의 검사를 대신합니다). 여러 개면 반복하세요
help-submit-arg-json = 결과(작업 또는 거부 사유)를 JSON으로 출력합니다

## autodev status
help-status-about = 작업을 보여 줍니다: 전체는 표로, 하나는 패치와 보고서 경로까지
help-status-arg-id = 작업 ID(`T<YYYYMMDD>-<NNNN>`). 없으면 모든 작업
help-status-arg-json = JSON으로 출력합니다

## autodev events
help-events-about = 감사 로그(`events.ndjson`)를 출력합니다
help-events-arg-task = 이 작업에 관한 이벤트만
help-events-arg-follow = 새 이벤트가 추가될 때마다 계속 출력합니다(멈추려면 Ctrl-C)
help-events-arg-json = NDJSON 줄을 그대로 출력합니다

## autodev pause, resume
help-pause-about = 워커가 새 작업을 가져가지 않게 합니다(진행 중인 작업은 마칩니다)
help-pause-arg-reason = 이유(로그에 기록됩니다)
help-resume-about = 워커가 다시 작업을 가져가게 합니다

## autodev worker (doctor도 모델 설정을 같이 씁니다)
help-worker-about = 작업을 가져와 로컬 모델에게 패치를 쓰게 합니다. 모든 패치는 누가 보기 전에 게이트를 거칩니다
help-worker-long-about =
    작업을 가져와 로컬 모델에게 패치를 쓰게 합니다. 모든 패치는 누가 보기 전에 게이트를 거칩니다.

    설정의 우선순위는 플래그 > 환경 변수 > .env > .autodev_ssot/worker.toml > 기본값이며, `--print-config`로 실제
    값과 출처를 볼 수 있습니다. 모델 서버가 꺼져 있거나 모델을 받지 않았으면 워커는 기다리고, 그동안 받은 작업은
    손대지 않고 돌려줍니다. SIGINT/SIGTERM을 받으면 새 작업을 가져가지 않고 진행 중인 작업을 돌려준 뒤 0으로
    종료합니다.

    서버가 토큰 한도를 어떻게 다루든 워커가 모든 답변을 스스로 제한합니다: 텍스트는 최대
    AUTODEV_MAX_ANSWER_BYTES(ANSWER_TOO_LARGE), 시간은 모두 합쳐 AUTODEV_ANSWER_TIMEOUT초(ANSWER_TOO_SLOW)이며,
    둘 다 기본값은 `auto`입니다(AUTODEV_MAX_TOKENS에서 계산: 토큰당 32바이트, 최소 256 KiB.
    AUTODEV_FIRST_BYTE_TIMEOUT에 초당 2토큰을 더함). 편집은 최대 AUTODEV_MAX_EDITS개이며 맞춰 보기 전에
    셉니다(EDIT_TOO_MANY). 한도를 넘으면 스트림을 끊고, 그 시도는 해당 코드로 실패하며 다음 시도로 넘어갑니다.
help-worker-arg-once = 작업을 최대 하나만 처리하고 종료합니다(완료하면 0, 모델 서버나 모델을 쓸 수 없으면 2)
help-worker-arg-concurrency = 동시에 처리할 작업 수
help-worker-arg-model = 모델 이름(OLLAMA_MODEL)
help-worker-arg-fallback-model = 첫 모델이 설치되어 있지 않을 때 쓸 대체 모델(OLLAMA_FALLBACK_MODEL)
help-worker-arg-host = 모델 서버 URL(OLLAMA_HOST). 예: http://127.0.0.1:11434, llama-server라면 http://127.0.0.1:8080
help-worker-arg-backend = 프로토콜: ollama 또는 openai(AUTODEV_BACKEND)
help-worker-arg-num-ctx = 컨텍스트 창의 토큰 수(AUTODEV_NUM_CTX)
help-worker-arg-env-file = 읽을 .env 파일(기본값: 있으면 ./.env. 환경 변수가 이 파일보다 우선합니다)
help-worker-arg-model-tries = 작업당 답변 수(AUTODEV_MODEL_TRIES)
help-worker-arg-print-config = 적용되는 모든 설정을 출처와 함께 출력하고 종료합니다
help-worker-arg-listen =
    이 주소에서 /healthz, /readyz, /metrics를 제공합니다. 기본값은 127.0.0.1:8088이며, 이 기본 주소가 이미
    쓰이고 있으면(같은 기계의 두 번째 워커) 워커는 HTTP 없이 계속합니다. 여기나 AUTODEV_LISTEN으로 준 주소는
    비어 있어야 합니다
help-worker-arg-no-listen = HTTP 엔드포인트를 제공하지 않습니다
help-worker-arg-repo =
    작업이 제출된 경로 대신 쓸 이 컴퓨터의 저장소 클론(PostgreSQL 대기열을 함께 쓰는 다른 컴퓨터의 워커).
    클론에 없는 기준 커밋은 먼저 클론의 원격에서 가져옵니다(`git fetch --all`)

## autodev doctor
help-doctor-about = autodev에 필요한 모든 것을 점검하고, 항목마다 PASS/WARN/FAIL 한 줄과 할 일을 보여 줍니다
help-doctor-long-about =
    autodev에 필요한 모든 것을 점검하고, 항목마다 PASS/WARN/FAIL 한 줄과 할 일을 보여 줍니다.

    git과 저장소, 대기열(쓰기 가능, 한 파일 시스템), 남은 디스크, 모델 서버와 설정된 모델·대체 모델,
    AUTODEV_NUM_CTX 기준 모델과 KV 캐시에 필요한 GPU 메모리(nvidia-smi), Telegram 토큰(getMe. 토큰은 출력하지
    않음), OLLAMA_MODEL과 OpenClaw 모델의 일치 여부를 봅니다. 설정은 `autodev worker`와 같은 방식으로 읽습니다.
    FAIL이 하나라도 있으면 1, 아니면 0으로 종료합니다.
help-doctor-arg-json = {"{"}"ok", "summary", "checks": [{"{"}"name", "status", "message", "fix"{"}"}]{"}"} 형식으로 출력합니다
help-doctor-arg-model = { help-worker-arg-model }
help-doctor-arg-fallback-model = { help-worker-arg-fallback-model }
help-doctor-arg-host = { help-worker-arg-host }
help-doctor-arg-backend = { help-worker-arg-backend }
help-doctor-arg-num-ctx = { help-worker-arg-num-ctx }
help-doctor-arg-env-file = { help-worker-arg-env-file }
help-doctor-arg-timeout-secs = 네트워크 호출 하나에 허용하는 초

## autodev health
help-health-about = URL이 2xx로 응답하면 0, 아니면 1로 종료합니다: 컨테이너 헬스체크용(이미지에 curl이 없음)
help-health-arg-url = GET할 URL(일반 http)
help-health-arg-timeout-secs = 포기하기 전까지 기다리는 초

## autodev gate
help-gate-about = 깨끗한 체크아웃에서 패치를 판정합니다: 정책, 적용, 검사. PASS(0), FAIL(1), ERROR(2)
help-gate-long-about =
    깨끗한 체크아웃에서 패치를 판정합니다: 정책, 적용, 검사. PASS(0), FAIL(1), ERROR(2).

    git pre-merge-commit·pre-push 훅을 위한 `autodev gate install-hook` / `uninstall-hook`도 있습니다.
    docs/GATE.md를 보세요.
help-gate-after-long-help =
    하는 일:
      1. 정책(.autodev_ssot/policy.toml)과 검사(.autodev_ssot/gate.toml)를 BASE 리비전에서 읽습니다.
      2. 무엇이든 실행하기 전에 거부합니다: 보호된 경로(.git/, .github/, .autodev_ssot/, ...), --allow 밖의
         경로, 절대 경로나 `..` 경로, 심볼릭 링크, 새 실행 권한, 바이너리 패치, 너무 큰 패치.
      3. ~/.cache/autodev/gate/ 아래의 깨끗한 체크아웃에 패치를 적용하고(사용자의 파일, 인덱스, HEAD는 건드리지
         않음) 각 검사를 샌드박스 안에서 실행합니다: 체크아웃, 그 캐시, 전용 임시 디렉터리에만 쓸 수 있고, 시스템과
         툴체인은 읽을 수 있지만 홈, ~/.ssh, 대기열은 읽을 수 없으며, 네트워크가 없고, 검사가 끝나면 띄운 프로세스가
         모두 종료되고, 환경 변수에 비밀 값이 보이지 않습니다(.autodev_ssot/gate.toml [sandbox]. 이 기계에서 무엇이
         강제되는지는 `autodev doctor`가 보여 줍니다).

    종료 코드: 0 PASS, 1 FAIL(사유 출력), 2 ERROR(패치를 판정하지 못함: 잘못된 저장소, 알 수 없는 기준,
    git 실패, 읽을 수 없는 패치나 설정, 쓸 수 있는 샌드박스 없음).

    예:
      autodev gate fix.patch
      autodev gate fix.patch --fuzzy --allow src/config.rs --json
      git diff main...topic | autodev gate - --base main
      autodev gate install-hook      # 이 저장소의 `git merge`와 `git push`에 게이트 적용

    참고: docs/GATE.md
help-gate-arg-patch = 판정할 unified diff(`git diff` 출력 등). `-`이면 표준 입력에서 읽습니다
help-gate-arg-repo = 저장소 안의 아무 디렉터리. 읽기만 하며, 패치는 별도의 체크아웃에 적용합니다
help-gate-arg-base = 패치를 적용할 리비전(브랜치, 태그, 커밋)
help-gate-arg-json =
    전체 보고서를 JSON으로 출력합니다(워커가 `<id>.gate.json`으로 저장하는 것과 같은 문서). 인프라 오류면
    {"{"}"verdict":"ERROR","kind":...,"error":...{"}"}를 출력합니다
help-gate-arg-fuzzy =
    줄 번호를 무시하고 내용으로 헝크 위치를 찾습니다. 그다음에는 공백, 그다음에는 유니코드 문장 부호(둥근 따옴표,
    대시, NBSP)를 무시합니다. 두 곳에 맞는 헝크는 거부합니다(PATCH_AMBIGUOUS). 이때 보고서에는 정규화된 패치가
    담기며, 그 패치는 엄격하게 적용됩니다
help-gate-arg-allow = 이 파일이나 디렉터리 접두어에만 쓰기를 허용합니다(반복 가능). 기본값: 정책의 `allowed` 목록
help-gate-arg-checks = gate.toml의 검사 대신 이 셸 명령을 실행합니다(반복 가능. 체크아웃 루트에서 실행)
help-gate-arg-hook =
    git 훅으로 실행합니다(`install-hook`이 설치한 스크립트가 부르는 방식): pre-merge-commit은 진행 중인 병합을,
    pre-push는 표준 입력에서 읽은 푸시 범위를 하나하나 판정합니다
help-gate-arg-hook-value-pre-merge-commit = `git merge` 안에서 병합 커밋을 쓰기 전에 실행: 병합이 HEAD에 가져오는 것을 판정합니다
help-gate-arg-hook-value-pre-push = `git push` 안에서 실행: 푸시하는 모든 범위를 판정합니다(표준 입력에서 읽음)
help-gate-arg-work-root =
    체크아웃, 빌드 캐시, 로그를 두는 곳. 기본값: `~/.cache/autodev/gate/<repo>-<hash>`($AUTODEV_CACHE나
    $XDG_CACHE_HOME으로 옮길 수 있음)
help-gate-arg-timeout = 자체 시간 제한이 없는 검사의 제한 시간(초. 기본값: gate.toml의 값, 없으면 600)
help-gate-install-hook-about =
    `autodev gate --hook ...`을 실행하는 pre-merge-commit·pre-push 훅을 설치해, 게이트를 통과하지 못하는 병합이나
    푸시를 막습니다. autodev가 쓰지 않은 훅은 --force 없이는 바꾸지 않습니다
help-gate-install-hook-arg-repo = 저장소 안의 아무 디렉터리
help-gate-install-hook-arg-force = autodev가 쓰지 않은 기존 훅을 바꿉니다. 기존 훅은 `<hook>.autodev-backup`으로 남겨 둡니다
help-gate-uninstall-hook-about = `install-hook`이 쓴 훅을 지웁니다(바꿨던 훅이 있으면 되돌립니다). 다른 훅은 그대로 둡니다
help-gate-uninstall-hook-arg-repo = 저장소 안의 아무 디렉터리

## autodev approve, reject, apply
help-approve-about = 게이트를 통과한 작업의 패치를 승인합니다(패치의 sha256과 함께 APPROVED를 기록한 뒤 승인 파일을 씁니다)
help-approve-long-about =
    게이트를 통과한 작업의 패치를 승인합니다(패치의 sha256과 함께 APPROVED를 기록한 뒤 승인 파일을 씁니다).

    거부(종료 코드 1): TASK_UNKNOWN, NOT_GATE_PASSED, ALREADY_REJECTED, ALREADY_APPROVED, APPROVAL_HASH_MISMATCH,
    TASK_NOT_AS_SUBMITTED(작업 파일이 TASK_SUBMITTED 이벤트와 다름), PATCH_NOT_GATED(패치가 게이트가 통과시킨
    바이트가 아님), APPROVAL_NOT_IN_LOG(로그가 확인하지 않는 승인 파일: approve가 쓴 것이 아님). 같은 패치를 다시
    승인하면 아무 일도 하지 않습니다.
help-approve-arg-id = 작업 ID
help-approve-arg-by = 승인하는 사람(기본값: $USER, 없으면 autodev를 실행하는 계정)
help-approve-arg-json = 승인 기록을 JSON으로 출력합니다
help-reject-about = 게이트를 통과한 작업의 패치를 반려합니다
help-reject-arg-id = 작업 ID
help-reject-arg-reason = 이유(반려 기록에 남습니다)
help-reject-arg-by = 반려하는 사람(기본값: $USER, 없으면 autodev를 실행하는 계정)
help-apply-about = 승인된 패치를 작업의 기준 커밋에서 만든 새 브랜치 `autodev/<ID>`에 커밋합니다
help-apply-long-about =
    승인된 패치를 작업의 기준 커밋에서 만든 새 브랜치 `autodev/<ID>`에 커밋합니다.

    체크아웃된 브랜치, 인덱스, 파일은 건드리지 않습니다. 다시 적용하면 이미 있는 커밋을 알려 줍니다.
    거부(종료 코드 1): NOT_APPROVED, APPROVAL_NOT_IN_LOG(승인 파일에 맞는 APPROVED 이벤트가 없음),
    TASK_NOT_AS_SUBMITTED(작업 파일의 저장소, 기준 커밋, 대상, 검사가 TASK_SUBMITTED와 다름),
    PATCH_NOT_GATED(패치가 GATE_PASSED가 가리키는 바이트가 아님), APPLY_POLICY_REFUSED(기준 커밋의 정책이 패치를
    거부함), APPROVAL_HASH_MISMATCH, PATCH_DOES_NOT_APPLY, BRANCH_EXISTS, ALREADY_REJECTED, TASK_UNKNOWN,
    NOT_GATE_PASSED.
help-apply-arg-id = 작업 ID
help-apply-arg-to-worktree = 브랜치에 커밋하는 대신 저장소의 작업 트리에 패치를 적용합니다(전부 적용하거나 하나도 하지 않음)
help-apply-arg-committer-name = 커미터(및 작성자) 이름. 기본값: git config user.name, 없으면 "autodev"
help-apply-arg-committer-email = 커미터(및 작성자) 이메일. 기본값: git config user.email, 없으면 autodev@localhost
help-apply-arg-repo =
    작업이 제출된 저장소 대신 커밋할 클론(PostgreSQL 대기열에서 이 컴퓨터의 클론). 없는 기준 커밋은 먼저 클론의
    원격에서 가져옵니다
help-apply-arg-json = 결과를 JSON으로 출력합니다

## autodev publish
help-publish-about = (아직 안 했다면) 적용한 뒤 `autodev/<ID>` 브랜치를 원격에 푸시하고 PR을 엽니다(기본은 초안)
help-publish-long-about =
    (아직 안 했다면) 적용한 뒤 `autodev/<ID>` 브랜치를 원격에 푸시하고 PR을 엽니다(기본은 초안).

    각 단계는 멱등이라, 다시 실행하면 실패한 곳에서 이어 가며 커밋, 푸시, PR을 두 번 만들지 않습니다: 적용(`autodev
    apply`와 같은 규칙), --force 없는 푸시(원격 브랜치가 이미 다른 커밋에 있으면 거부: REMOTE_BRANCH_MOVED),
    브랜치의 열린 PR 찾기, 없으면 열기(GitHub REST, Gitea/Forgejo REST는 "WIP: " 제목, forge "none"이면 푸시만),
    PUBLISHED 기록. 그 뒤 `autodev status ID`가 URL을 보여 줍니다.

    원격, forge, API, 저장소, 기준 브랜치, 토큰 변수는 .autodev_ssot/delivery.toml에서 읽습니다(github.com 원격은
    설정이 필요 없습니다). 토큰은 GITHUB_TOKEN, GITEA_TOKEN, FORGEJO_TOKEN(또는 token_env)에서 읽으며, 출력하거나
    로그에 남기거나 .git/config에 쓰지 않습니다. docs/DELIVERY.md를 보세요.

    종료 코드: 0 게시함(또는 이미 게시됨), 1 거부: NOT_APPROVED(와 apply의 다른 코드), CONFIG, REMOTE_UNKNOWN,
    TOKEN_MISSING, REMOTE_BRANCH_MOVED, PUSH_REJECTED, FORGE_AUTH, FORGE_NOT_FOUND. 2 다시 시도할 수 있음:
    REMOTE_UNREACHABLE, FORGE_RATE_LIMITED(언제 다시 할지 알려 줌), FORGE_ERROR, GIT_ERROR, QUEUE_ERROR.
help-publish-arg-id = 작업 ID
help-publish-arg-remote = 푸시할 git 원격(기본값: .autodev_ssot/delivery.toml의 `remote`, 없으면 origin)
help-publish-arg-ready = PR을 초안이 아니라 리뷰 준비 상태로 엽니다(Gitea/Forgejo에서 "WIP: "를 붙이지 않음)
help-publish-arg-committer-name = 아직 커밋하지 않았을 때 쓸 커미터(및 작성자) 이름. 기본값: git config user.name
help-publish-arg-committer-email = 아직 커밋하지 않았을 때 쓸 커미터(및 작성자) 이메일. 기본값: git config user.email
help-publish-arg-json = 결과(또는 {"{"}"error": {"{"}"code", "message", "retry_at"{"}"}{"}"})를 JSON으로 출력합니다

## autodev deliver
help-deliver-about =
    승인된 작업을 알아서 전달합니다: 저장소의 .autodev_ssot/delivery.toml `on_approve`("none" | "apply" |
    "publish")에 따라 새로 승인된 작업을 적용하거나 게시하고, Telegram의 /publish 요청을 모두 게시합니다
help-deliver-long-about =
    승인된 작업을 알아서 전달합니다: 저장소의 .autodev_ssot/delivery.toml `on_approve`("none" | "apply" |
    "publish")에 따라 새로 승인된 작업을 적용하거나 게시하고, Telegram의 /publish 요청을 모두 게시합니다.

    SIGTERM/Ctrl-C까지 --interval초마다 한 회차씩 실행합니다. --once는 한 회차만 실행하고(앞서 실패한 재시도
    가능 작업도 바로 다시 시도) 종료합니다. 무엇을 할지는 이벤트 로그가 정하므로 다시 시작해도 전달을 잃거나
    되풀이하지 않습니다(publish와 apply는 멱등). 실패는 코드와 함께 DELIVERY_FAILED로 기록됩니다: 재시도 가능한
    실패(네트워크, 요청 한도)는 30초 뒤부터 최대 30분까지 간격을 두 배로 늘리며 다시 시도하고, 거부(FORGE_AUTH,
    REMOTE_BRANCH_MOVED, CONFIG, ...)는 사람이 원인을 고치고 다시 요청할 때까지(`autodev publish ID` 또는
    /publish ID) 기다립니다. 대기열 하나에 전달자 하나(deliver.lock).

    forge 토큰(GITHUB_TOKEN, GITEA_TOKEN, ...)은 워커나 봇이 아니라 이 프로세스에 주세요. 이 프로세스는 모델이 쓴
    코드를 실행하지 않습니다. --once의 종료 코드: 0 실패 없음, 1 전달 실패가 있음(`autodev events` 참고), 2 인프라
    오류. docs/DELIVERY.md를 보세요.
help-deliver-arg-once = 한 회차만 실행하고 종료합니다(재시도 가능한 실패는 바로 다시 시도)
help-deliver-arg-interval = 회차 사이의 초

## autodev telegram
help-telegram-about = Telegram 봇을 실행합니다: /work, /status, /stop, /resume, /approve, /reject와 게이트 알림
help-telegram-long-about =
    Telegram 봇을 실행합니다: /work, /status, /stop, /resume, /approve, /reject와 게이트 알림.

    토큰은 TELEGRAM_BOT_TOKEN이나 --token-file에서 읽습니다. TELEGRAM_ALLOW_FROM에 있는 숫자 사용자·채팅 ID의
    말만 따릅니다(비어 있으면 아무도 따르지 않음). 대기열 하나에 봇 하나. docs/TELEGRAM.md를 보세요.
help-telegram-arg-token-file = 이 파일에서 봇 토큰을 읽습니다(기본값: 환경 변수나 .env의 TELEGRAM_BOT_TOKEN)
help-telegram-arg-allow-from =
    말을 따를 숫자 Telegram 사용자·채팅 ID(쉼표로 구분). 다른 사람은 따르지 않습니다(기본값: 환경 변수나 .env의
    TELEGRAM_ALLOW_FROM. 비어 있으면 아무도 따르지 않음). 버튼은 목록에 있는 그룹이 아니라 목록에 있는 사용자가
    눌렀을 때만 인정합니다
help-telegram-arg-repo = /work 요청이 바꿀 저장소(기본값: AUTODEV_REPO, 없으면 대기열이 있는 저장소)
help-telegram-arg-api-base = Bot API 기본 URL(기본값: TELEGRAM_API_BASE, 없으면 `https://api.telegram.org`)
help-telegram-arg-env-file = { help-worker-arg-env-file }
help-telegram-arg-poll-timeout = getUpdates의 롱 폴링 시간 제한(초)
help-telegram-arg-listen = 이 주소에서 GET /healthz를 제공합니다(getUpdates가 성공하는 동안 200, 아니면 503)
