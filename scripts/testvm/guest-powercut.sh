#!/bin/sh
# Power-cut guest of the test VM (issue #17; scripts/chaos/power-cut.sh drives it). The data root is
# the ext4 virtio disk /dev/vda, which survives the VM; the host SIGKILLs qemu at a random moment
# of the workload, so whatever the guest had not made durable is lost, as in a power cut.
#
# Kernel command line: lighter.powercut=cycle|check, lighter.cut=N.
#   On a used disk, first the check of what the last cut left: `system check` (must pass as is),
#   the images and containers listed, `system check --repair` if anything was left over, a second
#   check (must pass), each remaining image's content read back through a container (the small
#   images carry their own name in /marker), and the next operation (`run --rm`).
#   cycle: then the workload, forever: import, load, tag, rmi, create, rm, run --rm at random; with
#   lighter.ops=commit-update (LIGHTER_POWERCUT_OPS on the host) instead: commit (a stopped container
#   that wrote its image's /marker, as pc/small:cN) and update (a newer pc/app:latest, then
#   `auto-update`, policy local, of the labelled container `web`), with a small import now and then.
#   lighter.ops=pull: pulls from a docker-registry on the guest's 127.0.0.1:5000 (the read-only disk
#   /dev/vdb, made by scripts/testvm/pull-registry.sh: pc/pull:p1…p4, five layers each): an image is
#   removed when present and pulled again, its pull's progress lines printed as they come; now and
#   then a `run --rm` of a pulled image or a `system prune`. The check then also reads a pulled
#   image back (its /marker, and `sha256sum -c` of its data files through a container), pulls the
#   reference whose pull the cut interrupted (lighter.retry=REF, from the host) and reads it back,
#   and after a `system prune` counts the files left in downloads/ (partial blobs, download locks),
#   ingest/ and the temporary snapshots (must be none).
#   lighter.aim=K:US (pull): the guest cuts its own power (sysrq b: reset, no sync) US µs after the
#   K-th pull of the workload printed 'Unpacking layers'.
#   check: power off after the check.
# Console protocol, one line each, read by the host:
#   "PC begin NAME"        an operation that may change NAME (image tag or container ID) starts
#   "PC ok store NAME"     a command reported image NAME stored (import, load, tag)
#   "PC ok untag NAME"     a command reported NAME removed (rmi)
#   "PC ok create ID"      `create` returned container ID
#   "PC ok remove ID"      `rm` returned for container ID
#   "PC ok run"            a `run --rm` returned 0
#   "PC op KIND"           the operation under way is of KIND (import, commit, update, ...)
#   "PC update-begin OLD NEW"  `auto-update` starts: web runs image OLD, pc/app:latest is NEW
#   "PC ok update NEW"     `auto-update` returned 0 (web now runs NEW)
#   "PC web N ID"          the check: N containers are named web (or web-*), web's image is ID
#   "PC error OP: TEXT"    an operation failed (not a durability failure in itself; counted)
#   "PC pull-out LINE"     a line of the pull under way (its progress: Downloading, Download complete, ...)
#   "PC pull-tail N"       that pull ended N × 10 ms after it printed 'Unpacking layers'
#   "PC retry-rc N REF"    the check's pull of the interrupted reference REF returned N
#   "PC leftovers N LIST"  the check: N files in downloads/ (partial blobs, locks), ingest files, temporary snapshots after the prune
#   "PC check…", "PC image NAME", "PC container ID", "PC marker …", "PC next-rc N": the check
export PATH=/usr/bin:/bin
root=/var/lib/lighter
mode=$(sed -n 's/.*lighter\.powercut=\([a-z]*\).*/\1/p' /proc/cmdline)
cut=$(sed -n 's/.*lighter\.cut=\([0-9]*\).*/\1/p' /proc/cmdline)
ops=$(sed -n 's/.*lighter\.ops=\([a-z-]*\).*/\1/p' /proc/cmdline)
retry=$(sed -n 's/.*lighter\.retry=\([^ ]*\).*/\1/p' /proc/cmdline)
aim=$(sed -n 's/.*lighter\.aim=\([0-9]*:[0-9]*\).*/\1/p' /proc/cmdline)
registry=127.0.0.1:5000
log() { echo "PC $*"; }
# A line about to be followed by a destructive operation must reach the host before the operation
# starts: the serial driver sends from its buffer asynchronously.
log_sync() { echo "PC $*"; sleep 0.2; }
random() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }
# pick WORD...: one of the words at random (empty when none).
pick() { [ $# -gt 0 ] || return 0; shift $(( $(random) % $# )); echo "$1"; }

i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 /dev/vda "$root" || { log "fatal: cannot mount /dev/vda"; exit 1; }
log "mounted $(grep ' /var/lib/lighter ' /proc/mounts)"
if [ "$ops" = pull ]; then
    # The registry: its binary, loader, libc, config and storage on the read-only disk /dev/vdb.
    mkdir -p /registry
    mount -t ext4 -o ro,noload /dev/vdb /registry || { log "fatal: cannot mount the registry disk /dev/vdb"; exit 1; }
    /registry/lib/ld-linux-x86-64.so.2 --library-path /registry/lib /registry/docker-registry serve /registry/config.yml \
        >/tmp/registry.log 2>&1 &
    i=0
    until wget -q -O /dev/null "http://$registry/v2/" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 300 ] || { log "fatal: the registry does not answer: $(tail -n 3 /tmp/registry.log)"; exit 1; }
        sleep 0.1
    done
    log "registry up"
fi

check() {
    log "check-begin"
    out=$(lighter system check 2>&1); rc=$?
    echo "$out" | sed 's/^/PC check1: /'
    log "check1-rc $rc"
    lighter images --format '{{.Repository}}:{{.Tag}}' 2>&1 | sed 's/^/PC image-before /'
    if echo "$out" | grep -q '^leftover' || [ $rc != 0 ]; then
        lighter system check --repair 2>&1 | sed 's/^/PC check2: /'
    fi
    out=$(lighter system check 2>&1); rc=$?
    echo "$out" | grep -v '^checked' | sed 's/^/PC check3: /'
    log "check3-rc $rc"
    lighter images --format '{{.Repository}}:{{.Tag}}' 2>&1 | sed 's/^/PC image /'
    lighter ps -a -q --no-trunc 2>&1 | sed 's/^/PC container /'
    # Small images' layers are read back through a container (three at random, to keep the check
    # short): each /marker names its image.
    smalls=$(lighter images --format '{{.Repository}}:{{.Tag}}' pc/small 2>/dev/null)
    for name in $(pick $smalls) $(pick $smalls) $(pick $smalls); do
        got=$(lighter run --rm --network none "$name" /bin/busybox cat /marker 2>&1)
        if [ "$got" = "$name" ]; then log "marker-ok $name"; else log "marker-bad $name: $got"; fi
    done
    if [ "$ops" = commit-update ]; then
        # What a board runs when it comes back (its init's `lighter system boot`): an update the cut
        # interrupted is finished or undone there, before anything starts by policy.
        lighter system boot 2>&1 | sed 's/^/PC boot: /'
        log "web $(lighter ps -a --format '{{.Names}}' | grep -c '^web') $(lighter inspect -f '{{.Image}}' web 2>&1)"
    fi
    if [ "$ops" = pull ]; then
        pulled=$(lighter images --format '{{.Repository}}:{{.Tag}}' "$registry/pc/pull" 2>/dev/null)
        for name in $(pick $pulled); do read_back "$name"; done
    fi
    lighter run --rm --network none busybox true; log "next-rc $?"
    log "check-end"
    [ "$ops" != pull ] || pull_check
}

# read_back NAME: a pulled image's /marker names it, its data files match /sums.
read_back() {
    got=$(lighter run --rm --network none "$1" /bin/busybox sh -c 'cat /marker && sha256sum -c -s /sums && echo sums-ok' 2>&1 | tr '\n' ' ')
    if [ "$got" = "${1#$registry/} sums-ok " ]; then log "marker-ok $1"; else log "marker-bad $1: $got"; fi
}
# After the check of a pull workload: the pull the cut interrupted is done again (and read back),
# then after a `system prune` no partial download, ingest file or temporary snapshot may be left.
pull_check() {
    if [ -n "$retry" ]; then
        out=$(lighter pull -q "$retry" 2>&1); rc=$?
        log "retry-rc $rc $retry"
        if [ $rc = 0 ]; then log "ok store $retry"; read_back "$retry"; else echo "$out" | sed 's/^/PC retry-out: /'; fi
    fi
    lighter system prune -f >/dev/null 2>&1 || log "error prune after the check"
    left=$(cd "$root" && ls -d downloads/* ingest/* snapshots/.tmp/* 2>/dev/null | tr '\n' ' ')
    log "leftovers $(echo $left | wc -w) $left"
}

# One operation of the workload; $1 = a name unique to this cut and step.
small() {
    name=pc/small:$1
    rm -rf /tmp/layer && mkdir -p /tmp/layer/bin && cp /bin/busybox /tmp/layer/bin/busybox &&
        echo "$name" >/tmp/layer/marker && head -c 65536 /dev/urandom >/tmp/layer/data &&
        tar -C /tmp/layer -cf /tmp/layer.tar . || { log "error small: cannot make the layer"; return; }
    log "begin $name"
    if out=$(lighter import /tmp/layer.tar "$name" 2>&1); then log "ok store $name"; else log "error import: $out"; fi
}
busybox_image() {
    name=pc/bb:$1
    log "begin $name"
    if out=$(lighter import -c "LABEL n=$1" -c 'CMD ["/bin/sh"]' /images/busybox-amd64.tar "$name" 2>&1); then log "ok store $name"; else log "error import: $out"; fi
}
tag() {
    source=$(pick $(lighter images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>'))
    [ -n "$source" ] || return 0
    name=pc/tag:$1
    log "begin $name"
    if out=$(lighter tag "$source" "$name" 2>&1); then log "ok store $name"; else log "error tag: $out"; fi
}
rmi() {
    name=$(pick $(lighter images --format '{{.Repository}}:{{.Tag}}' | grep '^pc/'))
    [ -n "$name" ] || return 0
    log_sync "begin $name"
    if out=$(lighter rmi "$name" 2>&1); then log "ok untag $name"; else log "error rmi: $out"; fi
}
load() {
    name=$(pick $(lighter images --format '{{.Repository}}:{{.Tag}}' pc/small))
    [ -n "$name" ] || return 0
    lighter save -o /tmp/save.tar "$name" || { log "error save $name"; return; }
    log_sync "begin $name"
    if out=$(lighter rmi "$name" 2>&1); then log "ok untag $name"; else log "error rmi: $out"; return; fi
    log_sync "begin $name"
    if out=$(lighter load -q -i /tmp/save.tar 2>&1); then log "ok store $name"; else log "error load: $out"; fi
}
create() {
    if out=$(lighter create --network none busybox true 2>&1); then log "ok create $out"; else log "error create: $out"; fi
}
remove() {
    id=$(pick $(lighter ps -a -q --no-trunc))
    [ -n "$id" ] || return 0
    log_sync "begin $id"
    if out=$(lighter rm -f "$id" 2>&1); then log "ok remove $id"; else log "error rm: $out"; fi
}
# pull: the image removed when present (so the pull downloads), then pulled, its progress lines printed as they come.
pull() {
    name=$registry/pc/pull:p$(( $(random) % 4 + 1 ))
    if lighter inspect "$name" >/dev/null 2>&1; then
        log "op rmi"
        log_sync "begin $name"
        if out=$(lighter rmi "$name" 2>&1); then log "ok untag $name"; else log "error rmi: $out"; return; fi
    fi
    log "op pull"
    log "begin $name"
    rm -f /tmp/pull-rc /tmp/unpacking
    { lighter pull "$name" 2>&1; echo $? >/tmp/pull-rc; } | while IFS= read -r line; do
        echo "PC pull-out $line"
        [ "$line" = "Unpacking layers" ] || continue
        cut -d' ' -f1 /proc/uptime >/tmp/unpacking
        # lighter.aim=K:US: the K-th 'Unpacking layers' of this boot's workload, US microseconds later,
        # the guest cuts its own power: an immediate reset, no sync (sysrq b; qemu -no-reboot exits).
        [ -n "$aim" ] || continue
        unpacks=$(( $(cat /tmp/unpacks 2>/dev/null || echo 0) + 1 )); echo $unpacks >/tmp/unpacks
        [ "$unpacks" = "${aim%%:*}" ] || continue
        usleep "${aim#*:}"
        echo b >/proc/sysrq-trigger
    done
    # How long the pull took after 'Unpacking layers' (its last unpacks and the image's record), in 10 ms.
    [ ! -s /tmp/unpacking ] || log "pull-tail $(awk -v a="$(cat /tmp/unpacking)" '{ printf "%d", ($1 - a) * 100 }' /proc/uptime)"
    if [ "$(cat /tmp/pull-rc 2>/dev/null)" = 0 ]; then log "ok store $name"; else log "error pull $name"; fi
}
run_rm() {
    if out=$(lighter run --rm --network none busybox true 2>&1); then log "ok run"; else log "error run: $out"; fi
}

# commit: a container writes /marker naming the image it becomes; commit it (stopped); remove it.
commit() {
    name=pc/small:c$1
    log "op commit"
    out=$(lighter run --name "cm$1" --network none busybox sh -c "echo $name > /marker" 2>&1) ||
        { log "error commit's run: $out"; lighter rm -f "cm$1" >/dev/null 2>&1; return; }
    log "begin $name"
    if out=$(lighter commit "cm$1" "$name" 2>&1); then log "ok store $name"; else log "error commit: $out"; fi
    lighter rm -f "cm$1" >/dev/null 2>&1
}
app_cmd='CMD ["/bin/sh", "-c", "trap \"exit 0\" TERM; while :; do sleep 1; done"]'
# web: the labelled container of pc/app:latest (made when missing), running.
web() {
    if ! lighter inspect web >/dev/null 2>&1; then
        lighter inspect pc/app:latest >/dev/null 2>&1 ||
            lighter import -c "$app_cmd" -c "ENV N=first" /images/busybox-amd64.tar pc/app:latest >/dev/null 2>&1 || return 1
        lighter run -d --name web --network none -l io.containers.autoupdate=local pc/app:latest >/dev/null 2>&1 || return 1
    fi
    [ "$(lighter inspect -f '{{.State.Running}}' web 2>/dev/null)" = true ] || lighter start web >/dev/null 2>&1
}
update() {
    log "op update"
    web || { log "error update: no web container"; return; }
    old=$(lighter inspect -f '{{.Image}}' web 2>&1)
    out=$(lighter import -c "$app_cmd" -c "ENV N=$1" /images/busybox-amd64.tar pc/app:latest 2>&1) || { log "error update's import: $out"; return; }
    new=$(lighter inspect -f '{{.Id}}' pc/app:latest 2>&1)
    log_sync "update-begin $old $new"
    if out=$(lighter auto-update 2>&1); then log "ok update $new"; else log "error auto-update: $out"; fi
}

if [ -s "$root/lighter.db" ]; then
    check
else
    log "fresh disk"
    log "begin busybox:latest"
    if out=$(lighter import -c 'CMD ["/bin/sh"]' /images/busybox-amd64.tar busybox 2>&1); then
        log "ok store busybox:latest"
    else
        log "error import: $out"
    fi
fi
[ "$mode" = cycle ] || exit 0

log "workload-start"
step=0
while [ "$ops" = pull ]; do
    step=$((step + 1))
    # Weights: pull (after an rmi when present) 8, run --rm of a pulled image 1, system prune 1.
    case $(( $(random) % 10 )) in
    8) name=$(pick $(lighter images --format '{{.Repository}}:{{.Tag}}' "$registry/pc/pull"))
       [ -z "$name" ] || { log "op run"; read_back "$name"; log "ok run"; } ;;
    9) log "op prune"; if out=$(lighter system prune -f 2>&1); then log "ok prune"; else log "error prune: $out"; fi ;;
    *) pull ;;
    esac
done
while [ "$ops" = commit-update ]; do
    step=$((step + 1))
    # Weights: commit 4, update 4 (rmi of a pc/small image 2 past 20 images), small import 1.
    r=$(( $(random) % 9 ))
    [ "$(lighter images -q | wc -l)" -lt 20 ] || r=$(( $(random) % 10 ))
    case $r in
    0 | 1 | 2 | 3) commit "$cut-$step" ;;
    4 | 5 | 6 | 7) update "$cut-$step" ;;
    8) log "op import"; small "$cut-$step" ;;
    *) log "op rmi"; name=$(pick $(lighter images --format '{{.Repository}}:{{.Tag}}' pc/small))
       [ -z "$name" ] || { log_sync "begin $name"
           if out=$(lighter rmi "$name" 2>&1); then log "ok untag $name"; else log "error rmi: $out"; fi; } ;;
    esac
done
while :; do
    step=$((step + 1))
    images=$(lighter images -q | wc -l)
    # Weights: small import 3, busybox import 1, tag 2, rmi 2 (4 past 30 images), load 1, create 2, rm 1, run --rm 2.
    r=$(( $(random) % 14 ))
    [ "$images" -lt 30 ] || r=$(( $(random) % 4 + 6 ))
    case $r in
    0 | 1 | 2) small "$cut-$step" ;;
    3) busybox_image "$cut-$step" ;;
    4 | 5) tag "$cut-$step" ;;
    6 | 7) rmi ;;
    8) load ;;
    9 | 10) create ;;
    11) remove ;;
    *) run_rm ;;
    esac
done
