#!/bin/bash
# Kill-anywhere harness (issue #17), short version: on a private data root, run random operations
# under setsid and SIGKILL their whole process group after a random delay (0-300 ms). After each kill:
# `system check` passes (or passes after `system check --repair`), the same operation then succeeds,
# and after removing every container and `container prune -f` + `system prune -f` + `network prune -f`
# nothing of the root is left: no store leftover (`system check`), no mount under it, no cgroup directory of its containers, no process
# rooted in it or running its monitor, no container directory, no bridge it created.
#
# usage: scripts/chaos/kill-anywhere.sh [N]   (N injections, default 40; LIGHTER=path of the binary,
# default .build/debug/lighter; LIGHTER_CHAOS_SEED for a repeatable run; LIGHTER_CHAOS_SECONDS to stop
# after that long). Prints a table of
# operation, kills, failures, and exits 1 on any failure. Run as root.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-40}
lighter=${LIGHTER:-$top/.build/debug/lighter}
rootfs=$top/.fixtures/busybox-amd64.tar
[ "$(id -u)" = 0 ] || { echo "kill-anywhere.sh: run as root" >&2; exit 1; }
[ -x "$lighter" ] || { echo "kill-anywhere.sh: no binary at $lighter (swift build, or LIGHTER=...)" >&2; exit 1; }
[ -s "$rootfs" ] || { echo "kill-anywhere.sh: no $rootfs (scripts/fixtures.sh)" >&2; exit 1; }
RANDOM=${LIGHTER_CHAOS_SEED:-$$}

work=$(mktemp -d /tmp/lighter-chaos.XXXXXX)
root=$work/root
L() { "$lighter" --root "$root" "$@"; }
log=$work/log
declare -A kills failures
ops=(import load run-rm run-d-stop-rm rmi image-prune system-prune network)
for op in "${ops[@]}"; do kills[$op]=0; failures[$op]=0; done
bridges_before=$(ip -o link show type bridge | awk -F': ' '{print $2}' | sort)

fail() { # op, what
    failures[$1]=$((failures[$1] + 1))
    echo "FAIL [$1] $2" | tee -a "$log" >&2
}

# The operation's shell command; $1 = operation, $2 = a unique number for names.
command_for() {
    local L="'$lighter' --root '$root'"
    case $1 in
    import) echo "$L import '$rootfs' chaos/imp:$2 >/dev/null" ;;
    load) echo "$L load -q -i '$work/image.tar' >/dev/null" ;;
    run-rm) echo "$L run --rm --network none busybox true" ;;
    run-d-stop-rm) echo "id=\$($L run -d --network none busybox sleep 60) && $L stop -t 1 \$id >/dev/null && $L rm \$id >/dev/null" ;;
    rmi) echo "$L tag busybox chaos/tag:$2 && $L rmi chaos/tag:$2 >/dev/null" ;;
    image-prune) echo "$L import '$rootfs' >/dev/null && $L image prune -f >/dev/null" ;;
    system-prune) echo "$L import '$rootfs' >/dev/null && $L system prune -f >/dev/null" ;;
    network) echo "$L network create chaosnet$2 >/dev/null && $L network rm chaosnet$2 >/dev/null" ;;
    esac
}

# What is left of the root once every container is gone: prints one line per leftover.
leftovers() {
    local ids
    ids=$(ls "$root/containers" 2>/dev/null)
    grep -F " $root" /proc/self/mountinfo | awk '{print "mount: " $5}'
    for id in $ids; do echo "container directory: $id"; done
    for id in $(cat "$work/ids" 2>/dev/null); do
        find /sys/fs/cgroup -maxdepth 5 -type d -name "*$id*" 2>/dev/null | sed 's/^/cgroup: /'
    done
    for p in /proc/[0-9]*; do
        r=$(readlink "$p/root" 2>/dev/null) || continue
        case $r in "$root"*) echo "process rooted in the root: ${p#/proc/}" ;; esac
        if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF " $root "; then
            [ "${p#/proc/}" = $$ ] || echo "process of the root: ${p#/proc/} $(tr '\0' ' ' <"$p/cmdline")"
        fi
    done
    L system check 2>&1 | grep -E '^leftover' | sed 's/^/store /'
    comm -13 <(echo "$bridges_before") <(ip -o link show type bridge | awk -F': ' '{print $2}' | sort) | sed 's/^/bridge: /'
}

