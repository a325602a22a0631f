#!/bin/bash
# Layer apply throughput: Lighter vs tar on the same >= 200 MB layer, in one run.
#   scripts/bench/layer-apply.sh [SOURCE_DIR] [RUNS]
# SOURCE_DIR (default /usr/share) becomes the layer. Needs the release binary
# (swift build -c release -Xswiftc -static-executable). Prints a markdown table of medians.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
src=${1:-/usr/share}
runs=${2:-3}
bin=${LIGHTER_BIN:-"$top/.build/release/lighter"}
[ -x "$bin" ] || { echo "build the release binary first" >&2; exit 1; }
work=${BENCH_DIR:-/tmp/lighter-bench}
mkdir -p "$work"
if [ ! -s "$work/layer.tar" ]; then
    # Keep the full path (usr/share/...): relative symlinks in the tree then resolve inside the layer.
    tar -C / --sort=name --numeric-owner -cf "$work/layer.tar" "${src#/}"
    gzip -1 -c "$work/layer.tar" > "$work/layer.tar.gz"
fi
size=$(stat -c %s "$work/layer.tar")
files=$(tar -tf "$work/layer.tar" | wc -l)

# A docker-archive holding the uncompressed layer, for `lighter load` (hash + apply).
rm -rf "$work/prep"
"$bin" --root "$work/prep" import "$work/layer.tar.gz" bench:1 >/dev/null
"$bin" --root "$work/prep" save -o "$work/image.tar" bench:1
rm -rf "$work/prep"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {  # name, command (run in a fresh target dir $T)
    local name=$1; shift
    local times=()
    for _ in $(seq "$runs"); do
        rm -rf "$work/t"; mkdir -p "$work/t"; sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
        local start end
        start=$(date +%s.%N)
        T="$work/t" bash -c "$*" >/dev/null
        sync
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc)")
    done
    local m
    m=$(printf '%s\n' "${times[@]}" | median)
    printf '| %s | %.2f | %.0f |\n' "$name" "$m" "$(echo "$size / 1048576 / $m" | bc -l)"
}
echo "layer: $src, $((size / 1048576)) MiB uncompressed, $(( $(stat -c %s "$work/layer.tar.gz") / 1048576 )) MiB gzip, $files entries; median of $runs runs, sync included"
echo
echo "| operation | seconds | MiB/s (uncompressed) |"
echo "|---|---:|---:|"
measure 'tar -xf layer.tar' 'tar -C "$T" -xf '"$work/layer.tar"
measure 'lighter load (docker-archive: verify + unpack)' "$bin --root \"\$T\" load -i $work/image.tar"
measure 'tar -xzf layer.tar.gz' 'tar -C "$T" -xzf '"$work/layer.tar.gz"
measure 'lighter import layer.tar.gz (gunzip + hash + store blob + unpack)' "$bin --root \"\$T\" import $work/layer.tar.gz b:1"
rm -rf "$work/t"
