#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport

/// `lighter daemon` for a test: its socket and data root under a test directory, containers off the
/// network (`LIGHTER_DEFAULT_NETWORK=none`), a 2 s request timeout. `stop()` ends it and removes every
/// container it or the CLI left, so the host keeps no mounts or cgroups. Given a `namespace`, the daemon
/// runs inside it with the bridge as its default network (its links and nftables stay in there).
final class LighterDaemon: @unchecked Sendable {
    let lighter: Lighter
    let namespace: NetworkNamespace?
    let socketPath: String
    let clientConfig: String
    /// Flags after the daemon's own `-H` and `--request-timeout`.
    let flags: [String]
    private(set) var pid: pid_t = 0

    /// The docker CLIs this host has: Debian's 20.10 and the newer static one.
    static var clients: [String] { ["/usr/bin/docker", "/usr/local/bin/docker"].filter { FileSystem.exists($0) } }

    init(lighter: Lighter = Lighter(), namespace: NetworkNamespace? = nil, flags: [String] = []) throws(LighterError) {
        self.lighter = lighter
        self.namespace = namespace
        self.flags = flags
        socketPath = lighter.root.sub("d.sock")
        clientConfig = try lighter.root.directory("docker-client")
        try start()
    }

    func start() throws(LighterError) {
        let command = [Repository.lighterBinary, "daemon", "-H", "unix://\(socketPath)", "--request-timeout", "2"] + flags
        if let namespace {
            pid = namespace.spawn(command, log: lighter.root.sub("daemon.log"), environment: ["LIGHTER_ROOT": lighter.root.path])
        } else {
            pid = Run.spawn(command, stdout: lighter.root.sub("daemon.out"), stderr: lighter.root.sub("daemon.log"),
                            environment: ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"])
        }
        for _ in 0..<200 {
            if FileSystem.exists(socketPath), raw("GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n").hasPrefix("HTTP/1.1 200") { return }
            usleep(25_000)
        }
        throw .invalidArgument("lighter daemon did not come up: \((try? FileSystem.readString(lighter.root.sub("daemon.log"))) ?? "")")
    }

    /// Run a docker CLI against this daemon.
    @discardableResult
    func docker(_ client: String, _ arguments: String..., stdin: String? = nil) -> ProcessResult {
        Run.capture(["timeout", "-s", "KILL", "60", client, "-H", "unix://\(socketPath)"] + arguments, stdin: stdin,
                    environment: ["DOCKER_CONFIG": clientConfig])
    }

    /// Send raw bytes on a new connection; what came back until the daemon closed it (or `seconds` passed).
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i + 4 }
        return nil
    }

    /// `untilClosed`: read until the daemon closes the connection, past complete responses.
    func raw(_ request: String, seconds: Int = 10, untilClosed: Bool = false) -> String {
        raw(Array(request.utf8), seconds: seconds, untilClosed: untilClosed)
    }

    func raw(_ request: [UInt8], seconds: Int = 10, untilClosed: Bool = false) -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in socketPath.utf8.enumerated() { raw[i] = b } }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return "" }
        var offset = 0
        while offset < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            offset += n
        }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
            // A complete answer with a Content-Length is enough (keep-alive would hold the connection open).
            if !untilClosed, let end = Self.headEnd(response) {
                let head = String(decoding: response[..<end], as: UTF8.self).lowercased()
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                   let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: " ")), response.count >= end + length {
                    break
                }
            }
        }
        return String(decoding: response, as: UTF8.self)
    }

    /// SIGKILL: what a crash or the OOM killer does.
    func kill9() {
        kill(pid, SIGKILL)
        _ = Run.wait(pid)
        pid = 0
    }

    func stop() {
        if pid != 0 {
            kill(pid, SIGTERM)
            _ = Run.wait(pid)
            pid = 0
        }
        let ids = cli("ps", "-aq").stdout.split(separator: "\n").map(String.init)
        if !ids.isEmpty { cli(["rm", "-f"] + ids) }
    }

    /// `lighter ARGS` on the daemon's data root, inside its namespace when it has one.
    @discardableResult
    func cli(_ arguments: String...) -> ProcessResult { cli(arguments) }

    @discardableResult
    func cli(_ arguments: [String]) -> ProcessResult {
        guard let namespace else { return lighter.run(arguments) }
        return namespace.run([Repository.lighterBinary] + arguments, environment: ["LIGHTER_ROOT": lighter.root.path])
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
