#!/bin/sh
# Check a .deb made by scripts/package-deb.sh: its control fields and maintainer scripts, that it
# holds the binary, the init files, completions, man pages and docs, and that the binary unpacked
# with `dpkg -x` runs `info`. Installs nothing on this machine.
#
#   scripts/check-deb.sh [DEB]   (without DEB: packages first, with LIGHTER/ARCH/COMPRESSION as
#                                 package-deb.sh takes them, into a temporary directory)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deb=${1:-}
if [ -z "$deb" ]; then
    deb=$("$top/scripts/package-deb.sh" "$work/out")
fi
failed=0
fail() { echo "check-deb: $*" >&2; failed=1; }

info=$(dpkg-deb --info "$deb")
for field in "Package: lighter" "Version: " "Architecture: " "Installed-Size: " "Description: "; do
    echo "$info" | grep -q "^ $field" || fail "control has no \"$field\""
done
for script in postinst prerm postrm; do
    echo "$info" | grep -q " $script" || fail "no $script"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst | grep -q "addgroup --system lighter" || fail "postinst does not create the lighter group"

contents=$(dpkg-deb --contents "$deb")
for path in ./usr/bin/lighter ./lib/systemd/system/lighter.service ./lib/systemd/system/lighter.socket \
    ./lib/systemd/system/lighter-boot.service ./lib/systemd/system/lighter-auto-update.service \
    ./lib/systemd/system/lighter-auto-update.timer ./usr/share/lighter/init/openrc-lighter ./usr/share/lighter/init/S60lighter \
    ./usr/share/bash-completion/completions/lighter ./usr/share/zsh/vendor-completions/_lighter \
    ./usr/share/fish/vendor_completions.d/lighter.fish ./usr/share/man/man1/lighter-run.1.gz \
    ./usr/share/man/man1/lighter-create.1.gz ./usr/share/doc/lighter/BOARDS.md.gz; do
    echo "$contents" | grep -q " $path\$" || fail "missing $path"
done
echo "$contents" | grep " ./usr/bin/lighter\$" | grep -q "^-rwxr-xr-x root/root" || fail "usr/bin/lighter is not root-owned 0755"

dpkg -x "$deb" "$work/x"
"$work/x/usr/bin/lighter" --root "$work/data" info --format '{{.ServerVersion}}' >/dev/null || fail "the unpacked binary's info failed"
grep -q "complete" "$work/x/usr/share/bash-completion/completions/lighter" || fail "bash completion has no complete command"
gzip -dc "$work/x/usr/share/man/man1/lighter-run.1.gz" | grep -q '^\.TH' || fail "lighter-run.1 is not a man page"
if command -v systemd-analyze >/dev/null 2>&1; then
    # Unit syntax (the ExecStart binary is the unpacked one's path, so it is looked up there).
    for unit in lighter.service lighter.socket lighter-boot.service lighter-auto-update.service lighter-auto-update.timer; do
        sed "s#/usr/bin/lighter#$work/x/usr/bin/lighter#" "$work/x/lib/systemd/system/$unit" > "$work/$unit"
    done
    systemd-analyze verify "$work/lighter.socket" "$work/lighter.service" "$work/lighter-boot.service" \
        "$work/lighter-auto-update.service" "$work/lighter-auto-update.timer" 2>"$work/verify" \
        || { cat "$work/verify" >&2; fail "systemd-analyze verify failed"; }
fi
[ $failed -eq 0 ] || exit 1
echo "check-deb: $deb is complete ($(echo "$contents" | wc -l) entries)"
