#!/usr/bin/env python3
"""The raw cost of a storage run's work, for bench/storage_run.sh to compare Argus with: on the
same database and files after the run, a plain loop moves every moved recording back
(copy WARM -> HOT, read back + SHA-256 check, one UPDATE committed, delete the WARM file) and
deletes as many other rows as the run expired (one DELETE committed each). No audit rows, no
crash-safety bookkeeping, no concurrency. Prints the item count and seconds as JSON.

usage: storage_baseline.py DB WARM EXPIRED_COUNT
"""
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import time

db_path, warm, expired = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(db_path, isolation_level=None)
db.execute("PRAGMA synchronous = NORMAL")
moved = db.execute(
    "SELECT id, location, file_path, size_bytes, checksum_sha256 FROM recordings "
    "WHERE tier = 'warm' AND size_bytes = 4096"  # only the due rows have real (4 KiB) files
).fetchall()
victims = [r[0] for r in db.execute(
    "SELECT id FROM recordings WHERE tier = 'warm' AND size_bytes <> 4096 LIMIT ?", (expired,))]

start = time.monotonic()
for rid, location, file_path, size, sha in moved:
    src = os.path.join(warm, location)
    shutil.copyfile(src, file_path)
    with open(file_path, "rb") as f:
        data = f.read()
    assert len(data) == size and hashlib.sha256(data).hexdigest() == sha, rid
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE recordings SET tier = 'hot', location = NULL, tier_changed_at = NULL WHERE id = ?", (rid,))
    db.execute("COMMIT")
    os.remove(src)
for rid in victims:
    db.execute("BEGIN IMMEDIATE")
    db.execute("DELETE FROM recordings WHERE id = ?", (rid,))
    db.execute("COMMIT")
print(json.dumps({"items": len(moved) + len(victims), "seconds": time.monotonic() - start}))
