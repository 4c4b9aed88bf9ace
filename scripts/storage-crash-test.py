#!/usr/bin/env python3
"""Storage crash suite: `kill -9` of the real `argus serve` at each step of a tier move and of an
expiry, restart, run the storage job again, and check that nothing is lost or left over.

Each case: a fresh SQLite database and tier directories (HOT, WARM local; COLD, ARCHIVE in a fresh
bucket on the S3-protocol server TEST_S3_ENDPOINT), two 12 MiB recordings (larger than one 8 MiB
upload part, so "copy started" is a real partial upload), aged by editing `ended_at`. Argus runs
with ARGUS_FAILPOINTS=<step>=pause; the storage job is started over the API; when the log says
`failpoint <step> reached: pausing` the process is killed with SIGKILL. Argus is restarted without
the failpoint, the job runs again, and then:
  - every row's object exists in its tier, at its location, with the row's size and SHA-256;
  - no object (file in HOT/WARM, key in the bucket) is there without a row pointing at it;
  - no row has a stale copy noted, no object deletion is left queued;
  - no recording was lost (an expired one is gone, row and object);
  - one recording plays through its signed link (a Range request returns the right bytes).
Prints PASS/FAIL per case; exits 1 if any failed.  Run by scripts/storage-crash-test.sh.
"""
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import boto3

