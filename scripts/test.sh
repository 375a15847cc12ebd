#!/usr/bin/env bash
# The one command that installs what the tests need and runs every test, lint and format check.
# Idempotent: safe to run again; heavy downloads and builds are cached outside the repository.
#
#   scripts/test.sh            # everything
#   SKIP_LINT=1 scripts/test.sh  # tests only
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

need_apt=()
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
if ((${#need_apt[@]})); then
  step "installing ${need_apt[*]} (apt)"
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
fi
command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 2; }

if [[ -z "${SKIP_LINT:-}" ]]; then
  step "cargo fmt --check"
  cargo fmt --all --check
  step "cargo clippy (warnings are errors)"
  cargo clippy --workspace --all-targets --locked -- -D warnings
fi

step "cargo test --workspace"
cargo test --workspace --locked
