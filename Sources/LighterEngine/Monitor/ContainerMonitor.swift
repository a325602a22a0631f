#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterOCI
import LighterRuntime
import LighterSystem

/// Stays with one container for its whole life: starts it through the runtime, relays its output to
/// the json-file log (and to the attached terminal), forwards signals, records how it ended, applies
/// its restart policy and `--rm`, runs its health checks (`HealthChecker`). Runs inside the CLI for attached runs, or as `lighter __monitor`
/// (a fresh single-threaded process) for detached ones.
public struct ContainerMonitor {
    let engine: Engine
    let id: String
    /// Copy the container's output to our own stdout/stderr.
    let attach: Bool
    /// The container's standard input (our stdin for `-i`, /dev/null otherwise).
    let input: Int32
    /// Where to say "started" (or why not) to a CLI waiting for a detached start.
    let reportFD: Int32?
    /// Attached, the streams copied to our own stdout/stderr (`run -a stdout`: only that one; the log
    /// gets both).
    var attachedStreams: Set<String> = ["stdout", "stderr"]
    /// Detached, with the container's stdin handed over as our fd 0 (the daemon's pipe from an
    /// attached client, `__monitor ROOT ID --stdin`): no stdin pipe or attach socket of our own.
    var inputHanded = false
    /// Milliseconds of quiet after which output without its newline is written to the log (a prompt).
    static let partialLineDelay: Int32 = 10

    /// Run until the container is done for good; returns its last exit code (125 and up for
    /// engine errors, as Docker).
    func run() -> Int32 {
        var reported = false
        var code = ContainerExitCode.engineFailure
        var backoff: useconds_t = 100_000
        do {
            var record = try engine.record(id)
            let log = try JSONLogWriter(path: engine.logPath(id), options: record.spec.log)
            // A detached -i container: `attach` brings its stdin through this socket.
            let listener = !attach && !inputHanded && record.spec.interactive ? try AttachSocket.listen(id) : nil
            defer { if listener != nil { _ = unlink(AttachSocket.path(id)) } }
            while true {
                let launched: Launched
                do {
                    launched = try launch(record)
                } catch {
                    engine.unmountRootfs(id)
                    try? engine.runtime.delete(id: id, force: true)
                    let exit = Self.exitCode(for: error)
                    _ = try? engine.update(id) { (r) throws(LighterError) in
                        r.state.status = .exited
                        r.state.exitCode = exit
                        r.state.error = "\(error)"
                        r.state.pid = 0
                        r.state.finishedAt = Time.nowRFC3339()
                    }
                    if !reported { report("\(exit) \(error)") }
                    if attach { Console.error("lighter: \(error)") }
                    code = exit
                    break
                }
                // Logged before the CLI hears "started", so whatever it runs next is logged after.
                engine.emit("start", record)
                if !reported {
                    report("0")
                    reported = true
                }
                var health = HealthChecker(engine: engine, record: record, process: launched.process)
                relay(launched, log: log, health: &health, listener: listener)
                health?.stop()
                let status = (try? engine.runtime.wait(id: id)) ?? Runtime.ExitStatus(code: 255, signal: nil, oomKilled: false)
                try? engine.runtime.delete(id: id, force: true)
                if record.spec.usesBridge { try? engine.networks.detach(container: id) }
                engine.unmountRootfs(id)
                code = status.code   // 128 + N when signal N killed it
                // Logged before the record says exited, so `wait` never returns ahead of the event.
                engine.emit("die", (try? engine.record(id)) ?? record, ["exitCode": String(code)])
                let finished = try engine.update(id) { (r) throws(LighterError) in
                    r.state.status = .exited
                    r.state.exitCode = code
                    r.state.oomKilled = status.oomKilled
                    r.state.pid = 0
                    r.state.finishedAt = Time.nowRFC3339()
                }
                guard finished.spec.restart.shouldRestart(exitCode: code, restarts: finished.state.restartCount, stoppedByUser: finished.state.stoppedByUser) else { break }
                try engine.update(id) { (r) throws(LighterError) in
                    r.state.status = .restarting
                    r.state.restartCount += 1
                }
                usleep(backoff)
                backoff = min(backoff * 2, 10_000_000)
                record = try engine.record(id)
                if record.state.stoppedByUser { break }
            }
            try log.flush()
        } catch {
            if !reported { report("125 \(error)") }
            if case .notFound = error { return code }   // removed while running (rm -f)
            if attach { Console.error("lighter: \(error)") }
        }
        if let record = try? engine.record(id), record.spec.autoRemove {
            try? engine.removeFiles(id)
            try? engine.removeAnonymousVolumes(of: record)   // as Docker's run --rm
        }
        return code
    }

