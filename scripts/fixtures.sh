#!/bin/sh
# Test fixtures, byte-identical on every run: busybox root filesystems for amd64 and arm64
# from Debian's busybox-static, in .fixtures/ at the top of the repository.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$top/.fixtures"
for arch in amd64 arm64; do
    [ -s "$top/.fixtures/busybox-$arch.tar" ] || "$top/scripts/busybox-rootfs.sh" "$arch" "$top/.fixtures/busybox-$arch.tar"
done
