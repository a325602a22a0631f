#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import CLighter
import LighterEngine
import LighterRuntime
import LighterSystem

/// `attach [--no-stdin] [--sig-proxy=false] [--detach-keys KEYS] CONTAINER`: a running container's output,
/// live, until it exits (with its exit status). A container started detached with `-i` is attached through
/// its monitor's socket (`AttachSocket`): this stdin goes to the container's stdin (or terminal, in raw
/// mode), its output comes back; the detach keys (`ctrl-p,ctrl-q`) end the attachment and leave it
/// running. Otherwise (or with --no-stdin) the output is followed through its json-file log. With
/// --sig-proxy (the default; not with a terminal, as Docker) SIGINT, SIGTERM, SIGHUP and SIGQUIT are sent
/// on to the container, without it they detach.
struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "attach", abstract: "Attach local standard input, output, and error streams to a running container.")
    @OptionGroup var store: StoreOptions
    @Flag(name: .long, help: "Do not attach STDIN.") var noStdin = false
    @Option(name: .long, help: "Proxy all received signals to the process (true|false).") var sigProxy: Bool = true
    @Option(name: .long, help: "Override the key sequence for detaching a container (default ctrl-p,ctrl-q).") var detachKeys: String?
    @Argument(help: "The container.") var container: String

    func run() throws {
        var exitCode: Int32 = 0
        try guarded(exitCode: 1) { () throws(LighterError) in
            var keys = try DetachKeys(detachKeys ?? DetachKeys.dockerDefault)
            let engine = try store.openEngine()
            let id = try engine.resolve(container)
            let record = try engine.inspect(id)
            guard [.running, .paused, .restarting].contains(record.state.status) else {
                throw .conflict("You cannot attach to a stopped container, start it first")
            }
            if record.spec.interactive && !noStdin {
                exitCode = try Self.attachInput(engine, id, tty: record.spec.tty, keys: &keys, sigProxy: sigProxy)
            } else {
                exitCode = try follow(engine, id)
            }
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// Through the monitor's socket: stdin (detach keys watched) to the container, framed output back,
    /// until the monitor closes (the container ended: its exit code) or the keys are typed (0).
    /// With a terminal the monitor first hands over its master: its size follows this terminal's (SIGWINCH).
    static func attachInput(_ engine: Engine, _ id: String, tty: Bool, keys: inout DetachKeys, sigProxy: Bool) throws(LighterError) -> Int32 {
        let socket = try AttachSocket.connect(id)
        var master: FileDescriptor?
        if tty {
            var tag: UInt8 = 0
            var received: Int32 = -1
            if lighter_recv_with_fd(socket.rawValue, &tag, 1, &received) == 1, received >= 0 {
                master = FileDescriptor(adopting: received)
                if isatty(0) == 1 { lighter_copy_window_size(0, received) }
            }
        }
        let raw = tty ? RawMode(fd: 0) : nil
        defer { raw?.restore() }
        let signals: [Int32] = (sigProxy && !tty ? [SIGINT, SIGTERM, SIGHUP, SIGQUIT] : []) + (master != nil ? [SIGWINCH] : [])
        if !signals.isEmpty { lighter_signal_mask(signals, Int32(signals.count), 1) }
        defer { if !signals.isEmpty { lighter_signal_mask(signals, Int32(signals.count), 0) } }
        let sfd = signals.isEmpty ? -1 : lighter_signalfd(signals, Int32(signals.count))
        defer { if sfd >= 0 { close(sfd) } }
        var input = true
        var pending: [UInt8] = []
        while true {
            var fds = [pollfd(fd: input ? 0 : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: socket.rawValue, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: sfd, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 3, -1) < 0 { if errno == EINTR { continue } else { break } }
            if fds[2].revents & Int16(POLLIN) != 0 {
                while case let signal = lighter_signalfd_next(sfd), signal > 0 {
                    if signal == SIGWINCH, let master {
                        if isatty(0) == 1 { lighter_copy_window_size(0, master.rawValue) }
                    } else {
                        try? engine.kill(id, signal: signal)
                    }
                }
            }
            if fds[0].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                let bytes = Array(buffer.prefix(max(count, 0)))
                if bytes.isEmpty {
                    input = false   // the container's stdin stays open (Docker's StdinOnce is false here)
                } else {
                    let (forward, detach) = keys.feed(bytes)
                    if !forward.isEmpty && !AttachSocket.send(forward, to: socket.rawValue) { break }
                    if detach { return 0 }
                }
            }
            if fds[1].revents != 0 {
                let chunk = (try? socket.read(upTo: 64 * 1024)) ?? []
                if chunk.isEmpty { break }
                pending += chunk
                for frame in AttachSocket.frames(&pending) {
                    frame.bytes.withUnsafeBytes { _ = StreamRelay.writeAll($0, to: frame.stream == 2 ? 2 : 1) }
                }
            }
        }
        return try engine.exitCodeAfterRun(id)
    }

    /// Print new log entries as they come (a new line or the exit wakes the loop; at most every 100 ms while
    /// lines keep coming, 100 ms the bound) until the container is down for good; forward signals.
    private func follow(_ engine: Engine, _ id: String) throws(LighterError) -> Int32 {
        let proxied = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in proxied { sigaddset(&signals, signal) }
        var signalFD: FileDescriptor?
        if sigProxy {
            sigprocmask(SIG_BLOCK, &signals, nil)
            signalFD = FileDescriptor(adopting: try syscall("signalfd") { lighter_signalfd(proxied, Int32(proxied.count)) })
        }
        let watch = engine.watchChanges(of: id)
        var backoff = Backoff(minimum: 2_000, maximum: 100_000)
        var shown = try engine.logEntries(id).count
        while true {
            let record = try engine.inspect(id)
            if watch.pause(&backoff, orUntilReadable: signalFD?.rawValue ?? -1, spacing: 100_000), let signalFD {
                while case let signal = lighter_signalfd_next(signalFD.rawValue), signal > 0 { try? engine.kill(id, signal: signal) }
            }
            let entries = try engine.logEntries(id)
            if entries.count > shown {
                for entry in entries[shown...] {
                    let bytes = Array(entry.log.utf8)
                    _ = bytes.withUnsafeBytes { write(entry.stream == "stderr" ? 2 : 1, $0.baseAddress, $0.count) }
                }
            }
            shown = entries.count
            if record.state.status == .exited || record.state.status == .dead {
                return try engine.inspect(id).state.exitCode
            }
        }
    }
}
