#!/usr/bin/env bash
# Installs the Debian packages Argus needs to build, run and test.
# Usage: deploy/install-deps.sh [build] [runtime] [frontend] [test]   (no argument = all)
# Idempotent: packages already present are skipped, so a warm machine pays nothing.
set -euo pipefail

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(build runtime frontend test)

want=()
for group in "${groups[@]}"; do
  case "$group" in
    build)   want+=(libmariadb-dev-compat libmariadb-dev pkg-config) ;;
    runtime) want+=(nginx libnginx-mod-rtmp libnginx-mod-stream ffmpeg libmariadb3) ;;
    # A Node.js that is already installed (nvm, NodeSource) is used as it is.
    frontend) command -v npm >/dev/null || want+=(nodejs npm) ;;
    # prometheus: for promtool, which checks deploy/prometheus/alerts.yml.
    test)    want+=(wrk chromium curl jq openssl python3 python3-venv fonts-dejavu-core prometheus) ;;
    *) echo "unknown package group: $group" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts nginx as a service on install; Argus runs its own instance, so stop the packaged one.
if printf '%s\n' "${missing[@]}" | grep -qx nginx; then
  $SUDO systemctl disable --now nginx 2>/dev/null || $SUDO service nginx stop 2>/dev/null || true
  $SUDO nginx -s stop 2>/dev/null || true
fi
# Likewise the packaged Prometheus server: only its promtool is used.
if printf '%s\n' "${missing[@]}" | grep -qx prometheus; then
  $SUDO systemctl disable --now prometheus 2>/dev/null || $SUDO service prometheus stop 2>/dev/null || true
fi
