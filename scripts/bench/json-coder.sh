#!/bin/sh
# JSONCoder against Foundation's JSONEncoder/JSONDecoder (both -O), on a big image config, a
# manifest and inspect's round trip: scripts/bench/json-coder.sh
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v swiftc >/dev/null 2>&1 || PATH="$PATH:/opt/swift/usr/bin"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swiftc -O -module-name JSONCoderBench -o "$out/bench" "$top/scripts/bench/json-coder/main.swift" \
    "$top/Sources/LighterSystem/LighterError.swift" "$top"/Sources/LighterSystem/JSON/*.swift
"$out/bench"
