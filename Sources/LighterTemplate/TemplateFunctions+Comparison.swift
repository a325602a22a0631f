import LighterSystem

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

    static let badComparison = LighterError.invalidArgument("incompatible types for comparison")
    static let badComparisonType = LighterError.invalidArgument("invalid type for comparison")

    static func eq(_ first: ExecValue, _ others: [ExecValue]) throws(LighterError) -> Bool {
        let a = first.unboxed.value
        guard !others.isEmpty else { throw LighterError.invalidArgument("missing argument for comparison") }
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
                case let (.string(x), .string(y)): truth = x.utf8.elementsEqual(y.utf8)  // bytes, as Go (not canonical equivalence)
                default:
                    // Arrays, maps, invalid values: only nil-ness compares.
                    let aNil = a == .missing, bNil = b == .missing
                    if !aNil && !bNil && reflectKind(a) != reflectKind(b) {
                        throw LighterError.invalidArgument("non-comparable types \(GoFormat.sprintf("%s", [a])): \(first.unboxed.goType), \(other.unboxed.goType): \(GoFormat.string(b))")
                    }
                    if aNil || bNil {
                        truth = aNil == bNil
                    } else {
                        throw LighterError.invalidArgument("non-comparable type \(GoFormat.sprintf("%s", [b])): \(other.unboxed.goType)")
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

    static func lt(_ first: ExecValue, _ second: ExecValue) throws(LighterError) -> Bool {
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

    static func le(_ first: ExecValue, _ second: ExecValue) throws(LighterError) -> Bool {
        if try lt(first, second) { return true }
        return try eq(first, [second])
    }
}
