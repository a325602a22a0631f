
/// A JSON document as a Codable tree: `inspect` without `--format` decodes its documents into
/// these to print them as one pretty-printed array.
indirect enum JSONValue: Decodable, Encodable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let v = try? container.decode(Bool.self) { self = .bool(v) }
        else if let v = try? container.decode(Double.self) { self = .number(v) }
        else if let v = try? container.decode(String.self) { self = .string(v) }
        else if let v = try? container.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .object(v): try container.encode(v)
        case let .array(v): try container.encode(v)
        case let .string(v): try container.encode(v)
        case let .number(v):
            if v == v.rounded(), abs(v) < 1e15 { try container.encode(Int64(v)) } else { try container.encode(v) }
        case let .bool(v): try container.encode(v)
        case .null: try container.encodeNil()
        }
    }
}
