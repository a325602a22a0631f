#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// The container init: runs in the freshly exec'd, single-threaded `lighter __init <fd>` process inside
/// the new namespaces, sets the container up from the spec and execs the container process.
/// No threads, no async, no ArgumentParser on this path.
public enum ContainerInit {
    /// The argv[1] that routes `lighter` here before anything else runs.
    public static let command = "__init"

    public static func main(arguments: [String]) -> Never {
        guard arguments.count >= 3, let fd = Int32(arguments[2]) else {
            fail("lighter \(command) is internal to the runtime and takes a descriptor", code: 125)
        }
        let channel = InitChannel(fd: fd)
        var announced = false
        do {
            try ContainerProcess.makeUndumpable()
            guard let config = try channel.receive(InitConfig.self), let specBytes = try channel.receiveBytes() else { _exit(125) }
            var seccomp: SeccompFilter.Compiled?
            if let flags = config.seccompFlags {
                guard let program = try channel.receiveBytes() else { _exit(125) }
                seccomp = SeccompFilter.Compiled(program: program, flags: flags)
            }
            let spec = try RuntimeSpec(jsonBytes: specBytes, what: "config.json")
            try run(config, spec: spec, seccomp: seccomp, channel: channel, announced: &announced)
        } catch {
            let (message, code): (String, Int32)
            if case let .containerStart(text, exitCode) = error { (message, code) = (text, exitCode) } else {
                (message, code) = (error.description, 125)
            }
            if announced {
                fail(message, code: code)
            }
            try? channel.send(InitReport(created: false, message: message, exitCode: code))
            _exit(code)
        }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        let line = Array("lighter init: \(message)\n".utf8)
        _ = line.withUnsafeBytes { POSIX.write(2, $0.baseAddress, $0.count) }
        _exit(code)
    }

    /// `seccomp`: the filter the runtime compiled (the spec it sends has no profile then).
    private static func run(_ config: InitConfig, spec: RuntimeSpec, seccomp: SeccompFilter.Compiled?, channel: InitChannel,
                            announced: inout Bool) throws(LighterError) -> Never {
        guard let process = spec.process else { throw .invalidArgument("config.json has no process") }
        umask(0)
        let namespaces = spec.linux?.namespaces ?? []
        // Into the cgroups first, when the runtime leaves that to us (v1 `tasks`, this thread = the process).
        var placed = false
        if let files = config.cgroupJoinFiles {
            for file in files { try Cgroups.write("0", to: file) }
            placed = true
        }
        // The exec fifo must be reachable after pivot_root, and from a mount namespace joined by path
        // (where the runtime's directory may not exist): hold it by an O_PATH descriptor, opened first.
        let fifo = try config.execFifo.map { path throws(LighterError) in
            try FileDescriptor(path: path, flags: OpenFlags.path)
        }
        try joinNamespaces(namespaces)
        if let keyring = config.sessionKeyring {
            // A kernel without keyrings (ENOSYS) has nothing to share: go on, as runc does.
            _ = try syscallTolerating("keyctl(KEYCTL_JOIN_SESSION_KEYRING)", keyring, [ENOSYS]) { lighter_join_session_keyring(keyring) }
        }
        if config.waitForHooks == true { try channel.waitForHooks() }
        if namespaces.contains(where: { $0.type == "cgroup" && $0.path == nil }) {
            // A new cgroup namespace is rooted where the init is: wait until it is in its cgroups
            // (unless it moved itself there above).
            if !placed { try channel.waitUntilPlaced() }
            placed = true
            try syscall("unshare", "cgroup namespace") { lighter_unshare(NamespaceKind.cgroup) }
        }
        // Without a mount namespace the root is a chroot with no /proc of its own: the fifo is reopened
        // through the caller's /proc, held by a descriptor (closed on exec).
        let hostProc = fifo != nil && !spec.hasMountNamespace
            ? try FileDescriptor(path: "/proc", flags: OpenFlags.path | O_DIRECTORY) : nil
        try setUpRootFilesystem(config, spec: spec)
        // The container's /proc, checked to be procfs before anything is written through it (lazily: a
        // spec without /proc that writes nothing there needs none).
        var procHandle: ProcFS?
        func proc() throws(LighterError) -> ProcFS {
            if let procHandle { return procHandle }
            let opened = try ProcFS()
            procHandle = opened
            return opened
        }
        if let hostname = spec.hostname {
            try syscall("sethostname", hostname) { sethostname(hostname, hostname.utf8.count) }
        }
        if let domainname = spec.domainname {
            try syscall("setdomainname", domainname) { setdomainname(domainname, domainname.utf8.count) }
        }
        for (key, value) in (spec.linux?.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            try proc().write("sys/" + key.replacingDots(), value)
        }
        // A new network namespace starts with `lo` down: bring it up, so 127.0.0.1 answers even
        // under `--network none` (Docker's loopback-only network).
        if namespaces.contains(where: { $0.type == "network" && $0.path == nil }) {
            try syscall("ioctl(SIOCSIFFLAGS)", "lo") { lighter_loopback_up() }
        }
        try finishRootFilesystem(spec, proc: proc)
        // Nothing of the container's own runs before the init is in its cgroups (limits, devices).
        if !placed { try channel.waitUntilPlaced() }
        // A session of its own: the container's signals and terminal are not the caller's.
        try syscall("setsid") { setsid() }
        if process.terminal == true { try setUpTerminal(channel: channel, size: config.terminalSize) }
        try applyRlimits(process.rlimits ?? [])
        if let adj = process.oomScoreAdj { try proc().write("self/oom_score_adj", String(adj)) }
        procHandle = nil
        var cwdError = try chdirError(process.cwd)
        if cwdError == ENOENT {
            makeWorkingDirectory(process.cwd)
            cwdError = try chdirError(process.cwd)
        }
        var environment = process.env ?? []
        if let listen = config.listenFds, listen > 0 {
            // systemd's socket activation, as runc passes it on: descriptors 3 … 3+N-1, for PID 1.
            environment += ["LISTEN_FDS=\(listen)", "LISTEN_PID=1"]
        }
        let executable = try resolveExecutable(process.args[0], environment: environment)

        let noNewPrivileges = process.noNewPrivileges ?? false
        // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: do it before dropping capabilities.
        if let seccomp, !noNewPrivileges { try SeccompFilter.load(seccomp) }
        // The user, groups and capabilities are set before the runtime hears "created", as runc does:
        // a refusal (capset EPERM, a bad cwd) makes `create` fail instead of a container that never runs.
        let inUserNamespace = namespaces.contains { $0.type == "user" }
        let deathSignal = ContainerProcess.parentDeathSignal()
        try applyCredentials(process, inUserNamespace: inUserNamespace)
        // A change of uid clears the parent-death signal: set it again (and die if the parent went meanwhile).
        try ContainerProcess.restoreParentDeathSignal(deathSignal, channel: channel)
        if cwdError != 0 {
            // Retry as the container user (a directory only that user may enter).
            try enterWorkingDirectory(process.cwd)
        }
        umask(mode_t(process.user.umask ?? 0o022))
        if let fifo {
            try channel.send(InitReport(created: true, message: nil, exitCode: nil))
            announced = true
            // /proc/self/fd stays open to this process after its uid changed (the kernel lets a task
            // reach its own descriptors whatever its dumpable state).
            try waitForStart(fifo, proc: hostProc)
        }
        if let hooks = spec.hooks?.startContainer {
            try HookRunner.run(hooks, phase: "startContainer", state: Array((config.hookState ?? "{}").utf8))
        }
        if noNewPrivileges {
            try syscall("prctl(PR_SET_NO_NEW_PRIVS)") { lighter_prctl(Prctl.setNoNewPrivs, 1, 0, 0, 0) }
            if let seccomp { try SeccompFilter.load(seccomp) }
        }
        try exec(executable, arguments: process.args, environment: environment, keeping: config.passedFds ?? 0)
    }

