/// JSON string literals as Go's encoding/json writes them (Docker's json-file logs, its `json`
/// template function): `"`, `\`, `\n`, `\r`, `\t` escaped by name, other control characters and
/// U+2028/U+2029 as `\u00XX`/`\u2028`, and with `escapeHTML` `<`, `>`, `&` as `\u003c` … (Go's
/// default; Docker's templates turn it off). JSONNode keeps Foundation's style for Lighter's own files.
public enum GoJSON {
    public static func quote(_ text: String, escapeHTML: Bool = false) -> String {
        var out = "\""
        let hex = Array("0123456789abcdef")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            case "<" where escapeHTML: out += "\\u003c"
            case ">" where escapeHTML: out += "\\u003e"
            case "&" where escapeHTML: out += "\\u0026"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + String(hex[Int(scalar.value >> 4)]) + String(hex[Int(scalar.value & 0xF)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
