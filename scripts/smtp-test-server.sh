#!/usr/bin/env bash
# Starts a real SMTP server (aiosmtpd from PyPI, in a venv at ~/.cache/argus/smtp-venv) on a
# free loopback port for the alert e-mail tests; every message it receives is written as one file
# into a Maildir (TEST_SMTP_DIR/new). Prints the `export TEST_SMTP_PORT=… TEST_SMTP_DIR=…
# TEST_SMTP_PID=…` line to eval. The server runs until its pid (TEST_SMTP_PID) is killed.
#   eval "$(bash scripts/smtp-test-server.sh)"; …; kill "$TEST_SMTP_PID"
set -euo pipefail
venv="${ARGUS_SMTP_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/argus/smtp-venv}"
if ! "$venv/bin/python" -c 'import aiosmtpd' >/dev/null 2>&1; then
  echo "installing aiosmtpd into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'aiosmtpd>=1.4,<2'
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d "${TMPDIR:-/tmp}/argus-smtp-XXXXXX")
# A Maildir: aiosmtpd creates its tmp/new/cur only when the folder itself does not exist yet.
mkdir -p "$dir/tmp" "$dir/new" "$dir/cur"
log="${TMPDIR:-/tmp}/argus-smtp-$port.log"
"$venv/bin/python" -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$dir" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1', $port), 1); sys.exit(0 if s.recv(100).startswith(b'220') else 1)" 2>/dev/null; then
    echo "export TEST_SMTP_PORT=$port TEST_SMTP_DIR=$dir TEST_SMTP_PID=$pid"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
echo "aiosmtpd did not answer on port $port" >&2
kill "$pid"
exit 1
