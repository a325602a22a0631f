#!/bin/bash
# Soak (issue #17; a script, not in CI): on a private data root, inside a private network namespace
# (so the bridge, veths and the `ip lighter` nftables table it makes touch no other root's), three
# loads, each followed by a count of what is left:
#   1. RUNS `run --rm` (default 300), PARALLEL at a time (default 20), on a bridge network (a veth each);
#   2. a `--restart always` container that exits every second, for RESTART_SECONDS (default 180):
#      restarts counted, its monitor's USS (private memory, smaps_rollup) at the start and the end;
#   3. a container logging numbered lines as fast as it can for LOG_SECONDS (default 60) with --log-opt max-size=1m
#      max-file=3: bytes logged, the log directory's size (bounded by 3 MiB and one write), monitor USS.
# Leaks counted before and after each: mounts under the root, cgroup directories of its containers,
# processes of the root (its monitors, anything rooted in it), container directories, veths.
# usage: scripts/soak/soak.sh   (LIGHTER=binary, default .build/debug/lighter; RUNS, PARALLEL,
# RESTART_SECONDS, LOG_SECONDS). Prints the numbers; exits 1 when something leaked. Run as root.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
lighter=${LIGHTER:-$top/.build/debug/lighter}
rootfs=$top/.fixtures/busybox-amd64.tar
runs=${RUNS:-300}; parallel=${PARALLEL:-20}
restart_seconds=${RESTART_SECONDS:-180}; log_seconds=${LOG_SECONDS:-60}
[ "$(id -u)" = 0 ] || { echo "soak.sh: run as root" >&2; exit 1; }
[ -x "$lighter" ] && [ -s "$rootfs" ] || { echo "soak.sh: needs $lighter and $rootfs" >&2; exit 1; }
if [ -z "${SOAK_IN_NETNS:-}" ]; then
    SOAK_IN_NETNS=1 exec unshare --net "$0" "$@"
fi
ip link set lo up
work=$(mktemp -d /tmp/lighter-soak.XXXXXX)
root=$work/root
L() { "$lighter" --root "$root" "$@"; }
leaks=0

uss() { # kB of private memory of pid $1
    awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s + 0}' "/proc/$1/smaps_rollup" 2>/dev/null
}
monitor_of() { # pid of the monitor of container $1 (by id)
    local id p
    id=$(L inspect -f '{{.Id}}' "$1")
    for p in /proc/[0-9]*; do
        tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "__monitor $root $id" && { echo "${p#/proc/}"; return; }
    done
}
counts() { # mounts cgroups processes directories veths
    local m c p=0 d v q
    m=$(grep -cF " $root" /proc/self/mountinfo)
    c=0
    for q in $(cat "$work/ids" 2>/dev/null); do
        c=$((c + $(find /sys/fs/cgroup -maxdepth 5 -type d -name "*$q*" 2>/dev/null | wc -l)))
    done
    for q in /proc/[0-9]*; do
        case $(readlink "$q/root" 2>/dev/null) in "$root"*) p=$((p + 1)); continue ;; esac
        tr '\0' ' ' 2>/dev/null <"$q/cmdline" | grep -qF "__monitor $root " && p=$((p + 1))
    done
    d=$(ls "$root/containers" 2>/dev/null | wc -l)
    v=$(ip -o link show type veth | wc -l)
    echo "mounts=$m cgroups=$c processes=$p directories=$d veths=$v"
}
remember_ids() { L ps -aq --no-trunc >>"$work/ids" 2>/dev/null; ls "$root/containers" >>"$work/ids" 2>/dev/null; sort -u -o "$work/ids" "$work/ids"; }
expect_clean() { # what
    local now
    now=$(counts)
    echo "  after $1: $now"
    [ "$now" = "mounts=0 cgroups=0 processes=0 directories=0 veths=0" ] || { echo "  LEAK after $1" >&2; leaks=$((leaks + 1)); }
}

L import "$rootfs" busybox >/dev/null || exit 1
L network create --subnet 10.231.0.0/16 soaknet >/dev/null || exit 1
echo "before: $(counts)"

# 1. run --rm, many at a time.
start=$(date +%s.%N)
seq 1 "$runs" | xargs -P "$parallel" -I{} "$lighter" --root "$root" run --rm --network soaknet busybox sh -c 'ip -o addr show eth0 >/dev/null && echo {}' >"$work/runs.out" 2>"$work/runs.err"
end=$(date +%s.%N)
ok=$(grep -c . "$work/runs.out")
echo "1. run --rm: $ok of $runs succeeded, $parallel at a time, $(echo "$end - $start" | bc) s; errors: $(sort "$work/runs.err" | uniq -c | sort -rn | head -3 | tr '\n' ';')"
[ "$ok" = "$runs" ] || leaks=$((leaks + 1))
remember_ids
expect_clean "run --rm"

# 2. --restart always, exiting every second.
id=$(L run -d --restart always --network soaknet busybox sh -c 'sleep 1; exit 3')
remember_ids
sleep 2
mon=$(monitor_of "$id"); uss0=$(uss "$mon"); fds0=$(ls "/proc/$mon/fd" | wc -l)
sleep "$restart_seconds"
mon2=$(monitor_of "$id"); uss1=$(uss "$mon2"); fds1=$(ls "/proc/$mon2/fd" 2>/dev/null | wc -l)
restarts=$(L inspect -f '{{.RestartCount}}' "$id")
during=$(counts)
echo "2. restart always: $restarts restarts in $restart_seconds s; monitor $mon→$mon2 USS ${uss0} kB → ${uss1} kB, fds $fds0 → $fds1; while running: $during"
L rm -f "$id" >/dev/null
expect_clean "restart always"

# 3. fast logging with rotation.
id=$(L run -d --network none --log-opt max-size=1m --log-opt max-file=3 busybox sh -c 'i=0; while :; do i=$((i + 1)); echo "$i 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"; done')
remember_ids
sleep 1
mon=$(monitor_of "$id"); uss0=$(uss "$mon")
max_dir=0
for s in $(seq 1 "$log_seconds"); do
    sleep 1
    size=$(du -sb "$root/containers/$id" 2>/dev/null | awk '{print $1}')
    logs=$(find "$root/containers/$id" -name '*json.log*' -printf '%s\n' 2>/dev/null | awk '{s += $1} END {print s + 0}')
    [ "${logs:-0}" -le "$max_dir" ] || max_dir=$logs
done
uss1=$(uss "$mon")
files=$(find "$root/containers/$id" -name '*json.log*' | wc -l)
lines=$(L logs "$id" 2>/dev/null | wc -l)
last=$(L logs --tail 1 "$id" 2>/dev/null | awk '{print $1}')
cpu=$(awk '{print $14 + $15}' "/proc/$mon/stat")
echo "3. logging: the log files peaked at $max_dir bytes ($files files; bound 3 MiB + one write = $((3 * 1048576)) + ...), $lines lines readable at the end; $last lines (~$(( ${last:-0} * 81 / log_seconds / 1024 )) KiB/s) logged; monitor USS ${uss0} kB → ${uss1} kB, monitor CPU $cpu ticks; container directory $size bytes"
[ "$max_dir" -le $((3 * 1048576 + 65536)) ] || { echo "  LOG NOT BOUNDED" >&2; leaks=$((leaks + 1)); }
L rm -f "$id" >/dev/null
expect_clean "logging"

L network rm soaknet >/dev/null
L rmi -f busybox >/dev/null
L system prune -f >/dev/null
[ "$leaks" = 0 ] && rm -rf "$work" || echo "soak.sh: root kept in $work" >&2
[ "$leaks" = 0 ]
