#if canImport(Glibc)
import Glibc
#endif
import LighterSystem

/// A free TCP port on 127.0.0.1 (bound, read back, released).
public func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(fd, $0, length) }
    }
    withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Wait (bounded, about 20 s) until something accepts connections on 127.0.0.1:port.
public func waitForPort(_ port: Int) -> Bool {
    for _ in 0..<200 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let rc = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        close(fd)
        if rc == 0 { return true }
        usleep(100_000)
    }
    return false
}

/// Debian's `docker-registry` on a free loopback port, plain HTTP, no auth, storage in a test
/// directory; killed by `stop()`; inside `namespace` when given (its loopback, not the host's).
/// (`LighterRegistryTests.LocalRegistry` adds TLS and auth.)
public final class LoopbackRegistry: @unchecked Sendable {
    public let port: Int
    let directory: TestDirectory
    let pid: pid_t

    /// `accessLog`: the registry logs each request (Apache's combined format) to `log`; `bytesServed`
    /// sums what it sent.
    public init(_ name: String, accessLog: Bool = false, in namespace: NetworkNamespace? = nil) throws(LighterError) {
        directory = TestDirectory(name)
        port = freePort()
        try FileSystem.writeAtomically(Array("""
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: \(!accessLog)
            storage:
              filesystem:
                rootdirectory: \(directory.sub("data"))
            http:
              addr: 127.0.0.1:\(port)

            """.utf8), to: directory.sub("config.yml"))
        let command = ["docker-registry", "serve", directory.sub("config.yml")]
        if let namespace {
            pid = namespace.spawn(command, log: directory.sub("log.err"))
        } else {
            pid = Run.spawn(command, stdout: directory.sub("log"), stderr: directory.sub("log.err"))
        }
    }

    /// Bytes of response bodies the registry sent so far (with `accessLog`): the size field of each
    /// `"METHOD /path HTTP/1.1" STATUS SIZE` line of its access log.
    public func bytesServed() -> Int64 {
        let log = (try? FileSystem.readString(directory.sub("log"))) ?? ""
        var total: Int64 = 0
        for line in log.split(separator: "\n") {
            // host - - [time] "GET /v2/… HTTP/1.1" 200 1234 "referer" "agent"
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
            guard quoted.count >= 3, quoted[1].hasSuffix("HTTP/1.1") else { continue }
            let fields = quoted[2].split(separator: " ")
            if fields.count >= 2, let size = Int64(fields[1]) { total += size }
        }
        return total
    }

    public func stop() {
        kill(pid, SIGKILL)
        _ = Run.wait(pid)
    }
}
