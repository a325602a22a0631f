#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter

/// Copies a container's output (and a terminal's input) between descriptors for the monitor and the
/// runtime's attached `run`/`exec`: one read at a time from a source `poll` said is ready, each chunk
/// written whole — a short write is continued, EINTR retried, and a destination that would block
/// (EAGAIN on a non-blocking descriptor, e.g. a terminal or pipe another program set so) is waited for
/// with poll instead of losing the rest.
public struct StreamRelay {
    /// What one read found.
    public enum Chunk {
        /// This many bytes, handed to the reader's body.
        case data(Int)
        /// Nothing now (EINTR, or EAGAIN on a non-blocking source): poll again.
        case none
        /// End of stream, or an error that ends it (EIO: a pseudo-terminal's last user closed it).
        case end

        /// The stream may still bring data (not at its end).
        public var isOpen: Bool { if case .end = self { return false } else { return true } }
    }

    private var buffer: [UInt8]

    public init(bufferSize: Int = 64 * 1024) {
        buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    /// Read what `source` has, at most the buffer's size, and hand it to `body` (which may write it
    /// to several places, e.g. a log and the caller's stdout).
    @discardableResult
    public mutating func read(from source: Int32, _ body: (UnsafeRawBufferPointer) -> Void) -> Chunk {
        let n = buffer.withUnsafeMutableBytes { POSIX.read(source, $0.baseAddress, $0.count) }
        if n > 0 {
            buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            return .data(n)
        }
        if n < 0 {
            let error = lighter_errno()
            if error == EINTR || error == EAGAIN { return .none }
        }
        return .end
    }

    /// Read one chunk from `source` and write it whole to `destination`.
    @discardableResult
    public mutating func copy(from source: Int32, to destination: Int32) -> Chunk {
        read(from: source) { bytes in _ = StreamRelay.writeAll(bytes, to: destination) }
    }

    /// Write all of `bytes` to `fd`: short writes continued, EINTR retried, EAGAIN waited out with
    /// poll. False when the destination is gone (EPIPE, EIO, a closed descriptor): the rest is dropped,
    /// as the reader can no longer take it.
    @discardableResult
    public static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var offset = 0
        while offset < bytes.count {
            let written = POSIX.write(fd, base + offset, bytes.count - offset)
            if written > 0 {
                offset += written
                continue
            }
            let error = written < 0 ? lighter_errno() : EIO
            if error == EINTR { continue }
            guard error == EAGAIN else { return false }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            while poll(&entry, 1, -1) < 0 && lighter_errno() == EINTR {}
            if entry.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { return false }
        }
        return true
    }
}
