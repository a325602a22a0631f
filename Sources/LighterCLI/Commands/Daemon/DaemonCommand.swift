#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CLighter
import LighterAPI
import LighterEngine
import LighterSystem

/// `daemon [-H unix:///path] [--data-root DIR]`: the Docker Engine API on a unix socket, over the same
/// data root the CLI uses. Containers keep their own monitors: stopping or killing the daemon stops none.
struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "daemon", abstract: "Serve the Docker Engine API on a unix socket (docker -H unix://…).")

    @Option(name: [.customShort("H"), .long], help: ArgumentHelp("Socket to listen on: unix:///path.", valueName: "address"))
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
            guard host.hasPrefix("unix://") else {
                throw .unsupported(feature: "-H \(host)", fix: "the daemon listens on unix sockets only for now: -H unix:///path")
            }
            let path = String(host.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw .invalidArgument("-H \(host): the socket path must be absolute") }
            // The daemon is the board's resident process: one arena per connection thread would stay grown.
            lighter_malloc_limit_arenas()
            let root = StoreOptions.resolve(dataRoot).resolvedRoot
            // Open the data root once now, so a broken one fails the start, not the first request;
            // settle what interrupted creates left (the boot reconciliation is wired in here too).
            let engine = try Engine(root: root)
            let leftovers = try engine.leftovers(remove: true)
            if !leftovers.isEmpty { Console.error("lighter daemon: removed \(leftovers.count) leftover(s) of interrupted commands") }
            try FileSystem.makeDirectories(String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]))

            // SIGTERM and SIGINT end the accept loop through a signalfd; blocked in every thread
            // (children get an empty mask: posix_spawn and the runtime's clone set it).
            let signals: [Int32] = [SIGTERM, SIGINT]
            try syscall("sigprocmask") { lighter_signal_mask(signals, Int32(signals.count), 1) }
            let stop = try syscall("signalfd") { lighter_signalfd(signals, Int32(signals.count)) }

            var limits = HTTPServerLimits()
            limits.requestMilliseconds = Int64(max(1, requestTimeout)) * 1000
            let context = DaemonContext(root: root)
            let router = DaemonRoutes.router(context)
            let server = try HTTPServer(unixPath: path, mode: 0o660, group: Self.lighterGroup(), limits: limits) { request, responder in
                router.handle(request, responder)
            }
            context.startReaper()
            Console.error("lighter daemon: API \(LighterVersion.apiVersion) listening on unix://\(path) (data root \(root))")
            server.run(stop: stop)
            Console.error("lighter daemon: stopped; containers keep running")
        }
    }
}
