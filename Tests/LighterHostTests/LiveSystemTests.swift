#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import LighterSystem
import LighterTestSupport
@testable import LighterHost

/// The live report on this machine, each finding checked against what the test observes itself
/// (through /proc/self/mounts rather than mountinfo, and with its own cgroup and overlay mount).
/// Serialized: the leftover check must not see another test's probe directory in flight.
@Suite(.serialized) struct LiveSystemTests {
    struct Mount { let source, point, type: String; let options: [String] }

    static func mounts() throws -> [Mount] {
        try FileSystem.readString("/proc/self/mounts").split(separator: "\n").map { line in
            let f = line.split(separator: " ").map(String.init)
            return Mount(source: f[0], point: f[1], type: f[2], options: f[3].split(separator: ",").map(String.init))
        }
    }

    static func unusedRoot() -> String { "/tmp/lighter-host-test-root-\(getpid())-\(UInt64.random(in: 0...UInt64.max))" }

    /// Sets a memory limit in a fresh cgroup of our own, reads it back, removes the cgroup.
    static func memoryLimitWorks(mounts: [Mount]) -> Bool {
        var base: String?, file = "memory.limit_in_bytes"
        if let v1 = mounts.first(where: { $0.type == "cgroup" && $0.options.contains("memory") }) {
            base = v1.point
        } else if let v2 = mounts.first(where: { $0.type == "cgroup2" }),
                  let subtree = try? FileSystem.readString("\(v2.point)/cgroup.subtree_control"), subtree.contains("memory") {
            base = v2.point
            file = "memory.max"
        }
        guard let base else { return false }
        let path = "\(base)/lighter-host-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(path, 0o755) == 0 else { return false }
        defer { rmdir(path) }
        guard let fd = try? FileDescriptor(path: "\(path)/\(file)", flags: O_WRONLY), (try? fd.write("33554432")) != nil else { return false }
        try? fd.close()
        return (try? FileSystem.readString("\(path)/\(file)")) == "33554432\n"
    }

    /// Mounts an overlay of our own and unmounts it.
    static func overlayMounts() throws -> Bool {
        let temp = TestDirectory("lighter-host-test")
        defer { temp.remove() }
        for sub in ["l", "u", "w", "m"] { try FileSystem.makeDirectories("\(temp.path)/\(sub)") }
        let options = "lowerdir=\(temp.path)/l,upperdir=\(temp.path)/u,workdir=\(temp.path)/w"
        guard mount("overlay", "\(temp.path)/m", "overlay", 0, options) == 0 else { return false }
        return umount2("\(temp.path)/m", 0) == 0
    }

    func check(_ report: CheckConfigReport, _ id: String) -> LiveCheck? { report.checks.first { $0.id == id } }

