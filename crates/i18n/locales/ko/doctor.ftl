# `autodev doctor`: 검사마다 찾은 것과 해결 방법(→ 뒤의 줄). 일반 텍스트이며 말투는 합니다체입니다. 검사 이름,
# PASS/WARN/FAIL/SKIP, JSON 보고서는 번역하지 않습니다. "구절"이라고 적은 값은 이 파일의 다른 메시지로, 이미 같은
# 언어로 렌더링되어 들어옵니다.

doctor-raw = { $text }
doctor-path-error = { $path }: { $error }
doctor-summary = 통과 { $pass }, 경고 { $warn }, 실패 { $fail }, 건너뜀 { $skip }
doctor-and-more = 외 { $count }개

## 플랫폼
doctor-platform-linux = Linux(WSL 아님)
doctor-unknown-distro = 알 수 없는 배포판
doctor-docker-desktop = , Docker Desktop 연동 확인됨
doctor-windows-host = ; 여기서 본 Windows 호스트 주소는 { $gateway }
doctor-platform-wsl1 = WSL1({ $distro }){ $desktop }: Landlock, 네임스페이스, Docker를 쓰려면 WSL2가 필요합니다.
doctor-platform-wsl1-fix = PowerShell에서 배포판을 변환하세요: wsl --set-version { $distro } 2
doctor-platform-wsl2 = WSL2({ $distro }){ $desktop }{ $gateway }
doctor-location = { $path }{ PARTICLE($path, "은/는") } Windows 드라이브에 있습니다. /mnt를 거치는 파일 접근은 몇 배 느리고, 이름 바꾸기와 잠금이 autodev 대기열이 기대하는 대로 동작하지 않습니다.
doctor-location-fix = 저장소를 Linux 홈(예: ~/src)에 클론하고 그곳에서 autodev를 실행하세요.
doctor-compose = { $url }에서 이미 Ollama가 응답하는데, docker-compose.yml이 같은 포트에 Ollama를 하나 더 띄웁니다.
doctor-compose-fix = 이미 있는 Ollama를 쓰세요: docker compose -f docker-compose.yml -f docker-compose.host-ollama.yml --profile worker up -d (또는 호스트의 Ollama를 먼저 중지)

## git과 저장소
doctor-git-missing = git이 설치되어 있지 않거나 실행되지 않습니다.
doctor-git-missing-fix = git을 설치하세요(apt-get install git / brew install git). 게이트가 git을 실행합니다.
doctor-repo-not-git = { $dir }{ PARTICLE($dir, "은/는") } git 작업 트리 안에 있지 않습니다.
doctor-repo-not-git-fix = 변경할 저장소 안에서 autodev를 실행하세요(또는 --repo DIR로 제출).
doctor-repo-no-commits = { $top }에 아직 커밋이 없습니다. 작업에는 기준 커밋이 필요합니다.
doctor-repo-no-commits-fix = 먼저 커밋을 하나 만드세요(git commit --allow-empty -m init).
doctor-repo-no-ssot = { $top }: .autodev_ssot/(정책, 게이트 검사, 프롬프트)가 없습니다.
doctor-repo-no-ssot-fix = autodev init을 실행한 뒤 git add .autodev_ssot && git commit -m 'autodev policy'
doctor-repo-ok = { $top } (HEAD, .autodev_ssot/)

