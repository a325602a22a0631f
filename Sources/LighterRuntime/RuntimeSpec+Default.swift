extension RuntimeSpec {
    /// Docker's default masked paths (moby/oci/defaults.go).
    public static let dockerMaskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]

    /// Docker's default read-only paths.
    public static let dockerReadonlyPaths = [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ]

    /// Docker's default mounts.
    public static let dockerMounts: [Mount] = [
        Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
              options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro", "nosuid", "noexec", "nodev"]),
        Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"]),
    ]

    /// A spec like the one Docker generates for `docker run IMAGE args…`: new pid, mount, ipc, uts and
    /// network namespaces, Docker's default capabilities, masked and read-only paths and mounts.
    public static func dockerDefault(args: [String], rootfs: String = "rootfs", hostname: String? = nil,
                                     env: [String] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                                     cgroupsPath: String? = nil) -> RuntimeSpec {
        let caps = Capability.dockerDefault
        return RuntimeSpec(
            process: Process(
                args: args, env: env, cwd: "/",
                capabilities: Capabilities(bounding: caps, effective: caps, permitted: caps),
                noNewPrivileges: false),
            root: Root(path: rootfs, readonly: false),
            hostname: hostname,
            mounts: dockerMounts,
            linux: Linux(
                namespaces: ["pid", "network", "ipc", "uts", "mount"].map { Namespace(type: $0) },
                resources: Resources(devices: [DeviceRule(allow: false, access: "rwm")]),
                cgroupsPath: cgroupsPath,
                maskedPaths: dockerMaskedPaths,
                readonlyPaths: dockerReadonlyPaths))
    }
}
