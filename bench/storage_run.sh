#!/usr/bin/env bash
# One storage run (tiers + retention) over a large catalogue: ROWS recordings (default 1,000,000)
# on SQLite, ~1 % of them due (~0.5 % HOT -> WARM moves of real 4 KiB files, ~0.5 % expiries), run
# through `POST /api/v1/jobs/storage/run` on a release build with local HOT/WARM directories.
# Prints wall time, items/s and resident memory (before, peak = VmHWM); checks the outcome in the
# database. Baseline, same machine and data: a plain Python loop doing the same file and row work
# without Argus's audit rows and crash-safety steps (bench/storage_baseline.py).
# Target: < 10 s with bounded memory.
source "$(dirname "$0")/common.sh"
ROWS=${ROWS:-1000000}
CAMERAS=${CAMERAS:-500}
build_release

db="$WORK/argus.db"
export DATABASE_URL="sqlite://$db"
ARGUS_DATA_DIR="$WORK" "$ARGUS_BIN" migrate >/dev/null
t=$(date +%s.%N)
expected=$(python3 "$BENCH_ROOT/bench/storage_gen.py" "$db" "$WORK/hot" "$WORK/warm" "$ROWS" "$CAMERAS")
field() { python3 -c 'import sys,json; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
want_move=$(field "$expected" move)
want_expire=$(field "$expected" expire)
due=$((want_move + want_expire))
printf 'generated %d rows (%d due: %d moves, %d expiries) in %.0f s; database %d MiB\n' \
  "$(field "$expected" rows)" "$due" "$want_move" "$want_expire" "$(echo "$(date +%s.%N) - $t" | bc)" \
  $(($(stat -c %s "$db") / 1048576))

port=$(free_port)
start_argus "$port" ARGUS_STORAGE_DIR="$WORK/hot" ARGUS_TIER_WARM_URL="file://$WORK/warm" \
  ARGUS_TIER_WARM_AFTER_DAYS=7 ${EXTRA_ENV:-}
token=$(login_token "$port")
kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$ARGUS_PID/status"; }
rss_before=$(kib VmRSS)
# Peak from here on (the login's password hash alone takes ~19 MiB, freed at once).
echo 5 >"/proc/$ARGUS_PID/clear_refs"
t0=$(date +%s.%N)
run=$(curl -fsS -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/jobs/storage/run")
wall=$(echo "$(date +%s.%N) - $t0" | bc)
rss_peak=$(kib VmHWM)
rss_after=$(kib VmRSS)
kill "$ARGUS_PID"
wait "$ARGUS_PID" 2>/dev/null || true

# The outcome, from the database: every due row moved or deleted, nothing else touched.
read -r moved expired left_due rows_left audit queued <<<"$(python3 - "$db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
one = lambda q: db.execute(q).fetchone()[0]
print(one("SELECT count(*) FROM recordings WHERE tier = 'warm' AND size_bytes = 4096 AND stale_tier IS NULL"),
      one("SELECT count(*) FROM audit_logs WHERE action = 'recording.expired'"),
      one("SELECT count(*) FROM recordings WHERE tier = 'hot' AND size_bytes = 4096"),
      one("SELECT count(*) FROM recordings"),
      one("SELECT count(*) FROM audit_logs WHERE action IN ('recording.expired', 'recording.tier_changed')"),
      one("SELECT count(*) FROM object_deletions"))
EOF
)"
hot_files=$(find "$WORK/hot" -type f | wc -l)
outcome=$(python3 -c 'import sys,json; r=json.load(sys.stdin); print(r["outcome"], r["items"])' <<<"$run")
ok=yes
[ "$moved" = "$want_move" ] && [ "$expired" = "$want_expire" ] && [ "$left_due" = 0 ] && [ "$hot_files" = 0 ] \
  && [ "$rows_left" = $((ROWS - want_expire)) ] && [ "$audit" = "$due" ] && [ "$queued" = 0 ] && [ "$outcome" = "ok $due" ] || ok=NO
echo "job: $outcome; moved $moved/$want_move, expired $expired/$want_expire, rows left $rows_left," \
  "audit rows $audit, object deletions queued $queued, HOT files left $hot_files: outcome correct: $ok"

base=$(python3 "$BENCH_ROOT/bench/storage_baseline.py" "$db" "$WORK/warm" "$want_expire")
base_items=$(field "$base" items)
base_s=$(field "$base" seconds)
printf '%-34s %7.2f s  %8.0f items/s   RSS before %d MiB, peak %d MiB, after %d MiB   (target < 10 s: %s)\n' \
  "argus storage run ($due items)" "$wall" "$(echo "$due / $wall" | bc -l)" \
  $((rss_before / 1024)) $((rss_peak / 1024)) $((rss_after / 1024)) \
  "$([ "$(echo "$wall < 10" | bc)" = 1 ] && [ "$ok" = yes ] && echo met || echo MISSED)"
printf '%-34s %7.2f s  %8.0f items/s\n' "baseline: python loop ($base_items items)" "$base_s" \
  "$(echo "$base_items / $base_s" | bc -l)"
echo "argus / baseline time: $(ratio "$wall" "$(echo "$base_s * $due / $base_items" | bc -l)")"
[ "$ok" = yes ]