    struct Launched {
        let pid: Int32
        let stdout: FileDescriptor?
        let stderr: FileDescriptor?
        /// With `-t`: the pseudo-terminal master (the container's stdio is its slave).
        let terminal: FileDescriptor?
        /// The container's process as started (its health checks run as it: user, env, cwd).
        let process: RuntimeSpec.Process?
        /// Detached with `-i` (no `-t`): the write end of the container's stdin, fed by `attach` clients.
        var stdin: FileDescriptor? = nil
    }

    /// Mount the root, create and start the container with pipes for its output (config.json written meanwhile).
    private func launch(_ record: ContainerRecord) throws(LighterError) -> Launched {
        try? engine.runtime.delete(id: id, force: true)   // stale runtime state from a crash
        if record.spec.usesBridge { try engine.networks.store.checkPortsBindable(container: id) }
        try engine.mountRootfs(record)
        let spec = try engine.runtimeSpec(for: record)
        let directory = engine.directory(id)
        // config.json (the OCI bundle `runtime exec` reads later) is written while the init sets itself
        // up: encoding Docker's seccomp profile into it costs a millisecond the start need not wait for.
        let writeBundle = { () throws(LighterError) in
            try FileSystem.writeAtomically(spec.jsonBytes(), to: "\(directory)/config.json", mode: 0o600)
        }
        let tty = record.spec.tty
        let out = tty ? nil : try Self.pipe(), err = tty ? nil : try Self.pipe()
        // Detached with -i: stdin is a pipe that stays open, written by whoever attaches.
        let stdinPipe = !attach && !inputHanded && record.spec.interactive && !tty ? try Self.pipe() : nil
        let stdio = Runtime.Stdio(input: tty ? -1 : stdinPipe?.read.rawValue ?? input, output: out?.write.rawValue ?? -1,
                                  error: err?.write.rawValue ?? -1)
        let created: Runtime.Created
        if record.spec.usesBridge {
            // Create (the init waits on its exec fifo in its new network namespace), wire the
            // namespace to its networks, then let it exec.
            created = try engine.runtime.create(id: id, bundle: directory, stdio: stdio, spec: spec, meanwhile: writeBundle)
            do {
                try engine.networks.attach(container: id, pid: created.state.pid)
                try engine.runtime.start(id: id)
            } catch {
                try? engine.networks.detach(container: id)
                throw error
            }
        } else {
            created = try engine.runtime.launch(id: id, bundle: directory, stdio: stdio, spec: spec, meanwhile: writeBundle)
        }
        let state = created.state
        try out?.write.close()
        try err?.write.close()
        try stdinPipe?.read.close()
        if let terminal = created.terminal, attach { Self.copyWindowSize(from: 0, to: terminal.rawValue) }
        try engine.update(id) { (r) throws(LighterError) in
            r.state.status = .running
            r.state.pid = state.pid
            r.state.pidStartTime = state.pidStartTime
            r.state.monitorPid = getpid()
            r.state.bootID = ContainerRuntimeState.currentBootID
            r.state.startedAt = Time.nowRFC3339()
            r.state.exitCode = 0
            r.state.oomKilled = false
            r.state.error = ""
        }
        return Launched(pid: state.pid, stdout: out?.read, stderr: err?.read, terminal: created.terminal, process: spec.process,
                        stdin: stdinPipe?.write)
    }

