"""Files two chunk files as back-to-back recordings of a camera in an Argus SQLite database
(as the ingest would) and prints `T0 FROM TO FROM_OFFSET`: the first chunk's start, and the
export range (RFC 3339) starting FROM_OFFSET seconds into the first chunk (half a chunk in).

Usage: export_file.py DB CAMERA_ID CHUNK_SECS FILE0 FILE1"""
import datetime
import hashlib
import os
import sqlite3
import sys
import uuid

db_path, camera, chunk_secs, files = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None)
t0 = now - datetime.timedelta(seconds=chunk_secs * len(files) + 3600)
fmt = "%Y-%m-%d %H:%M:%S"
db = sqlite3.connect(db_path)
for n, path in enumerate(files):
    start = t0 + datetime.timedelta(seconds=n * chunk_secs)
    end = start + datetime.timedelta(seconds=chunk_secs)
    db.execute(
        "INSERT INTO recordings (id, camera_id, started_at, ended_at, duration_ms, size_bytes, file_path,"
        " source_path, tier, checksum_sha256, created_at, legal_hold)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'hot', ?, ?, 0)",
        (str(uuid.uuid4()), camera, start.strftime(fmt), end.strftime(fmt), chunk_secs * 1000,
         os.path.getsize(path), path, path + ".flv", hashlib.sha256(path.encode()).hexdigest(), now.strftime(fmt)),
    )
db.commit()
offset = chunk_secs // 2
rfc = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
start = t0 + datetime.timedelta(seconds=offset)
print(rfc(t0), rfc(start), rfc(start + datetime.timedelta(seconds=chunk_secs)), offset)
