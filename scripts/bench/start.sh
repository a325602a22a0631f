#!/usr/bin/env bash
# Start latency of `run --rm busybox true`: Lighter's rows added to ../shared/anchors/bench-start.sh
# (crun, runc, ctr, podman, docker) so that every engine is timed in the same run.
#   scripts/bench/start.sh                 (RUNS, WARMUP, ARCHES, NICE as bench-start.sh takes them)
# Needs root, the anchors' setup.sh once, and the release binary (scripts/build-release.sh).
# Lighter's bridge row runs inside the anchors' own network namespace ($RIG_NETNS, no uplink):
# the host's links and firewall are never touched.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
anchors=${ANCHORS:-$top/../shared/anchors}
bin=${LIGHTER:-$top/.build/release/lighter-stripped}
root=${LIGHTER_BENCH_ROOT:-/tmp/lighter-bench-start}
[ -x "$bin" ] || { echo "build the release binary first: scripts/build-release.sh" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
# shellcheck source=/dev/null
. "$anchors/rig-env.sh"
ensure_netns
for arch in amd64 arm64; do
    fixture=$top/.fixtures/busybox-$arch.tar
    [ -f "$fixture" ] || "$top/scripts/busybox-rootfs.sh" "$arch" "$fixture" >/dev/null
    LIGHTER_ROOT=$root "$bin" image inspect "busybox:$arch" >/dev/null 2>&1 \
        || LIGHTER_ROOT=$root "$bin" import --platform "linux/$arch" "$fixture" "busybox:$arch" >/dev/null
done
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
cat >"$rows" <<EOF
lighter runtime run (runc's bundle){arch}|$bin runtime run --bundle $RIG/bundles/runc-{arch} lighter-bench-{arch}
lighter run --rm --network none{arch}|$bin --root $root run --rm --network none busybox:{arch} true
lighter run --rm (bridge){arch}|nsenter --net=$RIG_NETNS $bin --root $root run --rm busybox:{arch} true
EOF
echo "lighter: $bin ($(stat -c %s "$bin") bytes), root $root" >&2
EXTRA_ROWS=$rows "$anchors/bench-start.sh"
