#!/usr/bin/env python3
"""Load on `lighter daemon`: its memory (smaps_rollup) idle, then after 1,000 requests from 50 clients at
once (keep-alive, each 20 requests over /_ping, /version, /containers/json, /images/json), twice.
   scripts/bench/daemon-load.py SOCKET PID   (scripts/bench/daemon.sh starts the daemon)"""
import socket, threading, time, sys, subprocess, statistics
sock = sys.argv[1]; pid = int(sys.argv[2])
def mem(pid):
    d = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        p = line.split()
        if len(p) >= 2 and p[0].endswith(':') and p[1].isdigit(): d[p[0][:-1]] = int(p[1])
    uss = d.get('Private_Clean', 0) + d.get('Private_Dirty', 0)
    # USS counts the binary's file pages as private while no other lighter process maps them;
    # Anonymous (heap, stacks) is what the daemon itself costs beyond the shared binary.
    return (f"RSS {d['Rss']/1024:.1f} MiB, PSS {d['Pss']/1024:.1f} MiB, USS {uss/1024:.1f} MiB "
            f"(file-backed {(uss - d.get('Anonymous', 0))/1024:.1f}, anonymous {d.get('Anonymous', 0)/1024:.1f} MiB)")
def threads(pid): return len(__import__('os').listdir(f"/proc/{pid}/task"))
print("idle:", mem(pid), "threads", threads(pid))
paths = ["/_ping", "/v1.41/version", "/v1.41/containers/json?all=1", "/v1.41/images/json"]
errors = []; lat = []
lock = threading.Lock()
def client(n, k):
    s = socket.socket(socket.AF_UNIX); s.connect(sock); f = s.makefile('rb')
    for i in range(k):
        p = paths[(n + i) % len(paths)]
        t = time.time()
        s.sendall(f"GET {p} HTTP/1.1\r\nHost: d\r\n\r\n".encode())
        status = f.readline(); length = 0
        while True:
            h = f.readline()
            if h in (b"\r\n", b""): break
            if h.lower().startswith(b"content-length:"): length = int(h.split(b":")[1])
        f.read(length)
        with lock:
            lat.append(time.time() - t)
            if not status.startswith(b"HTTP/1.1 200"): errors.append(status)
    s.close()
def burst():
    global lat, errors
    lat = []; errors = []
    t0 = time.time()
    ts = [threading.Thread(target=client, args=(n, 20)) for n in range(50)]
    [t.start() for t in ts]
    peak = 0
    while any(t.is_alive() for t in ts):
        peak = max(peak, threads(pid)); time.sleep(0.01)
    [t.join() for t in ts]
    el = time.time() - t0
    lat.sort()
    print(f"1000 requests, 50 clients: {el:.2f} s, {1000/el:.0f} req/s, p50 {lat[500]*1000:.1f} ms, p99 {lat[990]*1000:.1f} ms, errors {len(errors)}, peak threads {peak}")
    time.sleep(1)
    print("after:", mem(pid), "threads", threads(pid))
burst()
burst()