    /// Copy output until the container's init exits, forwarding termination signals to it.
    /// `listener`: the attach socket (detached `-i`): clients' bytes go to the container's stdin or
    /// terminal, its output goes to every client in frames.
    private func relay(_ launched: Launched, log: JSONLogWriter, health: inout HealthChecker?, listener: FileDescriptor?) {
        let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH]
        lighter_signal_mask(signals, Int32(signals.count), 1)
        defer { lighter_signal_mask(signals, Int32(signals.count), 0) }
        let sfd = lighter_signalfd(signals, Int32(signals.count))
        defer { if sfd >= 0 { close(sfd) } }
        let pidfd = lighter_pidfd_open(launched.pid)
        defer { if pidfd >= 0 { close(pidfd) } }

        var streams: [(fd: FileDescriptor, name: String, target: Int32)] = []
        if let terminal = launched.terminal {
            streams = [(terminal, "stdout", 1)]
        } else if let stdout = launched.stdout, let stderr = launched.stderr {
            streams = [(stdout, "stdout", 1), (stderr, "stderr", 2)]
        }
        // With a terminal, what the user types goes to it (our terminal in raw mode meanwhile).
        let raw = launched.terminal != nil && attach ? RawMode(fd: 0) : nil
        defer { raw?.restore() }
        var forwardInput = launched.terminal != nil && input == 0
        var exited = pidfd < 0
        var relay = StreamRelay()
        var clients: [Int32] = []
        defer { for client in clients { close(client) } }
        let clientInput = launched.terminal?.rawValue ?? launched.stdin?.rawValue
        // A terminal's output until the first client comes (`run -it` attaches once the container runs:
        // its first prompt must not be lost), at most 64 KiB.
        var backlog: [UInt8]? = listener != nil && launched.terminal != nil ? [] : nil
        while !streams.isEmpty {
            var fds = streams.map { pollfd(fd: $0.fd.rawValue, events: Int16(POLLIN), revents: 0) }
            let pidSlot = fds.count
            fds.append(pollfd(fd: exited ? -1 : pidfd, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: sfd, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: forwardInput ? 0 : -1, events: Int16(POLLIN), revents: 0))
            let check = exited ? (pidfd: Int32(-1), output: Int32(-1)) : health?.descriptors ?? (pidfd: -1, output: -1)
            fds.append(pollfd(fd: check.pidfd, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: check.output, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: exited ? -1 : listener?.rawValue ?? -1, events: Int16(POLLIN), revents: 0))
            let clientSlot = fds.count
            for client in clients { fds.append(pollfd(fd: client, events: Int16(POLLIN), revents: 0)) }
            // Once the init has exited, only drain what is buffered: daemonized children may keep
            // the pipes open forever. Until then, wake up when a health check is due.
            var timeout = exited ? 0 : health?.pollTimeout() ?? -1
            // Output without its newline yet: written to the log once the container is quiet this long.
            if !exited && log.hasPartialLine { timeout = timeout < 0 ? Self.partialLineDelay : min(timeout, Self.partialLineDelay) }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 && exited { break }
            if ready == 0 && log.hasPartialLine { try? log.flushPartialLines() }
            if !exited { health?.service(pidReady: fds[pidSlot + 3].revents != 0, outputReady: fds[pidSlot + 4].revents != 0) }
            if fds[pidSlot + 1].revents & Int16(POLLIN) != 0 {
                while case let signal = lighter_signalfd_next(sfd), signal > 0 {
                    if signal == SIGWINCH, let terminal = launched.terminal {
                        Self.copyWindowSize(from: 0, to: terminal.rawValue)
                    } else {
                        _ = kill(launched.pid, signal)
                    }
                }
            }
            if fds[pidSlot + 2].revents != 0, let terminal = launched.terminal,
               case .end = relay.copy(from: 0, to: terminal.rawValue) {
                forwardInput = false
            }
            let polled = clients   // a client accepted below is polled from the next round on
            if fds[pidSlot + 5].revents & Int16(POLLIN) != 0, let listener {
                let client = accept(listener.rawValue, nil, nil)
                if client >= 0 {
                    _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                    clients.append(client)
                    if let terminal = launched.terminal {
                        // The terminal's master, so that the client sets its size (and follows its own).
                        let tag: [UInt8] = [0x54]
                        _ = tag.withUnsafeBytes { lighter_send_with_fd(client, $0.baseAddress, 1, terminal.rawValue) }
                    }
                    if let earlier = backlog, !earlier.isEmpty {
                        _ = earlier.withUnsafeBytes { AttachSocket.send(AttachSocket.frame($0, stream: 1), to: client) }
                    }
                    backlog = nil
                }
            }
            var gone: [Int32] = []
            for (offset, client) in polled.enumerated() where fds[clientSlot + offset].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = buffer.withUnsafeMutableBytes { POSIX.read(client, $0.baseAddress, $0.count) }
                if count <= 0 {
                    if count < 0 && lighter_errno() == EINTR { continue }
                    gone.append(client)
                } else if let clientInput {
                    buffer[..<count].withUnsafeBytes { _ = StreamRelay.writeAll($0, to: clientInput) }
                }
            }
            if fds[pidSlot].revents != 0 { exited = true }
            var closed: [Int] = []
            for index in streams.indices where fds[index].revents != 0 {
                let (name, target) = (streams[index].name, streams[index].target)
                let chunk = relay.read(from: streams[index].fd.rawValue) { bytes in
                    try? log.write(bytes, stream: name)
                    if attach && attachedStreams.contains(name) { StreamRelay.writeAll(bytes, to: target) }
                    if var earlier = backlog, earlier.count < 64 * 1024 {
                        earlier += Array(bytes.prefix(64 * 1024 - earlier.count))
                        backlog = earlier
                    }
                    if !clients.isEmpty {
                        let frame = AttachSocket.frame(bytes, stream: UInt8(target))
                        for client in clients where !AttachSocket.send(frame, to: client) { gone.append(client) }
                    }
                }
                if case .end = chunk { closed.append(index) }
            }
            for index in closed.reversed() { streams.remove(at: index) }
            for client in Set(gone) {
                close(client)
                clients.removeAll { $0 == client }
            }
        }
        // The container closed its output but runs on: wait for it (checking its health meanwhile).
        while !exited, pidfd >= 0 {
            let check = health?.descriptors ?? (pidfd: -1, output: -1)
            var fds = [pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0), pollfd(fd: check.pidfd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: check.output, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 3, health?.pollTimeout() ?? -1) < 0 && errno == EINTR { continue }
            if fds[0].revents != 0 { exited = true } else {
                health?.service(pidReady: fds[1].revents != 0, outputReady: fds[2].revents != 0)
            }
        }
    }

    /// Give the container's terminal the size of ours.
    static func copyWindowSize(from source: Int32, to terminal: Int32) {
        guard isatty(source) == 1 else { return }
        lighter_copy_window_size(source, terminal)
    }

    private func report(_ line: String) {
        guard let fd = reportFD else { return }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    private static func pipe() throws(LighterError) -> (read: FileDescriptor, write: FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        try syscall("pipe2") { lighter_pipe(&fds) }
        return (FileDescriptor(adopting: fds[0]), FileDescriptor(adopting: fds[1]))
    }

    /// Docker's exit codes for a container that did not start: 126 not executable, 127 not found, else 125.
    static func exitCode(for error: LighterError) -> Int32 {
        if case let .containerStart(_, code) = error { return code }
        return ContainerExitCode.engineFailure
    }
}

/// Minimal stderr writer for the monitor (no Foundation).
enum Console {
    static func error(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
