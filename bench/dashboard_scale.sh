#!/usr/bin/env bash
# The dashboard with 10,000 cameras, in Chromium (playwright-core from frontend/node_modules,
# Debian's /usr/bin/chromium), against a release Argus on SQLite serving this checkout's built
# dashboard (ARGUS_FRONTEND_DIR=frontend/dist). Baseline in the same run: the same pages with 10
# cameras. Definitions (interactive, long tasks, event modes) are in bench/dashboard_scale.mjs.
#   - cameras page, live view, recordings page: time from navigation to interactive, median of 3
#     (target < 1000 ms each);
#   - live view and cameras page while on_publish / on_publish_done hooks run at EVENT_RATE/s
#     (each one a camera.status event), WINDOW_MS long: long tasks max and count > 50 ms
#     (target max < 200 ms), with the events the page received per second, by type.
# Env: CAMERAS (10000), EVENT_RATE (1000), WINDOW_MS (10000), ARGUS_BIN (skip the cargo build),
#      SKIP_DASHBOARD_BUILD=1 (use frontend/dist as it is).
source "$(dirname "$0")/common.sh"
CAMERAS=${CAMERAS:-10000}
HOOK_SECRET=benchhooksecret0123456789
ADMIN_PASSWORD="bench password 1" # start_argus's

build_release
if [ "${SKIP_DASHBOARD_BUILD:-}" != 1 ]; then
  (cd "$BENCH_ROOT/frontend" && npm run build --silent >/dev/null)
fi
[ -f "$BENCH_ROOT/frontend/dist/index.html" ] || { echo "frontend/dist is missing: npm run build in frontend/" >&2; exit 1; }

nginx_port=$(free_port)
# Stands in for nginx's control endpoint (record start/stop of cameras with recording on).
start_nginx_baseline "$nginx_port"

echo "== dashboard at scale: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), hooks at ${EVENT_RATE:-1000}/s for ${WINDOW_MS:-10000} ms"
for count in 10 "$CAMERAS"; do
  db="$WORK/argus-$count.db"
  env DATABASE_URL="sqlite://$db" ARGUS_DATA_DIR="$WORK" "$ARGUS_BIN" seed-cameras \
    --count "$count" --keys-out "$WORK/keys-$count.txt" >/dev/null
  port=$(free_port)
  start_argus "$port" DATABASE_URL="sqlite://$db" ARGUS_HOOK_SECRET="$HOOK_SECRET" \
    ARGUS_NGINX_HTTP_PORT="$nginx_port" ARGUS_FRONTEND_DIR="$BENCH_ROOT/frontend/dist"
  label="$count cams"; [ "$count" = 10 ] && label="10 (base)"
  node "$BENCH_ROOT/bench/dashboard_scale.mjs" "http://127.0.0.1:$port" "$ADMIN_PASSWORD" "$HOOK_SECRET" \
    "$WORK/keys-$count.txt" "$label"
  echo "argus RSS ($count cameras): $(( $(awk '/VmRSS/ {print $2}' /proc/$ARGUS_PID/status) / 1024 )) MiB"
  kill "$ARGUS_PID"; wait "$ARGUS_PID" 2>/dev/null || true
done
