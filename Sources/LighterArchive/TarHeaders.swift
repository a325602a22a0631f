/// The entries of an uncompressed tar, read from its headers alone: where each header starts and the
/// name it gives (a pax `path` record or a GNU long name applies to the entry that follows). For
/// choosing a delta's reference, not for unpacking: it stops quietly at the end marker or at the
/// first block that is not a valid header.
public enum TarHeaders {
    public struct Entry: Sendable, Equatable {
        public var offset: Int64
        public var name: String
    }

    public static func entries(of tar: UnsafeRawBufferPointer) -> [Entry] {
        var entries: [Entry] = []
        var offset = 0
        var longName: String?
        while offset + 512 <= tar.count {
            let header = UnsafeRawBufferPointer(rebasing: tar[offset..<offset + 512])
            guard header[0] != 0, checksumHolds(header) else { break }
            let size = GzipLayerWriter.size(of: header)
            let dataStart = offset + 512
            guard size >= 0, Int64(dataStart) + size <= Int64(tar.count) else { break }
            let data = UnsafeRawBufferPointer(rebasing: tar[dataStart..<dataStart + Int(size)])
            switch header[156] {
            case UInt8(ascii: "x"):
                longName = paxPath(data) ?? longName
            case UInt8(ascii: "L"):
                longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "g"), UInt8(ascii: "K"):
                break
            default:
                entries.append(Entry(offset: Int64(offset), name: longName ?? ustarName(header)))
                longName = nil
            }
            offset = dataStart + Int((size + 511) / 512 * 512)
        }
        return entries
    }

    static func field(_ header: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: header[range].prefix { $0 != 0 }, as: UTF8.self)
    }

    static func ustarName(_ header: UnsafeRawBufferPointer) -> String {
        let name = field(header, 0..<100)
        let prefix = header[257..<262].elementsEqual("ustar".utf8) ? field(header, 345..<500) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The header's checksum: the sum of its bytes with the checksum field read as spaces.
    static func checksumHolds(_ header: UnsafeRawBufferPointer) -> Bool {
        var sum = 0
        for (i, byte) in header.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(byte) }
        var stored = 0
        for byte in header[148..<156] {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7") { stored = stored * 8 + Int(byte - UInt8(ascii: "0")) } else if stored > 0 { break }
        }
        return stored == sum
    }

    /// The `path` record of a pax extended header ("LEN path=VALUE\n" records).
    static func paxPath(_ data: UnsafeRawBufferPointer) -> String? {
        var index = 0
        while index < data.count {
            var length = 0
            var cursor = index
            while cursor < data.count, data[cursor] >= UInt8(ascii: "0"), data[cursor] <= UInt8(ascii: "9") {
                length = length * 10 + Int(data[cursor] - UInt8(ascii: "0"))
                cursor += 1
            }
            guard length > 0, index + length <= data.count, cursor < data.count, data[cursor] == UInt8(ascii: " ") else { return nil }
            let record = data[(cursor + 1)..<(index + length - 1)]
            if record.starts(with: "path=".utf8) {
                return String(decoding: record.dropFirst(5), as: UTF8.self)
            }
            index += length
        }
        return nil
    }
}
