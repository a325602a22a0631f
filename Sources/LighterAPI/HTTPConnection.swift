#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// One accepted client socket: buffered reads with deadlines (poll), whole writes without SIGPIPE.
public final class HTTPConnection: @unchecked Sendable {
    // @unchecked: one connection is used by one thread at a time (its connection thread, or the
    // handler it hands a hijacked stream to), never concurrently.
    public let fd: Int32
    var buffer: [UInt8] = []
    var closed = false

    init(fd: Int32) { self.fd = fd }

    deinit { if !closed { _ = Glibc.close(fd) } }

    public func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(fd)
    }

    /// Read more bytes into the buffer; false at end of stream. `deadline` in monotonic milliseconds.
    func fill(deadline: Int64) throws(ConnectionError) -> Bool {
        let wait = deadline - Monotonic.milliseconds()
        if wait <= 0 { throw .timeout }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, Int32(min(wait, Int64(Int32.max))))
        if ready == 0 { throw .timeout }
        if ready < 0 {
            if lighter_errno() == EINTR { return try fill(deadline: deadline) }
            throw .closed
        }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 {
            if lighter_errno() == EINTR || lighter_errno() == EAGAIN { return true }
            throw .closed
        }
        if n == 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Take bytes the request parser has consumed.
    func consume(_ count: Int) { buffer.removeFirst(count) }

    /// Write all of `bytes`; false once the peer is gone.
    @discardableResult
    public func write(_ bytes: some Collection<UInt8>) -> Bool {
        guard !closed else { return false }
        let array = Array(bytes)
        var offset = 0
        while offset < array.count {
            let n = array.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if lighter_errno() == EINTR { continue }
                if lighter_errno() == EAGAIN {
                    var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&pfd, 1, 1000)
                    continue
                }
                return false
            }
            offset += n
        }
        return true
    }

    /// Bytes the client sent after the request (a hijacked stream's first bytes), then the socket.
    public func takeBuffered() -> [UInt8] {
        defer { buffer = [] }
        return buffer
    }

    /// Whether the peer has closed (or reset) the connection, without reading data it sent. A client
    /// that only shut down its writing half (docker's CloseWrite once stdin is done) still reads: on a
    /// unix socket only a full close (both halves) raises POLLHUP.
    public var peerClosed: Bool {
        var pfd = pollfd(fd: fd, events: 0, revents: 0)
        return poll(&pfd, 1, 0) > 0 && (pfd.revents & Int16(POLLHUP | POLLERR)) != 0
    }
}

enum ConnectionError: Error {
    case timeout
    case closed
}

/// CLOCK_MONOTONIC in milliseconds.
public enum Monotonic {
    public static func milliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