    /// A pty from the container's devpts: the master goes to the runtime, the slave becomes the
    /// controlling terminal and stdin/stdout/stderr.
    static func setUpTerminal(channel: InitChannel, size: TerminalSize?) throws(LighterError) {
        let master = try FileDescriptor(path: "/dev/ptmx", flags: O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        try syscall("ioctl(TIOCSPTLCK)") { lighter_ioctl_int(master.rawValue, Terminal.setLock, &unlock) }
        var number: Int32 = 0
        try syscall("ioctl(TIOCGPTN)") { lighter_ioctl_int(master.rawValue, Terminal.getNumber, &number) }
        let path = "/dev/pts/\(number)"
        let slave = try FileDescriptor(path: path, flags: O_RDWR | O_NOCTTY)
        size?.apply(to: slave.rawValue)
        try channel.send(InitReport(created: false, terminal: true), attaching: master.rawValue)
        try master.close()
        try syscall("ioctl(TIOCSCTTY)", path) { lighter_ioctl_value(slave.rawValue, UInt(TIOCSCTTY), 0) }
        for target: Int32 in 0...2 {
            try syscall("dup2", path) { dup2(slave.rawValue, target) }
        }
    }

    private static func joinNamespaces(_ namespaces: [RuntimeSpec.Namespace]) throws(LighterError) {
        // A user namespace first: it decides what the others may do.
        let ordered = namespaces.filter { $0.type == "user" } + namespaces.filter { $0.type != "user" }
        // A pid namespace is joined by the runtime around the clone (setns only changes children's).
        for namespace in ordered where namespace.type != "pid" {
            guard let path = namespace.path else { continue }
            let fd = try FileDescriptor(path: path, flags: O_RDONLY)
            // The type is passed, so the kernel refuses a file of another kind of namespace (EINVAL).
            try syscall("setns(\(namespace.type))", path) { lighter_setns(fd.rawValue, NamespaceKind.flags[namespace.type] ?? 0) }
        }
    }

    /// Enter the working directory `path` of the container: resolved inside the process's root by
    /// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so `/proc/self/fd/N` (a descriptor this process
    /// may hold, CVE-2024-21626) or a symlink out of the root cannot lead it outside; then checked with
    /// getcwd, which names a directory outside the root "(unreachable)…". Returns 0, or the errno of a
    /// failure that may pass as the container user (EACCES: retried after the credentials change).
    static func chdirError(_ path: String) throws(LighterError) -> Int32 {
        let root = try FileDescriptor(path: "/", flags: OpenFlags.path | O_DIRECTORY)
        let raw = lighter_openat2(root.rawValue, path, UInt64(OpenFlags.path | O_DIRECTORY | O_CLOEXEC), 0,
                                  UInt64(LIGHTER_RESOLVE_IN_ROOT) | UInt64(LIGHTER_RESOLVE_NO_MAGICLINKS))
        if raw < 0 {
            let code = lighter_errno()
            if code == ELOOP {
                throw .containerStart(message: "working directory \(path) passes through a magic link (/proc/…/fd, /proc/…/cwd) or too many symlinks", exitCode: 125)
            }
            return code
        }
        let fd = FileDescriptor(adopting: raw)
        if fchdir(fd.rawValue) != 0 { return lighter_errno() }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil, buffer[0] == 0x2F else {
            throw .containerStart(message: "working directory \(path) is outside the container's root", exitCode: 125)
        }
        return 0
    }

    /// A missing working directory is made, as runc and Docker do: each missing component 0755, in a
    /// parent reached as `chdirError` reaches it (inside the root, no magic links). What cannot be made
    /// is left to `chdirError` to report.
    static func makeWorkingDirectory(_ path: String) {
        guard let root = try? FileDescriptor(path: "/", flags: OpenFlags.path | O_DIRECTORY) else { return }
        var parent = "/"
        for component in path.split(separator: "/") {
            let raw = lighter_openat2(root.rawValue, parent, UInt64(OpenFlags.path | O_DIRECTORY | O_CLOEXEC), 0,
                                      UInt64(LIGHTER_RESOLVE_IN_ROOT) | UInt64(LIGHTER_RESOLVE_NO_MAGICLINKS))
            guard raw >= 0 else { return }
            let dir = FileDescriptor(adopting: raw)
            if mkdirat(dir.rawValue, String(component), 0o755) != 0 && lighter_errno() != EEXIST { return }
            parent += (parent.hasSuffix("/") ? "" : "/") + component
        }
    }

    /// `chdirError` once more, now as the container user; any failure is an error.
    static func enterWorkingDirectory(_ path: String) throws(LighterError) {
        let code = try chdirError(path)
        if code != 0 {
            throw .containerStart(message: "cannot enter working directory \(path): \(String(cString: strerror(code)))", exitCode: 125)
        }
    }

    /// Blocks until `start` opens the fifo for reading, then tells it we are about to exec.
    private static func waitForStart(_ fifo: FileDescriptor, proc: FileDescriptor?) throws(LighterError) {
        let path = "/proc/self/fd/\(fifo.rawValue)"
        let writer: FileDescriptor
        if let proc {
            writer = try proc.openAt("self/fd/\(fifo.rawValue)", flags: O_WRONLY)
        } else {
            writer = try FileDescriptor(path: path, flags: O_WRONLY)
        }
        try writer.write([0x30])
        try writer.close()
        try fifo.close()
        try proc?.close()
    }

    private static let rlimitNames: [String: Int32] = [
        "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
        "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
        "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
        "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
    ]

    static func rlimitNumber(_ name: String) -> Int32? { rlimitNames[name] }

    /// Only the limits the spec names: raising one needs CAP_SYS_RESOURCE, so nothing is touched by default.
    static func applyRlimits(_ limits: [RuntimeSpec.Rlimit]) throws(LighterError) {
        for limit in limits {
            guard let resource = rlimitNames[limit.type] else {
                throw .invalidArgument("unknown rlimit type \"\(limit.type)\"")
            }
            var value = rlimit(rlim_cur: rlim_t(limit.soft), rlim_max: rlim_t(limit.hard))
            try syscall("setrlimit", limit.type) { setrlimit(__rlimit_resource_t(UInt32(resource)), &value) }
        }
    }
}

/// Pseudo-terminal ioctls (asm-generic/ioctls.h) that Swift's Glibc module does not import.
enum Terminal {
    static let setLock: UInt = 0x4004_5431    // TIOCSPTLCK
    static let getNumber: UInt = 0x8004_5430  // TIOCGPTN
}

/// prctl(2) option numbers (linux/prctl.h), which Swift's Glibc module does not import.
enum Prctl {
    static let setParentDeathSignal: Int32 = 1
    static let getParentDeathSignal: Int32 = 2
    static let setDumpable: Int32 = 4
    static let setKeepCaps: Int32 = 8
    static let capBoundingDrop: Int32 = 24
    static let setChildSubreaper: Int32 = 36
    static let setNoNewPrivs: Int32 = 38
    static let capAmbient: Int32 = 47
    static let capAmbientRaise: UInt = 2
    static let capAmbientClearAll: UInt = 4
}

extension String {
    /// "net.ipv4.ip_forward" → "net/ipv4/ip_forward"
    func replacingDots() -> String { String(map { $0 == "." ? "/" : $0 }) }
}
