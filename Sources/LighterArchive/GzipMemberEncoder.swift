#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CZlib
import LighterSystem

/// Writes gzip members as Lighter's layers hold them: a 10-byte header with no time, no name, the
/// "fastest"/"best" flag for levels 1/9 and OS Unix (the header libarchive's gzip filter writes), raw deflate at `level` with zlib's defaults
/// otherwise (32 KiB window, memLevel 8), then CRC-32 and length. zlib's output does not depend on how
/// the input is cut into calls, so the same bytes always make the same member.
public final class GzipMemberEncoder {
    private let header: [UInt8]
    private var stream = z_stream()
    private let buffer: UnsafeMutableRawPointer
    private static let bufferSize = 256 * 1024
    private var crc: uLong = 0
    private var length: UInt32 = 0
    public let level: Int

    public init(level: Int) throws(LighterError) {
        guard (1...9).contains(level) else { throw .invalidArgument("gzip level \(level) (1 to 9)") }
        self.level = level
        header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level == 1 ? 4 : level == 9 ? 2 : 0, 3]
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        guard deflateInit2_(&stream, Int32(level), Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            buffer.deallocate()
            throw .system(call: "deflateInit2", path: nil, errno: ENOMEM)
        }
        crc = crc32(0, nil, 0)
    }

    deinit {
        deflateEnd(&stream)
        buffer.deallocate()
    }

    /// One whole member of `bytes`.
    public func encode(_ bytes: UnsafeRawBufferPointer, to sink: (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) {
        try begin(sink)
        try feed(bytes, sink)
        try finish(sink)
    }

    /// Start a member: its header.
    public func begin(_ sink: (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) {
        guard deflateReset(&stream) == Z_OK else { throw .malformed(what: "gzip member", reason: "zlib could not reset") }
        crc = crc32(0, nil, 0)
        length = 0
        try withRawBytes(header, sink)
    }

    /// More of the member's bytes.
    public func feed(_ bytes: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) {
        guard !bytes.isEmpty else { return }
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, 1 << 30)
            let start = bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self)
            crc = crc32(crc, start, uInt(chunk))
            length = length &+ UInt32(truncatingIfNeeded: chunk)
            stream.next_in = UnsafeMutablePointer(mutating: start)
            stream.avail_in = uInt(chunk)
            try run(Z_NO_FLUSH, sink)
            offset += chunk
        }
    }

    /// End the member: the rest of the deflate stream, CRC-32 and length (little-endian).
    public func finish(_ sink: (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) {
        stream.avail_in = 0
        try run(Z_FINISH, sink)
        var trailer = [UInt8](repeating: 0, count: 8)
        let crcValue = UInt32(truncatingIfNeeded: crc)
        for i in 0..<4 {
            trailer[i] = UInt8(truncatingIfNeeded: crcValue >> (8 * UInt32(i)))
            trailer[4 + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i)))
        }
        try withRawBytes(trailer, sink)
    }

    private func run(_ flush: Int32, _ sink: (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) {
        while true {
            stream.next_out = buffer.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(Self.bufferSize)
            let status = deflate(&stream, flush)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw .malformed(what: "gzip member", reason: "zlib deflate failed (\(status))")
            }
            let made = Self.bufferSize - Int(stream.avail_out)
            if made > 0 { try sink(UnsafeRawBufferPointer(start: buffer, count: made)) }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { return }
            } else if stream.avail_in == 0 && stream.avail_out != 0 {
                return
            }
        }
    }
}
