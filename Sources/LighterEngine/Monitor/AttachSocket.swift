#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// The input channel of a detached `-i` container: its monitor listens on a unix socket (root only,
/// under /run/lighter/attach), `attach` connects. What the client sends goes to the container's stdin
/// (or its terminal); the container's output comes back in frames with Docker's stdcopy header
/// (stream 1 or 2, three zero bytes, the length big-endian in four bytes).
public enum AttachSocket {
    static let directory = "/run/lighter/attach"

    public static func path(_ id: String) -> String { "\(directory)/\(id).sock" }

    private static func address(_ path: String) throws(LighterError) -> sockaddr_un {
        try POSIX.unixAddress(path, tooLong: "attach socket path is too long: \(path)")
    }

    private static func stream() throws(LighterError) -> FileDescriptor {
        FileDescriptor(adopting: try syscall("socket") { socket(AF_UNIX, POSIX.streamSocket | POSIX.closeOnExecSocket, 0) })
    }

    /// The monitor's listening socket for container `id` (a stale one from a crash replaced).
    static func listen(_ id: String) throws(LighterError) -> FileDescriptor {
        try FileSystem.makeDirectories(directory, mode: 0o700)
        let path = path(id)
        _ = unlink(path)
        var address = try address(path)
        let socket = try stream()
        try syscall("bind", path) {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        try syscall("listen", path) { POSIX.listen(socket.rawValue, 8) }
        return socket
    }

    /// `attach`'s connection to the monitor of container `id`.
    public static func connect(_ id: String) throws(LighterError) -> FileDescriptor {
        let path = path(id)
        var address = try address(path)
        let socket = try stream()
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { POSIX.connect(socket.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 {
            throw .conflict("cannot attach standard input: container \(id.prefix(12))'s monitor does not listen (started before this Lighter, or not with -i); attach with --no-stdin")
        }
        return socket
    }

    /// One frame: Docker's 8-byte stdcopy header, then the bytes.
    static func frame(_ bytes: UnsafeRawBufferPointer, stream: UInt8) -> [UInt8] {
        let size = UInt32(bytes.count)
        return [stream, 0, 0, 0, UInt8(size >> 24), UInt8((size >> 16) & 0xff), UInt8((size >> 8) & 0xff), UInt8(size & 0xff)] + Array(bytes)
    }

    /// Whole frames at the front of `buffer`, taken out of it: (stream, bytes).
    public static func frames(_ buffer: inout [UInt8]) -> [(stream: UInt8, bytes: [UInt8])] {
        var result: [(UInt8, [UInt8])] = []
        var offset = 0
        while buffer.count - offset >= 8 {
            let size = Int(buffer[offset + 4]) << 24 | Int(buffer[offset + 5]) << 16 | Int(buffer[offset + 6]) << 8 | Int(buffer[offset + 7])
            guard buffer.count - offset - 8 >= size else { break }
            result.append((buffer[offset], Array(buffer[(offset + 8)..<(offset + 8 + size)])))
            offset += 8 + size
        }
        buffer.removeFirst(offset)
        return result
    }

    /// Send all of `bytes` without SIGPIPE; false once the peer is gone.
    public static func send(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { POSIX.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent > 0 { offset += sent; continue }
            if sent < 0 && lighter_errno() == EINTR { continue }
            return false
        }
        return true
    }
}
