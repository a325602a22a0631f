#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LighterSystem

/// JSON coding with stable output (sorted keys, no escaped slashes), so that what Lighter writes
/// hashes the same every time.
public enum JSON {
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws(LighterError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw .malformed(what: "\(T.self)", reason: "cannot encode: \(error)")
        }
    }

    /// A JSON string literal. With `escapeHTML`, `<`, `>` and `&` become \u003c, \u003e, \u0026 as
    /// Go's encoder writes them (Docker's json-file logs).
    public static func quote(_ text: String, escapeHTML: Bool = false) -> String {
        GoJSON.quote(text, escapeHTML: escapeHTML)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws(LighterError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as LighterError {
            throw error
        } catch {
            throw .malformed(what: what, reason: describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case let .keyNotFound(key, context):
                return "missing field \"\(path(context.codingPath + [key]))\""
            case let .typeMismatch(_, context), let .valueNotFound(_, context):
                return "wrong type at \"\(path(context.codingPath))\": \(context.debugDescription)"
            case let .dataCorrupted(context):
                if let underlying = context.underlyingError as? LighterError { return underlying.description }
                return context.codingPath.isEmpty ? "not valid JSON" : "bad value at \"\(path(context.codingPath))\": \(context.debugDescription)"
            @unknown default: return "\(decoding)"
            }
        }
        return "\(error)"
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
