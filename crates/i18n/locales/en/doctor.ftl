# `autodev doctor`: each check's finding and what to do about it (the line after →). Plain text. Check names,
# PASS/WARN/FAIL/SKIP and the JSON report are never translated. Values marked "phrase" are other messages of
# this file, already in the same language.

doctor-raw = { $text }
doctor-path-error = { $path }: { $error }
doctor-summary = { $pass } passed, { $warn } warnings, { $fail } failed, { $skip } skipped
doctor-and-more = and { $count } more

## platform
doctor-platform-linux = Linux (not WSL)
doctor-unknown-distro = unknown distribution
doctor-docker-desktop = , Docker Desktop integration found
doctor-windows-host = ; the Windows host is { $gateway } from here
doctor-platform-wsl1 = WSL1 ({ $distro }){ $desktop }: Landlock, namespaces and Docker need WSL2
doctor-platform-wsl1-fix = convert the distribution in PowerShell: wsl --set-version { $distro } 2
doctor-platform-wsl2 = WSL2 ({ $distro }){ $desktop }{ $gateway }
doctor-location = { $path } is on a Windows drive: file access through /mnt is many times slower, and renames and locks do not behave as autodev's queue expects
doctor-location-fix = clone the repository into your Linux home (e.g. ~/src) and run autodev there
doctor-compose = an Ollama already answers at { $url }, and docker-compose.yml starts another on the same port
doctor-compose-fix = use the one you have: docker compose -f docker-compose.yml -f docker-compose.host-ollama.yml --profile worker up -d (or stop the host's Ollama first)

## git and the repository
doctor-git-missing = git is not installed or does not run
doctor-git-missing-fix = install git (apt-get install git / brew install git); the gate runs it
doctor-repo-not-git = { $dir } is not inside a git work tree
doctor-repo-not-git-fix = run autodev in the repository you want changed (or submit with --repo DIR)
doctor-repo-no-commits = { $top } has no commits yet: tasks need a base commit
doctor-repo-no-commits-fix = commit something first (git commit --allow-empty -m init)
doctor-repo-no-ssot = { $top }: no .autodev_ssot/ (policy, gate checks, prompt)
doctor-repo-no-ssot-fix = autodev init, then git add .autodev_ssot && git commit -m 'autodev policy'
doctor-repo-ok = { $top } (HEAD, .autodev_ssot/)

## sandbox
doctor-sandbox-config-fix = fix .autodev_ssot/gate.toml (the gate refuses to run checks with it)
doctor-sandbox-refused-fix = the gate refuses to run checks: install bubblewrap (apt-get install bubblewrap) or use a kernel with Landlock; see docs/GATE.md "Sandbox"
doctor-sandbox-none = { $summary }: gate.toml says [sandbox] mode = "none"
doctor-sandbox-none-fix = checks can read your keys and write anywhere you can; remove mode = "none" unless you trust every test the model may write
doctor-sandbox-no-userns = { $summary }; user namespaces are not available
doctor-sandbox-no-userns-fix = allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or kernel.apparmor_restrict_unprivileged_userns=0) so checks get loopback-only networking and read-only mounts; without them a check can still chmod/touch files you own outside the checkout

## queue and disk
doctor-queue-init-fix = run autodev init in the repository (or pass --queue DIR / set AUTODEV_QUEUE)
doctor-queue-two-filesystems = { $sub } is on another filesystem than { $dir } (device { $sub_dev } vs { $dir_dev }): moving a task between them cannot be an atomic rename
doctor-queue-two-filesystems-fix = mount the whole queue directory as one volume, not its subfolders separately
doctor-init-again-fix = run autodev init again (it only creates what is missing)
doctor-queue-not-writable = { $dir } is not writable: { $error }
doctor-queue-not-writable-fix = fix the folder's owner or permissions (in a container: run as the folder's uid)
doctor-queue-ok = { $dir } writable, one filesystem
doctor-queue-files-no-queue = no queue to look in
doctor-queue-files-ok = every file named like a task reads as one
doctor-queue-files-corrupt = { $count } file(s) named like tasks are not tasks autodev can read (TASK_FILE_CORRUPT): { $files }
doctor-queue-files-corrupt-fix = restore each from a backup, or move it out of the queue; other tasks are not affected (autodev status lists them as corrupt)
doctor-disk-free = { $free } free at { $path }
doctor-disk-full-fix = free some space: the queue, the gate's checkouts and pulled models need room
doctor-disk-low = only { $free } free at { $path }
doctor-disk-low-fix = models take several GiB each; free some space before pulling another
doctor-disk-unknown = cannot read free space of { $path }: { $error }

