#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import CSeccomp
import LighterSystem

/// Builds and loads a seccomp filter from the spec's `linux.seccomp` section with libseccomp.
enum SeccompFilter {
    static func load(_ profile: RuntimeSpec.Seccomp, noNewPrivileges: Bool) throws(LighterError) {
        let context = try build(profile)
        defer { seccomp_release(context) }
        try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_NNP, noNewPrivileges ? 1 : 0), "seccomp_attr_set(NNP)")
        try check(seccomp_load(context), "seccomp_load")
    }

    /// A filter compiled to BPF, ready to load without libseccomp's (slow) rule compilation.
    struct Compiled: Sendable {
        let program: [UInt8]
        let flags: UInt32
    }

    /// Compile `profile` to BPF, or take it from the cache in `cacheDirectory` (keyed by the profile's
    /// digest): compiling Docker's ~370-rule profile costs tens of milliseconds per container, loading
    /// a compiled one almost nothing. Call it while the host's file system is still visible.
    static func prepare(_ profile: RuntimeSpec.Seccomp, cacheDirectory: String = "/run/lighter/seccomp") throws(LighterError) -> Compiled {
        var flags: UInt32 = 0
        for flag in profile.flags ?? [] {
            switch flag {
            case "SECCOMP_FILTER_FLAG_LOG": flags |= UInt32(LIGHTER_SECCOMP_FILTER_FLAG_LOG)
            case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": flags |= UInt32(LIGHTER_SECCOMP_FILTER_FLAG_SPEC_ALLOW)
            default: throw .invalidArgument("seccomp: unsupported flag \(flag)")
            }
        }
        // The key names how the filter was compiled too ("tree"): a cache from an older build is not reused.
        let key = SHA256.hash(profile.jsonBytes() + Array("\(RuntimeSpec.hostMachine) tree".utf8))
        let path = "\(cacheDirectory)/\(SHA256.hex(key)).bpf"
        if let cached = try? FileSystem.readFile(path), !cached.isEmpty, cached.count % 8 == 0 {
            return Compiled(program: cached, flags: flags)
        }
        let context = try build(profile)
        defer { seccomp_release(context) }
        let memfd = try syscall("memfd_create") { lighter_memfd("lighter-seccomp") }
        let file = FileDescriptor(adopting: memfd)
        try check(seccomp_export_bpf(context, memfd), "seccomp_export_bpf")
        try file.seek(to: 0)
        let program = try file.readAll()
        guard !program.isEmpty, program.count % 8 == 0 else {
            throw .invalidArgument("seccomp: libseccomp exported an empty or malformed program")
        }
        // The cache is an optimisation: a read-only /run or a user namespace only costs speed.
        if (try? FileSystem.makeDirectories(cacheDirectory, mode: 0o700)) != nil {
            try? FileSystem.writeAtomically(program, to: path, mode: 0o600)
        }
        return Compiled(program: program, flags: flags)
    }

    /// Load a compiled filter. Without no_new_privs this needs CAP_SYS_ADMIN, as with libseccomp.
    static func load(_ compiled: Compiled) throws(LighterError) {
        try syscall("seccomp(SECCOMP_SET_MODE_FILTER)") {
            compiled.program.withUnsafeBytes { lighter_seccomp_load($0.baseAddress, UInt16($0.count / 8), compiled.flags) }
        }
    }

    /// A libseccomp filter context holding every rule of `profile` (the caller releases it).
    private static func build(_ profile: RuntimeSpec.Seccomp) throws(LighterError) -> scmp_filter_ctx {
        let defaultAction = try action(profile.defaultAction, errno: profile.defaultErrnoRet)
        guard let context = seccomp_init(defaultAction) else {
            throw .invalidArgument("seccomp: cannot initialise a filter with default action \(profile.defaultAction)")
        }
        do throws(LighterError) {
            // no_new_privs is the caller's business (the spec decides it); the filter does not set it.
            try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_NNP, 0), "seccomp_attr_set(NNP)")
            // A binary tree over syscall numbers instead of a list: each syscall of the container
            // runs a few dozen instructions instead of up to a thousand, and so does the kernel's
            // per-syscall action cache that it builds when the filter is loaded (1.5 ms → less).
            try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_OPTIMIZE, 2), "seccomp_attr_set(OPTIMIZE)")
            for flag in profile.flags ?? [] {
                switch flag {
                case "SECCOMP_FILTER_FLAG_LOG": try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_LOG, 1), "seccomp_attr_set(LOG)")
                case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_SSB, 1), "seccomp_attr_set(SSB)")
                default: throw .invalidArgument("seccomp: unsupported flag \(flag)")
                }
            }
            for name in profile.architectures ?? [] {
                let short = name.hasPrefix("SCMP_ARCH_") ? String(name.dropFirst(10)).lowercased() : name.lowercased()
                let token = seccomp_arch_resolve_name(short)
                if token == 0 { throw .invalidArgument("seccomp: unknown architecture \(name)") }
                let rc = seccomp_arch_add(context, token)
                if rc != 0 && rc != -EEXIST { try check(rc, "seccomp_arch_add(\(name))") }
            }
            for rule in profile.syscalls ?? [] {
                let ruleAction = try action(rule.action, errno: rule.errnoRet)
                if ruleAction == defaultAction { continue }   // libseccomp refuses rules equal to the default
                let comparisons = try (rule.args ?? []).map { arg throws(LighterError) in try comparison(arg) }
                // libseccomp allows one comparison per argument in a rule: split repeated indexes into rules.
                let indexes = comparisons.map(\.arg)
                let groups: [[scmp_arg_cmp]] = Set(indexes).count == indexes.count ? [comparisons] : comparisons.map { [$0] }
                for name in rule.names {
                    let number = seccomp_syscall_resolve_name(name)
                    if number == __NR_SCMP_ERROR { continue }   // not a syscall on this architecture / libseccomp
                    for group in groups {
                        let rc = group.withUnsafeBufferPointer {
                            seccomp_rule_add_array(context, ruleAction, number, UInt32($0.count), $0.baseAddress)
                        }
                        try check(rc, "seccomp_rule_add(\(name))")
                    }
                }
            }
        } catch {
            seccomp_release(context)
            throw error
        }
        return context
    }

    private static func check(_ rc: Int32, _ call: String) throws(LighterError) {
        if rc < 0 { throw .system(call: call, path: nil, errno: -rc) }
    }

    static func action(_ name: String, errno: UInt32?) throws(LighterError) -> UInt32 {
        switch name {
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return SCMP_ACT_KILL
        case "SCMP_ACT_KILL_PROCESS": return SCMP_ACT_KILL_PROCESS
        case "SCMP_ACT_TRAP": return SCMP_ACT_TRAP
        case "SCMP_ACT_ERRNO": return lighter_scmp_act_errno(errno ?? UInt32(EPERM))
        case "SCMP_ACT_TRACE": return lighter_scmp_act_trace(errno ?? UInt32(EPERM))
        case "SCMP_ACT_ALLOW": return SCMP_ACT_ALLOW
        case "SCMP_ACT_LOG": return SCMP_ACT_LOG
        default: throw .invalidArgument("seccomp: unsupported action \(name)")
        }
    }

    private static func comparison(_ arg: RuntimeSpec.SyscallArg) throws(LighterError) -> scmp_arg_cmp {
        let op: scmp_compare
        switch arg.op {
        case "SCMP_CMP_NE": op = SCMP_CMP_NE
        case "SCMP_CMP_LT": op = SCMP_CMP_LT
        case "SCMP_CMP_LE": op = SCMP_CMP_LE
        case "SCMP_CMP_EQ": op = SCMP_CMP_EQ
        case "SCMP_CMP_GE": op = SCMP_CMP_GE
        case "SCMP_CMP_GT": op = SCMP_CMP_GT
        case "SCMP_CMP_MASKED_EQ": op = SCMP_CMP_MASKED_EQ
        default: throw .invalidArgument("seccomp: unsupported argument operator \(arg.op)")
        }
        guard arg.index < 6 else { throw .invalidArgument("seccomp: argument index \(arg.index) out of range") }
        return scmp_arg_cmp(arg: arg.index, op: op, datum_a: arg.value, datum_b: arg.valueTwo ?? 0)
    }
}
