#!/bin/bash
# Kill-anywhere harness (issue #17): on a private data root, run random operations under setsid and
# SIGKILL their whole process group after a random delay. After each kill: `system check` passes (or
# passes after `system check --repair`), the same operation then succeeds, and after removing every
# container and `container prune -f` + `system prune -f` + `network prune -f` nothing of the root is
# left: no store leftover (`system check`), no mount under it, no cgroup directory of its containers,
# no process rooted in it or running its monitor, no container directory, no bridge it created.
#
# Operations: import, load, run --rm, run -d + stop + rm, tag + rmi, image prune, system prune, network
# create + rm; pull and push (a loopback `docker-registry`, as LighterTestSupport's LoopbackRegistry
# starts it), delta-pull (a pull through a Lighter delta pushed beside the image: the root holds v1,
# v2's layer is rebuilt from the delta's pieces while a second thread unpacks it), build (RUN and COPY), commit, auto-update (policy local: a labelled container, a newer
# image under its tag; afterwards it runs the old image or the new one, once), exec; and two kills of
# one process alone: `monitor` SIGKILLs the monitor of a container being started (after the kill
# `ps`, `stop`, `rm` and `system check` must cope), `daemon` SIGKILLs `lighter daemon` while a docker
# client's request runs through it (a container started earlier keeps running; the restarted daemon
# lists it, execs in it, and serves the request again). Each operation's preparation (an image to
# push, a container to commit or exec in) runs before and is not killed; the delay is drawn from
# 0 to the operation's window (about its length with the debug build).
#
# usage: scripts/chaos/kill-anywhere.sh [N]   (N injections, default 40; LIGHTER=path of the binary,
# default .build/debug/lighter; LIGHTER_CHAOS_SEED for a repeatable run; LIGHTER_CHAOS_SECONDS to stop
# after that long; LIGHTER_CHAOS_OPS="op op ..." to draw from those only; LIGHTER_CHAOS_KEEP=1 keeps
# the log and root). pull/push are skipped
# without docker-registry, daemon without a docker CLI. Prints a table of operation, kills,
# failures, and exits 1 on any failure. Run as root.
set -u
# All of it in one function, read whole before it runs: editing this file during a long run is safe.
main() {
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
declare -A kills failures window
all_ops=(import load run-rm run-d-stop-rm rmi image-prune system-prune network pull push delta-pull build commit auto-update exec monitor daemon)
# The longest delay (ms) before the kill, about the operation's length with the debug build.
for op in "${all_ops[@]}"; do window[$op]=300; done
window[pull]=1500; window[push]=1500; window[delta-pull]=1500; window[build]=3000; window[commit]=1000; window[auto-update]=2500
window[exec]=500; window[monitor]=1500; window[daemon]=1500
ops=()
for op in ${LIGHTER_CHAOS_OPS:-${all_ops[*]}}; do
    case $op in
    pull|push|delta-pull) command -v docker-registry >/dev/null || { echo "kill-anywhere.sh: no docker-registry: $op skipped" >&2; continue; } ;;
    daemon) command -v docker >/dev/null || { echo "kill-anywhere.sh: no docker CLI: daemon skipped" >&2; continue; } ;;
    esac
    ops+=("$op")
done
for op in "${ops[@]}"; do kills[$op]=0; failures[$op]=0; done
registry_pid=
daemon_pid=
monitor_hits=0
registry=
sock=$work/d.sock

fail() { # op, what
    failures[$1]=$((failures[$1] + 1))
    echo "FAIL [$1] $2" | tee -a "$log" >&2
}

app_cmd='CMD ["sh", "-c", "trap \"exit 0\" TERM; while :; do sleep 0.1; done"]'

# The docker CLI against the harness's daemon (its own config directory, bounded).
D() { DOCKER_CONFIG=$work/docker-config timeout -s KILL 60 docker -H "unix://$sock" "$@"; }

