#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Is a host port free? (bind to 0.0.0.0:port and close at once).
enum PortProbe {
    static func isFree(port: Int, udp: Bool) -> Bool {
        let fd = socket(AF_INET, udp ? 2 : 1, 0)   // SOCK_DGRAM : SOCK_STREAM
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = 0
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