## 샌드박스
doctor-sandbox-config-fix = .autodev_ssot/gate.toml을 고치세요(이대로는 게이트가 검사를 실행하지 않습니다).
doctor-sandbox-refused-fix = 게이트가 검사 실행을 거부합니다. bubblewrap을 설치하거나(apt-get install bubblewrap) Landlock을 지원하는 커널을 쓰세요. docs/GATE.md의 "Sandbox"를 참고하세요.
doctor-sandbox-none = { $summary }: gate.toml에 [sandbox] mode = "none"이 설정되어 있습니다.
doctor-sandbox-none-fix = 검사가 사용자의 키를 읽고 사용자가 쓸 수 있는 곳 어디에나 쓸 수 있습니다. 모델이 작성할 수 있는 모든 테스트를 믿는 게 아니라면 mode = "none"을 지우세요.
doctor-sandbox-no-userns = { $summary }. 사용자 네임스페이스를 쓸 수 없습니다.
doctor-sandbox-no-userns-fix = 비특권 사용자 네임스페이스를 허용하세요(sysctl kernel.unprivileged_userns_clone=1 또는 kernel.apparmor_restrict_unprivileged_userns=0). 그래야 검사가 루프백 전용 네트워크와 읽기 전용 마운트 안에서 돕니다. 허용하지 않으면 검사가 체크아웃 밖에 있는 사용자 소유 파일에 chmod/touch를 할 수 있습니다.

## 대기열과 디스크
doctor-queue-init-fix = 저장소에서 autodev init을 실행하세요(또는 --queue DIR 지정 / AUTODEV_QUEUE 설정).
doctor-queue-two-filesystems = { $sub }{ PARTICLE($sub, "이/가") } { $dir }{ PARTICLE($dir, "과/와") } 다른 파일 시스템에 있습니다(장치 { $sub_dev } / { $dir_dev }). 두 폴더 사이의 작업 이동이 원자적인 이름 바꾸기가 될 수 없습니다.
doctor-queue-two-filesystems-fix = 하위 폴더를 따로 마운트하지 말고 대기열 폴더 전체를 볼륨 하나로 마운트하세요.
doctor-init-again-fix = autodev init을 다시 실행하세요(없는 것만 만듭니다).
doctor-queue-not-writable = { $dir }에 쓸 수 없습니다: { $error }
doctor-queue-not-writable-fix = 폴더의 소유자나 권한을 고치세요(컨테이너라면 폴더 소유자의 uid로 실행).
doctor-queue-ok = { $dir } 쓰기 가능, 파일 시스템 하나
doctor-queue-files-no-queue = 살펴볼 대기열이 없습니다.
doctor-queue-files-ok = 작업 이름을 가진 파일은 모두 작업으로 읽힙니다.
doctor-queue-files-corrupt = 작업 이름을 가진 파일 { $count }개를 autodev가 작업으로 읽을 수 없습니다(TASK_FILE_CORRUPT): { $files }
doctor-queue-files-corrupt-fix = 각 파일을 백업에서 복원하거나 대기열 밖으로 옮기세요. 다른 작업에는 영향이 없습니다(autodev status에서 corrupt로 표시됩니다).
doctor-disk-free = { $path }의 여유 공간 { $free }
doctor-disk-full-fix = 공간을 확보하세요. 대기열, 게이트의 체크아웃, 내려받은 모델에 공간이 필요합니다.
doctor-disk-low = { $path }의 여유 공간이 { $free }뿐입니다.
doctor-disk-low-fix = 모델 하나가 몇 GiB씩 차지합니다. 다른 모델을 내려받기 전에 공간을 확보하세요.
doctor-disk-unknown = { $path }의 여유 공간을 읽을 수 없습니다: { $error }

