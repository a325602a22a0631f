#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import LighterOCI
import LighterRuntime
import LighterSystem

/// Rules of a profile, looked up by system-call name.
private extension RuntimeSpec.Seccomp {
    func rules(for name: String) -> [RuntimeSpec.SyscallRule] {
        (syscalls ?? []).filter { $0.names.contains(name) }
    }

    /// Allowed whatever its arguments.
    func allows(_ name: String) -> Bool {
        rules(for: name).contains { $0.action == "SCMP_ACT_ALLOW" && ($0.args ?? []).isEmpty }
    }

    /// Allowed at all, for some arguments.
    func mentionsAllowed(_ name: String) -> Bool {
        rules(for: name).contains { $0.action == "SCMP_ACT_ALLOW" }
    }
}

/// The profile's contents: `RuntimeSpec.dockerSeccompProfile` against moby's default profile.
@Suite struct DockerSeccompProfileTests {
    static let defaultProfile = RuntimeSpec.dockerSeccompProfile(
        capabilities: Capability.dockerDefault, architecture: "x86_64", kernelRelease: "6.18.44")
    static let sysAdminProfile = RuntimeSpec.dockerSeccompProfile(
        capabilities: Capability.dockerDefault + ["CAP_SYS_ADMIN"], architecture: "x86_64", kernelRelease: "6.18.44")

    /// System calls moby's profile names that upstream libseccomp 2.5.4 does not know yet (Debian 12's
    /// 2.5.4-1+deb12u1 has the 2.5.5 table, so only the 2.6.0 ones are unknown there).
    static let newerThanLibseccomp254: Set<String> = [
        "cachestat", "fchmodat2", "futex_requeue", "futex_wait", "futex_wake", "map_shadow_stack",  // 2.5.5
        "getxattrat", "listmount", "listxattrat", "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr",
        "mseal", "removexattrat", "riscv_hwprobe", "setxattrat", "statmount", "uretprobe",           // 2.6.0
    ]

    @Test func defaultActionIsEPERMOnTheHostsArchitectures() {
        let profile = Self.defaultProfile
        #expect(profile.defaultAction == "SCMP_ACT_ERRNO")
        #expect(profile.defaultErrnoRet == 1)
        #expect(profile.architectures == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        #expect(profile.flags == nil)
    }

    @Test(arguments: ["read", "write", "execve", "openat", "exit_group", "socketcall", "futex", "rt_sigreturn",
                      "arch_prctl", "modify_ldt", "ptrace", "chroot", "capset", "setgroups", "prctl"])
    func defaultCapabilitiesAllow(name: String) {
        #expect(Self.defaultProfile.allows(name))
    }

    @Test(arguments: ["mount", "umount2", "unshare", "setns", "reboot", "kexec_load", "kexec_file_load",
                      "init_module", "finit_module", "delete_module", "swapon", "acct", "settimeofday", "clock_settime",
                      "open_by_handle_at", "bpf", "perf_event_open", "syslog", "iopl", "kcmp", "pivot_root",
                      "sethostname", "fsopen", "userfaultfd", "clone3", "keyctl", "add_key"])
    func defaultCapabilitiesDeny(name: String) {
        #expect(!Self.defaultProfile.mentionsAllowed(name))
    }

