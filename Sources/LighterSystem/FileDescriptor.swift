#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import Synchronization

/// An open file descriptor that closes itself when released.
public final class FileDescriptor: Sendable {
    public let rawValue: Int32
    /// Set once by `close` or `forget`; atomic so that a descriptor shared between threads is closed once.
    private let closed = Atomic<Bool>(false)

    public init(adopting rawValue: Int32) { self.rawValue = rawValue }

    /// open(2) with O_CLOEXEC always added.
    public convenience init(path: String, flags: Int32, mode: mode_t = 0o644) throws(LighterError) {
        let fd = try syscall("open", path) { lighter_open(path, flags | O_CLOEXEC, mode) }
        self.init(adopting: fd)
    }

    /// openat(2) relative to this directory descriptor.
    public func openAt(_ name: String, flags: Int32, mode: mode_t = 0o644) throws(LighterError) -> FileDescriptor {
        let fd = try syscall("openat", name) { lighter_openat(rawValue, name, flags | O_CLOEXEC, mode) }
        return FileDescriptor(adopting: fd)
    }

    deinit { if !closed.load(ordering: .relaxed) { _ = POSIX.close(rawValue) } }

    /// Give up ownership: the descriptor stays open when this object goes away (stdin/stdout/stderr).
    public func forget() { closed.store(true, ordering: .relaxed) }

    /// Close now and report the error (close errors on written files matter).
    public func close() throws(LighterError) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if POSIX.close(rawValue) == -1 {
            let code = lighter_errno()
            if code != EINTR { throw .system(call: "close", path: nil, errno: code) }
        }
    }

    /// Read up to `count` bytes; an empty result means end of file.
    public func read(upTo count: Int) throws(LighterError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let n = try syscall("read") { buffer.withUnsafeMutableBytes { POSIX.read(rawValue, $0.baseAddress, count) } }
        buffer.removeSubrange(n...)
        return buffer
    }

    /// Read into a caller-owned buffer; returns bytes read (0 at end of file).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int {
        try syscall("read") { POSIX.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Read everything until end of file.
    public func readAll() throws(LighterError) -> [UInt8] {
        var result: [UInt8] = []
        try readChunks(size: 64 * 1024) { result.append(contentsOf: $0) }
        return result
    }

    /// Read to the end of the file in chunks, handing each to `body`; returns the bytes read.
    @discardableResult
    public func readChunks(size: Int = 256 * 1024, _ body: (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) -> Int64 {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let n = try syscall("read") { POSIX.read(rawValue, buffer.baseAddress, size) }
            if n == 0 { return total }
            total += Int64(n)
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Write all of `bytes`, looping over short writes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(LighterError) {
        var offset = 0
        while offset < bytes.count {
            let n = try syscall("write") { POSIX.write(rawValue, bytes.baseAddress! + offset, bytes.count - offset) }
            offset += n
        }
    }

    public func write(_ bytes: [UInt8]) throws(LighterError) {
        var offset = 0
        while offset < bytes.count {
            let n = try syscall("write") {
                bytes.withUnsafeBytes { POSIX.write(rawValue, $0.baseAddress! + offset, $0.count - offset) }
            }
            offset += n
        }
    }

    public func write(_ string: String) throws(LighterError) {
        try write(Array(string.utf8))
    }

    public func sync() throws(LighterError) {
        try syscall("fsync") { fsync(rawValue) }
    }

    public func seek(to offset: Int64) throws(LighterError) {
        try syscall("lseek") { lseek(rawValue, off_t(offset), SEEK_SET) }
    }

    public func truncate(to length: Int64) throws(LighterError) {
        try syscall("ftruncate") { ftruncate(rawValue, off_t(length)) }
    }

    public func stat() throws(LighterError) -> POSIX.Stat {
        var st = POSIX.Stat()
        try syscall("fstat") { fstat(rawValue, &st) }
        return st
    }
}
