#!/bin/sh
# Build the fuzz targets (scripts/fuzz/Sources/lighter-fuzz) with libFuzzer and the address sanitizer,
# into .build/fuzz (apart from the normal build). Prints the binary's path.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
command -v swift >/dev/null 2>&1 || PATH="$PATH:/opt/swift/usr/bin"
# SwiftPM links an executable with `--defsym main=<module>_main`, so libFuzzer's own main is not used:
# lighter-fuzz's main picks the target and calls LLVMFuzzerRunDriver. gold warns about every ASan
# helper it cannot export; those lines are dropped.
swift build --build-path .build/fuzz --product lighter-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLIGHTER_FUZZ 2>&1 | grep -v "Cannot export local symbol" >&2 || true
bin=$(swift build --build-path .build/fuzz --show-bin-path -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLIGHTER_FUZZ)/lighter-fuzz
[ -x "$bin" ] || { echo "scripts/fuzz/build.sh: the build failed" >&2; exit 1; }
echo "$bin"
