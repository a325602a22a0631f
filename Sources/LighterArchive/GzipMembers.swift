#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CZlib
import LighterOCI
import LighterSystem

/// One gzip member of a blob: where its bytes are (header and trailer included) and where its
/// uncompressed bytes fall in the whole stream. A gzip file may be several members one after the
/// other (RFC 1952 §2.2); every gzip reader (zlib's, Go's, libarchive's) reads them as one stream.
public struct GzipMember: Sendable, Equatable {
    public var offset: Int
    public var size: Int
    public var uncompressedOffset: Int64
    public var uncompressedSize: Int64

    public init(offset: Int, size: Int, uncompressedOffset: Int64, uncompressedSize: Int64) {
        self.offset = offset
        self.size = size
        self.uncompressedOffset = uncompressedOffset
        self.uncompressedSize = uncompressedSize
    }
}

/// Gzip blobs member by member, with zlib: split one into its members (inflating it), inflate a range
/// of whole members, and write one member as Lighter's layer writer does (`GzipMemberEncoder`), so that
/// a delta can re-make a changed member byte for byte and copy the others as they are.
public enum GzipMembers {
    /// Inflate `blob` (a whole gzip file) member by member, the uncompressed bytes going to `output`
    /// (when given) and into the returned digest. Fails on anything that is not whole gzip members or
    /// expands past `limits`.
    public static func split(_ blob: UnsafeRawBufferPointer, to output: FileDescriptor?, limits: LayerLimits,
                             what: String) throws(LighterError) -> (members: [GzipMember], digest: Digest, size: Int64) {
        var hasher = SHA256Hasher()
        var members: [GzipMember] = []
        var total: Int64 = 0
        let inflater = try Inflater(what: what)
        var offset = 0
        while offset < blob.count {
            let member = try inflater.member(blob, at: offset, limit: limits.maxUncompressedBytes - total) { (bytes) throws(LighterError) in
                hasher.update(bytes)
                try output?.write(bytes)
            }
            members.append(GzipMember(offset: offset, size: member.consumed, uncompressedOffset: total, uncompressedSize: member.produced))
            total += member.produced
            offset += member.consumed
        }
        guard !members.isEmpty else { throw .malformed(what: what, reason: "it is empty, not gzip") }
        return (members, hasher.finalize(), total)
    }

    /// Inflate the whole members that `range` of `blob` holds, appending their bytes to `output`;
    /// returns how many were written. `range` must start and end at member boundaries.
    public static func inflate(_ blob: UnsafeRawBufferPointer, range: Range<Int>, to output: FileDescriptor,
                               limit: Int64, what: String) throws(LighterError) -> Int64 {
        try inflate(blob, range: range, limit: limit, what: what) { (bytes) throws(LighterError) in try output.write(bytes) }
    }

    /// Inflate the whole members that `range` of `blob` holds, handing their bytes to `body` in order.
    public static func inflate(_ blob: UnsafeRawBufferPointer, range: Range<Int>, limit: Int64, what: String,
                               to body: (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) -> Int64 {
        guard range.lowerBound >= 0, range.upperBound <= blob.count else {
            throw .malformed(what: what, reason: "bytes \(range.lowerBound)..<\(range.upperBound) lie outside its \(blob.count) bytes")
        }
        let inflater = try Inflater(what: what)
        let window = UnsafeRawBufferPointer(rebasing: blob[range])
        var offset = 0
        var total: Int64 = 0
        while offset < window.count {
            let member = try inflater.member(window, at: offset, limit: limit - total, body)
            offset += member.consumed
            total += member.produced
        }
        return total
    }

    /// True when `level` re-makes `member` (one whole gzip member) from `bytes`.
    public static func reproduces(_ member: UnsafeRawBufferPointer, from bytes: UnsafeRawBufferPointer, level: Int) -> Bool {
        guard let encoder = try? GzipMemberEncoder(level: level) else { return false }
        var offset = 0
        var same = true
        do throws(LighterError) {
            try encoder.encode(bytes) { (chunk) throws(LighterError) in
                guard same, offset + chunk.count <= member.count,
                      chunk.isEmpty || memcmp(member.baseAddress! + offset, chunk.baseAddress!, chunk.count) == 0 else {
                    same = false
                    throw .digestMismatch(what: "gzip member", expected: "the member's bytes", actual: "other bytes at \(offset)")
                }
                offset += chunk.count
            }
        } catch {
            return false
        }
        return same && offset == member.count
    }
}

/// zlib's inflate over gzip members held in memory, one at a time.
final class Inflater {
    private let zlib: GzipInflateStream
    private let what: String

    init(what: String) throws(LighterError) {
        self.what = what
        zlib = try GzipInflateStream(what: what)
    }

    /// Inflate the member at `offset` of `blob`, handing its bytes to `body`; returns the compressed
    /// bytes it spans and the bytes it made.
    func member(_ blob: UnsafeRawBufferPointer, at offset: Int, limit: Int64,
                _ body: (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) -> (consumed: Int, produced: Int64) {
        try zlib.reset()
        zlib.stream.next_in = UnsafeMutablePointer(mutating: blob.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self))
        zlib.stream.avail_in = 0
        var remaining = blob.count - offset
        var produced: Int64 = 0
        while true {
            if zlib.stream.avail_in == 0 {
                let chunk = min(remaining, 1 << 30)
                zlib.stream.avail_in = uInt(chunk)
                remaining -= chunk
            }
            let (status, made) = zlib.step()
            produced += Int64(made.count)
            guard produced <= limit else {
                throw .limitExceeded("\(what) expands past \(limit) more bytes (LayerLimits)")
            }
            if !made.isEmpty { try body(made) }
            switch status {
            case Z_STREAM_END:
                let consumed = blob.count - offset - remaining - Int(zlib.stream.avail_in)
                return (consumed, produced)
            case Z_OK:
                continue
            case Z_BUF_ERROR where zlib.stream.avail_in == 0 && remaining == 0:
                throw .malformed(what: what, reason: "a gzip member is cut short at byte \(blob.count)")
            default:
                throw .malformed(what: what, reason: "not gzip at byte \(offset) or after (\(zlib.message(status)))")
            }
        }
    }
}

/// `body` over an array's bytes, with typed throws (Array's `withUnsafeBytes` rethrows untyped).
func withRawBytes(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) {
    var failure: LighterError?
    array.withUnsafeBytes { bytes in
        do throws(LighterError) { try body(bytes) } catch { failure = error }
    }
    if let failure { throw failure }
}
