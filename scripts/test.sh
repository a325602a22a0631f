#!/bin/sh
# Run every test: installs what the tests need (apt-get), builds the fixtures and the binary,
# then `swift test`. Must run as root (the tests mount, unshare and create cgroups).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
command -v swift >/dev/null 2>&1 || PATH="$PATH:/opt/swift/usr/bin"
[ "$(id -u)" = 0 ] || { echo "scripts/test.sh: run as root (tests use mounts, namespaces and cgroups)" >&2; exit 1; }
scripts/install-deps.sh
scripts/fixtures.sh
swift build
# The static binary too: some tests run it where the debug build cannot go (`run --init` mounts it
# into a container, where the Swift runtime's shared libraries are not).
scripts/build-release.sh
swift test "$@"
# A full run also packages the static binary as a .deb and checks its control, contents, unit syntax
# and that the unpacked binary runs `info` (scripts/check-deb.sh; installs nothing).
if [ $# = 0 ]; then
    COMPRESSION=gzip scripts/check-deb.sh
fi
# A full run also fuzzes every parser of outside input for a short while (scripts/fuzz/: libFuzzer and
# ASan, ~30 s per target, LIGHTER_FUZZ_SECONDS to change) and kills operations at random moments on a
# private root (scripts/chaos/kill-anywhere.sh, 24 kills over its 16 operations, at most 2 minutes). LIGHTER_SKIP_FUZZ=1 skips both.
if [ $# = 0 ] && [ -z "${LIGHTER_SKIP_FUZZ:-}" ]; then
    scripts/fuzz/run.sh "${LIGHTER_FUZZ_SECONDS:-30}"
    LIGHTER_CHAOS_SECONDS=120 scripts/chaos/kill-anywhere.sh 24
fi
# A full run also boots the cgroup v2 test VM (scripts/testvm/: Debian's kernel under qemu's TCG,
# cgroup2 alone) and runs the cgroup, OOM, pids, freezer, CLONE_INTO_CGROUP and leak tests there,
# then cuts its power 4 times during pulls from a registry inside it (scripts/chaos/power-cut.sh with
# LIGHTER_POWERCUT_OPS=pull, ~2 minutes; the long runs: docs/RELIABILITY.md).
if [ $# = 0 ] && [ -z "${LIGHTER_SKIP_TESTVM:-}" ]; then
    scripts/testvm/run.sh
    LIGHTER_POWERCUT_OPS=pull scripts/chaos/power-cut.sh 4
fi
