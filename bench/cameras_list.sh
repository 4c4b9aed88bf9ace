#!/usr/bin/env bash
# GET /api/v1/cameras?limit=50 (authenticated, 10,000 cameras) against nginx serving the very
# same JSON body as a static file, measured in the same run on the same machine.
# Targets (issue 8): throughput >= 0.5x nginx's, p99 <= 3x nginx's.
# Env: CONNECTIONS (64), DURATION (15s), CAMERAS (10000). Uses CARGO_TARGET_DIR when set.
source "$(dirname "$0")/common.sh"
CONNECTIONS=${CONNECTIONS:-64}; DURATION=${DURATION:-15s}; CAMERAS=${CAMERAS:-10000}

build_release
env DATABASE_URL="sqlite://$WORK/argus.db" ARGUS_DATA_DIR="$WORK" "$ARGUS_BIN" seed-cameras --count "$CAMERAS" >/dev/null
api_port=$(free_port); nginx_port=$(free_port)
start_argus "$api_port"
token=$(login_token "$api_port")
path="/api/v1/cameras?limit=50"
curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$api_port$path" -o "$WORK/body.json"
start_nginx_static "$nginx_port" "$WORK/body.json"
cmp -s "$WORK/body.json" <(curl -fsS "http://127.0.0.1:$nginx_port/body.json") || { echo "bodies differ" >&2; exit 1; }
cat >"$WORK/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA

echo "== GET $path: $CAMERAS cameras, body $(stat -c %s "$WORK/body.json") bytes, $CONNECTIONS connections, $DURATION, $(nproc) cores"
run_wrk "nginx static (baseline)" "http://127.0.0.1:$nginx_port/body.json" -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/auth.lua"
base_rps=$RPS; base_p99=$P99_MS
run_wrk "argus GET /cameras" "http://127.0.0.1:$api_port$path" -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/auth.lua"
rps_ratio=$(ratio "$RPS" "$base_rps"); p99_ratio=$(ratio "$P99_MS" "$base_p99")
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "ok" : "MISSED" }'; }
echo "ratio: throughput ${rps_ratio}x nginx (target >= 0.5: $(verdict "$rps_ratio" 0.5 '>=')), p99 ${p99_ratio}x nginx (target <= 3: $(verdict "$p99_ratio" 3 '<='))"
echo "argus RSS after load: $(( $(awk '/VmRSS/ {print $2}' /proc/$ARGUS_PID/status) / 1024 )) MiB"
