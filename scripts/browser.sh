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
