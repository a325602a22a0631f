/// A netlink request under construction: the 16-byte header, a fixed family header, then
/// attributes (type-length-value, 4-byte aligned), with nesting.
struct NetlinkMessage {
    private(set) var bytes: [UInt8]
    private var nests: [Int] = []

    init(type: UInt16, flags: UInt16, header: [UInt8]) {
        bytes = [UInt8](repeating: 0, count: 16)
        Self.put(type, into: &bytes, at: 4)
        Self.put(flags, into: &bytes, at: 6)
        bytes += header
        align()
    }

    mutating func attribute(_ type: UInt16, _ payload: [UInt8]) {
        let length = UInt16(4 + payload.count)
        append(length)
        append(type)
        bytes += payload
        align()
    }

    mutating func attribute(_ type: UInt16, string: String) { attribute(type, Array(string.utf8) + [0]) }
    mutating func attribute(_ type: UInt16, uint32 value: UInt32) { attribute(type, Self.bytes(of: value)) }

    /// Open a nested attribute; close it with `end()`.
    mutating func begin(_ type: UInt16) {
        nests.append(bytes.count)
        append(UInt16(0))
        append(type | 0x8000)   // NLA_F_NESTED
    }

    mutating func end() {
        let start = nests.removeLast()
        Self.put(UInt16(bytes.count - start), into: &bytes, at: start)
    }

    /// Raw bytes inside the current attribute (e.g. a nested ifinfomsg for a veth peer).
    mutating func raw(_ payload: [UInt8]) {
        bytes += payload
        align()
    }

    /// The finished message with its length and sequence number.
    func finished(sequence: UInt32) -> [UInt8] {
        var out = bytes
        Self.put(UInt32(out.count), into: &out, at: 0)
        Self.put(sequence, into: &out, at: 8)
        return out
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) { bytes += Self.bytes(of: value) }
    private mutating func align() { while bytes.count % 4 != 0 { bytes.append(0) } }

    static func bytes<T: FixedWidthInteger>(of value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func put<T: FixedWidthInteger>(_ value: T, into buffer: inout [UInt8], at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { buffer[offset + i] = byte }
        }
    }

    static func read<T: FixedWidthInteger>(_: T.Type, _ buffer: ArraySlice<UInt8>, at offset: Int) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { raw in
            for i in 0..<MemoryLayout<T>.size { raw[i] = buffer[buffer.startIndex + offset + i] }
        }
        return T(littleEndian: value)
    }
}

/// Attributes parsed from a reply: type → payload (first occurrence wins).
struct NetlinkAttributes {
    var values: [UInt16: ArraySlice<UInt8>] = [:]

    init(_ data: ArraySlice<UInt8>) {
        var offset = 0
        while offset + 4 <= data.count {
            let length = Int(NetlinkMessage.read(UInt16.self, data, at: offset))
            let type = NetlinkMessage.read(UInt16.self, data, at: offset + 2) & 0x3fff
            guard length >= 4, offset + length <= data.count else { break }
            let start = data.startIndex + offset + 4
            if values[type] == nil { values[type] = data[start..<(start + length - 4)] }
            offset += (length + 3) & ~3
        }
    }

    func string(_ type: UInt16) -> String? {
        guard let payload = values[type] else { return nil }
        return String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self)
    }

    func uint32(_ type: UInt16) -> UInt32? {
        guard let payload = values[type], payload.count >= 4 else { return nil }
        return NetlinkMessage.read(UInt32.self, payload, at: 0)
    }
}
