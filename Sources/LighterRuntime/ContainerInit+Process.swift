#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// The last steps before execve: user and group, capabilities, PATH lookup, exec.
extension ContainerInit {
    /// Bounding set first (needs CAP_SETPCAP), then setgroups/setgid/setuid keeping capabilities,
    /// then the effective/permitted/inheritable sets and the ambient set. No `capabilities` = none.
    static func applyCredentials(_ process: RuntimeSpec.Process, inUserNamespace: Bool) throws(LighterError) {
        let caps = process.capabilities
        let bounding = try Capability.mask(of: caps?.bounding)
        let effective = try Capability.mask(of: caps?.effective)
        let permitted = try Capability.mask(of: caps?.permitted)
        let inheritable = try Capability.mask(of: caps?.inheritable)
        let ambient = try Capability.mask(of: caps?.ambient)

        for cap in 0..<64 where bounding & (1 << UInt64(cap)) == 0 {
            // EINVAL: past the kernel's last capability.
            if lighter_prctl(Prctl.capBoundingDrop, UInt(cap), 0, 0, 0) == -1 {
                let code = lighter_errno()
                if code == EINVAL { break }
                throw .system(call: "prctl(PR_CAPBSET_DROP, \(Capability.names.indices.contains(cap) ? Capability.names[cap] : String(cap)))", path: nil, errno: code)
            }
        }
        try syscall("prctl(PR_SET_KEEPCAPS)") { lighter_prctl(Prctl.setKeepCaps, 1, 0, 0, 0) }
        let user = process.user
        let groups = (user.additionalGids ?? []).map { gid_t($0) }
        let setgroupsAllowed = !inUserNamespace
            || (try? FileSystem.readString("/proc/self/setgroups"))?.hasPrefix("allow") == true
        if setgroupsAllowed {
            try syscall("setgroups") { groups.withUnsafeBufferPointer { setgroups($0.count, $0.baseAddress) } }
        }
        try syscall("setgid", String(user.gid)) { setgid(user.gid) }
        try syscall("setuid", String(user.uid)) { setuid(user.uid) }
        try syscall("prctl(PR_SET_KEEPCAPS)") { lighter_prctl(Prctl.setKeepCaps, 0, 0, 0, 0) }
        try syscall("capset") { lighter_capset(effective, permitted, inheritable) }
        _ = lighter_prctl(Prctl.capAmbient, Prctl.capAmbientClearAll, 0, 0, 0)
        // The kernel allows an ambient capability only if it is also permitted and inheritable;
        // like runc, others are skipped rather than failing the container (runc's default spec
        // lists ambient capabilities without inheritable ones).
        for cap in 0..<64 where ambient & inheritable & permitted & (1 << UInt64(cap)) != 0 {
            _ = lighter_prctl(Prctl.capAmbient, Prctl.capAmbientRaise, UInt(cap), 0, 0)
        }
    }

    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The program to exec, found like Docker does: a name with "/" is used as is, else each $PATH entry.
    /// Not found → 127; found but not executable (or a directory) → 126.
    static func resolveExecutable(_ name: String, environment: [String]) throws(LighterError) -> String {
        if name.contains("/") {
            var st = stat()
            if stat(name, &st) != 0 {
                let code = lighter_errno()
                throw .containerStart(message: "exec: \"\(name)\": stat \(name): \(String(cString: strerror(code)))",
                                      exitCode: ContainerExitCode.execFailure(errno: code))
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw .containerStart(message: "exec: \"\(name)\": is a directory", exitCode: ContainerExitCode.cannotExecute)
            }
            if (st.st_mode & S_IFMT) != S_IFREG || st.st_mode & 0o111 == 0 {
                throw .containerStart(message: "exec: \"\(name)\": permission denied", exitCode: ContainerExitCode.cannotExecute)
            }
            return name
        }
        let pathValue = environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? defaultPath
        for directory in pathValue.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_mode & 0o111 != 0 {
                return candidate
            }
        }
        throw .containerStart(message: "exec: \"\(name)\": executable file not found in $PATH", exitCode: ContainerExitCode.notFound)
    }

    /// `keeping`: descriptors 3 … 3+keeping-1 stay open across the exec (passed by the caller).
    static func exec(_ path: String, arguments: [String], environment: [String], keeping extraFds: Int32 = 0) throws(LighterError) -> Never {
        var argv = arguments.map { strdup($0) }
        argv.append(nil)
        var envp = environment.map { strdup($0) }
        envp.append(nil)
        _ = lighter_prepare_exec(3 + extraFds)
        execve(path, argv, envp)
        let code = lighter_errno()
        throw .containerStart(message: "exec: \"\(arguments[0])\": \(String(cString: strerror(code)))",
                              exitCode: ContainerExitCode.execFailure(errno: code))
    }
}
