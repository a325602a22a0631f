#!/bin/sh
# Build the single static binary: .build/release/lighter (and a stripped copy, .build/release/lighter-stripped).
# libarchive's compression libraries and mbedTLS's three libraries (TLS, then X.509, then crypto)
# and libcrypto (SHA-256) are named again at the end of the link line, because a static link resolves
# libraries in order.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
command -v swift >/dev/null 2>&1 || PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product lighter -Xswiftc -static-executable -Xswiftc -Osize \
    -Xlinker -larchive -Xlinker -lzstd -Xlinker -llz4 -Xlinker -llzma -Xlinker -lbz2 -Xlinker -lz \
    -Xlinker -lmbedtls -Xlinker -lmbedx509 -Xlinker -lmbedcrypto -Xlinker -lcrypto "$@"
strip -o .build/release/lighter-stripped .build/release/lighter
# Foundation's ICU data (~40 MiB) comes in with the first Foundation-only API (String(format:),
# DateFormatter, ...) used under `import Foundation`: refuse such a binary, name the cause.
if nm .build/release/lighter | grep -Eq ' icudt[0-9]+_dat$'; then
    echo "error: the binary links ICU's data (+40 MiB): code uses a Foundation-only API; use FoundationEssentials" >&2
    exit 1
fi
echo "lighter-stripped: $(stat -c %s .build/release/lighter-stripped) bytes"
