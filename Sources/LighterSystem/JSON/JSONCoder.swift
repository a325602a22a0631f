/// `Codable` to and from JSON without Foundation, for the formats off the start path (manifests,
/// indexes, the image config Lighter writes, inspect output, registry messages, reports).
///
/// The encoder writes byte for byte what Foundation's `JSONEncoder` writes with
/// `[.sortedKeys, .withoutEscapingSlashes]` (plus `.prettyPrinted`): keys in UTF-8 byte order,
/// `/`, `<`, `>`, `&` and non-ASCII text as they are, `\b \f \n \r \t` by name and other control
/// characters as `\u00XX`, integers in full, floating-point numbers as Swift prints them without a
/// trailing `.0` (`1`, `0.5`, `1e+20`), a value that encodes nothing as `{}`, and pretty output with
/// two-space indentation, `"key" : value` and empty containers on two lines. Content-addressed
/// documents (image configs, manifests, indexes) therefore keep their digests.
///
/// The decoder reads through `JSONNode.parse` (numbers kept as text, so 64-bit values keep every
/// digit); unknown keys are ignored, a missing key or a wrong type is an error naming the key path
/// (`malformed manifest: missing field "layers.0.digest"`).
public enum JSONCoder {
    /// The document's bytes.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws(LighterError) -> [UInt8] {
        let box: JSONEncodingBox
        do {
            box = try JSONEncodingBox.encode(value, codingPath: [])
        } catch let error as LighterError {
            throw error
        } catch {
            throw .malformed(what: "\(T.self)", reason: "cannot encode: \(describe(error))")
        }
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        box.write(into: &out, pretty: pretty, indent: 0)
        return out
    }

    /// The value as a tree (what `encode` serializes).
    public static func encodeNode<T: Encodable>(_ value: T) throws(LighterError) -> JSONNode {
        do {
            return try JSONEncodingBox.encode(value, codingPath: []).node
        } catch let error as LighterError {
            throw error
        } catch {
            throw .malformed(what: "\(T.self)", reason: "cannot encode: \(describe(error))")
        }
    }

    /// Read a whole document; `what` names it in errors.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws(LighterError) -> T {
        try decode(type, from: try JSONNode.parse(bytes, what: what), what: what)
    }

    /// Read a parsed document.
    public static func decode<T: Decodable>(_ type: T.Type, from node: JSONNode, what: String) throws(LighterError) -> T {
        do {
            return try T(from: JSONNodeDecoder(node: node, codingPath: []))
        } catch let error as LighterError {
            throw error
        } catch {
            throw .malformed(what: what, reason: describe(error))
        }
    }

    /// An error of the coding protocols in words, with the key path (`layers.0.digest`).
    static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case let .keyNotFound(key, context):
                return "missing field \"\(path(context.codingPath + [key]))\""
            case let .typeMismatch(_, context), let .valueNotFound(_, context):
                return "wrong type at \"\(path(context.codingPath))\": \(context.debugDescription)"
            case let .dataCorrupted(context):
                if let underlying = context.underlyingError as? LighterError { return underlying.description }
                return context.codingPath.isEmpty ? "not valid JSON: \(context.debugDescription)" : "bad value at \"\(path(context.codingPath))\": \(context.debugDescription)"
            @unknown default: return "\(decoding)"
            }
        }
        if let encoding = error as? EncodingError, case let .invalidValue(_, context) = encoding {
            return context.codingPath.isEmpty ? context.debugDescription : "bad value at \"\(path(context.codingPath))\": \(context.debugDescription)"
        }
        return "\(error)"
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

/// The coding key of an array element (paths print its index) or of a `superEncoder`.
struct JSONIndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String

    init(index: Int) {
        intValue = index
        stringValue = String(index)
    }

    init?(intValue: Int) { self.init(index: intValue) }

    init?(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    static let superKey = JSONIndexKey(stringValue: "super")!
}

extension JSONNode {
    /// Foundation's `JSONEncoder` style: keys sorted by their UTF-8 bytes, and with `pretty`,
    /// `"key" : value` with two-space indentation and empty containers written on two lines.
    func writeFoundationStyle(into out: inout [UInt8], pretty: Bool, indent: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case let .bool(value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case let .number(text): out.append(contentsOf: text.utf8)
        case let .string(text): JSONNode.writeString(text, into: &out)
        case let .array(items):
            JSONNode.writeFoundationArray(items.count, into: &out, pretty: pretty, indent: indent) { index, out in
                items[index].writeFoundationStyle(into: &out, pretty: pretty, indent: indent + 2)
            }
        case let .object(fields):
            let keys = JSONNode.sortedKeys(fields)
            JSONNode.writeFoundationObject(keys, into: &out, pretty: pretty, indent: indent) { index, out in
                fields[keys[index]]!.writeFoundationStyle(into: &out, pretty: pretty, indent: indent + 2)
            }
        }
    }
}

extension JSONNode {
    /// Foundation's layout of an array of `count` items (`element` writes item `index` at `indent + 2`).
    static func writeFoundationArray(_ count: Int, into out: inout [UInt8], pretty: Bool, indent: Int,
                                     element: (Int, inout [UInt8]) -> Void) {
        out.append(UInt8(ascii: "["))
        if count == 0 {
            if pretty { out.append(0x0A); newline(&out, indent) }
        } else {
            for index in 0..<count {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(&out, indent + 2) }
                element(index, &out)
            }
            if pretty { newline(&out, indent) }
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Foundation's layout of an object whose keys are `keys`, in that order (`value` writes the
    /// value of key `index` at `indent + 2`).
    static func writeFoundationObject(_ keys: [String], into out: inout [UInt8], pretty: Bool, indent: Int,
                                      value: (Int, inout [UInt8]) -> Void) {
        out.append(UInt8(ascii: "{"))
        if keys.isEmpty {
            if pretty { out.append(0x0A); newline(&out, indent) }
        } else {
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(&out, indent + 2) }
                writeString(key, into: &out)
                out.append(contentsOf: (pretty ? " : " : ":").utf8)
                value(index, &out)
            }
            if pretty { newline(&out, indent) }
        }
        out.append(UInt8(ascii: "}"))
    }
}
