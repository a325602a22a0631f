#!/bin/sh
# Build a busybox root filesystem tarball from Debian's busybox-static, byte-identical on every run.
#   scripts/busybox-rootfs.sh ARCH OUTPUT.tar      (ARCH: amd64, arm64, armhf, ...)
# The .deb is fetched with `apt-get download` (for a foreign ARCH after `dpkg --add-architecture`)
# and cached in $LIGHTER_DEB_CACHE (default /var/cache/lighter-debs).
set -eu
arch=${1:?usage: busybox-rootfs.sh ARCH OUTPUT.tar}
out=${2:?usage: busybox-rootfs.sh ARCH OUTPUT.tar}
cache=${LIGHTER_DEB_CACHE:-/var/cache/lighter-debs}
mkdir -p "$cache"

deb=$(ls "$cache"/busybox-static_*_"$arch".deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
    host=$(dpkg --print-architecture)
    if [ "$arch" != "$host" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        dpkg --add-architecture "$arch"
        apt-get update -qq
    fi
    (cd "$cache" && apt-get download -qq "busybox-static:$arch" 2>/dev/null) || {
        apt-get update -qq
        (cd "$cache" && apt-get download -qq "busybox-static:$arch")
    }
    deb=$(ls "$cache"/busybox-static_*_"$arch".deb | head -n 1)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/deb"
root="$work/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/root" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/var/www" "$root/home"
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
cp "$work/deb/bin/busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
# The applet list is fixed (not asked of the binary, which may be for a foreign architecture).
for applet in sh ash cat chmod chown cp date dd df du echo env false grep head hostname id kill ln ls \
    mkdir mknod mount mv nc nproc ps pwd readlink rm rmdir sed seq sleep sort stat sync tail tee test \
    top touch tr true umount uname uptime vi wc wget which whoami xargs yes httpd ping ip ifconfig \
    route nslookup free printenv tar gzip gunzip find awk expr basename dirname timeout watch unshare \
    nsenter chroot mkfifo setsid realpath sha256sum md5sum cut od linux32 nohup usleep tty stty ; do
    ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\ndaemon:x:1:\nwww-data:x:33:\nusers:x:100:\nnogroup:x:65534:\n' > "$root/etc/group"
printf 'Lighter busybox %s\n' "$arch" > "$root/etc/issue"
printf '<h1>served by busybox httpd in a Lighter container</h1>\n' > "$root/var/www/index.html"
mkdir -p "$(dirname "$out")"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -C "$root" -cf "$out.tmp" .
mv "$out.tmp" "$out"
