/// text/template's eq, lt and le over template values.
enum Comparison {
    enum Kind { case invalid, bool, int, uint, float, string }

    static func kind(_ v: TemplateValue) -> Kind {
        switch v {
        case .bool: return .bool
        case .int: return .int
        case .uint: return .uint
        case .float: return .float
        case .string: return .string
        default: return .invalid
        }
    }

    static let badComparison = FunctionFailure(message: "incompatible types for comparison")
    static let badComparisonType = FunctionFailure(message: "invalid type for comparison")

    static func eq(_ first: ExecValue, _ others: [ExecValue]) throws(FunctionFailure) -> Bool {
        let a = first.unboxed.value
        guard !others.isEmpty else { throw FunctionFailure(message: "missing argument for comparison") }
        let k1 = kind(a)
        for other in others {
            let b = other.unboxed.value
            let k2 = kind(b)
            var truth = false
            if k1 != k2 {
                switch (a, b) {
                case let (.int(x), .uint(y)): truth = x >= 0 && UInt64(x) == y
                case let (.uint(x), .int(y)): truth = y >= 0 && x == UInt64(y)
                default:
                    if a != .missing && b != .missing { throw badComparison }
                }
            } else {
                switch (a, b) {
                case let (.bool(x), .bool(y)): truth = x == y
                case let (.int(x), .int(y)): truth = x == y
                case let (.uint(x), .uint(y)): truth = x == y
                case let (.float(x), .float(y)): truth = x == y
                case let (.string(x), .string(y)): truth = x == y
                default:
                    // Arrays, maps, invalid values: only nil-ness compares.
                    let aNil = a == .missing, bNil = b == .missing
                    if !aNil && !bNil && reflectKind(a) != reflectKind(b) {
                        throw FunctionFailure(message: "non-comparable types \(GoFormat.sprintf("%s", [a])): \(first.unboxed.goType), \(other.unboxed.goType): \(GoFormat.string(b))")
                    }
                    if aNil || bNil {
                        truth = aNil == bNil
                    } else {
                        throw FunctionFailure(message: "non-comparable type \(GoFormat.sprintf("%s", [b])): \(other.unboxed.goType)")
                    }
                }
            }
            if truth { return true }
        }
        return false
    }

    private static func reflectKind(_ v: TemplateValue) -> Int {
        switch v {
        case .array: return 1
        case .object: return 2
        default: return 0
        }
    }

    static func lt(_ first: ExecValue, _ second: ExecValue) throws(FunctionFailure) -> Bool {
        let a = first.unboxed.value, b = second.unboxed.value
        let k1 = kind(a)
        guard k1 != .invalid else { throw badComparisonType }
        let k2 = kind(b)
        guard k2 != .invalid else { throw badComparisonType }
        switch (a, b) {
        case let (.int(x), .uint(y)): return x < 0 || UInt64(x) < y
        case let (.uint(x), .int(y)): return y >= 0 && x < UInt64(y)
        case (.bool, .bool): throw badComparisonType
        case let (.int(x), .int(y)): return x < y
        case let (.uint(x), .uint(y)): return x < y
        case let (.float(x), .float(y)): return x < y
        case let (.string(x), .string(y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        default: throw badComparison
        }
    }

    static func le(_ first: ExecValue, _ second: ExecValue) throws(FunctionFailure) -> Bool {
        if try lt(first, second) { return true }
        return try eq(first, [second])
    }
}

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
