#!/usr/bin/env python3
"""Start latency, crun against Lighter, alternated run by run so that both see the same machine.

    scripts/bench/start-paired.py [ROUNDS]      (default 200; needs root and the anchors' bundles)

Each round runs `crun run` on the anchors' bundle, `lighter runtime run` on runc's bundle and
`lighter run --rm --network none busybox true`, in turn, and prints the medians and their ratios.
"""
import os, statistics, subprocess, sys, time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rig = os.environ.get("RIG", "/tmp/rig")
lighter = os.environ.get("LIGHTER", os.path.join(top, ".build/release/lighter-stripped"))
root = os.environ.get("LIGHTER_BENCH_ROOT", "/tmp/lighter-bench-start")
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
commands = {
    "crun run (bundle)": ["crun", "run", "--bundle", f"{rig}/bundles/crun-amd64", "paired-crun"],
    "lighter runtime run": [lighter, "runtime", "run", "--bundle", f"{rig}/bundles/runc-amd64", "paired-lighter"],
    "lighter run --rm --network none": [lighter, "--root", root, "run", "--rm", "--network", "none", "busybox:amd64", "true"],
}
times = {name: [] for name in commands}
for round in range(rounds + 5):
    for name, argv in commands.items():
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if round >= 5:
            times[name].append((time.perf_counter() - start) * 1000)
base = statistics.median(times["crun run (bundle)"])
print(f"| command | median ms | mean ms | × crun (median) |  ({rounds} alternated rounds, load {os.getloadavg()[0]:.2f})")
print("|---|---:|---:|---:|")
for name, values in times.items():
    print(f"| {name} | {statistics.median(values):.1f} | {statistics.mean(values):.1f} | {statistics.median(values) / base:.2f} |")
