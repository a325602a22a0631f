#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Go's number parsing (strconv.ParseInt/ParseUint with base 0, ParseFloat) and float
/// formatting (strconv.FormatFloat's shortest 'g', 'e', 'f'; fixed precisions through C's
/// snprintf, which rounds exactly as Go does).
enum GoNumber {
    /// Base and digits of an unsigned Go literal (`0x1F`, `0o17`, `017`, `0b101`, `1_000`).
    private static func magnitude(_ text: Substring) -> UInt64? {
        var digits = text
        var base: UInt64 = 10
        var prefixed = false
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { base = 16; digits = digits.dropFirst(2); prefixed = true }
        else if digits.hasPrefix("0o") || digits.hasPrefix("0O") { base = 8; digits = digits.dropFirst(2); prefixed = true }
        else if digits.hasPrefix("0b") || digits.hasPrefix("0B") { base = 2; digits = digits.dropFirst(2); prefixed = true }
        else if digits.hasPrefix("0") && digits.count > 1 { base = 8; digits = digits.dropFirst(1); prefixed = true }
        guard !digits.isEmpty else { return nil }
        // Underscores only between digits, or right after a base prefix.
        var previousUnderscore = !prefixed
        var value: UInt64 = 0
        for character in digits {
            if character == "_" {
                guard !previousUnderscore else { return nil }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            guard let digit = character.hexDigitValue, UInt64(digit) < base else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: base)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(digit))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        guard !previousUnderscore else { return nil }
        return value
    }

    static func parseUInt(_ text: String) -> UInt64? {
        guard let first = text.first, first != "+" && first != "-" else { return nil }
        return magnitude(Substring(text))
    }

    static func parseInt(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        guard let m = magnitude(body) else { return nil }
        if negative {
            guard m <= UInt64(Int64.max) + 1 else { return nil }
            return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
        }
        guard m <= UInt64(Int64.max) else { return nil }
        return Int64(m)
    }

    /// Decimal floats (and hexadecimal ones with a `p` exponent); nil when out of range.
    static func parseFloat(_ text: String) -> Double? {
        let lower = text.lowercased()
        let body = lower.hasPrefix("+") || lower.hasPrefix("-") ? String(lower.dropFirst()) : lower
        if body.hasPrefix("0x") { guard body.contains("p") else { return nil } }
        else {
            guard body.allSatisfy({ "0123456789._e+-".contains($0) }), body.contains(where: \.isNumber) else { return nil }
        }
        let cleaned = text.replacingUnderscores()
        guard let value = Double(cleaned), value.isFinite else { return nil }
        return value
    }

