#!/usr/bin/env bash
# Brings the whole platform up on this machine: installs what is missing (nginx, the RTMP
# module, FFmpeg, Node.js for the dashboard build), builds the dashboard and the `argus` binary,
# then runs `argus up` in the foreground: nginx-rtmp + transcoders + API + dashboard on SQLite
# (./data). Prints the dashboard URL and, on the first start, the admin password. Ctrl-C stops
# everything. Any ARGUS_* / DATABASE_URL / REDIS_URL variable set here is passed through.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh build runtime frontend

if [ -f frontend/package.json ]; then
  echo "building the dashboard (frontend/dist)" >&2
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
fi

echo "building argus (release; the dashboard and the default profiles are embedded)" >&2
cargo build --release --quiet -p argus
exec "${CARGO_TARGET_DIR:-target}/release/argus" up "$@"
