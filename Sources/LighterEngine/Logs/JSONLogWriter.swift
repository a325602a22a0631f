#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterSystem

/// Writes a container's output in Docker's json-file format, one JSON object per line:
/// `{"log":"hello\n","stream":"stdout","time":"2026-11-29T06:49:43.123456789Z"}`,
/// rotating `NAME` → `NAME.1` → … when it passes `maxSize`, keeping `maxFiles` files in all.
public final class JSONLogWriter {
    public let path: String
    private let options: LogOptions
    private var fd: FileDescriptor
    private var size: Int64
    /// Partial lines per stream, flushed at newline or when they grow past 16 KiB (Docker splits too).
    private var pending: [String: [UInt8]] = [:]
    /// Records dropped since writing last worked (a full disk), and why the first of them was.
    private var dropped = 0
    private var dropReason = ""

    public init(path: String, options: LogOptions) throws(LighterError) {
        self.path = path
        self.options = options
        // `--log-driver none`: no log file; the output only goes to an attached client.
        fd = options.driver == "none" ? try FileDescriptor(path: "/dev/null", flags: O_WRONLY, mode: 0)
            : try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o640)
        size = Int64(try fd.stat().st_size)
    }

    /// Feed raw bytes from a stream ("stdout" or "stderr").
    public func write(_ bytes: UnsafeRawBufferPointer, stream: String) throws(LighterError) {
        if options.driver == "none" { return }
        var buffer = pending[stream] ?? []
        for byte in bytes {
            buffer.append(byte)
            if byte == 0x0a || buffer.count >= 16 * 1024 {
                try emit(buffer, stream: stream)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        pending[stream] = buffer
    }

    /// True while a stream holds output that no newline has ended yet, with a whole character in it
    /// (a lone incomplete character waits for the rest, without the monitor waking for it).
    public var hasPartialLine: Bool { pending.values.contains { Self.wholeCharacters($0) > 0 } }

    /// Write out partial lines as records of their own, each up to its last whole UTF-8 character:
    /// the monitor calls it once a stream has been quiet for a moment, so a prompt (`/ # `, `Name: `)
    /// reaches the log — and `attach` and `logs -f`, which follow it — before its line is ended.
    public func flushPartialLines() throws(LighterError) {
        for (stream, buffer) in pending where !buffer.isEmpty {
            let cut = Self.wholeCharacters(buffer)
            guard cut > 0 else { continue }
            try emit(Array(buffer[..<cut]), stream: stream)
            pending[stream] = Array(buffer[cut...])
        }
    }

    /// How many leading bytes of `bytes` end on a UTF-8 character boundary (a trailing sequence that
    /// is still incomplete waits for its other bytes).
    static func wholeCharacters(_ bytes: [UInt8]) -> Int {
        var lead = bytes.count - 1
        while lead >= 0 && lead >= bytes.count - 4 && bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= 0 else { return bytes.count }
        let first = bytes[lead]
        let length = first < 0x80 ? 1 : first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1
        return bytes.count - lead < length ? lead : bytes.count
    }

    /// Write out partial lines (at container exit).
    public func flush() throws(LighterError) {
        for (stream, buffer) in pending where !buffer.isEmpty { try emit(buffer, stream: stream) }
        pending.removeAll()
    }

    private func emit(_ line: [UInt8], stream: String) throws(LighterError) {
        let now = Time.now()
        let record = "{\"log\":\(JSON.quote(String(decoding: line, as: UTF8.self), escapeHTML: true)),\"stream\":\"\(stream)\",\"time\":\"\(Time.rfc3339(seconds: now.seconds, nanoseconds: max(now.nanoseconds, 1)))\"}\n"
        let bytes = Array(record.utf8)
        if size > 0 && size + Int64(bytes.count) > options.maxSize { try rotate() }
        do {
            try fd.write(bytes)
        } catch {
            // A full disk (ENOSPC, EDQUOT) may have taken part of the record: cut it off again, so the
            // next record starts a line of its own. The caller drops the record (Docker does too).
            try? fd.truncate(to: size)
            if dropped == 0 { dropReason = "\(error)" }
            dropped += 1
            throw error
        }
        size += Int64(bytes.count)
        if dropped > 0 {
            // The loss, reported once when there is room again (on the monitor's stderr: monitor.log,
            // or the terminal of an attached run): reported while the disk is full, it would be lost too.
            Console.error("lighter: \(dropped) log records of \(path) were dropped: \(dropReason)")
            dropped = 0
        }
    }

    private func rotate() throws(LighterError) {
        if options.maxFiles <= 1 {
            try fd.truncate(to: 0)
            size = 0
            return
        }
        for index in stride(from: options.maxFiles - 1, through: 1, by: -1) {
            let from = index == 1 ? path : "\(path).\(index - 1)"
            if FileSystem.exists(from) { try FileSystem.rename(from, to: "\(path).\(index)") }
        }
        fd = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, mode: 0o640)
        size = 0
    }
}
