/// What one `encode(to:)` wrote: nothing yet, a single value, or an object or array whose members
/// nested containers may still be adding to (hence a class: containers share it).
final class JSONEncodingBox {
    enum Kind { case empty, value, object, array }
    /// A member: a finished value, or a box a nested container writes into.
    enum Slot {
        case node(JSONNode)
        case box(JSONEncodingBox)

        var node: JSONNode {
            switch self {
            case let .node(node): return node
            case let .box(box): return box.node
            }
        }

        func write(into out: inout [UInt8], pretty: Bool, indent: Int) {
            switch self {
            case let .node(node): node.writeFoundationStyle(into: &out, pretty: pretty, indent: indent)
            case let .box(box): box.write(into: &out, pretty: pretty, indent: indent)
            }
        }
    }

    var kind = Kind.empty
    var value = JSONNode.null
    /// An object's members in the order written; a key written again replaces its value (`put`).
    var fields: [(key: String, slot: Slot)] = []
    var items: [Slot] = []

    /// The finished tree; a value that encoded nothing is `{}`, as Foundation writes it.
    var node: JSONNode {
        switch kind {
        case .empty: return .object([:])
        case .value: return value
        case .object:
            var object: [String: JSONNode] = [:]
            object.reserveCapacity(fields.count)
            for field in fields { object[field.key] = field.slot.node }
            return .object(object)
        case .array: return .array(items.map(\.node))
        }
    }

    /// Where each key of a big object sits in `fields` (built once an object passes 16 members).
    var positions: [String: Int] = [:]

    func put(_ key: String, _ slot: Slot) {
        if fields.count < 16 {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                fields[index].slot = slot
                return
            }
        } else {
            if positions.isEmpty {
                for (index, field) in fields.enumerated() { positions[field.key] = index }
            }
            if let index = positions[key] {
                fields[index].slot = slot
                return
            }
            positions[key] = fields.count
        }
        fields.append((key, slot))
    }

    /// Write the document in Foundation's style without building the `JSONNode` tree first.
    func write(into out: inout [UInt8], pretty: Bool, indent: Int) {
        switch kind {
        case .empty: JSONNode.object([:]).writeFoundationStyle(into: &out, pretty: pretty, indent: indent)
        case .value: value.writeFoundationStyle(into: &out, pretty: pretty, indent: indent)
        case .array:
            JSONNode.writeFoundationArray(items.count, into: &out, pretty: pretty, indent: indent) { index, out in
                items[index].write(into: &out, pretty: pretty, indent: indent + 2)
            }
        case .object:
            let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            JSONNode.writeFoundationObject(sorted.map(\.key), into: &out, pretty: pretty, indent: indent) { index, out in
                sorted[index].slot.write(into: &out, pretty: pretty, indent: indent + 2)
            }
        }
    }

    func set(_ node: JSONNode) {
        kind = .value
        value = node
    }

    /// Encode `value` into a new box (a value's own `encode(to:)`, for any type).
    static func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> JSONEncodingBox {
        let box = JSONEncodingBox()
        try value.encode(to: JSONNodeEncoder(box: box, codingPath: codingPath))
        return box
    }

    /// A member for `value`: a plain node when the value wrote a single value.
    static func slot<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> Slot {
        let box = try encode(value, codingPath: codingPath)
        return box.kind == .value ? .node(box.value) : .box(box)
    }

    /// Integers in full; floating-point numbers as Swift prints them, without a trailing ".0"
    /// (Foundation's text: `1`, `0.5`, `1e+20`, `1e-07`); NaN and infinities cannot be written.
    static func number<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F, codingPath: [any CodingKey]) throws -> JSONNode {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(value) cannot be written in JSON"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }
}

struct JSONNodeEncoder: Encoder {
    let box: JSONEncodingBox
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if box.kind != .object {
            box.kind = .object
            box.fields = []
            box.positions = [:]
        }
        return KeyedEncodingContainer(JSONKeyedEncoder<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if box.kind != .array {
            box.kind = .array
            box.items = []
        }
        return JSONUnkeyedEncoder(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueEncoder(box: box, codingPath: codingPath)
    }
}

struct JSONKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: JSONEncodingBox
    let codingPath: [any CodingKey]

    private func put(_ node: JSONNode, _ key: Key) { box.put(key.stringValue, .node(node)) }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(try JSONEncodingBox.number(value, codingPath: codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(try JSONEncodingBox.number(value, codingPath: codingPath + [key]), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.number(String(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(.number(String(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(.number(String(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(.number(String(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(.number(String(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(.number(String(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.number(String(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.number(String(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.number(String(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(.number(String(value)), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.put(key.stringValue, try JSONEncodingBox.slot(value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONEncodingBox()
        box.put(key.stringValue, .box(nested))
        return JSONNodeEncoder(box: nested, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = JSONEncodingBox()
        box.put(key.stringValue, .box(nested))
        return JSONNodeEncoder(box: nested, codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { superEncoder(key: JSONIndexKey.superKey) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(key: key) }

    private func superEncoder(key: any CodingKey) -> any Encoder {
        let nested = JSONEncodingBox()
        box.put(key.stringValue, .box(nested))
        return JSONNodeEncoder(box: nested, codingPath: codingPath + [key])
    }
}

struct JSONUnkeyedEncoder: UnkeyedEncodingContainer {
    let box: JSONEncodingBox
    let codingPath: [any CodingKey]
    var count: Int { box.items.count }

    private func put(_ node: JSONNode) { box.items.append(.node(node)) }
    private var nextPath: [any CodingKey] { codingPath + [JSONIndexKey(index: box.items.count)] }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(try JSONEncodingBox.number(value, codingPath: nextPath)) }
    mutating func encode(_ value: Float) throws { put(try JSONEncodingBox.number(value, codingPath: nextPath)) }
    mutating func encode(_ value: Int) throws { put(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { put(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { put(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { put(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { put(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { put(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { put(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { put(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { put(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { put(.number(String(value))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        box.items.append(try JSONEncodingBox.slot(value, codingPath: nextPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONEncodingBox()
        let path = nextPath
        box.items.append(.box(nested))
        return JSONNodeEncoder(box: nested, codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = JSONEncodingBox()
        let path = nextPath
        box.items.append(.box(nested))
        return JSONNodeEncoder(box: nested, codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let nested = JSONEncodingBox()
        let path = nextPath
        box.items.append(.box(nested))
        return JSONNodeEncoder(box: nested, codingPath: path)
    }
}

struct JSONSingleValueEncoder: SingleValueEncodingContainer {
    let box: JSONEncodingBox
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.set(.null) }
    mutating func encode(_ value: Bool) throws { box.set(.bool(value)) }
    mutating func encode(_ value: String) throws { box.set(.string(value)) }
    mutating func encode(_ value: Double) throws { box.set(try JSONEncodingBox.number(value, codingPath: codingPath)) }
    mutating func encode(_ value: Float) throws { box.set(try JSONEncodingBox.number(value, codingPath: codingPath)) }
    mutating func encode(_ value: Int) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { box.set(.number(String(value))) }

    /// The value's own coding writes into the same box (a wrapper encoding what it wraps).
    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: JSONNodeEncoder(box: box, codingPath: codingPath))
    }
}
