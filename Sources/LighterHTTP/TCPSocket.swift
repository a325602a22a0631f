#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// A connected TCP socket with a connect timeout and per-read / per-write timeouts (SO_RCVTIMEO,
/// SO_SNDTIMEO). Errors name `authority` (`host:port`, as the user wrote it) in clear words.
// Unchecked: `lastError` is written by reads and writes; a socket belongs to one connection, used by
// one request at a time (the pool's Mutex hands connections over between requests).
final class TCPSocket: @unchecked Sendable {
    let fd: FileDescriptor
    let authority: String
    let readTimeoutMilliseconds: Int
    /// The last transport error, kept for callers that only see a code (mbedTLS's I/O callbacks).
    var lastError: LighterError?
    /// A server's connection: receives wait until this monotonic millisecond at most (poll); one that
    /// would wait longer sets `timedOut` and fails (mbedTLS is then told WANT_READ). Nil: block as
    /// SO_RCVTIMEO allows (the registry client).
    var readDeadline: Int64?
    var timedOut = false

    private init(fd: FileDescriptor, authority: String, readTimeoutMilliseconds: Int) {
        self.fd = fd
        self.authority = authority
        self.readTimeoutMilliseconds = readTimeoutMilliseconds
    }

    /// Connect to the first of `addresses` that accepts, each within `connectTimeoutMilliseconds`.
    static func connect(to addresses: [IPAddress], port: UInt16, authority: String,
                        connectTimeoutMilliseconds: Int, readTimeoutMilliseconds: Int) throws(LighterError) -> TCPSocket {
        var failures: [String] = []
        for address in addresses {
            do throws(LighterError) {
                return try connect(to: address, port: port, authority: authority,
                                   connectTimeoutMilliseconds: connectTimeoutMilliseconds, readTimeoutMilliseconds: readTimeoutMilliseconds)
            } catch {
                if case let .registry(_, message) = error { failures.append(message) } else { failures.append(error.description) }
            }
        }
        if failures.isEmpty { throw .registry(host: authority, message: "cannot connect: no address to connect to") }
        throw .registry(host: authority, message: failures.joined(separator: "; "))
    }

