import LighterSystem

/// A content digest. Lighter supports sha256 only; anything else is rejected with a clear error.
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// 64 lowercase hex characters.
    public let hex: String

    public init(parsing string: String) throws(LighterError) {
        guard let colon = string.firstIndex(of: ":") else {
            throw .invalidDigest("\"\(string)\" has no algorithm prefix (expected sha256:<64 hex>)")
        }
        let algorithm = string[..<colon]
        let hex = String(string[string.index(after: colon)...])
        guard algorithm == "sha256" else {
            throw .invalidDigest("algorithm \"\(algorithm)\" in \"\(string)\" is not supported (only sha256)")
        }
        try self.init(hex: hex)
    }

    public init(hex: String) throws(LighterError) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw .invalidDigest("\"\(hex)\" is not 64 lowercase hex characters")
        }
        self.hex = hex
    }

    /// The digest of `bytes`.
    public static func of<Bytes: Sequence>(_ bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = SHA256Hasher()
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    /// The digest of the bytes of a buffer (no copy).
    public static func of(buffer: UnsafeRawBufferPointer) -> Digest {
        var hasher = SHA256Hasher()
        hasher.update(buffer)
        return hasher.finalize()
    }

    public var description: String { "sha256:\(hex)" }
    public var short: String { String(hex.prefix(12)) }
    public static func < (a: Digest, b: Digest) -> Bool { a.hex < b.hex }

    public init(from decoder: any Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        self = try Digest(parsing: string)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Streaming sha256 (LighterSystem's `SHA256`: OpenSSL's libcrypto).
public struct SHA256Hasher: Sendable {
    private var inner = SHA256()
    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { inner.update(bytes) }
    public mutating func update(_ bytes: [UInt8]) { inner.update(bytes) }

    public func finalize() -> Digest {
        // Always 64 lowercase hex characters.
        try! Digest(hex: SHA256.hex(inner.finalize()))
    }
}

extension Digest {
    /// ChainID of a layer stack (OCI image-spec): chain(L0) = diffID(L0),
    /// chain(Ln) = sha256(chain(Ln-1) + " " + diffID(Ln)).
    public static func chainIDs(of diffIDs: [Digest]) -> [Digest] {
        var result: [Digest] = []
        for diffID in diffIDs {
            if let previous = result.last {
                result.append(.of(Array("\(previous) \(diffID)".utf8)))
            } else {
                result.append(diffID)
            }
        }
        return result
    }
}

extension Digest: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        self = try Digest(parsing: try String(json: json, path: path))
    }

    public var json: JSONNode { .string(description) }
}
