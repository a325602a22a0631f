#!/bin/sh
# `lighter build` of a small 4-step Dockerfile FROM the busybox fixture, on a private data root:
# cold (the build cache pruned before each run: RUN and COPY execute, layers are committed) and
# no-op (everything CACHED). RUN containers use no network. Needs hyperfine.
# Usage: scripts/bench/build.sh [LIGHTER_BINARY] (default .build/release/lighter-stripped)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
lighter=${1:-$top/.build/release/lighter-stripped}
work=$(mktemp -d /tmp/lighter-bench-build-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LIGHTER_ROOT="$work/root" LIGHTER_DEFAULT_NETWORK=none
"$lighter" import -c 'CMD ["/bin/sh"]' "$top/.fixtures/busybox-amd64.tar" busybox >/dev/null
mkdir "$work/ctx"
echo "hello" > "$work/ctx/app.txt"
cat > "$work/ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox
COPY app.txt /app/
RUN echo built > /app/built
ENV MODE=prod
CMD ["cat", "/app/built"]
DOCKERFILE
"$lighter" build -q -t bench:1 "$work/ctx" >/dev/null
hyperfine -N -w 3 -r 30 --export-json "$work/noop.json" --export-markdown "$work/noop.md" "$lighter build -q -t bench:1 $work/ctx"
hyperfine -w 1 -r 10 --prepare "$lighter builder prune -a -f" --export-json "$work/cold.json" --export-markdown "$work/cold.md" "$lighter build -q -t bench:1 $work/ctx"
cat "$work/noop.md" "$work/cold.md"
python3 -c "import json,sys; [print(f, round(json.load(open(sys.argv[1]+'/'+f+'.json'))['results'][0]['median']*1000,1), 'ms median') for f in ('noop','cold')]" "$work"
