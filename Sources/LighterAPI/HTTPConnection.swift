#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterHTTP
import Synchronization
import LighterSystem

/// One accepted client socket, plain or TLS: buffered reads with deadlines (poll), whole writes
/// without SIGPIPE. Handlers never touch the socket's bytes directly (with TLS they are records):
/// they use `write`, `receiveAvailable`, `waitForInput` and `withOutputDescriptor`.
public final class HTTPConnection: @unchecked Sendable {
    // @unchecked: one connection is used by one thread at a time (its connection thread, or the
    // handler it hands a hijacked stream to), never concurrently.
    /// The socket, to poll it (with TLS, check `hasPendingInput` too: decrypted bytes poll cannot see).
    public let fd: Int32
    /// TLS over the socket (a TCP listener with --tls/--tlsverify); nil: plain bytes.
    let tls: TLSStream?
    /// A TCP peer's close shows as POLLRDHUP (POLLHUP only once both halves are down).
    let isTCP: Bool
    /// Hijacked streams may be half-closed by the client (docker's CloseWrite) and still read.
    var hijacked = false
    var buffer: [UInt8] = []
    var closed = false

    init(fd: Int32, tls: TLSStream? = nil, isTCP: Bool = false) {
        self.fd = fd
        self.tls = tls
        self.isTCP = isTCP
    }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        if let tls { tls.close() } else { _ = POSIX.close(fd) }
    }

    enum ReadOutcome { case data([UInt8]), timeout, end, failed }

    /// One TLS read waiting until `deadline` at most.
    func read(_ tls: TLSStream, max: Int, deadline: Int64) -> ReadOutcome {
        var chunk = [UInt8](repeating: 0, count: max)
        var outcome = ReadOutcome.failed
        chunk.withUnsafeMutableBytes { raw in
            do {
                if let n = try tls.receive(into: raw, deadline: deadline) {
                    outcome = n == 0 ? .end : .data(Array(raw[0..<n]))
                } else {
                    outcome = .timeout
                }
            } catch {
                outcome = .failed
            }
        }
        return outcome
    }

    /// Read more bytes into the buffer; false at end of stream. `deadline` in monotonic milliseconds.
    func fill(deadline: Int64) throws(ConnectionError) -> Bool {
        if let tls {
            switch read(tls, max: 16 * 1024, deadline: deadline) {
            case let .data(bytes): buffer.append(contentsOf: bytes); return true
            case .timeout: throw .timeout
            case .end: return false
            case .failed: throw .closed
            }
        }
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
        if let tls {
            var sent = true
            array.withUnsafeBytes { raw in
                do { try tls.write(raw) } catch { sent = false }
            }
            return sent
        }
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
    /// Over TCP a full close raises no POLLHUP while we still may write: there POLLRDHUP counts, except
    /// on hijacked streams (whose clients half-close when their input ends).
    public var peerClosed: Bool {
        let rdhup = Int16(0x2000) // POLLRDHUP
        var pfd = pollfd(fd: fd, events: isTCP && !hijacked ? rdhup : 0, revents: 0)
        return poll(&pfd, 1, 0) > 0 && (pfd.revents & (Int16(POLLHUP | POLLERR) | rdhup)) != 0
    }

    /// Input that is there without waiting: bytes read ahead with the request, or decrypted TLS bytes
    /// (a poll of `fd` does not see those).
    public var hasPendingInput: Bool { !buffer.isEmpty || (tls?.bufferedBytes ?? 0) > 0 }

    /// Wait up to `milliseconds` for the client to send something (or to close).
    public func waitForInput(milliseconds: Int32) -> Bool {
        if hasPendingInput { return true }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, max(milliseconds, 0)) > 0
    }

    /// What the client sent, without waiting: empty when nothing (or only part of a TLS record) has
    /// come yet, nil at the end of its input (CloseWrite, close) or when the connection failed.
    public func receiveAvailable(max: Int = 32 * 1024) -> [UInt8]? {
        if !buffer.isEmpty { return takeBuffered() }
        if let tls {
            switch read(tls, max: max, deadline: Monotonic.milliseconds()) {
            case let .data(bytes): return bytes
            case .timeout: return []
            case .end, .failed: return nil
            }
        }
        var chunk = [UInt8](repeating: 0, count: max)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n < 0 { return lighter_errno() == EAGAIN || lighter_errno() == EINTR ? [] : nil }
        return n == 0 ? nil : Array(chunk[0..<n])
    }

    /// Hand `body` a descriptor whose bytes go to the client (a tar streamed until the connection
    /// closes): the socket itself, or with TLS the write end of a pipe that a relay thread encrypts
    /// onto the connection. Returns once everything written has been sent (or the client is gone).
    /// `body` must not close the descriptor.
    public func withOutputDescriptor(_ body: (FileDescriptor) throws(LighterError) -> Void) throws(LighterError) {
        guard tls != nil else {
            let output = FileDescriptor(adopting: fd)
            defer { output.forget() }
            try body(output)
            return
        }
        var ends: [Int32] = [-1, -1]
        try syscall("pipe2") { lighter_pipe(&ends) }
        let reader = FileDescriptor(adopting: ends[0]), writer = FileDescriptor(adopting: ends[1])
        let done = RelayDone()
        Thread.detached { [self] in
            // Drain to the end even once the client is gone: a closed pipe would SIGPIPE the writer.
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            var sending = true
            while true {
                let n = chunk.withUnsafeMutableBytes { POSIX.read(reader.rawValue, $0.baseAddress, $0.count) }
                if n < 0 && lighter_errno() == EINTR { continue }
                if n <= 0 { break }
                if sending { sending = write(chunk[0..<n]) }
            }
            done.value.store(true, ordering: .releasing)
        }
        defer {
            // The engine's writers `forget` the descriptor they are given (never close it): close it here.
            writer.forget()
            _ = POSIX.close(ends[1])
            while !done.value.load(ordering: .acquiring) { usleep(1_000) }
        }
        try body(writer)
    }
}

/// Set by `withOutputDescriptor`'s relay thread when the pipe is drained.
final class RelayDone: Sendable {
    let value = Atomic<Bool>(false)
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