## model server and models
doctor-backend-host-fix = fix OLLAMA_HOST (set in { $source })
doctor-server-ollama = Ollama
doctor-server-openai = OpenAI-compatible server
doctor-version-unknown = (version unknown)
doctor-backend-ok = { $server } { $version } at { $host } (OLLAMA_HOST from { $source })
doctor-fix-ollama-found = an Ollama answers at { $url }: set OLLAMA_HOST={ $url } (in .env or the environment; now { $host } from { $source })
doctor-fix-ollama-wsl2 = no Ollama answers here or on the Windows host{ $tried }. If Ollama runs on Windows, make it listen beyond loopback: set the Windows environment variable OLLAMA_HOST=0.0.0.0, restart the Ollama app, and allow port 11434 in Windows Firewall for the WSL network; then set OLLAMA_HOST=http://<Windows host>:11434 here. Or start one in WSL (ollama serve, or docker compose up -d ollama)
doctor-fix-ollama-start = start the server (ollama serve, or docker compose up -d ollama) or point OLLAMA_HOST (now { $host } from { $source }) at it
doctor-server-unreachable = the model server is unreachable
doctor-model-ok = { $model } installed{ $size } (OLLAMA_MODEL from { $source })
doctor-model-openai = the server serves { $models } (an OpenAI-compatible server answers whatever the name)
doctor-model-fallback-used = { $model } (OLLAMA_MODEL from { $source }) is not installed; the worker will use the fallback { $fallback }
doctor-model-missing = { $model } (OLLAMA_MODEL from { $source }) is not installed on { $host }
doctor-model-missing-fix = ollama pull { $model } (in the stack: docker compose run --rm ollama-pull)
doctor-fallback-ok = { $model } installed{ $size } (OLLAMA_FALLBACK_MODEL from { $source })
doctor-fallback-openai = an OpenAI-compatible server serves one model
doctor-fallback-missing = { $model } (OLLAMA_FALLBACK_MODEL from { $source }) is not installed
doctor-fallback-missing-fix = ollama pull { $model }, or unset OLLAMA_FALLBACK_MODEL
doctor-no-model-to-size = no installed model to size

## GPU memory
doctor-gpu-tool-missing = { $tool } not found ({ $error })
doctor-gpu-tool-failed = { $tool } failed: { $error }
doctor-gpu-tool-output = unexpected nvidia-smi output: { $line }
doctor-gpu-none = nvidia-smi lists no GPU
doctor-gpu-shape = { $layers } layers × { $heads } KV heads × head { $dim }
doctor-gpu-shape-assumed = layout unknown: assumed 32 layers × 8 KV heads × head 128
doctor-gpu-estimate = { $model } needs ≈ { $need } (weights { $weights } + KV cache { $kv } for num_ctx { $ctx }, { $shape }, { $cache_type })
doctor-gpu-not-checked = { $why }: GPU memory not checked; { $estimate }
doctor-gpu-not-checked-fix = without an NVIDIA GPU Ollama runs on the CPU: fine for 1.5B–3B models, slow for 7B and up
doctor-gpu-short = { $estimate }, but only { $free } of { $total } GPU memory is free: part of the model will run on the CPU
doctor-gpu-short-fix = lower AUTODEV_NUM_CTX, pick a smaller model or quantization, set OLLAMA_KV_CACHE_TYPE=q8_0 (with OLLAMA_FLASH_ATTENTION=1), or free the GPU (ollama ps shows loaded models)
doctor-gpu-ok = { $estimate }; { $free } of { $total } GPU memory free

## Telegram
doctor-telegram-no-token = TELEGRAM_BOT_TOKEN is not set (only autodev telegram needs it)
doctor-telegram-unreachable = cannot reach { $url }: { $error }
doctor-telegram-unreachable-fix = check the network (api.telegram.org must be reachable over HTTPS)
doctor-telegram-ok = the token (from { $source }) belongs to @{ $bot }
doctor-telegram-rejected = Telegram rejected the token from { $source }: HTTP { $status } { $description }
doctor-telegram-rejected-fix = copy the token again from @BotFather (/token); autodev telegram and OpenClaw need different bots

## OpenClaw
doctor-openclaw-no-home = no home directory
doctor-openclaw-not-found = { $path } not found (OpenClaw not set up)
doctor-openclaw-unreadable = cannot read { $path }: { $error }
doctor-openclaw-no-model = { $path } names no agent model
doctor-openclaw-other-provider = OpenClaw's agent uses { $provider }/{ $model } ({ $path }), not Ollama: nothing to keep in step with OLLAMA_MODEL
doctor-openclaw-same = OpenClaw and autodev both use { $model } ({ $path } and OLLAMA_MODEL from { $source })
doctor-openclaw-drift = model drift: OpenClaw uses ollama/{ $theirs } (from { $path }) but autodev uses OLLAMA_MODEL={ $ours } (from { $source })
doctor-openclaw-drift-fix = make them the same model (one copy in GPU memory), or keep both on purpose: two models may not fit in GPU memory at once

## A list that was cut: "a; b; and 3 more" (phrase)
doctor-list-and-more = { $list }; { $more }

## Where a setting came from (a file is shown as its path)
doctor-source-default = default
doctor-source-env = environment
doctor-source-flag = command line

## The model server does not answer (the same words as the worker's error)
doctor-backend-unreachable = cannot reach the model server at { $url }: start Ollama (`ollama serve`) or llama-server, or point the worker at the right address (OLLAMA_HOST / the backend URL)
doctor-queue-database-ok = { $location }: schema version { $schema }, PostgreSQL { $server }
doctor-queue-database-fix = start the database server and check the address (postgres://USER:PASSWORD@HOST:PORT/DATABASE); a new database needs `autodev init --queue <address>`
doctor-queue-database-upgrade-fix = a newer autodev set this database up: upgrade autodev on this machine
