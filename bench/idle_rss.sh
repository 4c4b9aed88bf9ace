#!/usr/bin/env bash
# Resident memory of an idle API (release build, SQLite, in-process cache/bus), after start-up
# and after one request to each main read route has warmed it up. Target: < 30 MB.
source "$(dirname "$0")/common.sh"
build_release
port=$(free_port)
start_argus "$port" ${EXTRA_ENV:-}
rss() { echo $(( $(awk '/VmRSS/ {print $2}' "/proc/$ARGUS_PID/status") / 1024 )); }
sleep 2
echo "idle after start:     $(rss) MiB"
token=$(login_token "$port")
for path in /api/v1/cameras /api/v1/dashboard/stats /api/v1/users /api/v1/audit-logs /api/openapi.json; do
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path"
done
sleep 2
idle=$(rss)
echo "idle after warm-up:   $idle MiB   (target < 30 MiB: $([ "$idle" -lt 30 ] && echo met || echo MISSED))"
