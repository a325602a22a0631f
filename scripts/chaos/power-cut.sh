#!/bin/bash
# Power-cut harness (issue #17): what SIGKILL never shows, the loss of everything not yet durable.
# The test VM (scripts/testvm/, Debian's kernel under qemu's TCG, the static lighter) keeps its data
# root on an ext4 disk image (raw, virtio, cache=none: the guest's writes reach the image only when
# its kernel writes them back, and its flushes are fdatasyncs, so killing qemu loses exactly what the
# guest had not written out — its page cache — while what it fsynced stays). Each boot checks what the
# previous cut left and then runs a workload (scripts/testvm/guest-powercut.sh: import, load, tag,
# rmi, create, rm, run --rm at random), logging every operation that returned success; the host
# SIGKILLs qemu 0–4 s after the workload's 1st, 2nd or 3rd operation ended (the next one is then
# under way). After the last cut a final boot only checks.
#
# A cut fails when, on the next boot: `system check` does not pass as found (leftovers of interrupted
# operations are allowed), or does not pass after `system check --repair`; an image a command reported
# stored (and no later command removed) is missing, or one reported removed is back; a container whose
# `create` returned (and was not removed) is missing after the repair, or a removed one is back; an
# image's content read through a container is wrong; the next `run --rm` fails.
#
# usage: scripts/chaos/power-cut.sh [N]   (N cuts, default 5; LIGHTER_BINARY as for scripts/testvm;
# LIGHTER_POWERCUT_SEED for repeatable kill moments; LIGHTER_POWERCUT_OPS=commit-update for the
# workload of commits and updates: then also, after each cut, exactly one container named web* whose
# image is the one before the update under way or the one after, and the cuts are counted by the
# operation they interrupted; LIGHTER_POWERCUT_OPS=pull for pulls from a registry inside the VM: then
# also each boot pulls again the reference whose pull the cut interrupted, which must succeed and
# read back, and after a `system prune` no partial download or ingest file may be left; the cuts
# are counted by the pull's phase the console last showed; one in three is made by the guest itself
# 0–159 ms after a pull printed 'Unpacking layers', and the next check tells whether that image was
# recorded). SIGTERM or SIGINT ends the run after the current
# cut (then the final check). Prints a table and exits 1 on any failure; the consoles and the disk
# image are kept in .testvm/powercut.* when something failed (or with LIGHTER_POWERCUT_KEEP=1).
set -u
# All of it in one function, read whole before it runs: editing this file during a long run is safe.
main() {
top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/scripts/testvm"
cache="${TESTVM_CACHE:-$top/.testvm}"
binary="${LIGHTER_BINARY:-$top/.build/release/lighter}"
n=${1:-5}
RANDOM=${LIGHTER_POWERCUT_SEED:-$$}
command -v qemu-system-x86_64 >/dev/null || { echo "power-cut.sh: no qemu-system-x86_64: apt-get install qemu-system-x86" >&2; exit 1; }
command -v mkfs.ext4 >/dev/null || { echo "power-cut.sh: no mkfs.ext4: apt-get install e2fsprogs" >&2; exit 1; }
initrd="$cache/initramfs.cpio.gz"
stale=no
[ -s "$initrd" ] || stale=yes
for input in "$binary" "$here/guest-init.sh" "$here/guest-tests.sh" "$here/guest-powercut.sh" "$here/build-image.sh"; do
    [ "$stale" = yes ] || [ ! "$input" -nt "$initrd" ] || stale=yes
done
[ "$stale" = no ] || "$here/build-image.sh" || exit 1
# The pull workload's registry: a read-only second disk (scripts/testvm/pull-registry.sh).
registry_drive=()
if [ "${LIGHTER_POWERCUT_OPS:-}" = pull ]; then
    "$here/pull-registry.sh" || exit 1
    registry_drive=(-drive "file=$cache/pull-registry.img,if=virtio,format=raw,readonly=on")
fi

# The disk lives next to the VM, not on /tmp: cache=none opens it with O_DIRECT, which tmpfs refuses.
work=$(mktemp -d "$cache/powercut.XXXXXX")
disk=$work/disk.img
truncate -s 1G "$disk"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$disk" || exit 1
qemu=
stop=0
trap 'stop=1' TERM INT

# boot MODE CUT: start the VM in the background (pid in $qemu), console in $work/console-CUT.log.
boot() {
    : >"$work/console-$2.log"   # there before the first look at it (qemu's redirection comes later)
    qemu-system-x86_64 -nographic -no-reboot -m 768M -smp 1 -accel tcg -cpu max \
        -kernel "$cache/vmlinuz" -initrd "$initrd" -nic none \
        -drive "file=$disk,if=virtio,format=raw,cache=none" "${registry_drive[@]}" \
        -append "console=ttyS0 quiet loglevel=3 panic=-1 no_timer_check rdinit=/init systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all lighter.powercut=$1 lighter.cut=$2 lighter.ops=${LIGHTER_POWERCUT_OPS:-mixed}${retry:+ lighter.retry=$retry}${aim:+ lighter.aim=$aim}" \
        </dev/null >"$work/console-$2.log" 2>&1 &
    qemu=$!
}

declare -A present absent containers removed   # what the host knows must (not) be there
declare -A counts                                # operations reported done, by kind
declare -A cut_during                            # cuts by the operation they interrupted
web_ok=                                          # the images web may run after the next check
retry=                                           # the pull the last cut interrupted (pulled again at the next boot)
aim=                                             # K:US: the guest cuts itself US µs after the K-th 'Unpacking layers'
aimed=                                           # the pull an aimed cut interrupted (recorded or not: the next check says)
failures=0
boot_panics=0
failed_cuts=0
repairs=0
leftover_lines=0
fail() { echo "FAIL cut $1: $2" | tee -a "$work/failures" >&2; failures=$((failures + 1)); cut_failed=yes; }

# Read one boot's console: the check of the previous cut (against what the host knew), then the
# operations of this boot (which update what it knows).
parse() {
    local cut=$1 mode=$2 file="$work/console-$1.log" line word name
    local -A seen_before seen after_containers
    local in_check=no checked=no op_now=none pull_now= started=0 completed=0
    cut_failed=no
    while IFS= read -r line; do
        line=${line%$'\r'}
        case $line in
        "PC check-begin") in_check=yes ;;
        "PC check1: leftover"*) leftover_lines=$((leftover_lines + 1)) ;;
        "PC check1-rc "*) [ "${line#PC check1-rc }" = 0 ] ||
            fail "$((cut - 1))" "system check fails as found: $(grep -a '^PC check1: problem' "$file" | tr -d '\r' | head -n 3 | tr '\n' ';')" ;;
        "PC check2: checked"*) repairs=$((repairs + 1)) ;;
        "PC check3-rc "*) [ "${line#PC check3-rc }" = 0 ] ||
            fail "$((cut - 1))" "system check fails after --repair: $(grep -a '^PC check3: ' "$file" | tr -d '\r' | head -n 3 | tr '\n' ';')" ;;
        "PC image-before "*) seen_before[${line#PC image-before }]=1 ;;
        "PC image "*) seen[${line#PC image }]=1 ;;
        "PC container "*) after_containers[${line#PC container }]=1 ;;
        "PC marker-bad "*) fail "$((cut - 1))" "image content wrong: ${line#PC marker-bad }" ;;
        "PC marker-ok "*) counts[content-read]=$(( ${counts[content-read]:-0} + 1 )) ;;
        "PC next-rc "*) [ "${line#PC next-rc }" = 0 ] || fail "$((cut - 1))" "the next run --rm fails" ;;
        "PC check-end")
            in_check=no; checked=yes
            if [ -n "$aimed" ]; then
                if [ -n "${seen_before[$aimed]:-}" ]; then counts[aimed-recorded]=$(( ${counts[aimed-recorded]:-0} + 1 ))
                else counts[aimed-unrecorded]=$(( ${counts[aimed-unrecorded]:-0} + 1 )); fi
                aimed=
            fi
            for name in "${!present[@]}"; do
                [ -n "${seen_before[$name]:-}" ] || fail "$((cut - 1))" "image $name was reported stored and is gone"
            done
            for name in "${!absent[@]}"; do
                [ -z "${seen[$name]:-}" ] || fail "$((cut - 1))" "image $name was reported removed and is back"
            done
            for name in "${!containers[@]}"; do
                [ -n "${after_containers[$name]:-}" ] || fail "$((cut - 1))" "container $name was created and is gone"
            done
            for name in "${!removed[@]}"; do
                [ -z "${after_containers[$name]:-}" ] || fail "$((cut - 1))" "container $name was removed and is back"
            done
            ;;
        "PC web "*)
            set -- ${line#PC web }
            [ -z "$web_ok" ] || [ "$1" = 1 ] || fail "$((cut - 1))" "$1 containers named web* after the check (an update is old or new)"
            [ -z "$web_ok" ] || [[ " $web_ok " == *" ${2:-none} "* ]] || fail "$((cut - 1))" "web runs ${2:-nothing}, neither of $web_ok"
            counts[web-checked]=$(( ${counts[web-checked]:-0} + 1 )) ;;
        "PC op "*) op_now=${line#PC op }; pull_now= ;;
        "PC retry-rc "*) set -- ${line#PC retry-rc }
            [ "$1" = 0 ] || fail "$((cut - 1))" "the pull of $2 that the cut interrupted fails again: $(grep -a '^PC retry-out: ' "$file" | tr -d '\r' | head -n 3 | tr '\n' ';')"
            counts[retried]=$(( ${counts[retried]:-0} + 1 )) ;;
        "PC leftovers "*) set -- ${line#PC leftovers }
            [ "$1" = 0 ] || fail "$((cut - 1))" "left after the next pull and system prune: ${*:2}" ;;
        # Where in a pull the console was when the power went: resolving the manifest and config,
        # downloading (each blob is verified as it arrives: 'Download complete' once it is), or
        # unpacking the last layers and recording the image (after 'Unpacking layers').
        "PC pull-out "*": Downloading") started=$((started + 1)); op_now="pull: download/verify" ;;
        "PC pull-out "*": Download complete") completed=$((completed + 1))
            [ $completed -lt $started ] || op_now="pull: downloaded, unpacking" ;;
        "PC pull-out Unpacking layers") op_now="pull: unpack/record" ;;
        "PC pull-out Digest: "*|"PC pull-out Status: "*) op_now="pull: printing its result" ;;
        "PC update-begin "*) set -- ${line#PC update-begin }; web_ok="$1 $2" ;;
        "PC ok update "*) web_ok=${line#PC ok update }; counts[update]=$(( ${counts[update]:-0} + 1 )) ;;
        "PC begin "*) name=${line#PC begin }
            if [ "$op_now" = pull ]; then pull_now=$name; op_now="pull: resolve"; started=0; completed=0; fi
            unset "present[$name]" "absent[$name]" "containers[$name]" "removed[$name]" ;;
        "PC ok store "*) name=${line#PC ok store }; [ "$name" != "$pull_now" ] || { pull_now=; op_now="pull done"; }
            present[$name]=1; unset "absent[$name]"; counts[store]=$(( ${counts[store]:-0} + 1 )) ;;
        "PC ok untag "*) name=${line#PC ok untag }; absent[$name]=1; unset "present[$name]"; counts[untag]=$(( ${counts[untag]:-0} + 1 )) ;;
        "PC ok create "*) name=${line#PC ok create }; containers[$name]=1; counts[create]=$(( ${counts[create]:-0} + 1 )) ;;
        "PC ok remove "*) name=${line#PC ok remove }; removed[$name]=1; unset "containers[$name]"; counts[remove]=$(( ${counts[remove]:-0} + 1 )) ;;
        "PC ok run") counts[run]=$(( ${counts[run]:-0} + 1 )) ;;
        "PC error pull "*) [ "${line#PC error pull }" != "$pull_now" ] || { pull_now=; op_now="pull failed"; }
            counts[errors]=$(( ${counts[errors]:-0} + 1 )); echo "cut $cut: ${line#PC }" >>"$work/errors" ;;
        "PC error "*) counts[errors]=$(( ${counts[errors]:-0} + 1 )); echo "cut $cut: ${line#PC }" >>"$work/errors" ;;
        "PC fatal"*) fail "$cut" "${line#PC }" ;;
        esac
    done < <(tr -d '\r' <"$file" | grep -a '^PC ')
    # The pull under way when the power went is pulled again by the next boot's check.
    retry=$pull_now
    if [ "$mode" = cycle ] && [ -n "$aim" ]; then op_now="pull: aimed after 'Unpacking layers'"; aimed=$pull_now; fi
    [ "$mode" != cycle ] || cut_during[$op_now]=$(( ${cut_during[$op_now]:-0} + 1 ))
    if [ "$cut" -gt 1 ] && [ $checked = no ]; then fail "$((cut - 1))" "the next boot did not finish its check (console-$cut.log)"; fi
    [ $cut_failed = no ] || failed_cuts=$((failed_cuts + 1))
}

