#!/bin/sh
# Build the fuzz targets with libFuzzer + ASan and run each for SECONDS (default 30) from its seed
# corpus (scripts/fuzz/corpus/TARGET, copied: the seeds in the repository do not grow). Fails when a
# target reports a crash, a hang (-timeout), a leak or an out-of-memory; prints per target the
# executions per second and the coverage (cov: edges, ft: features) of its last status line.
# `run.sh SECONDS TARGET...` runs only the named targets. The findings stay in .build/fuzz/findings/.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-30}
[ $# -gt 0 ] && shift
bin=$("$top/scripts/fuzz/build.sh")
targets=${*:-$("$bin" --list)}
work="$top/.build/fuzz/findings"
mkdir -p "$work"
failed=0
printf '%-14s %8s %10s %8s %8s %8s  %s\n' target seconds execs exec/s cov ft result
for target in $targets; do
    corpus="$work/$target.corpus"
    rm -rf "$corpus" && mkdir -p "$corpus"
    cp "$top/scripts/fuzz/corpus/$target"/* "$corpus/"
    log="$work/$target.log"
    set +e
    # Swift's own backtracer reads the stack from a helper thread, which ASan reports as an overflow
    # of its own: libFuzzer's and ASan's reports are enough.
    (cd "$work" && SWIFT_BACKTRACE=enable=no "$bin" "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$work/$target-" -print_final_stats=1 "$corpus") >"$log" 2>&1
    status=$?
    set -e
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    rate=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    result=ok
    if [ $status != 0 ] || grep -qE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|SUMMARY:|Fatal error' "$log"; then
        result="FAILED (exit $status): see $log and $work/$target-*"
        failed=1
    fi
    printf '%-14s %8s %10s %8s %8s %8s  %s\n' "$target" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit $failed
