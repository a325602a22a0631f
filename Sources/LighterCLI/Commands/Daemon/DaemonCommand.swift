#if canImport(Glibc)
import Glibc
#endif
import LighterArguments
import CLighter
import LighterAPI
import LighterEngine
import LighterSystem

/// `daemon [-H unix:///path] [--data-root DIR]`: the Docker Engine API on a unix socket, over the same
/// data root the CLI uses. Containers keep their own monitors: stopping or killing the daemon stops none.
struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "daemon", abstract: "Serve the Docker Engine API on a unix socket (docker -H unix://…).")

    @Option(name: [.customShort("H"), .long], help: ArgumentHelp("Socket to listen on: unix:///path, or fd:// (the socket systemd passes: lighter.socket).", valueName: "address"))
    var host: String = "unix://\(DaemonCommand.defaultSocket)"
    @Option(name: .customLong("data-root"), help: ArgumentHelp("Data root (default: --root, $LIGHTER_ROOT or /var/lib/lighter).", valueName: "dir"))
    var dataRoot: String?
    @Option(name: .customLong("request-timeout"), help: ArgumentHelp("Seconds a client has to send a whole request.", visibility: .hidden))
    var requestTimeout: Int = 30

    static let defaultSocket = "/run/lighter/lighter.sock"

    /// The `lighter` group of /etc/group (Docker's `docker` group: its members may use the socket), if any.
    /// Read by hand: NSS lookups do not work in the static binary.
    static func lighterGroup() -> gid_t? {
        guard let text = try? FileSystem.readString("/etc/group") else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count >= 3, fields[0] == "lighter", let gid = gid_t(fields[2]) { return gid }
        }
        return nil
    }

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let listener = try Self.listener(host)
            // The daemon is the board's resident process: one arena per connection thread would stay grown.
            lighter_malloc_limit_arenas()
            let root = StoreOptions.resolve(dataRoot).resolvedRoot
            // Open the data root once now, so a broken one fails the start, not the first request;
            // settle what interrupted creates left (the boot reconciliation is wired in here too).
            let engine = try Engine(root: root)
            let leftovers = try engine.leftovers(remove: true)
            if !leftovers.isEmpty { Console.error("lighter daemon: removed \(leftovers.count) leftover(s) of interrupted commands") }
            // Boot reconciliation (what `system boot` does): settle containers whose monitor is gone,
            // restore networks, start by restart policy. A failure is reported, the daemon serves on.
            do {
                let report = try engine.boot()
                for line in report.lines { Console.error("lighter daemon: boot: \(line)") }
            } catch {
                Console.error("lighter daemon: boot: \(error)")
            }

            // SIGTERM and SIGINT end the accept loop through a signalfd; blocked in every thread
            // (children get an empty mask: posix_spawn and the runtime's clone set it).
            let signals: [Int32] = [SIGTERM, SIGINT]
            try syscall("sigprocmask") { lighter_signal_mask(signals, Int32(signals.count), 1) }
            let stop = try syscall("signalfd") { lighter_signalfd(signals, Int32(signals.count)) }

            var limits = HTTPServerLimits()
            limits.requestMilliseconds = Int64(max(1, requestTimeout)) * 1000
            limits.spooledBody = DaemonRoutes.spoolsBody
            let context = DaemonContext(root: root)
            let router = DaemonRoutes.router(context)
            let handler: HTTPServer.Handler = { request, responder in router.handle(request, responder) }
            let server: HTTPServer
            switch listener {
            case .path(let path):
                try FileSystem.makeDirectories(String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]))
                server = try HTTPServer(unixPath: path, mode: 0o660, group: Self.lighterGroup(), limits: limits, handler: handler)
            case .descriptor(let fd):
                server = HTTPServer(listening: fd, limits: limits, handler: handler)
            }
            context.startReaper()
            Console.error("lighter daemon: API \(LighterVersion.apiVersion) listening on \(host) (data root \(root))")
            server.run(stop: stop)
            Console.error("lighter daemon: stopped; containers keep running")
        }
    }

    enum Listener { case path(String), descriptor(Int32) }

    /// `-H unix:///path` or `-H fd://[N]`: with systemd's socket activation the listening sockets are
    /// fds 3… (`LISTEN_FDS`, for this pid: `LISTEN_PID`); the daemon serves one of them, marks it
    /// close-on-exec and drops the variables, so monitors and containers inherit neither.
    static func listener(_ host: String) throws(LighterError) -> Listener {
        if host.hasPrefix("unix://") {
            let path = String(host.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw .invalidArgument("-H \(host): the socket path must be absolute") }
            return .path(path)
        }
        guard host.hasPrefix("fd://") else {
            throw .unsupported(feature: "-H \(host)", fix: "the daemon listens on unix sockets: -H unix:///path, or -H fd:// under systemd's socket activation")
        }
        func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        guard let pid = variable("LISTEN_PID").flatMap({ pid_t($0) }), pid == getpid(),
              let count = variable("LISTEN_FDS").flatMap({ Int32($0) }), count > 0 else {
            throw .invalidArgument("-H \(host): no socket was passed to this process (LISTEN_PID/LISTEN_FDS are not set for it): fd:// is for systemd's socket activation (contrib/init/systemd/lighter.socket)")
        }
        let wanted = host.dropFirst("fd://".count)
        let fd: Int32
        if wanted.isEmpty {
            guard count == 1 else { throw .invalidArgument("-H fd://: \(count) sockets were passed; name one with -H fd://N") }
            fd = 3
        } else {
            guard let n = Int32(wanted), n >= 3, n < 3 + count else {
                throw .invalidArgument("-H \(host): the passed sockets are fds 3 to \(2 + count)")
            }
            fd = n
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        return .descriptor(fd)
    }
}
