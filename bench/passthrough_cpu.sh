#!/usr/bin/env bash
# Passthrough at nginx's own cost (issue 13). N passthrough cameras with recording on publish a
# short H.264/AAC clip in a loop (`ffmpeg -re -stream_loop -1 -c copy`, 720p25, 1 s GOP) to
#   - baseline: a plain nginx-rtmp writing HLS itself (`hls on`) and recording 1-hour chunks;
#   - Argus:    `argus up` (API + its rendered nginx + one `argus transcode` per live camera).
# CPU is measured over a fixed window from /proc (utime+stime) by process kind; publishers are
# reported apart and excluded. Targets: a camera costs ≤ 1.2× the baseline's per-stream CPU
# (nginx + transcoders + their FFmpegs), the control plane (`argus up` itself) < 1 % of a core at
# 100 live cameras, all in a fleet of FLEET cameras (the rest seeded, offline).
# Then the memory target: Argus's RSS with FLEET cameras, the largest N live and WS_CLIENTS
# dashboard WebSocket clients connected (target < 100 MiB; baseline: its RSS right after start
# with the same fleet, nothing live, nobody connected).
# Knobs: COUNTS="50 100", WINDOW=30 (s), WARMUP=20 (s), FLEET=10000, WS_CLIENTS=1000,
# ARGUS_BIN=path (skip the build), EXTRA_ENV="ARGUS_X=y …" (passed to `argus up`).
source "$(dirname "$0")/common.sh"
COUNTS=${COUNTS:-"50 100"}
WINDOW=${WINDOW:-30}
WARMUP=${WARMUP:-20}
FLEET=${FLEET:-10000}
WS_CLIENTS=${WS_CLIENTS:-1000}
build_release
build_example ws_hold
ulimit -n 8192 2>/dev/null || true
for tool in nginx ffmpeg python3 curl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: run deploy/install-deps.sh" >&2; exit 1; }
done
RTMP_MODULE=""
for m in /usr/lib/nginx/modules/ngx_rtmp_module.so /usr/share/nginx/modules/ngx_rtmp_module.so; do
  [ -f "$m" ] && RTMP_MODULE=$m && break
done
[ -n "$RTMP_MODULE" ] || { echo "libnginx-mod-rtmp missing" >&2; exit 1; }
MAX=0; for n in $COUNTS; do [ "$n" -gt "$MAX" ] && MAX=$n; done
CPU="python3 $BENCH_ROOT/bench/proc_cpu.py"

echo "encoding the clip (testsrc2 720p25, 1 s GOP, ~2 Mbit/s, AAC)" >&2
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=1280x720:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 \
  -t 10 -c:v libx264 -preset veryfast -g 25 -keyint_min 25 -sc_threshold 0 -pix_fmt yuv420p -b:v 2M \
  -c:a aac -b:a 64k -shortest "$WORK/clip.flv"

PUBS=()
# publish URL…: one looping `-c copy` publisher per URL.
publish() {
  PUBS=()
  for url in "$@"; do
    ffmpeg -nostdin -v error -re -stream_loop -1 -i "$WORK/clip.flv" -c copy -f flv "$url" \
      </dev/null >/dev/null 2>>"$WORK/publishers.log" &
    PUBS+=($!); PIDS+=($!)
  done
}
stop_publishers() {
  for pid in "${PUBS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PUBS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PUBS=()
}
# wait_files N GLOB WHAT: until N files match GLOB (60 s).
wait_files() {
  local n=$1 glob=$2 what=$3
  for _ in $(seq 1 300); do
    # shellcheck disable=SC2086
    [ "$(compgen -G "$glob" | wc -l)" -ge "$n" ] && return 0
    sleep 0.2
  done
  echo "only $(compgen -G "$glob" | wc -l) of $n $what after 60 s" >&2
  # What the services said, for whoever reads the failure.
  for log in "$WORK/argus.log" "$WORK/publishers.log" $(find "$WORK" -name error.log); do
    [ -s "$log" ] && { echo "--- tail of $log" >&2; tail -n 15 "$log" >&2; }
  done
  return 1
}
# field JSON KIND: a kind's cpu_pct (0 when absent).
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get(sys.argv[2],{}).get("cpu_pct",0) if sys.argv[2]!="root_rss_kb" else d["root_rss_kb"])' "$1" "$2"; }
# alive: how many publishers still run (a dropped publisher makes the window meaningless).
alive() { local n=0; for pid in "${PUBS[@]}"; do kill -0 "$pid" 2>/dev/null && n=$((n + 1)); done; echo "$n"; }
add() { awk -v a="$1" -v b="$2" -v c="${3:-0}" -v d="${4:-0}" 'BEGIN { printf "%.2f", a + b + c + d }'; }
per() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.3f", a / n }'; }

