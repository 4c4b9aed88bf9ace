#!/usr/bin/env bash
# The API against its own OpenAPI document: schemathesis (every check, every phase) against a
# running `argus serve` on a temporary SQLite database, authenticated as the first admin.
# Usage: scripts/contract-test.sh [path to argus binary] [extra schemathesis arguments…]
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${1:-${CARGO_TARGET_DIR:-target}/debug/argus}"
shift || true
venv="${ARGUS_TEST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/argus/test-venv}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "installing schemathesis into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.32,<5'
fi

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
password="contract-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')1"
ARGUS_BIND="127.0.0.1:$port" ARGUS_DATA_DIR="$work/data" ARGUS_ADMIN_PASSWORD="$password" \
  ARGUS_LOGIN_RATE_PER_IP=100000 ARGUS_LOGIN_RATE_PER_USER=100000 \
  "$bin" serve >"$work/argus.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# Logout would end the session the run authenticates with; it is covered by the API tests.
# One worker: CPython 3.11's `ast` is not thread-safe, and hypothesis parses lambdas with it.
"$venv/bin/schemathesis" --config-file scripts/schemathesis.toml run "$base/api/openapi.json" \
  --checks all -H "Authorization: Bearer $token" --exclude-path /api/v1/auth/logout \
  --max-examples "${CONTRACT_EXAMPLES:-30}" --seed "${CONTRACT_SEED:-1}" --workers 1 --no-color "$@"
