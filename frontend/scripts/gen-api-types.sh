#!/usr/bin/env bash
# Generates src/api/schema.ts (the dashboard's API types) from the OpenAPI document the server
# serves at /api/openapi.json, printed by `argus openapi` (no database, no running server).
#   scripts/gen-api-types.sh           rewrite src/api/schema.ts
#   scripts/gen-api-types.sh --check   fail if the checked-in file differs (CI: the two cannot drift)
# ARGUS_BIN=path/to/argus uses that binary; otherwise `cargo run` builds this checkout's.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/api/schema.ts
mode=${1:-write}
case "$mode" in write | --check) ;; *) echo "usage: $0 [--check]" >&2; exit 2 ;; esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The embedded transcoding profiles, whatever this shell's ARGUS_PROFILES_DIR says: their names
# are an enum in the document, and the checked-in types must not depend on who generated them.
if [ -n "${ARGUS_BIN:-}" ]; then
  env -u ARGUS_PROFILES_DIR "$ARGUS_BIN" openapi >"$tmp/openapi.json"
else
  (cd .. && env -u ARGUS_PROFILES_DIR cargo run --quiet -p argus --bin argus -- openapi) >"$tmp/openapi.json"
fi
generator=tools/openapi-types/node_modules/openapi-typescript/bin/cli.js
[ -f "$generator" ] || { echo "$generator is missing; run npm ci in frontend/" >&2; exit 1; }
# --enum-values: the enums also as arrays (e.g. `auditActionValues`), for pickers that must offer
# exactly what the server accepts.
node "$generator" "$tmp/openapi.json" --empty-objects-unknown --enum-values --output "$tmp/schema.ts" >/dev/null

if [ "$mode" = --check ]; then
  if ! diff -u "$out" "$tmp/schema.ts" >"$tmp/diff"; then
    head -n 60 "$tmp/diff" >&2
    echo "$out is out of date with the server's OpenAPI document; run: npm run gen:api (in frontend/)" >&2
    exit 1
  fi
  echo "$out matches the server's OpenAPI document"
else
  cp "$tmp/schema.ts" "$out"
  echo "wrote $out"
fi
