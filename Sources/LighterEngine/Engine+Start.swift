#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterRuntime
import LighterSystem

extension Engine {
    /// Start a container attached: this process is its monitor until it is done for good.
    /// Returns the container's exit code (Docker's 125/126/127 when it could not start).
    /// `justCreated`: this process created it a moment ago (`run`), so there is no earlier run to check.
    /// `streams`: the output streams copied to this process's stdout/stderr (`-a stdout`), both by default.
    public func runAttached(_ id: String, interactive: Bool, justCreated: Bool = false,
                            streams: Set<String> = ["stdout", "stderr"]) throws(LighterError) -> Int32 {
        if !justCreated { try markStarting(id) }
        let input: Int32
        if interactive {
            input = 0
        } else {
            input = try syscall("open", "/dev/null") { lighter_open("/dev/null", O_RDONLY | O_CLOEXEC, 0) }
        }
        defer { if input != 0 { close(input) } }
        return ContainerMonitor(engine: self, id: id, attach: true, input: input, reportFD: nil, attachedStreams: streams).run()
    }

    /// Start a container detached: a `lighter __monitor` process (in its own session, outliving this
    /// one) runs it; returns once the container is running, or throws why it is not. Returns the
    /// monitor's pid: a long-lived caller (the daemon) reaps it when it ends. `input`: the container's
    /// standard input (the daemon's pipe from an attached client); /dev/null when nil.
    @discardableResult
    public func startDetached(_ id: String, justCreated: Bool = false, input: Int32? = nil) throws(LighterError) -> pid_t {
        if !justCreated { try markStarting(id) }
        var fds: [Int32] = [-1, -1]
        try syscall("pipe2") { lighter_pipe(&fds) }
        let reader = FileDescriptor(adopting: fds[0])
        let writer = FileDescriptor(adopting: fds[1])
        let monitorLog = "\(directory(id))/monitor.log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, monitorLog, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, writer.rawValue, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(0x80 /* POSIX_SPAWN_SETSID */ | POSIX_SPAWN_SETSIGMASK))
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("lighter"), strdup(ContainerMonitor.command), strdup(images.paths.root), strdup(id)]
            + (input != nil ? [strdup("--stdin")] : []) + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw .system(call: "posix_spawn", path: executable, errno: rc) }
        try writer.close()
        // Wait for the monitor's word: "0" once running, or "<exit code> <message>".
        var line: [UInt8] = []
        while true {
            let chunk = try reader.read(upTo: 512)
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self).trimmed
        if text == "0" { return pid }
        let code = Int32(text.prefix { $0 != " " }) ?? 125
        let message = text.drop { $0 != " " }.trimmed
        throw .containerStart(message: message.isEmpty ? "the container monitor exited before starting the container (see \(monitorLog))" : message,
                              exitCode: code)
    }

    /// Refuse to start a running container; clear the user-stop mark of a previous run, and the
    /// error that says its monitor went (so `system boot` does not take it for one to clean up).
    private func markStarting(_ id: String) throws(LighterError) {
        try update(id) { (record) throws(LighterError) in
            refresh(&record)
            if record.state.status == .running || record.state.status == .restarting {
                throw .conflict("container \(record.shortID) is already running")
            }
            record.state.stoppedByUser = false
            if record.state.endedWithItsMonitor { record.state.error = "" }
        }
    }
}