ARGUS_BIN = os.environ["ARGUS_BIN"]
S3 = os.environ["TEST_S3_ENDPOINT"]
SIZE = 12 * 1024 * 1024 + 4321
PASSWORD = "storage crash password 42"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def s3_client():
    return boto3.client("s3", endpoint_url=S3, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


class Argus:
    def __init__(self, case_dir, bucket, extra_env):
        self.dir, self.bucket = case_dir, bucket
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}"
        self.hot, self.warm = os.path.join(case_dir, "hot"), os.path.join(case_dir, "warm")
        self.db = os.path.join(case_dir, "argus.db")
        self.log = os.path.join(case_dir, "argus.log")
        self.env = dict(os.environ, DATABASE_URL=f"sqlite://{self.db}", ARGUS_DATA_DIR=case_dir,
                        ARGUS_BIND=f"127.0.0.1:{self.port}", ARGUS_ADMIN_PASSWORD=PASSWORD,
                        ARGUS_TIER_HOT_URL=f"file://{self.hot}", ARGUS_TIER_WARM_URL=f"file://{self.warm}",
                        ARGUS_TIER_COLD_URL=f"s3://{bucket}/cold", ARGUS_TIER_ARCHIVE_URL=f"s3://{bucket}/archive",
                        ARGUS_S3_ENDPOINT=S3, ARGUS_S3_ALLOW_HTTP="true", ARGUS_S3_REGION="us-east-1",
                        ARGUS_S3_ACCESS_KEY_ID="test", ARGUS_S3_SECRET_ACCESS_KEY="test",
                        ARGUS_LOG_FORMAT="json", **extra_env)
        self.env.pop("ARGUS_FAILPOINTS", None)
        self.proc, self.token = None, None

    def start(self, failpoint=None):
        env = dict(self.env)
        if failpoint:
            env["ARGUS_FAILPOINTS"] = f"{failpoint}=pause"
        self.log_offset = os.path.getsize(self.log) if os.path.exists(self.log) else 0
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([ARGUS_BIN, "serve"], env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.api}/readyz", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Argus did not start; see {self.log}")
                time.sleep(0.1)
        self.token = self.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})[1][
            "access_token"]

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()

    def call(self, method, path, body=None, headers=None, raw=False, timeout=60):
        req = urllib.request.Request(path if path.startswith("http") else self.api + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        req.add_header("content-type", "application/json")
        if self.token:
            req.add_header("authorization", f"Bearer {self.token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                data = resp.read()
                return resp.status, (data if raw else json.loads(data or b"null"))
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def wait_for_log(self, needle, times=1, limit=60):
        """Waits for `needle` `times` times in this run's log (the log is the event; polled as it grows)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with open(self.log, "rb") as f:
                f.seek(self.log_offset)
                if f.read().count(needle.encode()) >= times:
                    return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def sql(self, query, args=()):
        with sqlite3.connect(self.db, timeout=10) as c:
            return c.execute(query, args).fetchall()


def file_recording(argus, camera_id, name, days):
    """A recording filed on HOT as the ingest files it, ended `days` ago; returns (id, bytes)."""
    data = os.urandom(SIZE)
    path = os.path.join(argus.hot, camera_id, "2026/12/01", f"{name}.mp4")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    rid = str(uuid.uuid4())
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    ended = (now - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S.%f")
    argus.sql("INSERT INTO recordings (id, camera_id, started_at, ended_at, duration_ms, size_bytes, file_path,"
              " source_path, tier, checksum_sha256, created_at) VALUES (?,?,?,?,1000,?,?,?,'hot',?,?)",
              (rid, camera_id, ended, ended, SIZE, path, path, hashlib.sha256(data).hexdigest(),
               now.strftime("%Y-%m-%d %H:%M:%S.%f")))
    return rid, data


def objects(argus):
    """Every object in every tier: {(tier, key)}; keys as the rows name them."""
    found = set()
    for tier, root in (("hot", argus.hot), ("warm", argus.warm)):
        for d, _, files in os.walk(root):
            for f in files:
                path = os.path.join(d, f)
                found.add(("hot", path) if tier == "hot" else ("warm", os.path.relpath(path, root)))
    pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=argus.bucket)
    for page in pages:
        for o in page.get("Contents", []):
            tier, key = o["Key"].split("/", 1)
            found.add((tier, key))
    return found


def read_object(argus, tier, key):
    if tier == "hot":
        path = key
    elif tier == "warm":
        path = os.path.join(argus.warm, key)
    else:
        try:
            return s3_client().get_object(Bucket=argus.bucket, Key=f"{tier}/{key}")["Body"].read()
        except s3_client().exceptions.NoSuchKey:
            return None
    return open(path, "rb").read() if os.path.exists(path) else None


def verify(argus, expected):
    """Problems with the state after the recovery run; `expected`: {id: bytes} of the survivors."""
    problems = []
    rows = argus.sql("SELECT id, tier, location, file_path, size_bytes, checksum_sha256, stale_tier FROM recordings")
    if sorted(r[0] for r in rows) != sorted(expected):
        problems.append(f"recordings {sorted(r[0][:8] for r in rows)} != expected {sorted(i[:8] for i in expected)}")
    referenced = set()
    for rid, tier, location, file_path, size, sha, stale in rows:
        key = file_path if tier == "hot" else location
        referenced.add((tier, key))
        data = read_object(argus, tier, key)
        if data is None:
            problems.append(f"{rid[:8]}: no object in {tier} at {key}")
        elif len(data) != size or hashlib.sha256(data).hexdigest() != sha:
            problems.append(f"{rid[:8]}: object in {tier} does not match the row's size/sha256")
        elif data != expected.get(rid):
            problems.append(f"{rid[:8]}: object bytes differ from the recording's")
        if stale is not None:
            problems.append(f"{rid[:8]}: stale_tier {stale} left")
    orphans = objects(argus) - referenced
    if orphans:
        problems.append(f"objects without a row: {sorted(orphans)}")
    queued = argus.sql("SELECT COUNT(*) FROM object_deletions")[0][0]
    if queued:
        problems.append(f"{queued} object deletions left queued")
    # Playback of one recording through its signed link.
    rid = sorted(expected)[0]
    status, links = argus.call("GET", f"/api/v1/recordings/{rid}/links")
    if status != 200:
        problems.append(f"links of {rid[:8]}: {status} {links}")
    else:
        status, body = argus.call("GET", argus.api + links["stream_url"] if links["stream_url"].startswith("/")
                                  else links["stream_url"], headers={"range": "bytes=100-199"}, raw=True)
        if status != 206 or body != expected[rid][100:200]:
            problems.append(f"playback of {rid[:8]}: status {status}, right bytes: {body == expected[rid][100:200]}")
    return problems


def incomplete_uploads(bucket):
    return len(s3_client().list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def mid_step_state(argus):
    """What the kill left: the rows (tier/stale tier, oldest — the one moved first — first), partial files in WARM,
    incomplete uploads in the bucket, queued object deletions."""
    rows = [f"{t}/{st or '-'}" for t, st in argus.sql("SELECT tier, stale_tier FROM recordings ORDER BY ended_at")]
    partial = sum(1 for d, _, fs in os.walk(argus.warm) for f in fs if "#" in f)
    queued = argus.sql("SELECT COUNT(*) FROM object_deletions")[0][0]
    return {"rows": rows, "partial": partial, "uploads": incomplete_uploads(argus.bucket), "queued": queued}


def run_case(name, failpoint, days, mid, retention=None, reached=1):
    """`days`: how old each recording is (8: due for WARM; 31: due for COLD, in the bucket;
    400 with `retention` 365: expired). `mid`: what the kill must have left (see mid_step_state),
    so the process died exactly at the step. `reached`: how many times the step is reached before
    the kill (once per batch, or once per copy for `storage.copy_started`)."""
    case_dir = tempfile.mkdtemp(prefix=f"argus-crash-{name}.")
    bucket = f"argus-crash-{uuid.uuid4().hex[:12]}"
    s3_client().create_bucket(Bucket=bucket)
    extra = {"ARGUS_RETENTION_DAYS": str(retention)} if retention else {}
    argus = Argus(case_dir, bucket, extra)
    t0 = time.monotonic()
    try:
        argus.start(failpoint)
        camera = argus.call("POST", "/api/v1/cameras", {"name": name, "serial_number": f"CRASH-{name}"})[1]["id"]
        recordings = dict(file_recording(argus, camera, f"rec{i}", d) for i, d in enumerate(days))
        # The job answers when it finishes; here it never does, so it runs in the background.
        job = subprocess.Popen(["curl", "-sS", "-o", "/dev/null", "-X", "POST", f"{argus.api}/api/v1/jobs/storage/run",
                                "-H", f"authorization: Bearer {argus.token}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        reached = argus.wait_for_log(f"failpoint {failpoint} reached: pausing", times=reached)
        argus.kill9()
        job.wait()
        if not reached:
            return False, f"the failpoint was never reached (see {argus.log})"
        state = mid_step_state(argus)
        if state != mid:
            return False, f"killed at the wrong step: {state}, expected {mid} (see {argus.log})"
        argus.start()
        status, run = argus.call("POST", "/api/v1/jobs/storage/run", timeout=120)
        if status != 200 or run.get("outcome") != "ok":
            return False, f"recovery run: {status} {run}; killed at: {state}; see {argus.log}"
        expired = {rid for rid, d in zip(recordings, days) if retention and d > retention}
        survivors = {rid: data for rid, data in recordings.items() if rid not in expired}
        problems = verify(argus, survivors)
        tiers = sorted(t for (t,) in argus.sql("SELECT tier FROM recordings"))
        left = incomplete_uploads(bucket)
        detail = (f"killed at: {state}; after restart + run ({run.get('items')} items): tiers {tiers}, "
                  f"{len(expired)} expired, incomplete S3 uploads {left} ({time.monotonic() - t0:.1f} s)")
        if not problems:
            shutil.rmtree(case_dir, ignore_errors=True)
        return (not problems), (("; ".join(problems) + " | " + detail + f" | kept {case_dir}") if problems
                                else detail)
    finally:
        argus.stop()


def mid(rows, partial=0, uploads=0, queued=0):
    return {"rows": rows, "partial": partial, "uploads": uploads, "queued": queued}


# (name, step, ages in days, what the kill leaves, retention days, times the step is reached).
# A run takes each step for a whole batch at once, and both recordings of a move case are in one
# batch: both are marked, copied (concurrently: each pauses at its own `copy_started`) and
# committed together, and the kill leaves both at the step.
CASES = [
    # HOT → WARM (a local directory): a partial staging file each; verified copies; the rows moved.
    ("hot-warm-copy-started", "storage.copy_started", [8, 8], mid(["hot/warm", "hot/warm"], partial=2), None, 2),
    ("hot-warm-copied", "storage.copied", [8, 8], mid(["hot/warm", "hot/warm"]), None, 1),
    ("hot-warm-committed", "storage.committed", [8, 8], mid(["warm/hot", "warm/hot"]), None, 1),
    # HOT → COLD (the bucket), multipart uploads: their first part uploaded; complete; the rows moved.
    ("hot-s3-copy-started", "storage.copy_started", [31, 31], mid(["hot/cold", "hot/cold"], uploads=2), None, 2),
    ("hot-s3-copied", "storage.copied", [31, 31], mid(["hot/cold", "hot/cold"]), None, 1),
    ("hot-s3-committed", "storage.committed", [31, 31], mid(["cold/hot", "cold/hot"]), None, 1),
    # Expiry: the row is deleted and its object queued, not yet deleted. One expires (a batch of
    # its own: expiry is a stage before the moves), one moves.
    ("expire-row-deleted", "storage.expire_row_deleted", [400, 8], mid(["hot/-"], queued=1), 365, 1),
]


def main():
    failed = 0
    only = sys.argv[1:]
    for name, failpoint, days, expected_mid, retention, reached in CASES:
        if only and name not in only:
            continue
        try:
            ok, detail = run_case(name, failpoint, days, expected_mid, retention, reached)
        except Exception as e:  # a broken case is a failed case, reported as such
            ok, detail = False, f"{type(e).__name__}: {e}"
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)
        failed += not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
