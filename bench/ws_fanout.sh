#!/usr/bin/env bash
# WebSocket fan-out: 5,000 dashboard clients connected; an on_publish / on_publish_done hook is
# sent and the time until each client receives `camera.status` is measured (p50/p99, and the
# last client per hook). Baseline in the same run: the hook's own round trip.
# Target: p99 hook -> event at each client < 100 ms.
# Env: CLIENTS (5000), ROUNDS (20).
source "$(dirname "$0")/common.sh"
CLIENTS=${CLIENTS:-5000}; ROUNDS=${ROUNDS:-20}
HOOK_SECRET=benchhooksecret0123456789
# A descriptor per client in this tool and in Argus (5,000 need more than the usual 1024).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

build_release
build_example ws_fanout
env DATABASE_URL="sqlite://$WORK/argus.db" ARGUS_DATA_DIR="$WORK" "$ARGUS_BIN" seed-cameras \
  --count 100 --keys-out "$WORK/keys.txt" >/dev/null
port=$(free_port)
start_argus "$port" ARGUS_HOOK_SECRET="$HOOK_SECRET" ARGUS_NGINX_HTTP_PORT="$(free_port)"
token=$(login_token "$port")
echo "== WebSocket fan-out: $CLIENTS clients, $ROUNDS publish + publish_done hooks, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$EXAMPLE_BIN" "http://127.0.0.1:$port" "$token" "$HOOK_SECRET" "$WORK/keys.txt" "$CLIENTS" "$ROUNDS"
echo "argus RSS with $CLIENTS clients: $(( $(awk '/VmRSS/ {print $2}' /proc/$ARGUS_PID/status) / 1024 )) MiB"
