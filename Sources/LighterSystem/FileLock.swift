#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An advisory lock on a file (flock), held until released or the process dies —
/// so a SIGKILLed holder never leaves a stale lock behind.
public final class FileLock: Sendable {
    private let fd: FileDescriptor

    public enum Mode: Sendable { case shared, exclusive }

    /// Open (creating) `path` and block until the lock is granted.
    public init(path: String, mode: Mode) throws(LighterError) {
        fd = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT, mode: 0o600)
        let op = mode == .shared ? LOCK_SH : LOCK_EX
        try syscall("flock", path) { flock(fd.rawValue, op) }
    }

    /// Open (creating) `path` and take the lock only if nobody holds it: nil when someone does.
    public init?(trying path: String, mode: Mode) throws(LighterError) {
        let fd = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT, mode: 0o600)
        let op = (mode == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB
        guard try syscallTolerating("flock", path, [EWOULDBLOCK], { flock(fd.rawValue, op) }) == nil else { return nil }
        self.fd = fd
    }

    public func release() {
        _ = flock(fd.rawValue, LOCK_UN)
    }

    deinit { release() }
}
