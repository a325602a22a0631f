#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

extension Runtime {
    /// Run `process` in running container `id` (its namespaces, cgroups, seccomp profile), like `runc exec`.
    /// The caller never forks: `lighter __exec` is cloned straight into execve and does the joining.
    /// Returns the process's exit status, or nil with `detach` (the process runs on under a reaper of its
    /// own in the container, not a child of this process). A process that cannot start throws `LighterError.containerStart` with
    /// 126/127 (not executable / not found) or 125. With `process.terminal` the caller's stdio is relayed
    /// to a pseudo-terminal from the container's devpts; with `forwardSignals` HUP, INT, QUIT, TERM, USR1
    /// and USR2 sent to this process go to the exec'd process.
    /// `started` gets the process's pid once it runs (`exec --pid-file`) and, with `process.terminal`, the
    /// terminal's master (`exec -d --console-socket` hands it on); detached, the pid is the reaper's, or with
    /// `callerReaps` the process's own: it has no reaper and is orphaned to the caller's sub-reaper
    /// (containerd's shim waits for it by that pid, as for runc).
    public func exec(id: String, process: RuntimeSpec.Process, stdio: Stdio = .inherit, detach: Bool = false,
                     callerReaps: Bool = false, forwardSignals: Bool = false,
                     started: ((Int32, FileDescriptor?) throws(LighterError) -> Void)? = nil) throws(LighterError) -> ExitStatus? {
        let state = try state(id: id)
        if state.status == .paused { throw .conflict("container \(id) is paused; unpause it before exec") }
        guard state.status == .running else { throw .conflict("container \(id) is \(state.status.rawValue), not running") }
        let cgroup = cgroup(of: state)
        guard !process.args.isEmpty else { throw .invalidArgument("exec needs a command") }
        let (spec, _) = try Self.loadSpec(bundle: state.bundle)

        let pidfd = FileDescriptor(adopting: try syscall("pidfd_open", "container \(id)") { lighter_pidfd_open(state.pid) })
        // The pidfd names the init unless its pid was reused before it was opened.
        guard ProcessStat.isAlive(state.pid, startTime: state.pidStartTime) else { throw .conflict("container \(id) is not running") }
        let namespaces = try Self.namespacesToJoin(pid: state.pid)
        let config = ExecConfig(namespaces: namespaces, process: process, seccomp: spec.linux?.seccomp,
                                inUserNamespace: namespaces & NamespaceKind.flags["user"]! != 0,
                                terminalSize: process.terminal == true ? TerminalSize(of: stdio.input) : nil,
                                detached: detach ? true : nil, callerReaps: detach && callerReaps ? true : nil,
                                rootOf: namespaces & NamespaceKind.flags["mount"]! == 0 ? state.pid : nil)

        // SIGWINCH resizes the process's terminal (with `process.terminal`) instead of being forwarded.
        let signals = forwardSignals && !detach ? Self.forwardedSignals + [SIGWINCH] : []
        var signalFD: FileDescriptor?
        if !signals.isEmpty {
            try syscall("sigprocmask") { lighter_signal_mask(signals, Int32(signals.count), 1) }
            signalFD = FileDescriptor(adopting: try syscall("signalfd") { lighter_signalfd(signals, Int32(signals.count)) })
        }
        defer { if !signals.isEmpty { _ = lighter_signal_mask(signals, Int32(signals.count), 0) } }

        let (pid, terminal) = try spawnExec(config, pidfd: pidfd, stdio: stdio, cgroup: cgroup)
        do { try started?(pid, terminal) } catch {
            _ = POSIX.kill(pid, SIGKILL)
            if !detach { var status: Int32 = 0; _ = waitpid(pid, &status, 0) }
            throw error
        }
        if detach { return nil }
        if signalFD != nil || terminal != nil {
            var supervisor = Supervisor(pid: pid, signals: signalFD, terminal: terminal, stdio: stdio)
            do { try supervisor.run() } catch {
                _ = POSIX.kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                throw error
            }
        }
        var status: Int32 = 0
        try syscall("waitpid", "exec in container \(id)") { waitpid(pid, &status, 0) }
        return ExitStatus(waitStatus: status, oomKilled: false)
    }

