#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CZlib
import LighterSystem

/// zlib's inflate set up for gzip (header and trailer checked: CRC-32 and length; 32 KiB window), with
/// its output buffer: what `Inflater` (a blob in memory) and `GzipStreamDecoder` (a stream) share.
final class GzipInflateStream {
    /// The caller points `next_in`/`avail_in` at the input and reads them back.
    var stream = z_stream()
    private let buffer: UnsafeMutableRawPointer
    private static let bufferSize = 256 * 1024
    private let what: String

    init(what: String) throws(LighterError) {
        self.what = what
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        // 16 + 15: gzip wrapper (header and trailer checked: CRC-32 and length), 32 KiB window.
        guard inflateInit2_(&stream, 16 + 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            buffer.deallocate()
            throw .system(call: "inflateInit2", path: nil, errno: ENOMEM)
        }
    }

    deinit {
        inflateEnd(&stream)
        buffer.deallocate()
    }

    /// Start reading a new member.
    func reset() throws(LighterError) {
        guard inflateReset(&stream) == Z_OK else { throw .malformed(what: what, reason: "zlib could not reset") }
    }

    /// Inflate what `stream` holds into the buffer: zlib's status, and the bytes made (valid until the
    /// next call).
    func step() -> (status: Int32, made: UnsafeRawBufferPointer) {
        stream.next_out = buffer.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(Self.bufferSize)
        let status = inflate(&stream, Z_NO_FLUSH)
        return (status, UnsafeRawBufferPointer(start: buffer, count: Self.bufferSize - Int(stream.avail_out)))
    }

    /// zlib's message for a failed `status`.
    func message(_ status: Int32) -> String { stream.msg.map { String(cString: $0) } ?? "zlib error \(status)" }
}
