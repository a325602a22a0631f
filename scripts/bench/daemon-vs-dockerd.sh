#!/bin/bash
# `lighter daemon` beside the anchors' dockerd + containerd, in one run, both driven by Debian's docker
# 20.10 CLI with containers on --network none: idle memory of each daemon, `docker run --rm busybox true`
# (interleaved), PSS of everything that keeps 10 containers running (daemon + monitors; dockerd +
# containerd + shims), and `docker ps` with 50 containers.
#   scripts/bench/daemon-vs-dockerd.sh [RUNS]        (default 10 timed runs of each command)
# Needs the release binary (scripts/build-release.sh; LIGHTER_BIN overrides) and the anchors
# (ANCHORS=../shared/anchors: start-dockerd.sh, stop-dockerd.sh; dockerd lives in the rig's netns).
# Everything it starts it removes: both daemons' containers, the lighter daemon, dockerd and containerd.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-10}
bin=${LIGHTER_BIN:-"$top/.build/release/lighter"}
anchors=${ANCHORS:-"$top/../shared/anchors"}
[ -x "$bin" ] || { echo "build the release binary first (scripts/build-release.sh)" >&2; exit 1; }
[ -x "$anchors/start-dockerd.sh" ] || { echo "no anchors at $anchors (set ANCHORS=)" >&2; exit 1; }
# shellcheck source=/dev/null
. "$anchors/rig-env.sh"
client=/usr/bin/docker
work=$(mktemp -d /tmp/lighter-bench-vs.XXXXXX)
sock="$work/d.sock"
export LIGHTER_ROOT="$work/root" LIGHTER_DEFAULT_NETWORK=none DOCKER_CONFIG="$work/client"
D=("$client" -H "unix://$RIG_DOCKER_SOCK")
L=("$client" -H "unix://$sock")
daemon=""
cleanup() {
    ids=$("${D[@]}" ps -aq 2>/dev/null || true); [ -z "$ids" ] || "${D[@]}" rm -f $ids >/dev/null 2>&1 || true
    ids=$("$bin" ps -aq 2>/dev/null || true); [ -z "$ids" ] || "$bin" rm -f $ids >/dev/null 2>&1 || true
    [ -z "$daemon" ] || { kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; }
    "$anchors/stop-dockerd.sh" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

"$anchors/start-dockerd.sh" 2>/dev/null
"${D[@]}" import -c 'CMD ["/bin/sh"]' "$top/.fixtures/busybox-amd64.tar" busybox:latest >/dev/null
"$bin" import --platform linux/amd64 -c 'CMD ["/bin/sh"]' "$top/.fixtures/busybox-amd64.tar" busybox:latest >/dev/null
"$bin" daemon -H "unix://$sock" 2>"$work/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
dockerd=$(cat "$RIG/docker/dockerd.pid"); containerd=$(cat "$RIG/containerd/containerd.pid")
sleep 2

kib() { awk -v f="$2" '$1 == f":" {s += $2} END {print s + 0}' "/proc/$1/smaps_rollup"; }
uss() { echo $(( $(kib "$1" Private_Clean) + $(kib "$1" Private_Dirty) )); }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
pss_sum() { local t=0 p; for p in "$@"; do t=$((t + $(kib "$p" Pss))); done; echo "$t"; }
shims() { pgrep -f "containerd-shim-runc-v2 .*$RIG/containerd" || true; }
monitors() { pgrep -f -- "__monitor $LIGHTER_ROOT" || true; }

echo "| what | lighter daemon | dockerd + containerd |"
echo "|---|---:|---:|"
row "idle RSS MiB" "$(mib "$(kib "$daemon" Rss)")" "$(mib $(( $(kib "$dockerd" Rss) + $(kib "$containerd" Rss) )))"
row "idle USS MiB" "$(mib "$(uss "$daemon")")" "$(mib $(( $(uss "$dockerd") + $(uss "$containerd") )))"

lt=""; dt=""
for _ in $(seq "$runs"); do
    lt+="$(ms "${L[@]}" run --rm --network none busybox true) "
    dt+="$(ms "${D[@]}" run --rm --network none busybox true) "
done
row "\`docker run --rm busybox true\`, median ms of $runs (interleaved)" "$(tr ' ' '\n' <<<"$lt" | grep . | median)" "$(tr ' ' '\n' <<<"$dt" | grep . | median)"

for _ in $(seq 10); do
    "${L[@]}" run -d --network none busybox sleep 3600 >/dev/null
    "${D[@]}" run -d --network none busybox sleep 3600 >/dev/null
done
sleep 2
# shellcheck disable=SC2046
row "PSS MiB keeping 10 containers (daemon + monitors; dockerd + containerd + shims)" \
    "$(mib "$(pss_sum "$daemon" $(monitors))")" "$(mib "$(pss_sum "$dockerd" "$containerd" $(shims))")"
for _ in $(seq 40); do
    "${L[@]}" run -d --network none busybox sleep 3600 >/dev/null
    "${D[@]}" run -d --network none busybox sleep 3600 >/dev/null
done
lt=""; dt=""
for _ in $(seq "$runs"); do
    lt+="$(ms "${L[@]}" ps) "
    dt+="$(ms "${D[@]}" ps) "
done
row "\`docker ps\` with 50 containers, median ms of $runs (interleaved)" "$(tr ' ' '\n' <<<"$lt" | grep . | median)" "$(tr ' ' '\n' <<<"$dt" | grep . | median)"
# The same list without the docker CLI's own start: the daemon's answer alone (curl, microseconds).
api() { curl -s -o /dev/null -w '%{time_total}\n' --unix-socket "$1" "http://d/v1.41/containers/json" | awk '{printf "%d", $1 * 1000000}'; }
lt=""; dt=""
for _ in $(seq "$runs"); do
    lt+="$(api "$sock") "
    dt+="$(api "$RIG_DOCKER_SOCK") "
done
row "GET /containers/json with 50 containers (curl), median µs of $runs (interleaved)" "$(tr ' ' '\n' <<<"$lt" | grep . | median)" "$(tr ' ' '\n' <<<"$dt" | grep . | median)"
lt=""
for _ in $(seq "$runs"); do lt+="$(ms "${L[@]}" version) "; done
row "\`docker version\` (the CLI's own start and one round trip), median ms of $runs" "$(tr ' ' '\n' <<<"$lt" | grep . | median)" "–"
row "daemon RSS MiB with 50 containers" "$(mib "$(kib "$daemon" Rss)")" "$(mib $(( $(kib "$dockerd" Rss) + $(kib "$containerd" Rss) )))"