started=$(date +%s)
cuts=0
for cut in $(seq 1 "$n"); do
    [ $stop = 0 ] || break
    cuts=$cut
    # The pull workload aims one cut in three at the end of a pull, which lasts only tenths of a
    # second: the guest itself resets (no sync) 0–159 ms after the K-th 'Unpacking layers' it read
    # (lighter.aim=K:US); the console, read every 0.1 s and a little late, cannot aim that finely.
    aim=
    # Half of them within its first 10 ms (in 0.1 ms steps), where the record is; LIGHTER_POWERCUT_AIM_ALL=1
    # aims every cut.
    if [ "${LIGHTER_POWERCUT_OPS:-}" = pull ] && { [ -n "${LIGHTER_POWERCUT_AIM_ALL:-}" ] || [ $((RANDOM % 3)) = 0 ]; }; then
        if [ $((RANDOM % 2)) = 0 ]; then aim="$((RANDOM % 3 + 1)):$((RANDOM % 100 * 100))"; else aim="$((RANDOM % 3 + 1)):$((RANDOM % 160 * 1000))"; fi
    fi
    # A kernel that panics at boot (TCG on a loaded host: "IO-APIC + timer doesn't work") before
    # anything of Lighter ran is booted again, up to 3 times: not a cut.
    for attempt in 1 2 3; do
        boot cycle "$cut"
        while kill -0 "$qemu" 2>/dev/null && ! grep -aq '^PC ' "$work/console-$cut.log"; do sleep 0.2; done
        grep -aq '^PC ' "$work/console-$cut.log" || ! grep -aq 'Kernel panic' "$work/console-$cut.log" || {
            wait "$qemu" 2>/dev/null; mv "$work/console-$cut.log" "$work/console-$cut-panic$attempt.log"; boot_panics=$((boot_panics + 1)); continue; }
        break
    done
    # Wait for the workload (after the boot and the check) and 1–3 of its operations, then cut the
    # power 0–4 s later: counting operations keeps the cut inside the workload however slow TCG is.
    operations=$((RANDOM % 3 + 1))
    waited=0
    if [ -n "$aim" ]; then
        while [ $stop = 0 ] && kill -0 "$qemu" 2>/dev/null && [ $waited -lt 6000 ]; do sleep 0.1; waited=$((waited + 1)); done
        kill -0 "$qemu" 2>/dev/null && { counts[aim-missed]=$(( ${counts[aim-missed]:-0} + 1 )); echo "cut $cut: the guest did not cut itself; killed" >&2; }
    else
        until [ "$(sed -n '/^PC workload-start/,$p' "$work/console-$cut.log" 2>/dev/null | grep -ac '^PC \(ok\|error\)')" -ge $operations ]; do
            if [ $stop = 1 ] || ! kill -0 "$qemu" 2>/dev/null || [ $waited -ge 6000 ]; then break; fi
            sleep 0.1; waited=$((waited + 1))
        done
        delay=$((RANDOM % 40))
        sleep "$((delay / 10)).$((delay % 10))"
    fi
    kill -KILL "$qemu" 2>/dev/null
    wait "$qemu" 2>/dev/null
    qemu=
    if [ $stop = 1 ] && ! grep -aq '^PC workload-start' "$work/console-$cut.log"; then
        # Stopped during this boot's check: not a cut of the workload; the final boot checks instead.
        mv "$work/console-$cut.log" "$work/console-$cut-stopped.log"
        cuts=$((cut - 1))
        break
    fi
    grep -aq '^PC workload-start' "$work/console-$cut.log" || fail "$cut" "no workload started (console-$cut.log)"
    parse "$cut" cycle
    echo "cut $cut: $([ -n "$aim" ] && echo "the guest cut its power ${aim#*:} µs after 'Unpacking layers' of pull ${aim%%:*}" || echo "killed $((delay / 10)).$((delay % 10)) s after operation $operations") of the workload; $(grep -ac '^PC ok' "$work/console-$cut.log") operations reported done; $failures failures so far"
done
# The last boot only checks.
final=$((cuts + 1))
aim=
boot check "$final"
timeout 900 tail --pid="$qemu" -f /dev/null
wait "$qemu" 2>/dev/null
qemu=
parse "$final" check
elapsed=$(( $(date +%s) - started ))

printf '%-28s %s\n' "power cuts" "$cuts" \
    "cuts with a failure" "$failed_cuts" \
    "failures" "$failures" \
    "images reported stored" "${counts[store]:-0}" \
    "images reported removed" "${counts[untag]:-0}" \
    "containers created" "${counts[create]:-0}" \
    "containers removed" "${counts[remove]:-0}" \
    "run --rm done" "${counts[run]:-0}" \
    "images read back" "${counts[content-read]:-0}" \
    "operations that failed" "${counts[errors]:-0}" \
    "leftovers found" "$leftover_lines" \
    "repairs" "$repairs" \
    "updates done" "${counts[update]:-0}" \
    "web checked after a cut" "${counts[web-checked]:-0}" \
    "interrupted pulls redone" "${counts[retried]:-0}" \
    "aimed cuts: image recorded" "${counts[aimed-recorded]:-0}" \
    "aimed cuts: not recorded" "${counts[aimed-unrecorded]:-0}" \
    "aimed cuts missed" "${counts[aim-missed]:-0}" \
    "boots retried (kernel panic)" "$boot_panics" \
    "seconds" "$elapsed"
for op in "${!cut_during[@]}"; do printf '%-28s %s\n' "cuts during $op" "${cut_during[$op]}"; done
if [ "$failures" = 0 ] && [ -z "${LIGHTER_POWERCUT_KEEP:-}" ]; then
    rm -rf "$work"
else
    echo "power-cut.sh: consoles and disk kept in $work" >&2
fi
[ "$failures" = 0 ]
}
# On one line: bash has read it whole before main runs, so an edit of this file meanwhile is not read after.
main "$@"; exit
