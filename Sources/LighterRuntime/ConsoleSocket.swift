#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// runc's --console-socket: hand a pseudo-terminal master to whoever listens on a unix socket.
public enum ConsoleSocket {
    public static func send(_ terminal: FileDescriptor, to path: String) throws(LighterError) {
        var address = try POSIX.unixAddress(path, tooLong: "console socket path is too long: \(path)")
        let socket = FileDescriptor(adopting: try syscall("socket") {
            POSIX.socket(AF_UNIX, POSIX.streamSocket | POSIX.closeOnExecSocket, 0)
        })
        try syscall("connect", path) {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
        let name = Array("pty".utf8)
        try syscall("sendmsg", path) {
            name.withUnsafeBytes { lighter_send_with_fd(socket.rawValue, $0.baseAddress, $0.count, terminal.rawValue) }
        }
        try socket.close()
    }
}
