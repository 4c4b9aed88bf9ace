#!/usr/bin/env bash
# Runs every test of the project: formatting and lints, Rust unit tests (including the ones that
# run the real nginx, ffmpeg and ffprobe), the black-box API tests on SQLite, MariaDB and
# MariaDB + Redis, the data-plane end-to-end tests on real nginx-rtmp and FFmpeg, and the
# dashboard's unit tests and browser end-to-end test (Chromium) against the real stack.
# Needs MariaDB on 127.0.0.1:3306 (root, no password) and Redis on 127.0.0.1:6379; starts moto
# (an S3-protocol server) for the storage tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [%s, %d s in] %s\n' "$(date -u +%H:%M:%S)" "$SECONDS" "$*"; }

step "system packages"
bash deploy/install-deps.sh build runtime frontend test

step "services"
mariadb -uroot -h127.0.0.1 -e 'SELECT 1' >/dev/null || { echo "MariaDB is not reachable on 127.0.0.1:3306" >&2; exit 1; }
redis-cli -h 127.0.0.1 ping >/dev/null || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
# Leftovers of interrupted runs.
mariadb -uroot -h127.0.0.1 -N -e "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 't\\_%'" |
  while read -r db; do mariadb -uroot -h127.0.0.1 -e "DROP DATABASE \`$db\`"; done

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings

step "no import loops between the files of api/src"
python3 scripts/module-cycles.py api/src

step "Prometheus rules: promtool check and unit tests"
promtool check rules deploy/prometheus/alerts.yml
promtool test rules deploy/prometheus/alerts.test.yml

if [ -f frontend/package.json ]; then
  step "dashboard: install, API types match the server's OpenAPI document, typecheck, unit tests, build"
  # check:api regenerates src/api/schema.d.ts from `argus openapi` into a temp file and fails on
  # any difference, so the dashboard's types and the server cannot drift apart.
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run check:api && npm run typecheck && npm test && npm run build)
fi

step "Rust unit tests (with real nginx -t, ffmpeg, ffprobe) and API tests (SQLite, MariaDB, MariaDB+Redis)"
# The unit tests that need nginx or ffmpeg are #[ignore]d so a plain `cargo test` reports them
# as not run instead of passing; here the tools are installed, so they run.
# The storage tests move recordings to a real S3-protocol server (moto), started here.
# The alert e-mail tests send to a real SMTP server (aiosmtpd), started here too.
eval "$(bash scripts/s3-test-server.sh)"
eval "$(bash scripts/smtp-test-server.sh)"
trap 'kill "$TEST_S3_PID" "$TEST_SMTP_PID" 2>/dev/null || true' EXIT
cargo test --lib --bins --test api -- --include-ignored

step "contract: schemathesis (all checks) against the OpenAPI document of a running server"
cargo build --quiet -p argus
bash scripts/contract-test.sh "${CARGO_TARGET_DIR:-target}/debug/argus"

step "end to end: Argus + nginx-rtmp + FFmpeg"
# One at a time: each test runs its own nginx and live transcoders on a 2-core machine.
cargo test --test e2e -- --test-threads=1

step "fault suite: kill -9 of argus up with a live, recording camera"
cargo build --quiet -p argus
ARGUS_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/argus" bash scripts/fault-suite.sh

step "storage crash suite: kill -9 at each step of a move"
# Uses the moto server started above (TEST_S3_ENDPOINT); about 15 s.
ARGUS_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/argus" bash scripts/storage-crash-test.sh

if [ -f frontend/package.json ]; then
  step "end to end: dashboard in Chromium against argus up"
  cargo build --quiet -p argus
  (bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/argus"; cd frontend && ARGUS_BIN="$bin" npm run e2e)
fi

step "first run: a clean clone, ./scripts/up.sh with no ARGUS_* variable, a camera goes online"
# Shares this checkout's build cache (dependencies are not built twice); the clone builds its
# own release binary, with its own embedded dashboard.
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}" python3 scripts/first-run-check.py

step "all tests passed"