    @Test func cloneCannotCreateNamespacesWithoutSysAdmin() {
        let profile = Self.defaultProfile
        #expect(profile.rules(for: "clone") == [
            .init(names: ["clone"], action: "SCMP_ACT_ALLOW",
                  args: [.init(index: 0, value: 0x7E02_0000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")]),
        ])
        #expect(profile.rules(for: "clone3") == [.init(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38)])
    }

    @Test(arguments: ["mount", "umount2", "unshare", "setns", "clone", "clone3", "sethostname", "fsopen", "syslog"])
    func sysAdminAllows(name: String) {
        #expect(Self.sysAdminProfile.allows(name))
        #expect(Self.sysAdminProfile.rules(for: name).allSatisfy { $0.action == "SCMP_ACT_ALLOW" && $0.args == nil })
    }

    @Test(arguments: [
        ("CAP_DAC_READ_SEARCH", "open_by_handle_at"), ("CAP_SYS_BOOT", "reboot"), ("CAP_SYS_CHROOT", "chroot"),
        ("CAP_SYS_MODULE", "init_module"), ("CAP_SYS_MODULE", "finit_module"), ("CAP_SYS_MODULE", "delete_module"),
        ("CAP_SYS_PACCT", "acct"), ("CAP_SYS_PTRACE", "kcmp"), ("CAP_SYS_PTRACE", "pidfd_getfd"),
        ("CAP_SYS_RAWIO", "iopl"), ("CAP_SYS_RAWIO", "ioperm"), ("CAP_SYS_TIME", "settimeofday"),
        ("CAP_SYS_TIME", "clock_settime"), ("CAP_SYS_TTY_CONFIG", "vhangup"), ("CAP_SYS_NICE", "mbind"),
        ("CAP_SYS_NICE", "set_mempolicy"), ("CAP_SYSLOG", "syslog"), ("CAP_BPF", "bpf"),
        ("CAP_PERFMON", "perf_event_open"), ("CAP_SYS_ADMIN", "mount"),
    ])
    func capabilityGroupAddsItsCalls(capability: String, name: String) {
        let without = RuntimeSpec.dockerSeccompProfile(capabilities: [], architecture: "x86_64", kernelRelease: "6.1.0")
        let with = RuntimeSpec.dockerSeccompProfile(capabilities: [capability], architecture: "x86_64", kernelRelease: "6.1.0")
        let short = RuntimeSpec.dockerSeccompProfile(capabilities: [String(capability.dropFirst(4)).lowercased()],
                                                     architecture: "x86_64", kernelRelease: "6.1.0")
        #expect(!without.mentionsAllowed(name))
        #expect(with.allows(name))
        #expect(short == with)
    }

    @Test func personalityAllowsOnlyDockersValues() {
        let rules = Self.defaultProfile.rules(for: "personality")
        #expect(rules.allSatisfy { $0.action == "SCMP_ACT_ALLOW" && $0.names == ["personality"] })
        let comparisons = rules.compactMap { $0.args?.count == 1 ? $0.args?.first : nil }
        #expect(comparisons.count == rules.count)
        #expect(comparisons.allSatisfy { $0.index == 0 && $0.op == "SCMP_CMP_EQ" })
        #expect(comparisons.map(\.value) == [0x0, 0x0008, 0x20000, 0x20008, 0xffff_ffff])
    }

    @Test func socketAllowsEveryFamilyButAlgAndVsock() {
        let rules = Self.defaultProfile.rules(for: "socket")
        let comparisons = rules.compactMap { $0.args?.first }
        #expect(rules.count == 3)
        #expect(comparisons.map { "\($0.op) \($0.value)" } == ["SCMP_CMP_LT 38", "SCMP_CMP_EQ 39", "SCMP_CMP_GT 40"])
    }

    @Test(arguments: [
        ("x86_64", ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
        ("aarch64", ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]),
        ("armv7l", ["SCMP_ARCH_ARM"]),
        ("riscv64", ["SCMP_ARCH_RISCV64"]),
        ("s390x", ["SCMP_ARCH_S390X", "SCMP_ARCH_S390"]),
    ])
    func architectureMap(machine: String, architectures: [String]) {
        let profile = RuntimeSpec.dockerSeccompProfile(capabilities: [], architecture: machine, kernelRelease: "6.1")
        #expect(profile.architectures == architectures)
    }

    @Test func architectureSpecificCallsFollowTheMachine() {
        let arm64 = RuntimeSpec.dockerSeccompProfile(capabilities: [], architecture: "aarch64", kernelRelease: "6.1")
        let arm = RuntimeSpec.dockerSeccompProfile(capabilities: [], architecture: "armv7l", kernelRelease: "6.1")
        let x86 = RuntimeSpec.dockerSeccompProfile(capabilities: [], architecture: "x86_64", kernelRelease: "6.1")
        for name in ["cacheflush", "set_tls", "arm_fadvise64_64"] {
            #expect(arm64.allows(name) && arm.allows(name))
            #expect(!x86.mentionsAllowed(name))
        }
        #expect(x86.allows("arch_prctl") && !arm64.mentionsAllowed("arch_prctl"))
        #expect(!arm64.mentionsAllowed("modify_ldt"))
        // s390 passes clone's flags second.
        let s390 = RuntimeSpec.dockerSeccompProfile(capabilities: [], architecture: "s390x", kernelRelease: "6.1")
        #expect(s390.rules(for: "clone").map { $0.args?.first?.index } == [1])
        #expect(s390.allows("s390_runtime_instr"))
    }

    @Test func unknownMachineGetsOnlyItsNativeFilter() {
        let profile = RuntimeSpec.dockerSeccompProfile(capabilities: [], architecture: "sparc64", kernelRelease: "6.1")
        #expect(profile.architectures == nil)
        #expect(profile.allows("read"))
        for name in ["arch_prctl", "modify_ldt", "cacheflush", "riscv_flush_icache", "swapcontext"] {
            #expect(!profile.mentionsAllowed(name))
        }
        #expect(profile.rules(for: "clone").map { $0.args?.first?.index } == [0])
    }

    @Test(arguments: [("4.4.302", false), ("4.8.0", true), ("4.9.253-tegra", true), ("6.18.44-fc-v595", true),
                      ("3.10.0", false), ("unknown", false)])
    func ptraceNeedsKernel48(release: String, allowed: Bool) {
        let profile = RuntimeSpec.dockerSeccompProfile(capabilities: [], architecture: "x86_64", kernelRelease: release)
        #expect(profile.allows("ptrace") == allowed)
        #expect(profile.allows("process_vm_readv") == allowed)
    }

    @Test func sizeOfTheDefaultProfile() {
        let names = Set((Self.defaultProfile.syscalls ?? []).flatMap(\.names))
        // 361 unconditional names, ptrace & co. (3), socket, personality, arch_prctl, modify_ldt, chroot,
        // clone (masked) and clone3 (ENOSYS).
        #expect(names.count == 361 + 3 + 1 + 1 + 2 + 1 + 2)
        #expect((Self.sysAdminProfile.syscalls ?? []).flatMap(\.names).count > (Self.defaultProfile.syscalls ?? []).flatMap(\.names).count)
    }

    /// libseccomp on this host resolves every name but the calls newer than it (which loading skips).
    @Test func libseccompKnowsEveryNameButNewerCalls() {
        let everything = RuntimeSpec.dockerSeccompProfile(capabilities: Capability.names)
        let unknown = everything.syscallNamesUnknownToLibseccomp
        #expect(Set(unknown).isSubset(of: Self.newerThanLibseccomp254), "unknown to libseccomp: \(unknown)")
        var misspelt = everything
        misspelt.syscalls?.append(.init(names: ["no_such_syscall", "read"], action: "SCMP_ACT_ALLOW"))
        #expect(misspelt.syscallNamesUnknownToLibseccomp == (unknown + ["no_such_syscall"]).sorted())
    }

    @Test func profileSurvivesJSON() throws {
        let data = Self.sysAdminProfile.jsonBytes()
        #expect(try RuntimeSpec.Seccomp(jsonBytes: data, what: "seccomp profile") == Self.sysAdminProfile)
    }

    @Test func hostDefaultsAreUname() {
        #expect(!RuntimeSpec.hostMachine.isEmpty)
        #expect(RuntimeSpec.hostKernelRelease.first?.isNumber == true)
        let host = RuntimeSpec.dockerSeccompProfile(capabilities: Capability.dockerDefault)
        let explicit = RuntimeSpec.dockerSeccompProfile(capabilities: Capability.dockerDefault,
                                                        architecture: RuntimeSpec.hostMachine,
                                                        kernelRelease: RuntimeSpec.hostKernelRelease)
        #expect(host == explicit)
    }
}

/// Docker's default profile loaded by the runtime into busybox containers on the real kernel.
@Suite struct DockerSeccompRunTests {
    /// Default capabilities plus `extra`, with the profile for `profileCapabilities` (nil: no seccomp).
    static func bundle(_ args: [String], extra: [String] = [], profileCapabilities: [String]? = Capability.dockerDefault,
                       applets: [String] = []) throws -> BusyboxBundle {
        let bundle = try BusyboxBundle(args: args)
        let caps = Capability.dockerDefault + extra
        bundle.spec.process?.capabilities = .init(bounding: caps, effective: caps, permitted: caps)
        bundle.spec.linux?.seccomp = profileCapabilities.map { RuntimeSpec.dockerSeccompProfile(capabilities: $0) }
        for applet in applets {
            try syscall("symlink", applet) { symlink("busybox", "\(bundle.rootfs)/bin/\(applet)") }
        }
        return bundle
    }

