/// A JSON document as a tree, read and written without Codable.
///
/// Lighter's start path (records, the OCI spec, the init's configuration, the image config) goes
/// through this instead of Foundation's JSONEncoder/JSONDecoder: those reach every value through
/// generic containers and dynamic casts, and in a fresh process each new type costs a scan of the
/// binary's protocol-conformance records — milliseconds per `lighter run`. Types convert themselves
/// with `JSONConvertible`, field by field, in plain code.
public enum JSONNode: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number as its JSON text, so that 64-bit integers keep every digit (UInt64.max included).
    case number(String)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    /// An object of the given fields, leaving out those whose value is nil (Codable's
    /// `encodeIfPresent`): `.object(["path": path, "readonly": readonly])`.
    public static func object(_ fields: KeyValuePairs<String, (any JSONConvertible)?>) -> JSONNode {
        var object: [String: JSONNode] = [:]
        object.reserveCapacity(fields.count)
        for (key, value) in fields {
            if let value { object[key] = value.json }
        }
        return .object(object)
    }

    /// What kind of value this is, for error messages ("an object", "a string").
    public var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Where a value sits in a document being read: the document's name for error messages (`what`)
/// and the dotted path of keys and indexes from its top (`process.args.0`).
public struct JSONPath: Sendable {
    public let what: String
    public let keys: String

    public init(what: String, keys: String = "") {
        self.what = what
        self.keys = keys
    }

    public func appending(_ key: String) -> JSONPath {
        JSONPath(what: what, keys: keys.isEmpty ? key : keys + "." + key)
    }

    public func appending(_ index: Int) -> JSONPath { appending(String(index)) }

    /// `malformed <what>: missing field "process.args"`.
    public func missing(_ key: String) -> LighterError {
        .malformed(what: what, reason: "missing field \"\(appending(key).keys)\"")
    }

    /// `malformed <what>: wrong type at "process.args": expected an array, found a string`.
    public func wrongType(expected: String, found node: JSONNode) -> LighterError {
        .malformed(what: what, reason: "wrong type at \"\(keys)\": expected \(expected), found \(node.kind)")
    }

    /// `malformed <what>: bad value at "linux.namespaces.0.type": <reason>`.
    public func badValue(_ reason: String) -> LighterError {
        .malformed(what: what, reason: keys.isEmpty ? reason : "bad value at \"\(keys)\": \(reason)")
    }
}
