#!/usr/bin/env bash
# Clip export of one hour of 720p footage spanning a chunk boundary, through the API (POST, then
# poll until `done`), against a plain `ffmpeg -f concat -c copy` of the same inputs and points,
# measured in the same run on the same machine. Target (issue 11): wall time <= 5 % of the
# footage's real time.
# Footage: SEED_SECS (300) of testsrc2 1280x720@25 (x264 ultrafast, 2 s GOP, AAC), looped by
# stream copy into two 1-hour chunk files, filed as recordings rows of one camera.
# Env: SEED_SECS (300), CHUNK_SECS (3600: also the exported length), FOOTAGE_DIR (made in a temp
# dir; set it to keep the chunks for the next run, which reuses them). Uses CARGO_TARGET_DIR.
source "$(dirname "$0")/common.sh"
SEED_SECS=${SEED_SECS:-300}; CHUNK_SECS=${CHUNK_SECS:-3600}; EXPORT_SECS=$CHUNK_SECS

FOOTAGE=${FOOTAGE_DIR:-$WORK}
mkdir -p "$FOOTAGE"
build_release
if [ ! -s "$FOOTAGE/chunk-1.mp4" ]; then
  echo "== making footage: ${SEED_SECS}s seed, 2 chunks of ${CHUNK_SECS}s (720p)"
  t=$(date +%s.%N)
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=25:duration=$SEED_SECS" \
    -f lavfi -i "sine=frequency=440:duration=$SEED_SECS" -c:v libx264 -preset ultrafast -g 50 \
    -c:a aac -movflags +faststart -shortest "$FOOTAGE/seed.mp4"
  loops=$(( CHUNK_SECS / SEED_SECS + 1 ))
  for n in 0 1; do
    ffmpeg -v error -y -stream_loop "$loops" -i "$FOOTAGE/seed.mp4" -map 0 -c copy -t "$CHUNK_SECS" \
      -movflags +faststart -f mp4 "$FOOTAGE/chunk-$n.mp4.part"
    mv "$FOOTAGE/chunk-$n.mp4.part" "$FOOTAGE/chunk-$n.mp4"
  done
  echo "footage made in $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s"
fi
echo "chunk size $(( $(stat -c %s "$FOOTAGE/chunk-0.mp4") / 1048576 )) MiB"

api_port=$(free_port)
start_argus "$api_port"
token=$(login_token "$api_port")
api() { curl -fsS -H "Authorization: Bearer $token" -H 'content-type: application/json' "$@"; }
camera=$(api "http://127.0.0.1:$api_port/api/v1/cameras" -d '{"name":"Bench","serial_number":"bench-export"}' \
  | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
# Filed as the ingest files them: two back-to-back chunks, the first starting T0.
python3 "$(dirname "$0")/export_file.py" "$WORK/argus.db" "$camera" "$CHUNK_SECS" "$FOOTAGE/chunk-0.mp4" "$FOOTAGE/chunk-1.mp4" >"$WORK/range"
read -r t0 from to from_off <"$WORK/range"
to_off=$from_off  # `to` lies as far into the second chunk as `from` into the first

echo "== export $from .. $to (${EXPORT_SECS}s across the boundary at $t0 + ${CHUNK_SECS}s), $(nproc) cores"
start=$(date +%s.%N)
id=$(api "http://127.0.0.1:$api_port/api/v1/cameras/$camera/exports" -d "{\"from\":\"$from\",\"to\":\"$to\"}" \
  | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
while :; do
  state=$(api "http://127.0.0.1:$api_port/api/v1/exports/$id" | python3 -c 'import sys,json; e=json.load(sys.stdin); print(e["state"], e["duration_ms"], e["size_bytes"])')
  case $state in done*|failed*) break ;; esac
  sleep 0.1
done
api_secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
echo "argus export: $state (state, duration_ms, size_bytes) in ${api_secs}s"

cat >"$WORK/list.ffconcat" <<LIST
ffconcat version 1.0
file '$FOOTAGE/chunk-0.mp4'
inpoint $from_off
file '$FOOTAGE/chunk-1.mp4'
outpoint $to_off
LIST
start=$(date +%s.%N)
ffmpeg -v error -y -f concat -safe 0 -i "$WORK/list.ffconcat" -map 0 -c copy -movflags +faststart "$WORK/baseline.mp4"
base_secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
echo "baseline ffmpeg -f concat -c copy: ${base_secs}s"

pct() { awk -v s="$1" -v r="$EXPORT_SECS" 'BEGIN { printf "%.2f", 100 * s / r }'; }
verdict=$(awk -v s="$api_secs" -v r="$EXPORT_SECS" 'BEGIN { print (100 * s / r <= 5) ? "ok" : "MISSED" }')
echo "result: argus $(pct "$api_secs") % of real time (target <= 5 %: $verdict), baseline $(pct "$base_secs") %, argus/baseline $(ratio "$api_secs" "$base_secs")x"
