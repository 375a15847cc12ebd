#!/usr/bin/env bash
# Makes the real OpenClaw CLI available for crates/cli/tests/it/openclaw.rs, which has it load
# integrations/openclaw/skills/autodev. Idempotent. Prints, for eval:
#   OPENCLAW=<path>
#
# OpenClaw needs Node.js 24+; Debian ships an older one, so Node comes from npm as well (the `node` package,
# whose platform binary is itself an npm package): both pinned, installed with npm into
# ${AUTODEV_CACHE:-$HOME/.cache/autodev}/openclaw/<version>/ (about 770 MB, 30 s with a warm npm cache), never
# globally. <cache>/openclaw is a wrapper that puts that Node first on PATH.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

openclaw_version=2026.9.6
node_version=24.21.0
cache="$CACHE/openclaw/$openclaw_version"
works() { [[ -x "$1" ]] && "$1" --version 2>/dev/null | grep -q "OpenClaw $openclaw_version"; }
found() { emit "OPENCLAW=$1"; }

if [[ -n "${OPENCLAW:-}" ]] && works "$OPENCLAW"; then found "$OPENCLAW"; fi
if works "$cache/openclaw"; then found "$cache/openclaw"; fi

command -v npm >/dev/null 2>&1 || die "npm not found" "apt-get install -y npm"
rm -rf "$cache.partial"
mkdir -p "$cache.partial"
log "installing node@$node_version and openclaw@$openclaw_version with npm (once)"
npm_install() { npm install --prefix "$cache.partial" --save-exact --no-audit --no-fund --loglevel=error "$@" >&2; }
# Node first: openclaw's install scripts refuse an older Node.
npm_install "node@$node_version"
PATH="$cache.partial/node_modules/.bin:$PATH" npm_install "node@$node_version" "openclaw@$openclaw_version"
cat >"$cache.partial/openclaw" <<'WRAP'
#!/bin/sh
# OpenClaw with the Node.js installed beside it (see scripts/ensure-openclaw.sh).
here="$(cd "$(dirname "$0")" && pwd)"
PATH="$here/node_modules/.bin:$PATH" exec "$here/node_modules/.bin/openclaw" "$@"
WRAP
chmod 0755 "$cache.partial/openclaw"
rm -rf "$cache"
mv "$cache.partial" "$cache"
if works "$cache/openclaw"; then
  log "$("$cache/openclaw" --version 2>&1 | head -n1)"
  found "$cache/openclaw"
fi
die "the installed openclaw does not run" "delete $cache and run this script again"
