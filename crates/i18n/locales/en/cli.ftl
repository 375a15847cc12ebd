# The CLI's human output: submit, status, approve, reject, apply, and the errors of the crates that do not say
# their own (errors.ftl has the queue's, approval's and delivery's). Plain text. JSON output is never translated.

## Labels of `autodev status <id>` (padded to one column by display width)
cli-label-id = id
cli-label-state = state
cli-label-attempts = attempts
cli-label-title = title
cli-label-intent = intent
cli-label-summary = summary
cli-label-targets = targets
cli-label-repo = repo
cli-label-owner = owner
cli-label-lease = lease
cli-label-failure = failure
cli-label-patch = patch
cli-label-report = report
cli-label-gate = gate
cli-label-approval = approval
cli-label-pushed = pushed
cli-label-pull-request = pull req
cli-label-delivery = delivery
cli-label-gate-reason = reason

## `autodev status`
cli-status-attempts = { $attempts } of { $max }
cli-status-summary = { $summary } (the model's words)
cli-status-no-commits = (no commits yet)
cli-status-lease-until = until { $time }
cli-status-delivery-failed = failed: { $code }: { $message }
## A recorded code next to what it means (codes.ftl) and the detail as the log recorded it. English shows the code
## and the detail as it always has: the explanation is for the other languages.
cli-status-delivery-failed-explained = failed: { $code }: { $message }
cli-status-failure = { $reason }
# Other languages only: each reason of gate.json (which says them in English) under its path.
cli-status-gate-reason = { $code }: { $explanation }
cli-status-unknown = TASK_UNKNOWN: no task { $id } in { $queue }; `autodev status` lists them
cli-status-corrupt = TASK_FILE_CORRUPT: { $path } ({ $id }) is not a task autodev can read: { $detail }; other tasks are not affected. Restore it from a backup or move it out of the queue
cli-status-unlogged-approval = APPROVAL_NOT_IN_LOG: { $path } was not written by `autodev approve` (the log has no matching APPROVED event); it is not an approval. Read the patch and `autodev reject { $id }`
cli-status-not-as-submitted = TASK_NOT_AS_SUBMITTED: { $why }; approve and apply refuse it. Read the task file and the patch, then `autodev reject { $id }`
cli-warning = warning: { $message }
cli-status-paused = queue is PAUSED: workers claim nothing until `autodev resume`
cli-status-empty = no tasks in { $queue }
cli-status-header-id = ID
cli-status-header-state = STATE
cli-status-header-attempts = ATTEMPTS
cli-status-header-title = TITLE
cli-status-total = { $count } task(s): { $counts }

## `autodev submit`
cli-submit-rejected = rejected: the task was not queued

## `autodev approve`, `reject`, `apply`
cli-approved = approved { $id } (patch sha256 { $sha }); `autodev apply { $id }` commits it on autodev/{ $id }
cli-already-approved = { $id } was already approved by { $by } for the same patch; nothing changed
cli-rejected = rejected { $id }
cli-already-rejected = { $id } was already rejected by { $by }
cli-applied-worktree = applied { $id } to the working tree (not committed)
cli-already-applied-worktree = { $id } is already applied to the working tree
cli-committed = committed { $id } on { $branch } as { $commit }
cli-already-committed = { $id } is already committed on { $branch } as { $commit }; nothing changed

## The frame of a failed command's message (exit 2); the message itself may come from another crate in English
cli-error = error: { $message }

## `autodev init` (labels padded to one column by display width)
cli-label-queue = queue
cli-label-ssot = ssot
cli-label-exclude = exclude
cli-init-created = { $path } (created)
cli-init-kept = { $path } (kept)
cli-init-queue-kept = { $path } (kept; already initialised)
cli-init-excluded = { $pattern } in { $file }
cli-init-next = Next: autodev submit --intent fix --target src/lib.rs --work "what is wrong and what should happen"

## `autodev events` (warnings on stderr; the event lines themselves are not translated)
cli-events-bad-line = events.ndjson line { $line } does not decode: { $error }
cli-events-torn-tail = the last line of events.ndjson is torn (a writer died mid-record) and is ignored (line { $line })

## `autodev pause`, `autodev resume`
cli-paused = paused: workers finish their current task and claim nothing new (`autodev resume` to undo)
cli-already-paused = already paused
cli-resumed = resumed: workers claim again
cli-not-paused = not paused

## `autodev worker`, `deliver`, `telegram`: what the long-running commands say on stderr (log fields stay English)
cli-signal-received = signal received: { $what }
cli-worker-finishing = finishing up (the current task is given back)
cli-worker-no-listen = not serving /healthz and /metrics: { $addr } is unavailable ({ $error }); pass --listen ADDR to choose another
cli-worker-cannot-listen = cannot listen on { $addr }
cli-worker-ready = model server ready
cli-worker-still-waiting = still waiting: { $error }
cli-worker-stopped = worker stopped
cli-deliver-stopping = stopping after this round
cli-deliver-locked = another `autodev deliver` is running on { $queue } (deliver.lock is held); one per queue
cli-deliver-every = delivering approved tasks every { $secs }s
cli-deliver-round-failed = delivery round failed: { $error }
cli-deliver-round-panicked = delivery round panicked: { $error }
cli-deliver-applied = applied
cli-deliver-published = published
cli-deliver-no-pr = no pull request (push only)
cli-deliver-failed-retry = delivery failed, will try again: { $error }
cli-deliver-failed-wait = delivery failed, waiting for a person (fix it, then `autodev publish ID` or /publish ID): { $error }
cli-telegram-stopping = stopping the bot

## `autodev publish`
cli-publish-pushed = pushed { $branch } ({ $commit }) to { $remote }
cli-publish-already-pushed = { $branch } ({ $commit }) was already on { $remote }
cli-publish-opened = opened pull request { $url }
cli-publish-already-open = pull request { $url } (already open)
cli-publish-no-forge = no pull request: the forge is "none" (push only)

## `autodev health`
cli-health-status = unhealthy: { $url } answered HTTP { $status }
cli-health-error = unhealthy: { $url }: { $error }

## Usage errors (exit 2). English output is clap's own; these say the same, for the catalogue's Korean half.
cli-usage-tip = tip: { $tip }
cli-usage-more = For more information, try '{ $command } --help'.
cli-usage-more-here = For more information, try '--help'.
cli-usage-list = { $label }: { $values }
cli-usage-possible-values = possible values
cli-usage-subcommands = subcommands
cli-usage-unknown-argument = unexpected argument '{ $arg }' found
cli-usage-unknown-subcommand = unrecognized subcommand '{ $name }'
cli-usage-value-missing = a value is required for '{ $arg }' but none was supplied
cli-usage-value-not-allowed = invalid value '{ $value }' for '{ $arg }'
cli-usage-value-invalid = invalid value '{ $value }' for '{ $arg }': { $reason }
cli-usage-missing-arguments = the following required arguments were not provided:
cli-usage-missing-subcommand = '{ $name }' requires a subcommand but one was not provided
cli-usage-used-twice = the argument '{ $arg }' cannot be used multiple times
cli-usage-conflict = the argument '{ $arg }' cannot be used with '{ $other }'
cli-usage-conflict-many = the argument '{ $arg }' cannot be used with:
cli-usage-conflict-other = the argument '{ $arg }' cannot be used with one or more of the other specified arguments
cli-usage-no-equals = equal sign is needed when assigning values to '{ $arg }'
cli-usage-too-many-values = unexpected value '{ $value }' for '{ $arg }' found; no more were expected
cli-usage-too-few-values = { $expected } values required by '{ $arg }'; only { $actual } provided
cli-usage-wrong-number-of-values = { $expected } values required for '{ $arg }' but { $actual } provided
cli-usage-invalid-utf8 = invalid UTF-8 was detected in one or more arguments
cli-usage-reason-task-id = expected T<YYYYMMDD>-<NNNN>, e.g. T20261125-0001
cli-usage-reason-empty = cannot parse integer from empty string
cli-usage-reason-too-large = number too large to fit in target type
cli-usage-reason-not-a-number = invalid digit found in string
cli-usage-reason-address = invalid socket address syntax
cli-usage-reason-range = { $value } is not in { $range }
cli-usage-similar-subcommand = a similar subcommand exists: { $names }
cli-usage-similar-argument = a similar argument exists: { $names }
cli-usage-similar-value = a similar value exists: { $names }
cli-usage-tip-as-value = to pass '{ $arg }' as a value, use '{ $instead }'
cli-usage-tip-remove-dashes = subcommand '{ $name }' exists; to use it, remove the '--' before it
cli-usage-tip-exists = '{ $what }' exists

## Errors from the libraries, where a person reads them (after `error:` or a code). The same words as the
## libraries' own errors, which logs and JSON keep; what git, a forge, a parser or the model server said is
## inserted as it was said.
cli-err-source-default = default
cli-err-source-env = environment
cli-err-source-flag = command line
cli-err-config-setting = { $name }={ $value } (from { $source }) is invalid: { $reason }
cli-err-config-file = { $place }: { $reason }
cli-err-backend-unreachable = cannot reach the model server at { $url }: start Ollama (`ollama serve`) or llama-server, or point the worker at the right address (OLLAMA_HOST / the backend URL)
cli-err-backend-model-not-found = model '{ $model }' is not installed on { $host }: run `ollama pull { $model }` (llama-server: check the model it was started with)
cli-err-backend-busy = the model server at { $host } is busy (HTTP 503) after { $attempts } attempts: { $message }
cli-err-backend-first-byte = the model server sent nothing within { $waited } (model loading or prompt evaluation too slow)
cli-err-backend-idle = the model server stalled: nothing received for { $waited }
cli-err-backend-stream-cut = the model server's stream ended early, after { $chars } characters of output
cli-err-backend-server = the model server failed: { $message }
cli-err-backend-http = the model server answered HTTP { $status }: { $body }
cli-err-backend-invalid-response = the model server's answer is not valid: { $detail }
cli-err-backend-invalid-config = invalid model-server configuration: { $detail }
cli-err-backend-too-large = the answer passed { $limit } bytes without ending (the server ignores its token limit, or the model loops): the stream was cut
cli-err-backend-too-slow = the answer did not finish within { $limit } ({ $chars } characters received): the stream was cut
cli-err-backend-truncated = the model's answer was cut at the token limit after { $tokens } tokens
cli-err-worker-infrastructure = { $code }: { $message }; the task was given back without using a try
cli-err-telegram-already-running = another `autodev telegram` (pid { $pid }) is already polling this queue (lock { $lock }); stop it first — Telegram allows one getUpdates poller per bot token
cli-err-telegram-bad-token = Telegram refused the bot token ({ $why }); check TELEGRAM_BOT_TOKEN or --token-file
cli-err-telegram-state = bot state: { $detail }

## What the CLI itself says when a command cannot go on (after `error:`)
cli-err-current-dir = cannot read the current directory
cli-err-read-stdin = cannot read standard input
cli-err-open-task-file = cannot open task file { $path }
cli-err-read-task-file = cannot read task file { $path }
cli-submit-nothing = nothing to submit: give a task file (autodev submit task.json) or flags (--intent fix --target src/x.rs --work "..."); see autodev submit --help
cli-submit-not-queued = { $code }: the task was not queued
cli-err-create = cannot create { $path }
cli-err-write = cannot write { $path }
cli-err-open = cannot open { $path }
cli-err-deliver-lock = cannot take deliver.lock
cli-err-runtime = cannot start the async runtime
cli-err-read-log = cannot read the event log
cli-err-log-failure = cannot log the delivery's failure
cli-err-backend-settings = invalid model-server settings
cli-err-env-file-missing = --env-file { $path } does not exist
cli-err-token-file = cannot read the token file { $path }
cli-telegram-no-token = no bot token: set TELEGRAM_BOT_TOKEN (environment or .env) or pass --token-file FILE
cli-telegram-invalid-token = invalid bot token: { $why }
cli-telegram-no-repo = cannot tell which repository /work should change: pass --repo
cli-health-only-http = only http:// URLs are supported
cli-health-unresolved = { $host } does not resolve
cli-health-not-http = not an HTTP answer: { $line }
cli-init-database = { $location } (schema version { $version })
