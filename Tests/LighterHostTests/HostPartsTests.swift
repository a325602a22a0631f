import Testing
import LighterEmulation
import LighterSystem
import LighterTestSupport
@testable import LighterHost

/// Parsers and the findings derived from observations, without touching the running system.
@Suite struct HostPartsTests {
    @Test func kernelVersions() {
        #expect(KernelVersion(release: "6.18.44-fc-v595") == KernelVersion(6, 18, 44))
        #expect(KernelVersion(release: "5.15.0-rc1+") == KernelVersion(5, 15, 0))
        #expect(KernelVersion(release: "4.9") == KernelVersion(4, 9, 0))
        #expect(KernelVersion(release: "6.1.21-v8+") == KernelVersion(6, 1, 21))
        #expect(KernelVersion(release: "linux") == nil)
        #expect(KernelVersion(4, 8) < KernelVersion(4, 15))
    }

    @Test func commandLineFlags() {
        let pi = KernelCommandLine("console=serial0,115200 cgroup_disable=memory root=/dev/mmcblk0p2 rootwait\n")
        #expect(pi.disabledControllers == ["memory"])
        #expect(pi.relevantFlags == ["cgroup_disable=memory"])
        let fixed = KernelCommandLine("cgroup_disable=memory cgroup_enable=memory cgroup_memory=1 nomodule -- cgroup_disable=cpu")
        #expect(fixed.disabledControllers == [])
        #expect(fixed.hasNoModule)
        #expect(fixed.relevantFlags == ["cgroup_disable=memory", "cgroup_enable=memory", "cgroup_memory=1", "nomodule"])
        #expect(KernelCommandLine("cgroup_disable=memory,pids").disabledControllers == ["memory", "pids"])
    }

    @Test func mountInfoParsing() {
        let text = """
        36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:14 - cgroup cgroup rw,memory
        37 25 0:32 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        40 22 0:40 / /mnt/with\\040space rw - tmpfs tmpfs rw
        """
        let mounts = MountInfo.parse(text)
        #expect(mounts.count == 3)
        #expect(mounts[0] == MountEntry(mountPoint: "/sys/fs/cgroup/memory", fileSystemType: "cgroup", source: "cgroup", superOptions: ["rw", "memory"]))
        #expect(mounts[2].mountPoint == "/mnt/with space")
    }

    @Test func cgroupLayoutsFromMountInfo() {
        let hybrid = MountInfo.parse("""
        30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw
        31 30 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
        32 30 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
        """)
        let procCgroups = "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t1\t1\nmemory\t0\t1\t0\npids\t0\t1\t1\n"
        let facts = CgroupFacts.probe(mounts: hybrid, procCgroups: procCgroups, commandLine: KernelCommandLine("cgroup_disable=memory"))
        #expect(facts.mode == .hybrid)
        #expect(facts.controller("cpu")?.state == .usable)
        #expect(facts.controller("memory")?.state == .disabled)
        #expect(facts.controller("pids")?.state == .notMounted)
        #expect(facts.controller("freezer")?.state == .missing)
        let v2 = CgroupFacts.probe(mounts: MountInfo.parse("31 25 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw"),
                                   procCgroups: nil, commandLine: KernelCommandLine(""))
        #expect(v2.mode == .v2)
        #expect(v2.controller("devices")?.state == .usable)
        #expect(CgroupFacts.probe(mounts: [], procCgroups: nil, commandLine: KernelCommandLine("")).mode == .none)
    }

    @Test func binfmtHandlers() throws {
        let handler = Binfmt.Registration(name: "qemu-aarch64", text: """
        enabled
        interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
        flags: POCF
        offset 0
        magic 7f454c460201010000000000000000000200b700
        """)
        #expect(handler == Binfmt.Registration(name: "qemu-aarch64", enabled: true, interpreter: "/usr/libexec/qemu-binfmt/aarch64-binfmt-P", flags: "POCF"))
        #expect(handler.isQemu)
        let temp = TestDirectory("lighter-host-test")
        defer { temp.remove() }
        _ = try temp.write("status", "enabled\n")
        _ = try temp.write("register", "")
        _ = try temp.write("qemu-arm", "disabled\ninterpreter /usr/bin/qemu-arm-static\nflags: F\n")
        _ = try temp.write("python3.11", "enabled\ninterpreter /usr/bin/python3.11\nflags: \n")
        let read = BinfmtFacts.readDirectory(temp.path)
        #expect(read.enabled)
        #expect(read.handlers.map(\.name) == ["python3.11", "qemu-arm"])
        #expect(read.handlers.filter(\.isQemu).map(\.name) == ["qemu-arm"])
        #expect(read.handlers[1].enabled == false)
    }

