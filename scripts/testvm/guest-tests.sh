#!/bin/sh
# Guest tests of the cgroup v2 test VM (run by its /init as root, cgroup2 alone at /sys/fs/cgroup,
# the data root on the tmpfs root): one "PASS name" or "FAIL name: why" line per test, then
# "N passed, M failed". Networking is not under test here: every container has --network none.
export PATH=/usr/bin:/bin
cg=/sys/fs/cgroup
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
# expect NAME WANTED GOT
expect() { if [ "$3" = "$2" ]; then pass "$1"; else fail "$1" "wanted '$2', got '$3'"; fi; }
run() { lighter run --network none "$@"; }
# The container's cgroup directory, seen from outside, by its init's /proc/PID/cgroup.
cgroup_of() { pid=$(lighter inspect -f '{{.State.Pid}}' "$1") && echo "$cg$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"; }
# The names of the user-space processes (not kernel threads, not this script's shells and sorts).
processes() {
    for p in /proc/[0-9]*; do
        read -r pid comm state ppid rest <"$p/stat" 2>/dev/null || continue
        [ "$pid" = 2 ] || [ "$ppid" = 2 ] || [ "$comm" = "(sh)" ] || [ "$comm" = "(sort)" ] || echo "$comm"
    done | sort
}
cat /proc/self/mounts >/tmp/mounts.before
processes >/tmp/processes.before

out=$(lighter import -c 'CMD ["/bin/sh"]' /images/busybox-amd64.tar busybox 2>&1)
if [ $? = 0 ] && lighter images busybox | grep -q '^busybox '; then pass import; else fail import "$out"; fi

out=$(lighter info 2>&1)
if echo "$out" | grep -q "Cgroup Version: 2"; then pass "info says cgroup v2"; else fail "info says cgroup v2" "$(echo "$out" | grep -i cgroup)"; fi
out=$(lighter check-config 2>&1)
status=$?
echo "$out" | grep -i "cgroup" | sed 's/^/  check-config: /'
if [ $status = 0 ]; then pass check-config; else fail check-config "exit $status: $(echo "$out" | grep -iE 'missing|fail|error' | head -n 5)"; fi

# CLONE_INTO_CGROUP: the init is born in its cgroup (clone3), nobody writes a cgroup.procs, and the
# container's first command finds itself in its cgroup: "0::/" with a cgroup namespace, else
# "0::/lighter/ID".
first_command() {
    out=$("$@" lighter run --name first --network none busybox cat /proc/self/cgroup 2>&1)
    id=$(lighter inspect -f '{{.Id}}' first 2>&1)
    lighter rm -f first >/dev/null 2>&1
    case "$out" in "0::/" | "0::/lighter/$id") pass "first command in its cgroup ($out)" ;;
        *) fail "first command in its cgroup" "/proc/self/cgroup says '$out', container $id" ;; esac
}
if command -v strace >/dev/null; then
    first_command strace -f -qq -e signal=none -e trace=clone,clone3,openat -o /tmp/trace
    if grep -q "CLONE_INTO_CGROUP" /tmp/trace && ! grep "cgroup.procs" /tmp/trace | grep -q "O_WRONLY"; then
        pass "init born in its cgroup (clone3 CLONE_INTO_CGROUP, no cgroup.procs write)"
    else
        fail "init born in its cgroup (clone3 CLONE_INTO_CGROUP, no cgroup.procs write)" "$(grep -E 'clone|cgroup.procs' /tmp/trace | head -n 5)"
    fi
else
    first_command
    fail "init born in its cgroup (clone3 CLONE_INTO_CGROUP, no cgroup.procs write)" "no strace in the image"
fi

out=$(run --rm --memory 32m busybox cat /sys/fs/cgroup/memory.max 2>&1)
expect "--memory 32m: memory.max inside" 33554432 "$out"
out=$(run -d --name memory --memory 32m busybox sleep 600 2>&1) || fail "--memory 32m: memory.max outside" "$out"
dir=$(cgroup_of memory)
case "$dir" in "$cg/lighter/"*) ;; *) fail "cgroup under /lighter" "$dir" ;; esac
expect "--memory 32m: memory.max outside" 33554432 "$(cat "$dir/memory.max" 2>&1)"
lighter rm -f memory >/dev/null

