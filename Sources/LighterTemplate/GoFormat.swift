/// Go's fmt over template values: %v printing (`[a b]`, `map[k:v]`, `<nil>`), Sprint, Sprintln
/// and Sprintf with Go's verbs, flags, width and precision, and Go's `%!verb(type=value)` for a
/// verb that does not fit the value.
struct GoFormat {
    private var minus = false, plus = false, sharp = false, space = false, zero = false
    private var width: Int?
    private var precision: Int?
    private var out = ""

    /// fmt.Sprint of one value (%v).
    static func string(_ value: TemplateValue) -> String {
        var format = GoFormat()
        format.printArg(value, "v")
        return format.out
    }

    /// fmt.Sprint: a space between operands when neither is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var format = GoFormat()
        var previousString = false
        for (i, arg) in args.enumerated() {
            let isString: Bool
            if case .string = arg { isString = true } else { isString = false }
            if i > 0 && !isString && !previousString { format.out += " " }
            format.printArg(arg, "v")
            previousString = isString
        }
        return format.out
    }

    /// fmt.Sprintln: spaces between all operands, a newline after.
    static func sprintln(_ args: [TemplateValue]) -> String {
        var format = GoFormat()
        for (i, arg) in args.enumerated() {
            if i > 0 { format.out += " " }
            format.printArg(arg, "v")
        }
        return format.out + "\n"
    }

    static func sprintf(_ template: String, _ args: [TemplateValue]) -> String {
        var format = GoFormat()
        format.printf(Array(template.unicodeScalars), args)
        return format.out
    }

    private mutating func clearFlags() {
        minus = false; plus = false; sharp = false; space = false; zero = false
        width = nil; precision = nil
    }

    private mutating func printf(_ scalars: [Unicode.Scalar], _ args: [TemplateValue]) {
        var argNum = 0
        var i = 0
        let end = scalars.count
        func number(_ i: inout Int) -> Int? {
            var value: Int?
            while i < end, scalars[i] >= "0" && scalars[i] <= "9" {
                value = min((value ?? 0) * 10 + Int(scalars[i].value - 0x30), 1_000_000)
                i += 1
            }
            return value
        }
        while i < end {
            let literalStart = i
            while i < end && scalars[i] != "%" { i += 1 }
            if i > literalStart { out.unicodeScalars.append(contentsOf: scalars[literalStart..<i]) }
            guard i < end else { break }
            i += 1
            clearFlags()
            flags: while i < end {
                switch scalars[i] {
                case "#": sharp = true
                case "0": zero = !minus
                case "+": plus = true
                case "-": minus = true; zero = false
                case " ": space = true
                default: break flags
                }
                i += 1
            }
            if i < end && scalars[i] == "*" {
                i += 1
                if argNum < args.count, case let .int(n) = args[argNum] {
                    width = abs(n) > 1_000_000 ? nil : n
                    if n < 0 { minus = true; zero = false; width = -n }
                } else {
                    out += "%!(BADWIDTH)"
                }
                argNum += 1
            } else {
                width = number(&i)
            }
            if i < end && scalars[i] == "." {
                i += 1
                if i < end && scalars[i] == "*" {
                    i += 1
                    if argNum < args.count, case let .int(n) = args[argNum], n >= 0, n <= 1_000_000 {
                        precision = n
                    } else {
                        out += "%!(BADPREC)"
                    }
                    argNum += 1
                } else {
                    precision = number(&i) ?? 0
                }
            }
            guard i < end else {
                out += "%!(NOVERB)"
                break
            }
            let verb = scalars[i]
            i += 1
            if verb == "%" {
                out += "%"
                continue
            }
            guard argNum < args.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            printArg(args[argNum], verb)
            argNum += 1
        }
        if argNum < args.count {
            clearFlags()
            out += "%!(EXTRA "
            for (index, arg) in args[argNum...].enumerated() {
                if index > 0 { out += ", " }
                if case .null = arg { out += "<nil>"; continue }
                if case .missing = arg { out += "<nil>"; continue }
                out += arg.goType + "="
                printArg(arg, "v")
            }
            out += ")"
        }
    }

    // MARK: - Values

    private mutating func badVerb(_ verb: Unicode.Scalar, _ value: TemplateValue) {
        out += "%!\(verb)("
        switch value {
        case .null, .missing: out += "<nil>"
        default:
            out += value.goType + "="
            let saved = (width, precision, minus, zero, plus, sharp, space)
            printArg(value, "v")
            (width, precision, minus, zero, plus, sharp, space) = saved
        }
        out += ")"
    }

    private mutating func printArg(_ value: TemplateValue, _ verb: Unicode.Scalar, depth: Int = 0) {
        switch value {
        case .null, .missing:
            if depth > 0 { pad("<nil>"); return }
            switch verb {
            case "T", "v": pad("<nil>")
            default: badVerb(verb, value)
            }
        case _ where verb == "T":
            pad(value.goType)
        case let .bool(flag):
            switch verb {
            case "t", "v": pad(flag ? "true" : "false")
            default: badVerb(verb, value)
            }
        case let .int(n):
            formatInteger(n < 0 ? UInt64(bitPattern: Int64(n)).twosComplementMagnitude : UInt64(n), negative: n < 0, verb: verb, value: value)
        case let .uint(n):
            formatInteger(n, negative: false, verb: verb, value: value)
        case let .float(f):
            switch verb {
            case "v": formatFloat(f, verb: "g", precision: -1)
            case "g", "G": formatFloat(f, verb: Character(verb), precision: -1)
            case "x", "X":
                let savedPrecision = precision
                precision = nil
                formatFloat(f, verb: Character(verb), precision: -1)
                precision = savedPrecision
            case "e", "E", "f", "F": formatFloat(f, verb: Character(verb), precision: 6)
            default: badVerb(verb, value)
            }
        case let .string(s):
            switch verb {
            case "v":
                if sharp { padString(GoQuote.quote(s)) } else { padString(truncate(s)) }
            case "s": padString(truncate(s))
            case "q": formatQ(s)
            case "x", "X": formatHex(Array(s.utf8), upper: verb == "X")
            default: badVerb(verb, value)
            }
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += " " }
                printArg(item, verb, depth: depth + 1)
            }
            out += "]"
        case let .object(fields):
            out += "map["
            for (i, key) in TemplateValue.sortedKeys(fields).enumerated() {
                if i > 0 { out += " " }
                printArg(.string(key), verb, depth: depth + 1)
                out += ":"
                printArg(fields[key]!, verb, depth: depth + 1)
            }
            out += "]"
        }
    }

    private func truncate(_ s: String) -> String {
        guard let precision else { return s }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s.unicodeScalars.prefix(precision))
        return String(view)
    }

    private mutating func padding(_ count: Int) {
        guard count > 0 else { return }
        out += String(repeating: zero ? "0" : " ", count: count)
    }

    /// fmt's pad: width counted in runes, left unless `-`.
    private mutating func pad(_ s: String) {
        guard let width, width > 0 else { out += s; return }
        let fill = width - s.unicodeScalars.count
        if minus {
            out += s
            padding(fill)
        } else {
            padding(fill)
            out += s
        }
    }

    private mutating func padString(_ s: String) { pad(s) }

    private mutating func formatQ(_ raw: String) {
        let s = truncate(raw)
        if sharp && !s.contains("`") && s.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F && $0 != "\u{FEFF}") }) {
            pad("`" + s + "`")
        } else {
            pad(GoQuote.quote(s, asciiOnly: plus))
        }
    }

    private mutating func formatHex(_ bytes: [UInt8], upper: Bool) {
        let digits = Array(upper ? "0123456789ABCDEF" : "0123456789abcdef")
        var length = bytes.count
        if let precision, precision < length { length = precision }
        var encodedWidth = 2 * length
        guard encodedWidth > 0 else {
            if let width { padding(width) }
            return
        }
        if space {
            if sharp { encodedWidth *= 2 }
            encodedWidth += length - 1
        } else if sharp {
            encodedWidth += 2
        }
        if let width, width > encodedWidth, !minus { padding(width - encodedWidth) }
        if sharp { out += "0" + (upper ? "X" : "x") }
        for i in 0..<length {
            if space && i > 0 {
                out += " "
                if sharp { out += "0" + (upper ? "X" : "x") }
            }
            out.append(digits[Int(bytes[i] >> 4)])
            out.append(digits[Int(bytes[i] & 0xF)])
        }
        if let width, width > encodedWidth, minus { padding(width - encodedWidth) }
    }

    private mutating func formatInteger(_ magnitude: UInt64, negative: Bool, verb: Unicode.Scalar, value: TemplateValue) {
        let base: UInt64
        var upper = false
        switch verb {
        case "v", "d": base = 10
        case "b": base = 2
        case "o", "O": base = 8
        case "x": base = 16
        case "X": base = 16; upper = true
        case "c":
            let scalar = negative || magnitude > 0x10FFFF ? "\u{FFFD}" : (Unicode.Scalar(UInt32(magnitude)) ?? "\u{FFFD}")
            pad(String(scalar))
            return
        case "q":
            let scalar = negative || magnitude > 0x10FFFF ? "\u{FFFD}" : (Unicode.Scalar(UInt32(magnitude)) ?? "\u{FFFD}")
            if sharp && scalar != "`" && GoQuote.isPrint(scalar) {
                pad("`\(scalar)`")
            } else {
                pad("'" + GoQuote.escaped(scalar, quote: "'", asciiOnly: plus) + "'")
            }
            return
        case "U":
            var hex = String(negative ? UInt64(bitPattern: -Int64(bitPattern: magnitude)) : magnitude, radix: 16, uppercase: true)
            if hex.count < 4 { hex = String(repeating: "0", count: 4 - hex.count) + hex }
            var text = "U+" + hex
            if sharp, !negative, magnitude <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(magnitude)), GoQuote.isPrint(scalar) {
                text += " '\(scalar)'"
            }
            let savedZero = zero
            zero = false
            pad(text)
            zero = savedZero
            return
        default:
            badVerb(verb, value)
            return
        }
        var digits = magnitude == 0 ? "0" : String(magnitude, radix: Int(base), uppercase: upper)
        var minDigits = 0
        if let precision {
            minDigits = precision
            if precision == 0 && magnitude == 0 {
                let savedZero = zero
                zero = false
                if let width { padding(width) }
                zero = savedZero
                return
            }
        } else if zero, let width {
            minDigits = width
            if negative || plus || space { minDigits -= 1 }
        }
        if digits.count < minDigits { digits = String(repeating: "0", count: minDigits - digits.count) + digits }
        if sharp {
            switch base {
            case 2: digits = "0b" + digits
            case 8: if !digits.hasPrefix("0") { digits = "0" + digits }
            case 16: digits = (upper ? "0X" : "0x") + digits
            default: break
            }
        }
        if verb == "O" { digits = "0o" + digits }
        if negative { digits = "-" + digits } else if plus { digits = "+" + digits } else if space { digits = " " + digits }
        let savedZero = zero
        zero = false
        pad(digits)
        zero = savedZero
    }

    private mutating func formatFloat(_ value: Double, verb: Character, precision defaultPrecision: Int) {
        let precision = self.precision ?? defaultPrecision
        var num = precision < 0 ? GoNumber.shortest(value, verb: verb) : GoNumber.fixed(value, verb: verb, precision: precision)
        if sharp && precision < 0 && !num.contains(".") && !num.contains("e") && !num.contains("E") && value.isFinite { num += "." }
        var sign: Character = "+"
        if num.hasPrefix("-") || num.hasPrefix("+") { sign = num.removeFirst() }
        if space && sign == "+" && !plus { sign = " " }
        if num == "Inf" || num == "NaN" {
            let savedZero = zero
            zero = false
            if num == "NaN" && !space && !plus { pad(num) } else { pad(String(sign) + num) }
            zero = savedZero
            return
        }
        if plus || sign != "+" {
            let signed = String(sign) + num
            if zero, let width, width > signed.count {
                out.append(sign)
                padding(width - signed.count)
                out += num
                return
            }
            pad(signed)
            return
        }
        pad(num)
    }
}

private extension UInt64 {
    /// |n| of a negative Int64 held as its bit pattern.
    var twosComplementMagnitude: UInt64 { ~self &+ 1 }
}