    static func facts(controllers: [ControllerStatus], disabled: [String] = [], flags: [String] = [],
                      binfmt: BinfmtFacts = BinfmtFacts(supported: true, mountPoint: "/proc/sys/fs/binfmt_misc", enabled: true,
                                                        handlers: [Binfmt.Registration(name: "qemu-aarch64", enabled: true, interpreter: "/usr/bin/qemu-aarch64-static", flags: "F")]),
                      maxUserNamespaces: Int? = 1000, rootMaxKeys: Int? = 1_000_000) -> HostFacts {
        HostFacts(kernelRelease: "6.1.21-v8+", machine: "aarch64", commandLineFlags: flags, commandLineDisabled: disabled,
                  cgroups: CgroupFacts(mode: .v2, unifiedPath: "/sys/fs/cgroup", controllers: controllers),
                  memoryTest: nil, overlay: OverlayTest(mountable: true, directory: "/tmp/x", detail: "mounted"),
                  binfmt: binfmt,
                  firewall: FirewallFacts(nftablesKernel: true, nftablesDetail: nil, legacyTables: nil, nftCommand: "/usr/sbin/nft", iptablesCommand: nil),
                  modules: ModuleFacts(loadable: true, reason: nil),
                  sysctls: SysctlFacts(maxUserNamespaces: maxUserNamespaces, rootMaxKeys: rootMaxKeys),
                  namespaces: ["cgroup", "ipc", "mnt", "net", "pid", "user", "uts"], security: ["seccomp"])
    }

    static let healthy = ["cpu", "cpuset", "memory", "devices", "freezer", "pids"].map {
        ControllerStatus(name: $0, state: .usable, path: "/sys/fs/cgroup", hierarchy: "v2")
    }

    @Test func healthyHostPasses() {
        let facts = Self.facts(controllers: Self.healthy)
        #expect(facts.checks.allSatisfy { $0.status == .ok || $0.status == .info || $0.id == "modules" })
        let report = CheckConfigReport(config: nil, configUnavailable: "none", context: CheckContext(version: nil), host: facts, strict: true)
        #expect(report.exitCode == 0)
        #expect(report.text.contains("[ok]      binfmt_misc: binfmt_misc mounted at /proc/sys/fs/binfmt_misc; QEMU handlers: qemu-aarch64"))
        #expect(report.text.contains("Kernel config: unavailable (none)"))
    }

    @Test func raspberryPiMemoryDisabledSaysWhichBootFlagFixesIt() {
        var controllers = Self.healthy
        controllers[2] = ControllerStatus(name: "memory", state: .disabled, path: nil, hierarchy: nil)
        let facts = Self.facts(controllers: controllers, disabled: ["memory"], flags: ["cgroup_disable=memory"])
        let report = CheckConfigReport(config: nil, configUnavailable: nil, context: CheckContext(version: nil), host: facts, strict: false)
        #expect(report.exitCode == 1)
        #expect(report.missingRequired == ["cgroup-memory", "kernel-command-line"])
        #expect(report.text.contains("Boot command line: remove cgroup_disable=memory from the kernel command line and add cgroup_enable=memory cgroup_memory=1"))
        #expect(report.text.contains("cmdline.txt"))
    }

    @Test func untestedProbesWithoutRootDoNotFail() {
        let base = Self.facts(controllers: Self.healthy)
        let facts = HostFacts(kernelRelease: base.kernelRelease, machine: base.machine, commandLineFlags: [], commandLineDisabled: [],
                              cgroups: base.cgroups,
                              memoryTest: MemoryLimitTest(tested: false, works: false, cgroup: nil, detail: "not tested: needs root"),
                              overlay: OverlayTest(tested: false, mountable: false, directory: "/tmp/x", detail: "not tested: needs root"),
                              binfmt: base.binfmt,
                              firewall: FirewallFacts(nftablesKernel: false, nftablesTested: false, nftablesDetail: "not tested: needs CAP_NET_ADMIN",
                                                      legacyTables: nil, nftCommand: nil, iptablesCommand: nil),
                              modules: base.modules, sysctls: base.sysctls, namespaces: base.namespaces, security: base.security)
        let report = CheckConfigReport(config: nil, configUnavailable: nil, context: CheckContext(version: nil), host: facts, strict: true)
        #expect(report.exitCode == 0)
        for id in ["memory-limit", "overlayfs", "firewall"] {
            #expect(report.checks.first { $0.id == id }?.status == .info)
        }
    }

    @Test func optionalHostFindingsFailOnlyWithStrict() {
        let facts = Self.facts(controllers: Self.healthy,
                               binfmt: BinfmtFacts(supported: true, mountPoint: nil, enabled: false, handlers: []),
                               maxUserNamespaces: 0, rootMaxKeys: 200)
        let loose = CheckConfigReport(config: nil, configUnavailable: nil, context: CheckContext(version: nil), host: facts, strict: false)
        #expect(loose.exitCode == 0)
        #expect(loose.missingOptional == ["binfmt_misc", "user-namespaces", "keys"])
        let strict = CheckConfigReport(config: nil, configUnavailable: nil, context: CheckContext(version: nil), host: facts, strict: true)
        #expect(strict.exitCode == 1)
        #expect(strict.text.contains("fix: mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc"))
        #expect(strict.text.contains("sysctl -w user.max_user_namespaces=15000"))
        #expect(strict.text.contains("sysctl -w kernel.keys.root_maxkeys=1000000"))
    }
}
