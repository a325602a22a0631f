#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

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

extension PortProbe {
    /// Can `binding`'s host port be bound on its host address right now? Docker holds each published
    /// port with its proxy's socket, so a port a host service listens on fails `run -p` with "address
    /// already in use"; Lighter's ports are nftables rules that would silently take the traffic, so
    /// `create` and `start` each bind the port for a moment first (SO_REUSEADDR, as Go's listeners:
    /// a closed connection in TIME_WAIT does not count) and refuse when that fails.
    static func checkBindable(_ binding: PortBinding) throws(LighterError) {
        let kind = binding.proto == "udp" ? POSIX.datagramSocket : POSIX.streamSocket
        let socketFD = try syscall("socket", "port probe") { socket(AF_INET, kind | POSIX.closeOnExecSocket, 0) }
        let fd = FileDescriptor(adopting: socketFD)
        var one: Int32 = 1
        _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(binding.hostPort).bigEndian
        let host = binding.hostIP.isEmpty ? "0.0.0.0" : binding.hostIP
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return }   // not IPv4: nothing to probe
        do {
            try syscall("bind") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
        } catch {
            guard case let .system(_, _, code) = error else { throw error }
            let reason = code == EADDRINUSE ? "address already in use" : String(cString: strerror(code))
            let hint = code == EADDRINUSE ? " (a host process holds that port: stop it, or publish another host port)" : ""
            throw .conflict("cannot publish \(binding.psColumn): listen \(binding.proto)4 \(host):\(binding.hostPort): bind: \(reason)\(hint)")
        }
    }
}
