#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension RuntimeSpec {
    /// Docker's default seccomp profile for one container, as dockerd specialises moby's profile
    /// (moby/profiles seccomp `DefaultProfile()` through `setupSeccomp`): every system call not listed fails
    /// with EPERM; the architectures are the host's (x86_64 also allows x86 and x32 binaries, aarch64 also arm);
    /// the capability groups are added for the capabilities the container holds (`CAP_SYS_ADMIN` allows mount,
    /// unshare, setns, namespace flags in clone ...), and rules meant for other architectures or older kernels
    /// are left out.
    ///
    /// - Parameters:
    ///   - capabilities: the container's bounding set ("CAP_SYS_ADMIN"; "SYS_ADMIN" is accepted too).
    ///   - architecture: `uname -m` of the machine the container runs on ("x86_64", "aarch64", "armv7l").
    ///     A machine Docker has no entry for gets no `architectures`: the filter is for the native one only.
    ///   - kernelRelease: `uname -r` of the kernel (rules with a minimum kernel version need it).
    public static func dockerSeccompProfile(capabilities: [String], architecture: String = hostMachine,
                                            kernelRelease: String = hostKernelRelease) -> Seccomp {
        let held = Set(capabilities.map { name in
            let upper = name.uppercased()
            return upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
        })
        let arch = DockerSeccompArchitecture(machine: architecture)
        let kernel = DockerSeccompRule.KernelVersion(release: kernelRelease)
        let rules = DockerSeccompRule.dockerDefault.filter { rule in
            rule.applies(capabilities: held, architecture: arch?.name, kernel: kernel)
        }
        return Seccomp(
            defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: UInt32(EPERM),
            architectures: arch?.seccompArchitectures,
            syscalls: rules.map { rule in
                SyscallRule(names: rule.names, action: rule.action, errnoRet: rule.errnoRet,
                            args: rule.args.isEmpty ? nil : rule.args)
            })
    }

    /// `uname -m` of this machine ("x86_64", "aarch64", ...).
    public static var hostMachine: String { unameField(\.machine) }

    /// `uname -r` of the running kernel.
    public static var hostKernelRelease: String { unameField(\.release) }

    private static func unameField<Field>(_ field: KeyPath<utsname, Field>) -> String {
        var info = utsname()
        guard uname(&info) == 0 else { return "" }   // uname(2) only fails for a bad pointer
        return withUnsafeBytes(of: info[keyPath: field]) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// A machine as moby's seccomp profile names it, and the seccomp architectures its filter covers
/// (moby/profiles seccomp `arches()`).
struct DockerSeccompArchitecture: Equatable {
    /// moby's (libseccomp's) name: amd64, x86, arm64, arm, s390x, ppc64le, riscv64 ...
    var name: String
    var seccompArchitectures: [String]

    /// nil for a machine this table does not know.
    init?(machine: String) {
        switch machine {
        case "x86_64", "amd64": self.init("amd64", ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        case "i386", "i486", "i586", "i686", "x86": self.init("x86", ["SCMP_ARCH_X86"])
        case "aarch64", "arm64": self.init("arm64", ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"])
        case _ where machine.hasPrefix("arm"): self.init("arm", ["SCMP_ARCH_ARM"])
        case "riscv64": self.init("riscv64", ["SCMP_ARCH_RISCV64"])
        case "s390x": self.init("s390x", ["SCMP_ARCH_S390X", "SCMP_ARCH_S390"])
        case "s390": self.init("s390", ["SCMP_ARCH_S390"])
        case "ppc64le": self.init("ppc64le", ["SCMP_ARCH_PPC64LE"])
        case "ppc64": self.init("ppc64", ["SCMP_ARCH_PPC64"])
        case "ppc": self.init("ppc", ["SCMP_ARCH_PPC"])
        case "loongarch64": self.init("loongarch64", ["SCMP_ARCH_LOONGARCH64"])
        case "mips64": self.init("mips64", ["SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"])
        case "mips64el": self.init("mipsel64", ["SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"])
        case "mips": self.init("mips", ["SCMP_ARCH_MIPS"])
        case "mipsel": self.init("mipsel", ["SCMP_ARCH_MIPSEL"])
        default: return nil
        }
    }

    private init(_ name: String, _ seccompArchitectures: [String]) {
        self.name = name
        self.seccompArchitectures = seccompArchitectures
    }
}

extension DockerSeccompRule {
    /// moby's `setupSeccomp`: any exclude that matches drops the rule, every include must match.
    func applies(capabilities: Set<String>, architecture: String?, kernel: KernelVersion?) -> Bool {
        if let architecture, excludes.arches.contains(architecture) { return false }
        if excludes.caps.contains(where: capabilities.contains) { return false }
        if let minimum = excludes.minKernel, let kernel, kernel >= minimum { return false }
        if !includes.arches.isEmpty {
            guard let architecture, includes.arches.contains(architecture) else { return false }
        }
        if !includes.caps.allSatisfy(capabilities.contains) { return false }
        if let minimum = includes.minKernel {
            // An unreadable release counts as too old: the rule stays out.
            guard let kernel, kernel >= minimum else { return false }
        }
        return true
    }
}

extension DockerSeccompRule.KernelVersion {
    /// "6.18.44-fc-v595" → 6.18; nil when the release does not start with major.minor.
    init?(release: String) {
        let parts = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard parts.count == 2, release.first?.isNumber == true else { return nil }
        self.init(major: parts[0], minor: parts[1])
    }
}
