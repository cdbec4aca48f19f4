#!/usr/bin/env bash
# What make prod-check needs beyond make install and make services: Caddy (the TLS proxy), setpriv
# (to run the app as an unprivileged user) and Debian's python3.11 with venv (the "image"'s interpreter,
# readable by that user). Installed with apt when missing.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
if ! /usr/bin/python3.11 -c "import ensurepip, venv" >/dev/null 2>&1; then missing+=(python3.11 python3.11-venv); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing for make prod-check: ${missing[*]}…"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "caddy $(caddy version | cut -d' ' -f1), $(/usr/bin/python3.11 --version)"
