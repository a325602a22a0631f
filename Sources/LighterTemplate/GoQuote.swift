/// Go's string quoting and unquoting (strconv.Quote, strconv.Unquote, strconv.UnquoteChar,
/// fmt's %#U), as templates and their error messages use them.
enum GoQuote {
    /// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrint(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value >= 0x20 && scalar.value < 0x7F }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default: return false
        }
    }

    private static let hexDigits = Array("0123456789abcdef")

    private static func hex(_ value: UInt32, width: Int) -> String {
        var digits = ""
        var v = value
        for _ in 0..<width {
            digits = String(hexDigits[Int(v & 0xF)]) + digits
            v >>= 4
        }
        return digits
    }

    /// strconv.Quote (`asciiOnly`: strconv.QuoteToASCII).
    static func quote(_ text: String, quote: Character = "\"", asciiOnly: Bool = false) -> String {
        var out = String(quote)
        for scalar in text.unicodeScalars {
            out += escaped(scalar, quote: quote, asciiOnly: asciiOnly)
        }
        out.append(quote)
        return out
    }

    static func escaped(_ scalar: Unicode.Scalar, quote: Character, asciiOnly: Bool) -> String {
        if Character(scalar) == quote || scalar == "\\" { return "\\" + String(scalar) }
        if asciiOnly ? (scalar.isASCII && isPrint(scalar)) : isPrint(scalar) { return String(scalar) }
        switch scalar {
        case "\u{07}": return "\\a"
        case "\u{08}": return "\\b"
        case "\u{0C}": return "\\f"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\u{0B}": return "\\v"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F { return "\\x" + hex(scalar.value, width: 2) }
            if scalar.value < 0x10000 { return "\\u" + hex(scalar.value, width: 4) }
            return "\\U" + hex(scalar.value, width: 8)
        }
    }

    /// fmt's %#U: `U+0040 '@'`, the character left out when it is not printable.
    static func unicodeDescription(_ scalar: Unicode.Scalar?) -> String {
        guard let scalar else { return "U+FFFFFFFFFFFFFFFF" }  // Go's eof rune (-1) under %#U
        var digits = String(scalar.value, radix: 16, uppercase: true)
        if digits.count < 4 { digits = String(repeating: "0", count: 4 - digits.count) + digits }
        return isPrint(scalar) ? "U+\(digits) '\(scalar)'" : "U+\(digits)"
    }

    /// strconv.Unquote of a "..." or `...` literal; nil for invalid syntax.
    static func unquote(_ literal: String) -> String? {
        let scalars = Array(literal.unicodeScalars)
        guard scalars.count >= 2, let first = scalars.first, first == scalars.last else { return nil }
        let body = scalars[1..<(scalars.count - 1)]
        if first == "`" {
            guard !body.contains("`") else { return nil }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: body.filter { $0 != "\r" })
            return String(view)
        }
        guard first == "\"" else { return nil }
        var rest = Substring(String(String.UnicodeScalarView(body)))
        var out = ""
        while let scalar = rest.unicodeScalars.first {
            if scalar == "\"" || scalar == "\n" { return nil }
            guard let (value, tail) = unquoteChar(String(rest), quote: "\"") else { return nil }
            out.unicodeScalars.append(value)
            rest = Substring(tail)
        }
        return out
    }

    /// strconv.UnquoteChar: the first character of `text` (an escape or a plain scalar) and the
    /// rest. Byte escapes (\xNN, octal) that are not ASCII give U+FFFD: Swift strings hold Unicode.
    static func unquoteChar(_ text: String, quote: Unicode.Scalar) -> (Unicode.Scalar, String)? {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first else { return nil }
        func rest(_ from: Int) -> String { String(String.UnicodeScalarView(scalars[min(from, scalars.count)...])) }
        if first == quote && (quote == "'" || quote == "\"") { return nil }
        guard first == "\\" else { return (first, rest(1)) }
        guard scalars.count >= 2 else { return nil }
        let c = scalars[1]
        switch c {
        case "a": return ("\u{07}", rest(2))
        case "b": return ("\u{08}", rest(2))
        case "f": return ("\u{0C}", rest(2))
        case "n": return ("\n", rest(2))
        case "r": return ("\r", rest(2))
        case "t": return ("\t", rest(2))
        case "v": return ("\u{0B}", rest(2))
        case "\\": return ("\\", rest(2))
        case "'", "\"":
            guard c == quote else { return nil }
            return (c, rest(2))
        case "x", "u", "U":
            let count = c == "x" ? 2 : c == "u" ? 4 : 8
            guard scalars.count >= 2 + count else { return nil }
            var value: UInt32 = 0
            for s in scalars[2..<(2 + count)] {
                guard let d = hexValue(s) else { return nil }
                value = value << 4 | d
            }
            if c == "x" {
                return (value < 0x80 ? Unicode.Scalar(value)! : "\u{FFFD}", rest(2 + count))
            }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return (scalar, rest(2 + count))
        case "0"..."7":
            guard scalars.count >= 4 else { return nil }
            var value: UInt32 = 0
            for s in scalars[1..<4] {
                guard s >= "0" && s <= "7" else { return nil }
                value = value << 3 | (s.value - 0x30)
            }
            guard value <= 255 else { return nil }
            return (value < 0x80 ? Unicode.Scalar(value)! : "\u{FFFD}", rest(4))
        default: return nil
        }
    }

    private static func hexValue(_ s: Unicode.Scalar) -> UInt32? {
        switch s {
        case "0"..."9": return s.value - 0x30
        case "a"..."f": return s.value - 0x61 + 10
        case "A"..."F": return s.value - 0x41 + 10
        default: return nil
        }
    }
}
