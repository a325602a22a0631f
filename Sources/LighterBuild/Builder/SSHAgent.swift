#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// A private `ssh-agent` holding key files given to `--ssh ID=KEY[,KEY…]`, for one build: its socket
/// is `/run/lighter/build-ssh/PID-N.sock` (0600, root). The agent runs under a guard, `lighter
/// __ssh-agent SOCKET AGENT` (a fresh single-threaded lighter process), which gets SIGTERM when the
/// build's process dies however it dies (PR_SET_PDEATHSIG; ssh-agent itself is set-group-ID, so the
/// kernel clears that setting on its exec), then ends the agent and removes the socket; `stop()`
/// asks the guard the same. A key protected by
/// a passphrase is asked for by `ssh-add` on the terminal, and refused when there is none.
public final class SSHAgent {
    public static let directory = "/run/lighter/build-ssh"

    public let socket: String
    private var pid: pid_t

    public init(keys: [String]) throws(LighterError) {
        guard let agent = Self.program("ssh-agent"), let add = Self.program("ssh-add") else {
            throw .unsupported(feature: "--ssh with key files", fix: "install openssh-client (ssh-agent, ssh-add), or give an agent's socket: --ssh default=$SSH_AUTH_SOCK")
        }
        try FileSystem.makeDirectories(Self.directory, mode: 0o700)
        socket = "\(Self.directory)/\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        pid = try Self.spawn(["/proc/self/exe", Self.guardCommand, socket, agent], environment: [])
        // The socket appears once the agent listens (at most 5 s).
        var ready = false
        for _ in 0..<500 {
            var st = stat()
            if stat(socket, &st) == 0 { ready = true; break }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { pid = 0; break }
            usleep(10_000)
        }
        guard ready else {
            stop()
            throw .buildFailed("ssh-agent did not start (its socket \(socket) never appeared)")
        }
        for key in keys {
            // No askpass program: a key that needs a passphrase is asked for on the terminal, or fails.
            let adder = try Self.spawn([add, "-q", key], environment: ["SSH_AUTH_SOCK=\(socket)", "SSH_ASKPASS_REQUIRE=never"])
            var status: Int32 = 0
            while waitpid(adder, &status, 0) < 0 && errno == EINTR {}
            guard status == 0 else {
                stop()
                throw .invalidArgument("--ssh: ssh-add could not load \(key) (not a private key, or it needs a passphrase: load it into your own ssh-agent and give --ssh ID=$SSH_AUTH_SOCK)")
            }
        }
    }

    public static let guardCommand = "__ssh-agent"

    /// `lighter __ssh-agent SOCKET AGENT`: run `AGENT -D -a SOCKET` until this process gets SIGTERM,
    /// SIGINT or SIGHUP (from `stop()`, or the parent-death signal), then end it and remove the socket.
    public static func guardMain(arguments: [String]) -> Never {
        guard arguments.count == 4 else { exit(2) }
        let socket = arguments[2]
        let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGCHLD]
        lighter_signal_mask(signals, Int32(signals.count), 1)
        // The parent may have died before the mask: then nobody would stop the agent.
        if getppid() == 1 { exit(1) }
        guard let agent = try? spawn([arguments[3], "-D", "-a", socket], environment: []) else { exit(1) }
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        var received: Int32 = 0
        var status: Int32 = 0
        while true {
            guard sigwait(&set, &received) == 0 else { continue }
            if received == SIGCHLD {
                if waitpid(agent, &status, WNOHANG) == agent { break }   // the agent ended by itself
                continue
            }
            kill(agent, SIGTERM)
            while waitpid(agent, &status, 0) < 0 && errno == EINTR {}
            break
        }
        unlink(socket)
        exit(0)
    }

    /// End the agent and remove its socket (idempotent).
    public func stop() {
        endSocketProcess(&pid, socket: socket)
    }

    deinit { stop() }

    /// The program's path on PATH (or the usual directories).
    static func program(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin"] where access("\(directory)/\(name)", X_OK) == 0 {
            return "\(directory)/\(name)"
        }
        return nil
    }

    /// Start `arguments` with standard input and output on /dev/null, standard error inherited, the
    /// environment given plus PATH, and SIGTERM when this process dies.
    static func spawn(_ arguments: [String], environment: [String]) throws(LighterError) -> pid_t {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { throw .system(call: "open", path: "/dev/null", errno: errno) }
        defer { close(null) }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let env: [UnsafeMutablePointer<CChar>?] = (environment + ["PATH=/usr/bin:/bin"]).map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            env.forEach { free($0) }
        }
        let stdio: [Int32] = [null, null, 2]
        let pid = lighter_clone_exec(0, arguments[0], argv, env, stdio, -1, SIGTERM)
        guard pid > 0 else { throw .system(call: "clone", path: arguments[0], errno: errno) }
        return pid
    }
}

/// End a process that serves a socket (the agent, a forwarder): SIGTERM, reaped, then its socket
/// removed; `pid` becomes 0, so a second call only removes the socket again.
func endSocketProcess(_ pid: inout pid_t, socket: String) {
    if pid > 0 {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        pid = 0
    }
    unlink(socket)
}
