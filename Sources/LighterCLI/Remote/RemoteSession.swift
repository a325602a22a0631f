#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterAPI
import LighterHTTP
import LighterRuntime
import LighterSystem

/// One attached stream of a remote container or exec, driven from one thread by poll(2): this
/// standard input to the stream (its EOF half-closes the stream, as Docker's CLI does), the stream to
/// standard output and error (stdcopy frames split, or raw bytes with a TTY). With a TTY on a terminal:
/// raw mode for the session (restored on every way out), the detach keys watched, SIGWINCH sent as a
/// resize. Without one, SIGINT/SIGTERM/SIGHUP/SIGQUIT are handed to `signal` (Docker's --sig-proxy).
struct RemoteSession {
    var tty: Bool
    /// Copy standard input to the stream.
    var input: Bool
    var detachKeys: DetachKeys?
    var proxySignals: Bool
    /// The daemon's resize call with (rows, columns).
    var resize: (UInt16, UInt16) -> Void
    /// A proxied signal, for the daemon's kill call.
    var signal: (Int32) -> Void

    enum Outcome: Equatable {
        /// The daemon ended the stream (the process ended).
        case ended
        /// The detach keys were typed.
        case detached
        /// SIGINT, SIGTERM, SIGHUP or SIGQUIT reached a TTY session (not proxied): it ends, the terminal restored.
        case interrupted(Int32)
    }

    /// This terminal's size: standard input's, else standard output's.
    static func terminalSize() -> (UInt16, UInt16)? {
        for fd: Int32 in [0, 1] where isatty(fd) == 1 {
            var size = winsize()
            if lighter_ioctl_winsize(fd, 0, &size) == 0, size.ws_row > 0 { return (size.ws_row, size.ws_col) }
        }
        return nil
    }

    /// Send the current terminal size, if this side has a terminal.
    func sendSize() {
        if tty, let size = Self.terminalSize() { resize(size.0, size.1) }
    }

    func pump(_ stream: HijackedStream) throws(LighterError) -> Outcome {
        var keys = tty ? detachKeys : nil
        let raw = tty && input ? RawMode(fd: 0) : nil
        defer { raw?.restore() }
        // With a TTY they are caught too (not sent on, as Docker's CLI): the session ends with the terminal restored.
        var signals: [Int32] = proxySignals || tty ? [SIGINT, SIGTERM, SIGHUP, SIGQUIT] : []
        if tty && Self.terminalSize() != nil { signals.append(SIGWINCH) }
        if !signals.isEmpty { lighter_signal_mask(signals, Int32(signals.count), 1) }
        let sfd = signals.isEmpty ? -1 : lighter_signalfd(signals, Int32(signals.count))
        defer {
            if sfd >= 0 { close(sfd) }
            if !signals.isEmpty { lighter_signal_mask(signals, Int32(signals.count), 0) }
        }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        var inputOpen = input
        // Flow control: stdin is read only when what was read before has gone out, and written only
        // when the socket takes more (POLLOUT), a record at a time; the stream is read whenever it has
        // bytes (stdin's EOF is seen only once all before it went out). So this side never blocks in
        // a write while the daemon blocks writing to it.
        var outgoing: [UInt8] = []
        var pending: [UInt8] = []
        let readable = Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)
        while true {
            var fds = [pollfd(fd: inputOpen && outgoing.isEmpty ? 0 : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stream.descriptor, events: Int16(POLLIN) | (outgoing.isEmpty ? 0 : Int16(POLLOUT)), revents: 0),
                       pollfd(fd: sfd, events: Int16(POLLIN), revents: 0)]
            let buffered = stream.hasBufferedInput
            if poll(&fds, 3, buffered ? 0 : -1) < 0 {
                if lighter_errno() == EINTR { continue }
                throw .system(call: "poll", path: nil, errno: lighter_errno())
            }
            if fds[2].revents & Int16(POLLIN) != 0 {
                while case let number = lighter_signalfd_next(sfd), number > 0 {
                    if number == SIGWINCH {
                        sendSize()
                    } else if proxySignals {
                        signal(number)
                    } else {
                        return .interrupted(number)
                    }
                }
            }
            if buffered || fds[1].revents & readable != 0 {
                let n = try stream.read(into: chunk)
                if n == 0 { return .ended }
                let bytes = Array(UnsafeRawBufferPointer(rebasing: chunk[..<n]))
                if tty {
                    RemoteContainers.write(1, bytes)
                } else {
                    let (frames, rest) = StdCopy.unframe(pending + bytes)
                    pending = rest
                    for (kind, payload) in frames { RemoteContainers.write(kind == 2 ? 2 : 1, payload) }
                }
            }
            if !outgoing.isEmpty && fds[1].revents & Int16(POLLOUT) != 0 {
                let n = min(outgoing.count, 16 * 1024)
                do throws(LighterError) {
                    try stream.write(Array(outgoing[..<n]))
                    outgoing.removeFirst(n)
                } catch {
                    outgoing.removeAll()   // the daemon stopped reading: the output still comes
                    inputOpen = false
                }
            }
            if fds[0].fd == 0 && fds[0].revents != 0 {
                let n = read(0, chunk.baseAddress, chunk.count)
                if n < 0 && (lighter_errno() == EINTR || lighter_errno() == EAGAIN) { continue }
                if n <= 0 {
                    inputOpen = false
                    stream.closeWrite()
                    continue
                }
                var bytes = Array(UnsafeRawBufferPointer(rebasing: chunk[..<n]))
                var detach = false
                if keys != nil { (bytes, detach) = keys!.feed(bytes) }
                if detach {
                    if !bytes.isEmpty { try? stream.write(bytes) }
                    return .detached
                }
                outgoing = bytes
            }
        }
    }
}
