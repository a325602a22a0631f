import LighterSystem

/// Everything `check-config` and `info` observe on the running system.
public struct HostFacts: Sendable, Codable, Equatable {
    public let kernelRelease: String
    public let machine: String
    /// The command-line parameters that change cgroups or modules.
    public let commandLineFlags: [String]
    /// Controllers switched off on the kernel command line.
    public let commandLineDisabled: [String]
    public let cgroups: CgroupFacts
    /// nil when there was no memory controller to test.
    public let memoryTest: MemoryLimitTest?
    public let overlay: OverlayTest
    public let binfmt: BinfmtFacts
    public let firewall: FirewallFacts
    public let modules: ModuleFacts
    public let sysctls: SysctlFacts
    /// Namespaces the kernel offers (from /proc/self/ns).
    public let namespaces: [String]
    /// Security features in effect: "seccomp", "apparmor", "selinux".
    public let security: [String]

    /// Probes the running system. `scratch` is where the overlay test mounts (the data root when it
    /// exists, else /tmp); nothing created there or in the cgroup tree is left behind.
    public static func probe(scratch: String) -> HostFacts {
        let uname = Uname.current()
        let commandLine = (try? KernelCommandLine.read()) ?? KernelCommandLine("")
        let mounts = (try? MountInfo.read()) ?? []
        let cgroups = CgroupFacts.probe(mounts: mounts, procCgroups: try? FileSystem.readString("/proc/cgroups"),
                                        commandLine: commandLine)
        let memoryUsable = cgroups.controller("memory")?.state == .usable
        return HostFacts(
            kernelRelease: uname.release, machine: uname.machine,
            commandLineFlags: commandLine.relevantFlags, commandLineDisabled: commandLine.disabledControllers,
            cgroups: cgroups, memoryTest: memoryUsable ? cgroups.testMemoryLimit() : nil,
            overlay: OverlayProbe.test(under: scratch),
            binfmt: BinfmtFacts.probe(mounts: mounts, filesystems: try? FileSystem.readString("/proc/filesystems")),
            firewall: FirewallFacts.probe(), modules: ModuleFacts.probe(commandLine: commandLine),
            sysctls: SysctlFacts.probe(), namespaces: probeNamespaces(), security: probeSecurity())
    }

    static func probeNamespaces() -> [String] {
        ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"].filter { FileSystem.exists("/proc/self/ns/\($0)") }
    }

    static func probeSecurity() -> [String] {
        var found: [String] = []
        if let status = try? FileSystem.readString("/proc/self/status"), status.contains("\nSeccomp:") { found.append("seccomp") }
        if let text = try? FileSystem.readString("/sys/module/apparmor/parameters/enabled"), text.hasPrefix("Y") { found.append("apparmor") }
        if FileSystem.exists("/sys/fs/selinux/enforce") { found.append("selinux") }
        return found
    }
}
