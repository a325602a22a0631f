import LighterOCI
import LighterSystem

/// The gzip side of a layer Lighter writes: the tar stream cut into gzip members at points its content
/// chooses — before a tar header whose name hashes to 0 modulo `spacing`, or once a member holds
/// `cap` bytes of tar — so that a file changed
/// between two versions of a layer changes the member that holds it and no other. A delta then
/// copies the unchanged members from the base's blob as they are and re-makes only the changed ones
/// (see `ImageStore.createDelta`). Any gzip reader reads the members as one stream; the cost is a
/// header, a trailer and a cold 32 KiB window per member: 0.26 % on the delta benchmark's 145 MB tree
/// (355 members), whose 40 changed files touch 12 MB of tar (docs/BENCHMARKS.md).
public final class GzipLayerWriter {
    /// One cut every `spacing` tar headers on average (files, directories, links).
    public static let spacing: UInt64 = 16
    /// A cut at the next header once a member holds this many tar bytes: a cut the size decides moves
    /// with a change before it, until the next cut a name decides.
    public static let cap: Int64 = 512 << 10
    private let encoder: GzipMemberEncoder
    private let output: (UnsafeRawBufferPointer) throws(LighterError) -> Void
    /// Tar bytes handed to the encoder so far, and where the next tar header starts.
    private var position: Int64 = 0
    private var nextHeader: Int64 = 0
    /// A header being gathered (it may come in pieces) before the cut is decided.
    private var header: [UInt8] = []
    private var started = false
    private var memberStart: Int64 = 0

    public init(level: Int, output: @escaping (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) {
        encoder = try GzipMemberEncoder(level: level)
        self.output = output
    }

    /// More of the tar stream.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(LighterError) {
        var rest = bytes
        while !rest.isEmpty {
            if position == nextHeader {
                let take = min(512 - header.count, rest.count)
                header.append(contentsOf: rest.prefix(take))
                rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
                guard header.count == 512 else { continue }
                if !started || position - memberStart >= Self.cap || Self.cutsBefore(header) {
                    if started { try encoder.finish(output) }
                    try encoder.begin(output)
                    started = true
                    memberStart = position
                }
                try withRawBytes(header) { (bytes) throws(LighterError) in try encoder.feed(bytes, output) }
                position += 512
                nextHeader = position + ((Self.size(of: header) + 511) / 512) * 512
                header.removeAll(keepingCapacity: true)
            } else {
                let take = Int(min(Int64(rest.count), nextHeader - position))
                try encoder.feed(UnsafeRawBufferPointer(rebasing: rest.prefix(take)), output)
                rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
                position += Int64(take)
            }
        }
    }

    /// End the last member (a stream cut inside a header keeps those bytes).
    public func finish() throws(LighterError) {
        if !started { try encoder.begin(output) }
        if !header.isEmpty { try withRawBytes(header) { (bytes) throws(LighterError) in try encoder.feed(bytes, output) } }
        try encoder.finish(output)
    }

    /// A new member starts before this header: FNV-1a of its name field, modulo `spacing`.
    static func cutsBefore(_ header: [UInt8]) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in header[0..<100] {
            if byte == 0 { break }
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash % spacing == 0
    }

    /// The size field of a tar header: octal, or base-256 when its first byte has the high bit set.
    static func size<Header: RandomAccessCollection<UInt8>>(of header: Header) -> Int64 where Header.Index == Int {
        let field = header[(header.startIndex + 124)..<(header.startIndex + 136)]
        if field.first! & 0x80 != 0 {
            var value: Int64 = Int64(field.first! & 0x7f)
            for byte in field.dropFirst() {
                guard value < Int64.max >> 9 else { return 0 }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        var value: Int64 = 0
        for byte in field {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7") else {
                if byte == 0 || byte == UInt8(ascii: " ") { if value > 0 { break } else { continue } }
                return 0
            }
            guard value < Int64.max >> 4 else { return 0 }
            value = value * 8 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
