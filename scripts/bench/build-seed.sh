#!/bin/sh
# The seed's recipe (tests: BuildSeedRecipeTests; FROM, MAINTAINER, RUN, ADD www, ADD a config,
# EXPOSE 80, CMD) on the busybox fixture: cold (`builder prune -a` before each build) and no-op
# rebuild (every step CACHED), median of 5 each, RUN on no network. With `--docker`, the same
# Dockerfile and context with `docker build` (classic builder, DOCKER_BUILDKIT=0, and BuildKit when
# present) against the dockerd of DOCKER_HOST; cold there is `--no-cache`.
# Usage: scripts/bench/build-seed.sh [LIGHTER_BINARY] [--docker] (default .build/release/lighter-stripped)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
lighter=${1:-$top/.build/release/lighter-stripped}
work=$(mktemp -d /tmp/lighter-bench-seed-XXXXXX)
trap 'rm -rf "$work"' EXIT
export LIGHTER_ROOT="$work/root" LIGHTER_DEFAULT_NETWORK=none
docker_host=${DOCKER_HOST:-}
unset DOCKER_HOST  # lighter would warn that it does not use it, on every run
"$lighter" import -c 'CMD ["/bin/sh"]' "$top/.fixtures/busybox-amd64.tar" busybox >/dev/null
mkdir -p "$work/ctx/www"
echo "<h1>Hello world!</h1>" > "$work/ctx/www/index.html"
echo "tutum" > "$work/ctx/www/logo.txt"
echo ".html:text/html" > "$work/ctx/httpd.conf"
cat > "$work/ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox
MAINTAINER support@tutum.co
RUN mkdir -p /var/log/httpd && \
    touch /var/log/httpd/access.log && \
    mkdir -p /tmp/httpd && \
    echo "clear_env = no" >> /etc/httpd-env.conf
ADD www /www
ADD httpd.conf /etc/httpd/
EXPOSE 80
CMD exec httpd -f -p 80 -h /www -c /etc/httpd/httpd.conf
DOCKERFILE
"$lighter" build -q -t hello-world "$work/ctx" >/dev/null
hyperfine -N -w 2 -r 5 --export-json "$work/noop.json" "$lighter build -q -t hello-world $work/ctx" >/dev/null
hyperfine -w 1 -r 5 --prepare "$lighter builder prune -a -f" --export-json "$work/cold.json" "$lighter build -q -t hello-world $work/ctx" >/dev/null
median() { python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"{r['median']*1000:.1f} ms median (min {r['min']*1000:.1f})\")" "$1"; }
echo "lighter no-op: $(median "$work/noop.json")"
echo "lighter cold:  $(median "$work/cold.json")"
if [ "${2:-}" = "--docker" ]; then
    [ -n "$docker_host" ] && export DOCKER_HOST="$docker_host"
    docker import "$top/.fixtures/busybox-amd64.tar" busybox >/dev/null
    for kit in 0 1; do
        DOCKER_BUILDKIT=$kit docker build -q --network none -t hello-world "$work/ctx" >/dev/null || continue
        DOCKER_BUILDKIT=$kit hyperfine -N -w 2 -r 5 --export-json "$work/d-noop-$kit.json" "docker build -q --network none -t hello-world $work/ctx" >/dev/null
        DOCKER_BUILDKIT=$kit hyperfine -w 1 -r 5 --export-json "$work/d-cold-$kit.json" "docker build -q --no-cache --network none -t hello-world $work/ctx" >/dev/null
        echo "docker (BUILDKIT=$kit) no-op: $(median "$work/d-noop-$kit.json")"
        echo "docker (BUILDKIT=$kit) cold:  $(median "$work/d-cold-$kit.json")"
    done
fi
