#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// What the runtime sends `lighter __exec`, with a pidfd of the container's init attached.
struct ExecConfig: Sendable {
    /// CLONE_NEW* flags of the init's namespaces that differ from the runtime's: joined with setns(pidfd, flags).
    var namespaces: Int32
    /// The process to run: the container's process settings with the exec's overrides.
    var process: RuntimeSpec.Process
    /// The container's seccomp profile, applied to the exec'd process too.
    var seccomp: RuntimeSpec.Seccomp?
    var inUserNamespace: Bool
    /// With `process.terminal`: the caller's terminal size, set before the process runs.
    var terminalSize: TerminalSize?
    /// Nobody waits for the process (`exec -d`): it runs under a reaper in the container (nil: not detached).
    var detached: Bool?
    /// Detached, but without the reaper: the process itself is orphaned to the caller's sub-reaper, which
    /// waits for it by the pid it was given (runc's `exec -d --pid-file` under containerd's shim).
    var callerReaps: Bool?
    /// The init's pid when the container shares the runtime's mount namespace (a spec without one): the
    /// process enters the init's root (`/proc/PID/root`, a chroot) instead of the namespace's.
    var rootOf: Int32?
}

/// What `lighter __exec` reports: the exec'd process's pid (from the intermediate process), a terminal
/// master, or why the process could not start. End of stream means it exec'd.
struct ExecReport: Sendable {
    var pid: Int32?
    var terminal: Bool?
    var message: String?
    var exitCode: Int32?
}

/// `lighter __exec <fd>`: a fresh single-threaded process (cloned by the runtime straight into execve, and
/// already placed in the container's cgroups) that joins the container init's namespaces, forks the
/// process into its pid namespace (CLONE_PARENT: the runtime becomes its parent and reaps it), and exits.
/// The forked child applies the process settings (terminal, rlimits, cwd, seccomp, user, capabilities)
/// and execs, as the container init does. Like `runc exec`.
///
/// Detached, nobody would reap the process or the orphans it leaves: they would go to the container's PID 1,
/// which may never reap (a `sleep` as PID 1 collects zombies). So the forked child is a plain child of
/// `__exec` (reparented to the host's init when `__exec` exits) that becomes a sub-reaper in the container's
/// pid namespace, forks the process, and reaps it and every orphan below it until none is left.
public enum ContainerExec {
    /// The argv[1] that routes `lighter` here before anything else runs.
    public static let command = "__exec"

    public static func main(arguments: [String]) -> Never {
        guard arguments.count >= 3, let fd = Int32(arguments[2]) else {
            let line = Array("lighter \(command) is internal to the runtime and takes a descriptor\n".utf8)
            _ = line.withUnsafeBytes { POSIX.write(2, $0.baseAddress, $0.count) }
            _exit(125)
        }
        let channel = InitChannel(fd: fd)
        do {
            // Before joining anything: the process forked into the container inherits it.
            try ContainerProcess.makeUndumpable()
            guard let received = try channel.receiveWithDescriptor(ExecConfig.self), let pidfd = received.descriptor else { _exit(125) }
            let config = received.value
            // Opened before the namespaces are joined: the path names the init in this pid namespace.
            let root = try config.rootOf.map { (pid) throws(LighterError) in
                try FileDescriptor(path: "/proc/\(pid)/root", flags: OpenFlags.path | O_DIRECTORY)
            }
            if config.namespaces != 0 {
                try syscall("setns", "container namespaces") { lighter_setns(pidfd.rawValue, config.namespaces) }
            }
            if let root {
                try syscall("fchdir", "container root") { fchdir(root.rawValue) }
                try syscall("chroot", "container root") { chroot(".") }
                try root.close()
            }
            try pidfd.close()
            var fds: [Int32] = [-1, -1]
            try syscall("pipe2") { lighter_pipe(&fds) }
            let detached = config.detached == true
            let child = try syscall("clone") { detached ? lighter_clone_child() : lighter_clone_parent() }
            if child > 0 {
                // Say which pid the process has before it may report anything itself.
                try channel.send(ExecReport(pid: child))
                _ = POSIX.write(fds[1], [UInt8(0x31)], 1)
                _exit(0)
            }
            close(fds[1])
            var byte: UInt8 = 0
            guard POSIX.read(fds[0], &byte, 1) == 1 else { _exit(125) }
            close(fds[0])
            if detached && config.callerReaps != true { try reaper(channel: channel) }
            try run(config, channel: channel)
        } catch {
            let (message, code): (String, Int32)
            if case let .containerStart(text, exitCode) = error { (message, code) = (text, exitCode) } else {
                (message, code) = (error.description, 125)
            }
            try? channel.send(ExecReport(message: message, exitCode: code))
            _exit(code)
        }
    }

    /// Detached: in a session of its own, not dumpable (a container process may not ptrace or open it), as a
    /// sub-reaper fork the process (returns in the process) and reap until no child is left.
    private static func reaper(channel: InitChannel) throws(LighterError) {
        try syscall("setsid") { setsid() }
        try syscall("prctl(PR_SET_DUMPABLE)") { lighter_prctl(Prctl.setDumpable, 0, 0, 0, 0) }
        try syscall("prctl(PR_SET_CHILD_SUBREAPER)") { lighter_prctl(Prctl.setChildSubreaper, 1, 0, 0, 0) }
        let process = try syscall("clone") { lighter_clone_child() }
        if process == 0 { return }
        close(channel.fd)   // the process's end of file on exec tells the caller it runs
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE] { POSIX.ignore(signal) }
        var status: Int32 = 0
        while waitpid(-1, &status, 0) > 0 || lighter_errno() == EINTR {}
        _exit(0)
    }

    private static func run(_ config: ExecConfig, channel: InitChannel) throws(LighterError) -> Never {
        let process = config.process
        // A session of its own (and a controlling terminal if asked for).
        try syscall("setsid") { setsid() }
        if process.terminal == true {
            try ContainerInit.setUpTerminal(channel: channel, size: config.terminalSize)
        }
        try ContainerInit.applyRlimits(process.rlimits ?? [])
        if let adj = process.oomScoreAdj { try ProcFS().write("self/oom_score_adj", String(adj)) }
        let cwdError = try ContainerInit.chdirError(process.cwd)
        let environment = process.env ?? []
        let executable = try ContainerInit.resolveExecutable(process.args[0], environment: environment)
        let noNewPrivileges = process.noNewPrivileges ?? false
        if let seccomp = config.seccomp, !noNewPrivileges { try SeccompFilter.load(seccomp, noNewPrivileges: false) }
        try ContainerInit.applyCredentials(process, inUserNamespace: config.inUserNamespace)
        if cwdError != 0 {
            try ContainerInit.enterWorkingDirectory(process.cwd)
        }
        umask(mode_t(process.user.umask ?? 0o022))
        if noNewPrivileges {
            try syscall("prctl(PR_SET_NO_NEW_PRIVS)") { lighter_prctl(Prctl.setNoNewPrivs, 1, 0, 0, 0) }
            if let seccomp = config.seccomp { try SeccompFilter.load(seccomp, noNewPrivileges: true) }
        }
        try ContainerInit.exec(executable, arguments: process.args, environment: environment)
    }
}