# --- baseline: nginx-rtmp writing HLS and recording by itself --------------------------------
BASE=$WORK/baseline
mkdir -p "$BASE/hls" "$BASE/rec"
BASE_PORT=$(free_port)
user=""; [ "$(id -u)" = 0 ] && user="user root;"
cat >"$BASE/nginx.conf" <<EOF
$user
worker_processes 1;
pid $BASE/nginx.pid;
error_log $BASE/error.log warn;
load_module $RTMP_MODULE;
events { worker_connections 4096; }
rtmp {
  access_log off;
  server {
    listen 127.0.0.1:$BASE_PORT;
    chunk_size 4096;
    application live {
      live on;
      hls on; hls_path $BASE/hls; hls_nested on; hls_fragment 2s; hls_playlist_length 12s;
      record all; record_path $BASE/rec; record_unique on; record_interval 1h;
    }
  }
}
EOF

measure_baseline() { # n → sets BASE_CPU, BASE_PUB
  local n=$1 urls=()
  rm -rf "${BASE:?}/hls/"* "${BASE:?}/rec/"*
  nginx -p "$BASE" -c "$BASE/nginx.conf" -g 'daemon off;' &
  local ngx=$!; PIDS+=($ngx)
  for _ in $(seq 1 50); do [ -f "$BASE/nginx.pid" ] && break; sleep 0.1; done
  for i in $(seq 1 "$n"); do urls+=("rtmp://127.0.0.1:$BASE_PORT/live/cam$i"); done
  publish "${urls[@]}"
  wait_files "$n" "$BASE/hls/*/index.m3u8" "baseline playlists"
  sleep "$WARMUP"
  local out; out=$($CPU "$WINDOW" "$ngx" "${PUBS[@]}")
  BASE_CPU=$(field "$out" nginx); BASE_PUB=$(field "$out" publishers); BASE_ALIVE=$(alive)
  stop_publishers
  kill "$ngx"; wait "$ngx" 2>/dev/null || true
  rm -f "$BASE/nginx.pid"
}

# --- Argus: `argus up` with MAX passthrough cameras --------------------------------------------
API_PORT=$(free_port); RTMP_PORT=$(free_port); INTERNAL_PORT=$(free_port); HTTP_PORT=$(free_port)
mkdir -p "$WORK/argus"
SEEDED=$((FLEET > MAX ? FLEET - MAX : 0))
echo "seeding $SEEDED offline cameras (a fleet of $FLEET)" >&2
env DATABASE_URL="sqlite://$WORK/argus/argus.db" ARGUS_DATA_DIR="$WORK/argus" "$ARGUS_BIN" seed-cameras \
  --count "$SEEDED" >/dev/null
env DATABASE_URL="sqlite://$WORK/argus/argus.db" ARGUS_DATA_DIR="$WORK/argus" ARGUS_BIND="127.0.0.1:$API_PORT" \
  ARGUS_ADMIN_PASSWORD="bench password 1" RUST_LOG=warn ARGUS_RTMP_PORT="$RTMP_PORT" \
  ARGUS_RTMP_INTERNAL_PORT="$INTERNAL_PORT" ARGUS_NGINX_HTTP_PORT="$HTTP_PORT" \
  ARGUS_PUBLIC_RTMP_URL="rtmp://127.0.0.1:$RTMP_PORT/live" ${EXTRA_ENV:-} "$ARGUS_BIN" up >"$WORK/argus.log" 2>&1 &
