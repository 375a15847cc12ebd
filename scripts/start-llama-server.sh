#!/usr/bin/env bash
# start-llama-server.sh — start the cached llama-server on 127.0.0.1 in the background (SmolLM2-135M unless told
# another model), wait until GET /health answers 200, then print (last lines of STDOUT, machine-readable):
#
#   LLAMA_URL=http://127.0.0.1:PORT
#   LLAMA_PID=<pid>
#   LLAMA_LOG=<server log file>
#   LLAMA_MODEL_ID=<model id reported by /v1/models and echoed in every response's "model" field>
#
# Usage:
#   scripts/start-llama-server.sh [--model GGUF] [--port N] [--ctx N] [--threads N] [--alias ID] [--log FILE]
#                                 [--wait SECONDS] [--build-if-missing] [-- EXTRA LLAMA-SERVER ARGS...]
#   eval "$(scripts/start-llama-server.sh)"; curl -s "$LLAMA_URL/health"; kill "$LLAMA_PID"
#   eval "$(scripts/ensure-qwen.sh)"                                  # Qwen2.5-Coder-1.5B, a real coding model:
#   eval "$(scripts/start-llama-server.sh --model "$QWEN_MODEL" --ctx 8192)"   # 8192: autodev's prompts fit
#
# The binary comes from $LLAMA_SERVER, the model from --model, else $LLAMA_MODEL; whichever is not given comes
# from `scripts/ensure-llama-server.sh --print-env` (llama-server and SmolLM2-135M). If they are not cached this
# script fails fast (a build takes ~7 minutes) unless --build-if-missing is given.
#
# Default flags, chosen for tests on a 2-core CPU-only machine:
#   --host 127.0.0.1        loopback only; nothing else should reach a test server
#   --port N                explicit: the compiled-in default differs between llama.cpp versions (8080, 9931)
#   -c 4096                 4096-token context: plenty for a 135M model's test prompts and small enough that a
#                           context-overflow error is easy to provoke (SmolLM2 itself was trained at 8192)
#   -np 1                   exactly one slot: requests are served one at a time in arrival order, the whole
#                           context belongs to that request, and the default "auto" (4 slots) would split the
#                           KV cache into 4 smaller per-slot contexts
#   --threads 2             = CPU cores here; more threads than cores makes llama.cpp much slower
#   --no-webui              no browser UI; tests only need the API
#   --alias ID              model id (default: the .gguf name without extension, e.g. SmolLM2-135M-Instruct.Q4_1).
#                           Without it llama-server reports the model's full filesystem path as its id, which
#                           changes with $AUTODEV_CACHE/$HOME. The request's "model" field is ignored either way.
#   --log-colors off        plain text log file (we keep the log instead of --log-disable: it is what you
#                           need when startup fails, and this script prints its tail then)
# Override any of them with the options above or append llama-server flags after `--`
# (e.g. `-- --metrics`, `-- --seed 1`).
#
# Stop it with: kill "$LLAMA_PID" (SIGTERM; the server exits within a second).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

port=""
model="${LLAMA_MODEL:-}"
ctx=4096
threads=2
alias=""
logfile=""
wait_s=120
build=0
extra=()
while (($#)); do
    case "$1" in
        --model) model="${2:?--model needs a value}"; shift 2 ;;
        --port) port="${2:?--port needs a value}"; shift 2 ;;
        --ctx) ctx="${2:?--ctx needs a value}"; shift 2 ;;
        --threads) threads="${2:?--threads needs a value}"; shift 2 ;;
        --alias) alias="${2:?--alias needs a value}"; shift 2 ;;
        --log) logfile="${2:?--log needs a value}"; shift 2 ;;
        --wait) wait_s="${2:?--wait needs a value}"; shift 2 ;;
        --build-if-missing) build=1; shift ;;
        --) shift; extra=("$@"); break ;;
        -h | --help) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
        *) die "unknown argument: $1" "see $0 --help" ;;
    esac
done

# The HTTP status of GET url (000 when nothing answers): curl when present, else python3 (a fresh machine may
# have only Rust and Python).
http_code() {
    if command -v curl >/dev/null 2>&1; then
        curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true
    else
        python3 - "$1" <<'PY' || true
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")
PY
    fi
}

