#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// Runs OCI hooks: each program gets the container's state JSON on stdin, its `args` (args[0] is
/// argv[0]) and `env`, and must exit 0 within its `timeout`. Used by the runtime (a multi-threaded
/// process: posix_spawn only) and by the single-threaded init alike.
enum HookRunner {
    /// The state a hook reads (the OCI state shape).
    static func state(ociVersion: String, id: String, status: String, pid: Int32, bundle: String,
                      annotations: [String: String]?) -> [UInt8] {
        JSONNode.object(["ociVersion": .string(ociVersion), "id": .string(id), "status": .string(status),
                         "pid": pid.json, "bundle": .string(bundle), "annotations": (annotations ?? [:]).json]).serialized()
    }

    /// Run `hooks` in order; the first failure stops them and is returned as an error naming the phase.
    static func run(_ hooks: [RuntimeSpec.Hook]?, phase: String, state: [UInt8]) throws(LighterError) {
        for (index, hook) in (hooks ?? []).enumerated() {
            try run(hook, state: state, what: "\(phase) hook #\(index) (\(hook.path))")
        }
    }

    /// Run hooks whose failure must not stop anything (poststart, poststop): a warning on stderr.
    static func runWarning(_ hooks: [RuntimeSpec.Hook]?, phase: String, state: [UInt8]) {
        for (index, hook) in (hooks ?? []).enumerated() {
            do {
                try run(hook, state: state, what: "\(phase) hook #\(index) (\(hook.path))")
            } catch {
                let line = Array("lighter: warning: \(error)\n".utf8)
                _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            }
        }
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    private static func run(_ hook: RuntimeSpec.Hook, state: [UInt8], what: String) throws(LighterError) {
        var pipeFds: [Int32] = [-1, -1]
        try syscall("pipe2", what) { lighter_pipe(&pipeFds) }
        let reader = FileDescriptor(adopting: pipeFds[0])
        let writer = FileDescriptor(adopting: pipeFds[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, reader.rawValue, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let arguments = (hook.args?.isEmpty == false ? hook.args! : [hook.path])
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = (hook.env ?? []).map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, hook.path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw .system(call: "run \(what)", path: nil, errno: rc) }
        // The state is small (well under a pipe's buffer): a hook that never reads it cannot block us. It is
        // written while this process still holds the read end, so a hook that already exited cannot make
        // the write fail with EPIPE — SIGPIPE would kill the runtime (and the engine or test process with it).
        _ = try? writer.write(state)
        try? reader.close()
        try? writer.close()
        let deadline = hook.timeout.map { monotonicSeconds() + Double($0) }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, deadline == nil ? 0 : WNOHANG)
            if reaped == pid { break }
            if reaped == -1 && lighter_errno() != EINTR { throw .system(call: "waitpid", path: what, errno: lighter_errno()) }
            if let deadline, monotonicSeconds() > deadline {
                _ = kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw .containerStart(message: "\(what) timed out after \(hook.timeout!) s", exitCode: 125)
            }
            usleep(5_000)
        }
        let exit = Runtime.ExitStatus(waitStatus: status, oomKilled: false).code
        if exit != 0 { throw .containerStart(message: "\(what) failed with exit status \(exit)", exitCode: 125) }
    }
}