ARGUS_PID=$!; PIDS+=($ARGUS_PID)
wait_http "http://127.0.0.1:$API_PORT/healthz"
rss_mib() { echo $(( $(awk '/VmRSS/ {print $2}' "/proc/$ARGUS_PID/status") / 1024 )); }
IDLE_RSS=$(rss_mib)
TOKEN=$(login_token "$API_PORT")
echo "creating $MAX passthrough cameras (recording on)" >&2
URLS=()
CAMS=()
for i in $(seq 1 "$MAX"); do
  cam=$(curl -fsS "http://127.0.0.1:$API_PORT/api/v1/cameras" -H "Authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' \
    -d "{\"name\":\"bench $i\",\"serial_number\":\"BENCH-$i\",\"transcode_profile\":\"passthrough\",\"recording_enabled\":true}")
  URLS+=("$(python3 -c 'import json,sys; print(json.load(sys.stdin)["rtmp_url"])' <<<"$cam")")
  CAMS+=("$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$cam")")
done
HLS=$WORK/argus/hls

measure_argus() { # n → sets A_NGINX A_WRAP A_FFMPEG A_PROBE A_CONTROL A_PUB A_RSS
  local n=$1
  rm -rf "$HLS"/*/index.m3u8 "$HLS"/.nginx/*
  publish "${URLS[@]:0:$n}"
  wait_files "$n" "$HLS/.nginx/*/index.m3u8" "nginx renditions"
  wait_files "$n" "$HLS/*/index.m3u8" "master playlists"
  sleep "$WARMUP"
  local out; out=$($CPU "$WINDOW" "$ARGUS_PID" "${PUBS[@]}")
  A_NGINX=$(field "$out" nginx); A_WRAP=$(field "$out" wrapper); A_FFMPEG=$(field "$out" ffmpeg)
  A_PROBE=$(field "$out" probe); A_CONTROL=$(field "$out" control); A_PUB=$(field "$out" publishers)
  A_RSS=$(( $(field "$out" root_rss_kb) / 1024 )); A_ALIVE=$(alive)
  stop_publishers
  # Until every camera is offline again (its transcoder gone), before the next N.
  for _ in $(seq 1 150); do
    pgrep -f "transcode --stream" >/dev/null || break
    sleep 0.2
  done
}

echo
echo "passthrough CPU, window ${WINDOW}s after ${WARMUP}s warm-up; % = percent of one core"
for n in $COUNTS; do
  measure_baseline "$n"
  measure_argus "$n"
  argus_total=$(add "$A_NGINX" "$A_WRAP" "$A_FFMPEG" "$A_PROBE")
  base_per=$(per "$BASE_CPU" "$n"); argus_per=$(per "$argus_total" "$n")
  r=$(ratio "$argus_per" "$base_per")
  verdict=$(awk -v r="$r" 'BEGIN { print (r != "n/a" && r <= 1.2) ? "met" : "MISSED" }')
  printf '\nN=%s cameras\n' "$n"
  printf '  baseline nginx-rtmp (hls on + record 1h): nginx %6.2f %%  = %s %%/camera   (publishers %.1f %%, excluded)\n' \
    "$BASE_CPU" "$base_per" "$BASE_PUB"
  printf '  argus: nginx %.2f %% + transcoders %.2f %% + their FFmpegs %.2f %% + probes %.2f %% = %s %%  = %s %%/camera   (publishers %.1f %%, excluded)\n' \
    "$A_NGINX" "$A_WRAP" "$A_FFMPEG" "$A_PROBE" "$argus_total" "$argus_per" "$A_PUB"
  printf '  ratio argus / nginx-native per camera: %s   (target <= 1.2: %s)\n' "$r" "$verdict"
  cp_verdict=$(awk -v c="$A_CONTROL" 'BEGIN { print (c < 1.0) ? "met" : "MISSED" }')
  printf '  control plane (argus up): %.2f %% of a core   (target < 1 %% at 100 cameras: %s)\n' "$A_CONTROL" "$cp_verdict"
  if [ "$BASE_ALIVE" -lt "$n" ] || [ "$A_ALIVE" -lt "$n" ]; then
    printf '  INVALID: publishers alive at the end of the window: baseline %s, argus %s of %s (%s)\n' \
      "$BASE_ALIVE" "$A_ALIVE" "$n" "$WORK/publishers.log"
  fi
  [ "$n" = "$MAX" ] && printf '  argus RSS with %s live cameras: %s MiB\n' "$n" "$A_RSS"
done

# --- memory: the fleet, MAX live, WS_CLIENTS dashboards -----------------------------------------
publish "${URLS[@]:0:$MAX}"
wait_files "$MAX" "$HLS/*/index.m3u8" "master playlists"
"$EXAMPLE_BIN" "http://127.0.0.1:$API_PORT" "$TOKEN" "$WS_CLIENTS" >"$WORK/ws_hold.out" 2>"$WORK/ws_hold.err" &
HOLD=$!; PIDS+=($HOLD)
for _ in $(seq 1 600); do grep -q '^connected' "$WORK/ws_hold.out" && break; sleep 0.1; done
grep -q '^connected' "$WORK/ws_hold.out" || { echo "WebSocket clients did not connect: $(tail -3 "$WORK/ws_hold.err")" >&2; exit 1; }
sleep "$WARMUP"
FLEET_RSS=$(rss_mib); FLEET_ALIVE=$(alive)
kill -TERM "$HOLD"; wait "$HOLD" 2>/dev/null || true
rss_verdict=$(awk -v r="$FLEET_RSS" 'BEGIN { print (r < 100) ? "met" : "MISSED" }')
printf '\nmemory: argus RSS with %s cameras, %s live (%s publishing at the end), %s WebSocket clients: %s MiB   (target < 100 MiB: %s)\n' \
  "$FLEET" "$MAX" "$FLEET_ALIVE" "$WS_CLIENTS" "$FLEET_RSS" "$rss_verdict"
printf '  baseline: the same argus right after start (fleet loaded, nothing live, nobody connected): %s MiB; the clients received %s\n' \
  "$IDLE_RSS" "$(sed -n 's/^events received //p' "$WORK/ws_hold.out") events"
stop_publishers
echo
echo "machine load (shared machine; CPU figures are disturbed by other work): $(uptime)"
