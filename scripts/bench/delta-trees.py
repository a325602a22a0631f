#!/usr/bin/env python3
"""Make the v2 trees of the delta benchmark from a v1 tree (deterministic, seeded).

delta-trees.py app  V1 V2 FILE   -- (a) one application binary changed: FILE (a few MiB) gets
                                   100 scattered 64-byte edits and 4 KiB inserted at a third of
                                   its length (offsets shift, as after a rebuild)
delta-trees.py base V1 V2 N      -- (b) a base update: every (count/N)-th regular file of the sorted
                                   tree edited (3 x 16 bytes changed, 100 bytes appended)
"""
import os, random, shutil, sys

def edit(data, rng, edits, size):
    data = bytearray(data)
    for _ in range(edits):
        if len(data) <= size:
            break
        at = rng.randrange(0, len(data) - size)
        data[at:at + size] = rng.randbytes(size)
    return data

def main():
    mode, v1, v2, arg = sys.argv[1:5]
    rng = random.Random(16)
    if os.path.exists(v2):
        shutil.rmtree(v2)
    shutil.copytree(v1, v2, symlinks=True)
    if mode == "app":
        path = os.path.join(v2, arg.lstrip("/"))
        data = edit(open(path, "rb").read(), rng, 100, 64)
        third = len(data) // 3
        data[third:third] = rng.randbytes(4096)
        open(path, "wb").write(data)
        print(f"changed {arg}: {len(data)} bytes")
    else:
        files = []
        for root, dirs, names in os.walk(v2):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(root, name)
                if os.path.isfile(path) and not os.path.islink(path) and os.path.getsize(path) > 0:
                    files.append(path)
        step = max(1, len(files) // int(arg))
        chosen = files[::step][:int(arg)]
        for path in chosen:
            data = edit(open(path, "rb").read(), rng, 3, 16) + rng.randbytes(100)
            open(path, "wb").write(data)
        print(f"changed {len(chosen)} of {len(files)} files")

main()
