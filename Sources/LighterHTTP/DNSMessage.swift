/// The little of RFC 1035 a stub resolver needs: an A or AAAA question, and the addresses in an answer.
enum DNSMessage {
    static let typeA: UInt16 = 1
    static let typeAAAA: UInt16 = 28

    /// A recursive query for `name` (dots between labels, no trailing dot); nil when a label is empty or over 63 bytes.
    static func query(id: UInt16, name: String, type: UInt16) -> [UInt8]? {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            let utf8 = Array(label.utf8)
            guard !utf8.isEmpty, utf8.count <= 63 else { return nil }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        guard bytes.count <= 12 + 255 else { return nil }
        bytes += [0, UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
        return bytes
    }

    struct Answer: Equatable {
        var id: UInt16
        /// RCODE: 0 no error, 2 server failure, 3 no such name, 5 refused.
        var responseCode: UInt8
        var truncated: Bool
        var addresses: [IPAddress]
    }

    /// Parse a response; nil when it is not a well-formed response.
    static func parse(_ bytes: [UInt8]) -> Answer? {
        guard bytes.count >= 12, bytes[2] & 0x80 != 0 else { return nil }
        var reader = Reader(bytes: bytes, offset: 12)
        let questions = Int(UInt16(bytes[4]) << 8 | UInt16(bytes[5]))
        let answers = Int(UInt16(bytes[6]) << 8 | UInt16(bytes[7]))
        for _ in 0..<questions {
            guard reader.skipName(), reader.skip(4) else { return nil }
        }
        var addresses: [IPAddress] = []
        for _ in 0..<answers {
            guard reader.skipName(), let type = reader.u16(), reader.skip(6), let length = reader.u16(),
                  let data = reader.take(Int(length)) else { break }
            if type == typeA, data.count == 4 { addresses.append(.v4(data)) }
            if type == typeAAAA, data.count == 16 { addresses.append(.v6(data)) }
        }
        return Answer(id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), responseCode: bytes[3] & 0x0f,
                      truncated: bytes[2] & 0x02 != 0, addresses: addresses)
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset: Int

        mutating func skip(_ count: Int) -> Bool {
            guard offset + count <= bytes.count else { return false }
            offset += count
            return true
        }

        mutating func u16() -> UInt16? {
            guard offset + 2 <= bytes.count else { return nil }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }

        mutating func take(_ count: Int) -> [UInt8]? {
            guard offset + count <= bytes.count else { return nil }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        /// Skip a name: labels up to a zero byte, or up to a compression pointer (two bytes).
        mutating func skipName() -> Bool {
            while offset < bytes.count {
                let length = bytes[offset]
                if length & 0xc0 == 0xc0 { return skip(2) }
                guard length & 0xc0 == 0 else { return false }
                offset += 1
                if length == 0 { return true }
                guard skip(Int(length)) else { return false }
            }
            return false
        }
    }
}
