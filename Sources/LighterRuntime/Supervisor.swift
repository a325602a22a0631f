#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// While a `run` container lives: forwards signals to its init and relays a pseudo-terminal to the
/// caller's stdio. Returns when the init exits (its pidfd becomes readable).
struct Supervisor {
    let pid: Int32
    let signals: FileDescriptor?
    let terminal: FileDescriptor?
    let stdio: Runtime.Stdio

    private var inputOpen = true
    private var terminalOpen = true
    private var relay = StreamRelay(bufferSize: 16 * 1024)

    init(pid: Int32, signals: FileDescriptor?, terminal: FileDescriptor?, stdio: Runtime.Stdio) {
        self.pid = pid
        self.signals = signals
        self.terminal = terminal
        self.stdio = stdio
    }

    mutating func run() throws(LighterError) {
        let pidFD = FileDescriptor(adopting: try syscall("pidfd_open") { lighter_pidfd_open(pid) })
        let raw = terminal != nil ? RawMode(fd: stdio.input) : nil
        if let terminal { Self.copyWindowSize(from: stdio.input, to: terminal.rawValue) }
        defer { raw?.restore() }
        while true {
            var fds = [pollfd(fd: pidFD.rawValue, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signals?.rawValue ?? -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: terminal != nil && terminalOpen ? terminal!.rawValue : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: terminal != nil && inputOpen ? stdio.input : -1, events: Int16(POLLIN), revents: 0)]
            _ = try syscallTolerating("poll", nil, [EINTR]) { poll(&fds, 4, -1) }
            if fds[1].revents & Int16(POLLIN) != 0, let signals {
                let info = try signals.read(upTo: 128)
                if info.count == 128 {
                    let signal = Int32(info[0]) | Int32(info[1]) << 8 | Int32(info[2]) << 16 | Int32(info[3]) << 24
                    if signal == SIGWINCH {
                        // The caller's terminal was resized: resize the container's (the kernel tells its foreground).
                        if let terminal { Self.copyWindowSize(from: stdio.input, to: terminal.rawValue) }
                    } else {
                        _ = POSIX.kill(pid, signal)
                    }
                }
            }
            if fds[2].revents != 0, let terminal {
                terminalOpen = relay.copy(from: terminal.rawValue, to: stdio.output).isOpen
            }
            if fds[3].revents != 0, let terminal {
                inputOpen = relay.copy(from: stdio.input, to: terminal.rawValue).isOpen
            }
            if fds[0].revents != 0 {
                // Drain what the container wrote before it exited.
                if let terminal, terminalOpen {
                    _ = fcntl(terminal.rawValue, F_SETFL, fcntl(terminal.rawValue, F_GETFL) | O_NONBLOCK)
                    while case .data = relay.copy(from: terminal.rawValue, to: stdio.output) {}
                }
                return
            }
        }
    }

    /// The caller's terminal size onto the container's, when the caller has one (again after a SIGWINCH).
    static func copyWindowSize(from source: Int32, to target: Int32) {
        var size = winsize()
        if lighter_ioctl_winsize(source, 0, &size) == 0 { _ = lighter_ioctl_winsize(target, 1, &size) }
    }

}

/// The caller's terminal in raw mode while a container's terminal is relayed; restored afterwards.
public struct RawMode {
    let fd: Int32
    let saved: termios

    public init?(fd: Int32) {
        guard isatty(fd) == 1 else { return nil }
        var attributes = termios()
        guard tcgetattr(fd, &attributes) == 0 else { return nil }
        saved = attributes
        self.fd = fd
        cfmakeraw(&attributes)
        _ = tcsetattr(fd, TCSANOW, &attributes)
    }

    public func restore() {
        var attributes = saved
        _ = tcsetattr(fd, TCSANOW, &attributes)
    }
}

/// A terminal's size, carried to the container init or exec process so that its terminal has it from the start.
struct TerminalSize: Sendable, Equatable {
    var rows: UInt16
    var columns: UInt16

    init(rows: UInt16, columns: UInt16) {
        self.rows = rows
        self.columns = columns
    }

    /// The size of the terminal `fd`, or nil when it is not a terminal (or has no size).
    init?(of fd: Int32) {
        guard fd >= 0 else { return nil }
        var size = winsize()
        guard lighter_ioctl_winsize(fd, 0, &size) == 0, size.ws_row > 0 || size.ws_col > 0 else { return nil }
        rows = size.ws_row
        columns = size.ws_col
    }

    func apply(to fd: Int32) {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = lighter_ioctl_winsize(fd, 1, &size)
    }
}
