#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

extension Runtime {
    /// Let a created container's init exec the container process.
    public func start(id: String) throws(LighterError) {
        var state = try state(id: id)
        guard state.status == .created else {
            throw .conflict("container \(id) is \(state.status.rawValue), not created")
        }
        let fifo = try FileDescriptor(path: fifoPath(id), flags: O_RDONLY | O_NONBLOCK)
        var byte: [UInt8] = [0]
        while true {
            var entry = pollfd(fd: fifo.rawValue, events: Int16(POLLIN), revents: 0)
            _ = try syscallTolerating("poll", fifoPath(id), [EINTR]) { poll(&entry, 1, 100) }
            if entry.revents & Int16(POLLIN) != 0 {
                let n = try syscallTolerating("read", fifoPath(id), [EAGAIN]) { POSIX.read(fifo.rawValue, &byte, 1) }
                if n == nil { break }
            }
            if !ProcessStat.isAlive(state.pid, startTime: state.pidStartTime) {
                throw .conflict("container \(id) exited before it could start")
            }
        }
        try fifo.close()
        try FileSystem.remove(fifoPath(id))
        state.status = .running
        try save(state)
        runPoststart(state)
    }

    func runPoststart(_ state: ContainerState) {
        guard let hooks = state.hooks?.poststart else { return }
        HookRunner.runWarning(hooks, phase: "poststart", state: HookRunner.state(
            ociVersion: state.ociVersion, id: state.id, status: "running", pid: state.pid, bundle: state.bundle, annotations: state.annotations))
    }

    /// Send `signal` to the container's init.
    public func kill(id: String, signal: Int32 = SIGTERM) throws(LighterError) {
        let state = try state(id: id)
        guard state.status != .stopped else { throw .conflict("container \(id) is not running") }
        try syscall("kill", "container \(id)") { POSIX.kill(state.pid, signal) }
    }

    /// Block until the init exits and return how it ended. Only the process that created the
    /// container (its parent) can learn the exit status.
    public func wait(id: String) throws(LighterError) -> ExitStatus {
        try wait(for: try state(id: id))
    }

    func wait(for state: ContainerState) throws(LighterError) -> ExitStatus {
        let id = state.id
        var status: Int32 = 0
        if let code = try syscallTolerating("waitpid", "container \(id)", [ECHILD], { waitpid(state.pid, &status, 0) }) {
            _ = code
            throw .conflict("container \(id) was not created by this process; its exit status is unknown")
        }
        return ExitStatus(waitStatus: status, oomKilled: cgroup(of: state).oomKillCount() > 0)
    }

    /// Remove the container: its cgroups and state. A created or running container needs `force`
    /// (it is SIGKILLed and waited for).
    public func delete(id: String, force: Bool = false) throws(LighterError) {
        try delete(try state(id: id), force: force)
    }

    func delete(_ state: ContainerState, force: Bool) throws(LighterError) {
        let id = state.id
        if state.status != .stopped {
            guard force else {
                throw .conflict("container \(id) is \(state.status.rawValue); stop it first or delete with --force")
            }
            _ = POSIX.kill(state.pid, SIGKILL)
            // A paused container's processes die only once thawed.
            let cgroup = cgroup(of: state)
            if cgroup.isFrozen() { try? cgroup.thaw() }
        }
        // Reap it if it is our child; otherwise wait for it to vanish (its parent reaps it).
        for _ in 0..<1000 {
            var status: Int32 = 0
            if waitpid(state.pid, &status, WNOHANG) == state.pid { break }
            if !ProcessStat.isAlive(state.pid, startTime: state.pidStartTime) {
                // Dead: it may have become a zombie since the waitpid above; reap it if it is ours.
                _ = waitpid(state.pid, &status, WNOHANG)
                break
            }
            usleep(10_000)
        }
        try cgroup(of: state).destroy()
        try FileSystem.removeTree(directory(id))
        if let hooks = state.hooks?.poststop {
            HookRunner.runWarning(hooks, phase: "poststop", state: HookRunner.state(
                ociVersion: state.ociVersion, id: id, status: "stopped", pid: state.pid, bundle: state.bundle, annotations: state.annotations))
        }
    }

    /// Signals `run(forwardSignals: true)` passes on to the container, as runc does.
    public static let forwardedSignals: [Int32] = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2]

    /// create + start + wait + delete, like `runc run`: the container's exit status, or the set-up error
    /// (`LighterError.containerStart` carries 125/126/127). With `forwardSignals` (for a single-threaded
    /// command-line caller) HUP, INT, QUIT, TERM, USR1 and USR2 sent to this process go to the container.
    /// With `process.terminal`, the container gets a pseudo-terminal and `stdio` is relayed to and from it
    /// (stdio.input is put in raw mode while it runs if it is a terminal).
    /// `created` runs once the container exists, before it is waited for (`run --pid-file`); its error stops it.
    public func run(id: String, bundle: String, stdio: Stdio = .inherit, forwardSignals: Bool = false,
                    created onCreated: ((ContainerState) throws(LighterError) -> Void)? = nil) throws(LighterError) -> ExitStatus {
        let signals = forwardSignals ? Self.forwardedSignals + [SIGWINCH] : []
        var signalFD: FileDescriptor?
        if forwardSignals {
            try syscall("sigprocmask") { lighter_signal_mask(signals, Int32(signals.count), 1) }
            signalFD = FileDescriptor(adopting: try syscall("signalfd") { lighter_signalfd(signals, Int32(signals.count)) })
        }
        defer { if forwardSignals { _ = lighter_signal_mask(signals, Int32(signals.count), 0) } }
        let created = try create(id: id, bundle: bundle, stdio: stdio, waitForStart: false)
        let state = created.state
        runPoststart(state)
        let status: ExitStatus
        do {
            try onCreated?(state)
            if signalFD != nil || created.terminal != nil {
                var supervisor = Supervisor(pid: state.pid, signals: signalFD, terminal: created.terminal, stdio: stdio)
                try supervisor.run()
            }
            status = try wait(for: state)
        } catch {
            try? delete(id: id, force: true)
            throw error
        }
        var stopped = state
        stopped.status = .stopped
        try delete(stopped, force: true)
        return status
    }
}