    private static func connect(to address: IPAddress, port: UInt16, authority: String,
                                connectTimeoutMilliseconds: Int, readTimeoutMilliseconds: Int) throws(LighterError) -> TCPSocket {
        let target = address.family == AF_INET6 ? "[\(address)]:\(port)" : "\(address):\(port)"
        let raw = try syscall("socket") { socket(address.family, POSIX.streamSocket | POSIX.closeOnExecSocket | POSIX.nonBlockingSocket, 0) }
        let fd = FileDescriptor(adopting: raw)
        let pending = try syscallTolerating("connect", target, [EINPROGRESS, ECONNREFUSED, ENETUNREACH, EHOSTUNREACH]) {
            address.withSocketAddress(port: port) { POSIX.connect(raw, $0, $1) }
        }
        if let pending, pending != EINPROGRESS {
            throw .registry(host: authority, message: "cannot connect to \(target): \(describe(pending))")
        }
        if pending != nil {
            var poller = pollfd(fd: raw, events: Int16(POLLOUT), revents: 0)
            let ready = try syscall("poll", target) { poll(&poller, 1, Int32(connectTimeoutMilliseconds)) }
            if ready == 0 {
                throw .registry(host: authority, message: "cannot connect to \(target): no answer within \(duration(connectTimeoutMilliseconds)) (connect timeout)")
            }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            try syscall("getsockopt", target) { getsockopt(raw, SOL_SOCKET, SO_ERROR, &code, &length) }
            if code != 0 { throw .registry(host: authority, message: "cannot connect to \(target): \(describe(code))") }
        }
        let flags = try syscall("fcntl", target) { fcntl(raw, F_GETFL) }
        try syscall("fcntl", target) { fcntl(raw, F_SETFL, flags & ~O_NONBLOCK) }
        var timeout = timeval(tv_sec: readTimeoutMilliseconds / 1000, tv_usec: (readTimeoutMilliseconds % 1000) * 1000)
        try syscall("setsockopt", target) { setsockopt(raw, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) }
        try syscall("setsockopt", target) { setsockopt(raw, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) }
        var one: Int32 = 1
        try syscall("setsockopt", target) { setsockopt(raw, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
        return TCPSocket(fd: fd, authority: authority, readTimeoutMilliseconds: readTimeoutMilliseconds)
    }

    /// A stream socket connected to the unix socket at `path` (an Engine API client's transport; the
    /// same send/receive paths and read timeout as TCP). `authority` names it in errors.
    static func connectUnix(path: String, authority: String, readTimeoutMilliseconds: Int) throws(LighterError) -> TCPSocket {
        var address = try POSIX.unixAddress(path, tooLong: "unix socket path \(path) is longer than \(POSIX.unixPathLimit) bytes")
        let raw = try syscall("socket") { socket(AF_UNIX, POSIX.streamSocket | POSIX.closeOnExecSocket, 0) }
        let fd = FileDescriptor(adopting: raw)
        let failed = try syscallTolerating("connect", path, [ENOENT, ECONNREFUSED, EACCES, ENOTDIR]) {
            withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { POSIX.connect(raw, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        }
        if let failed { throw .registry(host: authority, message: "cannot connect to \(path): \(describe(failed))") }
        var timeout = timeval(tv_sec: readTimeoutMilliseconds / 1000, tv_usec: (readTimeoutMilliseconds % 1000) * 1000)
        try syscall("setsockopt", path) { setsockopt(raw, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) }
        return TCPSocket(fd: fd, authority: authority, readTimeoutMilliseconds: readTimeoutMilliseconds)
    }

    /// A connected stream socket made elsewhere (one end of a socket pair), with the read timeout.
    static func adopting(fd raw: Int32, authority: String, readTimeoutMilliseconds: Int) -> TCPSocket {
        var timeout = timeval(tv_sec: readTimeoutMilliseconds / 1000, tv_usec: (readTimeoutMilliseconds % 1000) * 1000)
        _ = setsockopt(raw, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return TCPSocket(fd: FileDescriptor(adopting: raw), authority: authority, readTimeoutMilliseconds: readTimeoutMilliseconds)
    }

    /// A connection a server accepted (blocking, close-on-exec): writes time out after
    /// `writeTimeoutMilliseconds` (a client that stops reading), reads wait as `readDeadline` says.
    static func accepted(fd raw: Int32, peer: String, writeTimeoutMilliseconds: Int) -> TCPSocket {
        var timeout = timeval(tv_sec: writeTimeoutMilliseconds / 1000, tv_usec: (writeTimeoutMilliseconds % 1000) * 1000)
        _ = setsockopt(raw, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        _ = setsockopt(raw, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return TCPSocket(fd: FileDescriptor(adopting: raw), authority: peer, readTimeoutMilliseconds: writeTimeoutMilliseconds)
    }

    /// CLOCK_MONOTONIC in milliseconds (the clock of `readDeadline`).
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Send some of `bytes` (never raising SIGPIPE); returns how many were sent.
    func send(_ bytes: UnsafeRawBufferPointer) throws(LighterError) -> Int {
        do throws(LighterError) {
            return try syscall("send") { POSIX.send(fd.rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        } catch {
            throw remember(error, while: "sending")
        }
    }

    /// Receive into `buffer`; 0 means the peer closed the connection.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int {
        if let deadline = readDeadline {
            var poller = pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0)
            var ready: Int32
            repeat {
                ready = poll(&poller, 1, Int32(clamping: max(0, deadline - Self.now())))
            } while ready < 0 && lighter_errno() == EINTR
            if ready == 0 {
                timedOut = true
                throw .registry(host: authority, message: "no data before the deadline")
            }
        }
        do throws(LighterError) {
            return try syscall("recv") { recv(fd.rawValue, buffer.baseAddress, buffer.count, 0) }
        } catch {
            throw remember(error, while: "receiving")
        }
    }

    func sendAll(_ bytes: UnsafeRawBufferPointer) throws(LighterError) {
        var offset = 0
        while offset < bytes.count {
            offset += try send(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        }
    }

    func close() { try? fd.close() }

    private func remember(_ error: LighterError, while doing: String) -> LighterError {
        let mapped: LighterError
        if case let .system(_, _, code) = error {
            if code == EAGAIN || code == EWOULDBLOCK {
                mapped = .registry(host: authority, message: "no data for \(Self.duration(readTimeoutMilliseconds)) while \(doing) (read timeout)")
            } else {
                mapped = .registry(host: authority, message: "connection failed while \(doing): \(Self.describe(code))")
            }
        } else {
            mapped = error
        }
        lastError = mapped
        return mapped
    }

    static func duration(_ milliseconds: Int) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }

    static func describe(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused"
        case ECONNRESET: return "connection reset by peer"
        case EPIPE: return "connection closed by peer"
        case ETIMEDOUT: return "connection timed out"
        case ENETUNREACH: return "network unreachable"
        case EHOSTUNREACH: return "host unreachable"
        default: return "\(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
