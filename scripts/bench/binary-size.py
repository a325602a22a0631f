#!/usr/bin/env python3
"""Where the static binary's bytes go, from the linker's map.

    scripts/build-release.sh -Xlinker -Map=/tmp/lighter.map
    scripts/bench/binary-size.py /tmp/lighter.map [TOP]        (default TOP 15)

Every input section the link kept (allocated and in the file: no .bss/.tbss, no debug info) is
attributed to the SwiftPM target (`<Target>.build/`) or the static archive (`libX.a`) it came from,
and grouped by kind. Unwind tables (.eh_frame, .eh_frame_hdr) are merged by the linker and so are
listed as one row of their own.
"""
import collections, re, sys

ARCHIVES = {"swiftCore": "Swift stdlib + runtime", "c": "glibc", "swift_RegexParser": "_RegexParser (regex engine)",
            "swift_StringProcessing": "_StringProcessing (regex engine)", "FoundationEssentials": "FoundationEssentials",
            "_FoundationCollections": "_FoundationCollections", "sqlite3": "SQLite", "mbedcrypto": "mbedTLS (crypto)",
            "mbedtls": "mbedTLS (TLS)", "mbedx509": "mbedTLS (X.509)", "crypto": "OpenSSL libcrypto (SHA-256)"}
KINDS = [("code", lambda s: s.startswith(".text") or s in (".init", ".fini", ".plt")),
         ("rodata", lambda s: s.startswith(".rodata")),
         ("swift5 metadata", lambda s: s.startswith("swift5") or s == ".swift_modhash"),
         ("data", lambda s: s.startswith(".data") or s in (".got", ".got.plt", ".init_array", ".fini_array", ".tdata"))]
SKIPPED = (".bss", ".tbss", ".comment", ".note", ".debug", ".symtab", ".strtab", ".shstrtab")


def owner(path):
    m = re.search(r"/([A-Za-z0-9_]+)\.build/", path)
    if m:
        return m.group(1)
    m = re.search(r"lib([A-Za-z0-9_+-]+)\.a\(", path)
    if m:
        return ARCHIVES.get(m.group(1), "lib" + m.group(1))
    return "startup objects, linker"


def main():
    lines = open(sys.argv[1]).read().split("\n")
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    start = next(i for i, line in enumerate(lines) if line.startswith("Memory map"))
    sizes = collections.defaultdict(collections.Counter)  # output section -> owner -> bytes
    unwind = 0
    section, pending = None, None
    for line in lines[start:]:
        if line and not line.startswith(" "):
            parts = line.split()
            section, pending = parts[0], None
            if section.startswith(".eh_frame") and len(parts) >= 3:
                unwind += int(parts[2], 16)
            continue
        if section is None or section.startswith(SKIPPED) or section.startswith(".eh_frame"):
            continue
        m = re.match(r"^ (\S+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if m:
            sizes[section][owner(m.group(3))] += int(m.group(2), 16)
            pending = None
            continue
        m = re.match(r"^ (\S+)$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if m and pending:
            sizes[section][owner(m.group(2))] += int(m.group(1), 16)
            pending = None
    totals = collections.Counter()
    for counter in sizes.values():
        totals.update(counter)
    mib = 1 << 20
    print(f"attributed {sum(totals.values()) / mib:.2f} MiB + unwind tables {unwind / mib:.2f} MiB")
    print("| # | from | MiB | " + " | ".join(kind for kind, _ in KINDS) + " |")
    print("|---:|---|---:|" + "---:|" * len(KINDS))
    for rank, (name, total) in enumerate(totals.most_common(top), 1):
        kinds = [sum(c.get(name, 0) for s, c in sizes.items() if test(s)) / mib for _, test in KINDS]
        print(f"| {rank} | {name} | {total / mib:.2f} | " + " | ".join(f"{k:.2f}" for k in kinds) + " |")
    rest = sum(v for _, v in totals.most_common()[top:])
    print(f"| | everything else | {rest / mib:.2f} | |")
    print(f"| | unwind tables (.eh_frame, .eh_frame_hdr; all of the above) | {unwind / mib:.2f} | |")


if __name__ == "__main__":
    main()
