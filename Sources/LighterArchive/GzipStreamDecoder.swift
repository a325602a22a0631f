#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CZlib
import LighterSystem

/// Where one gzip member of a stream starts: its first compressed byte, and the uncompressed offset of
/// its first byte. A layer's entries are placed by these (`LayerIndex`), so that a delta copying whole
/// members can tell which of BASE's files it copies.
public struct GzipMemberStart: Sendable, Equatable {
    public var offset: Int64
    public var uncompressedOffset: Int64

    public init(offset: Int64, uncompressedOffset: Int64) {
        self.offset = offset
        self.uncompressedOffset = uncompressedOffset
    }
}

extension Array where Element == GzipMemberStart {
    /// The last member starting at or before tar offset `position` (nil when none does): the one that
    /// holds it. Binary search: members are in stream order.
    func member(holding position: Int64) -> Int? {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].uncompressedOffset <= position { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }
}

/// A gzip stream inflated with zlib, member by member, as it is read from a `HashingInput`; notes where
/// each member starts. Reads as libarchive's gzip filter does: members one after the other, and bytes
/// after the last member that do not start another one end the stream (they are hashed by the input's
/// drain, not decoded).
final class GzipStreamDecoder {
    private let zlib: GzipInflateStream
    private let input: HashingInput
    private let what: String
    /// Compressed bytes handed to zlib before the current input chunk.
    private var before: Int64 = 0
    private var chunkSize = 0
    private var produced: Int64 = 0
    private var inMember = false
    private var finished = false
    private(set) var members: [GzipMemberStart] = []
    /// Where the gzip data ended (the compressed offset after the last member), once the stream has.
    private(set) var end: Int64 = 0

    init(input: HashingInput, what: String) throws(LighterError) {
        self.input = input
        self.what = what
        zlib = try GzipInflateStream(what: what)
    }

    /// The compressed offset of the next byte zlib would read.
    private var position: Int64 { before + Int64(chunkSize - Int(zlib.stream.avail_in)) }

    /// Refill zlib's input from the stream; false at its end.
    private func refill() throws(LighterError) -> Bool {
        before += Int64(chunkSize)
        let chunk = try input.next()
        chunkSize = chunk.count
        zlib.stream.next_in = chunk.isEmpty ? nil : UnsafeMutablePointer(mutating: chunk.baseAddress!.assumingMemoryBound(to: Bytef.self))
        zlib.stream.avail_in = uInt(chunk.count)
        return !chunk.isEmpty
    }

    /// The next uncompressed chunk (empty at the end). Valid until the next call.
    func next() throws(LighterError) -> UnsafeRawBufferPointer {
        while !finished {
            if zlib.stream.avail_in == 0, try !refill() {
                if inMember { throw .malformed(what: what, reason: "truncated gzip input: a member is cut short at byte \(position)") }
                finished = true
                end = position
                break
            }
            if !inMember {
                // Another member, or (libarchive's reading) the end of the gzip data.
                guard zlib.stream.next_in.pointee == 0x1f else {
                    finished = true
                    end = position
                    break
                }
                try zlib.reset()
                members.append(GzipMemberStart(offset: position, uncompressedOffset: produced))
                inMember = true
            }
            let (status, made) = zlib.step()
            switch status {
            case Z_STREAM_END: inMember = false
            case Z_OK: break
            case Z_BUF_ERROR where zlib.stream.avail_in == 0: break   // more input needed
            default:
                throw .malformed(what: what, reason: "gzip decompression failed at byte \(position) (\(zlib.message(status)))")
            }
            if !made.isEmpty {
                produced += Int64(made.count)
                return made
            }
        }
        return UnsafeRawBufferPointer(start: nil, count: 0)
    }
}
