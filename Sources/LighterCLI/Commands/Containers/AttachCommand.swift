#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import LighterEngine
import LighterSystem

/// `attach [--no-stdin] [--sig-proxy=false] CONTAINER`: a running container's output, live, until it
/// exits (with its exit status). The output is followed through its json-file log, which the monitor
/// writes as it relays; with --sig-proxy (the default) SIGINT, SIGTERM, SIGHUP and SIGQUIT are sent on
/// to the container, without it they detach. Attaching standard input needs a channel to the monitor
/// that Lighter does not have yet: it is refused unless --no-stdin.
struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "attach", abstract: "Attach to a running container's output (standard input: not yet).")
    @OptionGroup var store: StoreOptions
    @Flag(name: .long, help: "Do not attach STDIN.") var noStdin = false
    @Option(name: .long, help: "Proxy all received signals to the process (true|false).") var sigProxy: Bool = true
    @Option(name: .long, help: "Override the key sequence for detaching a container (not supported).") var detachKeys: String?
    @Argument(help: "The container.") var container: String

    func run() throws {
        var exitCode: Int32 = 0
        try guarded(exitCode: 1) { () throws(LighterError) in
            if detachKeys != nil { throw .unsupported(feature: "--detach-keys", fix: "leave it out: Ctrl-C detaches with --sig-proxy=false") }
            let engine = try store.openEngine()
            let id = try engine.resolve(container)
            let record = try engine.inspect(id)
            guard [.running, .paused, .restarting].contains(record.state.status) else {
                throw .conflict("You cannot attach to a stopped container, start it first")
            }
            if record.spec.interactive && !noStdin {
                throw .unsupported(feature: "attaching standard input", fix: "attach with --no-stdin to follow the output only")
            }
            exitCode = try follow(engine, id)
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// Print new log entries every 100 ms until the container is down for good; forward or detach on signals.
    private func follow(_ engine: Engine, _ id: String) throws(LighterError) -> Int32 {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&signals, signal) }
        if sigProxy { sigprocmask(SIG_BLOCK, &signals, nil) }
        var shown = try engine.logEntries(id).count
        while true {
            let record = try engine.inspect(id)
            if sigProxy {
                var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
                let signal = sigtimedwait(&signals, nil, &timeout)
                if signal > 0 { try? engine.kill(id, signal: signal) }
            } else {
                usleep(100_000)
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
