#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterOCI
import LighterRuntime
import LighterSystem

/// What `exec` asked for beyond the container's own process settings.
public struct ExecOptions: Sendable {
    public var command: [String]
    /// `-e NAME=VALUE` (or `-e NAME`: this process's value, if set).
    public var env: [String] = []
    /// `-u user[:group]`; nil: the container's user.
    public var user: String?
    /// `-w DIR`; nil: the container's working directory.
    public var workingDir: String?
    /// `-i`: our stdin is the process's.
    public var interactive = false
    /// `-t`: a pseudo-terminal.
    public var tty = false
    /// `-d`: do not wait for the process.
    public var detach = false
    /// `--privileged`: every capability this engine may grant (the container's seccomp profile still applies).
    public var privileged = false
    /// The process's descriptors (the daemon's pipes); nil: the caller's own 0, 1, 2 (or /dev/null detached).
    public var stdio: Runtime.Stdio?

    public init(command: [String]) { self.command = command }
}

extension Engine {
    /// `exec`: run a process in a running container with its namespaces, cgroups, capabilities and seccomp
    /// profile. Returns the process's exit code (128+N when killed by signal N; 0 when detached).
    /// `started` gets the process's pid once it runs and, with a TTY, the terminal's master (the daemon's
    /// exec resize sets its window size; it is closed when the exec ends).
    public func exec(_ id: String, _ options: ExecOptions,
                     started: ((Int32, FileDescriptor?) throws(LighterError) -> Void)? = nil) throws(LighterError) -> Int32 {
        guard !options.command.isEmpty else { throw .invalidArgument("\"exec\" requires at least 2 arguments: a container and a command") }
        if let dir = options.workingDir, !dir.hasPrefix("/") {
            throw .invalidArgument("the working directory '\(dir)' is invalid, it needs to be an absolute path")
        }
        let record = try inspect(id)
        if record.state.status == .paused {
            throw .conflict("container \(record.shortID) is paused, unpause the container before exec")
        }
        guard isRunning(record) else { throw .conflict("container \(record.shortID) is not running") }
        let specPath = "\(directory(id))/config.json"
        let spec = try RuntimeSpec(jsonBytes: try FileSystem.readFile(specPath), what: specPath)
        guard var process = spec.process else { throw .malformed(what: specPath, reason: "no process") }
        process.args = options.command
        process.env = Engine.execEnvironment(process.env ?? [], overrides: options.env, tty: options.tty)
        if let dir = options.workingDir { process.cwd = dir }
        let users = UserResolver(rootfs: rootfsPath(id))
        if let user = options.user {
            let umask = process.user.umask
            process.user = try users.resolve(user)
            process.user.umask = umask
            // Another user's HOME, unless -e sets one.
            if !options.env.contains(where: { $0.hasPrefix("HOME=") }) { process.env = process.env?.filter { !$0.hasPrefix("HOME=") } }
        }
        process.env = users.environment(process.env ?? [], user: process.user)
        process.terminal = options.tty && !options.detach ? true : nil
        if options.privileged {
            let all = try Engine.capabilities(add: [], drop: [], privileged: true)
            process.capabilities = RuntimeSpec.Capabilities(bounding: all, effective: all, permitted: all)
        }

        let null = try syscall("open", "/dev/null") { lighter_open("/dev/null", O_RDWR | O_CLOEXEC, 0) }
        defer { close(null) }
        let stdio: Runtime.Stdio
        if let given = options.stdio {
            stdio = given
        } else if options.detach {
            stdio = Runtime.Stdio(input: null, output: null, error: null)
        } else {
            stdio = Runtime.Stdio(input: options.interactive ? 0 : null, output: 1, error: 2)
        }
        let status = try runtime.exec(id: id, process: process, stdio: stdio, detach: options.detach, forwardSignals: !options.detach && options.stdio == nil,
                                       started: started)
        return status?.code ?? 0
    }

    /// The container's environment with `-e` overrides by name; TERM=xterm with a terminal unless set.
    static func execEnvironment(_ base: [String], overrides: [String], tty: Bool) -> [String] {
        var environment = EnvironmentList()
        environment.set(contentsOf: base)
        if tty && !environment.contains("TERM") { environment.set("TERM=xterm") }
        for entry in overrides {
            if entry.contains("=") {
                environment.set(entry)
            } else if let value = getenv(entry) {
                environment.set("\(entry)=\(String(cString: value))")
            }
        }
        return environment.entries
    }
}
