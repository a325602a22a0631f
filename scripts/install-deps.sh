#!/bin/sh
# Install, with apt-get, everything Lighter's build, quick start and tests need on Debian 12.
# The Swift toolchain itself is expected on PATH.
set -eu
packages="libarchive-dev libsqlite3-dev libseccomp-dev libmbedtls-dev libssl-dev zlib1g-dev libbz2-dev liblzma-dev libzstd-dev liblz4-dev pkg-config busybox-static skopeo umoci zstd gzip bzip2 xz-utils tar docker-registry apache2-utils openssl ca-certificates \
  python3 iproute2 nftables util-linux procps qemu-user-static qemu-system-x86 strace golang-go containerd docker.io \
  sqlite3 e2fsprogs curl rdiff bc python3-docker docker-compose openssh-client openssh-server"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
