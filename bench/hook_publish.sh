#!/usr/bin/env bash
# The on_publish hook (POST /api/v1/streaming/auth, form-encoded as nginx-rtmp sends it) under
# load: 10,000 cameras, a random valid stream key per request, against an nginx `return 200`
# baseline measured in the same run on the same machine with the same requests.
# For reference only: a sustained flood of publishes is not what a fleet sends (a camera
# publishes once per connection), so its ratio to nginx is no target. The event that matters,
# a reconnect storm of every camera at once, is bench/reconnect_storm.sh, which carries the
# target (p99 <= 2x nginx's, all cameras online <= 2 s after the last answer).
# Env: CONNECTIONS (64), DURATION (15s), CAMERAS (10000).
source "$(dirname "$0")/common.sh"
CONNECTIONS=${CONNECTIONS:-64}; DURATION=${DURATION:-15s}; CAMERAS=${CAMERAS:-10000}
HOOK_SECRET=benchhooksecret0123456789

build_release
env DATABASE_URL="sqlite://$WORK/argus.db" ARGUS_DATA_DIR="$WORK" "$ARGUS_BIN" seed-cameras \
  --count "$CAMERAS" --keys-out "$WORK/keys.txt" >/dev/null
api_port=$(free_port); nginx_port=$(free_port)
start_nginx_baseline "$nginx_port"
# The baseline nginx also stands in for nginx's control endpoint: it answers 200, as nginx does
# for a live stream, so each publish of a camera with recording on costs Argus the one
# record/start call it makes in production (after the hook has answered).
start_argus "$api_port" ARGUS_HOOK_SECRET="$HOOK_SECRET" ARGUS_NGINX_HTTP_PORT="$nginx_port"
cat >"$WORK/publish.lua" <<LUA
local keys = {}
for line in io.lines("$WORK/keys.txt") do keys[#keys + 1] = line end
-- nginx numbers its clients uniquely: give each wrk thread its own range of client ids.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("client", threads * 1000000000)
end
client = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
request = function()
  client = client + 1
  local body = "app=live&flashver=FMLE/3.0&swfurl=&tcurl=rtmp://127.0.0.1/live&pageurl=&addr=127.0.0.1"
    .. "&clientid=" .. client .. "&call=publish&type=live&name=" .. keys[math.random(1, #keys)]
  return wrk.format(nil, "/api/v1/streaming/auth?secret=$HOOK_SECRET", nil, body)
end
response = function(status)
  if status ~= 302 and status ~= 200 then error("unexpected status " .. status) end
end
LUA

echo "== on_publish hook: $CAMERAS cameras, random key, $CONNECTIONS connections, $DURATION, $(nproc) cores"
run_wrk "nginx return 200 (baseline)" "http://127.0.0.1:$nginx_port" -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/publish.lua"
base_rps=$RPS; base_p99=$P99_MS
run_wrk "argus on_publish" "http://127.0.0.1:$api_port" -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/publish.lua"
echo "ratio: throughput $(ratio "$RPS" "$base_rps") of baseline, p99 $(ratio "$P99_MS" "$base_p99")x baseline (reference; the target is bench/reconnect_storm.sh's)"
echo "argus RSS after load: $(( $(awk '/VmRSS/ {print $2}' /proc/$ARGUS_PID/status) / 1024 )) MiB"