    static func addProbe(to bundle: BusyboxBundle, syscall number: UInt32, argument: UInt64) throws {
        try FileSystem.writeDurably(SyscallProbe.executable(syscall: number, argument: argument),
                                    to: "\(bundle.rootfs)/bin/probe", mode: 0o755)
    }

    @Test(arguments: [false, true])
    func shellWorksUnderTheDefaultProfile(noNewPrivileges: Bool) throws {
        let bundle = try Self.bundle(["sh", "-c", "echo ok; ls /; id"])
        defer { bundle.cleanUp() }
        bundle.spec.process?.noNewPrivileges = noNewPrivileges
        let output = try bundle.run()
        #expect(output.status.code == 0, "stderr: \(output.stderr)")
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.first == "ok")
        #expect(lines.contains("bin") && lines.contains("etc") && lines.contains("proc"))
        #expect(lines.last?.hasPrefix("uid=0(root) gid=0(root)") == true, "stdout: \(output.stdout)")
        #expect(output.stderr == "")
    }

    /// unshare(CLONE_NEWUSER) needs no capability: only the profile stops it.
    @Test(arguments: [false, true])
    func unshareIsRefusedByTheProfile(seccomp: Bool) throws {
        let bundle = try Self.bundle(["unshare", "-U", "true"], profileCapabilities: seccomp ? Capability.dockerDefault : nil,
                                     applets: ["unshare"])
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        if seccomp {
            #expect(output.status.code != 0)
            #expect(output.stderr.contains("Operation not permitted"), "stderr: \(output.stderr)")
        } else {
            #expect(output.status.code == 0, "stderr: \(output.stderr)")
        }
    }

