#!/bin/sh
# Boot the cgroup v2 test VM (scripts/testvm/build-image.sh makes it; run.sh builds it when missing
# or older than the static binary or the guest scripts) under qemu's TCG, cgroup2 mounted alone,
# and run the guest tests. Prints the console; exits 0 only when the guest printed its
# "N passed, 0 failed" line. TESTVM_TIMEOUT (seconds, default 900) bounds the whole boot.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/scripts/testvm"
cache="${TESTVM_CACHE:-$top/.testvm}"
binary="${LIGHTER_BINARY:-$top/.build/release/lighter}"
timeout="${TESTVM_TIMEOUT:-900}"
command -v qemu-system-x86_64 >/dev/null || { echo "run.sh: no qemu-system-x86_64: apt-get install qemu-system-x86" >&2; exit 1; }
initrd="$cache/initramfs.cpio.gz"
stale=no
[ -s "$initrd" ] || stale=yes
for input in "$binary" "$here/guest-init.sh" "$here/guest-tests.sh" "$here/guest-powercut.sh" "$here/build-image.sh"; do
    [ "$stale" = yes ] || [ ! "$input" -nt "$initrd" ] || stale=yes
done
[ "$stale" = no ] || "$here/build-image.sh"
log="$cache/console.log"
started=$(date +%s)
status=0
# -no-reboot: the guest's poweroff (or a panic: panic=-1) ends qemu. KVM is not used: TCG everywhere.
timeout "$timeout" qemu-system-x86_64 -nographic -no-reboot -m 1G -smp 2 -accel tcg -cpu max \
    -kernel "$cache/vmlinuz" -initrd "$initrd" -nic none \
    -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all" \
    </dev/null 2>&1 | tee "$log" || status=$?
elapsed=$(( $(date +%s) - started ))
summary=$(tr -d '\r' <"$log" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1 || true)
if [ -z "$summary" ]; then
    echo "run.sh: the test VM gave no result after ${elapsed} s (qemu status $status${status:+; 124 is the ${timeout} s timeout})" >&2
    exit 1
fi
echo "run.sh: test VM done in ${elapsed} s: $summary"
case "$summary" in *" 0 failed") exit 0 ;; *) exit 1 ;; esac
