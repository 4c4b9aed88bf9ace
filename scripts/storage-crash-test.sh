#!/usr/bin/env bash
# Storage crash suite: kill -9 of the real `argus serve` at each step of a tier move (copy
# started, copied, row updated; to a directory and to an S3 bucket) and of an expiry (row deleted,
# objects not yet), restart, run the storage job again; every row must point at a readable object
# with the right checksum, no object may be left without a row, nothing lost. The steps are
# reached through the test-only ARGUS_FAILPOINTS (api/src/infra/failpoints.rs). Each case prints
# PASS/FAIL; the script exits non-zero if any failed. Details: scripts/storage-crash-test.py.
#
# Usage: scripts/storage-crash-test.sh [case …]   (builds target/debug/argus unless ARGUS_BIN is
# set; starts moto unless TEST_S3_ENDPOINT is set)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${ARGUS_BIN:-}" ]; then
  cargo build --quiet -p argus --bin argus
  ARGUS_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/argus"
fi
export ARGUS_BIN
if [ -z "${TEST_S3_ENDPOINT:-}" ]; then
  eval "$(bash scripts/s3-test-server.sh)"
  trap 'kill "$TEST_S3_PID" 2>/dev/null || true' EXIT
fi
export TEST_S3_ENDPOINT
# boto3 comes with moto[server]: use the venv's Python when the system one lacks it.
python=python3
python3 -c 'import boto3' 2>/dev/null ||
  python="${ARGUS_S3_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/argus/s3-venv}/bin/python"
"$python" scripts/storage-crash-test.py "$@"
