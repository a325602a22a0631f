#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterAPI
import LighterEngine
import LighterSystem

/// `POST /containers/{id}/attach?stdin=1` to a container already running with `-i` (`docker attach` to a
/// `run -dit` one): through its monitor's attach socket, the same second stdin source `lighter attach` uses.
/// The client's bytes go to the container's stdin (or terminal); the monitor's stdcopy frames come back
/// as they are (multiplexed) or as their payloads (a TTY). Closing the connection detaches; the
/// container's stdin stays open, as with Docker's StdinOnce false.
extension DaemonRoutes {
    /// Nil when the monitor has no attach socket (its stdin was handed over at start: `run -i` attached).
    static func monitorSocket(_ id: String) -> FileDescriptor? { try? AttachSocket.connect(id) }

    static func relayThroughMonitor(_ socket: FileDescriptor, _ connection: HTTPConnection, tty: Bool,
                                    streams: (stdout: Bool, stderr: Bool)) {
        defer { try? socket.close() }
        if tty {
            // The monitor hands a terminal's master over first (for the CLI's window size): not needed here.
            var tag: UInt8 = 0
            var received: Int32 = -1
            if lighter_recv_with_fd(socket.rawValue, &tag, 1, &received) == 1, received >= 0 { close(received) }
        }
        var input = true
        let early = connection.takeBuffered()
        if !early.isEmpty && !AttachSocket.send(early, to: socket.rawValue) { return }
        var pending: [UInt8] = []
        while true {
            if input && connection.waitForInput(milliseconds: 0) {
                if let bytes = connection.receiveAvailable(), !bytes.isEmpty {
                    if !AttachSocket.send(bytes, to: socket.rawValue) { return }
                } else {
                    input = false    // the client's CloseWrite, or its end
                }
            }
            var pfd = pollfd(fd: socket.rawValue, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 20) > 0 {
                let chunk = (try? socket.read(upTo: 64 * 1024)) ?? []
                if chunk.isEmpty { return }    // the monitor closed: the container ended
                pending += chunk
                for frame in AttachSocket.frames(&pending) where frame.stream == 2 ? streams.stderr : streams.stdout {
                    let out = tty ? frame.bytes : [frame.stream, 0, 0, 0] + withUnsafeBytes(of: UInt32(frame.bytes.count).bigEndian, Array.init) + frame.bytes
                    if !connection.write(out) { return }
                }
            }
            if !input && connection.peerClosed { return }
        }
    }
}