# The pids of the monitors of the root's containers (found by their command line, this root only).
monitors() {
    local f
    for f in $(grep -lsaF "$root" /proc/[0-9]*/cmdline); do
        tr '\0' ' ' 2>/dev/null <"$f" | grep -qF "__monitor $root " && { f=${f#/proc/}; echo "${f%/cmdline}"; }
    done
}

start_daemon() {
    rm -f "$sock"
    LIGHTER_ROOT=$root LIGHTER_DEFAULT_NETWORK=none setsid "$lighter" daemon -H "unix://$sock" >>"$work/daemon.log" 2>&1 &
    daemon_pid=$!
    local i
    for i in $(seq 1 200); do
        [ -S "$sock" ] && D version >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    return 1
}

# What runs before the operation, not killed; $1 = operation, $2 = the injection's number, $3 = a
# unique suffix for names ("" for the killed run, "-again" for the one that must succeed).
prepare() {
    case $1 in
    pull) L rmi -f "$registry/chaos/pullsrc" >/dev/null 2>&1; true ;;
    delta-pull) L rmi -f "$registry/chaos/delta:v2" >/dev/null 2>&1
        L image inspect "$registry/chaos/delta:v1" >/dev/null 2>&1 || L pull -q "$registry/chaos/delta:v1" >/dev/null ;;
    push) L import -c "ENV N=$2$3" "$rootfs" "$registry/chaos/push:$2$3" >/dev/null ;;
    commit|exec) [ -n "$3" ] || L run -d --name "c$2" --network none busybox sh -c "echo $2 > /changed; sleep 60" >/dev/null ;;
    auto-update)
        if [ -z "$3" ]; then
            L import -c "$app_cmd" -c "ENV N=$2-old" "$rootfs" app:latest >/dev/null &&
                L run -d --name "web$2" --network none -l io.containers.autoupdate=local app:latest >/dev/null || return 1
        fi
        L import -c "$app_cmd" -c "ENV N=$2$3-new" "$rootfs" app:latest >/dev/null ;;
    daemon)
        { [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; } || start_daemon || return 1
        [ -n "$3" ] || D run -d --name "keep$2" busybox sleep 600 >/dev/null ;;
    esac
}

# The operation's shell command (killed); arguments as for prepare.
command_for() {
    local L="'$lighter' --root '$root'" t=$2$3
    case $1 in
    import) echo "$L import '$rootfs' chaos/imp:$t >/dev/null" ;;
    load) echo "$L load -q -i '$work/image.tar' >/dev/null" ;;
    run-rm) echo "$L run --rm --network none busybox true" ;;
    run-d-stop-rm) echo "id=\$($L run -d --network none busybox sleep 60) && $L stop -t 1 \$id >/dev/null && $L rm \$id >/dev/null" ;;
    rmi) echo "$L tag busybox chaos/tag:$t && $L rmi chaos/tag:$t >/dev/null" ;;
    image-prune) echo "$L import '$rootfs' >/dev/null && $L image prune -f >/dev/null" ;;
    system-prune) echo "$L import '$rootfs' >/dev/null && $L system prune -f >/dev/null" ;;
    network) echo "$L network create chaosnet$t >/dev/null && $L network rm chaosnet$t >/dev/null" ;;
    pull) echo "$L pull -q '$registry/chaos/pullsrc' >/dev/null" ;;
    delta-pull) echo "$L pull -q '$registry/chaos/delta:v2' >/dev/null" ;;
    push) echo "$L push '$registry/chaos/push:$t' >/dev/null" ;;
    build) echo "$L build -q --network none --build-arg N=$t -t chaos/build:$t '$work/context' >/dev/null" ;;
    commit) echo "$L commit c$2 chaos/commit:$t >/dev/null" ;;
    auto-update) echo "$L auto-update >/dev/null" ;;
    exec) echo "$L exec c$2 sh -c 'echo $t > /tmp/exec; sleep 0.2'" ;;
    monitor) echo "$L run -d --name m$t --network none busybox sleep 60 >/dev/null" ;;
    daemon) echo "D run --rm busybox true" ;;
    esac
}

