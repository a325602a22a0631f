import LighterSystem

/// JSON coding with stable output (sorted keys, no escaped slashes), so that what Lighter writes
/// hashes the same every time. `JSONCoder` (LighterSystem) does the work, without Foundation.
public enum JSON {
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws(LighterError) -> [UInt8] {
        try JSONCoder.encode(value, pretty: pretty)
    }

    /// A JSON string literal. With `escapeHTML`, `<`, `>` and `&` become \u003c, \u003e, \u0026 as
    /// Go's encoder writes them (Docker's json-file logs).
    public static func quote(_ text: String, escapeHTML: Bool = false) -> String {
        GoJSON.quote(text, escapeHTML: escapeHTML)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws(LighterError) -> T {
        try JSONCoder.decode(type, from: bytes, what: what)
    }
}
