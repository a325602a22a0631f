#!/bin/sh
# Build lighter_VERSION_ARCH.deb: the static binary, the systemd units (lighter.socket + lighter.service,
# lighter-boot.service for daemon-less boards), the OpenRC and SysV scripts (as examples), bash/zsh/fish
# completions, the man pages of run and create, and docs/BOARDS.md. postinst creates the `lighter`
# group and the data root and, under systemd, enables and starts lighter.socket and lighter.service.
#
#   scripts/package-deb.sh [OUTDIR]        (default OUTDIR: .build/deb)
#
# LIGHTER     the binary to package (default .build/release/lighter-stripped; built with
#             scripts/build-release.sh when missing). A cross-built binary works too: set ARCH.
# ARCH        Debian architecture (default: from `uname -m`: amd64, arm64, armhf).
# COMPRESSION dpkg-deb's -Z (default xz; gzip is faster for checks).
# Prints the path of the .deb. Completions and man pages come from the binary itself, so a
# cross-built one needs HOST_LIGHTER, a binary of the same version that runs here.
set -eu
umask 022
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/.build/deb}
bin=${LIGHTER:-$top/.build/release/lighter-stripped}
if [ ! -x "$bin" ] && [ -z "${LIGHTER:-}" ]; then
    "$top/scripts/build-release.sh" >&2
fi
[ -x "$bin" ] || { echo "package-deb: no binary at $bin" >&2; exit 1; }
host_bin=${HOST_LIGHTER:-$bin}

if [ -z "${ARCH:-}" ]; then
    case $(uname -m) in
        x86_64) ARCH=amd64 ;;
        aarch64) ARCH=arm64 ;;
        armv7l|armv7*) ARCH=armhf ;;
        *) echo "package-deb: unknown machine $(uname -m): set ARCH" >&2; exit 1 ;;
    esac
fi
version=$("$host_bin" --version)
case $version in
    [0-9]*) ;;
    *) echo "package-deb: \`$host_bin --version\` printed \"$version\", not a version" >&2; exit 1 ;;
esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/share/lighter/init" \
    "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d" "$root/usr/share/man/man1" "$root/usr/share/doc/lighter"

install -m 0755 "$bin" "$root/usr/bin/lighter"
for unit in lighter.service lighter.socket lighter-boot.service lighter-auto-update.service lighter-auto-update.timer; do
    install -m 0644 "$top/contrib/init/systemd/$unit" "$root/lib/systemd/system/$unit"
done
install -m 0755 "$top/contrib/init/openrc/lighter" "$root/usr/share/lighter/init/openrc-lighter"
install -m 0755 "$top/contrib/init/sysv/S60lighter" "$root/usr/share/lighter/init/S60lighter"
"$host_bin" completion bash > "$root/usr/share/bash-completion/completions/lighter"
"$host_bin" completion zsh > "$root/usr/share/zsh/vendor-completions/_lighter"
"$host_bin" completion fish > "$root/usr/share/fish/vendor_completions.d/lighter.fish"
for command in run create; do
    "$host_bin" __man "$command" | gzip -9n > "$root/usr/share/man/man1/lighter-$command.1.gz"
done
gzip -9n < "$top/docs/BOARDS.md" > "$root/usr/share/doc/lighter/BOARDS.md.gz"
find "$root/usr/share" -type f -exec chmod 0644 {} +
chmod 0755 "$root"/usr/share/lighter/init/*

size=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: lighter
Version: $version
Architecture: $ARCH
Maintainer: Lighter developers <lighter@localhost>
Installed-Size: $size
Section: admin
Priority: optional
Suggests: qemu-user-static
Description: Docker-compatible container engine for embedded Linux boards
 One static binary: image store, OCI runtime, networking, registry client,
 command line and the Docker Engine API daemon (lighter.socket, lighter.service).
 Boards that run no daemon enable lighter-boot.service instead, which starts
 containers by their restart policy at boot.
EOF

cat > "$root/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    getent group lighter >/dev/null || addgroup --system lighter >/dev/null 2>&1 || groupadd -r lighter
    [ -d /var/lib/lighter ] || install -d -m 0711 /var/lib/lighter
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        systemctl enable lighter.socket lighter.service >/dev/null 2>&1 || true
        systemctl start lighter.socket lighter.service \
            || echo "lighter: the daemon did not start (see: journalctl -u lighter); containers are unaffected" >&2
    fi
fi
exit 0
EOF
cat > "$root/DEBIAN/prerm" <<'EOF'
#!/bin/sh
# Containers keep running: each has its own monitor (the units stop only the daemon).
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl stop lighter.service lighter.socket lighter-boot.service >/dev/null 2>&1 || true
    systemctl disable lighter.service lighter.socket lighter-boot.service >/dev/null 2>&1 || true
fi
exit 0
EOF
cat > "$root/DEBIAN/postrm" <<'EOF'
#!/bin/sh
# The data root (/var/lib/lighter: images, containers, volumes) is kept, also on purge, as Docker's is.
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
exit 0
EOF
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

mkdir -p "$out"
deb="$out/lighter_${version}_${ARCH}.deb"
dpkg-deb --root-owner-group -Z"${COMPRESSION:-xz}" --build "$root" "$deb" >/dev/null
echo "$deb"