# After the kill and the check: what must hold of the operation besides the next one succeeding.
# Prints one line per problem. $2 = the injection's number.
verify() {
    case $1 in
    auto-update)
        # One container web$2, running app:latest (the newer image) after the update that followed.
        local names image latest
        names=$(L ps -a --format '{{.Names}}' | grep -c "^web$2")
        [ "$names" = 1 ] || echo "$names containers named web$2*: $(L ps -a --format '{{.Names}} {{.Status}}' | tr '\n' ';')"
        image=$(L inspect -f '{{.Image}}' "web$2" 2>&1); latest=$(L inspect -f '{{.Id}}' app:latest 2>&1)
        [ "$image" = "$latest" ] || echo "web$2 runs $image, app:latest is $latest"
        [ "$(L inspect -f '{{.State.Running}}' "web$2" 2>&1)" = true ] || echo "web$2 is not running" ;;
    commit)
        [ "$(L run --rm --network none "chaos/commit:$2-again" cat /changed 2>&1)" = "$2" ] || echo "the committed image lacks the change" ;;
    delta-pull)
        # v2 as the publisher built it: its layers, and the changed file and another one read back.
        [ "$(L image inspect -f '{{.RootFS.Layers}}' "$registry/chaos/delta:v2" 2>&1)" = "$(cat "$work/delta-layers")" ] ||
            echo "v2's layers differ from the publisher's"
        [ "$(L run --rm --network none "$registry/chaos/delta:v2" cat /d/f7 /d/f99 2>&1 | md5sum)" = "$(cat "$work/delta/f7" "$work/delta/f99" | md5sum)" ] ||
            echo "v2's files differ" ;;
    build)
        [ "$(L run --rm --network none "chaos/build:$2-again" cat /built /file.txt 2>&1 | tr '\n' ' ')" = "$2-again copied " ] ||
            echo "the built image is wrong: $(L run --rm --network none "chaos/build:$2-again" cat /built /file.txt 2>&1 | tr '\n' ' ')" ;;
    esac
}

