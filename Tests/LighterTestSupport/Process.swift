#if canImport(Glibc)
import Glibc
#endif
import LighterSystem

/// The outcome of a child process.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs programs for tests with posix_spawn (never fork from a multi-threaded test process).
public enum Run {
    /// Run `arguments` to completion, capturing stdout and stderr (through files, so no pipe deadlock).
    @discardableResult
    public static func capture(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) -> ProcessResult {
        let dir = TestDirectory("lighter-run")
        let outPath = dir.sub("out"), errPath = dir.sub("err"), inPath = dir.sub("in")
        if let stdin { try? FileSystem.writeDurably(Array(stdin.utf8), to: inPath) }
        let pid = spawn(arguments, stdin: stdin == nil ? "/dev/null" : inPath, stdout: outPath, stderr: errPath, environment: environment)
        let status = wait(pid)
        let out = (try? FileSystem.readString(outPath)) ?? ""
        let err = (try? FileSystem.readString(errPath)) ?? ""
        return ProcessResult(status: status, stdout: out, stderr: err)
    }

    /// Start `arguments` in the background; returns its pid.
    public static func spawn(_ arguments: [String], stdin: String = "/dev/null", stdout: String, stderr: String, environment: [String: String] = [:]) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var env: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let key = String(text.prefix { $0 != "=" })
            // A host the test runner's environment names would send `lighter` to a daemon: only an explicit one counts.
            if environment[key] == nil && key != "DOCKER_HOST" && key != "LIGHTER_HOST" { env.append(text) }
            index += 1
        }
        for (key, value) in environment { env.append("\(key)=\(value)") }
        // Containers that tests start stay off the host's network unless a test says otherwise
        // (bridge tests run the engine inside a network namespace of their own and name "bridge").
        if !env.contains(where: { $0.hasPrefix("LIGHTER_DEFAULT_NETWORK=") }) { env.append("LIGHTER_DEFAULT_NETWORK=none") }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        precondition(rc == 0, "posix_spawn \(arguments[0]) failed: \(rc)")
        return pid
    }

    /// Wait for a child; returns its exit code, or 128+signal.
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Run a shell command line.
    @discardableResult
    public static func sh(_ command: String) -> ProcessResult { capture(["/bin/sh", "-c", command]) }

    /// Run `/bin/sh -c command` with this process's standard streams (or `stdout` as its standard
    /// output); returns its exit status.
    @discardableResult
    public static func shell(_ command: String, stdout: Int32? = nil) throws(LighterError) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdout { posix_spawn_file_actions_adddup2(&actions, stdout, 1) }
        let arguments: [String] = ["/bin/sh", "-c", command]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        guard result == 0 else { throw .system(call: "posix_spawn", path: command, errno: result) }
        return wait(pid)
    }
}
