#!/usr/bin/env python3
"""Fills a migrated Argus SQLite database with a storage-run backlog (bench/storage_run.sh).

usage: storage_gen.py DB HOT WARM ROWS CAMERAS

ROWS recordings over CAMERAS cameras, ended_at spread evenly over the last 60 days (about one
43-minute chunk per camera). With ARGUS_TIER_WARM_AFTER_DAYS=7 and a 59-day retention on 30 % of
the cameras, about 1 % of the rows are due:
- ~0.5 % expire (older than 59 days on a camera with that retention), in WARM;
- ~0.5 % move HOT -> WARM (older than 7 days but still in HOT: a backlog);
everything else is either younger than 7 days (HOT) or already in WARM. Only the due rows have
real files (4 KiB, with the size and SHA-256 on the row); the others are never read.
No row ends within 10 minutes (younger side) of a threshold, so a run started within 10 minutes
of this script selects exactly what it counted. Prints the expected counts as JSON.
"""
import datetime as dt
import hashlib
import json
import os
import sqlite3
import sys

db_path, hot, warm = sys.argv[1:4]
rows, cameras = int(sys.argv[4]), int(sys.argv[5])
per_camera = rows // cameras
SPAN_MIN = 60 * 24 * 60  # 60 days in minutes
STEP = SPAN_MIN / per_camera
WARM_AFTER_MIN, RETENTION_DAYS = 7 * 24 * 60, 59
RETENTION_MIN = RETENTION_DAYS * 24 * 60
FILE_SIZE = 4096
now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)

db = sqlite3.connect(db_path)
db.execute("PRAGMA journal_mode = OFF")
db.execute("PRAGMA synchronous = OFF")
# Bulk load without the recordings indexes, then rebuild them (a sort each: far faster).
indexes = db.execute(
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'recordings' AND sql IS NOT NULL"
).fetchall()
for name, _ in indexes:
    db.execute(f'DROP INDEX "{name}"')

ts = lambda t: t.isoformat(" ")
cams = []
for c in range(cameras):
    cid = f"cam-{c:04d}"
    retention = RETENTION_DAYS if c % 10 < 3 else None
    cams.append((cid, f"Camera {c}", f"SN{c:06d}", f"key{c:06d}", "passthrough", "dashboard",
                 ts(now), ts(now), retention))
db.executemany(
    "INSERT INTO cameras (id, name, serial_number, stream_key, transcode_profile, created_via, "
    "created_at, updated_at, retention_days) VALUES (?,?,?,?,?,?,?,?,?)", cams)


def rel_key(cid, started):
    return f"{cid}/{started:%Y/%m/%d}/{cid}-{int(started.replace(tzinfo=dt.timezone.utc).timestamp())}.mp4"


def real_file(path):
    data = os.urandom(FILE_SIZE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()


INSERT = (
    "INSERT INTO recordings (id, camera_id, started_at, ended_at, duration_ms, size_bytes, file_path, "
    "source_path, tier, checksum_sha256, video_codec, audio_codec, width, height, bitrate_kbps, "
    "created_at, location, tier_changed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
expected = {"rows": 0, "move": 0, "expire": 0}
fake_sha = "0" * 64
batch, seq = [], 0
# Oldest first, all cameras interleaved: the order Argus files them in (row ids and rowids
# follow time, as in a real catalogue).
for i in reversed(range(per_camera)):
    for c in range(cameras):
        cid, retention = cams[c][0], cams[c][8]
        # The fraction in (0.35, 0.42) keeps every row >= 10 min younger than a threshold it is
        # below (see the docstring).
        frac = 0.35 + 0.07 * c / cameras
        age = STEP * (i + frac)
        ended = now - dt.timedelta(minutes=round(age, 2))
        ended = ended.replace(microsecond=0)
        started = ended - dt.timedelta(minutes=STEP)
        key = rel_key(cid, started)
        seq += 1
        expires = retention is not None and age > RETENTION_MIN
        old = age > WARM_AFTER_MIN
        due_move = old and not expires and seq % 176 == 0
        tier, location, changed, size, sha = "hot", None, None, 50_000_000, fake_sha
        if old and not due_move:
            tier, location, changed = "warm", key, ts(ended + dt.timedelta(days=7))
        if expires:
            sha, size = real_file(os.path.join(warm, key)), FILE_SIZE
            expected["expire"] += 1
        elif due_move:
            sha, size = real_file(os.path.join(hot, key)), FILE_SIZE
            expected["move"] += 1
        rid = f"{int(ended.timestamp() * 1000):012x}-{seq:023x}"
        batch.append((rid, cid, ts(started), ts(ended), int(STEP * 60000), size,
                      os.path.join(hot, key), f"/var/rec/{cid}-{seq}.flv", tier, sha,
                      "h264", "aac", 1920, 1080, 4000, ts(ended), location, changed))
        if len(batch) == 50_000:
            db.executemany(INSERT, batch)
            batch.clear()
        expected["rows"] += 1
if batch:
    db.executemany(INSERT, batch)
db.commit()
for _, sql in indexes:
    db.execute(sql)
# No ANALYZE: Argus never runs it, so the query planner works without statistics, as here.
db.commit()
db.execute("PRAGMA journal_mode = WAL")
db.close()
print(json.dumps(expected))
