#!/usr/bin/env bash
# Reconnect storm: a site's uplink comes back and every camera publishes at once. 10,000 seeded
# cameras each publish once (distinct nginx client ids) as fast as 64 connections allow, with
# the form nginx-rtmp posts to on_publish. The same tool sends the same requests to an nginx
# `return 200` first (the baseline, same run, same machine), then to Argus. Printed per storm:
# hook answer p50/p99 and req/s for both, the p99 ratio, and when all cameras are `online`
# through the API (GET /cameras?stream_status=online) and on a WebSocket client connected
# before the storm, counted from the first publish and from the last answer.
# Targets: p99 <= 2x nginx's; all online <= 2 s after the last answer.
#
# Two storms per database: `cold` right after Argus started (an Argus restart: nothing cached
# but what Argus loads itself at start), then all publishers leave, then `warm` (an uplink
# outage: keys looked up minutes before). Argus runs without Redis (in-process cache); the
# baseline nginx also answers Argus's record/start calls (two cameras in three record).
#
# Usage: bench/reconnect_storm.sh [sqlite|mysql|both]   (default both; or BACKENDS=…)
# Env: CAMERAS (10000), CONNECTIONS (64), MYSQL_ADMIN_URL (mysql://root@127.0.0.1:3306).
source "$(dirname "$0")/common.sh"
CAMERAS=${CAMERAS:-10000}; CONNECTIONS=${CONNECTIONS:-64}
BACKENDS=${1:-${BACKENDS:-both}}
MYSQL_ADMIN_URL=${MYSQL_ADMIN_URL:-mysql://root@127.0.0.1:3306}
HOOK_SECRET=benchhooksecret0123456789
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

BENCH_DB=argus_bench_$$
mysql_admin() { # SQL: through the mysql client, as MYSQL_ADMIN_URL's user[:password]
  local rest=${MYSQL_ADMIN_URL#mysql://} creds hostport user pass=()
  creds=${rest%%@*}; hostport=${rest#*@}; hostport=${hostport%%/*}
  user=${creds%%:*}; [ "$creds" != "$user" ] && pass=(-p"${creds#*:}")
  mysql -u"$user" "${pass[@]}" -h"${hostport%%:*}" -P"${hostport##*:}" -e "$1"
}
drop_bench_db() { mysql_admin "DROP DATABASE IF EXISTS $BENCH_DB" 2>/dev/null || true; }
trap 'cleanup; drop_bench_db' EXIT

build_release
build_example reconnect_storm
nginx_port=$(free_port)
start_nginx_baseline "$nginx_port"

run_backend() { # NAME DATABASE_URL
  local name=$1 url=$2 port
  port=$(free_port)
  echo "== reconnect storm on $name: $CAMERAS cameras, $CONNECTIONS connections, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  env DATABASE_URL="$url" ARGUS_DATA_DIR="$WORK" "$ARGUS_BIN" seed-cameras \
    --count "$CAMERAS" --keys-out "$WORK/keys-$name.txt" >/dev/null
  # The baseline nginx stands in for nginx's control endpoint (record/start answers 200).
  start_argus "$port" DATABASE_URL="$url" ARGUS_HOOK_SECRET="$HOOK_SECRET" ARGUS_NGINX_HTTP_PORT="$nginx_port"
  "$EXAMPLE_BIN" "http://127.0.0.1:$nginx_port" "http://127.0.0.1:$port" "$(login_token "$port")" "$HOOK_SECRET" \
    "$WORK/keys-$name.txt" "$CONNECTIONS"
  echo "argus RSS after the storms: $(( $(awk '/VmRSS/ {print $2}' /proc/$ARGUS_PID/status) / 1024 )) MiB"
  kill "$ARGUS_PID"; wait "$ARGUS_PID" 2>/dev/null || true
}

case $BACKENDS in
  sqlite | both) run_backend sqlite "sqlite://$WORK/argus.db" ;;
esac
case $BACKENDS in
  mysql | both)
    mysql_admin "CREATE DATABASE $BENCH_DB"
    run_backend mysql "$MYSQL_ADMIN_URL/$BENCH_DB" ;;
  sqlite) ;;
  *) echo "unknown backend $BACKENDS (sqlite, mysql or both)" >&2; exit 2 ;;
esac