# ---- locate binary and model -----------------------------------------------------------------------
LLAMA_MODEL="$model"
if [[ -z "${LLAMA_SERVER:-}" || -z "$LLAMA_MODEL" ]]; then
    if ((build)); then
        envlines="$("$here/ensure-llama-server.sh")"
    else
        envlines="$("$here/ensure-llama-server.sh" --print-env)" ||
            die "llama-server is not cached yet" "run scripts/ensure-llama-server.sh first (~7 min once), or pass --build-if-missing"
    fi
    if [[ -z "${LLAMA_SERVER:-}" ]]; then
        LLAMA_SERVER="$(env_value LLAMA_SERVER <<<"$envlines")" || die "ensure-llama-server.sh printed no LLAMA_SERVER="
    fi
    if [[ -z "$LLAMA_MODEL" ]]; then
        LLAMA_MODEL="$(env_value LLAMA_MODEL <<<"$envlines")" || die "ensure-llama-server.sh printed no LLAMA_MODEL="
    fi
fi
[[ -x "$LLAMA_SERVER" ]] || die "not executable: $LLAMA_SERVER"
[[ -s "$LLAMA_MODEL" ]] || die "model missing: $LLAMA_MODEL"

cache="$CACHE"
if [[ -z "$alias" ]]; then
    alias="$(basename "$LLAMA_MODEL")"
    alias="${alias%.gguf}"
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    else
        local p
        for _ in $(seq 1 50); do
            p=$((20000 + RANDOM % 40000))
            if ! port_in_use "$p"; then echo "$p"; return 0; fi
        done
        return 1
    fi
}

# ---- start (retry with another port if an auto-picked port got taken in between) -------------------
attempts=1
[[ -z "$port" ]] && attempts=3
for attempt in $(seq 1 "$attempts"); do
    p="${port:-$(free_port)}"
    # Something already listening there would answer /health for us (and we would clobber its log).
    if port_in_use "$p"; then
        [[ -z "$port" ]] && continue
        die "127.0.0.1:$p is already in use" "pick another --port, or omit --port to get a free one"
    fi
    lf="$logfile"
    if [[ -z "$lf" ]]; then
        mkdir -p "$cache/logs"
        lf="$cache/logs/llama-server-$p.log"
    fi
    : >"$lf"
    log "starting $(basename "$LLAMA_SERVER") with $(basename "$LLAMA_MODEL") on 127.0.0.1:$p (ctx $ctx, $threads threads, 1 slot); log: $lf"
    # stdin/stdout/stderr are all redirected so that `$(start-llama-server.sh)` does not hang waiting for
    # the background server to close the pipe; setsid detaches it from the caller's terminal signals.
    launcher=()
    command -v setsid >/dev/null 2>&1 && launcher=(setsid)
    ${launcher[@]+"${launcher[@]}"} "$LLAMA_SERVER" \
        -m "$LLAMA_MODEL" \
        --host 127.0.0.1 --port "$p" \
        -c "$ctx" -np 1 --threads "$threads" \
        --alias "$alias" --no-webui --log-colors off \
        ${extra[@]+"${extra[@]}"} \
        </dev/null >"$lf" 2>&1 &
    pid=$!

    deadline=$((SECONDS + wait_s))
    status=""
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            status="died"
            break
        fi
        code="$(http_code "http://127.0.0.1:$p/health")"
        if [[ "$code" == 200 ]] && kill -0 "$pid" 2>/dev/null; then
            status="ok"
            break
        fi
        sleep 0.2
    done

    if [[ "$status" == ok ]]; then
        log "ready after $((SECONDS - deadline + wait_s))s (pid $pid)"
        printf 'LLAMA_URL=http://127.0.0.1:%s\n' "$p"
        printf 'LLAMA_PID=%s\n' "$pid"
        printf 'LLAMA_LOG=%s\n' "$lf"
        printf 'LLAMA_MODEL_ID=%s\n' "$alias"
        exit 0
    fi

    if [[ "$status" == died ]]; then
        wait "$pid" 2>/dev/null && rc=0 || rc=$?
        if [[ -z "$port" && "$attempt" -lt "$attempts" ]] && grep -qiE 'bind|address already in use|couldn.t.*listen' "$lf"; then
            log "port $p was taken; retrying with another port"
            continue
        fi
        log "llama-server exited (status $rc) before /health answered 200; last lines of $lf:"
    else
        kill "$pid" 2>/dev/null || true
        log "timed out after ${wait_s}s waiting for http://127.0.0.1:$p/health (pid $pid killed); last lines of $lf:"
    fi
    tail -n 40 "$lf" | sed 's/^/    /' >&2
    exit 1
done
exit 1
