#!/bin/bash
# `lighter daemon`: footprint idle and under load, and `docker run --rm busybox true` through it.
#   scripts/bench/daemon.sh [RUNS]     (RUNS of each timed command, default 10; prints medians)
# Needs the release binary (scripts/build-release.sh; LIGHTER_BIN overrides), a docker CLI and python3.
# Containers run with --network none (no bridge) in a throwaway data root; nothing stays behind.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-10}
bin=${LIGHTER_BIN:-"$top/.build/release/lighter"}
[ -x "$bin" ] || { echo "build the release binary first (scripts/build-release.sh)" >&2; exit 1; }
work=$(mktemp -d /tmp/lighter-bench-daemon.XXXXXX)
sock="$work/d.sock"
export LIGHTER_ROOT="$work/root" LIGHTER_DEFAULT_NETWORK=none DOCKER_CONFIG="$work/client"
"$bin" import --platform linux/amd64 -c 'CMD ["/bin/sh"]' "$top/.fixtures/busybox-amd64.tar" busybox:latest >/dev/null
"$bin" daemon -H "unix://$sock" 2>"$work/daemon.log" &
daemon=$!
cleanup() {
    kill "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
    ids=$("$bin" ps -aq); [ -z "$ids" ] || "$bin" rm -f $ids >/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
sleep 1
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
python3 "$top/scripts/bench/daemon-load.py" "$sock" "$daemon"
for client in /usr/bin/docker /usr/local/bin/docker; do
    [ -x "$client" ] || continue
    t=$(for _ in $(seq "$runs"); do ms "$client" -H "unix://$sock" run --rm busybox true; done | median)
    echo "$client run --rm busybox true through the daemon: median ${t} ms of $runs"
done
t=$(for _ in $(seq "$runs"); do ms "$bin" run --rm busybox true; done | median)
echo "lighter run --rm busybox true (no daemon involved): median ${t} ms of $runs"
# Ten detached containers: the daemon and every monitor together (PSS counts shared pages once overall).
client=$(command -v docker)
for i in $(seq 10); do "$client" -H "unix://$sock" run -d busybox sleep 600 >/dev/null; done
pss=0; n=0
for pid in $daemon $(pgrep -f -- "__monitor $LIGHTER_ROOT" || true); do
    p=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup"); pss=$((pss + p)); n=$((n + 1))
done
echo "daemon + $((n - 1)) monitors with 10 containers: PSS $((pss / 1024)) MiB"
t=$(for _ in $(seq "$runs"); do ms "$client" -H "unix://$sock" ps; done | median)
echo "$client ps with 10 containers running: median ${t} ms of $runs"