    /// The shortest decimal digits that read back as `value` (no leading or trailing zeros),
    /// and where the point goes: value = 0.DIGITS × 10^point.
    static func shortestDigits(_ value: Double) -> (digits: [UInt8], point: Int) {
        guard value != 0 else { return ([], 0) }
        let text = "\(abs(value))"  // Swift prints the shortest round-tripping digits.
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...].replacingOccurrencesOfPlus()) ?? 0
        }
        var digits: [UInt8] = []
        var point = 0
        var seenPoint = false
        for character in mantissa {
            if character == "." { seenPoint = true; continue }
            guard let d = character.wholeNumberValue else { continue }
            digits.append(UInt8(d))
            if !seenPoint { point += 1 }
        }
        while let first = digits.first, first == 0 { digits.removeFirst(); point -= 1 }
        while let last = digits.last, last == 0 { digits.removeLast() }
        return (digits, point + exponent)
    }

    private static func text(_ digits: [UInt8]) -> String {
        String(decoding: digits.map { $0 + 0x30 }, as: UTF8.self)
    }

    /// strconv's %e body from decimal digits.
    private static func formatE(_ digits: [UInt8], point: Int, precision: Int, upper: Bool) -> String {
        var out = digits.isEmpty ? "0" : text([digits[0]])
        if precision > 0 {
            out += "."
            for i in 1...precision { out += i < digits.count ? text([digits[i]]) : "0" }
        }
        out += upper ? "E" : "e"
        let exp = digits.isEmpty ? 0 : point - 1
        out += exp < 0 ? "-" : "+"
        let magnitude = abs(exp)
        out += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
        return out
    }

    /// strconv's %f body from decimal digits.
    private static func formatF(_ digits: [UInt8], point: Int, precision: Int) -> String {
        var out = ""
        if point > 0 {
            for i in 0..<point { out += i < digits.count ? text([digits[i]]) : "0" }
        } else {
            out = "0"
        }
        if precision > 0 {
            out += "."
            for i in 1...precision {
                let index = point + i - 1
                out += index >= 0 && index < digits.count ? text([digits[index]]) : "0"
            }
        }
        return out
    }

    /// strconv.FormatFloat(value, verb, -1, 64) for 'g'/'G', 'e'/'E', 'f': the shortest form.
    static func shortest(_ value: Double, verb: Character) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        let sign = value.sign == .minus ? "-" : ""
        if verb == "x" || verb == "X" { return sign + hexadecimal(value, upper: verb == "X") }
        let (digits, point) = shortestDigits(value)
        switch verb {
        case "e", "E": return sign + formatE(digits, point: point, precision: max(digits.count - 1, 0), upper: verb == "E")
        case "f", "F": return sign + formatF(digits, point: point, precision: max(digits.count - point, 0))
        default:
            let exp = point - 1
            if !digits.isEmpty && (exp < -4 || exp >= 6) {
                return sign + formatE(digits, point: point, precision: digits.count - 1, upper: verb == "G")
            }
            let precision = digits.count > point ? digits.count : 0
            return sign + formatF(digits, point: point, precision: max(precision - point, 0))
        }
    }

    /// strconv's %x of a float: `0x1.921f9f01b866ep+01`, the fraction as short as it goes.
    private static func hexadecimal(_ value: Double, upper: Bool) -> String {
        let bits = value.bitPattern
        var exponent = Int((bits >> 52) & 0x7FF)
        var mantissa = bits & ((1 << 52) - 1)
        if exponent == 0 { exponent += 1 } else { mantissa |= 1 << 52 }
        exponent -= 1023
        if mantissa == 0 { exponent = 0 }
        mantissa <<= 8
        while mantissa != 0 && mantissa & (1 << 60) == 0 {
            mantissa <<= 1
            exponent -= 1
        }
        let hex = Array(upper ? "0123456789ABCDEF" : "0123456789abcdef")
        var out = upper ? "0X" : "0x"
        out += (mantissa >> 60) & 1 == 1 ? "1" : "0"
        mantissa <<= 4
        if mantissa != 0 {
            out += "."
            while mantissa != 0 {
                out.append(hex[Int((mantissa >> 60) & 15)])
                mantissa <<= 4
            }
        }
        out += upper ? "P" : "p"
        out += exponent < 0 ? "-" : "+"
        let magnitude = abs(exponent)
        out += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
        return out
    }

    /// A float with an explicit precision (`%.2f`, `%.3e`, `%.4g`), exactly rounded by C.
    static func fixed(_ value: Double, verb: Character, precision: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        let spec = "%.\(min(precision, 500))\(verb == "F" ? "f" : verb)"
        var buffer = [CChar](repeating: 0, count: 900)
        let count = withVaList([value]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, spec, arguments) }
        }
        guard count >= 0 else { return "" }
        return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// encoding/json's float64: shortest 'f', or 'e' below 1e-6 and from 1e21, `e-07` as `e-7`.
    static func json(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21) {
            var text = shortest(value, verb: "e")
            let scalars = Array(text)
            let n = scalars.count
            if n >= 4, scalars[n - 4] == "e", scalars[n - 3] == "-", scalars[n - 2] == "0" {
                text = String(scalars[0..<(n - 2)]) + String(scalars[n - 1])
            }
            return text
        }
        return shortest(value, verb: "f")
    }
}

private extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

private extension Substring {
    func replacingOccurrencesOfPlus() -> String { String(filter { $0 != "+" }) }
}
