/// text/template's HTMLEscapeString, JSEscapeString and URLQueryEscaper.
enum Escaping {
    static func html(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\0": out += "\u{FFFD}"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func js(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF")
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + String(hex[Int(scalar.value >> 4)]) + String(hex[Int(scalar.value & 0xF)])
                } else if scalar.value < 0x80 || GoQuote.isPrint(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    var digits = String(scalar.value, radix: 16, uppercase: true)
                    if digits.count < 4 { digits = String(repeating: "0", count: 4 - digits.count) + digits }
                    out += "\\u" + digits
                }
            }
        }
        return out
    }

    /// url.QueryEscape: unreserved bytes kept, space as '+', the rest %XX.
    static func urlQuery(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF")
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "): out += "+"
            default: out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}

/// Go's strings.Split, strings.Title, strings.ToLower/ToUpper.
enum GoStrings {
    static func split(_ s: String, _ separator: String) -> [String] {
        if separator.isEmpty { return s.unicodeScalars.map { String($0) } }
        let bytes = Array(s.utf8), sep = Array(separator.utf8)
        var parts: [String] = []
        var start = 0, i = 0
        while i + sep.count <= bytes.count {
            if bytes[i..<(i + sep.count)].elementsEqual(sep) {
                parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(String(decoding: bytes[start...], as: UTF8.self))
        return parts
    }

    /// strings.Title: the first letter of each word in title case; words are separated by
    /// anything but letters, digits and '_' (ASCII) or by Unicode spaces.
    static func title(_ s: String) -> String {
        var out = ""
        var previous: Unicode.Scalar = " "
        for scalar in s.unicodeScalars {
            if isSeparator(previous) {
                out += simple(scalar.properties.titlecaseMapping, scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
            previous = scalar
        }
        return out
    }

    private static func isSeparator(_ r: Unicode.Scalar) -> Bool {
        if r.value <= 0x7F {
            switch r {
            case "0"..."9", "a"..."z", "A"..."Z", "_": return false
            default: return true
            }
        }
        if r.properties.isAlphabetic || r.properties.numericType != nil { return false }
        return r.properties.isWhitespace
    }

    static func lower(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars { out += simple(scalar.properties.lowercaseMapping, scalar) }
        return out
    }

    static func upper(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars { out += simple(scalar.properties.uppercaseMapping, scalar) }
        return out
    }

    /// Go maps rune by rune (simple case mapping): a full mapping to several scalars is not used.
    private static func simple(_ mapping: String, _ scalar: Unicode.Scalar) -> String {
        mapping.unicodeScalars.count == 1 ? mapping : String(scalar)
    }
}
