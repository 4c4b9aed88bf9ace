#!/usr/bin/env bash
# Shared helpers for the benchmarks: a release build, a throwaway Argus on SQLite, an nginx
# `return 200` baseline on the same machine, and wrk result parsing.
set -euo pipefail

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d /tmp/argus-bench.XXXXXX)"
# ARGUS_BIN=path skips the build and measures that binary.
PREBUILT_BIN=${ARGUS_BIN:-}
ARGUS_BIN="${ARGUS_BIN:-${CARGO_TARGET_DIR:-$BENCH_ROOT/target}/release/argus}"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

build_release() {
  [ -n "$PREBUILT_BIN" ] && return 0
  (cd "$BENCH_ROOT" && cargo build --release --quiet -p argus)
}

# build_example NAME: builds api/examples/NAME.rs (release) and sets EXAMPLE_BIN to it.
build_example() {
  (cd "$BENCH_ROOT" && cargo build --release --quiet -p argus --example "$1")
  EXAMPLE_BIN="${CARGO_TARGET_DIR:-$BENCH_ROOT/target}/release/examples/$1"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for $1" >&2; return 1
}

# start_argus PORT [extra env...]: Argus on a fresh SQLite database in $WORK.
start_argus() {
  local port=$1; shift
  env DATABASE_URL="sqlite://$WORK/argus.db" ARGUS_DATA_DIR="$WORK" ARGUS_BIND="127.0.0.1:$port" \
    ARGUS_ADMIN_PASSWORD="bench password 1" RUST_LOG=warn "$@" "$ARGUS_BIN" serve >"$WORK/argus.log" 2>&1 &
  PIDS+=($!)
  ARGUS_PID=$!
  wait_http "http://127.0.0.1:$port/healthz"
}

# run_nginx DIR PORT URL_PATH HTTP_LINES…: a one-worker nginx in DIR listening on PORT, with
# HTTP_LINES inside its `http` block; waits until URL_PATH answers.
run_nginx() {
  local dir=$1 port=$2 path=$3; shift 3
  mkdir -p "$dir/logs"
  # As root, workers run as `nobody` and cannot read the 0700 work dir.
  local user=""; [ "$(id -u)" = 0 ] && user="user root;"
  {
    printf '%s\nworker_processes 1;\npid %s/nginx.pid;\nerror_log %s/logs/error.log warn;\n' "$user" "$dir" "$dir"
    printf 'events { worker_connections 1024; }\nhttp {\n  access_log off;\n'
    printf '  client_body_temp_path %s/body; proxy_temp_path %s/proxy; fastcgi_temp_path %s/fcgi;\n' "$dir" "$dir" "$dir"
    printf '  uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;\n' "$dir" "$dir"
    printf '  %s\n' "$@"
    printf '}\n'
  } >"$dir/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port$path"
}

# start_nginx_baseline PORT: nginx answering every request with `return 200`.
start_nginx_baseline() {
  local port=$1
  run_nginx "$WORK/nginx" "$port" / "server { listen 127.0.0.1:$port; location / { return 200 '{\"ok\":true}'; } }"
}

# run_wrk LABEL URL [wrk args...] → prints one line and sets RPS / P50_MS / P99_MS.
run_wrk() {
  local label=$1 url=$2; shift 2
  local out
  out=$(wrk --latency "$@" "$url")
  RPS=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  P50_MS=$(awk '$1=="50%" {print $2}' <<<"$out" | to_ms)
  P99_MS=$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)
  local errors
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '%-28s %10.0f req/s   p50 %8.3f ms   p99 %8.3f ms   %s\n' "$label" "$RPS" "$P50_MS" "$P99_MS" "$errors"
}

to_ms() { # wrk prints 812.00us / 1.23ms / 2.01s
  awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } else print v }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

login_token() { # port
  curl -fsS "http://127.0.0.1:$1/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"username":"admin","password":"bench password 1"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])'
}

# start_nginx_static PORT FILE: nginx serving FILE (as JSON) at /body.json, the same way it
# serves any static file (sendfile, no compression).
start_nginx_static() {
  local port=$1 file=$2 dir="$WORK/nginx-static"
  mkdir -p "$dir/root"
  cp "$file" "$dir/root/body.json"
  run_nginx "$dir" "$port" /body.json "sendfile on;" "types { application/json json; }" \
    "server { listen 127.0.0.1:$port; root $dir/root; }"
}