cleanup_root() {
    L ps -aq --no-trunc 2>/dev/null >>"$work/ids"
    ls "$root/containers" 2>/dev/null >>"$work/ids"
    sort -u -o "$work/ids" "$work/ids"
    local all
    all=$(L ps -aq 2>/dev/null)
    [ -z "$all" ] || L rm -f $all >/dev/null 2>&1
    L container prune -f >/dev/null 2>&1
    L system prune -f >/dev/null 2>&1
    L network prune -f >/dev/null 2>&1
}

# Setup: the busybox image, and a docker-archive of it for `load`.
L import "$rootfs" busybox >/dev/null && L save -o "$work/image.tar" busybox ||
    { echo "kill-anywhere.sh: setup failed" >&2; exit 1; }

# SIGTERM (or LIGHTER_CHAOS_SECONDS elapsed) ends the run early, with the table of what was done.
stop=0
trap 'stop=1' TERM INT
start=$(date +%s)
for i in $(seq 1 "$n"); do
    [ $stop = 0 ] || break
    [ -z "${LIGHTER_CHAOS_SECONDS:-}" ] || [ $(( $(date +%s) - start )) -lt "$LIGHTER_CHAOS_SECONDS" ] || break
    op=${ops[$((RANDOM % ${#ops[@]}))]}
    delay_ms=$((RANDOM % 301))
    setsid sh -c "$(command_for "$op" "$i")" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '0.%03d' "$delay_ms")"
    kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    kills[$op]=$((kills[$op] + 1))
    echo "#$i $op killed after ${delay_ms} ms" >>"$log"
    # The store is consistent, or --repair makes it so.
    if ! L system check >>"$log" 2>&1; then
        L system check --repair >>"$log" 2>&1
        L system check >>"$log" 2>&1 || fail "$op" "#$i: system check fails after --repair (${delay_ms} ms)"
    fi
    # The same operation succeeds on the same root.
    L tag busybox busybox >/dev/null 2>&1 || L import "$rootfs" busybox >/dev/null 2>&1
    sh -c "$(command_for "$op" "$i-again")" >>"$log" 2>&1 || fail "$op" "#$i: the next $op fails (${delay_ms} ms)"
    # Nothing is left once every container is removed and the root pruned.
    cleanup_root
    left=$(leftovers)
    [ -z "$left" ] || fail "$op" "#$i: left after prune (${delay_ms} ms): $(echo "$left" | tr '\n' ';')"
done
elapsed=$(( $(date +%s) - start ))

printf '%-15s %6s %9s\n' operation kills failures
total_k=0; total_f=0
for op in "${ops[@]}"; do
    printf '%-15s %6s %9s\n' "$op" "${kills[$op]}" "${failures[$op]}"
    total_k=$((total_k + kills[$op])); total_f=$((total_f + failures[$op]))
done
printf '%-15s %6s %9s   (%s s)\n' total "$total_k" "$total_f" "$elapsed"

# Leave the host as found: the root's containers, networks and files go.
cleanup_root
L rmi -f $(L images -q) >/dev/null 2>&1
left=$(leftovers)
[ -z "$left" ] || { echo "kill-anywhere.sh: left at the end: $left" >&2; total_f=$((total_f + 1)); }
if [ "$total_f" = 0 ]; then rm -rf "$work"; else echo "kill-anywhere.sh: log and root kept in $work" >&2; fi
[ "$total_f" = 0 ]
