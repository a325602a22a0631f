import LighterSystem

/// An IPv4 address (host order in `value`).
public struct IPv4Address: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(bytes: [UInt8]) {
        value = bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Dotted quad; nil if malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let byte = UInt8(part) else { return nil }
            result = result << 8 | UInt32(byte)
        }
        value = result
    }

    public init(parsing text: String, what: String) throws(LighterError) {
        guard let address = IPv4Address(text) else { throw .invalidArgument("\(what) \"\(text)\" is not an IPv4 address") }
        self = address
    }

    public var bytes: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
    public var description: String { bytes.map(String.init).joined(separator: ".") }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad IPv4 address \(text)"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An IPv4 subnet in CIDR form.
public struct IPv4Subnet: Sendable, Hashable, CustomStringConvertible {
    public var network: IPv4Address
    public var prefix: Int

    public init(address: IPv4Address, prefix: Int) {
        self.prefix = prefix
        network = IPv4Address(address.value & Self.mask(prefix))
    }

    /// `10.1.0.0/16`; the address part must be the network address.
    public init(parsing text: String) throws(LighterError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), let prefix = Int(parts[1]), (8...30).contains(prefix) else {
            throw .invalidArgument("subnet \"\(text)\": expected an IPv4 CIDR such as 10.10.0.0/24 (prefix 8 to 30)")
        }
        self.init(address: address, prefix: prefix)
        guard network == address else {
            throw .invalidArgument("subnet \"\(text)\": \(address) is not the network address of /\(prefix) (did you mean \(self)?)")
        }
    }

    static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix) }
    public var mask: UInt32 { Self.mask(prefix) }
    public var broadcast: IPv4Address { IPv4Address(network.value | ~mask) }
    /// The first usable address (the default gateway).
    public var first: IPv4Address { IPv4Address(network.value + 1) }
    public var last: IPv4Address { IPv4Address(broadcast.value - 1) }
    public func contains(_ address: IPv4Address) -> Bool { address.value & mask == network.value }
    public func overlaps(_ other: IPv4Subnet) -> Bool {
        let common = Self.mask(min(prefix, other.prefix))
        return network.value & common == other.network.value & common
    }
    public var description: String { "\(network)/\(prefix)" }
}

/// A MAC address as Docker derives it from an IPv4 address (02:42:a.b.c.d), or parsed.
public enum MACAddress {
    public static func derived(from address: IPv4Address) -> [UInt8] { [0x02, 0x42] + address.bytes }

    public static func parse(_ text: String) throws(LighterError) -> [UInt8] {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var bytes: [UInt8] = []
        for part in parts {
            guard part.count == 2, let byte = UInt8(part, radix: 16) else { bytes = []; break }
            bytes.append(byte)
        }
        guard bytes.count == 6 else { throw .invalidArgument("--mac-address \"\(text)\": expected six hex pairs such as 02:42:ac:11:00:02") }
        guard bytes[0] & 1 == 0 else { throw .invalidArgument("--mac-address \(text) is a multicast address") }
        return bytes
    }

    public static func format(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}
