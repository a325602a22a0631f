#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterHTTP
import LighterSystem

/// One socket the server listens on (the daemon's `-H`): a unix socket it made, one the init system
/// passed, or TCP — with TLS, or plain (the daemon allows that on loopback addresses only).
public final class HTTPListener: Sendable {
    public let fd: Int32
    /// What `-H` said, for messages.
    public let address: String
    /// The unix socket file to remove at the end; empty for TCP and passed sockets.
    let path: String
    /// TLS for every connection accepted here; nil: plain bytes.
    let tls: TLSContext?
    let isTCP: Bool

    init(fd: Int32, address: String, path: String = "", tls: TLSContext? = nil, isTCP: Bool = false) {
        self.fd = fd
        self.address = address
        self.path = path
        self.tls = tls
        self.isTCP = isTCP
    }

    /// Bind and listen on `path` (a stale socket there is replaced) with the given mode, owned by
    /// root and `group` when given.
    public static func unix(path: String, mode: mode_t, group: gid_t? = nil) throws(LighterError) -> HTTPListener {
        var address = try POSIX.unixAddress(path, tooLong: "-H unix://\(path): the socket path is longer than \(POSIX.unixPathLimit) bytes")
        let fd = try syscall("socket", path) { socket(AF_UNIX, POSIX.streamSocket | POSIX.closeOnExecSocket, 0) }
        do throws(LighterError) {
            if let st = FileSystem.lstatOrNil(path) {
                guard (st.st_mode & S_IFMT) == S_IFSOCK else {
                    throw .conflict("\(path) exists and is not a socket: remove it or choose another -H")
                }
                if someoneListens(on: address) { throw .conflict("another daemon is listening on \(path)") }
                _ = unlink(path)
            }
            let previous = umask(0o177)
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            umask(previous)
            if rc != 0 { throw LighterError.system(call: "bind", path: path, errno: lighter_errno()) }
            try syscall("chmod", path) { chmod(path, mode) }
            if let group { try syscall("chown", path) { chown(path, 0, group) } }
            try syscall("listen", path) { POSIX.listen(fd, 128) }
        } catch {
            _ = POSIX.close(fd)
            throw error
        }
        return HTTPListener(fd: fd, address: "unix://\(path)", path: path)
    }

    /// A socket already listening, handed over by the init system (systemd's socket activation:
    /// `-H fd://`); the socket file, if any, is the init system's and is left alone.
    public static func passed(fd: Int32, address: String) -> HTTPListener {
        HTTPListener(fd: fd, address: address)
    }

    /// Bind and listen on `ip`:`port` (`::` and `0.0.0.0` are every address); every connection
    /// speaks TLS through `tls` when given.
    public static func tcp(_ ip: IPAddress, port: UInt16, tls: TLSContext?, address: String) throws(LighterError) -> HTTPListener {
        let fd = try syscall("socket", address) { socket(ip.family, POSIX.streamSocket | POSIX.closeOnExecSocket, 0) }
        do throws(LighterError) {
            var one: Int32 = 1
            try syscall("setsockopt", address) { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
            let rc = ip.withSocketAddress(port: port) { bind(fd, $0, $1) }
            if rc != 0 {
                let code = lighter_errno()
                switch code {
                case EADDRINUSE: throw .conflict("-H \(address): the port is in use (another daemon, or dockerd?)")
                case EADDRNOTAVAIL: throw .invalidArgument("-H \(address): \(ip) is not an address of this host")
                default: throw .system(call: "bind", path: address, errno: code)
                }
            }
            try syscall("listen", address) { POSIX.listen(fd, 128) }
        } catch {
            _ = POSIX.close(fd)
            throw error
        }
        return HTTPListener(fd: fd, address: address, tls: tls, isTCP: true)
    }

    static func someoneListens(on address: sockaddr_un) -> Bool {
        let probe = socket(AF_UNIX, POSIX.streamSocket | POSIX.closeOnExecSocket, 0)
        guard probe >= 0 else { return false }
        defer { _ = POSIX.close(probe) }
        var copy = address
        let rc = withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return rc == 0
    }

    /// Accept one connection: its socket and, for TCP, the peer's `address:port` (for log lines).
    func accept() -> (fd: Int32, peer: String)? {
        let client = lighter_accept(fd)
        guard client >= 0 else { return nil }
        guard isTCP else { return (client, address) }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(client, $0, &length) }
        }
        return (client, rc == 0 ? Self.describe(storage) : "a client")
    }

    static func describe(_ storage: sockaddr_storage) -> String {
        var copy = storage
        return withUnsafeBytes(of: &copy) { raw -> String in
            if storage.ss_family == sa_family_t(AF_INET) {
                let address = raw.load(as: sockaddr_in.self)
                let ip = withUnsafeBytes(of: address.sin_addr) { IPAddress.v4(Array($0)) }
                return "\(ip):\(UInt16(bigEndian: address.sin_port))"
            }
            let address = raw.load(as: sockaddr_in6.self)
            let ip = withUnsafeBytes(of: address.sin6_addr) { IPAddress.v6(Array($0)) }
            return "[\(ip)]:\(UInt16(bigEndian: address.sin6_port))"
        }
    }

    /// Stop listening; a unix socket file the listener made is removed.
    func close() {
        _ = POSIX.close(fd)
        if !path.isEmpty { _ = unlink(path) }
    }
}
