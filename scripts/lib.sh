# shellcheck shell=bash
# Helpers every script in scripts/ shares. Source it first thing after `set -euo pipefail`:
#
#   . "$(dirname "$0")/lib.sh"
#
# The ensure-*.sh scripts print `KEY=VALUE` lines on standard output (and everything else on standard error);
# `load_env` runs one and exports the keys it asked for, so no script parses another's output by hand.

# Where downloads and builds are cached: outside the repository, shared by every checkout.
CACHE="${AUTODEV_CACHE:-$HOME/.cache/autodev}"
SCRIPT_NAME="$(basename "$0" .sh)"

# A line on standard error, prefixed with the script's name.
log() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; }

# die <what went wrong> [what to do]... : standard error, exit 2 (infrastructure).
die() {
  log "ERROR: $1"
  shift
  local line
  for line in "$@"; do log "  $line"; done
  exit 2
}

# A section header of a long run (test.sh, demo.sh).
step() { printf '\n==> %s\n' "$*"; }

# emit KEY=VALUE... : the script's answer on standard output, then exit 0.
emit() {
  printf '%s\n' "$@"
  exit 0
}

# env_value KEY : the value of the last `KEY=` line on standard input (nothing, status 1, when there is none).
env_value() {
  local key=$1 line value='' found=1
  while IFS= read -r line; do
    if [[ "$line" == "$key="* ]]; then
      value=${line#"$key="}
      found=0
    fi
  done
  ((found == 0)) && printf '%s\n' "$value"
}

# load_env <command> KEY... : runs <command> (an ensure-*.sh) and exports each KEY from its `KEY=VALUE` lines;
# fails, naming the key, when the command fails or does not print one.
load_env() {
  local cmd=$1 out key value
  shift
  out="$($cmd)" || die "$cmd failed"
  for key in "$@"; do
    value="$(env_value "$key" <<<"$out")" || die "$cmd printed no $key="
    export "$key=$value"
  done
}

# The sha256 of a file, hex.
sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# The pip to run (`python3 -m pip` or `pip3`), as words on one line; nothing, status 1, when there is none.
pip_cmd() {
  if command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
    echo "python3 -m pip"
  elif command -v pip3 >/dev/null 2>&1; then
    echo "pip3"
  else
    return 1
  fi
}
