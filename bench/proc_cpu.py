#!/usr/bin/env python3
"""CPU by process kind over a fixed window, from /proc/PID/stat (utime + stime deltas).

Usage: proc_cpu.py SECONDS ROOT_PID [PUBLISHER_PID...]
Every descendant of ROOT_PID (and ROOT_PID itself) is classified:
  control   ROOT_PID when it is `argus` (the API and control plane: `argus up` / `serve`)
  nginx     any nginx process (master, worker, cache manager)
  wrapper   `argus transcode` (one per live camera)
  ffmpeg    FFmpeg started by a wrapper (a transcoder)
  probe     ffprobe started by a wrapper
  other     anything else
PUBLISHER_PIDs are reported as `publishers`. Prints one JSON object:
{"kind": {"cpu_pct": % of one core, "procs": n}, ..., "root_rss_kb": n}.
"""
import json
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def read_procs():
    procs = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        except OSError:
            continue
        # comm may contain spaces and parentheses: split after the last ')'.
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        ppid, utime, stime = int(fields[1]), int(fields[11]), int(fields[12])
        procs[pid] = {"ppid": ppid, "comm": comm, "argv": argv, "ticks": utime + stime}
    return procs


def classify(procs, root, publishers):
    kinds = {}
    for pid in publishers:
        if pid in procs:
            kinds[pid] = "publishers"
    children = {}
    for pid, p in procs.items():
        children.setdefault(p["ppid"], []).append(pid)
    stack = [root]
    while stack:
        pid = stack.pop()
        p = procs.get(pid)
        if p is None:
            continue
        stack.extend(children.get(pid, []))
        parent = procs.get(p["ppid"], {})
        exe = os.path.basename(p["argv"][0]) if p["argv"] else p["comm"]
        if p["comm"] == "nginx" or exe.startswith("nginx"):
            kind = "nginx"
        elif "transcode" in p["argv"][1:2]:
            kind = "wrapper"
        elif pid == root and exe == "argus":
            kind = "control"
        elif exe == "ffmpeg" and "transcode" in parent.get("argv", [])[1:2]:
            kind = "ffmpeg"
        elif exe == "ffprobe":
            kind = "probe"
        else:
            kind = "other"
        kinds[pid] = kind
    return kinds


def main():
    window, root = float(sys.argv[1]), int(sys.argv[2])
    publishers = [int(p) for p in sys.argv[3:]]
    before = read_procs()
    started = time.monotonic()
    time.sleep(window)
    after = read_procs()
    elapsed = time.monotonic() - started
    kinds = classify(after, root, publishers)
    out = {}
    for pid, kind in kinds.items():
        delta = after[pid]["ticks"] - before.get(pid, {"ticks": 0})["ticks"]
        entry = out.setdefault(kind, {"cpu_pct": 0.0, "procs": 0})
        entry["cpu_pct"] += delta / TICK / elapsed * 100
        entry["procs"] += 1
    for entry in out.values():
        entry["cpu_pct"] = round(entry["cpu_pct"], 2)
    try:
        with open(f"/proc/{root}/status") as f:
            out["root_rss_kb"] = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    except (OSError, StopIteration):
        out["root_rss_kb"] = 0
    print(json.dumps(out))


if __name__ == "__main__":
    main()