    /// Start `process` in running container `id` as `exec` does, without waiting for it: returns its pid,
    /// a child of the caller (reap it with waitpid). The monitor's health checks use it, so the
    /// container's output keeps being relayed while a check runs.
    public func spawn(id: String, process: RuntimeSpec.Process, stdio: Stdio) throws(LighterError) -> Int32 {
        let state = try state(id: id)
        guard state.status == .running else { throw .conflict("container \(id) is \(state.status.rawValue), not running") }
        guard !process.args.isEmpty else { throw .invalidArgument("exec needs a command") }
        let (spec, _) = try Self.loadSpec(bundle: state.bundle)
        let pidfd = FileDescriptor(adopting: try syscall("pidfd_open", "container \(id)") { lighter_pidfd_open(state.pid) })
        guard ProcessStat.isAlive(state.pid, startTime: state.pidStartTime) else { throw .conflict("container \(id) is not running") }
        let namespaces = try Self.namespacesToJoin(pid: state.pid)
        let config = ExecConfig(namespaces: namespaces, process: process, seccomp: spec.linux?.seccomp,
                                inUserNamespace: namespaces & NamespaceKind.flags["user"]! != 0,
                                terminalSize: nil, detached: nil, callerReaps: nil)
        return try spawnExec(config, pidfd: pidfd, stdio: stdio, cgroup: cgroup(of: state)).0
    }

    /// The process of container `id`'s config.json (what `runtime exec` starts from, as runc does).
    public func process(id: String) throws(LighterError) -> RuntimeSpec.Process {
        let state = try state(id: id)
        let (spec, _) = try Self.loadSpec(bundle: state.bundle)
        guard let process = spec.process else { throw .malformed(what: "\(state.bundle)/config.json", reason: "no process") }
        return process
    }

    /// The CLONE_NEW* flags of the namespaces `pid` does not share with this process.
    static func namespacesToJoin(pid: Int32) throws(LighterError) -> Int32 {
        let kinds: [(file: String, type: String)] = [("user", "user"), ("mnt", "mount"), ("pid", "pid"), ("net", "network"),
                                                     ("ipc", "ipc"), ("uts", "uts"), ("cgroup", "cgroup")]
        var flags: Int32 = 0
        for kind in kinds {
            guard FileSystem.exists("/proc/self/ns/\(kind.file)") else { continue }
            let theirs = try FileSystem.readLink("/proc/\(pid)/ns/\(kind.file)")
            if theirs != (try FileSystem.readLink("/proc/self/ns/\(kind.file)")) { flags |= NamespaceKind.flags[kind.type]! }
        }
        return flags
    }

    /// clone straight into `lighter __exec`, put it in the container's cgroups, send it the config and
    /// the init's pidfd, and read its reports until it execs. Returns the exec'd process (our child).
    private func spawnExec(_ config: ExecConfig, pidfd: FileDescriptor, stdio: Stdio,
                           cgroup: any CgroupManager) throws(LighterError) -> (Int32, FileDescriptor?) {
        let (parentEnd, childEnd) = try InitChannel.socketPair()
        let helper = try spawnSelf(ContainerExec.command, namespaces: 0, stdio: stdio, keeping: childEnd)
        try childEnd.close()
        var pid: Int32 = 0
        do throws(LighterError) {
            try cgroup.add(pid: helper)
            let channel = InitChannel(fd: parentEnd.rawValue)
            try channel.send(config, attaching: pidfd.rawValue)
            var terminal: FileDescriptor?
            var failure: ExecReport?
            while let received = try channel.receiveWithDescriptor(ExecReport.self) {
                if let child = received.value.pid { pid = child }
                if received.value.terminal == true { terminal = received.descriptor }
                if received.value.exitCode != nil { failure = received.value }
            }
            var status: Int32 = 0
            _ = try syscallTolerating("waitpid", "lighter \(ContainerExec.command)", [ECHILD]) { waitpid(helper, &status, 0) }
            if let failure {
                throw LighterError.containerStart(message: failure.message ?? "exec failed", exitCode: failure.exitCode ?? 125)
            }
            guard pid > 0 else {
                let code = ExitStatus(waitStatus: status, oomKilled: false).code
                throw LighterError.containerStart(message: "lighter \(ContainerExec.command) exited during set-up (status \(code))", exitCode: 125)
            }
            if config.process.terminal == true && terminal == nil {
                throw LighterError.containerStart(message: "exec sent no terminal", exitCode: 125)
            }
            return (pid, terminal)
        } catch {
            for target in [helper, pid] where target > 0 {
                _ = POSIX.kill(target, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(target, &status, 0)
            }
            throw error
        }
    }
}
