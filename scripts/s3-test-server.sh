#!/usr/bin/env bash
# Starts a real S3-protocol server (moto in server mode, from PyPI `moto[server]`, in a venv at
# ~/.cache/argus/s3-venv) on a free loopback port for the storage tests, and prints the
# `export TEST_S3_ENDPOINT=…` line to eval. The server runs until its pid (TEST_S3_PID) is killed.
#   eval "$(bash scripts/s3-test-server.sh)"; …; kill "$TEST_S3_PID"
set -euo pipefail
venv="${ARGUS_S3_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/argus/s3-venv}"
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "installing moto[server] into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]>=5,<6'
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="${TMPDIR:-/tmp}/argus-moto-$port.log"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then
    echo "export TEST_S3_ENDPOINT=http://127.0.0.1:$port TEST_S3_PID=$pid"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
echo "moto_server did not answer on port $port" >&2
kill "$pid"
exit 1