# What is left of the root once every container is gone: prints one line per leftover.
leftovers() {
    local ids
    ids=$(ls "$root/containers" 2>/dev/null)
    grep -F " $root" /proc/self/mountinfo | awk '{print "mount: " $5}'
    for id in $ids; do echo "container directory: $id"; done
    # the cgroups of this injection's containers (one find over the tree)
    if [ -s "$work/ids" ]; then
        find /sys/fs/cgroup -maxdepth 5 -type d 2>/dev/null | grep -F -f "$work/ids" | sed 's/^/cgroup: /'
    fi
    # (one find and one grep over /proc: a loop of forks per process is slow on a busy host)
    find /proc/[0-9]*/root -maxdepth 0 -lname "$root*" 2>/dev/null | sed 's|^/proc/\([0-9]*\)/root$|process rooted in the root: \1|'
    for f in $(grep -lsaF "$root" /proc/[0-9]*/cmdline); do
        p=${f#/proc/}; p=${p%/cmdline}
        if tr '\0' ' ' 2>/dev/null <"$f" | grep -qF " $root "; then
            [ "$p" = $$ ] || echo "process of the root: $p $(tr '\0' ' ' 2>/dev/null <"$f")"
        fi
    done
    L system check 2>&1 | grep -E '^leftover' | sed 's/^/store /'
    # The bridges of the networks it made (lt-<id>; other roots on the host make bridges of their own).
    for id in $(cat "$work/netids" 2>/dev/null); do
        ! ip link show "lt-${id:0:12}" >/dev/null 2>&1 || echo "bridge: lt-${id:0:12}"
    done
}

cleanup_root() {
    L ps -aq --no-trunc 2>/dev/null >>"$work/ids"
    ls "$root/containers" 2>/dev/null >>"$work/ids"
    sort -u -o "$work/ids" "$work/ids"
    L network ls -q 2>/dev/null >>"$work/netids"
    local all
    all=$(L ps -aq 2>/dev/null)
    [ -z "$all" ] || L rm -f $all >/dev/null 2>&1
    L container prune -f >/dev/null 2>&1
    L system prune -f >/dev/null 2>&1
    L network prune -f >/dev/null 2>&1
}

finish() {
    [ -z "$daemon_pid" ] || { kill -KILL "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; }
    [ -z "$registry_pid" ] || { kill -KILL "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null; }
}

# Setup: the busybox image, a docker-archive of it for `load`, a build context; a loopback registry
# holding chaos/pullsrc (busybox and one more file: a layer of its own, pulled anew after each rmi).
L import "$rootfs" busybox >/dev/null && L save -o "$work/image.tar" busybox ||
    { echo "kill-anywhere.sh: setup failed" >&2; exit 1; }
mkdir -p "$work/context" "$work/docker-config"
printf 'FROM busybox\nARG N\nRUN echo "$N" > /built\nCOPY file.txt /file.txt\n' >"$work/context/Dockerfile"
echo copied >"$work/context/file.txt"
if [[ " ${ops[*]} " == *" pull "* || " ${ops[*]} " == *" push "* || " ${ops[*]} " == *" delta-pull "* ]]; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    registry=127.0.0.1:$port
    mkdir -p "$work/registry"
    printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
        "$work/registry/data" "$registry" >"$work/registry/config.yml"
    docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
    registry_pid=$!
    cp "$rootfs" "$work/pullsrc.tar"
    (cd "$work" && echo pulled >pulled.txt && tar -rf pullsrc.tar pulled.txt)
    L import "$work/pullsrc.tar" "$registry/chaos/pullsrc" >/dev/null || { echo "kill-anywhere.sh: setup failed" >&2; finish; exit 1; }
    pushed=no
    for i in $(seq 1 100); do
        L push "$registry/chaos/pullsrc" >/dev/null 2>&1 && { pushed=yes; break; }
        sleep 0.1
    done
    [ $pushed = yes ] || { echo "kill-anywhere.sh: cannot push to the loopback registry" >&2; finish; exit 1; }
    # delta-pull: v1 and v2 (300 files, one changed: a layer of gzip members, a few of them changed),
    # built in a publisher's root of their own and pushed with the delta from v1 to v2.
    if [[ " ${ops[*]} " == *" delta-pull "* ]]; then
        P() { "$lighter" --root "$work/publisher" "$@"; }
        mkdir -p "$work/delta-context/d"
        for f in $(seq 1 300); do head -c 3000 /dev/urandom >"$work/delta-context/d/f$f"; done
        printf 'FROM busybox\nCOPY d /d\n' >"$work/delta-context/Dockerfile"
        { P import "$rootfs" busybox &&
            P build -q --network none -t "$registry/chaos/delta:v1" "$work/delta-context" &&
            echo changed >>"$work/delta-context/d/f7" &&
            P build -q --network none -t "$registry/chaos/delta:v2" "$work/delta-context" &&
            P push "$registry/chaos/delta:v1" && P push "$registry/chaos/delta:v2" &&
            P delta create "$registry/chaos/delta:v1" "$registry/chaos/delta:v2" --push &&
            P image inspect -f '{{.RootFS.Layers}}' "$registry/chaos/delta:v2" >"$work/delta-layers" &&
            # the operation is a pull through the delta (after a kill the next one may find the blob made)
            "$lighter" --root "$work/board" pull -q "$registry/chaos/delta:v1" &&
            "$lighter" --root "$work/board" pull "$registry/chaos/delta:v2" 2>&1 | grep 'rebuilt and verified' &&
            cp -r "$work/delta-context/d" "$work/delta"; } >>"$log" 2>&1 ||
            { echo "kill-anywhere.sh: delta setup failed" >&2; finish; exit 1; }
    fi
fi

# SIGTERM (or LIGHTER_CHAOS_SECONDS elapsed) ends the run early, with the table of what was done.
stop=0
trap 'stop=1' TERM INT
start=$(date +%s)
for i in $(seq 1 "$n"); do
    [ $stop = 0 ] || break
    [ -z "${LIGHTER_CHAOS_SECONDS:-}" ] || [ $(( $(date +%s) - start )) -lt "$LIGHTER_CHAOS_SECONDS" ] || break
    op=${ops[$((RANDOM % ${#ops[@]}))]}
    delay_ms=$(( (RANDOM * 32768 + RANDOM) % (window[$op] + 1) ))
    : >"$work/ids"; : >"$work/netids"   # what the leftover check looks for: this injection's
    L tag busybox busybox >/dev/null 2>&1 || L import "$rootfs" busybox >/dev/null 2>&1
    prepare "$op" "$i" "" >>"$log" 2>&1 || fail "$op" "#$i: the preparation fails"
    setsid sh -c "$(declare -f D); sock='$sock' work='$work'; $(command_for "$op" "$i" "")" >/dev/null 2>&1 &
    pid=$!
    sleep "$((delay_ms / 1000)).$(printf '%03d' $((delay_ms % 1000)))"
    case $op in
    monitor) # the monitor alone (if it was started by then), then let the `run -d` end
        killed=$(monitors); [ -z "$killed" ] || { kill -KILL $killed 2>/dev/null; monitor_hits=$((monitor_hits + 1)); }
        echo "#$i monitor: killed [${killed}]" >>"$log"
        timeout 30 tail --pid="$pid" -f /dev/null ;;
    daemon) # the daemon alone, then let the client end
        kill -KILL "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null
        timeout 70 tail --pid="$pid" -f /dev/null ;;
    *) kill -KILL -- "-$pid" 2>/dev/null ;;
    esac
    wait "$pid" 2>/dev/null
    kills[$op]=$((kills[$op] + 1))
    echo "#$i $op killed after ${delay_ms} ms" >>"$log"
    # A killed monitor: ps, stop and rm of its container cope.
    if [ "$op" = monitor ] && L inspect "m$i" >/dev/null 2>&1; then
        L ps -a >>"$log" 2>&1 || fail "$op" "#$i: ps fails after the monitor was killed"
        L stop -t 1 "m$i" >>"$log" 2>&1 || fail "$op" "#$i: stop fails after the monitor was killed (${delay_ms} ms)"
        L rm "m$i" >>"$log" 2>&1 || fail "$op" "#$i: rm fails after the monitor was killed (${delay_ms} ms)"
    fi
    # A killed daemon: the container it started keeps running; the restarted daemon serves it.
    if [ "$op" = daemon ]; then
        [ "$(L inspect -f '{{.State.Running}}' "keep$i" 2>&1)" = true ] || fail "$op" "#$i: keep$i stopped with the daemon"
        start_daemon || fail "$op" "#$i: the daemon does not start again: $(tail -n 3 "$work/daemon.log")"
        D ps --format '{{.Names}}' 2>&1 | grep -qx "keep$i" || fail "$op" "#$i: the restarted daemon does not list keep$i"
        D exec "keep$i" true >>"$log" 2>&1 || fail "$op" "#$i: exec in keep$i through the restarted daemon fails"
    fi
    # The store is consistent, or --repair makes it so.
    if ! L system check >>"$log" 2>&1; then
        L system check --repair >>"$log" 2>&1
        L system check >>"$log" 2>&1 || fail "$op" "#$i: system check fails after --repair (${delay_ms} ms)"
    fi
    # The same operation succeeds on the same root, and leaves what it should.
    L tag busybox busybox >/dev/null 2>&1 || L import "$rootfs" busybox >/dev/null 2>&1
    if prepare "$op" "$i" -again >>"$log" 2>&1 &&
        sh -c "$(declare -f D); sock='$sock' work='$work'; $(command_for "$op" "$i" -again)" >>"$log" 2>&1; then
        problems=$(verify "$op" "$i")
        [ -z "$problems" ] || fail "$op" "#$i: after the next $op (${delay_ms} ms): $(echo "$problems" | tr '\n' ';')"
    else
        fail "$op" "#$i: the next $op fails (${delay_ms} ms)"
    fi
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
[ "${kills[monitor]:-0}" = 0 ] || echo "monitor: $monitor_hits of ${kills[monitor]} kills found a monitor to kill (the others came before it started)"

# Leave the host as found: the daemon and the registry stop, the root's containers, networks and files go.
finish
cleanup_root
L rmi -f $(L images -q) >/dev/null 2>&1
left=$(leftovers)
[ -z "$left" ] || { echo "kill-anywhere.sh: left at the end: $left" >&2; total_f=$((total_f + 1)); }
if [ "$total_f" = 0 ] && [ -z "${LIGHTER_CHAOS_KEEP:-}" ]; then rm -rf "$work"; else echo "kill-anywhere.sh: log and root kept in $work" >&2; fi
[ "$total_f" = 0 ]
}
main "$@"; exit $?
