#!/bin/busybox sh
# The test VM's /init (PID 1): cgroup2 alone at /sys/fs/cgroup, every controller enabled for the
# children of the root, then /tests.sh (or /powercut.sh); the result lines go to the console and the VM powers off.
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
if [ ! -e /.switched ]; then
    # pivot_root(2) cannot leave the initramfs (the rootfs mount has no parent): copy it into a
    # tmpfs and switch_root there, so containers can pivot.
    mkdir /newroot
    mount -t tmpfs -o mode=0755 root /newroot
    for entry in /*; do
        case "$entry" in /proc|/sys|/dev|/newroot) mkdir -p "/newroot$entry" ;; *) cp -a "$entry" /newroot/ ;; esac
    done
    touch /newroot/.switched
    umount /proc /sys /dev
    exec switch_root /newroot /init
fi
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t tmpfs -o mode=0755 run /run
mount -t tmpfs -o mode=1777 tmp /tmp
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
for controller in $(cat /sys/fs/cgroup/cgroup.controllers); do
    echo "+$controller" >/sys/fs/cgroup/cgroup.subtree_control
done
while read -r module; do insmod "/lib/modules/$module.ko" || echo "testvm: insmod $module failed"; done </lib/modules/order
mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null
hostname testvm
ip link set lo up 2>/dev/null
echo "testvm: kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s, cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
# lighter.powercut=… on the command line: the power-cut harness (scripts/chaos/power-cut.sh) instead
# of the tests; the host kills the VM during its workload.
case " $(cat /proc/cmdline) " in
*" lighter.powercut="*) /powercut.sh ;;
*) /tests.sh ;;
esac
echo "testvm: done after $(cut -d' ' -f1 /proc/uptime) s"
sync
poweroff -f