## 모델 서버와 모델
doctor-backend-host-fix = OLLAMA_HOST를 고치세요(설정 위치: { $source }).
doctor-server-ollama = Ollama
doctor-server-openai = OpenAI 호환 서버
doctor-version-unknown = (버전 알 수 없음)
doctor-backend-ok = { $host }의 { $server } { $version } (OLLAMA_HOST 출처: { $source })
doctor-fix-ollama-found = { $url }에서 Ollama가 응답합니다. OLLAMA_HOST={ $url }{ PARTICLE($url, "(으)로") } 설정하세요(.env 또는 환경 변수. 지금은 { $source }의 { $host }).
doctor-fix-ollama-wsl2 = 여기에도 Windows 호스트에도 응답하는 Ollama가 없습니다{ $tried }. Ollama를 Windows에서 실행한다면 루프백 밖에서도 접속을 받게 하세요. Windows 환경 변수 OLLAMA_HOST=0.0.0.0을 설정하고 Ollama 앱을 다시 시작한 뒤, Windows 방화벽에서 WSL 네트워크의 11434 포트를 허용하세요. 그다음 여기서 OLLAMA_HOST=http://<Windows 호스트>:11434로 설정하세요. 또는 WSL 안에서 Ollama를 실행하세요(ollama serve 또는 docker compose up -d ollama).
doctor-fix-ollama-start = 서버를 시작하거나(ollama serve 또는 docker compose up -d ollama) OLLAMA_HOST가 서버를 가리키게 하세요(지금은 { $source }의 { $host }).
doctor-server-unreachable = 모델 서버에 연결할 수 없습니다.
doctor-model-ok = { $model } 설치됨{ $size } (OLLAMA_MODEL 출처: { $source })
doctor-model-openai = 서버가 { $models } 모델을 제공합니다(OpenAI 호환 서버는 이름과 상관없이 응답합니다).
doctor-model-fallback-used = { $model }(OLLAMA_MODEL 출처: { $source }){ PARTICLE($model, "이/가") } 설치되어 있지 않아 워커가 대체 모델 { $fallback }{ PARTICLE($fallback, "을/를") } 씁니다.
doctor-model-missing = { $model }(OLLAMA_MODEL 출처: { $source }){ PARTICLE($model, "이/가") } { $host }에 설치되어 있지 않습니다.
doctor-model-missing-fix = ollama pull { $model } (스택에서는 docker compose run --rm ollama-pull)
doctor-fallback-ok = { $model } 설치됨{ $size } (OLLAMA_FALLBACK_MODEL 출처: { $source })
doctor-fallback-openai = OpenAI 호환 서버는 모델 하나만 제공합니다.
doctor-fallback-missing = { $model }(OLLAMA_FALLBACK_MODEL 출처: { $source }){ PARTICLE($model, "이/가") } 설치되어 있지 않습니다.
doctor-fallback-missing-fix = ollama pull { $model } 또는 OLLAMA_FALLBACK_MODEL 설정 해제
doctor-no-model-to-size = 크기를 잴 설치된 모델이 없습니다.

## GPU 메모리
doctor-gpu-tool-missing = { $tool }{ PARTICLE($tool, "을/를") } 찾을 수 없습니다({ $error })
doctor-gpu-tool-failed = { $tool } 실행 실패: { $error }
doctor-gpu-tool-output = nvidia-smi 출력을 해석할 수 없습니다: { $line }
doctor-gpu-none = nvidia-smi가 GPU를 하나도 찾지 못했습니다
doctor-gpu-shape = 레이어 { $layers }개 × KV 헤드 { $heads }개 × 헤드 크기 { $dim }
doctor-gpu-shape-assumed = 구조를 알 수 없어 레이어 32개 × KV 헤드 8개 × 헤드 크기 128로 가정
doctor-gpu-estimate = { $model }에 약 { $need } 필요(가중치 { $weights } + num_ctx { $ctx }의 KV 캐시 { $kv }, { $shape }, { $cache_type })
doctor-gpu-not-checked = { $why }. GPU 메모리는 확인하지 않았습니다. { $estimate }
doctor-gpu-not-checked-fix = NVIDIA GPU가 없으면 Ollama가 CPU에서 돕니다. 1.5B–3B 모델은 괜찮지만 7B 이상은 느립니다.
doctor-gpu-short = { $estimate }. 그런데 GPU 메모리 { $total } 중 { $free }만 비어 있어 모델 일부가 CPU에서 돕니다.
doctor-gpu-short-fix = AUTODEV_NUM_CTX를 낮추거나, 더 작은 모델이나 양자화를 고르거나, OLLAMA_KV_CACHE_TYPE=q8_0을 설정하거나(OLLAMA_FLASH_ATTENTION=1과 함께), GPU를 비우세요(ollama ps로 올라와 있는 모델을 볼 수 있습니다).
doctor-gpu-ok = { $estimate }. GPU 메모리 { $total } 중 { $free } 비어 있음