    @Test func liveReportIsTrue() throws {
        let release = Uname.current().release
        let report = try CheckConfig.report(.init(dataRoot: Self.unusedRoot()))
        let mounts = try Self.mounts()
        let host = try #require(report.host)

        // Kernel config: /proc/config.gz, then /boot/config-$(uname -r).
        if FileSystem.exists("/proc/config.gz") {
            #expect(report.config?.path == "/proc/config.gz")
        } else if FileSystem.exists("/boot/config-\(release)") {
            #expect(report.config?.path == "/boot/config-\(release)")
        } else {
            #expect(report.config == nil && report.configUnavailable != nil && report.options.isEmpty)
        }
        #expect(host.kernelRelease == release)

        // cgroup mode.
        let cgroupRoot = mounts.last { $0.point == "/sys/fs/cgroup" }
        let expectedMode: CgroupMode = cgroupRoot?.type == "cgroup2" ? .v2
            : mounts.contains { $0.type == "cgroup" } ? (mounts.contains { $0.type == "cgroup2" } ? .hybrid : .v1) : .none
        #expect(host.cgroups.mode == expectedMode)
        #expect(check(report, "cgroup-mode")?.detail.hasPrefix(expectedMode.rawValue) == true)

        // Controllers: usable exactly when mounted (v1) or listed in cgroup.controllers (v2).
        let v2 = mounts.first { $0.type == "cgroup2" }
        let v2Controllers = (v2.flatMap { try? FileSystem.readString("\($0.point)/cgroup.controllers") } ?? "")
            .split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        for controller in host.cgroups.controllers where !(expectedMode == .v2 && ["devices", "freezer"].contains(controller.name)) {
            let v1Mount = mounts.first { $0.type == "cgroup" && $0.options.contains(controller.name) }
            let observed = v1Mount != nil || v2Controllers.contains(controller.name)
            #expect((controller.state == .usable) == observed, "\(controller.name)")
            if let v1Mount { #expect(controller.path == v1Mount.point) }
            #expect(check(report, "cgroup-\(controller.name)")?.status == (observed ? .ok : .failed))
        }

        // Memory: the report says a limit works exactly when our own limit works.
        let memoryWorks = Self.memoryLimitWorks(mounts: mounts)
        #expect((check(report, "memory-limit")?.status == .ok) == memoryWorks)
        #expect(memoryWorks, "this VM has a usable v1 memory controller")

        // Kernel command line.
        let commandLine = try FileSystem.readString("/proc/cmdline").split(separator: " ").map(String.init)
        for flag in host.commandLineFlags { #expect(commandLine.contains(flag) || commandLine.contains(flag + "\n")) }
        #expect(host.commandLineFlags.contains("nomodule") == commandLine.contains("nomodule"))

        // Overlay: mountable exactly when our own overlay mounts; tested in /tmp as the data root does not exist.
        #expect(try (check(report, "overlayfs")?.status == .ok) == Self.overlayMounts())
        #expect(host.overlay.directory.hasPrefix("/tmp/lighter-overlay-check-"))

        // binfmt_misc.
        let filesystems = try FileSystem.readString("/proc/filesystems")
        #expect(host.binfmt.supported == filesystems.contains("\tbinfmt_misc\n"))
        let binfmtMount = mounts.last { $0.type == "binfmt_misc" }
        #expect(host.binfmt.mountPoint == binfmtMount?.point)
        if let binfmtMount {
            let names = try FileSystem.list(binfmtMount.point).filter { $0 != "register" && $0 != "status" }
            #expect(host.binfmt.handlers.map(\.name) == names)
        } else {
            #expect(check(report, "binfmt_misc")?.fix == "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc")
        }

        // Firewall: the kernel answers nf_tables exactly when the config has NF_TABLES usable.
        if let config = try KernelConfig.loadRunning(candidates: KernelConfig.runningCandidates(release: release)) {
            #expect(host.firewall.nftablesKernel == (config.state(of: "NF_TABLES") == .enabled))
        }
        #expect((host.firewall.legacyTables != nil) == FileSystem.exists("/proc/net/ip_tables_names"))

        // Modules and sysctls.
        #expect(host.modules.loadable == (FileSystem.exists("/proc/modules") && !commandLine.contains("nomodule")))
        if !host.modules.loadable { #expect(check(report, "modules")?.detail.contains("not loadable") == true) }
        let maxUserNamespaces = try FileSystem.readString("/proc/sys/user/max_user_namespaces")
        #expect(host.sysctls.maxUserNamespaces.map { "\($0)\n" } == maxUserNamespaces)
        let rootMaxKeys = try FileSystem.readString("/proc/sys/kernel/keys/root_maxkeys")
        #expect(host.sysctls.rootMaxKeys.map { "\($0)\n" } == rootMaxKeys)
        #expect((check(report, "cgroup-namespace")?.status == .ok) == FileSystem.exists("/proc/self/ns/cgroup"))
        let namespaces = try FileSystem.list("/proc/self/ns")
        #expect(host.namespaces == ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"].filter(namespaces.contains))
        #expect((check(report, "namespaces")?.status == .ok) == ["ipc", "mnt", "net", "pid", "uts"].allSatisfy(namespaces.contains))
        let status = try FileSystem.readString("/proc/self/status")
        #expect((check(report, "seccomp")?.status == .ok) == status.contains("\nSeccomp:"))

        // Nothing left behind.
        let pid = getpid()
        #expect(try FileSystem.list("/tmp").allSatisfy { !$0.hasPrefix("lighter-overlay-check-\(pid)-") })
        for mount in mounts where mount.type == "cgroup" || mount.type == "cgroup2" {
            #expect(((try? FileSystem.list(mount.point)) ?? []).allSatisfy { !$0.hasPrefix("lighter-check-\(pid)-") })
        }

        // This VM has everything Lighter needs.
        #expect(report.missingRequired == [], "\(report.missingRequired)")
        #expect(report.exitCode == 0)
    }

    @Test func liveChecksWorkWithoutAKernelConfig() throws {
        let report = try CheckConfig.report(.init(dataRoot: Self.unusedRoot(), runningConfigCandidates: ["/nonexistent/config.gz"]))
        #expect(report.config == nil && report.options.isEmpty)
        #expect(report.configUnavailable?.contains("/nonexistent/config.gz") == true)
        #expect(report.checks.contains { $0.id == "memory-limit" && $0.status == .ok })
        #expect(report.checks.contains { $0.id == "namespaces" && $0.status == .ok })
        #expect(report.exitCode == 0)
        #expect(report.text.contains("Kernel config: unavailable"))
        #expect(report.fragment == KernelFragment.unavailable)
    }

    @Test func liveCommandOutput() throws {
        let text = CheckConfig.run(.init(dataRoot: Self.unusedRoot()))
        #expect(text.exitCode == 0)
        #expect(text.stdout.contains("Running system (Linux \(Uname.current().release)"))
        #expect(text.stdout.contains("memory-limit: a 64 MiB limit was written"))
        let json = CheckConfig.run(.init(format: .json, dataRoot: Self.unusedRoot()))
        let decoded = try HostJSONDecode.report(json.stdout)
        #expect(decoded.host?.cgroups.mode == .hybrid || decoded.host?.cgroups.mode == .v2 || decoded.host?.cgroups.mode == .v1)
        #expect(decoded.checks.contains { $0.id == "overlayfs" && $0.status == .ok })
    }

    @Test func infoShowsTheSameFacts() throws {
        let root = Self.unusedRoot()
        let output = HostInfo.run(format: .json, dataRoot: root)
        #expect(output.exitCode == 0)
        let info = try HostJSONDecode.info(output.stdout)
        #expect(!FileSystem.exists(root), "info must not create the data root")
        #expect(info.dataRoot == root && !info.dataRootExists)
        #expect(info.storageDriver == "overlayfs")
        let mounts = try Self.mounts()
        let tmpMount = mounts.filter { $0.point == "/" || "/tmp" == $0.point || "/tmp".hasPrefix($0.point + "/") }
            .max { $0.point.count < $1.point.count }
        let type = tmpMount?.type ?? "unknown"
        #expect(info.backingFilesystem == (["ext2", "ext3", "ext4"].contains(type) ? "extfs" : type))
        let facts = HostFacts.probe(scratch: "/tmp")
        #expect(info.cgroupMode == facts.cgroups.mode)
        #expect(info.emulationHandlers == facts.binfmt.qemuHandlers.filter(\.enabled).map(\.name))
        #expect(info.kernelVersion == Uname.current().release)
        #expect(info.cpus == Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let text = HostInfo.run(format: .text, dataRoot: root).stdout
        #expect(text.contains("Storage Driver: overlayfs\n"))
        #expect(text.contains("Lighter Root Dir: \(root) (not created yet)\n"))
        #expect(text.contains("Cgroup Version: "))
        #expect(text.contains("Emulation: "))
    }
}
