#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LighterOCI
import LighterSystem

/// A JSON document as a tree, for `inspect --format` templates.
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

    /// Go's default formatting of a value in a template (`[a b]`, `map[k:v]`, `<nil>`).
    var goDescription: String {
        switch self {
        case let .object(v): return "map[" + v.keys.sorted().map { "\($0):\(v[$0]!.goDescription)" }.joined(separator: " ") + "]"
        case let .array(v): return "[" + v.map(\.goDescription).joined(separator: " ") + "]"
        case let .string(v): return v
        case let .number(v): return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case let .bool(v): return v ? "true" : "false"
        case .null: return "<nil>"
        }
    }
}

/// The subset of Go templates that `inspect --format` needs: `{{.A.B}}`, `{{json .A}}`, `{{json .}}`, literal text.
enum JSONTemplate {
    static func render(_ template: String, value bytes: [UInt8]) throws(LighterError) -> String {
        let root = try JSON.decode(JSONValue.self, from: bytes, what: "document")
        var result = ""
        var rest = Substring(template.replacing( "\\t", with: "\t").replacing( "\\n", with: "\n"))
        while let open = rest.firstRange(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else { throw .invalidArgument("--format \(template): unclosed {{") }
            var action = rest[open.upperBound..<close.lowerBound].trimmed
            let asJSON = action.hasPrefix("json ")
            if asJSON { action = String(action.dropFirst(5)).trimmed }
            guard action.hasPrefix(".") else { throw .invalidArgument("--format: unsupported template action {{\(action)}}") }
            var node = root
            for key in action.dropFirst().split(separator: ".") {
                guard case let .object(fields) = node, let next = fields[String(key)] else {
                    throw .invalidArgument("--format: no field \"\(key)\" in \(action)")
                }
                node = next
            }
            result += asJSON ? String(decoding: try JSON.encode(node), as: UTF8.self) : node.goDescription
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}
