#!/usr/bin/env bash
# GET /api/v1/cameras (authenticated, 10,000 cameras, pages of 50 chosen at random) against an
# nginx `return 200` baseline measured in the same run on the same machine.
# Env: CONNECTIONS (64), DURATION (15s), CAMERAS (10000).
source "$(dirname "$0")/common.sh"
CONNECTIONS=${CONNECTIONS:-64}; DURATION=${DURATION:-15s}; CAMERAS=${CAMERAS:-10000}

build_release
env DATABASE_URL="sqlite://$WORK/argus.db" ARGUS_DATA_DIR="$WORK" "$ARGUS_BIN" seed-cameras --count "$CAMERAS" >/dev/null
api_port=$(free_port); nginx_port=$(free_port)
start_argus "$api_port"
start_nginx_baseline "$nginx_port"
token=$(login_token "$api_port")
pages=$(( CAMERAS / 50 ))
cat >"$WORK/pages.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
request = function()
  return wrk.format("GET", "/api/v1/cameras?limit=50&page=" .. math.random(1, $pages))
end
LUA

echo "== GET /api/v1/cameras: $CAMERAS cameras, limit=50, random page, $CONNECTIONS connections, $DURATION, $(nproc) cores"
run_wrk "nginx return 200 (baseline)" "http://127.0.0.1:$nginx_port/" -t2 -c"$CONNECTIONS" -d"$DURATION"
base_rps=$RPS; base_p99=$P99_MS
run_wrk "argus GET /cameras" "http://127.0.0.1:$api_port" -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/pages.lua"
echo "ratio: throughput $(ratio "$RPS" "$base_rps") of baseline, p99 $(ratio "$P99_MS" "$base_p99")x baseline"
echo "argus RSS after load: $(( $(awk '/VmRSS/ {print $2}' /proc/$ARGUS_PID/status) / 1024 )) MiB"
