import LighterOCI
import LighterSystem

/// Where the files of an unpacked gzip layer lie in its blob, so that a later delta that copies whole
/// gzip members of this blob can link those files from this snapshot instead of writing them again.
///
/// A file is placed by the gzip member its tar entry starts in (the member's compressed offset) and
/// the entry's offset inside that member's uncompressed bytes; `through` is where the last member
/// holding the entry (pax headers, header and padded data) ends in the blob. Only regular files are
/// listed, each the last entry for its path (a later entry of another path may still have removed it:
/// `LayerLinker` checks the file is there as the entry made it).
public struct LayerIndex: Sendable, Equatable {
    public struct Key: Hashable, Sendable {
        public var member: Int64
        public var offset: Int64
    }

    public struct File: Sendable, Equatable {
        public var member: Int64
        public var offset: Int64
        public var through: Int64
        public var size: Int64
    }

    /// The blob the coordinates are in.
    public var blob: Digest
    /// Where each of the blob's gzip members starts, in the blob and in the tar.
    public var members: [GzipMemberStart]
    /// Where the gzip data ends in the blob, and the tar's size.
    public var gzipEnd: Int64
    public var tarSize: Int64
    public var files: [File]

    public init(blob: Digest, members: [GzipMemberStart], gzipEnd: Int64, tarSize: Int64, files: [File]) {
        self.blob = blob
        self.members = members
        self.gzipEnd = gzipEnd
        self.tarSize = tarSize
        self.files = files
    }

    /// The tar bytes that the whole members at `range` of the blob hold; nil unless `range` starts and
    /// ends at member boundaries.
    public func tarRange(ofMembers range: Range<Int64>) -> Range<Int64>? {
        func tarOffset(_ offset: Int64) -> Int64? {
            if offset == gzipEnd { return tarSize }
            // The first member starting at `offset` (members are in blob order).
            var low = 0, high = members.count
            while low < high {
                let middle = (low + high) / 2
                if members[middle].offset < offset { low = middle + 1 } else { high = middle }
            }
            return low < members.count && members[low].offset == offset ? members[low].uncompressedOffset : nil
        }
        guard let lower = tarOffset(range.lowerBound), let upper = tarOffset(range.upperBound), lower <= upper else { return nil }
        return lower..<upper
    }

    public var byStart: [Key: File] {
        Dictionary(files.map { (Key(member: $0.member, offset: $0.offset), $0) }, uniquingKeysWith: { first, _ in first })
    }

    private static let magic = Array("lighter layer index 1\n".utf8)

    /// Little-endian 64-bit integers after the magic line and the blob digest's line: the member
    /// count, two per member, the gzip end and the tar size, then four per file; last, the SHA-256 (hex)
    /// of all that (an index that does not match it is not used).
    public var encoded: [UInt8] {
        var bytes = Self.magic + Array("\(blob)\n".utf8)
        bytes.reserveCapacity(bytes.count + 24 + members.count * 16 + files.count * 32)
        func put(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        put(Int64(members.count))
        for member in members {
            put(member.offset)
            put(member.uncompressedOffset)
        }
        put(gzipEnd)
        put(tarSize)
        for file in files {
            put(file.member)
            put(file.offset)
            put(file.through)
            put(file.size)
        }
        return bytes + Array(Digest.of(bytes).hex.utf8)
    }

    public init(decoding file: [UInt8], what: String) throws(LighterError) {
        guard file.count > 64, file.starts(with: Self.magic) else { throw .malformed(what: what, reason: "not a layer index") }
        let bytes = Array(file.dropLast(64))
        guard Array(Digest.of(bytes).hex.utf8) == Array(file.suffix(64)) else { throw .malformed(what: what, reason: "its checksum does not match") }
        let rest = bytes[Self.magic.count...]
        guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else { throw .malformed(what: what, reason: "no blob digest") }
        blob = try Digest(parsing: String(decoding: rest[rest.startIndex..<newline], as: UTF8.self))
        let records = bytes[(newline + 1)...]
        let parsed = records.withUnsafeBytes { raw -> (members: [GzipMemberStart], gzipEnd: Int64, tarSize: Int64, files: [File])? in
            func value(_ at: Int) -> Int64 { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int64.self)) }
            guard raw.count >= 24 else { return nil }
            let count = value(0)
            guard count >= 0, count < Int64(raw.count / 16) else { return nil }
            let filesStart = 8 + Int(count) * 16 + 16
            guard raw.count >= filesStart, (raw.count - filesStart) % 32 == 0 else { return nil }
            let members = (0..<Int(count)).map { GzipMemberStart(offset: value(8 + $0 * 16), uncompressedOffset: value(16 + $0 * 16)) }
            let files = stride(from: filesStart, to: raw.count, by: 32).map {
                File(member: value($0), offset: value($0 + 8), through: value($0 + 16), size: value($0 + 24))
            }
            return (members, value(filesStart - 16), value(filesStart - 8), files)
        }
        guard let parsed else { throw .malformed(what: what, reason: "cut short") }
        members = parsed.members
        gzipEnd = parsed.gzipEnd
        tarSize = parsed.tarSize
        files = parsed.files
    }
}

/// A gzip blob's members as a delta knows them without inflating the blob: given to
/// `LayerApplier.apply` with the blob's tar, so that the snapshot's index and links are placed in the blob.
public struct GzipLayout: Sendable, Equatable {
    public var blob: Digest
    public var members: [GzipMemberStart]
    public var gzipEnd: Int64

    public init(blob: Digest, members: [GzipMemberStart], gzipEnd: Int64) {
        self.blob = blob
        self.members = members
        self.gzipEnd = gzipEnd
    }
}

/// The entries of a tar stream as the unpacker read them, made into a `LayerIndex` once the stream's
/// gzip members are known. A path is kept as its hash (a few bytes an entry, for layers of many
/// thousand files): two paths of one hash only hide the earlier from the index. A file that a later
/// entry of another path removed (a whiteout, a parent replaced) stays listed; the linker finds it
/// gone or changed and writes the file instead.
struct LayerIndexRecorder {
    private var entries: [(position: Int64, path: Int, size: Int64?)] = []

    /// A regular file (`size`) or anything else (nil) starting at `position` of the tar stream.
    mutating func entry(at position: Int64, path: LayerPath, fileSize size: Int64?) {
        entries.append((position, path.hashValue, size))
    }

    /// The index, with `end` the tar stream's end-of-archive position; nil without gzip members.
    func index(blob: Digest, members: [GzipMemberStart], end: Int64, gzipEnd: Int64, tarSize: Int64) -> LayerIndex? {
        guard !members.isEmpty else { return nil }
        var last: [Int: Int] = [:]
        for (number, entry) in entries.enumerated() { last[entry.path] = number }
        var files: [LayerIndex.File] = []
        for (number, entry) in entries.enumerated() {
            guard let size = entry.size, last[entry.path] == number else { continue }
            let endPosition = number + 1 < entries.count ? entries[number + 1].position : end
            guard endPosition > entry.position else { continue }
            guard let first = members.member(holding: entry.position), let final = members.member(holding: endPosition - 1) else { continue }
            let through = final + 1 < members.count ? members[final + 1].offset : gzipEnd
            files.append(LayerIndex.File(member: members[first].offset, offset: entry.position - members[first].uncompressedOffset,
                                         through: through, size: size))
        }
        return LayerIndex(blob: blob, members: members, gzipEnd: gzipEnd, tarSize: tarSize, files: files)
    }
}
