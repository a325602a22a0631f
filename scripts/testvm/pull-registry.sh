#!/bin/bash
# Make the registry disk of the power-cut harness's pull workload (LIGHTER_POWERCUT_OPS=pull):
# $cache/pull-registry.img, a small ext4 image the test VM mounts read-only as /dev/vdb, holding
# Debian's docker-registry (/usr/bin/docker-registry, dynamically linked: with the loader and libc
# `ldd` names, run through that loader), its config (127.0.0.1:5000 in the guest, read-only
# maintenance mode) and its storage, filled here on the host: the static lighter on a private root
# builds four images (busybox, a shared layer of 3 MiB, two layers of 3 and 2 MiB of their own and
# a last layer with /marker naming the image and /sums, the sha256sums of the data files; random
# data, so gzip cannot shrink it) and pushes them as pc/pull:p1…p4 to docker-registry serving that
# storage on a free loopback port. Nothing stays on the host but the image (no registry process,
# no root, no mount). Rebuilt when missing or older than this script or the binary.
# usage: scripts/testvm/pull-registry.sh   (LIGHTER_BINARY and TESTVM_CACHE as for build-image.sh)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache="${TESTVM_CACHE:-$top/.testvm}"
binary="${LIGHTER_BINARY:-$top/.build/release/lighter}"
image="$cache/pull-registry.img"
rootfs="$top/.fixtures/busybox-amd64.tar"
registry=$(command -v docker-registry) || { echo "pull-registry.sh: no docker-registry: apt-get install docker-registry" >&2; exit 1; }
command -v mkfs.ext4 >/dev/null || { echo "pull-registry.sh: no mkfs.ext4: apt-get install e2fsprogs" >&2; exit 1; }
[ -x "$binary" ] || { echo "pull-registry.sh: no static lighter at $binary" >&2; exit 1; }
[ -s "$rootfs" ] || { echo "pull-registry.sh: no $rootfs: run scripts/fixtures.sh" >&2; exit 1; }
if [ -s "$image" ] && [ "$image" -nt "$0" ] && [ "$image" -nt "$binary" ]; then exit 0; fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/pull-registry.XXXXXX")
pid=
finish() {
    [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
    rm -rf "$work"
}
trap finish EXIT
disk=$work/disk
mkdir -p "$disk/lib" "$disk/data" "$work/context"

# The registry and what its loader needs.
cp "$registry" "$disk/docker-registry"
for library in $(ldd "$registry" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
    cp -L "$library" "$disk/lib/"
done
[ -n "$(ls "$disk"/lib/ld-linux* 2>/dev/null)" ] || { echo "pull-registry.sh: ldd names no loader for $registry" >&2; exit 1; }
config() { # config ROOTDIRECTORY ADDRESS READONLY
    printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  maintenance:\n    uploadpurging:\n      enabled: false\n    readonly:\n      enabled: %s\nhttp:\n  addr: %s\n' "$1" "$3" "$2"
}
config /registry/data 127.0.0.1:5000 true >"$disk/config.yml"

# Fill its storage: a registry on a free loopback port of the host, the images pushed to it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
config "$disk/data" "127.0.0.1:$port" false >"$work/config.yml"
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
pid=$!
L() { "$binary" --root "$work/root" "$@"; }
L import -c 'CMD ["/bin/sh"]' "$rootfs" pc/base >/dev/null
head -c 3145728 /dev/urandom >"$work/context/shared"
for n in 1 2 3 4; do
    name=pc/pull:p$n
    head -c 3145728 /dev/urandom >"$work/context/d1"
    head -c 2097152 /dev/urandom >"$work/context/d2"
    (cd "$work/context" && sha256sum shared d1 d2 | sed 's,  ,  /,' >sums && echo "$name" >marker)
    printf 'FROM pc/base\nCOPY shared /shared\nCOPY d1 /d1\nCOPY d2 /d2\nCOPY marker sums /\n' >"$work/context/Dockerfile"
    L build -q --network none -t "127.0.0.1:$port/$name" "$work/context" >/dev/null
    pushed=no
    for i in $(seq 1 100); do
        L push "127.0.0.1:$port/$name" >/dev/null 2>&1 && { pushed=yes; break; }
        sleep 0.1
    done
    [ $pushed = yes ] || { echo "pull-registry.sh: cannot push $name to the loopback registry: $(tail -n 3 "$work/registry.log")" >&2; exit 1; }
done
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
if grep -q " $work" /proc/mounts; then echo "pull-registry.sh: a mount is left under $work" >&2; exit 1; fi
truncate -s 96M "$image.tmp"
mkfs.ext4 -q -F -d "$disk" "$image.tmp"
mv "$image.tmp" "$image"
echo "pull-registry.sh: $image ($(du -sm "$disk/data" | cut -f1) MiB of registry storage: pc/pull:p1…p4)"
