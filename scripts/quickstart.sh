#!/bin/sh
# Lighter's main job on a fresh Debian 12 machine with the Swift toolchain, as root: install what it
# needs, build the static binary, make a busybox image from Debian's busybox-static, run a container.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
command -v swift >/dev/null 2>&1 || PATH="$PATH:/opt/swift/usr/bin"
[ "$(id -u)" = 0 ] || { echo "scripts/quickstart.sh: run as root" >&2; exit 1; }
scripts/install-deps.sh
scripts/build-release.sh
bin="$top/.build/release/lighter"
arch=$(dpkg --print-architecture)
scripts/busybox-rootfs.sh "$arch" "$top/.fixtures/busybox-$arch.tar"
"$bin" import --change 'CMD ["/bin/sh"]' "$top/.fixtures/busybox-$arch.tar" busybox:latest
"$bin" images
"$bin" run --rm --network none busybox sh -c 'echo "Hello from a Lighter container: $(hostname), pid $$, $(uname -m)"'
echo "lighter: $bin ($(du -h "$top/.build/release/lighter-stripped" | cut -f1) stripped)"
