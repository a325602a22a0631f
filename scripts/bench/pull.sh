#!/usr/bin/env bash
# Pull of a ~1 GiB image (busybox + 4 layers of 256 MiB from /dev/urandom) from Debian's
# docker-registry on loopback: Lighter vs `docker pull` vs `podman pull`, in one run, rows
# rotated each round, page cache dropped before every timed pull. Uses ../shared/anchors
# (setup.sh must have run once; dockerd and the registry are started here if down).
#   scripts/bench/pull.sh [ROUNDS]        (default 3)
# Needs the release binary: swift build -c release -Xswiftc -static-executable
# Prints a markdown table of min/median/max wall-clock seconds.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
anchors=${ANCHORS:-$top/../shared/anchors}
rounds=${1:-3}
bin=${LIGHTER:-$top/.build/release/lighter}
[ -x "$bin" ] || { echo "build the release binary first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root (drop_caches, namespaces)" >&2; exit 1; }
# shellcheck source=/dev/null
. "$anchors/rig-env.sh"
ensure_netns
"${DOCKER[@]}" version >/dev/null 2>&1 || "$anchors/start-dockerd.sh" >/dev/null || { echo "dockerd did not start" >&2; exit 1; }
pid_alive "$RIG/registry/registry.pid" docker-registry || "$anchors/start-registry.sh" || { echo "registry did not start" >&2; exit 1; }

ref=$RIG_REGISTRY/bench/lighter-big:latest
work=${BENCH_DIR:-/tmp/lighter-bench-pull}
mkdir -p "$work"
if ! rigns skopeo inspect --tls-verify=false "docker://$ref" >/dev/null 2>&1; then
    "${DOCKER[@]}" image inspect busybox:latest >/dev/null 2>&1 \
        || "${DOCKER[@]}" import -c 'CMD ["/bin/sh"]' "$RIG/images/busybox-amd64.tar" busybox:latest >/dev/null
    mkdir -p "$work/big"
    { echo "FROM busybox:latest"; for i in 1 2 3 4; do echo "RUN head -c 268435456 /dev/urandom > /blob$i"; done; } > "$work/big/Dockerfile"
    DOCKER_BUILDKIT=0 "${DOCKER[@]}" build -q --no-cache -t "$ref" "$work/big" >/dev/null || { echo "docker build failed" >&2; exit 1; }
    "${DOCKER[@]}" push "$ref" >/dev/null || { echo "docker push failed" >&2; exit 1; }
    "${DOCKER[@]}" rmi "$ref" >/dev/null
fi
bytes=$(rigns skopeo inspect --tls-verify=false --raw "docker://$ref" | python3 -c 'import json,sys; print(sum(l["size"] for l in json.load(sys.stdin)["layers"]))')

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" > "$work/last.log" 2>&1 || { echo "FAILED: $*" >&2; tail -5 "$work/last.log" >&2; return 1; }; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
prep_docker() { "${DOCKER[@]}" rmi -f "$ref" >/dev/null 2>&1; "${DOCKER[@]}" image prune -f >/dev/null 2>&1; }
prep_podman() { podman rmi -f "$ref" >/dev/null 2>&1; }
prep_lighter() { rm -rf "$work/lighter-root"; }
run_docker() { "${DOCKER[@]}" pull -q "$ref"; }
run_podman() { rigns podman pull -q --tls-verify=false "$ref"; }
run_lighter() { rigns "$bin" pull -q --root "$work/lighter-root" "$ref"; }
rows=(lighter docker podman)
: > "$work/samples.tsv"
for ((r = 0; r < rounds; r++)); do
    for ((i = 0; i < ${#rows[@]}; i++)); do
        row=${rows[$(((i + r) % ${#rows[@]}))]}
        "prep_$row"; drop
        t=$(ms "run_$row") && printf '%s\t%s\n' "$row" "$t" >> "$work/samples.tsv"
    done
done
prep_docker; prep_podman; prep_lighter
echo "Pull of $ref ($bytes bytes compressed, 5 layers), $rounds rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| client | min s | median s | max s | MB/s (median) |"
echo "|---|---|---|---|---|"
for row in lighter docker podman; do
    awk -F'\t' -v r="$row" '$1 == r { print $2 }' "$work/samples.tsv" | sort -n | awk -v r="$row" -v b="$bytes" '{ v[++n] = $1 } END {
        if (n == 0) { printf "| %s | failed | | | |\n", r; exit }
        m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        printf "| %s | %.2f | %.2f | %.2f | %.0f |\n", r, v[1] / 1000, m / 1000, v[n] / 1000, b / 1e6 / (m / 1000) }'
done
