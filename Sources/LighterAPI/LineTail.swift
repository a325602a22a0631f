#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// Follows a file of lines that other processes append to and rotate (`PATH` renamed to `PATH.1`):
/// the event log and a container's json-file log. The open descriptor keeps reading a file that was
/// rotated or removed meanwhile (a `--rm` container's log) until it is drained.
public final class LineTail: @unchecked Sendable {
    // @unchecked: used by the one thread that serves its request.
    public let path: String
    var fd: Int32 = -1
    var inode: ino_t = 0
    var pending: [UInt8] = []

    /// `fromStart`: read what the file holds already; else only what is appended from now on.
    /// `create`: make the file (empty, 0640) if it does not exist yet, so no line written before the
    /// next read can be missed (its writer appends with O_CREAT and never truncates).
    public init(path: String, fromStart: Bool, create: Bool = false) {
        self.path = path
        open(fromStart: fromStart, create: create)
    }

    deinit { if fd >= 0 { close(fd) } }

    private func open(fromStart: Bool, create: Bool) {
        let flags = O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0)
        let descriptor = lighter_open(path, flags, 0o640)
        guard descriptor >= 0 else { return }
        var st = stat()
        fstat(descriptor, &st)
        fd = descriptor
        inode = st.st_ino
        if !fromStart { lseek(descriptor, 0, SEEK_END) }
    }

    /// Whole lines appended since the last call (a partial last line waits for its newline).
    public func lines() -> [[UInt8]] {
        var data = pending
        pending = []
        if fd < 0 { open(fromStart: true, create: false) }
        guard fd >= 0 else { return [] }
        drain(into: &data)
        // Rotated or replaced: the old file is drained, go on with the new one from its start.
        var st = stat()
        if lstat(path, &st) == 0, st.st_ino != inode {
            close(fd)
            fd = -1
            open(fromStart: true, create: false)
            if fd >= 0 { drain(into: &data) }
        }
        guard let last = data.lastIndex(of: 0x0a) else {
            pending = data
            return []
        }
        pending = Array(data[(last + 1)...])
        return data[..<last].split(separator: 0x0a, omittingEmptySubsequences: true).map(Array.init)
    }

    private func drain(into data: inout [UInt8]) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && lighter_errno() == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
    }
}
