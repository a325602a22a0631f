#!/usr/bin/env python3
# A docker-archive (docker save / lighter save) summarised for BuildDifferentialTests: the config fields a
# Dockerfile sets, os/architecture, which history entries are empty layers, and every layer's entries
# (path, type, permission bits, owner, link target, the first 12 hex digits of a file's SHA-256), sorted;
# timestamps left out. usage: summarize.py ARCHIVE
import hashlib, io, json, sys, tarfile

def entries(data):
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
        for m in t.getmembers():
            name = m.name[2:] if m.name.startswith("./") else m.name
            name = name.rstrip("/")
            if name in ("", "."):
                continue
            kind = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.DIRTYPE: "d", tarfile.SYMTYPE: "l", tarfile.LNKTYPE: "h"}.get(m.type, m.type.decode() if isinstance(m.type, bytes) else str(m.type))
            digest = hashlib.sha256(t.extractfile(m).read()).hexdigest()[:12] if m.isreg() else ""
            out.append(f"{name} {kind} {m.mode & 0o7777:o} {m.uid}:{m.gid} {m.linkname} {digest}".rstrip())
    return sorted(out)

with tarfile.open(sys.argv[1]) as archive:
    files = {m.name: m for m in archive.getmembers()}
    read = lambda name: archive.extractfile(files[name]).read()
    manifest = json.loads(read("manifest.json"))[0]
    config = json.loads(read(manifest["Config"]))
    c = config.get("config") or {}
    keys = ["Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Volumes", "Labels", "StopSignal", "Healthcheck", "OnBuild", "Shell"]
    summary = {"config": {k: c.get(k) for k in keys if c.get(k) not in (None, "", [], {})},
               "os": config.get("os"), "architecture": config.get("architecture"),
               "history": [bool(h.get("empty_layer")) for h in config.get("history", [])],
               "layers": [entries(read(layer)) for layer in manifest["Layers"]]}
    print(json.dumps(summary, indent=1, sort_keys=True))
