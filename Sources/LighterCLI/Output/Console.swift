#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// Writes to standard output and error without Foundation.
enum Console {
    static func out(_ text: String) {
        let line = text + "\n"
        _ = try? FileDescriptor(adopting: 1).writeAndKeepOpen(line)
    }

    /// Write to standard output as it is (no newline added).
    static func outRaw(_ text: String) {
        _ = try? FileDescriptor(adopting: 1).writeAndKeepOpen(text)
    }

    static func error(_ text: String) {
        let line = text + "\n"
        _ = try? FileDescriptor(adopting: 2).writeAndKeepOpen(line)
    }

    /// Write to standard error without a newline (progress redraws).
    static func errorRaw(_ text: String) {
        _ = try? FileDescriptor(adopting: 2).writeAndKeepOpen(text)
    }

    static var stdoutIsTerminal: Bool { isatty(1) == 1 }
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}

extension FileDescriptor {
    /// Write to a descriptor this object does not own (stdout/stderr) and leave it open.
    fileprivate func writeAndKeepOpen(_ text: String) throws(LighterError) {
        defer { forget() }
        try write(text)
    }
}
