#!/bin/sh
# Lighter's main job on a fresh Debian 12 machine with the Swift toolchain: install what it needs,
# build the static binary, make a busybox image from Debian's busybox-static, and show it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
command -v swift >/dev/null 2>&1 || PATH="$PATH:/opt/swift/usr/bin"
[ "$(id -u)" = 0 ] || { echo "scripts/quickstart.sh: run as root" >&2; exit 1; }
scripts/install-deps.sh
swift build -c release -Xswiftc -static-executable
bin="$top/.build/release/lighter"
scripts/busybox-rootfs.sh "$(dpkg --print-architecture)" "$top/.fixtures/busybox-$(dpkg --print-architecture).tar"
"$bin" import --change 'CMD ["/bin/sh"]' "$top/.fixtures/busybox-$(dpkg --print-architecture).tar" busybox:latest
"$bin" images
"$bin" image inspect --format '{{.Architecture}} {{.Config.Cmd}}' busybox
echo "lighter is at $bin ($(du -h "$bin" | cut -f1))"
