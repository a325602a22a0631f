import LighterSystem

/// What a template works on: a JSON value as Go holds it after decoding a document the way
/// Docker's typed structs would — integers as `int` (`uint64` beyond), other numbers as
/// `float64`, arrays of strings as `[]string`, objects whose values are all strings as
/// `map[string]string`, anything else as `[]interface {}` / `map[string]interface {}`.
public indirect enum TemplateValue: Sendable, Equatable {
    /// Go's invalid reflect.Value: what a missing map key gives; prints `<no value>`.
    case missing
    /// A JSON null (a nil interface); prints `<nil>` inside arrays and maps.
    case null
    case bool(Bool)
    case int(Int)
    case uint(UInt64)
    case float(Double)
    case string(String)
    case array([TemplateValue])
    case object([String: TemplateValue])

    public init(json: JSONNode) {
        switch json {
        case .null: self = .null
        case let .bool(value): self = .bool(value)
        case let .number(text):
            if let value = Int(text) { self = .int(value) }
            else if let value = UInt64(text) { self = .uint(value) }
            else { self = .float(Double(text) ?? 0) }
        case let .string(value): self = .string(value)
        case let .array(items): self = .array(items.map(TemplateValue.init(json:)))
        case let .object(fields): self = .object(fields.mapValues(TemplateValue.init(json:)))
        }
    }

    /// A JSON document's text as a value (`malformed <what>` when it is not JSON).
    public init(jsonText bytes: [UInt8], what: String = "document") throws(LighterError) {
        self.init(json: try JSONNode.parse(bytes, what: what))
    }

    /// `[]string`: an array whose elements are all strings (an empty one too).
    var isStringArray: Bool {
        guard case let .array(items) = self else { return false }
        return items.allSatisfy { if case .string = $0 { return true } else { return false } }
    }

    /// `map[string]string`: a non-empty object whose values are all strings.
    var isStringMap: Bool {
        guard case let .object(fields) = self, !fields.isEmpty else { return false }
        return fields.values.allSatisfy { if case .string = $0 { return true } else { return false } }
    }

    /// The Go type's name, as Go's error messages print it.
    var goType: String {
        switch self {
        case .missing, .null: return "interface {}"
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint64"
        case .float: return "float64"
        case .string: return "string"
        case .array: return isStringArray ? "[]string" : "[]interface {}"
        case .object: return isStringMap ? "map[string]string" : "map[string]interface {}"
        }
    }

    /// Keys in Go's order (byte-wise).
    static func sortedKeys(_ fields: [String: TemplateValue]) -> [String] {
        fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// encoding/json's text of the value (HTML characters left alone, as Docker's `json` does).
    public var json: String {
        var out = ""
        writeJSON(into: &out)
        return out
    }

    private func writeJSON(into out: inout String) {
        switch self {
        case .missing, .null: out += "null"
        case let .bool(value): out += value ? "true" : "false"
        case let .int(value): out += String(value)
        case let .uint(value): out += String(value)
        case let .float(value): out += GoNumber.json(value)
        case let .string(value): TemplateValue.writeJSONString(value, into: &out)
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeJSON(into: &out)
            }
            out += "]"
        case let .object(fields):
            out += "{"
            for (i, key) in TemplateValue.sortedKeys(fields).enumerated() {
                if i > 0 { out += "," }
                TemplateValue.writeJSONString(key, into: &out)
                out += ":"
                fields[key]!.writeJSON(into: &out)
            }
            out += "}"
        }
    }

    static func writeJSONString(_ text: String, into out: inout String) {
        out += GoJSON.quote(text)
    }
}
