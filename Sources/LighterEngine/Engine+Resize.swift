#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

extension Engine {
    /// Docker's `POST /containers/{id}/resize`: set the window size of a running `-t` container's terminal.
    /// The terminal is reached through the container process's own descriptor (`/proc/PID/fd/0`, the pty's
    /// slave end, which its monitor relays); the kernel then sends SIGWINCH to its foreground process group.
    public func resizeTerminal(_ id: String, rows: UInt16, columns: UInt16) throws(LighterError) {
        let record = try inspect(id)
        guard isRunning(record), record.state.pid > 0 else { throw .conflict("Container \(record.shortID) is not running") }
        guard record.spec.tty else {
            throw .invalidArgument("container \(record.shortID) has no terminal to resize (it was not created with -t)")
        }
        for n in 0...2 {
            let path = "/proc/\(record.state.pid)/fd/\(n)"
            let fd = lighter_open(path, O_RDWR | O_NOCTTY | O_CLOEXEC, 0)
            guard fd >= 0 else { continue }
            let terminal = FileDescriptor(adopting: fd)
            guard isatty(terminal.rawValue) == 1 else { continue }
            try Engine.setWindowSize(terminal.rawValue, rows: rows, columns: columns, what: "terminal of container \(record.shortID)")
            return
        }
        throw .conflict("container \(record.shortID)'s process no longer has its terminal open on 0, 1 or 2")
    }

    /// TIOCSWINSZ on a terminal (either end of a pty).
    public static func setWindowSize(_ fd: Int32, rows: UInt16, columns: UInt16, what: String) throws(LighterError) {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        try syscall("ioctl(TIOCSWINSZ)", what) { lighter_ioctl_winsize(fd, 1, &size) }
    }
}
