#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import CLighter
import LighterAPI
import LighterEngine
import LighterHTTP
import LighterSystem

/// `daemon [-H unix:///path]... [-H tcp://IP:PORT --tlsverify ...] [--data-root DIR]`: the Docker Engine
/// API on unix sockets and TCP with TLS, over the same data root the CLI uses. Containers keep their own
/// monitors: stopping or killing the daemon stops none.
struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "daemon", abstract: "Serve the Docker Engine API on a unix socket or TCP with TLS (docker -H …).")

    @Option(name: [.customShort("H"), .long], help: ArgumentHelp("Where to listen (repeatable): unix:///path, fd:// (the socket systemd passes: lighter.socket), tcp://IP:PORT (with --tlsverify).", valueName: "address"))
    var host: [String] = []
    @Flag(name: .customLong("tlsverify"), help: "TLS on tcp:// listeners, and every client must present a certificate signed by --tlscacert.")
    var tlsVerify = false
    @Flag(name: .customLong("tls"), help: "TLS on tcp:// listeners without client certificates (anyone who reaches the port is root: prefer --tlsverify).")
    var tls = false
    @Option(name: .customLong("tlscacert"), help: ArgumentHelp("The CA clients' certificates must be signed by (default: $DOCKER_CERT_PATH or ~/.docker, ca.pem).", valueName: "file"))
    var tlsCACert: String?
    @Option(name: .customLong("tlscert"), help: ArgumentHelp("The daemon's certificate (default: cert.pem there).", valueName: "file"))
    var tlsCert: String?
    @Option(name: .customLong("tlskey"), help: ArgumentHelp("The daemon's private key (default: key.pem there).", valueName: "file"))
    var tlsKey: String?
    @Flag(name: .customLong("plain-tcp-on-loopback"), help: "Allow tcp:// without TLS, on loopback addresses only (127.0.0.0/8, ::1).")
    var plainTCPOnLoopback = false
    @Option(name: .customLong("data-root"), help: ArgumentHelp("Data root (default: --root, $LIGHTER_ROOT or /var/lib/lighter).", valueName: "dir"))
    var dataRoot: String?
    @Option(name: .customLong("auto-update-interval"), help: ArgumentHelp("Run `auto-update` this often (a duration such as 30m or 24h; default: never).", valueName: "duration"))
    var autoUpdateInterval: String?
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
            let hosts = host.isEmpty ? ["unix://\(Self.defaultSocket)"] : host
            let wanted = try hosts.map { (host) throws(LighterError) in (host, try Self.listener(host)) }
            let tlsContext = try serverTLS(tcp: wanted.compactMap { if case let .tcp(ip, _) = $0.1 { (ip, $0.0) } else { nil } })
            let updateInterval = try autoUpdateInterval.map { (text) throws(LighterError) in try DaemonContext.autoUpdateInterval(text) }
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
            var listeners: [HTTPListener] = []
            do throws(LighterError) {
                for (address, listener) in wanted {
                    switch listener {
                    case .path(let path):
                        try FileSystem.makeDirectories(String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]))
                        listeners.append(try HTTPListener.unix(path: path, mode: 0o660, group: Self.lighterGroup()))
                    case .descriptor(let fd):
                        listeners.append(HTTPListener.passed(fd: fd, address: address))
                    case let .tcp(ip, port):
                        listeners.append(try HTTPListener.tcp(ip, port: port ?? (tlsContext == nil ? 2375 : 2376), tls: tlsContext, address: address))
                    }
                }
            } catch {
                HTTPServer(listeners: listeners, handler: { _, _ in }).close()
                throw error
            }
            let server = HTTPServer(listeners: listeners, limits: limits, log: { Console.error("lighter daemon: \($0)") }, handler: handler)
            context.startReaper()
            if let updateInterval { context.startAutoUpdates(every: updateInterval) }
            let security = tlsContext.map { $0.requiresClientCertificate ? " (TCP: TLS, client certificates required)" : " (TCP: TLS, no client certificates)" } ?? ""
            Console.error("lighter daemon: API \(LighterVersion.apiVersion) listening on \(hosts.joined(separator: ", "))\(security) (data root \(root))")
            server.run(stop: stop)
            Console.error("lighter daemon: stopped; containers keep running")
        }
    }

    enum Listener { case path(String), descriptor(Int32), tcp(IPAddress, UInt16?) }

    /// `-H unix:///path` or `-H fd://[N]`: with systemd's socket activation the listening sockets are
    /// fds 3… (`LISTEN_FDS`, for this pid: `LISTEN_PID`); the daemon serves one of them, marks it
    /// close-on-exec and drops the variables, so monitors and containers inherit neither.
    static func listener(_ host: String) throws(LighterError) -> Listener {
        if host.hasPrefix("unix://") {
            let path = String(host.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw .invalidArgument("-H \(host): the socket path must be absolute") }
            return .path(path)
        }
        if host.hasPrefix("tcp://") { return try tcpListener(host) }
        guard host.hasPrefix("fd://") else {
            throw .unsupported(feature: "-H \(host)", fix: "the daemon listens on unix:///path, fd:// (systemd's socket activation) or tcp://IP:PORT")
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
