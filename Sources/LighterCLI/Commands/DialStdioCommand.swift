#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterArguments
import LighterSystem

/// `system dial-stdio`: standard input to the daemon's socket and the socket to standard output, until
/// the daemon closes it: the far side of `lighter -H ssh://…` (and of `docker -H ssh://…`). The socket is
/// `LIGHTER_HOST`'s or `DOCKER_HOST`'s `unix://` path, else `/run/lighter/lighter.sock`.
struct DialStdioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dial-stdio", abstract: "Relay standard input and output to the daemon's socket (for ssh:// hosts).")

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let names: [String] = ["LIGHTER_HOST", "DOCKER_HOST"]
            let named = names.compactMap { (name: String) -> String? in getenv(name).map { String(cString: $0) } }.first { $0.hasPrefix("unix://") }
            try Self.relay(path: named.map { String($0.dropFirst(7)) } ?? "/run/lighter/lighter.sock")
        }
    }

    static func relay(path: String) throws(LighterError) {
        let fd = try syscall("socket") { socket(AF_UNIX, POSIX.streamSocket | POSIX.closeOnExecSocket, 0) }
        defer { close(fd) }
        var address = try POSIX.unixAddress(path, tooLong: "socket path \(path) is too long")
        try syscall("connect", path) {
            withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var polled = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        var inputOpen = true
        while true {
            polled[0].fd = inputOpen ? 0 : -1
            _ = try syscall("poll") { poll(&polled, 2, -1) }
            let ready = Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)
            if polled[1].revents & ready != 0 {
                let n = try syscall("read", path) { read(fd, buffer.baseAddress, buffer.count) }
                if n == 0 || !writeAll(1, UnsafeRawBufferPointer(rebasing: buffer[..<n]), send: false) { return }
            }
            if inputOpen && polled[0].revents & ready != 0 {
                let n = try syscall("read", "standard input") { read(0, buffer.baseAddress, buffer.count) }
                if n == 0 {
                    inputOpen = false
                    shutdown(fd, Int32(SHUT_WR))
                } else if !writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[..<n]), send: true) {
                    return
                }
            }
        }
    }

    /// All of `bytes` to `fd`; false when the other side is gone.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, send useSend: Bool) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = useSend ? send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                            : write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && lighter_errno() == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