run --name oom --memory 32m busybox dd if=/dev/zero of=/dev/null bs=96M count=1 >/dev/null 2>&1
expect "OOM: exit status 137" 137 "$?"
expect "OOM: inspect OOMKilled" true "$(lighter inspect -f '{{.State.OOMKilled}}' oom 2>&1)"
lighter rm -f oom >/dev/null

# pids: 10 at most; the subshell's 30 background sleeps stop at the limit. Only shell builtins read
# the files afterwards (no fork is left).
out=$(run --rm --pids-limit 10 busybox sh -c '
    read -r max </sys/fs/cgroup/pids.max
    (for i in $(seq 1 30); do sleep 60 & done) 2>/dev/null
    read -r current </sys/fs/cgroup/pids.current
    while read -r key value; do [ "$key" = max ] && events=$value; done </sys/fs/cgroup/pids.events
    echo "$max $current $events"' 2>&1)
set -- $out
expect "--pids-limit 10: pids.max" 10 "$1"
if [ "${2:-99}" -le 10 ] 2>/dev/null && [ "${3:-0}" -ge 1 ] 2>/dev/null; then pass "--pids-limit 10: fork bomb stopped ($2 processes, $3 refused)"
else fail "--pids-limit 10: fork bomb stopped" "pids.current '$2', pids.events max '$3'"; fi

expect "--cpus 0.5: cpu.max" "50000 100000" "$(run --rm --cpus 0.5 busybox cat /sys/fs/cgroup/cpu.max 2>&1)"
expect "--cpuset-cpus 0: cpuset.cpus.effective" 0 "$(run --rm --cpuset-cpus 0 busybox cat /sys/fs/cgroup/cpuset.cpus.effective 2>&1)"
expect "--cpuset-cpus 0: Cpus_allowed_list" 0 "$(run --rm --cpuset-cpus 0 busybox sed -n 's/^Cpus_allowed_list:\t*//p' /proc/self/status 2>&1)"

out=$(run -d --name paused busybox sleep 600 2>&1) || fail "pause" "$out"
dir=$(cgroup_of paused)
out=$(lighter pause paused 2>&1) || fail "pause" "$out"
expect "pause: cgroup.freeze 1, cgroup.events frozen 1" "1 frozen 1" "$(cat "$dir/cgroup.freeze") $(grep frozen "$dir/cgroup.events")"
expect "pause: inspect says paused" paused "$(lighter inspect -f '{{.State.Status}}' paused 2>&1)"
out=$(lighter unpause paused 2>&1) || fail "unpause" "$out"
expect "unpause: cgroup.freeze 0, cgroup.events frozen 0" "0 frozen 0" "$(cat "$dir/cgroup.freeze") $(grep frozen "$dir/cgroup.events")"
lighter rm -f paused >/dev/null

# Leaks: 20 `run --rm`, then no cgroup, mount or process left behind by any test.
i=0
errors=0
while [ $i -lt 20 ]; do run --rm busybox true || errors=$((errors + 1)); i=$((i + 1)); done
expect "20 run --rm: all exit 0" 0 "$errors"
expect "no cgroup left under /lighter" "" "$(find "$cg/lighter" -mindepth 1 -type d 2>/dev/null)"
cat /proc/self/mounts >/tmp/mounts.after
processes >/tmp/processes.after
# /run/lighter/exe/DEV-INO is the read-only bind of the lighter binary that the init and exec helper
# run from (kept by design: made once per binary, see ProtectedExecutable).
expect "no mount left" "" "$(diff /tmp/mounts.before /tmp/mounts.after | grep '^[-+][^-+]' | grep -v ' /run/lighter/exe/')"
expect "no process left" "" "$(diff /tmp/processes.before /tmp/processes.after | grep '^[-+][^-+]')"

echo "$passed passed, $failed failed"
