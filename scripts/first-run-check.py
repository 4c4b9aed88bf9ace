#!/usr/bin/env python3
"""What a new user does, checked: a clean clone, the README's first command (scripts/up.sh) with
no ARGUS_*, DATABASE_URL or REDIS_URL variable set, then the printed URL and admin password, a
camera created through the API, a test stream published to its generated RTMP URL, the camera
online. Uses the default ports (8080, 1935, 1936, 8088) and the default ./data folder of the
clone. Prints "first-run: N passed, N failed" last.

CARGO_TARGET_DIR is passed through (a build cache, not a setting of Argus), so CI does not build
every dependency a second time.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_TIMEOUT = 30 * 60
STEP_TIMEOUT = 30


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("ARGUS_") or k in ("DATABASE_URL", "REDIS_URL"))}
    return env


def request(method, url, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def wait_for(what, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Output:
    """Collects the platform's output lines as they arrive, so the test waits on them."""

    def __init__(self, stream, log):
        self.lines = []
        self.lock = threading.Lock()
        threading.Thread(target=self._pump, args=(stream, log), daemon=True).start()

    def _pump(self, stream, log):
        for raw in stream:
            line = raw.decode(errors="replace").rstrip("\n")
            log.write(line + "\n")
            log.flush()
            with self.lock:
                self.lines.append(line)

    def find(self, pattern):
        with self.lock:
            for line in self.lines:
                m = re.search(pattern, line)
                if m:
                    return m
        return None


def main():
    results = []
    work = tempfile.mkdtemp(prefix="argus-first-run-")
    clone = os.path.join(work, "argus")
    log_path = os.path.join(work, "up.log")
    subprocess.run(["git", "clone", "--quiet", REPO, clone], check=True)
    log = open(log_path, "w")
    proc = subprocess.Popen(["./scripts/up.sh"], cwd=clone, env=clean_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    out = Output(proc.stdout, log)
    ffmpeg = None
    ctx = {}

    def step(name, fn):
        if results and results[-1][1] != "passed":
            results.append((name, "skipped"))
            print(f"  - SKIP {name}")
            return
        t0 = time.monotonic()
        try:
            fn()
            results.append((name, "passed"))
            print(f"  ok   {name} ({time.monotonic() - t0:.1f} s)")
        except Exception as e:  # noqa: BLE001 - every failure is reported with its step
            results.append((name, "failed"))
            print(f"  FAIL {name}: {e}")

    def comes_up():
        def ready():
            if proc.poll() is not None:
                raise AssertionError(f"up.sh exited with {proc.returncode} before the platform was up")
            return out.find(r"^Argus is up\.")
        wait_for("'Argus is up.'", ready, BUILD_TIMEOUT)
        url = out.find(r"dashboard \+ API\s+(http://\S+)")
        password = out.find(r"^\s*password: (\S+)")
        assert url, "no dashboard URL printed"
        assert password, "no first admin password printed"
        ctx["base"] = url.group(1).rstrip("/")
        ctx["password"] = password.group(1)

    def dashboard_served():
        status, headers, body = request("GET", ctx["base"] + "/")
        assert status == 200, f"GET / answered {status}"
        assert b'id="root"' in body, "GET / is not the dashboard's index.html"
        status, _, _ = request("GET", ctx["base"] + "/cameras")
        assert status == 200, f"a client route answered {status}"

    def data_in_the_clone():
        db = os.path.join(clone, "data", "argus.db")
        assert os.path.isfile(db), f"{db} missing: the default data dir is not ./data of the clone"

    def login():
        status, _, body = request("POST", ctx["base"] + "/api/v1/auth/login",
                                  body={"username": "admin", "password": ctx["password"]})
        assert status == 200, f"login answered {status}: {body[:200]!r}"
        ctx["token"] = json.loads(body)["access_token"]

    def create_camera():
        status, _, body = request("POST", ctx["base"] + "/api/v1/cameras", ctx["token"],
                                  {"name": "First run", "serial_number": f"FIRST-{os.getpid()}"})
        assert status == 201, f"create camera answered {status}: {body[:200]!r}"
        camera = json.loads(body)
        assert camera.get("rtmp_url", "").startswith("rtmp://"), camera
        ctx["camera"] = camera

    def goes_online():
        nonlocal ffmpeg
        ffmpeg = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
             "testsrc2=size=640x360:rate=25", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
             "-t", "60", "-f", "flv", ctx["camera"]["rtmp_url"]],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def online():
            assert ffmpeg.poll() is None, f"the publisher exited ({ffmpeg.returncode}): refused?"
            status, _, body = request("GET", f"{ctx['base']}/api/v1/cameras/{ctx['camera']['id']}", ctx["token"])
            return status == 200 and json.loads(body)["stream_status"] == "online"
        wait_for("the camera to turn online", online, STEP_TIMEOUT)

    def stops_cleanly():
        os.killpg(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=30)
        assert code == 0, f"up.sh exited with {code} after Ctrl-C"

    try:
        step("clean clone: ./scripts/up.sh prints the URL and the admin password", comes_up)
        step("the embedded dashboard is served", dashboard_served)
        step("the database lives in ./data of the clone", data_in_the_clone)
        step("log in with the printed password", login)
        step("create a camera", create_camera)
        step("publish to its RTMP URL: the camera turns online", goes_online)
        step("Ctrl-C stops the platform cleanly", stops_cleanly)
    finally:
        if ffmpeg and ffmpeg.poll() is None:
            ffmpeg.kill()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    passed = sum(1 for _, s in results if s == "passed")
    failed = sum(1 for _, s in results if s == "failed")
    if failed:
        print(f"log of up.sh: {log_path}\n---- last lines ----")
        with open(log_path) as f:
            print("".join(f.readlines()[-40:]))
    else:
        subprocess.run(["rm", "-rf", work])
    print(f"first-run: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
