#!/usr/bin/env bash
# fuzz-smoke.sh — runs every cargo-fuzz target in fuzz/ for a short while (CI-style smoke run).
#
#   scripts/fuzz-smoke.sh            # each target FUZZ_SECS (default 20) seconds, one after another
#   FUZZ_SECS=600 scripts/fuzz-smoke.sh patch_parser event_log   # longer, chosen targets
#
# Needs the nightly toolchain and cargo-fuzz (installed here if missing: `cargo install cargo-fuzz --locked`).
# Seeds come from fuzz/seeds/<target>/ (committed); new inputs go to fuzz/corpus/<target>/ (git-ignored).
# A crash stops the script with exit 1; the input is in fuzz/artifacts/<target>/. See docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS="${FUZZ_SECS:-20}"
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(patch_parser task_parser model_answer event_log)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

cargo +nightly fuzz build
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t" "seeds/$t"
  start=$(date +%s)
  log=$(mktemp)
  if ! cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$SECS" >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz-smoke: $t FAILED (input in fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  stats=$(grep -E '^Done [0-9]+ runs' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  echo "fuzz-smoke: $t ok — $stats; $cov ($(( $(date +%s) - start )) s)"
  rm -f "$log"
done
