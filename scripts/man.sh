#!/bin/sh
# Write the man pages of run and create (groff, from the option table) into DIR (default .build/man):
# lighter-run.1 and lighter-create.1. LIGHTER names the binary (default .build/debug/lighter).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/.build/man}
bin=${LIGHTER:-$top/.build/debug/lighter}
mkdir -p "$dir"
for command in run create; do
    "$bin" __man "$command" > "$dir/lighter-$command.1"
done
echo "$dir/lighter-run.1 $dir/lighter-create.1"
