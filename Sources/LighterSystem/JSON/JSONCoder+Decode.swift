/// A `Decoder` over a parsed `JSONNode`. Errors are the coding protocols' own (`DecodingError`
/// with the key path), turned into `LighterError` by `JSONCoder.decode`.
struct JSONNodeDecoder: Decoder {
    let node: JSONNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .object(fields) = node else {
            throw JSONRead.mismatch("an object", node, codingPath)
        }
        return KeyedDecodingContainer(JSONKeyedDecoder<Key>(fields: fields, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case let .array(items) = node else {
            throw JSONRead.mismatch("an array", node, codingPath)
        }
        return JSONUnkeyedDecoder(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONSingleValueDecoder(node: node, codingPath: codingPath)
    }
}

/// Reading one value of a primitive type, with errors as Foundation's decoder reports them
/// (`valueNotFound` for null, `typeMismatch` for another kind, `dataCorrupted` for a number out of range).
enum JSONRead {
    static func mismatch(_ expected: String, _ node: JSONNode, _ path: [any CodingKey]) -> DecodingError {
        let context = DecodingError.Context(codingPath: path, debugDescription: "expected \(expected), found \(node.kind)")
        return node == .null ? .valueNotFound(Any.self, context) : .typeMismatch(Any.self, context)
    }

    static func bool(_ node: JSONNode, _ path: [any CodingKey]) throws -> Bool {
        guard case let .bool(value) = node else { throw mismatch("true or false", node, path) }
        return value
    }

    static func string(_ node: JSONNode, _ path: [any CodingKey]) throws -> String {
        guard case let .string(value) = node else { throw mismatch("a string", node, path) }
        return value
    }

    /// An integer from its text; `1e3` or `2.0` are read when they are whole numbers in range.
    static func integer<T: FixedWidthInteger>(_ node: JSONNode, _ path: [any CodingKey]) throws -> T {
        guard case let .number(text) = node else { throw mismatch("a whole number", node, path) }
        if let value = T(text) { return value }
        if let double = Double(text), double.isFinite, double.rounded(.towardZero) == double, let value = T(exactly: double) {
            return value
        }
        throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(text) is not a whole number between \(T.min) and \(T.max)"))
    }

    static func floatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ node: JSONNode, _ path: [any CodingKey]) throws -> T {
        guard case let .number(text) = node else { throw mismatch("a number", node, path) }
        guard let value = T(text), value.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(text) does not fit in \(T.self)"))
        }
        return value
    }
}

struct JSONKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: [String: JSONNode]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { fields.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }

    private func node(_ key: Key) throws -> JSONNode {
        guard let node = fields[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for \"\(key.stringValue)\""))
        }
        return node
    }

    func decodeNil(forKey key: Key) throws -> Bool { try node(key) == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try JSONRead.bool(try node(key), codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try JSONRead.string(try node(key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try JSONRead.floatingPoint(try node(key), codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try JSONRead.floatingPoint(try node(key), codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try JSONRead.integer(try node(key), codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try JSONRead.integer(try node(key), codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try JSONRead.integer(try node(key), codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try JSONRead.integer(try node(key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try JSONRead.integer(try node(key), codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try JSONRead.integer(try node(key), codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try JSONRead.integer(try node(key), codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try JSONRead.integer(try node(key), codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try JSONRead.integer(try node(key), codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try JSONRead.integer(try node(key), codingPath + [key]) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try T(from: JSONNodeDecoder(node: try node(key), codingPath: codingPath + [key]))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONNodeDecoder(node: try node(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONNodeDecoder(node: try node(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONNodeDecoder(node: fields[JSONIndexKey.superKey.stringValue] ?? .null, codingPath: codingPath + [JSONIndexKey.superKey])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONNodeDecoder(node: fields[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

struct JSONUnkeyedDecoder: UnkeyedDecodingContainer {
    let items: [JSONNode]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONNode], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    private var path: [any CodingKey] { codingPath + [JSONIndexKey(index: currentIndex)] }

    /// The next element, consumed only when `read` succeeds (as Foundation's container does).
    private mutating func next<T>(_ read: (JSONNode, [any CodingKey]) throws -> T) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: path, debugDescription: "the array has no more elements"))
        }
        let value = try read(items[currentIndex], path)
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: path, debugDescription: "the array has no more elements"))
        }
        guard items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(JSONRead.bool) }
    mutating func decode(_ type: String.Type) throws -> String { try next(JSONRead.string) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(JSONRead.floatingPoint) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(JSONRead.floatingPoint) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(JSONRead.integer) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(JSONRead.integer) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(JSONRead.integer) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(JSONRead.integer) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(JSONRead.integer) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(JSONRead.integer) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(JSONRead.integer) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(JSONRead.integer) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(JSONRead.integer) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(JSONRead.integer) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next { node, path in try T(from: JSONNodeDecoder(node: node, codingPath: path)) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next { node, path in try JSONNodeDecoder(node: node, codingPath: path).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next { node, path in try JSONNodeDecoder(node: node, codingPath: path).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next { node, path in JSONNodeDecoder(node: node, codingPath: path) }
    }
}

struct JSONSingleValueDecoder: SingleValueDecodingContainer {
    let node: JSONNode
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { node == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try JSONRead.bool(node, codingPath) }
    func decode(_ type: String.Type) throws -> String { try JSONRead.string(node, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try JSONRead.floatingPoint(node, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try JSONRead.floatingPoint(node, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try JSONRead.integer(node, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONRead.integer(node, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONRead.integer(node, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONRead.integer(node, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONRead.integer(node, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONRead.integer(node, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONRead.integer(node, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONRead.integer(node, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONRead.integer(node, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONRead.integer(node, codingPath) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: JSONNodeDecoder(node: node, codingPath: codingPath))
    }
}
