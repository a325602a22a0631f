#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension POSIX {
    /// The longest unix socket path `sockaddr_un` holds (its terminating zero aside).
    public static var unixPathLimit: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    /// The address of the unix socket at `path`, zero-terminated; a path longer than `unixPathLimit`
    /// bytes is refused with `tooLong` (each caller names its socket in its own words).
    public static func unixAddress(_ path: String, tooLong: @autoclosure () -> String) throws(LighterError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count <= unixPathLimit else { throw .invalidArgument(tooLong()) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }
}
