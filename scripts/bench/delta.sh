#!/bin/bash
# Delta updates benchmark (issue 16): bytes and time of a full pull vs a pull through a delta, for
# (a) one application binary of a few MiB changed and (b) a few dozen files changed among thousands,
# with rdiff (librsync) and `zstd --patch-from` on the same layer tars. Not a test: it prints a table.
#
#   scripts/bench/delta.sh [LIGHTER]      (default .build/debug/lighter; run as root)
#
# The v1 tree is busybox + `dpkg -x` of a few Debian packages (downloaded with apt-get download into
# $WORK/debs); the v2 trees come from scripts/bench/delta-trees.py. Images are built FROM busybox with
# ADD of the tree's tar (one gzip layer, as Lighter's builder writes it) and pushed to Debian's
# docker-registry on the loopback. "full pull" is a board holding busybox only pulling v2 (the tree's
# layer); the delta pull is a board holding v1. Times are wall clock on a shared machine. Needs: docker-registry, zstd, rdiff (or its .debs in $WORK/tools).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
lighter=${1:-$here/.build/debug/lighter}
WORK=${WORK:-/tmp/lighter-delta-bench}
mkdir -p "$WORK/debs"
cd "$WORK"
packages="libpython3.11-stdlib python3.11-minimal libpython3.11-minimal perl-modules-5.36 libperl5.36 vim-runtime libicu72"
if [ ! -d base ]; then
    (cd debs && apt-get download $packages >/dev/null 2>&1)
    mkdir base
    for deb in debs/*.deb; do dpkg -x "$deb" base; done
    tar -C base -xf "$here/.fixtures/busybox-amd64.tar"
fi
python3 "$here/scripts/bench/delta-trees.py" app base app2 /usr/bin/python3.11 >/dev/null
python3 "$here/scripts/bench/delta-trees.py" base base base2 40 >/dev/null
T="tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner"
for t in base app2 base2; do $T -C $t -cf $t.tar .; done
if command -v rdiff >/dev/null; then RDIFF=rdiff; else RDIFF=$WORK/tools/usr/bin/rdiff; export LD_LIBRARY_PATH=$WORK/tools/usr/lib/x86_64-linux-gnu; fi

size() { stat -c %s "$1"; }

# The registry, on a free loopback port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -rf reg && mkdir reg
cat > reg/config.yml <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $WORK/reg/data
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve reg/config.yml > reg/log 2>&1 &
registry=$!
trap 'kill $registry' EXIT
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

L() { LIGHTER_ROOT=$WORK/root-$1 "$lighter" "${@:2}"; }
rm -rf root-* ctx-*
repo=127.0.0.1:$port/bench/app
# FROM busybox, not scratch: the builder cannot ADD onto an empty root (its overlay has no lower layer).
L pub import "$here/.fixtures/busybox-amd64.tar" busybox >/dev/null
for t in base app2 base2; do
    mkdir -p ctx-$t && ln -f $t.tar ctx-$t/tree.tar && printf 'FROM busybox\nADD tree.tar /\n' > ctx-$t/Dockerfile
    L pub build -q -t $repo:$t ctx-$t >/dev/null
    L pub push $repo:$t >/dev/null
done

# timed CMD...: run it; sets $wall (elapsed s) and $cpu (user + system s: steadier than wall time
# on a shared machine).
timed() {
    /usr/bin/time -f '%e %U %S' -o "$WORK/time.out" "$@"
    read -r wall user sys < <(tail -1 "$WORK/time.out")
    cpu=$(echo "$user + $sys" | bc | sed 's/^\./0./')
}
pct() { echo "scale=3; 100*$1/$2" | bc | sed 's/^\./0./'; }

# ROUNDS (default 1): full and delta pulls alternate that many times on fresh boards; the table shows
# the median of each. COLD (default 1): each timed pull starts with the page cache dropped (sync, then
# drop_caches), as on a board whose images were stored long before: with the cache kept, this VM's
# pulls slowed from ~1 s to ~5 s over five rounds, both kinds alike, and only pairs compared.
ROUNDS=${ROUNDS:-1}
COLD=${COLD:-1}
cold() { sync; [ "$COLD" != 1 ] || echo 3 > /proc/sys/vm/drop_caches; }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

printf '| case | method | bytes sent | %% of full | make (s) | apply, wall (s) | apply, CPU (s) |\n|---|---|---:|---:|---:|---:|---:|\n'
for c in app2 base2; do
    name=$([ $c = app2 ] && echo "(a) one binary" || echo "(b) 40 files")
    timed env LIGHTER_ROOT=$WORK/root-pub "$lighter" delta create $repo:base $repo:$c --push >/dev/null 2>&1
    makeTime=$wall
    fullWalls=() fullCPUs=() deltaWalls=() deltaCPUs=()
    for round in $(seq "$ROUNDS"); do
        # Full pull of v2 by a board that holds busybox (the tree layer is new to it).
        rm -rf "$WORK/root-full-$c" "$WORK/root-board-$c"
        L full-$c import "$here/.fixtures/busybox-amd64.tar" busybox >/dev/null   # the board holds the base layer
        L board-$c pull -q $repo:base >/dev/null                                   # a board that holds v1
        cold
        timed env LIGHTER_ROOT=$WORK/root-full-$c "$lighter" pull -q $repo:$c >/dev/null
        fullWalls+=("$wall") fullCPUs+=("$cpu")
        cold
        # Lighter's delta, pulled by the board that holds v1.
        timed env LIGHTER_ROOT=$WORK/root-board-$c "$lighter" pull $repo:$c > $c.pull 2>&1
        deltaWalls+=("$wall") deltaCPUs+=("$cpu")
        deltaBytes=$(sed -n 's/.*verified from \([0-9]*\) bytes.*/\1/p' $c.pull)
        [ -n "$deltaBytes" ] || { echo "no delta used: $(cat $c.pull)" >&2; exit 1; }
        [ "$(L board-$c image inspect -f '{{.Id}}' $repo:$c)" = "$(L full-$c image inspect -f '{{.Id}}' $repo:$c)" ]
    done
    layer=$(ls -S "$WORK/root-full-$c/blobs/sha256" | head -1)   # the tree's layer: the largest blob
    fullBytes=$(size "$WORK/root-full-$c/blobs/sha256/$layer")
    [ "$ROUNDS" = 1 ] || echo "rounds, wall (s): full ${fullWalls[*]}; delta ${deltaWalls[*]}" >&2
    echo "| $name | full pull (gzip-1 layer) | $fullBytes | 100 | – | $(median "${fullWalls[@]}") | $(median "${fullCPUs[@]}") |"
    echo "| $name | lighter delta (zstd -3 patch-from, members, pull; bytes: manifest + config + delta) | $deltaBytes | $(pct $deltaBytes $fullBytes) | $makeTime | $(median "${deltaWalls[@]}") | $(median "${deltaCPUs[@]}") |"
    # The same tars with the CLI tools.
    for level in 3 19; do
        [ $level = 19 ] && [ "${SLOW:-0}" = 0 ] && continue
        timed zstd -q -f -$level --long=31 --patch-from=base.tar $c.tar -o $c.zst; mk=$wall
        timed zstd -q -f -d --long=31 --patch-from=base.tar $c.zst -o $c.out
        cmp -s $c.out $c.tar
        echo "| $name | zstd -$level --patch-from (tars) | $(size $c.zst) | $(pct $(size $c.zst) $fullBytes) | $mk | $wall | $cpu |"
    done
    rm -f base.sig $c.rdiff $c.out
    timed sh -c "$RDIFF signature base.tar base.sig && $RDIFF delta base.sig $c.tar $c.rdiff"; mk=$wall
    timed $RDIFF patch base.tar $c.rdiff $c.out
    cmp -s $c.out $c.tar
    gzip -1 -c $c.rdiff > $c.rdiff.gz
    echo "| $name | rdiff (signature+delta, gzip -1) | $(size $c.rdiff.gz) | $(pct $(size $c.rdiff.gz) $fullBytes) | $mk | $wall | $cpu |"
done
echo
echo "v1 tree: $(du -sh base | cut -f1), $(find base -type f | wc -l) files; layer tar $(size base.tar) bytes"