    /// The container holds CAP_SYS_ADMIN either way; only the profile built for it allows mount(2).
    @Test(arguments: [false, true])
    func mountNeedsTheSysAdminProfile(profileHasSysAdmin: Bool) throws {
        let bundle = try Self.bundle(["sh", "-c", "mkdir -p /mnt && mount -t tmpfs none /mnt && grep ' /mnt ' /proc/mounts"],
                                     extra: ["CAP_SYS_ADMIN"],
                                     profileCapabilities: Capability.dockerDefault + (profileHasSysAdmin ? ["CAP_SYS_ADMIN"] : []))
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        if profileHasSysAdmin {
            #expect(output.status.code == 0, "stderr: \(output.stderr)")
            #expect(output.stdout.hasPrefix("none /mnt tmpfs "), "stdout: \(output.stdout)")
        } else {
            // EPERM: busybox says "permission denied (are you root?)".
            #expect(output.status.code != 0)
            #expect(output.stderr.contains("permission denied"), "stderr: \(output.stderr)")
            #expect(output.stdout == "")
        }
        #expect(BusyboxBundle.hostMounts(mentioning: bundle.directory).isEmpty)
    }

    /// reboot(0, ...) with CAP_SYS_BOOT held: EPERM (1) from the default profile, and with the profile for
    /// CAP_SYS_BOOT the kernel's own answer to the bad magic number, EINVAL (22) — harmless either way.
    @Test(.enabled(if: SyscallProbe.supported), arguments: [false, true])
    func rebootIsRefusedByTheProfile(profileHasSysBoot: Bool) throws {
        let bundle = try Self.bundle(["probe"], extra: ["CAP_SYS_BOOT"],
                                     profileCapabilities: Capability.dockerDefault + (profileHasSysBoot ? ["CAP_SYS_BOOT"] : []))
        defer { bundle.cleanUp() }
        try Self.addProbe(to: bundle, syscall: SyscallProbe.reboot, argument: 0)
        #expect(try bundle.run().status.code == (profileHasSysBoot ? EINVAL : EPERM))
    }

    /// personality(0xffffffff) (a query) and PER_LINUX32 pass; ADDR_NO_RANDOMIZE is refused by the profile only.
    @Test(.enabled(if: SyscallProbe.supported), arguments: [
        (UInt64(0xffff_ffff), true, Int32(0)), (0x0008, true, 0), (0x0040000, true, EPERM), (0x0040000, false, 0),
    ])
    func personalityFollowsTheProfile(persona: UInt64, seccomp: Bool, expected: Int32) throws {
        let bundle = try Self.bundle(["probe"], profileCapabilities: seccomp ? Capability.dockerDefault : nil)
        defer { bundle.cleanUp() }
        try Self.addProbe(to: bundle, syscall: SyscallProbe.personality, argument: persona)
        #expect(try bundle.run().status.code == expected)
    }

    @Test func linux32RunsUnderTheDefaultProfile() throws {
        let bundle = try Self.bundle(["linux32", "uname", "-m"], applets: ["linux32", "uname"])
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        #expect(output.status.code == 0, "stderr: \(output.stderr)")
        #expect(["i686\n", "armv8l\n", "armv7l\n"].contains(output.stdout), "stdout: \(output.stdout)")
    }

    /// The profile with every capability group at once (duplicate rules for ptrace, bpf, syslog ...) loads.
    /// (The container keeps Docker's default capabilities: the test runner may lack some, e.g. CAP_SYS_RESOURCE.)
    @Test func profileWithEveryCapabilityLoads() throws {
        let bundle = try Self.bundle(["sh", "-c", "echo loaded"], profileCapabilities: Capability.names)
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        #expect(output.status.code == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "loaded\n")
    }
}
