#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright (Playwright's own download can't run here).
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing chromium for the browser tests…"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version
# axe-core, which the accessibility tests inject into every page, from npm at the version package-lock.json pins.
if ! command -v npm >/dev/null 2>&1; then
  echo "Installing npm for the accessibility tests…"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
cd "$(dirname "$0")/.."
if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
