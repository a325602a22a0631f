#!/bin/sh
# Build the cgroup v2 test VM in .testvm/ (gitignored): Debian's kernel (linux-image-amd64, fetched
# with `apt-get download` and unpacked with `dpkg -x`, nothing installed) and an initramfs holding
# busybox, the static lighter (.build/release/lighter, from scripts/build-release.sh), the busybox
# image tarball (.fixtures/busybox-amd64.tar), overlay.ko and the guest tests (guest-init.sh,
# guest-tests.sh, and guest-powercut.sh for scripts/chaos/power-cut.sh). scripts/testvm/run.sh boots it.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/scripts/testvm"
cache="${TESTVM_CACHE:-$top/.testvm}"
binary="${LIGHTER_BINARY:-$top/.build/release/lighter}"
image="$top/.fixtures/busybox-amd64.tar"
busybox=/bin/busybox
[ -x "$binary" ] || { echo "build-image.sh: no static lighter at $binary: run scripts/build-release.sh" >&2; exit 1; }
[ -s "$image" ] || { echo "build-image.sh: no $image: run scripts/fixtures.sh" >&2; exit 1; }
[ -x "$busybox" ] || { echo "build-image.sh: no static busybox at $busybox: apt-get install busybox-static" >&2; exit 1; }
mkdir -p "$cache"

# The kernel: the package linux-image-amd64 depends on (linux-image-6.1.0-N-amd64), unpacked.
if ! ls "$cache"/kernel/boot/vmlinuz-* >/dev/null 2>&1; then
    depends() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1; }
    package=$(depends)
    if [ -z "$package" ]; then apt-get update -qq; package=$(depends); fi
    [ -n "$package" ] || { echo "build-image.sh: apt-cache knows no linux-image-amd64" >&2; exit 1; }
    rm -rf "$cache/debs" "$cache/kernel.tmp"
    mkdir -p "$cache/debs"
    # _apt cannot write into a root-owned work tree: download as root, quietly.
    (cd "$cache/debs" && apt-get download -qq -o APT::Sandbox::User=root "$package")
    dpkg -x "$cache"/debs/"$package"_*.deb "$cache/kernel.tmp"
    rm -rf "$cache/kernel" "$cache/debs"
    mv "$cache/kernel.tmp" "$cache/kernel"
fi
kernel=$(ls "$cache"/kernel/boot/vmlinuz-* | head -n 1)
release=${kernel##*/vmlinuz-}
modules="$cache/kernel/lib/modules/$release/kernel"
ln -sf "$kernel" "$cache/vmlinuz"

# The initramfs.
root="$cache/initramfs.tmp"
rm -rf "$root"
mkdir -p "$root/bin" "$root/usr/bin" "$root/lib/modules" "$root/images" "$root/etc" \
    "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp" "$root/var/lib/lighter"
cp "$busybox" "$root/bin/busybox"
cp "$binary" "$root/usr/bin/lighter"
cp "$image" "$root/images/busybox-amd64.tar"
# What Debian builds as modules: overlayfs, nf_tables (check-config's firewall probe), binfmt_misc,
# veth and bridge, each after the modules it depends on (the .ko's "depends=" field); /init loads
# them in the order of lib/modules/order. The guest tests themselves use --network none.
: >"$root/lib/modules/order"
add_module() {
    local file dependency
    grep -qx "$1" "$root/lib/modules/order" && return 0
    file=$(find "$modules" \( -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" \) | head -n 1)
    [ -n "$file" ] || { echo "build-image.sh: no module $1 in $modules" >&2; exit 1; }
    for dependency in $(tr '\0' '\n' <"$file" | sed -n 's/^depends=//p' | tr , ' '); do add_module "$dependency"; done
    cp "$file" "$root/lib/modules/$1.ko"
    echo "$1" >>"$root/lib/modules/order"
}
# libcrc32c asks the crypto API for crc32c, which is a module of its own.
# virtio_pci, virtio_blk and ext4: the power-cut harness's data root is an ext4 virtio disk.
for module in overlay crc32c_generic nf_tables nft_chain_nat nft_nat nft_masq nft_ct binfmt_misc veth bridge \
    virtio_pci virtio_blk ext4; do
    add_module "$module"
done
mkdir -p "$root/boot"
cp "$cache/kernel/boot/config-$release" "$root/boot/"   # for check-config
# strace (with its shared libraries), if the host has it: the guest proves the init is born in its
# cgroup by tracing clone3.
if strace=$(command -v strace); then
    cp "$strace" "$root/bin/strace"
    for library in $(ldd "$strace" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
        mkdir -p "$root${library%/*}"
        cp -L "$library" "$root$library"
    done
fi
cp "$here/guest-init.sh" "$root/init"
cp "$here/guest-tests.sh" "$root/tests.sh"
cp "$here/guest-powercut.sh" "$root/powercut.sh"
chmod 0755 "$root/init" "$root/tests.sh" "$root/powercut.sh"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf '127.0.0.1\tlocalhost\n' >"$root/etc/hosts"
: >"$root/etc/resolv.conf"
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1 >"$cache/initramfs.cpio.gz.tmp")
mv "$cache/initramfs.cpio.gz.tmp" "$cache/initramfs.cpio.gz"
rm -rf "$root"
echo "test VM: $kernel, $cache/initramfs.cpio.gz ($(du -k "$cache/initramfs.cpio.gz" | cut -f1) KiB)"