## 텔레그램
doctor-telegram-no-token = TELEGRAM_BOT_TOKEN이 설정되어 있지 않습니다(autodev telegram에만 필요합니다).
doctor-telegram-unreachable = { $url }에 연결할 수 없습니다: { $error }
doctor-telegram-unreachable-fix = 네트워크를 확인하세요(HTTPS로 api.telegram.org에 접속할 수 있어야 합니다).
doctor-telegram-ok = 토큰({ $source }에서 읽음)은 @{ $bot } 봇의 토큰입니다.
doctor-telegram-rejected = 텔레그램이 { $source }의 토큰을 거부했습니다: HTTP { $status } { $description }
doctor-telegram-rejected-fix = @BotFather에서 토큰을 다시 복사하세요(/token). autodev telegram과 OpenClaw는 서로 다른 봇을 써야 합니다.

## OpenClaw
doctor-openclaw-no-home = 홈 폴더가 없습니다.
doctor-openclaw-not-found = { $path }{ PARTICLE($path, "이/가") } 없습니다(OpenClaw가 설정되지 않음).
doctor-openclaw-unreadable = { $path }{ PARTICLE($path, "을/를") } 읽을 수 없습니다: { $error }
doctor-openclaw-no-model = { $path }에 에이전트 모델이 지정되어 있지 않습니다.
doctor-openclaw-other-provider = OpenClaw 에이전트는 Ollama가 아니라 { $provider }/{ $model }{ PARTICLE($model, "을/를") } 씁니다({ $path }). OLLAMA_MODEL과 맞출 필요가 없습니다.
doctor-openclaw-same = OpenClaw와 autodev 모두 { $model }{ PARTICLE($model, "을/를") } 씁니다({ $path }, OLLAMA_MODEL 출처: { $source }).
doctor-openclaw-drift = 모델 불일치: OpenClaw는 ollama/{ $theirs }{ PARTICLE($theirs, "을/를") } 쓰는데({ $path }) autodev는 OLLAMA_MODEL={ $ours }{ PARTICLE($ours, "을/를") } 씁니다({ $source }).
doctor-openclaw-drift-fix = 같은 모델로 맞추거나(GPU 메모리에 한 벌만 올라감), 일부러 둘 다 쓰는 것이라면 그대로 두세요. 다만 두 모델이 GPU 메모리에 함께 올라가지 못할 수 있습니다.

## 잘린 목록: "a; b; 외 3개"(구절)
doctor-list-and-more = { $list }; { $more }

## 설정의 출처(파일은 경로 그대로)
doctor-source-default = 기본값
doctor-source-env = 환경 변수
doctor-source-flag = 명령줄

## 모델 서버가 응답하지 않음(워커 오류와 같은 내용)
doctor-backend-unreachable = { $url }의 모델 서버에 연결할 수 없습니다. Ollama(`ollama serve`)나 llama-server를 시작하거나, 워커가 올바른 주소를 가리키게 하세요(OLLAMA_HOST / 백엔드 URL).
doctor-queue-database-ok = { $location }: 스키마 버전 { $schema }, PostgreSQL { $server }
doctor-queue-database-fix = 데이터베이스 서버를 시작하고 주소(postgres://USER:PASSWORD@HOST:PORT/DATABASE)를 확인하세요. 새 데이터베이스는 `autodev init --queue <주소>`가 필요합니다.
doctor-queue-database-upgrade-fix = 더 새로운 autodev가 이 데이터베이스를 만들었습니다. 이 컴퓨터의 autodev를 업그레이드하세요.
