/// A type that converts itself to and from a `JSONNode` in plain code (no Codable). Optional
/// fields are left out when nil; unknown fields are ignored when reading.
public protocol JSONConvertible {
    init(json: JSONNode, path: JSONPath) throws(LighterError)
    var json: JSONNode { get }
}

extension JSONConvertible {
    /// Read a whole document: `T(jsonBytes: bytes, what: "config.json")`.
    public init(jsonBytes bytes: [UInt8], what: String) throws(LighterError) {
        try self.init(json: try JSONNode.parse(bytes, what: what), path: JSONPath(what: what))
    }

    /// The document's bytes (keys sorted; `pretty` for files people read).
    public func jsonBytes(pretty: Bool = false) -> [UInt8] { json.serialized(pretty: pretty) }
}

extension JSONConvertible where Self: RawRepresentable, RawValue == String {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let raw = try String(json: json, path: path)
        guard let value = Self(rawValue: raw) else { throw path.badValue("unknown value \"\(raw)\"") }
        self = value
    }

    public var json: JSONNode { .string(rawValue) }
}

extension JSONNode: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) { self = json }
    public var json: JSONNode { self }
}

extension String: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        guard case let .string(text) = json else { throw path.wrongType(expected: "a string", found: json) }
        self = text
    }

    public var json: JSONNode { .string(self) }
}

extension Bool: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        guard case let .bool(value) = json else { throw path.wrongType(expected: "true or false", found: json) }
        self = value
    }

    public var json: JSONNode { .bool(self) }
}

/// Whole numbers of every width Lighter stores; a value out of the type's range is refused.
public protocol JSONInteger: FixedWidthInteger, JSONConvertible {}

extension JSONInteger {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        guard case let .number(text) = json else { throw path.wrongType(expected: "a whole number", found: json) }
        guard let value = Self(text) else {
            throw path.badValue("\(text) is not a whole number between \(Self.min) and \(Self.max)")
        }
        self = value
    }

    public var json: JSONNode { .number(String(self)) }
}

extension Int: JSONInteger {}
extension Int32: JSONInteger {}
extension Int64: JSONInteger {}
extension UInt16: JSONInteger {}
extension UInt32: JSONInteger {}
extension UInt64: JSONInteger {}

extension Array: JSONConvertible where Element: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        guard case let .array(items) = json else { throw path.wrongType(expected: "an array", found: json) }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            result.append(try Element(json: item, path: path.appending(index)))
        }
        self = result
    }

    public var json: JSONNode { .array(map { $0.json }) }
}

extension Dictionary: JSONConvertible where Key == String, Value: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        guard case let .object(fields) = json else { throw path.wrongType(expected: "an object", found: json) }
        var result: [String: Value] = [:]
        result.reserveCapacity(fields.count)
        for (key, item) in fields {
            result[key] = try Value(json: item, path: path.appending(key))
        }
        self = result
    }

    public var json: JSONNode { .object(mapValues { $0.json }) }
}

/// The fields of an object being read, with the path for error messages.
public struct JSONFields {
    public let path: JSONPath
    public let fields: [String: JSONNode]

    public init(_ node: JSONNode, _ path: JSONPath) throws(LighterError) {
        guard case let .object(fields) = node else { throw path.wrongType(expected: "an object", found: node) }
        self.fields = fields
        self.path = path
    }

    /// A field that must be present (and not null).
    public func required<T: JSONConvertible>(_ key: String, as type: T.Type = T.self) throws(LighterError) -> T {
        guard let node = fields[key], node != .null else { throw path.missing(key) }
        return try T(json: node, path: path.appending(key))
    }

    /// A field that may be missing or null.
    public func optional<T: JSONConvertible>(_ key: String, as type: T.Type = T.self) throws(LighterError) -> T? {
        guard let node = fields[key], node != .null else { return nil }
        return try T(json: node, path: path.appending(key))
    }

    /// Refuse a key outside `known` (a strict reader: a setting nobody applies must not be ignored).
    public func refuseUnknown(_ known: Set<String>) throws(LighterError) {
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw .unsupported(feature: "\(path.what) field \"\(path.appending(unknown).keys)\"", fix: "Lighter does not know this setting; remove it")
        }
    }

    /// Refuse keys the runtime knows but cannot apply, when they are set (not null, empty or zero).
    public func refuseSet(_ keys: [String], why fix: String) throws(LighterError) {
        for key in keys {
            guard let node = fields[key] else { continue }
            switch node {
            case .null, .bool(false): continue
            case let .string(text) where text.isEmpty: continue
            case let .array(items) where items.isEmpty: continue
            case let .object(items) where items.isEmpty: continue
            case let .number(text) where Double(text) == 0: continue
            default: throw .unsupported(feature: "\(path.what) field \"\(path.appending(key).keys)\"", fix: fix)
            }
        }
    }

    /// A field that may be missing or null, with the value to use then (fields added after a
    /// format was first written).
    public func value<T: JSONConvertible>(_ key: String, default fallback: T) throws(LighterError) -> T {
        try optional(key) ?? fallback
    }
}
