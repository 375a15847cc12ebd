#!/usr/bin/env bash
# Makes the prometheus and promtool binaries available for the tests, without installing or starting a
# service: the Debian package is downloaded and extracted into a cache outside the repository.
# Idempotent. Prints, for eval:
#   PROMETHEUS=<path>
#   PROMTOOL=<path>
#
#   eval "$(scripts/ensure-prometheus.sh)"; export PROMETHEUS PROMTOOL
#
# Order: $PROMETHEUS/$PROMTOOL when both run; the cache
# (${AUTODEV_CACHE:-$HOME/.cache/autodev}/prometheus/); `apt-get download prometheus` + `dpkg -x` into it;
# prometheus/promtool already on PATH. Everything but the two lines goes to standard error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cache="$CACHE/prometheus"
works() { [[ -n "${1:-}" && -x "$1" ]] && "$1" --version >/dev/null 2>&1; }
found() { emit "PROMETHEUS=$1" "PROMTOOL=$2"; }

if works "${PROMETHEUS:-}" && works "${PROMTOOL:-}"; then found "$PROMETHEUS" "$PROMTOOL"; fi
if works "$cache/usr/bin/prometheus" && works "$cache/usr/bin/promtool"; then
  found "$cache/usr/bin/prometheus" "$cache/usr/bin/promtool"
fi

if command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  chmod 777 "$tmp"  # apt's _apt user downloads into it when it can
  log "downloading the Debian package prometheus into $cache"
  if ! (cd "$tmp" && apt-get download prometheus >&2 2>&1); then
    log "apt-get download failed; refreshing the package lists"
    if [[ "$(id -u)" == 0 ]]; then apt-get update -qq >&2; else sudo apt-get update -qq >&2; fi
    (cd "$tmp" && apt-get download prometheus >&2 2>&1)
  fi
  rm -rf "$cache.partial"
  mkdir -p "$cache.partial"
  dpkg -x "$tmp"/prometheus_*.deb "$cache.partial"
  rm -rf "$cache"
  mv "$cache.partial" "$cache"
  if works "$cache/usr/bin/prometheus" && works "$cache/usr/bin/promtool"; then
    log "$("$cache/usr/bin/prometheus" --version 2>&1 | head -n1)"
    found "$cache/usr/bin/prometheus" "$cache/usr/bin/promtool"
  fi
  log "the extracted binaries do not run"
fi

p="$(command -v prometheus || true)"
t="$(command -v promtool || true)"
if works "$p" && works "$t"; then found "$p" "$t"; fi

log "cannot find or install Prometheus. Install it (Debian/Ubuntu: apt-get install prometheus; macOS: brew install"
log "prometheus) or set PROMETHEUS and PROMTOOL; AUTODEV_SKIP_PROMETHEUS=1 skips the tests that need it."
exit 1
